package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// The tests of "salesmania sync" keep a copy of a real server's database
// while it is changed through the API, and compare the copy's files with
// the database as the API reads it, row for row.

func TestSyncBadFlags(t *testing.T) {
	t.Parallel()
	f := &cliFixture{env: map[string]string{"XDG_CONFIG_HOME": t.TempDir()}}
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sync"}, "missing required flag --out"},
		{[]string{"sync", "--out", dir, "--interval", "0s"}, "--interval must be a positive duration, e.g. 30s"},
		{[]string{"sync", "--out", dir, "--interval", "often"}, `invalid value "often" for flag -interval`},
		{[]string{"sync", "--out", dir, "--batch", "0"}, "--batch must be from 1 to 1000000"},
		{[]string{"sync", "--out", dir, "extra"}, `unexpected argument "extra"`},
		{[]string{"sync", "--out", dir, "--json"}, "flag provided but not defined: -json"},
	} {
		t.Run(strings.ReplaceAll(strings.Join(tc.args, "_"), dir, "DIR"), func(t *testing.T) {
			wantUsageError(t, f.exec(t, "", tc.args...), tc.want)
		})
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("refused command lines wrote to the directory: %v %v", entries, err)
	}
	r := f.exec(t, "", "sync", "-h")
	if r.err != nil || !strings.Contains(r.stderr, "Usage: salesmania sync --out DIR [--interval 30s] [--once]") {
		t.Errorf("sync -h: %v\n%s", r.err, r.stderr)
	}
	r = f.exec(t, "", "help")
	if !strings.Contains(r.stdout, "salesmania sync      --out DIR [--interval 30s] [--once]") {
		t.Errorf("help does not show sync:\n%s", r.stdout)
	}
}

// syncWorld is a database of PT Maju Jaya changed through the API, and a
// copy of it in dir.
type syncWorld struct {
	f   *cliFixture
	api *client.Client
	dir string
	rng *rand.Rand

	product   *salesmania.Product
	free      []int64 // customers without visits, plans or orders
	used      []int64 // customers with some
	visits    []int64 // planned visits
	plans     []int64
	orders    []int64
	customerN int
}

func newSyncWorld(t *testing.T, kind string) *syncWorld {
	t.Helper()
	f := newCLIFixture(t, kind)
	f.login(t)
	api, err := client.New(f.URL, client.WithCredentials(cliAdminEmail, cliPassword), client.WithDatabase(f.dbID))
	must(t, err)
	w := &syncWorld{f: f, api: api, dir: filepath.Join(t.TempDir(), "copy"), rng: rand.New(rand.NewPCG(7, 15))}
	dec := salesmania.MustDecimal
	w.product, err = api.Products.Create(context.Background(), &salesmania.ProductFields{Name: new("Indomie Goreng"), QtyOnHand: new(dec("500")),
		ProductUnits: &[]salesmania.ProductUnitInput{{Name: new("PCS"), Price: new(dec("3500")), Ratio: new(dec("1"))}}})
	must(t, err)
	return w
}

// day returns a random day of the first half of March 2026, the days the
// copy's visits are checked on.
func (w *syncWorld) day() string { return fmt.Sprintf("2026-03-%02d", 1+w.rng.IntN(14)) }

func (w *syncWorld) pick(ids []int64) int64 { return ids[w.rng.IntN(len(ids))] }

