// Command salesbench is the load benchmark of the salesmania server. It
// measures what the real server does on this machine, and compares it with
// what the machine can do at most.
//
// # Usage
//
// From the root of the repository:
//
//	go run ./cmd/salesbench                      # SQLite, 32 connections, 5 s per workload
//	go run ./cmd/salesbench -db postgres         # the same on a fresh PostgreSQL database
//	go run ./cmd/salesbench -db both             # SQLite, then PostgreSQL, and their ratios
//	go run ./cmd/salesbench -rate 500 -workloads get-customer,get-order
//	go run ./cmd/salesbench -scale 1000000 -scale-db /tmp/scale1m.db
//	                                             # also start to ready and deep paging
//	                                             # on a million customers (the file is
//	                                             # built once, 1.5 to 4 minutes, then reused)
//
// Flags:
//
//	-db sqlite|postgres|both
//	                     the server's database (default sqlite); both: the
//	                     whole run on SQLite, then on PostgreSQL, each with its
//	                     own ceiling, and a last table of PostgreSQL's req/s
//	                     over SQLite's per workload, with both p99s
//	-db-pool N           pass --db-pool N to the server (0: its default)
//	-pg URL              PostgreSQL server to make the scratch database on
//	                     (default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)
//	-c N                 connections, and closed-loop workers (default 32)
//	-d DURATION          measured time per workload, after 1 s of warm-up (default 5s)
//	-rate R              0: closed loop (default); R > 0: R requests/s at constant rate
//	-workloads LIST      all, none, or names separated by commas (see below)
//	-seed-customers N    customers to seed (default 10000)
//	-json                print the results as JSON on stdout instead of tables
//	-keep                keep the temporary directory (database files, binary)
//	                     and the PostgreSQL database
//	-scale N             0 (default): off; N ≥ 50000: also measure the server on
//	                     an SQLite database of N customers (see "Scale" below)
//	-scale-db PATH       the -scale database: reused when it holds N customers,
//	                     else built there (default: built in the temporary
//	                     directory every run)
//
// # Method
//
// salesbench builds ./cmd/salesmania with the go command and runs it as a
// child process, exactly as deployed: "salesmania serve --addr 127.0.0.1:0
// --db DSN --rate-limit 0 --max-in-flight-per-user 0 --log-format json" (the
// load comes from one login), so the HTTP stack, middleware, access log and
// store are the real ones, and the server's CPU time and memory can be read
// from /proc/PID apart from the load generator's. The
// access log goes to a pipe that salesbench drains, keeping only WARN and
// ERROR lines for the report.
//
// Before the server starts, salesbench opens the fresh database with
// sqlstore.Open and seeds it through the store's own methods (so the rows
// are exactly what the server writes): one database, 5 teams, an admin
// login, 10 000 customers and 500 products with 2 or 3 units and default
// discounts. Each row is its own transaction, as in the server: on SQLite
// (synchronous=FULL, a sync per commit) that takes some 20 s; PostgreSQL
// runs, on a new database salesbench_<random> dropped at the end, insert
// from 8 goroutines so commits are flushed together. The time is reported.
//
// The client logs in as a real one does (GET /extapi/v1.0/token with Basic
// auth, then GET /extapi/v1.0/team_token?db_id=) and sends the bearer token
// and the team_token parameter on every request, over one http.Client whose
// pool holds exactly -c connections. Each workload runs 1 s unmeasured, then
// -d measured:
//
//	get-customer          GET one random seeded customer
//	list-customers        GET 50 customers, a random page by cursor
//	list-customers-total  the same with include_total=true
//	create-customer       POST a customer with a new ext_cust_no
//	patch-customer        PATCH a random customer's city and phone
//	append-visit          POST a visit for a random team and customer, on a random day of the
//	                      coming year (so the day get-visits-day reads keeps its size)
//	get-visits-day        GET today's visits of a random team: its route of 30 visits, planned in setup
//	create-order          POST a 3-line order, units, line discount "10+5", order discount "2"
//	get-order             GET one of 200 orders made in setup
//
// In closed loop, -c workers each send a request and wait for its answer
// before sending the next; latency runs from send to answer. With -rate,
// request k is due at start + k/R whoever is free to send it, and its
// latency runs from when it was due: a server that stalls makes every
// request it delays slow, instead of silently sending fewer (no coordinated
// omission). Requests still unsent 2 s after the window are errors. A
// constant-rate run reports what was offered, so the targets (capacities)
// are judged only in closed loop.
// Latencies go into a log-bucketed histogram accurate to 0.4 %; percentiles
// are of every answered request; max is exact.
//
// # The ceiling
//
// In the same run salesbench measures the machine's own limit with a bare
// net/http server (salesbench itself, in a second process, no auth, no
// middleware, no access log) with two handlers: GET /row reads one customer
// by primary key from the server's SQLite file into JSON; POST /row inserts
// the request body as a row of bench_ceiling(id INTEGER PRIMARY KEY, body
// TEXT) in a file of its own. Both open the SQLite files with WAL and
// synchronous=NORMAL. The ceiling is always driven closed loop with the same
// client, connections and duration, once before the server's workloads and
// once after (other work on the machine may slow either), and every workload
// is reported as a fraction of the better run: reads of the read ceiling,
// writes of the write ceiling. Note that the server writes with
// synchronous=FULL (durable through a power cut), the ceiling with NORMAL,
// as the performance issue defines it. PostgreSQL runs still measure the ceiling on SQLite (a file seeded the same
// way), because the issue defines the ceiling so.
//
// # Scale
//
// With -scale N, salesbench first builds an SQLite database of N customers
// (or reuses the one at -scale-db): one database, five teams and N
// customers made by the generator of the normal seed, each with the
// store's CreateCustomer, from 256 goroutines at once so that the store's
// group commit shares each fsync among up to 128 of them: a million took
// 80 s on an idle 2-core machine, nearly 4 minutes beside other work
// (progress every 5 s on stderr; the file is some 310 MiB).
// The file is salesbench's when PATH.salesbench.json, written before the
// build and marked complete after it, is there; it is reused when complete,
// for the same N, and the file holds N customers; else it is built again. A
// file at PATH that salesbench did not make is never overwritten. Before
// measuring, the database is opened once with sqlstore.Open (so any newer
// migration is applied beforehand) and an admin login is added for the run;
// then it is closed.
//
// After the normal run, on that database:
//
//   - start to ready: the server, built before any timing, is started 1 + 5
//     times, each time "salesmania serve" as above on the existing, closed
//     database, and stopped again. The first start is not measured (on a
//     new database it also creates the team token key). Each of the 5 is
//     timed from just before fork and exec to the first 200 answer of
//     GET /healthz, sent on a new connection as soon as the "listening" log
//     line gives the address and then every millisecond: process start, Go
//     runtime and package initialisation, opening SQLite, checking the
//     migrations, reading the team token key, building the handler,
//     listening, one request. The page cache is warm. Min and median are
//     reported; the target is on the median.
//   - deep paging: a server is started on the database, salesbench logs in
//     as in the normal run and walks GET /extapi/v1.0/customers?limit=50 by
//     next_cursor, one page at a time, to page 1000 (rows 49 951–50 000).
//     Page 1 (no cursor) and page 1000 (that cursor) are then each driven
//     closed loop with -c connections: they alternate 8 times (page 1, 1000,
//     1000, 1, 1000, 1, 1, 1000), each run a quarter of -d after 0.5 s of
//     warm-up, and each one's runs are merged into one line of the table
//     (list-page-1@1M, list-page-1000@1M). The cost ratio is
//     cost(page 1000) / cost(page 1) with cost = 1/throughput; the server's
//     CPU time per request of each is reported too.
//   - the peak RSS of every server process of the scale measurement.
//
// The scale measurement always runs closed loop, whatever -rate says.
//
// # Targets
//
// The performance issue (issue 8) sets these targets, judged in one
// closed-loop run with 32 connections on SQLite (synchronous=FULL):
//
//	get-customer           ≥ 60 % of the read ceiling
//	list-customers         ≥ 15 % of the read ceiling
//	list-customers-total   ≥ 15 % of the read ceiling
//	create-customer        ≥ 45 % of the write ceiling
//	p99 of every workload  < 25 ms (those of -scale included)
//	server peak RSS        < 150 MB, MB = 10^6 bytes (the most of the
//	                       workloads' server and of the -scale servers)
//	start to ready         median < 300 ms on a database of 1 000 000 customers
//	deep paging            page 1000 costs ≤ 1.2 × page 1, on 1 000 000 customers
//
// Each gets PASS, FAIL, FAIL (errors) (the figure passes but requests
// failed), NOT RUN (its workload did not run, or -scale was not given), or
// N/A: in a constant-rate run for the throughput, p99 and memory targets of
// the workloads, and for the two scale targets when -scale is below a
// million. The report ends with "all targets met" or "N targets not met";
// only PASS counts as met. -json carries every target with its limit,
// figure and verdict, and the scale measurement.
//
// Client and server share the machine's CPUs, as they do in any one-machine
// benchmark; the client's own CPU use is reported beside the server's.
// Progress goes to stderr, the report to stdout.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/salesmania/salesmania/sqlstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "salesbench:", err)
			os.Exit(1)
		}
	}
}

