package sqlstore

import "database/sql"

// ReadDB returns the pool that serves reads, so the tests of package
// sqlstore_test can check the settings of its connections.
func (s *Store) ReadDB() *sql.DB { return s.read }

// SetOrderRefsReadHook makes CreateOrder call f between its read of the
// rows an order names and its write, until the test ends.
func SetOrderRefsReadHook(tb interface{ Cleanup(func()) }, f func()) {
	orderRefsReadHook = f
	tb.Cleanup(func() { orderRefsReadHook = nil })
}