// change makes a round of changes of every kind through the API: rows
// created, changed and deleted.
func (w *syncWorld) change(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	dec := salesmania.MustDecimal
	for range 8 {
		w.customerN++
		in := &salesmania.CustomerFields{Name: new(fmt.Sprintf("Toko %d", w.customerN)), Tags: &[]string{"grosir"}}
		if w.customerN%3 != 0 {
			in.Location = &salesmania.LocationInput{Lat: new(-7 - w.rng.Float64()/10), Lon: new(110.4 + w.rng.Float64()/10)}
		}
		cu, err := w.api.Customers.Create(ctx, in)
		must(t, err)
		w.free = append(w.free, cu.ID)
	}
	// Customers that get visits, a plan and an order are used from then on.
	use := func() int64 {
		i := w.rng.IntN(len(w.free))
		id := w.free[i]
		w.free = slices.Delete(w.free, i, i+1)
		w.used = append(w.used, id)
		return id
	}
	for range 3 {
		var cid int64
		if len(w.used) > 0 && w.rng.IntN(2) == 0 {
			cid = w.pick(w.used)
		} else {
			cid = use()
		}
		v, err := w.api.Visits.Append(ctx, &salesmania.VisitCreate{Date: new(w.day()), CustomerID: &cid})
		must(t, err)
		w.visits = append(w.visits, v.ID)
	}
	// A customer's name is also its visits' summary: they change too.
	_, err := w.api.Customers.Update(ctx, w.pick(w.used), &salesmania.CustomerFields{Name: new(fmt.Sprintf("Toko Baru %d", w.rng.IntN(1000))), City: new("Semarang")})
	must(t, err)
	_, err = w.api.Customers.Update(ctx, w.pick(w.free), &salesmania.CustomerFields{Nulls: map[string]bool{"location": true}})
	must(t, err)
	i := w.rng.IntN(len(w.free))
	must(t, w.api.Customers.Delete(ctx, w.free[i]))
	w.free = slices.Delete(w.free, i, i+1)

	_, err = w.api.Visits.Update(ctx, w.pick(w.visits), &salesmania.VisitFields{Notes: new(fmt.Sprintf("catatan %d", w.rng.IntN(1000)))})
	must(t, err)
	i = w.rng.IntN(len(w.visits))
	must(t, w.api.Visits.Delete(ctx, w.visits[i]))
	w.visits = slices.Delete(w.visits, i, i+1)

	p, err := w.api.VisitPlans.Create(ctx, &salesmania.VisitPlanFields{CustomerID: new(use()), Weekdays: &[]float64{float64(1 + w.rng.IntN(7))},
		StartDate: new("2026-03-02")})
	must(t, err)
	w.plans = append(w.plans, p.ID)
	if len(w.plans) > 2 {
		_, err = w.api.VisitPlans.Update(ctx, w.plans[0], &salesmania.VisitPlanFields{Active: new(w.rng.IntN(2) == 0)})
		must(t, err)
		must(t, w.api.VisitPlans.Delete(ctx, w.plans[1]))
		w.plans = slices.Delete(w.plans, 1, 2)
	}
	_, err = w.api.VisitPlans.Materialize(ctx, &salesmania.MaterializeFields{DateFrom: new("2026-03-01"), DateTo: new("2026-03-14")})
	must(t, err)

	o, err := w.api.Orders.Create(ctx, &salesmania.OrderFields{Date: new(w.day()), CustomerID: new(use()),
		OrderedProducts: &[]salesmania.OrderLineInput{{ProductID: &w.product.ID, Qty: new(dec(fmt.Sprint(1 + w.rng.IntN(9)))), Unit: new("PCS"), Price: new(dec("3500"))}}})
	must(t, err)
	w.orders = append(w.orders, o.ID)
	_, err = w.api.Orders.Update(ctx, w.pick(w.orders), &salesmania.OrderFields{Description: new(fmt.Sprintf("kirim %d", w.rng.IntN(100)))})
	must(t, err)
	_, err = w.api.Products.Update(ctx, w.product.ID, &salesmania.ProductFields{QtyOnHand: new(dec(fmt.Sprint(w.rng.IntN(1000))))})
	must(t, err)
	_, err = w.api.Visits.Optimize(ctx, &salesmania.OptimizeFields{Date: new(w.day()), Apply: new(true)})
	must(t, err)
}