// config is the command line.
type config struct {
	db            string
	dbPool        int
	pgDSN         string
	conns         int
	duration      time.Duration
	warmup        time.Duration
	rate          float64
	workloads     []workload
	seedCustomers int
	seedProducts  int
	json          bool
	keep          bool
	scale         int    // customers of the scale database; 0: no scale measurement
	scaleDB       string // where to keep the scale database; "": the temporary directory
}

func parseConfig(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("salesbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{warmup: time.Second, seedProducts: 500}
	var names string
	fs.StringVar(&c.db, "db", "sqlite", "database of the server: sqlite, postgres, or both (one after the other, with PostgreSQL's req/s over SQLite's)")
	fs.IntVar(&c.dbPool, "db-pool", 0, "the server's --db-pool; 0: its default")
	fs.StringVar(&c.pgDSN, "pg", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server to create the scratch database on (-db postgres)")
	fs.IntVar(&c.conns, "c", 32, "connections (and closed-loop workers)")
	fs.DurationVar(&c.duration, "d", 5*time.Second, "measured time per workload, after 1 s of warm-up")
	fs.Float64Var(&c.rate, "rate", 0, "0: closed loop; above 0: constant arrival rate in requests/s, latency measured from the intended send time")
	fs.StringVar(&names, "workloads", "all", "all, none, or a comma-separated list of: "+workloadNames())
	fs.IntVar(&c.seedCustomers, "seed-customers", 10000, "customers to seed")
	fs.BoolVar(&c.json, "json", false, "print the results as JSON on stdout")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary directory and the PostgreSQL database")
	fs.IntVar(&c.scale, "scale", 0, fmt.Sprintf("0: off; N ≥ %d: also build (or reuse) an SQLite database of N customers and measure the server's start to ready and deep paging on it", minScale))
	fs.StringVar(&c.scaleDB, "scale-db", "", "SQLite file of the -scale database: reused when it holds -scale customers, else built there (default: in the temporary directory, built every run)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	case c.db != "sqlite" && c.db != "postgres" && c.db != "both":
		return nil, fmt.Errorf("-db must be sqlite, postgres or both, not %q", c.db)
	case c.dbPool < 0:
		return nil, errors.New("-db-pool must not be negative")
	case c.db == "both" && c.scale > 0:
		return nil, errors.New("-scale runs on SQLite only; give it with -db sqlite")
	case c.conns < 1:
		return nil, errors.New("-c must be at least 1")
	case c.duration <= 0:
		return nil, errors.New("-d must be above 0")
	case c.rate < 0:
		return nil, errors.New("-rate must not be negative")
	case c.seedCustomers < 1:
		return nil, errors.New("-seed-customers must be at least 1")
	case c.scale != 0 && c.scale < minScale:
		return nil, fmt.Errorf("-scale must be 0 or at least %d (page %d of %d must exist)", minScale, deepPage, pageSize)
	case c.scaleDB != "" && c.scale == 0:
		return nil, errors.New("-scale-db needs -scale")
	}
	switch names {
	case "all":
		c.workloads = workloads
	case "none":
	default:
		for name := range strings.SplitSeq(names, ",") {
			i := slices.IndexFunc(workloads, func(w workload) bool { return w.Name == strings.TrimSpace(name) })
			if i < 0 {
				return nil, fmt.Errorf("unknown workload %q; the workloads are %s", name, workloadNames())
			}
			c.workloads = append(c.workloads, workloads[i])
		}
		// Run them in the standard order, whatever order they were named in.
		slices.SortStableFunc(c.workloads, func(a, b workload) int { return workloadIndex(a.Name) - workloadIndex(b.Name) })
		c.workloads = slices.CompactFunc(c.workloads, func(a, b workload) bool { return a.Name == b.Name })
	}
	return c, nil
}

func workloadNames() string {
	var names []string
	for _, w := range workloads {
		names = append(names, w.Name)
	}
	return strings.Join(names, ", ")
}

func workloadIndex(name string) int {
	return slices.IndexFunc(workloads, func(w workload) bool { return w.Name == name })
}

// run is the whole program. args[1] == ceilingCommand runs the ceiling
// server instead (salesbench starts itself so).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	if len(args) > 1 && args[1] == ceilingCommand {
		return runCeilingServer(ctx, args[2:], stderr)
	}
	cfg, err := parseConfig(args[1:], stderr)
	if err != nil {
		return err
	}
	if cfg.db != "both" {
		rep, err := runBench(ctx, cfg, stderr)
		if err != nil {
			return err
		}
		if cfg.json {
			return rep.writeJSON(stdout)
		}
		rep.writeText(stdout)
		return nil
	}
	var reps []*report
	for _, db := range []string{"sqlite", "postgres"} {
		c := *cfg
		c.db = db
		rep, err := runBench(ctx, &c, stderr)
		if err != nil {
			return err
		}
		reps = append(reps, rep)
	}
	cmp := compareReports(reps[0], reps[1])
	if cfg.json {
		return writeJSONValue(stdout, map[string]any{"sqlite": reps[0], "postgres": reps[1], "postgres_over_sqlite": cmp})
	}
	for _, rep := range reps {
		rep.writeText(stdout)
		fmt.Fprintln(stdout)
	}
	writeComparison(stdout, cmp)
	return nil
}

