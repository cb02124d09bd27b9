package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
)

// "salesmania sync --out DIR" keeps a copy of a database in DIR, from the
// change feed (§14): a JSON-lines file per kind, one row per line as GET by
// id answers it, sorted by id, and DIR/position, the feed's position the
// files are at. Each run goes on from that position.
//
// A kill at any moment leaves a copy the next run completes. Every file is
// written whole to a temporary file and renamed over the old one, so each
// file is either the old or the new one. After a batch of changes, the
// files it touched are replaced first and the position last, so the
// position is never ahead of the files; it may be behind them (killed
// between two renames), and then the next run applies some changes a
// second time — which leaves the same rows, since every change sets its
// row to a state (the object, or gone) whatever the row was before.

// mirrorFiles are the kinds the copy keeps, each in its file.
var mirrorFiles = []struct{ kind, file string }{
	{salesmania.ChangeCustomer, "customers.jsonl"},
	{salesmania.ChangeProduct, "products.jsonl"},
	{salesmania.ChangeVisit, "visits.jsonl"},
	{salesmania.ChangeVisitPlan, "visit_plans.jsonl"},
	{salesmania.ChangeOrder, "orders.jsonl"},
}

const (
	positionFile = "position"
	// syncTempPrefix begins the temporary files of a write; a run removes
	// those a killed run left.
	syncTempPrefix = ".salesmania-sync-"
	// syncLockFile is locked while a sync runs in its directory, so two
	// cannot interleave their writes.
	syncLockFile     = ".salesmania-sync.lock"
	defaultSyncBatch = 10000
	maxSyncBatch     = 1000000
)

const syncUsage = `Usage: salesmania sync --out DIR [--interval 30s] [--once] [--batch 10000] [--profile NAME]

Keeps a copy of the database in DIR, from the server's change feed: one
JSON-lines file per kind (customers.jsonl, products.jsonl, visits.jsonl,
visit_plans.jsonl, orders.jsonl), one row per line as the API shows it, and
DIR/position, where the copy is in the feed. Each run goes on from there;
a run stopped at any point (Ctrl-C, kill, power) leaves files the next run
completes. A member's copy holds its own team's visits, plans and orders.
Progress goes to standard error.

`

func runSync(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := &cli{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, name: "sync"}
	fs := c.profileFlags()
	var dir string
	var interval time.Duration
	var once bool
	var batch int
	fs.StringVar(&dir, "out", "", "the `directory` of the copy (required); made if it does not exist")
	fs.DurationVar(&interval, "interval", 30*time.Second, "how often to ask for new changes, e.g. 30s or 5m")
	fs.BoolVar(&once, "once", false, "sync to the end of the feed and exit, instead of going on until Ctrl-C")
	fs.IntVar(&batch, "batch", defaultSyncBatch, "rewrite the files after at most this many changes, 1 to 1000000")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), syncUsage)
		fs.PrintDefaults()
	}
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	switch {
	case dir == "":
		return &usageError{"missing required flag --out"}
	case interval <= 0:
		return &usageError{"--interval must be a positive duration, e.g. 30s"}
	case batch < 1 || batch > maxSyncBatch:
		return &usageError{"--batch must be from 1 to " + strconv.Itoa(maxSyncBatch)}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	unlock, err := lockDir(filepath.Join(dir, syncLockFile))
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	defer unlock()
	if err := removeSyncTemps(dir); err != nil {
		return err
	}
	m, err := openMirror(dir)
	if err != nil {
		return err
	}
	cl, err := c.connect()
	if err != nil {
		return err
	}
	s := &syncer{c: c, cl: cl, m: m, batch: batch}
	if m.pos == "" {
		fmt.Fprintf(stderr, "sync: %s: from the beginning of the feed\n", dir)
	} else {
		fmt.Fprintf(stderr, "sync: %s: from its position; %s\n", dir, m.counts())
	}
	for {
		err := s.pass(ctx)
		switch {
		case ctx.Err() != nil && once:
			return fmt.Errorf("interrupted; %s holds every change up to its position, and the next run goes on from there", dir)
		case ctx.Err() != nil:
			fmt.Fprintf(stderr, "sync: stopped; %s\n", m.counts())
			return nil
		case err != nil && (once || !transient(err)):
			return s.describe(err)
		case err != nil:
			fmt.Fprintf(stderr, "sync: %v; trying again in %s\n", s.describe(err), interval)
		case once:
			fmt.Fprintf(stderr, "sync: %s is up to date; %s\n", dir, m.counts())
			return nil
		}
		if sleep(ctx, interval) != nil {
			fmt.Fprintf(stderr, "sync: stopped; %s\n", m.counts())
			return nil
		}
	}
}

