package sqlstore_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

func strp(s string) *string { return &s }

func f64p(f float64) *float64 { return &f }

// customerItem returns a batch item that creates (or updates) a customer
// with code no.
func customerItem(no, name string) salesmania.CustomerFields {
	return salesmania.CustomerFields{Name: strp(name), ExtCustNo: strp(no), City: strp("Semarang"),
		Location: &salesmania.LocationInput{Lat: f64p(-7.110383), Lon: f64p(110.473812)}, Tags: &[]string{"grosir", "semarang"}}
}

func customerItems(n int, prefix string) []salesmania.CustomerFields {
	items := make([]salesmania.CustomerFields, n)
	for i := range items {
		items[i] = customerItem(fmt.Sprintf("%s-%04d", prefix, i), fmt.Sprintf("Toko %s %d", prefix, i))
	}
	return items
}

func mustUpsertCustomers(tb testing.TB, s *sqlstore.Store, dbID int64, items []salesmania.CustomerFields) []salesmania.CustomerBatchResult {
	tb.Helper()
	res, err := s.UpsertCustomers(tb.Context(), dbID, items)
	if err != nil {
		tb.Fatalf("UpsertCustomers(%d, %d items): %v", dbID, len(items), err)
	}
	if len(res) != len(items) {
		tb.Fatalf("UpsertCustomers: %d results for %d items", len(res), len(items))
	}
	return res
}

// customerSnapshot is every customer of a database with its tags rows, the
// row count kept and the feed's length, to compare before and after.
type customerSnapshot struct {
	customers []salesmania.Customer
	total     int64
	feed      int
	tagged    []int64 // ids with tag "grosir", from the tag table
}

func snapshotCustomers(tb testing.TB, s *sqlstore.Store, dbID int64) customerSnapshot {
	tb.Helper()
	var snap customerSnapshot
	f := salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: salesmania.MaxListLimit, IncludeTotal: true}}
	for {
		page, err := s.ListCustomers(tb.Context(), dbID, f)
		if err != nil {
			tb.Fatal(err)
		}
		snap.customers = append(snap.customers, page.Data...)
		snap.total = *page.Total
		if page.NextCursor == nil {
			break
		}
		if f.After, err = salesmania.ParseCursor(*page.NextCursor); err != nil {
			tb.Fatal(err)
		}
	}
	snap.tagged = customerIDs(tb, s, dbID, salesmania.CustomerFilter{Tag: "grosir"})
	snap.feed = feedLength(tb, s, dbID)
	return snap
}

func feedLength(tb testing.TB, s *sqlstore.Store, dbID int64) int {
	tb.Helper()
	n := 0
	f := salesmania.FeedFilter{Limit: salesmania.MaxFeedLimit, Teams: salesmania.AllTeams()}
	for {
		page, err := s.ListChanges(tb.Context(), dbID, f)
		if err != nil {
			tb.Fatal(err)
		}
		n += len(page.Data)
		if !page.HasMore {
			return n
		}
		f.After = page.Next
	}
}

func assertSameSnapshot(tb testing.TB, what string, got, want customerSnapshot) {
	tb.Helper()
	if got.total != want.total || got.feed != want.feed || !slices.Equal(got.tagged, want.tagged) || len(got.customers) != len(want.customers) {
		tb.Fatalf("%s: %d customers (count %d, feed %d, tagged %d); want %d (count %d, feed %d, tagged %d)", what,
			len(got.customers), got.total, got.feed, len(got.tagged), len(want.customers), want.total, want.feed, len(want.tagged))
	}
	for i := range got.customers {
		assertSameCustomer(tb, what, &got.customers[i], &want.customers[i])
	}
}