// runBench runs the benchmark on cfg.db, sqlite or postgres, and returns
// its report.
func runBench(ctx context.Context, cfg *config, stderr io.Writer) (rep *report, err error) {
	b := &bench{cfg: cfg, stderr: stderr,
		opts: loadOptions{Conns: cfg.conns, Warmup: cfg.warmup, Duration: cfg.duration, Rate: cfg.rate},
		rep:  &report{DB: cfg.db, Conns: cfg.conns, Duration: cfg.duration, Warmup: cfg.warmup, Rate: cfg.rate, Machine: machine()}}
	if b.runID, err = randomHex(4); err != nil {
		return nil, err
	}
	if b.dir, err = os.MkdirTemp("", "salesbench-"); err != nil {
		return nil, err
	}
	if cfg.keep {
		b.progress("keeping %s", b.dir)
	} else {
		defer os.RemoveAll(b.dir)
	}
	b.progress("building ./cmd/salesmania")
	if b.serverBin, err = buildServer(ctx, b.dir); err != nil {
		return nil, err
	}
	if b.self, err = os.Executable(); err != nil {
		return nil, err
	}
	// The scale database is built first, so a run that cannot build it
	// stops early; it is measured last.
	if cfg.scale > 0 {
		if err := b.prepareScale(ctx); err != nil {
			return nil, err
		}
	}
	cleanup, err := b.makeDatabases(ctx)
	defer func() { err = errors.Join(err, cleanup()) }()
	if err != nil {
		return nil, err
	}
	// The ceiling runs before and after the server's workloads, so a
	// machine that other work slows for a while does not skew every ratio.
	if err := b.runCeiling(ctx, 1); err != nil {
		return nil, err
	}
	if err := b.runServer(ctx); err != nil {
		return nil, err
	}
	if err := b.runCeiling(ctx, 2); err != nil {
		return nil, err
	}
	if cfg.scale > 0 {
		if err := b.runScale(ctx); err != nil {
			return nil, err
		}
	}
	b.rep.finish()
	return b.rep, nil
}

