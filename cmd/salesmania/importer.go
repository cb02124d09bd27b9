package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
	"github.com/salesmania/salesmania/httpapi"
)

// resourceSpec says how the rows of one resource are imported and
// exported: F is its request body (salesmania.CustomerFields), T its object
// (salesmania.Customer).
type resourceSpec[F any, T any] struct {
	plural    string // "customers"
	extColumn string // the column an import upserts by: "ext_cust_no"
	// columns are the CSV columns, in the order export writes them; pairs
	// are columns that go together (location.lat and location.lon).
	columns     []string
	pairs       [][2]string
	columnHelp  string   // what the cells of the columns hold, for -h
	jsonMembers []string // the members of a JSON line

	fromCSV  func(r csvRecord, p *salesmania.Problems) *F
	setNulls func(f *F, nulls map[string]bool)
	ext      func(f *F) string // the row's ext code, trimmed; "" if none
	// checkNew checks a row that creates a row, by the server's rules;
	// applyTo checks a row that changes existing, and says whether it
	// changes anything.
	checkNew func(f *F) error
	applyTo  func(f *F, existing *T) (changed bool, err error)
	// keep sets the fields a create body requires that a row updating
	// existing does not have to the existing row's values: a batch item
	// is a whole create body (§13), a row of the file may name only the
	// columns it changes.
	keep func(f *F, existing *T)

	all   func(ctx context.Context, cl *client.Client) iter.Seq2[T, error]
	extOf func(t *T) string
	// upsert sends one batch of at most salesmania.MaxBatchItems rows
	// (§13) and returns what the server did with each, in item order:
	// salesmania.BatchCreated, BatchUpdated or BatchUnchanged.
	upsert func(ctx context.Context, cl *client.Client, items []F) ([]string, error)

	toCSV  func(t *T) []string
	toJSON func(t *T) any
}

// importState is the state file of an import, FILE.progress: which input
// it is about and how many of its rows, counted in file order, are written.
// It lets an import that stopped continue (--resume), and is removed once
// the import is complete.
type importState struct {
	Input  string `json:"input"`
	SHA256 string `json:"sha256"` // of the input, which must not change in between
	// Run names the import; with a row's number it makes the row's
	// Idempotency-Key, so a create the server did just before an
	// interruption is not done again by the resumed import.
	Run       string    `json:"run"`
	Rows      int       `json:"rows"` // data rows of the input
	Done      int       `json:"done"` // the first Done rows are written
	UpdatedAt time.Time `json:"updated_at"`
}

func loadImportState(path string) (*importState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st importState
	if err := json.Unmarshal(b, &st); err != nil || st.Run == "" || st.Done < 0 {
		return nil, fmt.Errorf("%s is not the state file of an import; delete it to start over", path)
	}
	return &st, nil
}

// save writes the state file whole by a rename, so a crash leaves the old
// state or the new, never half of one.
func (st *importState) save(path string) error {
	st.UpdatedAt = time.Now().UTC()
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save the import's progress: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save the import's progress: %w", err)
	}
	return nil
}

// watermark counts the rows done from the start of the file without a gap,
// while workers finish rows out of order.
type watermark struct {
	mu   sync.Mutex
	done []bool
	next int
}

func newWatermark(n int) *watermark { return &watermark{done: make([]bool, n)} }

func (w *watermark) mark(i int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done[i] = true
	for w.next < len(w.done) && w.done[w.next] {
		w.next++
	}
}

func (w *watermark) value() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.next
}

// rowReport is a row an import did not write: a bad row, or one the server
// refused.
type rowReport struct {
	Line   int                     `json:"line"`
	Errors []salesmania.FieldError `json:"errors"`
}

// importSummary is what an import reports on stdout.
type importSummary struct {
	File          string      `json:"file"`
	Rows          int         `json:"rows"`
	Created       int64       `json:"created"`
	Updated       int64       `json:"updated"`
	Unchanged     int64       `json:"unchanged"`
	Skipped       int         `json:"skipped"` // bad rows left out (--skip-bad)
	Resumed       int         `json:"resumed"` // rows written by the import --resume continued
	Failed        int         `json:"failed"`  // rows of the batches the server refused
	Throttled     int64       `json:"throttled"`
	Seconds       float64     `json:"seconds"`
	RowsPerSecond float64     `json:"rows_per_second"`
	DryRun        bool        `json:"dry_run,omitempty"`
	Written       bool        `json:"written"`
	BadRows       []rowReport `json:"bad_rows,omitempty"`
	Failures      []rowReport `json:"failures,omitempty"`
}