// sync runs "salesmania sync --out DIR --once" and fails the test unless
// it succeeds; it returns what it said on stderr.
func (w *syncWorld) sync(t *testing.T, args ...string) string {
	t.Helper()
	// On PostgreSQL the feed waits for every transaction of the cluster
	// older than the writes just done (other tests' too).
	must(t, w.f.store.WaitFeedCurrent(t.Context()))
	r := w.f.exec(t, "", append([]string{"sync", "--out", w.dir, "--once"}, args...)...)
	if r.err != nil {
		t.Fatalf("sync: %v\nstderr:\n%s", r.err, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("sync printed %q on stdout; want nothing", r.stdout)
	}
	return r.stderr
}

// wantCopy fails unless the copy's files are the database as the API reads
// it: every row of each kind, in id order, decoded alike.
func (w *syncWorld) wantCopy(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	wantFile(t, filepath.Join(w.dir, "customers.jsonl"), allRows(t, w.api.Customers.All(ctx, &client.CustomerListOptions{Limit: 1000})), func(c *salesmania.Customer) int64 { return c.ID })
	wantFile(t, filepath.Join(w.dir, "products.jsonl"), allRows(t, w.api.Products.All(ctx, nil)), func(p *salesmania.Product) int64 { return p.ID })
	wantFile(t, filepath.Join(w.dir, "visits.jsonl"), allRows(t, w.api.Visits.All(ctx, &client.VisitListOptions{DateFrom: "2026-03-01", DateTo: "2026-03-31", Limit: 1000})),
		func(v *salesmania.Visit) int64 { return v.ID })
	wantFile(t, filepath.Join(w.dir, "visit_plans.jsonl"), allRows(t, w.api.VisitPlans.All(ctx, nil)), func(p *salesmania.VisitPlan) int64 { return p.ID })
	wantFile(t, filepath.Join(w.dir, "orders.jsonl"), allRows(t, w.api.Orders.All(ctx, nil)), func(o *salesmania.Order) int64 { return o.ID })
	if left := syncTemps(t, w.dir); len(left) > 0 {
		t.Errorf("temporary files left in the copy: %v", left)
	}
}

func allRows[T any](t *testing.T, rows func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for r, err := range rows {
		must(t, err)
		out = append(out, r)
	}
	return out
}

// wantFile fails unless the JSON lines of path are rows, by id.
func wantFile[T any](t *testing.T, path string, rows []T, id func(*T) int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	var got []string
	for line := range strings.Lines(string(b)) {
		var v T
		if !strings.HasSuffix(line, "\n") || json.Unmarshal([]byte(line), &v) != nil {
			t.Fatalf("%s: not a JSON line: %q", path, line)
		}
		got = append(got, mustJSON(v))
	}
	slices.SortFunc(rows, func(a, b T) int { return cmp.Compare(id(&a), id(&b)) })
	want := make([]string, len(rows))
	for i := range rows {
		want[i] = mustJSON(rows[i])
	}
	if !slices.Equal(got, want) {
		for i := range max(len(got), len(want)) {
			g, w := "(none)", "(none)"
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Fatalf("%s has %d rows, the database %d; row %d is\n%s\nin the database\n%s", path, len(got), len(want), i+1, g, w)
			}
		}
	}
}

func syncTemps(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	must(t, err)
	var left []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), syncTempPrefix) {
			left = append(left, e.Name())
		}
	}
	return left
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	must(t, err)
	return string(b)
}

