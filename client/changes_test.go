package client_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// mirror is a copy of a database kept from the change feed: the rows of
// each kind by id, decoded.
type mirror map[string]map[int64]any

// apply walks the feed from after to its end into m and returns the last
// position, after itself if there was no change, and the changes seen.
func (m mirror) apply(t *testing.T, c *client.Client, after string) (string, []client.Change) {
	t.Helper()
	var seen []client.Change
	for ch, err := range c.Changes(ctx, after) {
		mustNoErr(t, err)
		obj, err := ch.Decode()
		mustNoErr(t, err)
		if m[ch.Kind] == nil {
			m[ch.Kind] = map[int64]any{}
		}
		if ch.Deleted() {
			if obj != nil || ch.Object != nil {
				t.Fatalf("delete %+v has an object", ch)
			}
			delete(m[ch.Kind], ch.ID)
		} else {
			m[ch.Kind][ch.ID] = obj
		}
		seen = append(seen, ch)
		after = ch.Pos
	}
	return after, seen
}

// wantSame fails unless the mirror's rows of kind are rows, by id.
func wantSame[T any](t *testing.T, m mirror, kind string, rows []T, id func(*T) int64) {
	t.Helper()
	got := m[kind]
	if len(got) != len(rows) {
		t.Fatalf("the mirror has %d %ss, ids %v; the database %d", len(got), kind, slices.Sorted(maps.Keys(got)), len(rows))
	}
	for i := range rows {
		r := &rows[i]
		obj, ok := got[id(r)]
		if _, typed := obj.(*T); !ok || !typed || !sameJSON(obj, r) {
			t.Fatalf("the mirror's %s %d is %+v; the database's %+v", kind, id(r), obj, r)
		}
	}
}

func collect[T any](t *testing.T, rows func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for r, err := range rows {
		mustNoErr(t, err)
		out = append(out, r)
	}
	return out
}

