package main

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// The visit day on the command line (§10, §10.1): check-in, check-out,
// skip, move, rm, reorder and the settings, run as a person would against a
// real server.

// TestCLIVisitDayBadFlags checks that a visit-day command line the user
// must fix is refused with exit code 2 and a message naming the flag,
// before anything is sent: there is no server and no login, so a command
// that got as far as connecting would fail otherwise.
func TestCLIVisitDayBadFlags(t *testing.T) {
	t.Parallel()
	f := &cliFixture{env: map[string]string{"XDG_CONFIG_HOME": t.TempDir()}}
	long := strings.Repeat("x", 101)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"visits", "show"}, "visits show: missing ID"},
		{[]string{"visits", "show", "abc"}, `the visit ID must be a positive id, not "abc"`},
		{[]string{"visits", "show", "5", "6"}, `unexpected argument "6"`},
		{[]string{"visits", "check-in", "5"}, "missing required flag --accuracy, --lat, --lon"},
		{[]string{"visits", "check-in", "5", "--lon", "110.47", "--accuracy", "10"}, "missing required flag --lat"},
		{[]string{"visits", "check-in", "--lat", "-7.11", "--lon", "110.47", "--accuracy", "10"}, "visits check-in: missing ID"},
		{[]string{"visits", "check-in", "5", "--lat", "abc", "--lon", "110.47", "--accuracy", "10"}, `invalid value "abc" for flag -lat: must be a number`},
		{[]string{"visits", "check-in", "5", "--lat", "NaN", "--lon", "110.47", "--accuracy", "10"}, `invalid value "NaN" for flag -lat: must be a number`},
		{[]string{"visits", "check-in", "5", "--lat", "-7.11", "--lon", "110.47", "--accuracy", "ten"}, `invalid value "ten" for flag -accuracy: must be a number`},
		{[]string{"visits", "check-in", "5", "--lat", "91", "--lon", "181", "--accuracy", "-1"},
			"--lat: must be between -90 and 90; --lon: must be between -180 and 180; --accuracy: must be a number of metres from 0 to 100000"},
		{[]string{"visits", "check-in", "5", "--lat", "-7.11", "--lon", "110.47", "--accuracy", "200000"}, "--accuracy: must be a number of metres from 0 to 100000"},
		{[]string{"visits", "check-in", "5", "--lat", "-7.11", "--lon", "110.47", "--accuracy", "10", "--device-time", "yesterday"},
			"--device-time: must be an RFC 3339 time with its offset"},
		{[]string{"visits", "check-in", "5", "--lat", "-7.11", "--lon", "110.47", "--accuracy", "10", "--outcome", "Order"}, "flag provided but not defined: -outcome"},
		{[]string{"visits", "check-out", "5", "--lat", "-7.11"}, "--lat, --lon and --accuracy go together: give all three or none (missing required flag --accuracy, --lon)"},
		{[]string{"visits", "check-out", "5", "--outcome", long}, "--outcome: must be at most 100 characters"},
		{[]string{"visits", "check-out", "x"}, `the visit ID must be a positive id, not "x"`},
		{[]string{"visits", "skip"}, "visits skip: missing ID"},
		{[]string{"visits", "unskip", "0"}, `the visit ID must be a positive id, not "0"`},
		{[]string{"visits", "move", "5"}, "missing required flag --date"},
		{[]string{"visits", "move", "5", "--date", "2026-02-30"}, `--date must be a date as YYYY-MM-DD, not "2026-02-30"`},
		{[]string{"visits", "rm"}, "visits rm: missing ID"},
		{[]string{"visits", "rm", "1.5"}, `the visit ID must be a positive id, not "1.5"`},
		{[]string{"visits", "reorder", "--date", "2026-03-02"}, "visits reorder: missing ID…: give every visit id of the day, in the new order"},
		{[]string{"visits", "reorder", "3", "1", "2"}, "missing required flag --date"},
		{[]string{"visits", "reorder", "--date", "2026-03-02", "3", "x", "2"}, `a visit ID must be a positive id, not "x"`},
		{[]string{"visits", "reorder", "--date", "2026-03-02", "--team-id", "-1", "3"}, "--team-id must be a positive id"},
		{[]string{"visits", "reorder", "--date", "3/2/2026", "3"}, `--date must be a date as YYYY-MM-DD, not "3/2/2026"`},
		{[]string{"settings"}, "settings needs a verb: set, show"},
		{[]string{"settings", "show", "extra"}, `unexpected argument "extra"`},
		{[]string{"settings", "set"}, "give --geofence-radius or --timezone, or both"},
		{[]string{"settings", "set", "--geofence-radius", "ten"}, `invalid value "ten" for flag -geofence-radius: must be a number`},
	} {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			wantUsageError(t, f.exec(t, "", tc.args...), tc.want)
		})
	}
	t.Run("OKHelp", func(t *testing.T) {
		r := f.exec(t, "", "visits", "help")
		for _, want := range []string{"salesmania visits check-in ID --lat L --lon L --accuracy M", "salesmania visits reorder --date D [--team-id T] ID…",
			"salesmania visits show ID\n", "salesmania visits skip ID [--outcome O]", "salesmania visits unskip ID\n", "salesmania visits move ID --date D", "salesmania visits rm ID\n"} {
			if r.err != nil || !strings.Contains(r.stdout, want) {
				t.Errorf("visits help: err %v; does not say %q:\n%s", r.err, want, r.stdout)
			}
		}
		r = f.exec(t, "", "help")
		for _, want := range []string{"salesmania admin db set ", "salesmania settings  show | set", "reorder --date D"} {
			if r.err != nil || !strings.Contains(r.stdout, want) {
				t.Errorf("help does not say %q:\n%s", want, r.stdout)
			}
		}
	})
}

