package main

// The scale measurement (-scale N): an SQLite database of N customers,
// built through the store (or reused from -scale-db), the server's start to
// ready on it, and the cost of a deep page of the customer list.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/salesmania/salesmania/sqlstore"
)

const (
	pageSize = 50   // customers a page, as list-customers asks
	deepPage = 1000 // the deep page: rows 49 951–50 000
	minScale = deepPage * pageSize
	// scaleWorkers is how many CreateCustomer calls run at once while the
	// database is built. The SQLite store commits up to 128 concurrent
	// writes in one transaction with one fsync (sqlstore/batch.go); twice
	// that keeps a full batch waiting while the last one commits.
	scaleWorkers = 256
	// scaleStarts is how many times the server is started for start to
	// ready.
	scaleStarts = 5
)

// scaleDB is the prepared -scale database.
type scaleDB struct {
	path         string
	meta         scaleMeta
	reused       bool
	buildSeconds float64   // this run's build, or the recorded one when reused
	info         *seedInfo // the company, and a login made for this run
}

// scaleMeta is what the sidecar file PATH.salesbench.json records of a
// scale database built at PATH. A database without a complete sidecar is
// not reused; a file at PATH without any sidecar was not made by salesbench
// and is never overwritten.
type scaleMeta struct {
	Complete     bool      `json:"complete"`
	Customers    int       `json:"customers"`
	DBID         int64     `json:"db_id"`
	Teams        []int64   `json:"teams"`
	BuildSeconds float64   `json:"build_seconds"`
	BuiltAt      time.Time `json:"built_at"`
}

func sidecarPath(path string) string { return path + ".salesbench.json" }

func readSidecar(path string) (*scaleMeta, error) {
	b, err := os.ReadFile(sidecarPath(path))
	if err != nil {
		return nil, err
	}
	var m scaleMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", sidecarPath(path), err)
	}
	return &m, nil
}

func writeSidecar(path string, m *scaleMeta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(sidecarPath(path), append(b, '\n'), 0o644)
}

// prepareScale builds the scale database, or finds the one at -scale-db
// complete and reuses it; then applies any migration the store has since
// gained and adds an admin login for this run, so the database is ready and
// closed before the server is started on it.
func (b *bench) prepareScale(ctx context.Context) error {
	n := b.cfg.scale
	path := b.cfg.scaleDB
	if path == "" {
		path = filepath.Join(b.dir, "scale.db")
	}
	path, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	sdb := &scaleDB{path: path}
	meta, err := readSidecar(path)
	switch {
	case err == nil && meta.Complete && meta.Customers == n:
		got, err := countCustomers(ctx, path, meta.DBID)
		if err != nil {
			return fmt.Errorf("scale: count the customers of %s: %w", path, err)
		}
		if got == int64(n) {
			b.progress("scale: reusing %s: %d customers (built in %.1f s on %s)", path, n, meta.BuildSeconds, meta.BuiltAt.Format(time.DateTime))
			sdb.meta, sdb.reused, sdb.buildSeconds = *meta, true, meta.BuildSeconds
			break
		}
		b.progress("scale: %s holds %d customers, its sidecar says %d: building it again", path, got, n)
		meta = nil
		fallthrough
	case err == nil:
		if meta != nil {
			b.progress("scale: %s holds %d customers (complete: %v), not %d: building it again", path, meta.Customers, meta.Complete, n)
		}
		if err := removeSQLite(path); err != nil {
			return err
		}
	case errors.Is(err, fs.ErrNotExist):
		if _, err := os.Stat(path); err == nil {
			return fmt.Errorf("scale: %s exists and was not made by salesbench -scale (it has no %s); remove it or choose another -scale-db", path, filepath.Base(sidecarPath(path)))
		}
	default:
		return fmt.Errorf("scale: %w", err)
	}
	if !sdb.reused {
		m, err := b.buildScaleDB(ctx, path, n)
		if err != nil {
			return err
		}
		sdb.meta, sdb.buildSeconds = *m, m.BuildSeconds
	}

	store, err := sqlstore.Open(ctx, path)
	if err != nil {
		return fmt.Errorf("scale: open %s: %w", path, err)
	}
	sdb.info = &seedInfo{DBID: sdb.meta.DBID, Teams: sdb.meta.Teams}
	err = addAdmin(ctx, store, sdb.info, fmt.Sprintf("bench-%s@salesbench.example", b.runID))
	if err := errors.Join(err, store.Close()); err != nil {
		return fmt.Errorf("scale: %w", err)
	}
	b.scale = sdb
	return nil
}