func (sum *importSummary) print(c *cli, plural string) error {
	if c.json {
		return printJSON(c.stdout, sum)
	}
	if sum.DryRun {
		_, err := fmt.Fprintf(c.stdout, "%s: %d rows would create %d %s, update %d and leave %d unchanged (dry run: nothing was written)\n",
			sum.File, sum.Rows, sum.Created, plural, sum.Updated, sum.Unchanged)
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d created, %d updated, %d unchanged, %d skipped as bad, %d failed", sum.File, sum.Created, sum.Updated, sum.Unchanged, sum.Skipped, sum.Failed)
	if sum.Resumed > 0 {
		fmt.Fprintf(&b, ", %d done before --resume", sum.Resumed)
	}
	fmt.Fprintf(&b, "; %d rows in %s (%.0f rows/s)\n", sum.Rows, formatDuration(time.Duration(sum.Seconds*float64(time.Second))), sum.RowsPerSecond)
	if sum.Throttled > 0 {
		fmt.Fprintf(&b, "The server rate-limited %d requests, which were repeated after the wait it asked for; its --rate-limit paces the import.\n", sum.Throttled)
	}
	_, err := io.WriteString(c.stdout, b.String())
	return err
}

func (s *resourceSpec[F, T]) importCommand() cliCommand {
	return cliCommand{
		summary: "FILE [--format csv|jsonl] [--skip-bad] [--workers 8] [--resume] [--dry-run]",
		run:     s.runImport,
	}
}

func (s *resourceSpec[F, T]) runImport(ctx context.Context, c *cli, args []string) error {
	began := time.Now()
	fs := c.flags()
	var format, statePath string
	var skipBad, resume, dryRun bool
	var workers int
	fs.StringVar(&format, "format", "", "csv, or jsonl for JSON lines (default: from FILE's extension, .csv or .jsonl)")
	fs.BoolVar(&skipBad, "skip-bad", false, "write the good rows and report the bad ones, instead of writing nothing")
	fs.IntVar(&workers, "workers", 4, "batches of 1000 rows sent at once, 1 to 64")
	fs.BoolVar(&resume, "resume", false, "continue an import that stopped, after the rows its state file records as done")
	fs.StringVar(&statePath, "state", "", "the state file that makes the import resumable (default FILE.progress; none for standard input)")
	fs.BoolVar(&dryRun, "dry-run", false, "check every row and tell what would be created and updated, writing nothing")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: salesmania %[1]s import FILE [flags]

Imports %[1]s from FILE ("-" for standard input): CSV whose first row names
the columns, or JSON lines (one object of the API per line). The CSV columns:
%[2]s
A column the file does not have is left as it is. id, created_at and
updated_at are ignored, so "salesmania %[1]s list --json" output can be
imported.

Every row is checked first, by the server's rules. If any row is bad, all bad
rows are listed by line number and nothing is written (with --skip-bad the
good rows are written). A row whose %[3]s is in the database already
updates that row (and is skipped if it would change nothing); other rows are
created. Rows without %[3]s are always created: importing them twice
creates them twice. The rows are sent in batches of 1000, each written
whole or not at all (POST /extapi/v1.0/%[1]s/batch); a batch the server
refuses is reported by the lines of its bad rows, and none of its rows is
written.

Progress shows on standard error; the summary goes to standard output. An
import that stops (Ctrl-C, a network or server failure) saves how far it got
in FILE.progress; run the same command with --resume to continue.

Flags:
`, s.plural, s.columnHelp, s.extColumn)
		fs.PrintDefaults()
	}
	pos, err := parseArgs(fs, args, "FILE")
	if err != nil {
		return err
	}
	path := pos[0]
	if workers < 1 || workers > 64 {
		return &usageError{fmt.Sprintf("--workers must be 1 to 64, not %d", workers)}
	}
	if format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".csv":
			format = "csv"
		case ".jsonl", ".ndjson", ".json":
			format = "jsonl"
		default:
			return &usageError{fmt.Sprintf("cannot tell the format of %q from its name; give --format csv or --format jsonl", path)}
		}
	}
	if format != "csv" && format != "jsonl" {
		return &usageError{fmt.Sprintf("--format must be csv or jsonl, not %q", format)}
	}
	if statePath == "" && path != "-" {
		statePath = path + ".progress"
	}
	if resume && statePath == "" {
		return &usageError{"--resume of standard input needs the --state file of the import it continues"}
	}

	var data []byte
	if path == "-" {
		data, err = io.ReadAll(c.stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return fmt.Errorf("read the input: %w", err)
	}
	digest := sha256.Sum256(data)
	sum := hex.EncodeToString(digest[:])

	var st *importState
	if statePath != "" && !dryRun {
		if st, err = loadImportState(statePath); err != nil {
			return err
		}
		switch {
		case resume && st == nil:
			return fmt.Errorf("nothing to resume: there is no %s (an import that completed removes it)", statePath)
		case st != nil && st.SHA256 != sum:
			return fmt.Errorf("%s is about another version of %s (the file changed since that import stopped); delete %s to import the file from its start",
				statePath, path, statePath)
		case st != nil && !resume:
			return fmt.Errorf("an import of %s stopped after %d of its %d rows (see %s); continue it with --resume, or delete %s to start over",
				path, st.Done, st.Rows, statePath, statePath)
		}
	}

	var rows []importRow[F]
	if format == "csv" {
		rows, err = s.parseCSV(data)
	} else {
		rows, err = s.parseJSONLines(data)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	data = nil
	s.markRepeats(rows)

	throttle := &countingTransport{next: pooledTransport(workers)}
	cl, err := c.connect(
		client.WithHTTPClient(&http.Client{Transport: throttle, Timeout: client.DefaultTimeout}),
		// A long import waits out a busy or rate-limiting server rather
		// than fail: the client repeats a 429 or 503 after Retry-After.
		client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 10, MaxWait: 30 * time.Second}),
	)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stderr, "%s: %d rows read; matching them by %s with the %s in the database\n", path, len(rows), s.extColumn, s.plural)
	existing, err := s.fetchExisting(ctx, cl, rows)
	if ctx.Err() != nil {
		return errors.New("interrupted; nothing was written")
	}
	if err != nil {
		return c.describeClientError(err)
	}
	s.check(rows, existing)
	fmt.Fprintf(c.stderr, "%d of the rows are %s in the database already\n", len(existing), s.plural)

	summary := &importSummary{File: path, Rows: len(rows), DryRun: dryRun}
	for _, r := range rows {
		if len(r.problems) > 0 {
			summary.BadRows = append(summary.BadRows, rowReport{Line: r.line, Errors: r.problems})
			for _, p := range r.problems {
				fmt.Fprintln(c.stderr, describeRowProblem(r.line, p))
			}
		}
	}
	if n := len(summary.BadRows); n > 0 && !skipBad && !dryRun {
		summary.Seconds = time.Since(began).Seconds()
		if c.json {
			printJSON(c.stdout, summary)
		}
		return fmt.Errorf("%d of the %d rows of %s are bad (listed above); nothing was written. Fix them, or write the other %d rows with --skip-bad",
			n, len(rows), path, len(rows)-n)
	}
	if dryRun {
		for _, r := range rows {
			if len(r.problems) == 0 {
				summary.countAction(r.action)
			}
		}
		summary.Skipped = len(summary.BadRows)
		summary.Seconds = time.Since(began).Seconds()
		return summary.print(c, s.plural)
	}
	if n := len(summary.BadRows); n > 0 {
		fmt.Fprintf(c.stderr, "skipping the %d bad rows listed above (--skip-bad)\n", n)
	}
	summary.Skipped = len(summary.BadRows)

	if st == nil {
		st = &importState{Input: path, SHA256: sum, Run: client.NewIdempotencyKey(), Rows: len(rows)}
	}
	err = s.write(ctx, c, cl, rows, st, statePath, workers, summary)
	summary.Throttled = throttle.throttled.Load()
	summary.Seconds = time.Since(began).Seconds()
	if done := summary.Created + summary.Updated + summary.Unchanged + int64(summary.Failed); summary.Seconds > 0 {
		summary.RowsPerSecond = float64(done) / summary.Seconds
	}
	for _, f := range summary.Failures {
		for _, p := range f.Errors {
			fmt.Fprintln(c.stderr, describeRowProblem(f.Line, p))
		}
	}
	if perr := summary.print(c, s.plural); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	if summary.Failed > 0 {
		return fmt.Errorf("the server refused batches of %d rows (their bad lines are listed above); nothing of those batches was written, the other rows were", summary.Failed)
	}
	return nil
}

func (sum *importSummary) countAction(a rowAction) {
	switch a {
	case actionCreate:
		sum.Created++
	case actionUpdate:
		sum.Updated++
	case actionUnchanged:
		sum.Unchanged++
	}
}

// describeRowProblem is the report line of a problem of a row.
func describeRowProblem(line int, p salesmania.FieldError) string {
	if p.Field == "" {
		return fmt.Sprintf("line %d: %s", line, p.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", line, p.Field, p.Message)
}

// markRepeats reports the rows whose ext code an earlier row of the file
// has: two rows for one customer would race each other.
func (s *resourceSpec[F, T]) markRepeats(rows []importRow[F]) {
	first := map[string]int{}
	for i := range rows {
		r := &rows[i]
		if r.fields == nil {
			continue
		}
		code := s.ext(r.fields)
		if code == "" {
			continue
		}
		if line, ok := first[code]; ok {
			r.problems = append(r.problems, salesmania.FieldError{Field: s.extColumn, Message: fmt.Sprintf("%q repeats line %d", code, line)})
			continue
		}
		first[code] = r.line
	}
}

// fetchExisting returns the rows of the database whose ext code a row of
// the file has, by that code: one walk through the whole list, 1000 rows a
// page.
func (s *resourceSpec[F, T]) fetchExisting(ctx context.Context, cl *client.Client, rows []importRow[F]) (map[string]*T, error) {
	codes := map[string]bool{}
	for _, r := range rows {
		if r.fields != nil {
			if code := s.ext(r.fields); code != "" {
				codes[code] = true
			}
		}
	}
	existing := map[string]*T{}
	if len(codes) == 0 {
		return existing, nil
	}
	for t, err := range s.all(ctx, cl) {
		if err != nil {
			return nil, err
		}
		if code := s.extOf(&t); codes[code] {
			existing[code] = &t
		}
	}
	return existing, nil
}

// check decides what each readable row does and checks it as the server
// will: a create by the rules of a new row, an update by applying it to the
// existing row.
func (s *resourceSpec[F, T]) check(rows []importRow[F], existing map[string]*T) {
	for i := range rows {
		r := &rows[i]
		if r.fields == nil {
			continue
		}
		var err error
		if ex, ok := existing[s.ext(r.fields)]; ok {
			var changed bool
			changed, err = s.applyTo(r.fields, ex)
			r.action = actionUnchanged
			if changed {
				r.action = actionUpdate
			}
			if err == nil {
				s.keep(r.fields, ex)
			}
		} else {
			err = s.checkNew(r.fields)
			r.action = actionCreate
		}
		r.problems = mergeProblems(r.problems, err)
	}
}

// mergeProblems adds the bad fields of the domain's err to those the
// reading found, leaving out fields the reading already reported (a cell
// that was no number is not also "required").
func mergeProblems(read []salesmania.FieldError, err error) []salesmania.FieldError {
	if err == nil {
		return read
	}
	var se *salesmania.Error
	if !errors.As(err, &se) {
		return append(read, salesmania.FieldError{Message: err.Error()})
	}
	root := func(field string) string {
		if i := strings.IndexAny(field, ".["); i >= 0 {
			return field[:i]
		}
		return field
	}
	seen := map[string]bool{}
	for _, p := range read {
		seen[root(p.Field)] = true
	}
	for _, f := range se.Fields {
		if !seen[root(f.Field)] {
			read = append(read, f)
		}
	}
	return read
}

// fatalError reports whether err of a row's request should stop the whole
// import rather than count the row as refused: no answer, a login that
// stopped working, or a server that stays busy or failing. The import can
// then be resumed.
func fatalError(err error) bool {
	switch code := client.StatusCode(err); {
	case code == 0, code == http.StatusUnauthorized, code == http.StatusForbidden,
		code == http.StatusTooManyRequests, code >= 500:
		return true
	}
	return false
}

// stopGrace is how long the requests under way may take to finish once an
// import is interrupted or stops on an error.
const stopGrace = 15 * time.Second

// createOnce makes a create with the idempotency key key. A 409 "still
// being processed" on that key means a request of the import this one
// resumes holds it: the interruption cut that request off, and the server
// keeps the key for its lease, after which a repeat takes the key over. So
// the create is repeated until the lease has run out, and the row is
// neither lost nor created twice.
func createOnce(ctx context.Context, key string, create func(ctx context.Context) error) error {
	ctx = client.ContextWithIdempotencyKey(ctx, key)
	deadline := time.Now().Add(httpapi.IdempotencyLease + 15*time.Second)
	wait := time.Second
	for {
		err := create(ctx)
		if !keyInFlight(err) || time.Now().After(deadline) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 15*time.Second)
	}
}

// keyInFlight reports whether err is the server's 409 for an
// Idempotency-Key that another request holds (§1.2), as opposed to a 409
// for a taken ext code.
func keyInFlight(err error) bool {
	var ce *client.Error
	return errors.As(err, &ce) && ce.Status == http.StatusConflict && strings.Contains(ce.Detail, "Idempotency-Key")
}

// batchResults returns the result of each item of a batch's answer.
func batchResults[R any](res []R, result func(R) string) []string {
	out := make([]string, len(res))
	for i, r := range res {
		out[i] = result(r)
	}
	return out
}

// batches groups the rows to send, those after start that create or
// update, by their place in the file: the batch of window w holds the rows
// to send among rows w*salesmania.MaxBatchItems up to the next window. The
// windows do not depend on start or on what the rows do, so a resumed
// import sends the batch an interruption cut off with the same rows and
// the same idempotency key (see batchKey).
func batches[F any](rows []importRow[F], start int) [][]int {
	var out [][]int
	for i := start; i < len(rows); i++ {
		if r := rows[i]; len(r.problems) > 0 || r.action == actionUnchanged {
			continue
		}
		if n := len(out); n == 0 || out[n-1][0]/salesmania.MaxBatchItems != i/salesmania.MaxBatchItems {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], i)
	}
	return out
}

// batchKey is the idempotency key of a batch of import run: its run and
// window.
func batchKey(run string, batch []int) string {
	return "import-" + run + "-w" + strconv.Itoa(batch[0]/salesmania.MaxBatchItems)
}

// refusedBatch reports a batch the server refused: each bad field it named
// as items[i].field at the line of row batch[i]; a refusal that names no
// item at the batch's first line.
func refusedBatch[F any](c *cli, rows []importRow[F], batch []int, err error) []rowReport {
	var reps []rowReport
	at := map[int]int{} // item → its report in reps
	for _, ie := range client.ItemErrors(err) {
		item := ie.Item
		if item < 0 || item >= len(batch) {
			item = 0
		}
		k, ok := at[item]
		if !ok {
			k = len(reps)
			at[item] = k
			reps = append(reps, rowReport{Line: rows[batch[item]].line})
		}
		reps[k].Errors = append(reps[k].Errors, salesmania.FieldError{Field: ie.Field, Message: ie.Message})
	}
	if len(reps) == 0 {
		reps = []rowReport{{Line: rows[batch[0]].line, Errors: []salesmania.FieldError{{Message: c.describeClientError(err).Error()}}}}
	}
	last := rows[batch[len(batch)-1]].line
	note := salesmania.FieldError{Message: fmt.Sprintf("the batch of lines %d to %d was refused: none of its %d rows was written", rows[batch[0]].line, last, len(batch))}
	reps[0].Errors = append(reps[0].Errors, note)
	return reps
}

// write sends the good rows after st.Done that create or update, in
// batches of up to salesmania.MaxBatchItems with workers batches at once,
// counting into summary, and keeps statePath up to date. Rows that would
// change nothing are counted as unchanged without being sent. It returns
// an error when the import stopped before its end.
func (s *resourceSpec[F, T]) write(ctx context.Context, c *cli, cl *client.Client, rows []importRow[F], st *importState, statePath string, workers int, summary *importSummary) error {
	start := min(st.Done, len(rows))
	wm := newWatermark(len(rows))
	var before, total, unchanged int64
	for i, r := range rows {
		switch {
		case len(r.problems) > 0:
			wm.mark(i)
		case i < start:
			wm.mark(i)
			before++
			total++
		case r.action == actionUnchanged:
			wm.mark(i)
			unchanged++
			total++
		default:
			total++
		}
	}
	todo := batches(rows, start)
	summary.Resumed = int(before)
	saveState := func() error {
		if statePath == "" {
			return nil
		}
		st.Done = wm.value()
		return st.save(statePath)
	}
	// The state is saved before the first batch is sent, so the Run of the
	// idempotency keys is known to a resumed import whatever happens.
	if err := saveState(); err != nil {
		return err
	}

	prog := newProgress(c.stderr, isTerminal(c.stderr), "import "+s.plural, before, total)
	// Batches are handed out until the import is interrupted (ctx is done)
	// or stops on an error. The requests under way then finish, for up to
	// stopGrace, so the server is left with no request cut off halfway and
	// the state file counts every row written.
	feedCtx, stopFeeding := context.WithCancel(ctx)
	defer stopFeeding()
	reqCtx, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRequests()
	finished := make(chan struct{})
	go func() {
		select {
		case <-feedCtx.Done():
		case <-finished:
			return
		}
		t := time.NewTimer(stopGrace)
		defer t.Stop()
		select {
		case <-t.C:
			cancelRequests()
		case <-finished:
		}
	}()
	var (
		mu                sync.Mutex
		stopErr           error
		created, updated  atomic.Int64
		unchange, refused atomic.Int64
	)
	unchange.Store(unchanged)
	stop := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if stopErr == nil {
			stopErr = err
		}
		stopFeeding()
	}

	saverDone := make(chan struct{})
	saverStop := make(chan struct{})
	go func() {
		defer close(saverDone)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		last := start
		for {
			select {
			case <-saverStop:
				return
			case <-t.C:
				if v := wm.value(); v != last && statePath != "" {
					last = v
					if err := saveState(); err != nil {
						stop(err)
					}
				}
			}
		}
	}()

	prog.begin()
	prog.add(unchanged)
	jobs := make(chan []int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for batch := range jobs {
				items := make([]F, len(batch))
				for j, i := range batch {
					items[j] = *rows[i].fields
				}
				var results []string
				err := createOnce(reqCtx, batchKey(st.Run, batch), func(ctx context.Context) error {
					var err error
					results, err = s.upsert(ctx, cl, items)
					return err
				})
				switch {
				case err != nil && fatalError(err):
					stop(err)
					continue // not done: a resumed import sends it again
				case err != nil:
					reps := refusedBatch(c, rows, batch, err)
					mu.Lock()
					summary.Failures = append(summary.Failures, reps...)
					mu.Unlock()
					refused.Add(int64(len(batch)))
				default:
					for _, res := range results {
						switch res {
						case salesmania.BatchCreated:
							created.Add(1)
						case salesmania.BatchUpdated:
							updated.Add(1)
						default:
							unchange.Add(1)
						}
					}
				}
				for _, i := range batch {
					wm.mark(i)
				}
				prog.add(int64(len(batch)))
			}
		})
	}
feed:
	for _, batch := range todo {
		select {
		case jobs <- batch:
		case <-feedCtx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(finished)
	close(saverStop)
	<-saverDone
	prog.finish()

	summary.Created, summary.Updated, summary.Unchanged = created.Load(), updated.Load(), unchange.Load()
	summary.Failed = int(refused.Load())
	slices.SortFunc(summary.Failures, func(a, b rowReport) int { return a.Line - b.Line })
	summary.Written = summary.Created+summary.Updated > 0
	done := wm.value()
	if stopErr == nil && done == len(rows) {
		if statePath != "" {
			if err := os.Remove(statePath); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		return nil
	}
	if stopErr == nil {
		stopErr = ctx.Err() // interrupted; nothing else stops the feeding without an error
	}
	if stopErr == nil { // cannot happen: every batch was handed out and marked
		stopErr = errors.New("not every row was written")
	}
	if err := saveState(); err != nil {
		return err
	}
	why := "interrupted"
	if !errors.Is(stopErr, context.Canceled) || ctx.Err() == nil {
		why = "stopped: " + c.describeClientError(stopErr).Error()
	}
	if statePath == "" {
		return fmt.Errorf("%s after %d of the %d rows", why, done, len(rows))
	}
	return fmt.Errorf("%s after %d of the %d rows (saved in %s); run the same command with --resume to continue", why, done, len(rows), statePath)
}