// bench is one run of the benchmark.
type bench struct {
	cfg       *config
	opts      loadOptions
	rep       *report
	stderr    io.Writer
	runID     string // keeps ext_cust_no and ext_order_no unique across runs
	dir       string // temporary directory
	serverBin string // the salesmania binary
	self      string // this binary, which serves the ceiling

	dsn         string // the server's database
	ceilingFile string // the SQLite file the read ceiling reads
	seed        *seedInfo
	ceilingSeed *seedInfo
	scale       *scaleDB // the -scale database, once prepared
}

// progress tells on stderr how the run goes.
func (b *bench) progress(format string, a ...any) {
	fmt.Fprintf(b.stderr, "salesbench: "+format+"\n", a...)
}

// makeDatabases creates and seeds the server's database and the SQLite file
// the read ceiling reads (the same file when the server runs on SQLite). The
// cleanup it returns drops a PostgreSQL database; it is never nil.
func (b *bench) makeDatabases(ctx context.Context) (cleanup func() error, err error) {
	cleanup = func() error { return nil }
	b.dsn = filepath.Join(b.dir, "salesmania.db")
	b.ceilingFile = b.dsn
	if b.cfg.db == "postgres" {
		pg, err := createScratchPostgres(ctx, b.cfg.pgDSN)
		if err != nil {
			return cleanup, err
		}
		b.progress("created database %s", redact(pg.DSN))
		cleanup = func() error {
			if b.cfg.keep {
				b.progress("keeping database %s", pg.name)
				return pg.admin.Close()
			}
			if err := pg.Drop(); err != nil {
				return err
			}
			b.progress("dropped database %s", pg.name)
			return nil
		}
		b.dsn = pg.DSN
		b.ceilingFile = filepath.Join(b.dir, "ceiling-read.db")
		b.rep.Notes = append(b.rep.Notes, "The ceiling is measured on SQLite even though the server runs on PostgreSQL, as the issue defines it: its read handler reads a SQLite file seeded with the same data.")
	}
	b.rep.DSN = redact(b.dsn)

	b.progress("seeding %s: %d customers, %d products, %d teams", b.rep.DSN, b.cfg.seedCustomers, b.cfg.seedProducts, len(teamNames))
	start := time.Now()
	if b.seed, b.ceilingSeed, err = seedAll(ctx, b.dsn, b.ceilingFile, b.cfg); err != nil {
		return cleanup, err
	}
	b.rep.Seed = seedReport{Customers: len(b.seed.Customers), Products: b.seed.Products, Teams: len(b.seed.Teams), Seconds: time.Since(start).Seconds()}
	b.progress("seeded in %.1f s", b.rep.Seed.Seconds)
	return cleanup, nil
}