// metresNorth is the rounded distance of a point dLat degrees north of
// another: the haversine distance is the arc R·Δφ along a meridian.
func metresNorth(dLat float64) int64 { return int64(math.Round(6371008.8 * dLat * math.Pi / 180)) }

// TestCLIVisitDay runs a salesman's day on the command line: check in and
// out, skip and unskip, move, remove and reorder, and the settings, with
// the server's refusals shown as messages.
func TestCLIVisitDay(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		f := newCLIFixture(t, kind)
		f.login(t)
		f.mustExec(t, cliPassword+"\n", "login", "--url", f.URL, "--email", cliMemberEmail, "--password-stdin", "--profile", "sari")
		ctx := context.Background()
		const lat, lon = -7.110383, 110.473812
		shop := salesmania.Customer{Name: "Toko Sumber Rejeki", City: "Semarang", Location: &salesmania.Location{Lat: lat, Lon: lon}, Status: true, Tags: []string{}}
		must(t, f.store.CreateCustomer(ctx, f.dbID, &shop))
		const day, nextDay = "2026-03-02", "2026-03-03"
		var ids []int64
		for range 5 {
			v := jsonLines[salesmania.Visit](t, f.mustExec(t, "", "visits", "add", "--customer-id", itoa(shop.ID), "--date", day))
			ids = append(ids, v[0].ID)
		}
		v1, v2, v3, v4, v5 := ids[0], ids[1], ids[2], ids[3], ids[4]
		visit := func(t *testing.T, args ...string) salesmania.Visit {
			t.Helper()
			vs := jsonLines[salesmania.Visit](t, f.mustExec(t, "", args...))
			if len(vs) != 1 {
				t.Fatalf("salesmania %s printed %d visits; want 1", strings.Join(args, " "), len(vs))
			}
			return vs[0]
		}
		stored := func(t *testing.T, id int64) string {
			t.Helper()
			v, err := f.store.FindVisit(ctx, f.dbID, salesmania.AllTeams(), id)
			must(t, err)
			b, _ := json.Marshal(v)
			return string(b)
		}
		// wantRefused fails unless the command exits 1 with a message
		// saying each of want, prints nothing, and leaves visit id alone.
		wantRefused := func(t *testing.T, id int64, want []string, args ...string) {
			t.Helper()
			before := stored(t, id)
			r := f.exec(t, "", args...)
			if r.err == nil || exitCode(r.err) != 1 || r.stdout != "" {
				t.Fatalf("salesmania %s: err %v (exit %d), stdout %q; want exit 1 and nothing printed", strings.Join(args, " "), r.err, exitCode(r.err), r.stdout)
			}
			for _, w := range want {
				if !strings.Contains(r.err.Error(), w) {
					t.Errorf("error %q does not say %q", r.err, w)
				}
			}
			if after := stored(t, id); after != before {
				t.Errorf("visit %d changed:\n%s\nwas\n%s", id, after, before)
			}
		}

		if got := visit(t, "visits", "show", itoa(v1)); got.ID != v1 || got.Status != "planned" || got.Seq != 1 || got.CheckIn != nil || stored(t, v1) != mustJSON(got) {
			t.Fatalf("visits show = %+v; want the stored visit %s", got, stored(t, v1))
		}

		got := visit(t, "visits", "check-in", itoa(v1), "--lat", "-7.110283", "--lon", "110.473812", "--accuracy", "12", "--device-time", "2026-03-02T09:14:05+07:00")
		if c := got.CheckIn; got.Status != "checked_in" || c == nil || *c.Lat != -7.110283 || *c.AccuracyM != 12 || *c.DeviceTime != "2026-03-02T09:14:05+07:00" ||
			*c.DistanceM != metresNorth(0.0001) || *c.Verification != "verified" || c.Mocked {
			t.Fatalf("check-in = %+v, %+v; want verified at %d m", got, got.CheckIn, metresNorth(0.0001))
		}
		wantRefused(t, v1, []string{"A checked_in visit cannot check in. Only a planned visit checks in (status: is checked_in)"},
			"visits", "check-in", itoa(v1), "--lat", "-7.11", "--lon", "110.47", "--accuracy", "5")
		got = visit(t, "visits", "check-out", itoa(v1), "--outcome", "Order", "--notes", "Pesan 2 dus")
		if got.Status != "done" || got.Outcome != "Order" || got.Notes != "Pesan 2 dus" || got.CheckOut == nil || got.CheckOut.Lat != nil || got.CheckOut.Verification != nil {
			t.Fatalf("check-out = %+v, %+v; want done without a position", got, got.CheckOut)
		}

		got = visit(t, "visits", "check-in", itoa(v2), "--lat", "-7.097783", "--lon", "110.473812", "--accuracy", "8", "--mocked")
		if c := got.CheckIn; *c.DistanceM != metresNorth(0.0126) || *c.DistanceM != 1401 || *c.Verification != "unverified" || !c.Mocked {
			t.Fatalf("far check-in = %+v; want unverified at 1401 m, mocked", c)
		}
		wantRefused(t, v3, []string{"A planned visit cannot check out", "status: is planned"}, "visits", "check-out", itoa(v3))
		got = visit(t, "visits", "check-out", itoa(v2), "--lat", "-7.110383", "--lon", "110.473812", "--accuracy", "3")
		if c := got.CheckOut; got.Status != "done" || *c.DistanceM != 0 || *c.Verification != "verified" {
			t.Fatalf("check-out with a position = %+v", c)
		}

		got = visit(t, "visits", "skip", itoa(v3), "--outcome", "Tutup")
		if got.Status != "skipped" || got.Outcome != "Tutup" || got.Seq != 3 {
			t.Fatalf("skip = %+v", got)
		}
		if got = visit(t, "visits", "unskip", itoa(v3)); got.Status != "planned" || got.Outcome != "Tutup" {
			t.Fatalf("unskip = %+v", got)
		}
		wantRefused(t, v1, []string{"A visit cannot move from done to skipped"}, "visits", "skip", itoa(v1))
		wantRefused(t, v1, []string{"A done visit keeps its date", "date: cannot change while the visit is done"}, "visits", "move", itoa(v1), "--date", nextDay)
		if got = visit(t, "visits", "move", itoa(v3), "--date", nextDay); got.Date != nextDay || got.Seq != 1 {
			t.Fatalf("move = %+v; want seq 1 of %s", got, nextDay)
		}

		wantRefused(t, v1, []string{"A done visit is a record of what happened and cannot be deleted", "status: is done"}, "visits", "rm", itoa(v1))
		if out := f.mustExec(t, "", "visits", "rm", itoa(v4)); out != `{"id":`+itoa(v4)+`,"deleted":true}`+"\n" {
			t.Fatalf("visits rm printed %q", out)
		}
		if _, err := f.store.FindVisit(ctx, f.dbID, salesmania.AllTeams(), v4); salesmania.ErrorCode(err) != salesmania.ENOTFOUND {
			t.Fatalf("visit %d after rm: %v; want not found", v4, err)
		}
		wantRefused(t, v1, []string{"not found"}, "visits", "rm", itoa(v4))

		// The day is now v1 v2 v5; reorder it.
		day1 := jsonLines[salesmania.Visit](t, f.mustExec(t, "", "visits", "reorder", "--date", day, itoa(v5), itoa(v1), itoa(v2)))
		var order, seqs []int64
		for _, v := range day1 {
			order, seqs = append(order, v.ID), append(seqs, v.Seq)
		}
		if !slices.Equal(order, []int64{v5, v1, v2}) || !slices.Equal(seqs, []int64{1, 2, 3}) {
			t.Fatalf("reorder printed ids %v seqs %v; want v5 v1 v2 at 1 2 3", order, seqs)
		}
		listed := jsonLines[salesmania.Visit](t, f.mustExec(t, "", "visits", "list", "--date", day))
		if len(listed) != 3 || listed[0].ID != v5 || listed[1].ID != v1 || listed[2].ID != v2 {
			t.Fatalf("visits list after reorder = %+v", listed)
		}
		wantRefused(t, v5, []string{"visit_ids must be exactly the ids of the day's visits", "visit_ids: must list every visit of the day; missing: " + itoa(v2)},
			"visits", "reorder", "--date", day, itoa(v5), itoa(v1))
		wantRefused(t, v5, []string{"visit_ids", "lists visit " + itoa(v1) + " twice"}, "visits", "reorder", "--date", day, itoa(v5), itoa(v1), itoa(v2), itoa(v1))

		// Team Sari's member sees none of team Budi's visits.
		wantRefused(t, v5, []string{"not found"}, "visits", "show", itoa(v5), "--profile", "sari")
		wantRefused(t, v5, []string{"not found"}, "visits", "check-in", itoa(v5), "--profile", "sari", "--lat", "-7.11", "--lon", "110.47", "--accuracy", "5")
		wantRefused(t, v5, []string{"A member may only act for its own team"}, "visits", "reorder", "--profile", "sari", "--date", day, "--team-id", itoa(f.teams[0]), itoa(v5), itoa(v1), itoa(v2))

		// Bad flags with a server there: nothing is sent.
		before := stored(t, v5)
		wantUsageError(t, f.exec(t, "", "visits", "check-in", itoa(v5), "--lat", "91", "--lon", "110.47", "--accuracy", "5"), "--lat: must be between -90 and 90")
		if stored(t, v5) != before {
			t.Fatalf("a refused check-in changed visit %d", v5)
		}

		// Settings: anyone reads them, only an admin changes them.
		for _, args := range [][]string{{"settings", "show"}, {"settings", "show", "--profile", "sari"}} {
			if out := f.mustExec(t, "", args...); out != `{"geofence_radius_m":200,"timezone":"Asia/Jakarta"}`+"\n" {
				t.Fatalf("salesmania %s printed %q", strings.Join(args, " "), out)
			}
		}
		settings := func(t *testing.T) salesmania.Settings {
			t.Helper()
			s, err := f.store.FindSettings(ctx, f.dbID)
			must(t, err)
			return *s
		}
		wantSettingsRefused := func(t *testing.T, want string, args ...string) {
			t.Helper()
			before := settings(t)
			r := f.exec(t, "", args...)
			if r.err == nil || exitCode(r.err) != 1 || r.stdout != "" || !strings.Contains(r.err.Error(), want) {
				t.Fatalf("salesmania %s: err %v, stdout %q; want exit 1 saying %q", strings.Join(args, " "), r.err, r.stdout, want)
			}
			if after := settings(t); after != before {
				t.Fatalf("settings changed to %+v", after)
			}
		}
		wantSettingsRefused(t, "admin", "settings", "set", "--geofence-radius", "500", "--profile", "sari")
		wantSettingsRefused(t, "timezone: must be an IANA time zone name", "settings", "set", "--timezone", "Mars/Olympus")
		wantSettingsRefused(t, "geofence_radius_m: must be a whole number of metres from 10 to 5000", "settings", "set", "--geofence-radius", "5")
		if out := f.mustExec(t, "", "settings", "set", "--geofence-radius", "10", "--timezone", "Asia/Makassar"); out != `{"geofence_radius_m":10,"timezone":"Asia/Makassar"}`+"\n" {
			t.Fatalf("settings set printed %q", out)
		}
		if s := settings(t); s != (salesmania.Settings{GeofenceRadiusM: 10, Timezone: "Asia/Makassar"}) {
			t.Fatalf("stored settings = %+v", s)
		}
		// 11 m is too far now.
		got = visit(t, "visits", "check-in", itoa(v5), "--lat", "-7.110283", "--lon", "110.473812", "--accuracy", "5")
		if c := got.CheckIn; *c.DistanceM != metresNorth(0.0001) || *c.Verification != "unverified" {
			t.Fatalf("check-in with radius 10 = %+v; want unverified", c)
		}
	})
}

