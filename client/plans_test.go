package client_test

import (
	"cmp"
	"slices"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// TestVisitPlans runs call cycles through the client (§12): plans made,
// listed, changed and deleted; their occurrences materialised into visits
// once; bad fields refused with nothing changed; a member kept to its own
// team and another database's admin to its own database.
func TestVisitPlans(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		budi, sari := f.co.Teams[0], f.co.Teams[1]
		admin, _ := f.newClient(t, adminEmail)
		member, _ := f.newClient(t, memberEmail)
		other := f.mustCompany(t, "CV Sumber Rejeki", "Dewi")
		f.mustMember(t, other.DB.ID, f.mustUser(t, "dewi@sumber.test").ID, other.Teams[0].ID, salesmania.RoleAdmin)
		stranger, _ := f.newClient(t, "dewi@sumber.test")
		customer := func(t *testing.T, c *client.Client, name string) *salesmania.Customer {
			t.Helper()
			cu, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new(name)})
			mustNoErr(t, err)
			return cu
		}
		rejeki, sumber, baru := customer(t, admin, "Toko Rejeki"), customer(t, admin, "Toko Sumber"), customer(t, admin, "Toko Baru")
		foreign := customer(t, stranger, "Toko Seberang")
		allPlans := func(t *testing.T, c *client.Client, opts *client.VisitPlanListOptions) []int64 {
			t.Helper()
			var ids []int64
			for p, err := range c.VisitPlans.All(ctx, opts) {
				mustNoErr(t, err)
				ids = append(ids, p.ID)
			}
			return ids
		}

		// 2026-03-02 is a Monday. Plan a: Mondays and Thursdays every other
		// week, 30 minutes, for team Budi; plan b: Wednesdays of two weeks
		// for team Sari, made by its member.
		a, err := admin.VisitPlans.Create(ctx, &salesmania.VisitPlanFields{TeamID: &budi.ID, CustomerID: &rejeki.ID,
			Weekdays: &[]float64{4, 1}, EveryWeeks: new(2.0), StartDate: new("2026-03-02"), DurationMin: new(30.0)})
		mustNoErr(t, err)
		if a.TeamID != budi.ID || a.CustomerID != rejeki.ID || !slices.Equal(a.Weekdays, []int{1, 4}) || a.EveryWeeks != 2 ||
			a.StartDate != "2026-03-02" || a.EndDate != nil || a.DurationMin != 30 || !a.Active || a.CreatedAt.IsZero() {
			t.Fatalf("created plan %+v", a)
		}
		b, err := member.VisitPlans.Create(ctx, &salesmania.VisitPlanFields{CustomerID: &sumber.ID, Weekdays: &[]float64{3},
			StartDate: new("2026-03-04"), EndDate: new("2026-03-11")})
		mustNoErr(t, err)
		if b.TeamID != sari.ID || b.EveryWeeks != 1 || b.DurationMin != 15 || b.EndDate == nil || *b.EndDate != "2026-03-11" {
			t.Fatalf("the member's plan %+v; want team Sari, every week, 15 min, until 2026-03-11", b)
		}

		t.Run("GetAndList", func(t *testing.T) {
			got, err := admin.VisitPlans.Get(ctx, a.ID)
			mustNoErr(t, err)
			if !sameJSON(got, a) {
				t.Fatalf("Get = %+v; want %+v", got, a)
			}
			for _, tc := range []struct {
				name string
				c    *client.Client
				opts *client.VisitPlanListOptions
				want []int64
			}{
				{"All", admin, nil, []int64{a.ID, b.ID}},
				{"Team", admin, &client.VisitPlanListOptions{TeamID: sari.ID}, []int64{b.ID}},
				{"Customer", admin, &client.VisitPlanListOptions{CustomerID: rejeki.ID, Limit: 1}, []int64{a.ID}},
				{"Inactive", admin, &client.VisitPlanListOptions{Active: new(false)}, nil},
				{"Member", member, nil, []int64{b.ID}},
				{"Stranger", stranger, nil, nil},
			} {
				if got := allPlans(t, tc.c, tc.opts); !slices.Equal(got, tc.want) {
					t.Errorf("%s: plans %v; want %v", tc.name, got, tc.want)
				}
			}
			_, err = member.VisitPlans.Get(ctx, a.ID)
			wantError(t, err, 404, "")
			_, err = stranger.VisitPlans.Get(ctx, a.ID)
			wantError(t, err, 404, "")
			_, err = member.VisitPlans.List(ctx, &client.VisitPlanListOptions{TeamID: budi.ID})
			wantError(t, err, 403, "")
		})

		t.Run("ErrInvalid", func(t *testing.T) {
			bad := sendAnyway(ctx)
			mk := func(fields func(f *salesmania.VisitPlanFields)) *salesmania.VisitPlanFields {
				f := &salesmania.VisitPlanFields{CustomerID: &baru.ID, Weekdays: &[]float64{2}, StartDate: new("2026-03-02")}
				fields(f)
				return f
			}
			for _, tc := range []struct {
				name  string
				in    *salesmania.VisitPlanFields
				field salesmania.FieldError
			}{
				{"WeekdaysEmpty", mk(func(f *salesmania.VisitPlanFields) { f.Weekdays = &[]float64{} }),
					salesmania.FieldError{Field: "weekdays", Message: "must list 1 to 7 ISO weekdays, 1 (Monday) to 7 (Sunday)"}},
				{"Weekday0", mk(func(f *salesmania.VisitPlanFields) { f.Weekdays = &[]float64{0} }),
					salesmania.FieldError{Field: "weekdays[0]", Message: "must be an ISO weekday, 1 (Monday) to 7 (Sunday)"}},
				{"Weekday8", mk(func(f *salesmania.VisitPlanFields) { f.Weekdays = &[]float64{1, 8} }),
					salesmania.FieldError{Field: "weekdays[1]", Message: "must be an ISO weekday, 1 (Monday) to 7 (Sunday)"}},
				{"WeekdayTwice", mk(func(f *salesmania.VisitPlanFields) { f.Weekdays = &[]float64{1, 1} }),
					salesmania.FieldError{Field: "weekdays[1]", Message: "repeats weekday 1"}},
				{"EveryWeeks0", mk(func(f *salesmania.VisitPlanFields) { f.EveryWeeks = new(0.0) }),
					salesmania.FieldError{Field: "every_weeks", Message: "must be a whole number from 1 to 8"}},
				{"EveryWeeks9", mk(func(f *salesmania.VisitPlanFields) { f.EveryWeeks = new(9.0) }),
					salesmania.FieldError{Field: "every_weeks", Message: "must be a whole number from 1 to 8"}},
				{"EndBeforeStart", mk(func(f *salesmania.VisitPlanFields) { f.EndDate = new("2026-03-01") }),
					salesmania.FieldError{Field: "end_date", Message: "must not be before start_date"}},
				{"CustomerOfAnotherDatabase", mk(func(f *salesmania.VisitPlanFields) { f.CustomerID = &foreign.ID }),
					salesmania.FieldError{Field: "customer_id", Message: "is not a customer of this database"}},
				{"TeamOfAnotherDatabase", mk(func(f *salesmania.VisitPlanFields) { f.TeamID = &other.Teams[0].ID }),
					salesmania.FieldError{Field: "team_id", Message: "is not a team of this database"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := admin.VisitPlans.Create(bad, tc.in)
					wantVisitError(t, err, 422, "POST", "/extapi/v1.1/visit-plans", tc.field)
				})
			}
			_, err := admin.VisitPlans.Update(bad, a.ID, &salesmania.VisitPlanFields{CustomerID: &sumber.ID})
			wantVisitError(t, err, 422, "PATCH", "/extapi/v1.1/visit-plans/"+itoa(a.ID),
				salesmania.FieldError{Field: "customer_id", Message: "cannot be changed; delete the plan and make one for the other customer"})
			_, err = member.VisitPlans.Create(ctx, &salesmania.VisitPlanFields{TeamID: &budi.ID, CustomerID: &baru.ID, Weekdays: &[]float64{2}, StartDate: new("2026-03-02")})
			wantError(t, err, 403, salesmania.ErrOtherTeam.Message)
			for _, in := range []*salesmania.MaterializeFields{
				{DateFrom: new("2026-03-10"), DateTo: new("2026-03-09")},
				{DateFrom: new("2026-03-01"), DateTo: new("2026-06-01")}, // 93 days
			} {
				_, err = admin.VisitPlans.Materialize(bad, in)
				wantVisitError(t, err, 422, "POST", "/extapi/v1.1/visit-plans/materialize")
				if e := err.(*client.Error); len(e.Fields) != 1 || e.Fields[0].Field != "date_to" {
					t.Errorf("materialize %s..%s: fields %v; want date_to", *in.DateFrom, *in.DateTo, e.Fields)
				}
			}
			if got := allPlans(t, admin, nil); !slices.Equal(got, []int64{a.ID, b.ID}) {
				t.Fatalf("refused plans changed the list: %v", got)
			}
			got, err := admin.VisitPlans.Get(ctx, a.ID)
			mustNoErr(t, err)
			if !sameJSON(got, a) {
				t.Fatalf("a refused update changed plan a: %+v", got)
			}
		})

		// visitsOf lists the visits of a range by (date, team, seq).
		visitsOf := func(t *testing.T, from, to string) []salesmania.Visit {
			t.Helper()
			var out []salesmania.Visit
			for v, err := range admin.Visits.All(ctx, &client.VisitListOptions{DateFrom: from, DateTo: to}) {
				mustNoErr(t, err)
				out = append(out, v)
			}
			return out
		}
		sortDays := func(days []salesmania.MaterializedDay) []salesmania.MaterializedDay {
			return slices.SortedFunc(slices.Values(days), func(x, y salesmania.MaterializedDay) int {
				return cmp.Or(cmp.Compare(x.Date, y.Date), cmp.Compare(x.TeamID, y.TeamID))
			})
		}

		t.Run("Materialize", func(t *testing.T) {
			// The first two weeks: plan a in week 0 only, plan b twice.
			res, err := admin.VisitPlans.Materialize(ctx, &salesmania.MaterializeFields{DateFrom: new("2026-03-02"), DateTo: new("2026-03-15")})
			mustNoErr(t, err)
			want := []salesmania.MaterializedDay{
				{Date: "2026-03-02", TeamID: budi.ID, Created: 1}, {Date: "2026-03-04", TeamID: sari.ID, Created: 1},
				{Date: "2026-03-05", TeamID: budi.ID, Created: 1}, {Date: "2026-03-11", TeamID: sari.ID, Created: 1},
			}
			if res.Created != 4 || !slices.Equal(sortDays(res.Days), want) {
				t.Fatalf("Materialize = %+v; want 4 visits %v", res, want)
			}
			vs := visitsOf(t, "2026-03-02", "2026-03-15")
			if len(vs) != 4 {
				t.Fatalf("%d visits; want 4", len(vs))
			}
			for _, v := range vs {
				plan, dur := a, int64(30)
				if v.TeamID == sari.ID {
					plan, dur = b, 15
				}
				if v.PlanID == nil || *v.PlanID != plan.ID || v.DurationMin != dur || v.CustomerID != plan.CustomerID || v.Status != salesmania.VisitPlanned {
					t.Errorf("visit %+v; want of plan %d, %d min", v, plan.ID, dur)
				}
			}
			// Again: nothing new, even where a visit was deleted since.
			var deleted int64
			for _, v := range vs {
				if v.Date == "2026-03-05" {
					deleted = v.ID
				}
			}
			mustNoErr(t, admin.Visits.Delete(ctx, deleted))
			res, err = admin.VisitPlans.Materialize(ctx, &salesmania.MaterializeFields{DateFrom: new("2026-03-01"), DateTo: new("2026-03-15")})
			mustNoErr(t, err)
			if res.Created != 0 || len(res.Days) != 0 {
				t.Fatalf("materialising again = %+v; want nothing", res)
			}
			// A member materialises its own team's plans only.
			_, err = member.VisitPlans.Materialize(ctx, &salesmania.MaterializeFields{DateFrom: new("2026-03-16"), DateTo: new("2026-03-22"), TeamID: &budi.ID})
			wantError(t, err, 403, salesmania.ErrOtherTeam.Message)
			res, err = member.VisitPlans.Materialize(ctx, &salesmania.MaterializeFields{DateFrom: new("2026-03-16"), DateTo: new("2026-03-22")})
			mustNoErr(t, err)
			if res.Created != 0 {
				t.Fatalf("the member materialised %+v; plan b ended on 2026-03-11 and plan a is team Budi's", res)
			}
		})

		t.Run("Deactivate", func(t *testing.T) {
			off, err := admin.VisitPlans.Update(ctx, a.ID, &salesmania.VisitPlanFields{Active: new(false), EndDate: new("2026-12-31")})
			mustNoErr(t, err)
			if off.Active || off.EndDate == nil || *off.EndDate != "2026-12-31" || !off.UpdatedAt.After(a.UpdatedAt) {
				t.Fatalf("deactivated plan %+v", off)
			}
			if got := allPlans(t, admin, &client.VisitPlanListOptions{Active: new(false)}); !slices.Equal(got, []int64{a.ID}) {
				t.Fatalf("inactive plans %v; want [%d]", got, a.ID)
			}
			res, err := admin.VisitPlans.Materialize(ctx, &salesmania.MaterializeFields{DateFrom: new("2026-03-16"), DateTo: new("2026-03-22")})
			mustNoErr(t, err)
			if res.Created != 0 {
				t.Fatalf("an inactive plan was materialised: %+v", res)
			}
			// Active again, without an end (null), optimising the days.
			on, err := admin.VisitPlans.Update(ctx, a.ID, &salesmania.VisitPlanFields{Active: new(true), Nulls: map[string]bool{"end_date": true}})
			mustNoErr(t, err)
			if !on.Active || on.EndDate != nil {
				t.Fatalf("reactivated plan %+v; want active, no end", on)
			}
			res, err = admin.VisitPlans.Materialize(ctx, &salesmania.MaterializeFields{DateFrom: new("2026-03-16"), DateTo: new("2026-03-22"), Optimize: new(true)})
			mustNoErr(t, err)
			want := []salesmania.MaterializedDay{{Date: "2026-03-16", TeamID: budi.ID, Created: 1}, {Date: "2026-03-19", TeamID: budi.ID, Created: 1}}
			if res.Created != 2 || !slices.Equal(sortDays(res.Days), want) {
				t.Fatalf("Materialize = %+v; want %v", res, want)
			}
		})

		t.Run("Delete", func(t *testing.T) {
			// A customer with a plan cannot be deleted; without, it can.
			c, err := admin.VisitPlans.Create(ctx, &salesmania.VisitPlanFields{CustomerID: &baru.ID, Weekdays: &[]float64{5}, StartDate: new("2027-01-01")})
			mustNoErr(t, err)
			wantError(t, admin.Customers.Delete(ctx, baru.ID), 409, "")
			wantError(t, member.VisitPlans.Delete(ctx, c.ID), 404, "")
			wantError(t, stranger.VisitPlans.Delete(ctx, c.ID), 404, "")
			mustNoErr(t, admin.VisitPlans.Delete(ctx, c.ID))
			_, err = admin.VisitPlans.Get(ctx, c.ID)
			wantError(t, err, 404, "")
			mustNoErr(t, admin.Customers.Delete(ctx, baru.ID))
			// Deleting a plan keeps its visits.
			before := len(visitsOf(t, "2026-03-02", "2026-03-22"))
			mustNoErr(t, member.VisitPlans.Delete(ctx, b.ID))
			if after := len(visitsOf(t, "2026-03-02", "2026-03-22")); after != before {
				t.Fatalf("%d visits after deleting plan b; want %d", after, before)
			}
		})
	})
}
