package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// TestCLIPlansBadFlags checks that a plans command line the user must fix
// is refused with exit code 2 and a message naming the flag, before
// anything is sent (there is no server and no login).
func TestCLIPlansBadFlags(t *testing.T) {
	t.Parallel()
	f := &cliFixture{env: map[string]string{"XDG_CONFIG_HOME": t.TempDir()}}
	add := func(args ...string) []string {
		return append([]string{"plans", "add", "--customer-id", "7", "--weekdays", "1,4", "--start-date", "2026-03-02"}, args...)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"plans"}, "plans needs a verb: add, list, materialize, rm"},
		{[]string{"plans", "add"}, "missing required flag --customer-id, --start-date, --weekdays"},
		{[]string{"plans", "add", "--customer-id", "7", "--start-date", "2026-03-02"}, "missing required flag --weekdays"},
		{add("--customer-id", "-7"), "--customer-id and --team-id must be positive ids"},
		{add("--weekdays", ""), "--weekdays: must list 1 to 7 ISO weekdays, 1 (Monday) to 7 (Sunday)"},
		{add("--weekdays", "0"), "--weekdays: must be an ISO weekday, 1 (Monday) to 7 (Sunday)"},
		{add("--weekdays", "1,8"), "--weekdays: must be an ISO weekday, 1 (Monday) to 7 (Sunday)"},
		{add("--weekdays", "mon,1"), "--weekdays: repeats weekday 1"},
		{add("--weekdays", "mon,someday"), `--weekdays: "someday" is not a weekday; give ISO numbers 1 (Monday) to 7 (Sunday) or names, as 1,4 or mon,thu`},
		{add("--every-weeks", "0"), "--every-weeks: must be a whole number from 1 to 8"},
		{add("--every-weeks", "9"), "--every-weeks: must be a whole number from 1 to 8"},
		{add("--every-weeks", "1.5"), "--every-weeks: must be a whole number from 1 to 8"},
		{add("--every-weeks", "two"), `invalid value "two" for flag -every-weeks: must be a number`},
		{add("--start-date", "2026-02-30"), "--start-date: must be a date as YYYY-MM-DD"},
		{add("--end-date", "2026-03-01"), "--end-date: must not be before start_date"},
		{add("--duration", "0"), "--duration: must be a whole number of minutes"},
		{add("extra"), `unexpected argument "extra"`},
		{[]string{"plans", "list", "--active", "maybe"}, `--active must be true or false, not "maybe"`},
		{[]string{"plans", "list", "--team-id", "-2"}, "--team-id and --customer-id must be positive ids"},
		{[]string{"plans", "rm"}, "plans rm: missing ID"},
		{[]string{"plans", "rm", "x"}, `the plan ID must be a positive id, not "x"`},
		{[]string{"plans", "materialize"}, "--from and --to are required"},
		{[]string{"plans", "materialize", "--from", "2026-03-02"}, "--from and --to are required"},
		{[]string{"plans", "materialize", "--from", "2026-03-02", "--to", "2026-3-9"}, `--to must be a date as YYYY-MM-DD, not "2026-3-9"`},
		{[]string{"plans", "materialize", "--from", "2026-03-09", "--to", "2026-03-02"}, "--to: must not be before date_from"},
		{[]string{"plans", "materialize", "--from", "2026-03-01", "--to", "2026-06-01"}, "--to: must be at most 92 days from date_from, both included"},
		{[]string{"plans", "materialize", "--from", "2026-03-01", "--to", "2026-03-02", "--team-id", "-1"}, "--team-id must be a positive id"},
	} {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			wantUsageError(t, f.exec(t, "", tc.args...), tc.want)
		})
	}
	r := f.exec(t, "", "plans", "help")
	for _, want := range []string{"salesmania plans add --customer-id C --weekdays 1,4 --start-date D", "salesmania plans materialize --from D --to D [--team-id T] [--optimize]",
		"salesmania plans rm ID\n", "salesmania plans list [--team-id T] [--customer-id C] [--active true|false]"} {
		if r.err != nil || !strings.Contains(r.stdout, want) {
			t.Errorf("plans help: err %v; does not say %q:\n%s", r.err, want, r.stdout)
		}
	}
}

