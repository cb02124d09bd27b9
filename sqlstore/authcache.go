package sqlstore

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/salesmania/salesmania"
)

// Every authenticated request looks its bearer token up, so the store keeps
// the answers in memory: on SQLite the lookup was a fifth of the CPU of
// GET /customers/{id}, on PostgreSQL it is a round trip.
//
// Revocation holds at once, on every process (§9): a request that starts
// after a revoking change has returned is refused, whichever process
// serves it. Every change that takes access away (RevokeToken, PutMember,
// RemoveMember) bumps the auth epoch, a counter in the database (table
// auth_epoch), in its own transaction, and the process that made it drops
// its own cache on commit. For the other processes sharing the database
// (servers behind a load balancer, the admin CLI):
//
//   - On SQLite every lookup first reads the epoch row, a one-row read of a
//     local file, and drops the cache when the epoch moved; the expensive
//     part, the token and membership join, stays cached.
//   - On PostgreSQL, where that read would be a round trip, each server
//     process listens for the epoch's NOTIFY on a connection of its own and
//     holds a lease on a row of auth_listeners, renewed through that
//     connection (authlisten.go). The revoking transaction sends the NOTIFY;
//     after it commits, the revoker waits until every process with a live
//     lease has acknowledged the new epoch, which each does only after it
//     dropped its cache, or until that lease ran out. A process trusts its
//     cache only while its listener is connected and its lease is live (by
//     its own clock, with a second to spare); otherwise it reads the epoch
//     on every lookup, as on SQLite.
//
// Only answers of the database are cached, and a cached token still
// expires on time.

// maxCachedTokens bounds the cache; when full it starts again empty.
const maxCachedTokens = 100_000

type authKey struct {
	hash string
	dbID int64
}

type authCache struct {
	mu    sync.RWMutex
	m     map[authKey]salesmania.TokenOwner
	gen   atomic.Uint64 // moves on every drop; a fill read under an older gen is discarded
	epoch atomic.Int64  // the auth epoch the entries were read under; written under mu

	// The PostgreSQL listener's vouching (authlisten.go): the cache may be
	// used without reading the epoch until both clocks pass these, the
	// monotonic one counted from base. trustMono 0: not vouched for.
	base      time.Time
	trustMono atomic.Int64
	trustWall atomic.Int64
}

func newAuthCache() *authCache {
	return &authCache{m: map[authKey]salesmania.TokenOwner{}, base: time.Now()}
}

// trusted reports whether a live listener vouches for the cache, so a lookup
// need not read the auth epoch. It reads the clock (both its monotonic and
// its wall reading, so that neither a suspended machine nor a stepped clock
// makes an expired lease look live).
func (c *authCache) trusted() bool {
	mono := c.trustMono.Load()
	if mono == 0 {
		return false
	}
	now := time.Now()
	return int64(now.Sub(c.base)) < mono && now.UnixNano() < c.trustWall.Load()
}

// trustUntil makes the cache trusted until t (see trusted).
func (c *authCache) trustUntil(t time.Time) {
	c.trustWall.Store(t.UnixNano())
	c.trustMono.Store(max(int64(t.Sub(c.base)), 1))
}

// distrust makes every later lookup read the auth epoch.
func (c *authCache) distrust() { c.trustMono.Store(0) }

// drop empties the cache.
func (c *authCache) drop() {
	c.mu.Lock()
	c.gen.Add(1)
	clear(c.m)
	c.mu.Unlock()
}

// observe records the auth epoch as just read from the database, and
// empties the cache if it moved.
func (c *authCache) observe(epoch int64) {
	if c.epoch.Load() == epoch {
		return
	}
	c.mu.Lock()
	if c.epoch.Load() != epoch {
		c.epoch.Store(epoch)
		c.gen.Add(1)
		clear(c.m)
	}
	c.mu.Unlock()
}

// advance records that the auth epoch reached at least epoch (a
// notification, which may arrive after a read saw a later one), and empties
// the cache unless it was read under that epoch or a later one.
func (c *authCache) advance(epoch int64) {
	if c.epoch.Load() >= epoch {
		return
	}
	c.mu.Lock()
	if c.epoch.Load() < epoch {
		c.epoch.Store(epoch)
		c.gen.Add(1)
		clear(c.m)
	}
	c.mu.Unlock()
}

// get returns the cached owner, and the generation a fill must present.
func (c *authCache) get(k authKey) (salesmania.TokenOwner, bool, uint64) {
	c.mu.RLock()
	o, ok := c.m[k]
	gen := c.gen.Load()
	c.mu.RUnlock()
	return o, ok, gen
}

// put caches o unless the cache was dropped since gen was read.
func (c *authCache) put(k authKey, o salesmania.TokenOwner, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen {
		return
	}
	if len(c.m) >= maxCachedTokens {
		clear(c.m)
	}
	c.m[k] = o
}

// freshAuth makes the token cache safe to use for a lookup starting now:
// unless a live listener vouches for it, it reads the auth epoch and drops
// the cache if the epoch moved. On PostgreSQL the first call starts the
// listener (authlisten.go), so a store that never looks a token up (the
// admin CLI) holds no listening connection.
func (s *Store) freshAuth(ctx context.Context) error {
	if s.auth.trusted() {
		return nil
	}
	if s.dialect == dialectPostgres {
		s.listener.start(s)
	}
	epoch, err := s.readAuthEpoch(ctx)
	if err != nil {
		return err
	}
	s.auth.observe(epoch)
	return nil
}

// readAuthEpoch reads the auth epoch.
func (s *Store) readAuthEpoch(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, "SELECT n FROM auth_epoch WHERE id = 1").Scan(&n)
	return n, s.wrap(err)
}

// bumpAuthEpoch moves the auth epoch, in tx, and returns its new value; on
// PostgreSQL the same statement queues the NOTIFY that the listeners of
// other processes act on when tx commits (authlisten.go).
func (s *Store) bumpAuthEpoch(ctx context.Context, tx *txn) (int64, error) {
	var n int64
	query := "UPDATE auth_epoch SET n = n + 1 WHERE id = 1 RETURNING n"
	if s.dialect == dialectPostgres {
		query = `WITH e AS (UPDATE auth_epoch SET n = n + 1 WHERE id = 1 RETURNING n)
			SELECT n FROM e, pg_notify('` + authChannel + `', current_schema() || ' ' || n)`
	}
	err := tx.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

// inAuthWriteTx runs fn, a change that can take access away, in a write
// transaction that also bumps the auth epoch, and drops this process's
// token cache once it committed (and, in case, before it starts). On
// PostgreSQL it then waits until every other server process has dropped its
// cache too (awaitAuthEpoch), so the change holds at once everywhere when
// it returns.
func (s *Store) inAuthWriteTx(ctx context.Context, fn func(ctx context.Context, tx *txn) error) error {
	var epoch int64
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		var err error
		epoch, err = s.bumpAuthEpoch(ctx, tx)
		return err
	})
	// Drop even on error: the outcome of a failed commit may be unknown.
	s.auth.drop()
	if err != nil || s.dialect != dialectPostgres {
		return err
	}
	return s.awaitAuthEpoch(ctx, epoch)
}