// syncer brings a mirror up to the end of the feed.
type syncer struct {
	c     *cli
	cl    *client.Client
	m     *mirror
	batch int
	// unknown are the kinds of change this program does not keep, each
	// reported once.
	unknown map[string]bool
}

// pass applies every change after the mirror's position up to the end of
// the feed, writing the files after each batch and at the end, and also
// when a page cannot be fetched (what was applied by then is kept).
func (s *syncer) pass(ctx context.Context) error {
	pending := 0
	for {
		page, err := s.cl.ChangesPage(ctx, s.m.pos, min(s.batch, salesmania.MaxFeedLimit))
		if err != nil {
			if pending > 0 {
				if ferr := s.flush(pending); ferr != nil {
					return ferr
				}
			}
			return err
		}
		for _, ch := range page.Data {
			known, err := s.m.apply(ch)
			if err != nil {
				return err
			}
			if !known && !s.unknown[ch.Kind] {
				if s.unknown == nil {
					s.unknown = map[string]bool{}
				}
				s.unknown[ch.Kind] = true
				fmt.Fprintf(s.c.stderr, "sync: skipping changes of kind %q, which this program does not know; a newer one syncs them into a new directory\n", ch.Kind)
			}
		}
		pending += len(page.Data)
		if page.Next != s.m.pos {
			s.m.pos, s.m.posDirty = page.Next, true
		}
		if pending >= s.batch || !page.HasMore {
			if err := s.flush(pending); err != nil {
				return err
			}
			pending = 0
		}
		if !page.HasMore {
			return nil
		}
	}
}

func (s *syncer) flush(changes int) error {
	if !s.m.posDirty && len(s.m.dirty) == 0 {
		return nil
	}
	if err := s.m.flush(); err != nil {
		return err
	}
	if changes > 0 {
		noun := "changes"
		if changes == 1 {
			noun = "change"
		}
		fmt.Fprintf(s.c.stderr, "sync: %d %s applied; %s\n", changes, noun, s.m.counts())
	}
	return nil
}

// describe turns an error of a pass into a message for people: a
// position the server refuses says what to do about it.
func (s *syncer) describe(err error) error {
	var ce *client.Error
	if errors.As(err, &ce) && ce.Status == http.StatusBadRequest {
		for _, f := range ce.Fields {
			if f.Field == "after" {
				path := filepath.Join(s.m.dir, positionFile)
				return fmt.Errorf("the server refuses the position in %s (after: %s): is the copy of another database or server? Remove %s to sync %s again from the beginning",
					path, f.Message, path, s.m.dir)
			}
		}
	}
	var fe *fileError
	if errors.As(err, &fe) {
		return err
	}
	return s.c.describeClientError(err)
}

// transient reports whether a pass that failed with err may succeed if
// tried again later: the server could not be reached, or was busy or
// failing.
func transient(err error) bool {
	var ue *url.Error
	if errors.As(err, &ue) {
		return true
	}
	code := client.StatusCode(err)
	return code == http.StatusTooManyRequests || code >= 500
}

// fileError is a failure to read or write the copy's files.
type fileError struct{ err error }

func (e *fileError) Error() string { return e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// mirror is the copy in memory: the rows of each kind by id, each the
// JSON of one line.
type mirror struct {
	dir      string
	pos      string // "" before the first page
	posDirty bool
	rows     map[string]map[int64][]byte
	dirty    map[string]bool // kinds whose file is to be written
}

// openMirror reads the copy in dir. Without a position file the copy
// starts empty, whatever files are there: the feed from its beginning
// gives every row.
func openMirror(dir string) (*mirror, error) {
	m := &mirror{dir: dir, rows: map[string]map[int64][]byte{}, dirty: map[string]bool{}}
	for _, k := range mirrorFiles {
		m.rows[k.kind] = map[int64][]byte{}
	}
	posPath := filepath.Join(dir, positionFile)
	b, err := os.ReadFile(posPath)
	if errors.Is(err, os.ErrNotExist) {
		for _, k := range mirrorFiles {
			m.dirty[k.kind] = true // every file exists after the first run
		}
		return m, nil
	}
	if err != nil {
		return nil, err
	}
	damaged := func(what string) error {
		return fmt.Errorf("%s %s; remove %s to sync %s again from the beginning", posPath, what, posPath, dir)
	}
	pos, ok := strings.CutSuffix(string(b), "\n")
	if !ok || !validPosition(pos) {
		return nil, damaged(fmt.Sprintf("is damaged: it must hold one position of the change feed on a line, not %s", abbreviateQuoted(string(b), 70)))
	}
	m.pos = pos
	for _, k := range mirrorFiles {
		path := filepath.Join(dir, k.file)
		if err := m.read(k.kind, path); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, damaged("names a position, but " + path + " is missing")
			}
			return nil, damaged("names a position, but " + err.Error())
		}
	}
	return m, nil
}

