package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// TestCLIVisitsOptimizeBadFlags checks that an optimisation the user must
// fix is refused with exit code 2 and a message naming the flag, before
// anything is sent (there is no server and no login).
func TestCLIVisitsOptimizeBadFlags(t *testing.T) {
	t.Parallel()
	f := &cliFixture{env: map[string]string{"XDG_CONFIG_HOME": t.TempDir()}}
	opt := func(args ...string) []string {
		return append([]string{"visits", "optimize", "--date", "2026-03-02"}, args...)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"visits", "optimize"}, "missing required flag --date"},
		{[]string{"visits", "optimize", "--date", "2026-02-30"}, `--date must be a date as YYYY-MM-DD, not "2026-02-30"`},
		{opt("5"), `unexpected argument "5"`},
		{opt("--team-id", "-1"), "--team-id must be a positive id"},
		{opt("--start", "91,0"), `invalid value "91,0" for flag -start: the latitude must be between -90 and 90`},
		{opt("--start", "x"), `invalid value "x" for flag -start: must be LAT,LON in degrees, e.g. -7.110383,110.473812`},
		{opt("--start", "-7.1"), `invalid value "-7.1" for flag -start: must be LAT,LON in degrees`},
		{opt("--start", "-7.1,NaN"), `invalid value "-7.1,NaN" for flag -start: must be LAT,LON in degrees`},
		{opt("--end", "0,181"), `invalid value "0,181" for flag -end: the longitude must be between -180 and 180`},
		{opt("--speed", "0"), "--speed: must be from 1 to 200 km/h"},
		{opt("--speed", "201"), "--speed: must be from 1 to 200 km/h"},
		{opt("--speed", "fast"), `invalid value "fast" for flag -speed: must be a number`},
		{opt("--depart-at", "25:00"), "--depart-at: must be a time of day as HH:MM, 00:00 to 23:59"},
		{opt("--depart-at", "8:00", "--speed", "0"), "--depart-at: must be a time of day as HH:MM, 00:00 to 23:59; --speed: must be from 1 to 200 km/h"},
	} {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			wantUsageError(t, f.exec(t, "", tc.args...), tc.want)
		})
	}
	r := f.exec(t, "", "visits", "help")
	if want := "salesmania visits optimize --date D [--team-id T] [--start LAT,LON] [--end LAT,LON] [--depart-at HH:MM] [--speed KMH] [--apply]"; r.err != nil || !strings.Contains(r.stdout, want) {
		t.Errorf("visits help: err %v; does not say %q:\n%s", r.err, want, r.stdout)
	}
}

// optimizeDay is a day of team Budi to optimise: shops 0, 3, 1 and 2
// hundredths of a degree north of the first on one meridian, appended in
// that order, with a shop without a location fourth; the first is checked
// in. Its ids are in appended order.
type optimizeDay struct {
	date  string
	ids   []int64 // v0, v3, v1, nowhere, v2
	names []string
}

const optLat0, optLon = -7.05, 110.41

func newOptimizeDay(t *testing.T, f *cliFixture) optimizeDay {
	t.Helper()
	ctx := context.Background()
	d := optimizeDay{date: "2026-03-02"}
	for _, north := range []int{0, 3, 1, -1, 2} {
		cu := salesmania.Customer{Name: "Toko Utara " + itoa(int64(north)), Status: true, Tags: []string{}}
		if north < 0 {
			cu.Name = "Warung Tanpa Peta"
		} else {
			cu.Location = &salesmania.Location{Lat: optLat0 + float64(north)/100, Lon: optLon}
		}
		must(t, f.store.CreateCustomer(ctx, f.dbID, &cu))
		v := jsonLines[salesmania.Visit](t, f.mustExec(t, "", "visits", "add", "--customer-id", itoa(cu.ID), "--date", d.date))
		d.ids = append(d.ids, v[0].ID)
		d.names = append(d.names, cu.Name)
	}
	f.mustExec(t, "", "visits", "check-in", itoa(d.ids[0]), "--lat", "-7.05", "--lon", "110.41", "--accuracy", "5")
	return d
}