// TestSync keeps a copy of a database changed through the API between
// runs: every run ends with the files equal to the database; a position
// behind the files (a run killed between two renames) still ends equal; a
// damaged or foreign position, or a damaged file, is a clear error that
// leaves the files alone.
func TestSync(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		w := newSyncWorld(t, kind)
		posPath := filepath.Join(w.dir, positionFile)

		// An empty database: five empty files and a position.
		stderr := w.sync(t)
		if !strings.Contains(stderr, "from the beginning of the feed") || !strings.Contains(stderr, "is up to date; customers 0, products 1, visits 0, visit_plans 0, orders 0") {
			t.Errorf("stderr of the first run:\n%s", stderr)
		}
		w.wantCopy(t)

		w.change(t)
		w.change(t)
		stderr = w.sync(t)
		if !strings.Contains(stderr, "from its position; customers 0, products 1") || !strings.Contains(stderr, "changes applied; customers ") {
			t.Errorf("stderr of the second run:\n%s", stderr)
		}
		w.wantCopy(t)
		pos1 := readFile(t, posPath)

		w.change(t)
		w.sync(t, "--batch", "3")
		w.wantCopy(t)
		if readFile(t, posPath) == pos1 {
			t.Fatal("the position did not move")
		}

		t.Run("PositionBehindTheFiles", func(t *testing.T) {
			// The files have the changes after pos1 already.
			must(t, os.WriteFile(posPath, []byte(pos1), 0o600))
			w.change(t)
			w.sync(t)
			w.wantCopy(t)
		})

		t.Run("NothingNew", func(t *testing.T) {
			before := readFile(t, filepath.Join(w.dir, "customers.jsonl"))
			pos := readFile(t, posPath)
			stderr := w.sync(t)
			if strings.Contains(stderr, " applied; ") || readFile(t, posPath) != pos || readFile(t, filepath.Join(w.dir, "customers.jsonl")) != before {
				t.Fatalf("a run without changes changed the copy:\n%s", stderr)
			}
		})

		// bad runs sync with the copy damaged by damage, and wants exit 1
		// with a message saying each of want and the copy left as it was.
		bad := func(t *testing.T, damage func(), want ...string) {
			t.Helper()
			damage()
			files := map[string]string{}
			for _, k := range append(slices.Clone(mirrorFiles), struct{ kind, file string }{"", positionFile}) {
				if b, err := os.ReadFile(filepath.Join(w.dir, k.file)); err == nil {
					files[k.file] = string(b)
				}
			}
			r := w.f.exec(t, "", "sync", "--out", w.dir, "--once")
			if r.err == nil || exitCode(r.err) != 1 {
				t.Fatalf("sync: err %v (exit %d); want exit 1\nstderr:\n%s", r.err, exitCode(r.err), r.stderr)
			}
			for _, s := range want {
				if !strings.Contains(r.err.Error(), s) {
					t.Errorf("error %q does not say %q", r.err, s)
				}
			}
			for name, was := range files {
				if now, _ := os.ReadFile(filepath.Join(w.dir, name)); string(now) != was {
					t.Errorf("a failed run changed %s", name)
				}
			}
		}
		good := readFile(t, posPath)
		restore := func() { must(t, os.WriteFile(posPath, []byte(good), 0o600)) }
		t.Run("ErrPositionDamaged", func(t *testing.T) {
			defer restore()
			for _, content := range []string{"", "\n", "ZDFyMTI\n\n", "not a position!\n", good[:len(good)-1], "\x00\x00\x00\x00", strings.Repeat("A", 65) + "\n"} {
				bad(t, func() { must(t, os.WriteFile(posPath, []byte(content), 0o600)) },
					posPath+" is damaged: it must hold one position of the change feed on a line", "remove "+posPath+" to sync "+w.dir+" again from the beginning")
			}
		})
		t.Run("ErrPositionOfAnotherDatabase", func(t *testing.T) {
			defer restore()
			other := salesmania.FeedPosition{DBID: w.f.dbID + 1000, Rev: 3}.Encode()
			bad(t, func() { must(t, os.WriteFile(posPath, []byte(other+"\n"), 0o600)) },
				"the server refuses the position in "+posPath+" (after: is a position in another database's feed)", "Remove "+posPath+" to sync")
		})
		t.Run("ErrFileDamaged", func(t *testing.T) {
			path := filepath.Join(w.dir, "orders.jsonl")
			was := readFile(t, path)
			defer func() { must(t, os.WriteFile(path, []byte(was), 0o600)) }()
			bad(t, func() { must(t, os.WriteFile(path, []byte(was+"{\"id\":"), 0o600)) }, path+" line "+fmt.Sprint(strings.Count(was, "\n")+1)+" is not a row")
			bad(t, func() { must(t, os.Remove(path)) }, path+" is missing")
		})
		t.Run("ErrAnotherRunning", func(t *testing.T) {
			unlock, err := lockDir(filepath.Join(w.dir, syncLockFile))
			must(t, err)
			defer unlock()
			bad(t, func() {}, "another salesmania sync is running in this directory")
		})
		w.wantCopy(t)

		t.Run("OKPositionRemoved", func(t *testing.T) {
			// Without a position the copy starts again from nothing,
			// whatever the files held.
			must(t, os.Remove(posPath))
			must(t, os.WriteFile(filepath.Join(w.dir, "products.jsonl"), []byte(`{"id":999999,"name":"not in the database"}`+"\n"), 0o600))
			must(t, os.WriteFile(filepath.Join(w.dir, syncTempPrefix+"customers.jsonl-123"), []byte("half a file"), 0o600))
			w.change(t)
			if stderr := w.sync(t); !strings.Contains(stderr, "from the beginning of the feed") {
				t.Errorf("stderr:\n%s", stderr)
			}
			w.wantCopy(t)
		})
	})
}