// runCeiling starts the ceiling server and drives its two workloads, always
// closed loop: the ceiling is a capacity.
func (b *bench) runCeiling(ctx context.Context, round int) error {
	p, err := startProcess(ctx, "the ceiling server", b.self, ceilingCommand, "-read", b.ceilingFile, "-write", filepath.Join(b.dir, "ceiling-write.db"))
	if err != nil {
		return err
	}
	defer p.Stop()
	a := &app{target: &target{client: newHTTPClient(b.cfg.conns), base: p.Addr}, seed: b.ceilingSeed, runID: b.runID}
	opts := b.opts
	opts.Rate = 0
	for _, w := range ceilingWorkloads {
		w.Name = fmt.Sprintf("%s #%d", w.Name, round)
		res, err := b.measure(ctx, a, p, w, opts)
		if err != nil {
			return err
		}
		b.rep.Ceiling = append(b.rep.Ceiling, res)
	}
	if s, err := p.Stats(); err == nil {
		b.rep.CeilingPeakRSS = max(b.rep.CeilingPeakRSS, s.HWM)
	}
	return p.Stop()
}

// runServer starts the server, logs in, and drives the chosen workloads.
func (b *bench) runServer(ctx context.Context) error {
	b.progress("starting the server")
	args := serverArgs(b.dsn)
	if b.cfg.dbPool > 0 {
		args = append(args, "--db-pool", strconv.Itoa(b.cfg.dbPool))
	}
	srv, err := startProcess(ctx, "the server", b.serverBin, args...)
	if err != nil {
		return err
	}
	defer srv.Stop()
	a := &app{target: &target{client: newHTTPClient(b.cfg.conns), base: srv.Addr}, seed: b.seed, runID: b.runID,
		visitDate: time.Now().Format(time.DateOnly)}
	if err := login(ctx, a.target, b.seed); err != nil {
		return err
	}
	for _, w := range b.cfg.workloads {
		if srv.Exited() {
			return errors.New("the server exited during the benchmark")
		}
		if w.Setup != nil {
			if err := w.Setup(ctx, a); err != nil {
				return fmt.Errorf("set up %s: %w", w.Name, err)
			}
		}
		res, err := b.measure(ctx, a, srv, w, b.opts)
		if err != nil {
			return err
		}
		b.rep.Results = append(b.rep.Results, res)
	}
	if s, err := srv.Stats(); err == nil {
		b.rep.ServerPeakRSS = s.HWM
	}
	b.rep.ServerLogErrors, b.rep.ServerLogSamples = srv.LogErrors()
	if err := srv.Stop(); err != nil {
		b.rep.Notes = append(b.rep.Notes, "Stopping the server: "+err.Error())
	}
	return nil
}