// dayOrder returns the ids of the day's visits by seq, as visits list
// prints them.
func (f *cliFixture) dayOrder(t *testing.T, date string) []int64 {
	t.Helper()
	var ids []int64
	for _, v := range jsonLines[salesmania.Visit](t, f.mustExec(t, "", "visits", "list", "--date", date)) {
		ids = append(ids, v.ID)
	}
	return ids
}

// TestCLIVisitsOptimize optimises a day on the command line: the proposal
// as JSON, the day unchanged until --apply stores it, and the server's
// refusals as messages.
func TestCLIVisitsOptimize(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		f := newCLIFixture(t, kind)
		f.login(t)
		d := newOptimizeDay(t, f)
		v0, v3, v1, nowhere, v2 := d.ids[0], d.ids[1], d.ids[2], d.ids[3], d.ids[4]
		optimize := func(t *testing.T, args ...string) salesmania.OptimizeResult {
			t.Helper()
			res := jsonLines[salesmania.OptimizeResult](t, f.mustExec(t, "", append([]string{"visits", "optimize", "--date", d.date}, args...)...))
			if len(res) != 1 {
				t.Fatalf("printed %d results; want 1", len(res))
			}
			return res[0]
		}
		want := []int64{v0, v1, v2, nowhere, v3}

		// From a start a hundredth south of the first shop to an end a
		// hundredth north of the last: 1112 m legs at 36 km/h, 111.2 s.
		// Before: 1, 3, 2, 1, 2 hundredths; after: 1 at a time.
		res := optimize(t, "--start", "-7.06,110.41", "--end", "-7.01,110.41", "--depart-at", "07:30", "--speed", "36")
		hundredth := metresNorth(0.01)
		if !slices.Equal(res.VisitIDs, want) || res.Applied || res.TeamID != f.teams[0] ||
			res.DistanceMBefore != metresNorth(0.09) || res.DistanceMAfter != metresNorth(0.05) {
			t.Fatalf("proposal %+v; want order %v, %d m → %d m", res, want, metresNorth(0.09), metresNorth(0.05))
		}
		first, last := res.Stops[0], res.Stops[4]
		if first.LegM == nil || *first.LegM != hundredth || *first.Arrive != "07:32" || *first.Depart != "07:47" ||
			last.VisitID != v3 || *last.LegM != hundredth || *last.Arrive != "08:37" || *last.Depart != "08:52" {
			t.Fatalf("stops %s; want 07:31:51 at the first, 08:37:25 at the last", mustJSON(res.Stops))
		}
		if got := f.dayOrder(t, d.date); !slices.Equal(got, d.ids) {
			t.Fatalf("a proposal changed the day: %v; want %v", got, d.ids)
		}

		// A member cannot optimise another team's day; nothing changes.
		f.mustExec(t, cliPassword+"\n", "login", "--url", f.URL, "--email", cliMemberEmail, "--password-stdin", "--profile", "sari")
		r := f.exec(t, "", "visits", "optimize", "--profile", "sari", "--date", d.date, "--team-id", itoa(f.teams[0]), "--apply")
		if r.err == nil || exitCode(r.err) != 1 || r.stdout != "" || !strings.Contains(r.err.Error(), "another team") {
			t.Fatalf("a member optimising team Budi's day: err %v, stdout %q; want refused", r.err, r.stdout)
		}
		if got := f.dayOrder(t, d.date); !slices.Equal(got, d.ids) {
			t.Fatalf("a refused optimisation changed the day: %v; want %v", got, d.ids)
		}

		res = optimize(t, "--apply", "--team-id", itoa(f.teams[0]))
		if !res.Applied || !slices.Equal(res.VisitIDs, want) {
			t.Fatalf("--apply = %+v; want applied, order %v", res, want)
		}
		if got := f.dayOrder(t, d.date); !slices.Equal(got, want) {
			t.Fatalf("the day after --apply is %v; want %v", got, want)
		}
	})
}