// TestCLIPlans makes call cycles on the command line, lists them,
// materialises a fortnight of them into visits, once, and removes one;
// the server's refusals come back as messages.
func TestCLIPlans(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		f := newCLIFixture(t, kind)
		f.login(t)
		f.mustExec(t, cliPassword+"\n", "login", "--url", f.URL, "--email", cliMemberEmail, "--password-stdin", "--profile", "sari")
		ctx := context.Background()
		var shops []salesmania.Customer
		for _, name := range []string{"Toko Rejeki", "Toko Sumber"} {
			cu := salesmania.Customer{Name: name, Status: true, Tags: []string{}}
			must(t, f.store.CreateCustomer(ctx, f.dbID, &cu))
			shops = append(shops, cu)
		}
		plan := func(t *testing.T, args ...string) salesmania.VisitPlan {
			t.Helper()
			ps := jsonLines[salesmania.VisitPlan](t, f.mustExec(t, "", append([]string{"plans", "add"}, args...)...))
			if len(ps) != 1 {
				t.Fatalf("plans add printed %d plans; want 1", len(ps))
			}
			return ps[0]
		}
		list := func(t *testing.T, args ...string) []int64 {
			t.Helper()
			var ids []int64
			for _, p := range jsonLines[salesmania.VisitPlan](t, f.mustExec(t, "", append([]string{"plans", "list"}, args...)...)) {
				ids = append(ids, p.ID)
			}
			return ids
		}
		// 2026-03-02 is a Monday.
		a := plan(t, "--customer-id", itoa(shops[0].ID), "--weekdays", "mon,Thu", "--every-weeks", "2", "--start-date", "2026-03-02",
			"--duration", "30", "--team-id", itoa(f.teams[0]))
		if a.TeamID != f.teams[0] || !slices.Equal(a.Weekdays, []int{1, 4}) || a.EveryWeeks != 2 || a.StartDate != "2026-03-02" ||
			a.EndDate != nil || a.DurationMin != 30 || !a.Active {
			t.Fatalf("plans add = %+v", a)
		}
		b := plan(t, "--profile", "sari", "--customer-id", itoa(shops[1].ID), "--weekdays", "rabu", "--start-date", "2026-03-04", "--end-date", "2026-03-11")
		if b.TeamID != f.teams[1] || !slices.Equal(b.Weekdays, []int{3}) || b.EveryWeeks != 1 || b.DurationMin != 15 || *b.EndDate != "2026-03-11" {
			t.Fatalf("the member's plans add = %+v", b)
		}
		stored, err := f.store.FindVisitPlan(ctx, f.dbID, salesmania.AllTeams(), a.ID)
		must(t, err)
		if mustJSON(stored) != mustJSON(a) {
			t.Fatalf("plans add printed %s; stored is %s", mustJSON(a), mustJSON(stored))
		}
		for _, tc := range []struct {
			args []string
			want []int64
		}{
			{nil, []int64{a.ID, b.ID}},
			{[]string{"--team-id", itoa(f.teams[1])}, []int64{b.ID}},
			{[]string{"--customer-id", itoa(shops[0].ID)}, []int64{a.ID}},
			{[]string{"--active", "false"}, nil},
			{[]string{"--limit", "1"}, []int64{a.ID}},
			{[]string{"--profile", "sari"}, []int64{b.ID}},
		} {
			if got := list(t, tc.args...); !slices.Equal(got, tc.want) {
				t.Errorf("plans list %s = %v; want %v", strings.Join(tc.args, " "), got, tc.want)
			}
		}

		// The server's refusals: exit 1, nothing printed, nothing made.
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"plans", "add", "--customer-id", "999999", "--weekdays", "1", "--start-date", "2026-03-02"}, "customer_id: is not a customer of this database"},
			{[]string{"plans", "add", "--profile", "sari", "--customer-id", itoa(shops[0].ID), "--weekdays", "1", "--start-date", "2026-03-02", "--team-id", itoa(f.teams[0])}, "another team"},
			{[]string{"plans", "rm", "--profile", "sari", itoa(a.ID)}, "not found"},
			{[]string{"plans", "materialize", "--profile", "sari", "--from", "2026-03-02", "--to", "2026-03-08", "--team-id", itoa(f.teams[0])}, "another team"},
		} {
			r := f.exec(t, "", tc.args...)
			if r.err == nil || exitCode(r.err) != 1 || r.stdout != "" || !strings.Contains(r.err.Error(), tc.want) {
				t.Errorf("salesmania %s: err %v (exit %d), stdout %q; want exit 1 saying %q", strings.Join(tc.args, " "), r.err, exitCode(r.err), r.stdout, tc.want)
			}
		}
		if got := list(t); !slices.Equal(got, []int64{a.ID, b.ID}) {
			t.Fatalf("refused commands changed the plans: %v", got)
		}

		materialize := func(t *testing.T, args ...string) salesmania.MaterializeResult {
			t.Helper()
			rs := jsonLines[salesmania.MaterializeResult](t, f.mustExec(t, "", append([]string{"plans", "materialize"}, args...)...))
			if len(rs) != 1 {
				t.Fatalf("printed %d results; want 1", len(rs))
			}
			return rs[0]
		}
		res := materialize(t, "--from", "2026-03-02", "--to", "2026-03-15")
		if res.Created != 4 || len(res.Days) != 4 {
			t.Fatalf("materialize = %+v; want plan a on 03-02 and 03-05, plan b on 03-04 and 03-11", res)
		}
		var dates []string
		for _, v := range jsonLines[salesmania.Visit](t, f.mustExec(t, "", "visits", "list", "--from", "2026-03-02", "--to", "2026-03-15")) {
			if v.PlanID == nil {
				t.Fatalf("visit %+v has no plan_id", v)
			}
			dates = append(dates, v.Date)
		}
		if want := []string{"2026-03-02", "2026-03-04", "2026-03-05", "2026-03-11"}; !slices.Equal(dates, want) {
			t.Fatalf("visits on %v; want %v", dates, want)
		}
		if res := materialize(t, "--from", "2026-03-02", "--to", "2026-03-15", "--optimize"); res.Created != 0 || len(res.Days) != 0 {
			t.Fatalf("materialize again = %+v; want nothing", res)
		}

		// rm deletes the plan and keeps its visits.
		out := f.mustExec(t, "", "plans", "rm", "--profile", "sari", itoa(b.ID))
		if out != `{"id":`+itoa(b.ID)+`,"deleted":true}`+"\n" {
			t.Fatalf("plans rm printed %q", out)
		}
		if got := list(t); !slices.Equal(got, []int64{a.ID}) {
			t.Fatalf("plans after rm: %v", got)
		}
		if n := len(jsonLines[salesmania.Visit](t, f.mustExec(t, "", "visits", "list", "--from", "2026-03-02", "--to", "2026-03-15"))); n != 4 {
			t.Fatalf("%d visits after plans rm; want 4", n)
		}
	})
}
