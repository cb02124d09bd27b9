package sqlstore

import "database/sql"

// ReadDB returns the pool that serves reads, so the tests of package
// sqlstore_test can check the settings of its connections.
func (s *Store) ReadDB() *sql.DB { return s.read }
