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
// Revocation is honoured through the auth epoch, a counter in the database
// (table auth_epoch) that every change taking access away bumps in its own
// transaction: RevokeToken, PutMember, RemoveMember. The process that makes
// such a change drops its cache when the change commits, so there the change
// holds for the very next request. Every other process sharing the database
// (servers behind a load balancer, the admin CLI) reads the epoch again at
// most the recheck interval after its last read, and drops its cache when
// the epoch moved: there a change holds within that interval
// (SetAuthRecheck; 0 makes it hold at once). Only positive answers are
// cached, and a cached token still expires on time.

// DefaultAuthRecheck is how long a store trusts its cache of bearer tokens
// before it reads the auth epoch again, unless SetAuthRecheck says
// otherwise: the longest a token revoked, or a membership changed, by
// another process still works in this one.
const DefaultAuthRecheck = time.Second

// MaxAuthRecheck bounds SetAuthRecheck.
const MaxAuthRecheck = time.Minute

// SetAuthRecheck sets how long the store trusts its cache of bearer tokens
// before it reads the auth epoch again (see DefaultAuthRecheck); 0 reads it
// on every lookup, so changes made by other processes hold at once, for the
// price of one more (cheap) query per request. Values outside
// [0, MaxAuthRecheck] are clamped.
func (s *Store) SetAuthRecheck(d time.Duration) {
	s.auth.recheck.Store(int64(min(max(d, 0), MaxAuthRecheck)))
}

// maxCachedTokens bounds the cache; when full it starts again empty.
const maxCachedTokens = 100_000

type authKey struct {
	hash string
	dbID int64
}

type authCache struct {
	mu      sync.RWMutex
	m       map[authKey]salesmania.TokenOwner
	gen     atomic.Uint64 // moves on every drop; a fill read under an older gen is discarded
	epoch   int64         // the auth epoch the entries were read under
	checked atomic.Int64  // unix nanoseconds of the last epoch read
	refresh sync.Mutex    // one epoch read at a time
	recheck atomic.Int64  // a time.Duration
}

func newAuthCache(recheck time.Duration) *authCache {
	c := &authCache{m: map[authKey]salesmania.TokenOwner{}}
	c.recheck.Store(int64(recheck))
	return c
}

// drop empties the cache.
func (c *authCache) drop() {
	c.mu.Lock()
	c.gen.Add(1)
	clear(c.m)
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

// fresh makes sure the cache is no older than the recheck interval: when it
// is, it reads the auth epoch and drops the cache if the epoch moved. While
// one request reads the epoch, the others go on with the cache as it is,
// except with a recheck of 0, where each waits for a read of its own.
func (c *authCache) fresh(ctx context.Context, read func(ctx context.Context) (int64, error)) error {
	now, recheck := time.Now().UnixNano(), c.recheck.Load()
	if recheck > 0 {
		if now-c.checked.Load() < recheck {
			return nil
		}
		if !c.refresh.TryLock() {
			if c.checked.Load() != 0 {
				return nil
			}
			c.refresh.Lock() // the first read: everyone waits for it
		}
		if now-c.checked.Load() < recheck {
			c.refresh.Unlock()
			return nil
		}
	} else {
		c.refresh.Lock()
	}
	defer c.refresh.Unlock()
	epoch, err := read(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	if epoch != c.epoch {
		c.epoch = epoch
		c.gen.Add(1)
		clear(c.m)
	}
	c.mu.Unlock()
	c.checked.Store(now)
	return nil
}

// readAuthEpoch reads the auth epoch.
func (s *Store) readAuthEpoch(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, "SELECT n FROM auth_epoch WHERE id = 1").Scan(&n)
	return n, s.wrap(err)
}

// bumpAuthEpoch moves the auth epoch, in tx, so other processes drop their
// caches; the caller drops this process's cache once tx commits.
func bumpAuthEpoch(ctx context.Context, tx *txn) error {
	_, err := tx.ExecContext(ctx, "UPDATE auth_epoch SET n = n + 1 WHERE id = 1")
	return err
}

// inAuthWriteTx runs fn, a change that can take access away, in a write
// transaction that also bumps the auth epoch, and drops this process's
// token cache once it committed (and, in case, before it starts).
func (s *Store) inAuthWriteTx(ctx context.Context, fn func(ctx context.Context, tx *txn) error) error {
	err := s.inWriteTx(ctx, func(ctx context.Context, tx *txn) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return bumpAuthEpoch(ctx, tx)
	})
	// Drop even on error: the outcome of a failed commit may be unknown.
	s.auth.drop()
	return err
}