// TestChanges keeps a copy of a database through the change feed (§14):
// the first walk gives every row, later walks from the last position only
// what changed since, deletes included; each object decodes to its type;
// a member's feed holds only its own team's visits, plans and orders; a
// position that is not this database's is a 400 naming after.
func TestChanges(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		admin, _ := f.newClient(t, adminEmail)
		member, _ := f.newClient(t, memberEmail)
		other := f.mustCompany(t, "CV Sumber Rejeki", "Dewi")
		f.mustMember(t, other.DB.ID, f.mustUser(t, "dewi@sumber.test").ID, other.Teams[0].ID, salesmania.RoleAdmin)
		stranger, _ := f.newClient(t, "dewi@sumber.test")
		dec := salesmania.MustDecimal
		const day = "2026-03-02"

		// An empty database's feed is empty.
		m := mirror{}
		pos, seen := m.apply(t, admin, "")
		if pos != "" || len(seen) != 0 {
			t.Fatalf("an empty feed gave %v", seen)
		}
		page, err := admin.ChangesPage(ctx, "", 0)
		mustNoErr(t, err)
		if len(page.Data) != 0 || page.HasMore || page.Next == "" {
			t.Fatalf("the empty feed's page = %+v; want no data and a next position", page)
		}

		var customers []*salesmania.Customer
		for i := range 3 {
			cu, err := admin.Customers.Create(ctx, &salesmania.CustomerFields{Name: new(fmt.Sprintf("Toko %d", i)),
				Location: &salesmania.LocationInput{Lat: new(-7.0 - float64(i)/100), Lon: new(110.4)}})
			mustNoErr(t, err)
			customers = append(customers, cu)
		}
		p, err := admin.Products.Create(ctx, &salesmania.ProductFields{Name: new("Indomie Goreng"), QtyOnHand: new(dec("100")),
			ProductUnits: &[]salesmania.ProductUnitInput{{Name: new("PCS"), Price: new(dec("3500")), Ratio: new(dec("1"))}}})
		mustNoErr(t, err)
		vb, err := admin.Visits.Append(ctx, &salesmania.VisitCreate{Date: new(day), CustomerID: &customers[0].ID})
		mustNoErr(t, err)
		vs, err := member.Visits.Append(ctx, &salesmania.VisitCreate{Date: new(day), CustomerID: &customers[1].ID})
		mustNoErr(t, err)
		plan, err := member.VisitPlans.Create(ctx, &salesmania.VisitPlanFields{CustomerID: &customers[1].ID, Weekdays: &[]float64{1}, StartDate: new(day)})
		mustNoErr(t, err)
		order := func(t *testing.T, c *client.Client, cu *salesmania.Customer) *salesmania.Order {
			t.Helper()
			o, err := c.Orders.Create(ctx, &salesmania.OrderFields{Date: new(day), CustomerID: &cu.ID,
				OrderedProducts: &[]salesmania.OrderLineInput{{ProductID: &p.ID, Qty: new(dec("2")), Unit: new("PCS"), Price: new(dec("3500"))}}})
			mustNoErr(t, err)
			return o
		}
		ob, os := order(t, admin, customers[0]), order(t, member, customers[1])
		_, err = admin.Customers.Update(ctx, customers[0].ID, &salesmania.CustomerFields{City: new("Semarang")})
		mustNoErr(t, err)
		mustNoErr(t, admin.Customers.Delete(ctx, customers[2].ID))

		// wantDatabase fails unless m is the database as c reads it.
		wantDatabase := func(t *testing.T, m mirror, c *client.Client) {
			t.Helper()
			wantSame(t, m, salesmania.ChangeCustomer, collect(t, c.Customers.All(ctx, nil)), func(x *salesmania.Customer) int64 { return x.ID })
			wantSame(t, m, salesmania.ChangeProduct, collect(t, c.Products.All(ctx, nil)), func(x *salesmania.Product) int64 { return x.ID })
			wantSame(t, m, salesmania.ChangeVisit, collect(t, c.Visits.All(ctx, &client.VisitListOptions{Date: day})), func(x *salesmania.Visit) int64 { return x.ID })
			wantSame(t, m, salesmania.ChangeVisitPlan, collect(t, c.VisitPlans.All(ctx, nil)), func(x *salesmania.VisitPlan) int64 { return x.ID })
			wantSame(t, m, salesmania.ChangeOrder, collect(t, c.Orders.All(ctx, nil)), func(x *salesmania.Order) int64 { return x.ID })
		}

		t.Run("OK/FirstWalk", func(t *testing.T) {
			pos, seen = m.apply(t, admin, "")
			wantDatabase(t, m, admin)
			if len(m[salesmania.ChangeCustomer]) != 2 || len(m[salesmania.ChangeVisit]) != 2 || len(m[salesmania.ChangeOrder]) != 2 {
				t.Fatalf("mirror %v", m)
			}
			// Customer 2 was created and deleted: one entry, the delete.
			var last client.Change
			for _, ch := range seen {
				if ch.Kind == salesmania.ChangeCustomer && ch.ID == customers[2].ID {
					last = ch
				}
			}
			if last.Op != salesmania.OpDelete {
				t.Fatalf("the deleted customer's last change is %+v; want a delete", last)
			}
			// Pages of two continue at each page's next.
			page, err := admin.ChangesPage(ctx, "", 2)
			mustNoErr(t, err)
			if len(page.Data) != 2 || !page.HasMore || page.Next != page.Data[1].Pos || page.Data[0].Pos != seen[0].Pos {
				t.Fatalf("a page of 2 = %+v", page)
			}
			rest, err := admin.ChangesPage(ctx, page.Next, 0)
			mustNoErr(t, err)
			if len(rest.Data) != len(seen)-2 || rest.HasMore || rest.Next != pos {
				t.Fatalf("the rest after the first page: %d changes, has_more %v, next %q; want %d, false, %q", len(rest.Data), rest.HasMore, rest.Next, len(seen)-2, pos)
			}
		})

		t.Run("OK/Resume", func(t *testing.T) {
			// Nothing new: the walk from the last position is empty.
			if again, seen := m.apply(t, admin, pos); again != pos || len(seen) != 0 {
				t.Fatalf("walking from the end gave %v", seen)
			}
			_, err := admin.Products.Update(ctx, p.ID, &salesmania.ProductFields{QtyOnHand: new(dec("90"))})
			mustNoErr(t, err)
			mustNoErr(t, admin.Visits.Delete(ctx, vb.ID))
			_, err = member.VisitPlans.Update(ctx, plan.ID, &salesmania.VisitPlanFields{Active: new(false)})
			mustNoErr(t, err)
			next, seen := m.apply(t, admin, pos)
			var got []string
			for _, ch := range seen {
				got = append(got, ch.Kind+" "+ch.Op+" "+itoa(ch.ID))
			}
			want := []string{"product upsert " + itoa(p.ID), "visit delete " + itoa(vb.ID), "visit_plan upsert " + itoa(plan.ID)}
			if !slices.Equal(got, want) || next == pos || next != seen[len(seen)-1].Pos {
				t.Fatalf("changes after the last position: %v; want %v", got, want)
			}
			pos = next
			wantDatabase(t, m, admin)
		})

		t.Run("OK/Member", func(t *testing.T) {
			mm := mirror{}
			mm.apply(t, member, "")
			wantDatabase(t, mm, member)
			if _, ok := mm[salesmania.ChangeOrder][ob.ID]; ok || mm[salesmania.ChangeOrder][os.ID] == nil || mm[salesmania.ChangeVisit][vs.ID] == nil {
				t.Fatalf("the member's mirror: %v; want team Sari's order %d and visit %d only", mm, os.ID, vs.ID)
			}
		})

		t.Run("ErrBadAfter", func(t *testing.T) {
			bad := sendAnyway(ctx)
			foreign, err := stranger.ChangesPage(ctx, "", 0)
			mustNoErr(t, err)
			for _, tc := range []struct {
				name, after string
				field       salesmania.FieldError
			}{
				{"Malformed", "not a position!", salesmania.FieldError{Field: "after", Message: "is not a position this feed gave out; start again without it"}},
				{"AnotherDatabase", foreign.Next, salesmania.FieldError{Field: "after", Message: "is a position in another database's feed"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := admin.ChangesPage(bad, tc.after, 0)
					wantVisitError(t, err, 400, "GET", "/extapi/v1.0/changes", tc.field)
					n := 0
					for _, err := range admin.Changes(bad, tc.after) {
						n++
						if client.StatusCode(err) != 400 {
							t.Fatalf("Changes yielded %v; want the 400", err)
						}
					}
					if n != 1 {
						t.Fatalf("Changes yielded %d times; want the error once", n)
					}
				})
			}
			_, err = admin.ChangesPage(bad, pos, 1001)
			wantError(t, err, 400, "", salesmania.FieldError{Field: "limit", Message: "must be an integer from 1 to 1000"})
		})

		t.Run("DecodeUnknownKind", func(t *testing.T) {
			ch := client.Change{Kind: "invoice", Op: salesmania.OpUpsert, ID: 1, Object: []byte(`{"id":1}`)}
			if _, err := ch.Decode(); !errors.Is(err, client.ErrUnknownKind) {
				t.Fatalf("Decode of an invoice: %v; want ErrUnknownKind", err)
			}
		})
	})
}