// removeSQLite removes an SQLite file with its WAL, shared-memory index and
// sidecar.
func removeSQLite(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm", sidecarPath(path)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

// countCustomers counts the rows of the customers table of database dbID in
// the SQLite file at path, reading it directly.
func countCustomers(ctx context.Context, path string, dbID int64) (int64, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, "SELECT count(*) FROM customers WHERE db_id = ?", dbID).Scan(&n)
	return n, err
}

// buildScaleDB makes a new SQLite database of n customers at path through
// the store's own API, the way the normal seed does: one database, five
// teams, then n customers, each created with CreateCustomer (its own
// transaction) from scaleWorkers goroutines so the store's group commit
// shares each fsync among up to 128 of them. Customer i is generated from a
// random source of its own, so the data does not depend on how the inserts
// interleave (the ids, handed out in commit order, do).
func (b *bench) buildScaleDB(ctx context.Context, path string, n int) (*scaleMeta, error) {
	b.progress("scale: building %s: %d customers through the store, %d at once", path, n, scaleWorkers)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	meta := &scaleMeta{Customers: n}
	// The incomplete sidecar marks the file as salesbench's, so an
	// interrupted build is replaced next time.
	if err := writeSidecar(path, meta); err != nil {
		return nil, err
	}
	start := time.Now()
	store, err := sqlstore.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("scale: create %s: %w", path, err)
	}
	info, err := seedAccount(ctx, store)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("scale: %w", err)
	}
	var done atomic.Int64
	stop := make(chan struct{})
	reported := make(chan struct{})
	go func() {
		defer close(reported)
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				k := done.Load()
				secs := time.Since(start).Seconds()
				rate := float64(k) / secs
				eta := "-"
				if rate > 0 {
					eta = fmt.Sprintf("%.0f s", float64(int64(n)-k)/rate)
				}
				b.progress("scale: %5.1f%%  %d/%d customers  %.0f/s  ETA %s", 100*float64(k)/float64(n), k, n, rate, eta)
			}
		}
	}()
	err = inParallel(ctx, scaleWorkers, n, func(ctx context.Context, i int) error {
		rng := rand.New(rand.NewPCG(2981, uint64(i)))
		c := newCustomer(rng, fmt.Sprintf("C-%07d", i+1), i)
		if err := store.CreateCustomer(ctx, info.DBID, c); err != nil {
			return fmt.Errorf("scale: create customer %d: %w", i+1, err)
		}
		done.Add(1)
		return nil
	})
	close(stop)
	<-reported
	// Closing the last connection checkpoints the WAL into the file.
	if err := errors.Join(err, store.Close()); err != nil {
		return nil, err
	}
	meta.Complete, meta.DBID, meta.Teams = true, info.DBID, info.Teams
	meta.BuildSeconds, meta.BuiltAt = time.Since(start).Seconds(), time.Now().UTC().Truncate(time.Second)
	if err := writeSidecar(path, meta); err != nil {
		return nil, err
	}
	b.progress("scale: built %d customers in %.1f s (%.0f/s)", n, meta.BuildSeconds, float64(n)/meta.BuildSeconds)
	return meta, nil
}

