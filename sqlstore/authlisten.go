package sqlstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// On PostgreSQL a server process learns of changes that take access away
// from a NOTIFY on authChannel, and promises to have acted on them through
// its lease row in auth_listeners (see authcache.go for the whole
// argument). The row is renewed every authRenew through the listening
// connection itself, so a lease is live only while that connection works;
// each renewal also acknowledges the epochs the process has dropped its
// cache for, and is followed by a read of the epoch on the same connection
// (which catches a notification that was lost or not yet read, and any
// change a revoker did not wait for because this lease had run out).
const (
	authChannel = "salesmania_auth"
	// authLease is how long a renewal keeps the row live, by the
	// database's clock; a revoker waits at most that long for a process
	// that stopped answering.
	authLease = 3 * time.Second
	// authTrust is how long after sending a renewal the process trusts its
	// cache by its own clock: a second less than the lease, so the process
	// stops trusting before any revoker can see the lease as expired.
	authTrust = authLease - time.Second
	// authRenew is the time between renewals, and the most a renewal may
	// take before the connection counts as broken.
	authRenew = time.Second
)

// authListener is the store's listening goroutine; it starts on the first
// token lookup (Store.freshAuth) and stops on Close.
type authListener struct {
	once   sync.Once
	mu     sync.Mutex // guards id
	id     string
	cancel context.CancelFunc
	done   chan struct{}
}

// start starts the listener unless it was started or stopped before.
func (l *authListener) start(s *Store) {
	l.once.Do(func() {
		var b [12]byte
		rand.Read(b[:])
		l.mu.Lock()
		l.id = fmt.Sprintf("%x", b)
		l.mu.Unlock()
		ctx, cancel := context.WithCancel(context.Background())
		l.cancel, l.done = cancel, make(chan struct{})
		go func() {
			defer close(l.done)
			s.listenAuth(ctx, l.selfID())
		}()
	})
}

// selfID is the listener's row id, or "" when it never started.
func (l *authListener) selfID() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.id
}

// stop stops the listener and removes its lease row; it returns once the
// listening connection is closed.
func (l *authListener) stop() {
	l.once.Do(func() {}) // a later start does nothing
	if l.cancel != nil {
		l.cancel()
		<-l.done
	}
}

// listenAuth keeps a listening connection up until ctx is done, connecting
// again (after a pause growing to 2 s) whenever it breaks. Whenever it is
// down the cache is not trusted, so lookups read the epoch themselves.
func (s *Store) listenAuth(ctx context.Context, id string) {
	pause := 50 * time.Millisecond
	for {
		lived, _ := s.listenAuthOnce(ctx, id)
		s.auth.distrust()
		s.leaveAuthListeners(id)
		if lived {
			pause = 50 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 2*time.Second)
	}
}

// leaveAuthListeners deletes the lease row, so revokers need not wait for
// it to run out; the cache must already be distrusted.
func (s *Store) leaveAuthListeners(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), authRenew)
	defer cancel()
	s.write.ExecContext(ctx, "DELETE FROM auth_listeners WHERE id = $1", id)
}

