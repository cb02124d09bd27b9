//go:build linux

package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
)

// execTerminal runs "salesmania args…" as exec does, with its standard
// output a terminal (a pseudo-terminal the test reads), where the client
// commands print tables. It returns what the terminal showed.
func (f *cliFixture) execTerminal(t *testing.T, args ...string) (string, error) {
	t.Helper()
	master, slave := openPTY(t)
	var shown bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			shown.Write(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	err := run(ctx, append([]string{"salesmania"}, args...), envFrom(f.env), strings.NewReader(""), slave, &stderr)
	// What the program wrote is in the terminal's buffer now; give the
	// reader a moment to take it all.
	if derr := master.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); derr != nil {
		t.Skipf("cannot read the terminal with a deadline: %v", derr)
	}
	<-done
	return strings.ReplaceAll(shown.String(), "\r\n", "\n"), err
}

// tableText is the table rows make, as the commands print it.
func tableText(t *testing.T, rows ...[]string) string {
	t.Helper()
	var b bytes.Buffer
	tb := newTable(&b, rows[0]...)
	for _, r := range rows[1:] {
		tb.row(r...)
	}
	must(t, tb.flush())
	return b.String()
}

// TestCLIVisitsOptimizeTable checks the route an optimisation shows on a
// terminal: the start, each stop with its customer, leg and times and why
// a visit kept its place, the end, and the distance saved.
func TestCLIVisitsOptimizeTable(t *testing.T) {
	t.Parallel()
	f := newCLIFixture(t, "sqlite")
	f.login(t)
	d := newOptimizeDay(t, f)
	v0, v3, v1, nowhere, v2 := d.ids[0], d.ids[1], d.ids[2], d.ids[3], d.ids[4]
	shown, err := f.execTerminal(t, "visits", "optimize", "--date", d.date, "--start", "-7.06,110.41", "--end", "-7.01,110.41",
		"--depart-at", "07:30", "--speed", "36")
	if err != nil {
		t.Fatalf("visits optimize: %v\n%s", err, shown)
	}
	want := tableText(t,
		[]string{"SEQ", "VISIT_ID", "CUSTOMER", "LEG_KM", "ARRIVE", "DEPART", "KEPT"},
		[]string{"", "", "(start)", "", "", "07:30", ""},
		[]string{"1", itoa(v0), "Toko Utara 0", "1.1", "07:32", "07:47", "checked_in"},
		[]string{"2", itoa(v1), "Toko Utara 1", "1.1", "07:49", "08:04", ""},
		[]string{"3", itoa(v2), "Toko Utara 2", "1.1", "08:06", "08:21", ""},
		[]string{"4", itoa(nowhere), "Warung Tanpa Peta", "", "08:21", "08:36", "no location"},
		[]string{"5", itoa(v3), "Toko Utara 3", "1.1", "08:37", "08:52", ""},
		[]string{"", "", "(end)", "1.1", "", "", ""},
	) + "\ndistance: 10.0 km before, 5.6 km after: 4.4 km (44.4 %) shorter\n" +
		"not applied: run it again with --apply to store this order\n"
	if shown != want {
		t.Fatalf("the terminal shows\n%s\nwant\n%s", shown, want)
	}
	if got := f.dayOrder(t, d.date); !slices.Equal(got, d.ids) {
		t.Fatalf("a proposal changed the day: %v", got)
	}
	shown, err = f.execTerminal(t, "visits", "optimize", "--date", d.date, "--apply")
	if err != nil || !strings.HasSuffix(shown, "applied: the visits of 2026-03-02 are in this order now\n") {
		t.Fatalf("visits optimize --apply: %v\n%s", err, shown)
	}
	if got, want := f.dayOrder(t, d.date), []int64{v0, v1, v2, nowhere, v3}; !slices.Equal(got, want) {
		t.Fatalf("the day after --apply is %v; want %v", got, want)
	}
}

// TestCLIPlansTable checks what the plans commands show on a terminal: the
// plans with their weekdays by name, and the visits materialised per day.
func TestCLIPlansTable(t *testing.T) {
	t.Parallel()
	f := newCLIFixture(t, "sqlite")
	f.login(t)
	cu := salesmania.Customer{Name: "Toko Rejeki", Status: true, Tags: []string{}}
	must(t, f.store.CreateCustomer(context.Background(), f.dbID, &cu))
	p := jsonLines[salesmania.VisitPlan](t, f.mustExec(t, "", "plans", "add", "--customer-id", itoa(cu.ID), "--weekdays", "4,senin",
		"--every-weeks", "2", "--start-date", "2026-03-02", "--end-date", "2026-03-31"))[0]
	shown, err := f.execTerminal(t, "plans", "list")
	want := tableText(t, []string{"ID", "TEAM_ID", "CUSTOMER_ID", "WEEKDAYS", "EVERY", "START", "END", "DURATION", "ACTIVE"},
		[]string{itoa(p.ID), itoa(f.teams[0]), itoa(cu.ID), "Mon, Thu", "2 weeks", "2026-03-02", "2026-03-31", "15 min", "active"})
	if err != nil || shown != want {
		t.Fatalf("plans list: %v; the terminal shows\n%s\nwant\n%s", err, shown, want)
	}
	shown, err = f.execTerminal(t, "plans", "materialize", "--from", "2026-03-01", "--to", "2026-03-31", "--optimize")
	want = tableText(t, []string{"DATE", "TEAM_ID", "CREATED"},
		[]string{"2026-03-02", itoa(f.teams[0]), "1"}, []string{"2026-03-05", itoa(f.teams[0]), "1"},
		[]string{"2026-03-16", itoa(f.teams[0]), "1"}, []string{"2026-03-19", itoa(f.teams[0]), "1"},
		[]string{"2026-03-30", itoa(f.teams[0]), "1"}) + "5 visits created on 5 days, each day's route optimised\n"
	if err != nil || shown != want {
		t.Fatalf("plans materialize: %v; the terminal shows\n%s\nwant\n%s", err, shown, want)
	}
	shown, err = f.execTerminal(t, "plans", "materialize", "--from", "2026-03-01", "--to", "2026-03-31")
	if want := "no new visits: every occurrence from 2026-03-01 to 2026-03-31 was made before\n"; err != nil || shown != want {
		t.Fatalf("plans materialize again: %v; the terminal shows %q; want %q", err, shown, want)
	}
}