// scaleReport is what the scale measurement found.
type scaleReport struct {
	Customers    int     `json:"customers"`
	Path         string  `json:"path"`
	FileBytes    int64   `json:"file_bytes"`
	Reused       bool    `json:"reused"`
	BuildSeconds float64 `json:"build_seconds"` // this run's build, or the recorded one when reused
	BuildPerSec  float64 `json:"build_customers_per_sec"`
	BuildWorkers int     `json:"build_workers"`

	// Start to ready: from just before fork and exec to the first 200 of
	// GET /healthz, and to the "listening" log line, of each measured
	// start; and of the start before them, which is not measured.
	StartToReadyMs  []float64 `json:"start_to_ready_ms"`
	StartToListenMs []float64 `json:"start_to_listening_ms"`
	FirstStartMs    float64   `json:"first_start_ms"`
	StartMinMs      float64   `json:"start_to_ready_min_ms"`
	StartMedianMs   float64   `json:"start_to_ready_median_ms"`
	ListenMedianMs  float64   `json:"start_to_listening_median_ms"`

	// The deep page: its rows' first and last ids, and the walk to it one
	// page at a time.
	DeepPage         int      `json:"deep_page"`
	DeepPageIDs      [2]int64 `json:"deep_page_ids"`
	WalkSeconds      float64  `json:"walk_seconds"`
	WalkMedianMs     float64  `json:"walk_page_median_ms"`
	Page1Workload    string   `json:"page1_workload"`
	DeepPageWorkload string   `json:"deep_page_workload"`
	// CostRatio is the cost (1/throughput) of the deep page over page 1's.
	CostRatio float64 `json:"deep_page_cost_ratio"`
	// The server's CPU time per request of each, in microseconds: other
	// work on the machine disturbs it less than throughput.
	Page1CPUus    float64 `json:"page1_server_cpu_us"`
	DeepPageCPUus float64 `json:"deep_page_server_cpu_us"`

	PeakRSS          int64    `json:"server_peak_rss_bytes"` // the most of every server process of the scale measurement
	ServerLogErrors  uint64   `json:"server_log_errors"`
	ServerLogSamples []string `json:"server_log_samples,omitempty"`
}

// serverArgs are the arguments the server runs with, on dsn.
func serverArgs(dsn string) []string {
	return []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--rate-limit", "0", "--max-in-flight-per-user", "0", "--log-format", "json"}
}

// runScale measures the server on the scale database: scaleStarts times
// start to ready, then deep paging.
func (b *bench) runScale(ctx context.Context) error {
	sdb := b.scale
	sr := &scaleReport{Customers: sdb.meta.Customers, Path: sdb.path, Reused: sdb.reused, BuildSeconds: sdb.buildSeconds,
		BuildWorkers: scaleWorkers, DeepPage: deepPage}
	if sdb.buildSeconds > 0 {
		sr.BuildPerSec = float64(sr.Customers) / sdb.buildSeconds
	}
	if st, err := os.Stat(sdb.path); err == nil {
		sr.FileBytes = st.Size()
	}
	b.rep.Scale = sr

	// One start first, not measured: the first start on a new database
	// also creates the server's team token key, and it loads the binary
	// into the page cache if need be.
	b.progress("scale: start to ready, 1 + %d starts on %s", scaleStarts, sdb.path)
	ready, _, hwm, err := b.startToReady(ctx, sdb.path)
	if err != nil {
		return fmt.Errorf("scale: first start: %w", err)
	}
	sr.FirstStartMs, sr.PeakRSS = ms(ready), hwm
	b.progress("scale: first start (not measured): ready in %s", fmtMs(sr.FirstStartMs))
	for i := range scaleStarts {
		ready, listening, hwm, err := b.startToReady(ctx, sdb.path)
		if err != nil {
			return fmt.Errorf("scale: start %d: %w", i+1, err)
		}
		sr.StartToReadyMs = append(sr.StartToReadyMs, ms(ready))
		sr.StartToListenMs = append(sr.StartToListenMs, ms(listening))
		sr.PeakRSS = max(sr.PeakRSS, hwm)
		b.progress("scale: start %d: ready in %s (listening at %s)", i+1, fmtMs(ms(ready)), fmtMs(ms(listening)))
	}
	sorted := slices.Sorted(slices.Values(sr.StartToReadyMs))
	sr.StartMinMs, sr.StartMedianMs = sorted[0], median(sr.StartToReadyMs)
	sr.ListenMedianMs = median(sr.StartToListenMs)
	return b.deepPaging(ctx, sr)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// median returns the median of v, which must not be empty.
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// startToReady starts the server on the existing, closed database at dsn
// and returns the time from just before fork and exec to the first 200
// answer of GET /healthz, and to the "listening" log line, which gives the
// address. The health check is sent as soon as that line is read, then
// every millisecond until it answers 200, each on a new connection. The
// time holds the process's exec, the Go runtime's start, opening SQLite (a
// write and read pool, WAL), checking the migrations, reading the team
// token key, building the HTTP handler, and listening. It also returns the
// process's peak RSS.
func (b *bench) startToReady(ctx context.Context, dsn string) (ready, listening time.Duration, hwm int64, err error) {
	p, err := startProcess(ctx, "the server", b.serverBin, serverArgs(dsn)...)
	if err != nil {
		return 0, 0, 0, err
	}
	defer p.Stop()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	for {
		req, err := http.NewRequestWithContext(ctx, "GET", p.Addr+"/healthz", nil)
		if err != nil {
			return 0, 0, 0, err
		}
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				ready = time.Since(p.Started)
				break
			}
		}
		if err := ctx.Err(); err != nil {
			return 0, 0, 0, err
		}
		if time.Since(p.Started) > 30*time.Second {
			return 0, 0, 0, fmt.Errorf("GET /healthz did not answer 200 within 30 s of the start: %v", err)
		}
		time.Sleep(time.Millisecond)
	}
	listening = p.Listening.Sub(p.Started)
	if s, err := p.Stats(); err == nil {
		hwm = s.HWM
	}
	return ready, listening, hwm, p.Stop()
}