func TestStore_UpsertCustomers(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)

		t.Run("CreatesThenUpdatesThenUnchanged", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			items := customerItems(3, "C")
			items = append(items, salesmania.CustomerFields{Name: strp("Tanpa kode")})
			res := mustUpsertCustomers(t, s, d.ID, items)
			for i, r := range res {
				if r.Result != salesmania.BatchCreated || r.ID <= 0 || r.ExtCustNo != salesmania.CleanString(valueOr(items[i].ExtCustNo)) {
					t.Fatalf("result %d = %+v; want created with its code", i, r)
				}
				c, err := s.FindCustomer(t.Context(), d.ID, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				want, _ := items[i].NewCustomer()
				want.ID, want.DBID, want.CreatedAt, want.UpdatedAt = c.ID, d.ID, c.CreatedAt, c.CreatedAt
				assertSameCustomer(t, "created", c, want)
			}
			snap := snapshotCustomers(t, s, d.ID)
			if snap.total != 4 || len(snap.tagged) != 3 || snap.feed != 4 {
				t.Fatalf("after create: count %d, tagged %d, feed %d; want 4, 3, 4", snap.total, len(snap.tagged), snap.feed)
			}

			// The same batch again changes nothing, the one without a code
			// is created again.
			again := mustUpsertCustomers(t, s, d.ID, items[:3])
			for i, r := range again {
				if r != (salesmania.CustomerBatchResult{ID: res[i].ID, ExtCustNo: res[i].ExtCustNo, Result: salesmania.BatchUnchanged}) {
					t.Fatalf("again %d = %+v; want unchanged %d", i, r, res[i].ID)
				}
			}
			assertSameSnapshot(t, "after an unchanged batch", snapshotCustomers(t, s, d.ID), snap)

			// An update is a PATCH with the item's fields: status and
			// address not sent stay, location null clears, tags replace.
			off := false
			if _, err := s.UpdateCustomer(t.Context(), d.ID, res[1].ID, &salesmania.CustomerFields{Status: &off, Address: strp("Jl. Pemuda 12")}); err != nil {
				t.Fatal(err)
			}
			before, _ := s.FindCustomer(t.Context(), d.ID, res[1].ID)
			up := []salesmania.CustomerFields{
				{Name: strp("Toko Baru"), ExtCustNo: strp(" C-0001 "), Tags: &[]string{"baru"}, Nulls: map[string]bool{"location": true}},
				items[0],
			}
			got := mustUpsertCustomers(t, s, d.ID, up)
			if got[0] != (salesmania.CustomerBatchResult{ID: res[1].ID, ExtCustNo: "C-0001", Result: salesmania.BatchUpdated}) ||
				got[1] != (salesmania.CustomerBatchResult{ID: res[0].ID, ExtCustNo: "C-0000", Result: salesmania.BatchUnchanged}) {
				t.Fatalf("results = %+v", got)
			}
			c, _ := s.FindCustomer(t.Context(), d.ID, res[1].ID)
			want := *before
			want.Name, want.Tags, want.Location, want.UpdatedAt = "Toko Baru", []string{"baru"}, nil, c.UpdatedAt
			assertSameCustomer(t, "updated", c, &want)
			if !c.UpdatedAt.After(before.UpdatedAt) {
				t.Fatalf("updated_at %v not after %v", c.UpdatedAt, before.UpdatedAt)
			}
			after := snapshotCustomers(t, s, d.ID)
			if after.total != 4 || !slices.Equal(after.tagged, []int64{res[0].ID, res[2].ID}) {
				t.Fatalf("after update: count %d, tagged %v", after.total, after.tagged)
			}
		})

		t.Run("AnotherDatabasesCodeCreates", func(t *testing.T) {
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			theirs := mustUpsertCustomers(t, s, b.ID, customerItems(2, "X"))
			bSnap := snapshotCustomers(t, s, b.ID)
			ours := mustUpsertCustomers(t, s, a.ID, customerItems(2, "X"))
			for i, r := range ours {
				if r.Result != salesmania.BatchCreated || r.ID == theirs[i].ID {
					t.Fatalf("ours %d = %+v; theirs %+v; want a new row", i, r, theirs[i])
				}
			}
			assertSameSnapshot(t, "the other database", snapshotCustomers(t, s, b.ID), bSnap)
		})

		t.Run("ErrInvalidWritesNothing", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			mustUpsertCustomers(t, s, d.ID, customerItems(10, "C"))
			snap := snapshotCustomers(t, s, d.ID)
			big := customerItems(1000, "C")
			big[3].Name = strp("changed, but the batch is refused")
			big[512].Location.Lat = f64p(91)
			for _, tc := range []struct {
				name   string
				items  []salesmania.CustomerFields
				fields []string
			}{
				{"Empty", nil, []string{"items"}},
				{"TooMany", customerItems(1001, "N"), []string{"items"}},
				{"OneBadAmong1000", big, []string{"items[512].location.lat"}},
				{"DuplicateCode", []salesmania.CustomerFields{customerItem("D-1", "a"), customerItem("D-2", "b"), customerItem(" D-1", "c"), customerItem("D-1", "d")},
					[]string{"items[2].ext_cust_no", "items[3].ext_cust_no", "items[0].ext_cust_no"}},
				{"EveryBadField", []salesmania.CustomerFields{{}, customerItem("ok", "ok"), {Name: strp(" "), Tags: &[]string{""}}},
					[]string{"items[0].name", "items[2].name", "items[2].tags[0]"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := s.UpsertCustomers(t.Context(), d.ID, tc.items)
					var e *salesmania.Error
					if !errors.As(err, &e) || e.Code != salesmania.EINVALID {
						t.Fatalf("err = %v; want EINVALID", err)
					}
					var got []string
					for _, f := range e.Fields {
						got = append(got, f.Field)
					}
					if !slices.Equal(got, tc.fields) {
						t.Fatalf("fields = %v; want %v", got, tc.fields)
					}
					assertSameSnapshot(t, "after a refused batch", snapshotCustomers(t, s, d.ID), snap)
				})
			}
		})

		t.Run("ConcurrentOverlappingBatches", func(t *testing.T) {
			d := MustCreateDatabase(t, s, "Acme")
			const workers = 4
			var wg sync.WaitGroup
			errs := make([]error, workers)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// Every batch has the same 200 codes, in different
					// orders.
					items := customerItems(200, "K")
					if w%2 == 1 {
						slices.Reverse(items)
					}
					_, errs[w] = s.UpsertCustomers(t.Context(), d.ID, items)
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			snap := snapshotCustomers(t, s, d.ID)
			if snap.total != 200 || len(snap.customers) != 200 {
				t.Fatalf("count %d, %d rows; want 200", snap.total, len(snap.customers))
			}
		})
	})
}

func valueOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// BenchmarkUpsertCustomers writes batches of 1000 customers: new codes
// each time (all created), and one batch again and again (all unchanged).
func BenchmarkUpsertCustomers(b *testing.B) {
	for _, kind := range sqlstoretest.Kinds {
		b.Run(kind, func(b *testing.B) {
			s := sqlstoretest.MustOpen(b, kind)
			d := MustCreateDatabase(b, s, "Acme")
			b.Run("Created", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					mustUpsertCustomers(b, s, d.ID, customerItems(1000, fmt.Sprintf("N%d", i)))
				}
			})
			items := customerItems(1000, "U")
			mustUpsertCustomers(b, s, d.ID, items)
			b.Run("Unchanged", func(b *testing.B) {
				for b.Loop() {
					mustUpsertCustomers(b, s, d.ID, items)
				}
			})
			renamed := customerItems(1000, "U")
			b.Run("Updated", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					for k := range renamed {
						renamed[k].Name = strp(fmt.Sprintf("Toko %d %d", k, i))
					}
					mustUpsertCustomers(b, s, d.ID, renamed)
				}
			})
		})
	}
}
