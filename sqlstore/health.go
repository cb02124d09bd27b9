package sqlstore

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/salesmania/salesmania"
)

// How often CanWrite tries a write of its own: while writes are failing for
// want of disk space, to find out when they work again; and while all is
// well, to notice a full disk before a client's write does.
const (
	writeProbeWhileFull = 2 * time.Second
	writeProbeEvery     = 30 * time.Second
	writeProbeTimeout   = 5 * time.Second
)

// writeHealth remembers whether the database can write: a write that
// failed for want of disk space marks it full, a write that committed marks
// it well again.
type writeHealth struct {
	full atomic.Bool
	// mu guards the probe's schedule.
	mu        sync.Mutex
	lastProbe time.Time // when the last probe started
	probing   bool
}

// setFull records the outcome of a write; cheap enough for every one.
func (h *writeHealth) setFull(full bool) {
	if h.full.Load() != full {
		h.full.Store(full)
	}
}

// errStorageFull is the answer to a write that failed for want of disk
// space: the transaction was rolled back.
func errStorageFull() error {
	return &salesmania.Error{Code: salesmania.ESTORAGEFULL, RetryAfter: 30,
		Message: "The database cannot write: its disk is full. Nothing was changed; retry once space has been freed."}
}

// CanWrite reports ESTORAGEFULL while the database's disk is full: since a
// write failed for want of space and no write has committed since. It does
// no I/O of its own while the caller waits, so health checks may call it
// often: it starts, at most every writeProbeWhileFull while full and every
// writeProbeEvery otherwise, a small write in the background (the row
// write_probe of settings), whose outcome the following calls report.
func (s *Store) CanWrite(ctx context.Context) error {
	h := &s.health
	full := h.full.Load()
	h.mu.Lock()
	every := writeProbeEvery
	if full {
		every = writeProbeWhileFull
	}
	probe := !h.probing && time.Since(h.lastProbe) >= every
	if probe {
		h.probing, h.lastProbe = true, time.Now()
	}
	h.mu.Unlock()
	if probe {
		go s.probeWrite()
	}
	if full {
		return errStorageFull()
	}
	return nil
}

// probeWrite writes one row, so that inWriteTx marks the database full or
// well by its outcome.
func (s *Store) probeWrite() {
	defer func() {
		s.health.mu.Lock()
		s.health.probing = false
		s.health.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), writeProbeTimeout)
	defer cancel()
	s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES ('write_probe', $1) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
			[]byte(time.Now().UTC().Format(time.RFC3339Nano)))
		return err
	})
}