// deepPaging starts the server on the scale database, logs in, walks the
// customer list by cursor to page deepPage as a syncing client does, and
// then measures page 1 and page deepPage closed loop with the run's
// connections. The two alternate in the order of pageOrder, each for a
// quarter of -d after half a second of warm-up, and each one's quarters are
// merged, so a machine that other work slows for a while weighs on both
// alike.
func (b *bench) deepPaging(ctx context.Context, sr *scaleReport) error {
	b.progress("scale: starting the server for deep paging")
	srv, err := startProcess(ctx, "the server", b.serverBin, serverArgs(b.scale.path)...)
	if err != nil {
		return err
	}
	defer srv.Stop()
	a := &app{target: &target{client: newHTTPClient(b.cfg.conns), base: srv.Addr}, seed: b.scale.info, runID: b.runID}
	if err := login(ctx, a.target, b.scale.info); err != nil {
		return fmt.Errorf("scale: %w", err)
	}

	type page struct {
		Data []struct {
			ID int64 `json:"id"`
		} `json:"data"`
		NextCursor *string `json:"next_cursor"`
	}
	get := func(cursor string) (*page, error) {
		var p page
		if err := a.getJSON(ctx, fmt.Sprintf("/extapi/v1.0/customers?limit=%d%s", pageSize, cursorParam(cursor)), &p); err != nil {
			return nil, err
		}
		if len(p.Data) != pageSize {
			return nil, fmt.Errorf("a page of the customer list holds %d customers, want %d", len(p.Data), pageSize)
		}
		return &p, nil
	}
	b.progress("scale: walking the customer list to page %d, %d a page", deepPage, pageSize)
	start := time.Now()
	var walk []float64
	cursor := ""
	for i := 1; i < deepPage; i++ {
		t := time.Now()
		p, err := get(cursor)
		if err != nil {
			return fmt.Errorf("scale: page %d: %w", i, err)
		}
		walk = append(walk, ms(time.Since(t)))
		if p.NextCursor == nil {
			return fmt.Errorf("scale: page %d has no next cursor", i)
		}
		cursor = *p.NextCursor
	}
	sr.WalkSeconds, sr.WalkMedianMs = time.Since(start).Seconds(), median(walk)
	deep, err := get(cursor)
	if err != nil {
		return fmt.Errorf("scale: page %d: %w", deepPage, err)
	}
	sr.DeepPageIDs = [2]int64{deep.Data[0].ID, deep.Data[len(deep.Data)-1].ID}

	size := fmtCount(sr.Customers)
	path1 := fmt.Sprintf("/extapi/v1.0/customers?limit=%d", pageSize)
	pathDeep := path1 + cursorParam(cursor)
	w1 := workload{Name: "list-page-1@" + size, Kind: kindRead, Desc: fmt.Sprintf("GET /customers?limit=%d, page 1 of %d customers", pageSize, sr.Customers),
		Next: func(*app, *rand.Rand) request { return request{Method: "GET", Path: path1} }}
	wDeep := workload{Name: fmt.Sprintf("list-page-%d@%s", deepPage, size), Kind: kindRead,
		Desc: fmt.Sprintf("GET /customers?limit=%d&cursor=, page %d of %d customers", pageSize, deepPage, sr.Customers),
		Next: func(*app, *rand.Rand) request { return request{Method: "GET", Path: pathDeep} }}
	sr.Page1Workload, sr.DeepPageWorkload = w1.Name, wDeep.Name
	opts := b.opts
	opts.Rate = 0
	opts.Warmup = min(opts.Warmup, 500*time.Millisecond)
	opts.Duration = max(b.opts.Duration/4, 100*time.Millisecond)
	var runs1, runsDeep []*measured
	for i, deep := range pageOrder {
		w := w1
		if deep {
			w = wDeep
		}
		if srv.Exited() {
			return errors.New("scale: the server exited during the benchmark")
		}
		m, err := b.runMeasured(ctx, a, srv, w, opts)
		if err != nil {
			return err
		}
		b.progress("scale: %s (%d/%d) %.0f req/s", w.Name, i+1, len(pageOrder), float64(m.lr.OK)/m.lr.Elapsed.Seconds())
		if w.Name == w1.Name {
			runs1 = append(runs1, m)
		} else {
			runsDeep = append(runsDeep, m)
		}
	}
	res1 := b.newResult(w1, opts, mergeMeasured(runs1))
	resDeep := b.newResult(wDeep, opts, mergeMeasured(runsDeep))
	b.rep.Results = append(b.rep.Results, res1, resDeep)
	if res1.ReqPerSec > 0 && resDeep.ReqPerSec > 0 {
		sr.CostRatio = res1.ReqPerSec / resDeep.ReqPerSec
	}
	if res1.OK > 0 && resDeep.OK > 0 {
		sr.Page1CPUus = 1e6 * res1.ServerCPUSeconds / float64(res1.OK)
		sr.DeepPageCPUus = 1e6 * resDeep.ServerCPUSeconds / float64(resDeep.OK)
	}
	if s, err := srv.Stats(); err == nil {
		sr.PeakRSS = max(sr.PeakRSS, s.HWM)
	}
	sr.ServerLogErrors, sr.ServerLogSamples = srv.LogErrors()
	if err := srv.Stop(); err != nil {
		b.rep.Notes = append(b.rep.Notes, "Stopping the -scale server: "+err.Error())
	}
	return nil
}