// listenAuthOnce connects, listens and keeps the lease until the
// connection fails or ctx is done; lived reports whether the cache was
// trusted at some point.
func (s *Store) listenAuthOnce(ctx context.Context, id string) (lived bool, err error) {
	cfg, err := pgconn.ParseConfig(s.dsn)
	if err != nil {
		return false, err
	}
	cfg.RuntimeParams["application_name"] = "salesmania auth listener " + id
	// Leases are worth nothing after a crash: no need to wait for the disk.
	cfg.RuntimeParams["synchronous_commit"] = "off"
	cfg.ConnectTimeout = 5 * time.Second
	// The highest epoch notified for this schema; only this goroutine
	// reads the connection. Channels are per database, and several
	// installations may share one database in schemas of their own, so a
	// payload names its schema (bumpAuthEpoch).
	var notified int64
	var schema string
	cfg.OnNotification = func(_ *pgconn.PgConn, n *pgconn.Notification) {
		in, epoch, _ := strings.Cut(n.Payload, " ")
		if e, err := strconv.ParseInt(epoch, 10, 64); err == nil && in == schema {
			notified = max(notified, e)
		}
	}
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	res, err := conn.Exec(ctx, "LISTEN "+authChannel+
		"; DELETE FROM auth_listeners WHERE expires_at < clock_timestamp() - interval '1 hour'; SELECT current_schema()").ReadAll()
	if err != nil {
		return false, err
	}
	if len(res) != 3 || len(res[2].Rows) != 1 {
		return false, errors.New("sqlstore: no current schema")
	}
	schema = string(res[2].Rows[0][0])
	var seen int64 // the epoch the cache is in step with, as far as the row says
	for {
		// Renew until the row acknowledges what the read after it saw.
		for {
			sent, epoch, err := renewAuthLease(ctx, conn, id, seen)
			if err != nil {
				return lived, err
			}
			s.auth.advance(epoch)
			s.auth.trustUntil(sent.Add(authTrust))
			lived = true
			if epoch <= seen {
				break
			}
			seen = epoch
		}
		// Wait for a notification until the next renewal is due.
		next := time.Now().Add(authRenew)
		for notified <= seen {
			wctx, cancel := context.WithDeadline(ctx, next)
			err := conn.WaitForNotification(wctx)
			cancel()
			if err != nil {
				if ctx.Err() != nil {
					return lived, ctx.Err()
				}
				if pgconn.Timeout(err) {
					break
				}
				return lived, err
			}
		}
		if notified > seen {
			s.auth.advance(notified) // before the renewal acknowledges it
			seen = notified
		}
	}
}

// renewAuthLease renews the row, acknowledging seen, then reads the epoch
// on the same connection, in a statement of its own so that it sees every
// change committed before the renewal did: once the cache is in step with
// that epoch it may be trusted until authTrust after the renewal was sent,
// which renewAuthLease returns.
func renewAuthLease(ctx context.Context, conn *pgconn.PgConn, id string, seen int64) (sent time.Time, epoch int64, err error) {
	sent = time.Now()
	ctx, cancel := context.WithTimeout(ctx, authRenew)
	defer cancel()
	res := conn.ExecParams(ctx, `INSERT INTO auth_listeners (id, seen, expires_at)
		VALUES ($1, $2, clock_timestamp() + $3::bigint * interval '1 millisecond')
		ON CONFLICT (id) DO UPDATE SET seen = excluded.seen, expires_at = excluded.expires_at`,
		[][]byte{[]byte(id), strconv.AppendInt(nil, seen, 10), strconv.AppendInt(nil, authLease.Milliseconds(), 10)},
		nil, nil, nil).Read()
	if res.Err != nil {
		return sent, 0, res.Err
	}
	res = conn.ExecParams(ctx, "SELECT n FROM auth_epoch WHERE id = 1", nil, nil, nil, nil).Read()
	if res.Err != nil {
		return sent, 0, res.Err
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		return sent, 0, errors.New("sqlstore: auth_epoch has no row")
	}
	epoch, err = strconv.ParseInt(string(res.Rows[0][0]), 10, 64)
	return sent, epoch, err
}

// awaitAuthEpoch returns once every other process with a live lease has
// acknowledged epoch, that is dropped every cached token older than it;
// a lease that runs out meanwhile counts as acknowledged, as its process
// stopped trusting its cache a second earlier. It gives up, with an error,
// only if some lease is still live and behind after a lease and a renewal
// have passed, which a working listener never allows.
func (s *Store) awaitAuthEpoch(ctx context.Context, epoch int64) error {
	self := s.listener.selfID()
	give := time.Now().Add(authLease + 2*authRenew)
	for pause := 250 * time.Microsecond; ; pause = min(2*pause, 20*time.Millisecond) {
		var behind int
		err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM auth_listeners
			WHERE seen < $1 AND expires_at > clock_timestamp() AND id <> $2`, epoch, self).Scan(&behind)
		if err != nil {
			return s.wrap(err)
		}
		if behind == 0 {
			return nil
		}
		if time.Now().After(give) {
			return fmt.Errorf("sqlstore: the change is committed, but %d server processes did not acknowledge auth epoch %d", behind, epoch)
		}
		select {
		case <-ctx.Done():
			return s.wrap(ctx.Err())
		case <-time.After(pause):
		}
	}
}