// TestVisitRecord checks what "visits show" prints on a terminal: the
// check-in and check-out in words.
func TestVisitRecord(t *testing.T) {
	at := time.Date(2026, 3, 2, 2, 14, 9, 0, time.UTC)
	str := func(s string) *string { return &s }
	num := func(f float64) *float64 { return &f }
	metres := func(m int64) *int64 { return &m }
	for _, tt := range []struct {
		name  string
		check *salesmania.VisitCheck
		want  string
	}{
		{"None", nil, ""},
		{"Verified", &salesmania.VisitCheck{At: at, Lat: num(-7.11), Lon: num(110.47), AccuracyM: num(12), DistanceM: metres(4), Verification: str("verified"),
			DeviceTime: str("2026-03-02T09:14:05+07:00")},
			"verified: 4 m from the customer, ±12 m, at " + formatTime(at) + ", device time 2026-03-02T09:14:05+07:00"},
		{"UnverifiedFar", &salesmania.VisitCheck{At: at, Lat: num(-7.1), Lon: num(110.47), AccuracyM: num(8.5), DistanceM: metres(1401), Verification: str("unverified")},
			"unverified: 1 401 m from the customer, ±8.5 m, at " + formatTime(at)},
		{"UnverifiedMocked", &salesmania.VisitCheck{At: at, Lat: num(-7.11), Lon: num(110.47), AccuracyM: num(3), Mocked: true, DistanceM: metres(11), Verification: str("unverified")},
			"unverified: 11 m from the customer, ±3 m, mocked position, at " + formatTime(at)},
		{"VeryFar", &salesmania.VisitCheck{At: at, Lat: num(0), Lon: num(0), AccuracyM: num(0), DistanceM: metres(12345678), Verification: str("unverified")},
			"unverified: 12 345 678 m from the customer, ±0 m, at " + formatTime(at)},
		{"Unverifiable", &salesmania.VisitCheck{At: at, Lat: num(-7.11), Lon: num(110.47), AccuracyM: num(5), Verification: str("unverifiable")},
			"unverifiable: the customer has no location, ±5 m, at " + formatTime(at)},
		{"NoPosition", &salesmania.VisitCheck{At: at}, "no position, at " + formatTime(at)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkText(tt.check); got != tt.want {
				t.Errorf("checkText = %q; want %q", got, tt.want)
			}
		})
	}
	v := salesmania.Visit{ID: 55, Date: "2026-03-02", CustomerID: 101, TeamID: 7, Seq: 3, Status: "done", Notes: "Pesan\n2 dus", Outcome: "Order", DurationMin: 15,
		CheckIn:  &salesmania.VisitCheck{At: at, Lat: num(-7.11), Lon: num(110.47), AccuracyM: num(12), DistanceM: metres(1400), Verification: str("unverified")},
		Customer: salesmania.VisitCustomer{ID: 101, Name: "Toko Sumber Rejeki", City: "Semarang"}, CreatedAt: at, UpdatedAt: at}
	want := [][2]string{{"id", "55"}, {"date", "2026-03-02"}, {"team_id", "7"}, {"seq", "3"}, {"customer", "101 Toko Sumber Rejeki"}, {"city", "Semarang"},
		{"status", "done"}, {"duration", "15 min"}, {"outcome", "Order"}, {"notes", "Pesan 2 dus"},
		{"check_in", "unverified: 1 400 m from the customer, ±12 m, at " + formatTime(at)}, {"check_out", ""},
		{"created_at", formatTime(at)}, {"updated_at", formatTime(at)}}
	if got := visitRecord(&v); !slices.Equal(got, want) {
		t.Errorf("visitRecord =\n%q\nwant\n%q", got, want)
	}
}