// pageOrder is the order page 1 (false) and the deep page (true) are
// measured in: the Thue–Morse sequence, which balances out a machine
// getting steadily faster or slower, and changes in that, between the two.
var pageOrder = []bool{false, true, true, false, true, false, false, true}

// mergeMeasured merges runs of one workload into one, as if its measured
// windows had followed each other: counts and latencies add up, as do the
// windows' lengths and the CPU time spent in them; the memory is the last
// run's.
func mergeMeasured(runs []*measured) *measured {
	out := &measured{lr: &loadResult{Non2xx: map[int]uint64{}}}
	var wall, cpu, selfCPU time.Duration
	for _, m := range runs {
		out.lr.Hist.Merge(&m.lr.Hist)
		out.lr.OK += m.lr.OK
		out.lr.Transport += m.lr.Transport
		out.lr.Unsent += m.lr.Unsent
		for s, c := range m.lr.Non2xx {
			out.lr.Non2xx[s] += c
		}
		for _, s := range m.lr.Samples {
			if len(out.lr.Samples) < maxErrorSamples {
				out.lr.Samples = append(out.lr.Samples, s)
			}
		}
		out.lr.Elapsed += m.lr.Elapsed
		wall += m.after.At.Sub(m.before.At)
		cpu += m.after.CPU - m.before.CPU
		selfCPU += m.selfAfter.CPU - m.selfBefore.CPU
	}
	t0 := runs[0].before.At
	last := runs[len(runs)-1].after
	out.before = procStats{At: t0}
	out.after = procStats{At: t0.Add(wall), CPU: cpu, RSS: last.RSS, HWM: last.HWM}
	out.selfBefore = procStats{At: t0}
	out.selfAfter = procStats{At: t0.Add(wall), CPU: selfCPU}
	return out
}