// validPosition reports whether s can be a position of the feed: 1 to 64
// characters of unpadded base64url, as the server gives them out.
func validPosition(s string) bool {
	if len(s) == 0 || len(s) > salesmania.MaxFeedPositionLength {
		return false
	}
	for i := range len(s) {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func abbreviateQuoted(s string, n int) string {
	if len(s) > n {
		return strconv.Quote(s[:n]) + "…"
	}
	return strconv.Quote(s)
}

// read loads a kind's file: one JSON object with a positive id a line.
func (m *mirror) read(kind, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20) // an order of 500 lines is far below
	for line := 1; sc.Scan(); line++ {
		var row struct {
			ID int64 `json:"id"`
		}
		b := sc.Bytes()
		if err := json.Unmarshal(b, &row); err != nil || row.ID <= 0 || b[0] != '{' {
			return fmt.Errorf("%s line %d is not a row (a JSON object with its id)", path, line)
		}
		if _, dup := m.rows[kind][row.ID]; dup {
			return fmt.Errorf("%s line %d repeats id %d", path, line, row.ID)
		}
		m.rows[kind][row.ID] = bytes.Clone(b)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// apply sets the row of a change; known is false for a kind the mirror
// does not keep.
func (m *mirror) apply(ch client.Change) (known bool, err error) {
	rows, ok := m.rows[ch.Kind]
	if !ok {
		return false, nil
	}
	if ch.Deleted() {
		delete(rows, ch.ID)
	} else {
		var b bytes.Buffer
		if err := json.Compact(&b, ch.Object); err != nil || b.Len() == 0 || b.Bytes()[0] != '{' {
			return true, fmt.Errorf("the server sent change %s (%s %d) without a JSON object", ch.Pos, ch.Kind, ch.ID)
		}
		rows[ch.ID] = b.Bytes()
	}
	m.dirty[ch.Kind] = true
	return true, nil
}

// flush writes the files of the kinds that changed, then the position.
func (m *mirror) flush() error {
	for _, k := range mirrorFiles {
		if !m.dirty[k.kind] {
			continue
		}
		rows := m.rows[k.kind]
		err := writeFileAtomic(m.dir, k.file, func(w *bufio.Writer) error {
			for _, id := range slices.Sorted(maps.Keys(rows)) {
				w.Write(rows[id])
				if err := w.WriteByte('\n'); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		delete(m.dirty, k.kind)
	}
	// The files are in place, and on the disk, before the position says so.
	if err := syncDir(m.dir); err != nil {
		return &fileError{err}
	}
	if m.posDirty {
		err := writeFileAtomic(m.dir, positionFile, func(w *bufio.Writer) error {
			_, err := w.WriteString(m.pos + "\n")
			return err
		})
		if err != nil {
			return err
		}
		if err := syncDir(m.dir); err != nil {
			return &fileError{err}
		}
		m.posDirty = false
	}
	return nil
}

// counts says how many rows of each kind the copy holds.
func (m *mirror) counts() string {
	parts := make([]string, len(mirrorFiles))
	for i, k := range mirrorFiles {
		parts[i] = strings.TrimSuffix(k.file, ".jsonl") + " " + strconv.Itoa(len(m.rows[k.kind]))
	}
	return strings.Join(parts, ", ")
}

// writeFileAtomic replaces dir/name by what write writes: into a
// temporary file of dir, flushed to the disk, then renamed over the old
// file, so dir/name is at every moment the old file or the new one, whole.
func writeFileAtomic(dir, name string, write func(w *bufio.Writer) error) (err error) {
	tmp, err := os.CreateTemp(dir, syncTempPrefix+name+"-*")
	if err != nil {
		return &fileError{err}
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = &fileError{fmt.Errorf("writing %s: %w", filepath.Join(dir, name), err)}
		}
	}()
	w := bufio.NewWriterSize(tmp, 1<<16)
	if err := write(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}

// removeSyncTemps removes the temporary files a killed run left in dir.
func removeSyncTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), syncTempPrefix) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// sleep waits for d, or less if ctx ends first (then it returns ctx's
// error).
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
