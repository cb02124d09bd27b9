package sqlstore

import (
	"context"
	"database/sql"
)

// ReadDB returns the pool that serves reads, so the tests of package
// sqlstore_test can check the settings of its connections.
func (s *Store) ReadDB() *sql.DB { return s.read }

// SetOrderRefsReadHook makes CreateOrder call f between its read of the
// rows an order names and its write, until the test ends.
func SetOrderRefsReadHook(tb interface{ Cleanup(func()) }, f func()) {
	orderRefsReadHook = f
	tb.Cleanup(func() { orderRefsReadHook = nil })
}

// WriteTx runs fn in a write transaction as every write method does (on
// SQLite through the group commit), for tests that need a write of their
// own: one that panics, or one that holds the writer.
func (s *Store) WriteTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error { return fn(ctx, tx.Tx) })
}

// QueuedWrites returns the number of writes waiting for SQLite's writer
// goroutine (0 on PostgreSQL), so a test can fill one batch.
func (s *Store) QueuedWrites() int {
	if s.batch == nil {
		return 0
	}
	return len(s.batch.jobs)
}

// SetPostgresCommitHook makes every PostgreSQL write call f with its
// context just before it commits, until the test ends, so a test can hold
// one write open after its statements ran.
func SetPostgresCommitHook(tb interface{ Cleanup(func()) }, f func(ctx context.Context)) {
	postgresCommitHook = f
	tb.Cleanup(func() { postgresCommitHook = nil })
}

// AuthTrusted reports whether the store's token cache is vouched for by a
// live PostgreSQL listener (authlisten.go), so lookups skip the epoch read.
func (s *Store) AuthTrusted() bool { return s.auth.trusted() }

// AuthListenerName is the application_name of the store's listening
// connection, so a test can kill it.
func (s *Store) AuthListenerName() string { return "salesmania auth listener " + s.listener.selfID() }