// fmtCount prints a count of rows briefly: 1M, 2.5M, 50k.
func fmtCount(n int) string {
	switch {
	case n >= 1_000_000 && n%100_000 == 0:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1e6), ".0") + "M"
	case n >= 1000 && n%100 == 0:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1e3), ".0") + "k"
	default:
		return fmt.Sprint(n)
	}
}

// writeText prints the scale section of the text report.
func (s *scaleReport) writeText(w io.Writer) {
	how := fmt.Sprintf("built in %.1f s, %.0f customers/s, %d CreateCustomer calls at once", s.BuildSeconds, s.BuildPerSec, s.BuildWorkers)
	if s.Reused {
		how = "reused; " + how + " when made"
	}
	fmt.Fprintf(w, "\nscale: %d customers in %s (%s; %s)\n", s.Customers, s.Path, fmtBytes(s.FileBytes), how)
	vals := make([]string, len(s.StartToReadyMs))
	for i, v := range s.StartToReadyMs {
		vals[i] = fmtMs(v)
	}
	fmt.Fprintf(w, "  start to ready, %d starts after one not measured (%s), each from fork+exec of the built binary to the first 200 of GET /healthz\n", len(s.StartToReadyMs), fmtMs(s.FirstStartMs))
	fmt.Fprintf(w, "  (process start, Go runtime and package init, SQLite open, migrations check, team token key, handler, listen; page cache warm):\n")
	if len(s.StartToReadyMs) > 0 {
		fmt.Fprintf(w, "    min %s, median %s, max %s  [%s]; to the \"listening\" log line: median %s\n",
			fmtMs(s.StartMinMs), fmtMs(s.StartMedianMs), fmtMs(slices.Max(s.StartToReadyMs)), strings.Join(vals, " "), fmtMs(s.ListenMedianMs))
	}
	fmt.Fprintf(w, "  deep paging, limit=%d by cursor: walked pages 1–%d one at a time in %.1f s (median %s a page); page %d holds ids %d–%d\n",
		pageSize, s.DeepPage-1, s.WalkSeconds, fmtMs(s.WalkMedianMs), s.DeepPage, s.DeepPageIDs[0], s.DeepPageIDs[1])
	if s.CostRatio > 0 {
		fmt.Fprintf(w, "    cost (1/throughput) of %s over %s: %.3f× (measured alternately, %d runs of a quarter of -d each)\n",
			s.DeepPageWorkload, s.Page1Workload, s.CostRatio, len(pageOrder))
	}
	if s.Page1CPUus > 0 {
		fmt.Fprintf(w, "    server CPU per request: page 1 %.0f µs, page %d %.0f µs (%.3f×)\n", s.Page1CPUus, s.DeepPage, s.DeepPageCPUus, s.DeepPageCPUus/s.Page1CPUus)
	}
	fmt.Fprintf(w, "  server peak RSS during the scale measurement: %s (%.1f MB)\n", fmtBytes(s.PeakRSS), float64(s.PeakRSS)/1e6)
	if s.ServerLogErrors > 0 {
		fmt.Fprintf(w, "  the server logged %d WARN/ERROR lines; the first:\n", s.ServerLogErrors)
		for _, l := range s.ServerLogSamples {
			fmt.Fprintf(w, "    %s\n", l)
		}
	}
}
