package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// Group commit for SQLite. Every write transaction of the process goes
// through one goroutine that owns the write connection. When writes arrive
// while a commit is being made durable (synchronous=FULL: an fsync), they
// queue, and the next round runs all of them in one transaction — each in a
// savepoint of its own, so one write's failure undoes only that write — and
// makes them durable with one commit. Every caller is answered only after
// the commit that holds its write, so every 200 stays durable while
// concurrent writes share the cost of the fsync.
//
// The goroutine runs outside any HTTP handler, so no recovery of the HTTP
// layer covers it: a write that panics is recovered here, undone alone (its
// savepoint, or the transaction when it ran alone) and answered with an
// internal error, while the other writes of its batch commit and the
// goroutine serves on.

// maxBatch bounds the writes of one group commit.
const maxBatch = 128

type writeJob struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *txn) error
	done chan error
}

type batcher struct {
	db    *sql.DB
	cache *stmtCache
	jobs  chan *writeJob
	quit  chan struct{}
	wg    sync.WaitGroup
	// mu makes close wait for every send under way; closed refuses new ones.
	mu     sync.RWMutex
	closed bool
}

func newBatcher(db *sql.DB, cache *stmtCache) *batcher {
	b := &batcher{db: db, cache: cache, jobs: make(chan *writeJob, maxBatch), quit: make(chan struct{})}
	b.wg.Add(1)
	go b.run()
	return b
}

var errClosed = errors.New("sqlstore: store closed")

// do runs fn in a write transaction and returns its error, or the commit's.
func (b *batcher) do(ctx context.Context, fn func(ctx context.Context, tx *txn) error) error {
	j := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return errClosed
	}
	select {
	case b.jobs <- j:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued, the write is seen through: the caller learns whether it
	// committed even if it stops waiting.
	return <-j.done
}

// close answers the writes queued with errClosed and stops the goroutine;
// later writes get errClosed at once. Closing twice is harmless.
func (b *batcher) close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.mu.Unlock()
	close(b.quit)
	b.wg.Wait()
}

func (b *batcher) run() {
	defer b.wg.Done()
	for {
		var first *writeJob
		select {
		case first = <-b.jobs:
		case <-b.quit:
			// Answer what is queued, then stop.
			for {
				select {
				case j := <-b.jobs:
					j.done <- errClosed
				default:
					return
				}
			}
		}
		batch := []*writeJob{first}
	gather:
		for len(batch) < maxBatch {
			select {
			case j := <-b.jobs:
				batch = append(batch, j)
			default:
				break gather
			}
		}
		b.commit(batch)
	}
}

// commit runs the batch in one transaction. A write whose caller gave up
// before it started is skipped.
func (b *batcher) commit(batch []*writeJob) {
	live := batch[:0]
	for _, j := range batch {
		if err := j.ctx.Err(); err != nil {
			j.done <- err
			continue
		}
		live = append(live, j)
	}
	if len(live) == 0 {
		return
	}
	sqlTx, err := b.db.BeginTx(context.Background(), nil)
	if err != nil {
		for _, j := range live {
			j.done <- err
		}
		return
	}
	tx := &txn{Tx: sqlTx, cache: b.cache}
	results := make([]error, len(live))
	if len(live) == 1 {
		results[0] = runWrite(tx, live[0])
		if results[0] != nil {
			tx.Rollback()
			live[0].done <- results[0]
			return
		}
	} else {
		for i, j := range live {
			results[i] = runInSavepoint(tx, j)
		}
	}
	if err := tx.Commit(); err != nil {
		tx.Rollback()
		for i := range results {
			if results[i] == nil {
				results[i] = err
			}
		}
	}
	for i, j := range live {
		j.done <- results[i]
	}
}

// runInSavepoint runs one write of a batch so that its failure undoes only
// its own changes.
func runInSavepoint(tx *txn, j *writeJob) error {
	ctx := context.Background()
	if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
		return err
	}
	ferr := runWrite(tx, j)
	if ferr != nil {
		if _, err := tx.ExecContext(ctx, "ROLLBACK TO w"); err != nil {
			return errors.Join(ferr, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "RELEASE w"); err != nil {
		return errors.Join(ferr, err)
	}
	return ferr
}

// runWrite runs one write's fn, turning a panic into a *writePanic error.
func runWrite(tx *txn, j *writeJob) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &writePanic{value: v, stack: debug.Stack()}
		}
	}()
	return j.fn(context.WithoutCancel(j.ctx), tx)
}

// writePanic is the error of a write that panicked on the writer goroutine:
// a bug, so an internal error (500), reported with the panic's stack for
// the log. It does not unwrap to the panic's value, which might otherwise
// pass for an error the caller could act on.
type writePanic struct {
	value any
	stack []byte
}

func (p *writePanic) Error() string {
	return fmt.Sprintf("sqlstore: a write panicked (undone; the other writes went on): %v\n%s", p.value, p.stack)
}
