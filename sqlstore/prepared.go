package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// Prepared statements for SQLite. Parsing and planning a statement costs
// SQLite more than running a lookup by key, so the store prepares each
// query text once per pool and reuses it (database/sql prepares it again on
// each connection as needed). PostgreSQL's driver keeps its own statement
// cache, so there the store sends queries as they are.
//
// Preparing takes a connection of the pool, so a goroutine holding one in a
// transaction must have another to prepare on: the write pool has two
// connections for that, and read transactions only use statements already
// prepared.

// maxCachedStatements bounds the cache; query texts are few (list queries
// vary only by which filters are set), so it is never reached in practice.
const maxCachedStatements = 512

type stmtCache struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for query, or nil when the query is
// not one to keep (a list of placeholders, " IN ($", makes its text vary
// with the number of its arguments; see idIn) or cannot be prepared.
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if c == nil || strings.Contains(query, " IN ($") {
		return nil
	}
	c.mu.RLock()
	st := c.m[query]
	c.mu.RUnlock()
	if st != nil {
		return st
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st := c.m[query]; st != nil {
		return st
	}
	if len(c.m) >= maxCachedStatements {
		return nil
	}
	st, err := c.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil // the caller runs the query unprepared and sees the error
	}
	c.m[query] = st
	return st
}

// lookup returns the prepared statement for query if the cache has it.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[query]
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = map[string]*sql.Stmt{}
}

// pool runs queries on a connection pool with the statement cache.
type pool struct {
	db    *sql.DB
	cache *stmtCache
}

func (p pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.cache.get(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.db.QueryContext(ctx, query, args...)
}

func (p pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.cache.get(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.db.QueryRowContext(ctx, query, args...)
}

func (p pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.cache.get(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.db.ExecContext(ctx, query, args...)
}

// txn is a transaction that runs its queries through the statement cache of
// the pool it came from (nil: no cache). With lookupOnly it uses only
// statements the cache has already: preparing a new one would need a second
// connection of the pool while the transaction holds one.
type txn struct {
	*sql.Tx
	cache      *stmtCache
	lookupOnly bool
	// countShards is the number of shards row counts are kept in (see
	// countRow); 0 or 1: one.
	countShards int
	// postgres tells writeChanges which feed mechanism to use.
	postgres bool
	// changes are the feed entries of the write under way, written when it
	// is about to commit (feed.go).
	changes []change
	// counts are the row counts a PostgreSQL write changes, stored with
	// its changes (countRow).
	counts []rowCount
}

// stmt returns the cached statement for query, if any.
func (t *txn) stmt(ctx context.Context, query string) *sql.Stmt {
	if t.lookupOnly {
		return t.cache.lookup(query)
	}
	return t.cache.get(ctx, query)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmt(ctx, query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmt(ctx, query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmt(ctx, query); st != nil {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}