// seedAll seeds the server's database and, when the server is not on
// SQLite, an SQLite file for the read ceiling as well, at the same time.
func seedAll(ctx context.Context, dsn, ceilingFile string, cfg *config) (info, ceilInfo *seedInfo, err error) {
	seedOne := func(dsn string, workers int) (*seedInfo, error) {
		store, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
		}
		defer store.Close()
		return seed(ctx, store, cfg.seedCustomers, cfg.seedProducts, workers)
	}
	if ceilingFile == dsn {
		info, err = seedOne(dsn, 1)
		return info, info, err
	}
	done := make(chan error, 1)
	go func() {
		var err error
		ceilInfo, err = seedOne(ceilingFile, 1)
		done <- err
	}()
	// PostgreSQL commits concurrent transactions together.
	info, err = seedOne(dsn, 8)
	return info, ceilInfo, errors.Join(err, <-done)
}

// measure runs one workload against p and adds what /proc says p spent.
func (b *bench) measure(ctx context.Context, a *app, p *process, w workload, opts loadOptions) (*result, error) {
	m, err := b.runMeasured(ctx, a, p, w, opts)
	if err != nil {
		return nil, err
	}
	return b.newResult(w, opts, m), nil
}

// newResult makes the report's line of a measured run and tells it on
// stderr.
func (b *bench) newResult(w workload, opts loadOptions, m *measured) *result {
	res := newResult(w, opts, m.lr, m.before, m.after, m.selfBefore, m.selfAfter)
	b.progress("%-21s %9.0f req/s  p50 %s  p99 %s  errors %d  server CPU %.0f%%",
		w.Name, res.ReqPerSec, fmtMs(res.P50ms), fmtMs(res.P99ms), res.Errors, res.ServerCPUPercent)
	return res
}

// measured is one run of a workload: the client's measurements, and the
// server's and the client's /proc figures at the start and end of the
// measured window.
type measured struct {
	lr                                   *loadResult
	before, after, selfBefore, selfAfter procStats
}

// runMeasured runs one workload against p.
func (b *bench) runMeasured(ctx context.Context, a *app, p *process, w workload, opts loadOptions) (*measured, error) {
	m := &measured{}
	var statErr error
	onMeasure := func(start bool) {
		s, err := p.Stats()
		me, err2 := readProcStats(os.Getpid())
		statErr = errors.Join(statErr, err, err2)
		if start {
			m.before, m.selfBefore = s, me
		} else {
			m.after, m.selfAfter = s, me
		}
	}
	m.lr = runLoad(ctx, a.target, opts, func(rng *rand.Rand) request { return w.Next(a, rng) }, onMeasure)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if statErr != nil {
		return nil, fmt.Errorf("%s: read the CPU and memory of %s: %w", w.Name, p.name, statErr)
	}
	return m, nil
}