// TestSyncKill9 kills "salesmania sync" processes with SIGKILL while they
// write the copy, with changes made between the runs; each killed run
// leaves whole files, and the next run ends with the copy equal to the
// database.
func TestSyncKill9(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		w := newSyncWorld(t, kind)
		ctx := context.Background()
		for i := range 600 {
			cu := salesmania.Customer{Name: fmt.Sprintf("Toko Grosir %d", i), City: "Semarang", Status: true, Tags: []string{"grosir"}}
			must(t, w.f.store.CreateCustomer(ctx, w.f.dbID, &cu))
		}
		w.change(t)
		for round, after := range []int{2, 5, 1} {
			stderr, killed := w.syncKilled(t, after)
			if !killed {
				t.Fatalf("round %d: the sync ended before it was killed:\n%s", round, stderr)
			}
			// What a killed run leaves is whole: the copy opens, or there
			// is no position yet.
			if _, err := openMirror(w.dir); err != nil {
				t.Fatalf("round %d: after the kill: %v", round, err)
			}
			w.change(t)
			for i := range 50 {
				_, err := w.api.Customers.Update(ctx, int64(1+i*7+round), &salesmania.CustomerFields{City: new(fmt.Sprintf("Kota %d", round))})
				if err != nil && !client.IsNotFound(err) {
					t.Fatal(err)
				}
			}
		}
		w.sync(t)
		w.wantCopy(t)
	})
}

// syncKilled starts "salesmania sync --once --batch 40" in a process of its
// own, and kills it with SIGKILL a moment after it reported its after-th
// batch. It reports whether the process was killed (rather than done).
func (w *syncWorld) syncKilled(t *testing.T, after int) (string, bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SALESMANIA_TEST_RUN_SERVER=1", "SALESMANIA_TEST_ARGS=sync --out "+w.dir+" --once --batch 40",
		"XDG_CONFIG_HOME="+w.f.config, "HOME="+w.f.env["HOME"], "SALESMANIA_PROFILE=", "SALESMANIA_URL=", "SALESMANIA_TOKEN=", "SALESMANIA_DB_ID=")
	pipe, err := cmd.StderrPipe()
	must(t, err)
	must(t, cmd.Start())
	var said strings.Builder
	batches := 0
	sc := bufio.NewScanner(pipe)
	for batches < after && sc.Scan() {
		said.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), " applied; ") {
			batches++
		}
	}
	// Somewhere in the next batch's work: fetching, or writing a file.
	time.Sleep(time.Duration(w.rng.IntN(15)) * time.Millisecond)
	cmd.Process.Kill()
	for sc.Scan() {
		said.WriteString(sc.Text() + "\n")
	}
	err = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	killed := err != nil && ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
	return said.String(), killed
}

// TestSyncPolling runs sync without --once: it takes the changes made
// while it runs, every interval, until it is stopped as Ctrl-C stops it.
func TestSyncPolling(t *testing.T) {
	t.Parallel()
	w := newSyncWorld(t, "sqlite")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"salesmania", "sync", "--out", w.dir, "--interval", "50ms"}, envFrom(w.f.env), strings.NewReader(""), io.Discard, &stderr)
	}()
	waitFor := func(t *testing.T, what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
			select {
			case err := <-done:
				t.Fatalf("sync ended (%v) before %s\nstderr:\n%s", err, what, stderr.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s within 20 s\nstderr:\n%s", what, stderr.String())
			}
		}
	}
	waitFor(t, "position", func() bool {
		_, err := os.Stat(filepath.Join(w.dir, positionFile))
		return err == nil
	})
	cu, err := w.api.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Toko Baru Buka")})
	must(t, err)
	waitFor(t, "new customer in the copy", func() bool {
		b, _ := os.ReadFile(filepath.Join(w.dir, "customers.jsonl"))
		return strings.Contains(string(b), `"name":"Toko Baru Buka"`)
	})
	must(t, w.api.Customers.Delete(ctx, cu.ID))
	waitFor(t, "customer gone from the copy", func() bool {
		b, _ := os.ReadFile(filepath.Join(w.dir, "customers.jsonl"))
		return len(b) == 0
	})
	// Another sync of the same directory meanwhile is refused.
	r := w.f.exec(t, "", "sync", "--out", w.dir, "--once")
	if r.err == nil || !strings.Contains(r.err.Error(), "another salesmania sync is running in this directory") {
		t.Errorf("a second sync of the directory: %v", r.err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("sync stopped by its context: %v; want nil", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("sync did not stop within 20 s of its context")
	}
	if s := stderr.String(); !strings.Contains(s, "sync: stopped; customers 0, products 1") || strings.Count(s, " applied; ") < 2 {
		t.Errorf("stderr:\n%s", s)
	}
	w.wantCopy(t)
}
