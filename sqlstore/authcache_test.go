package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// The token cache (authcache.go) must never let a revoked token or a
// changed or removed membership through, on the process that made the
// change or on any other, once the change has returned.
func TestStore_TokenCache(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("RevokeCachedToken", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			u := MustCreateUser(t, s, "budi@example.com")
			MustCreateToken(t, s, u.ID, "phone", salesmania.Now().Add(time.Hour))
			for range 3 { // the first fills the cache, the others come from it
				mustFindTokenOwner(t, s, "phone", 0)
			}
			if err := s.RevokeToken(t.Context(), []byte("phone")); err != nil {
				t.Fatal(err)
			}
			_, err := s.FindTokenOwner(t.Context(), []byte("phone"), 0, salesmania.Now())
			assertUnauthenticated(t, err)
		})

		t.Run("MembershipChangesOfCachedToken", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			budi := MustCreateTeam(t, s, d.ID, "Budi")
			sari := MustCreateTeam(t, s, d.ID, "Sari")
			u := MustCreateUser(t, s, "budi@example.com")
			MustCreateToken(t, s, u.ID, "token", salesmania.Now().Add(time.Hour))
			if o := mustFindTokenOwner(t, s, "token", d.ID); o.Member {
				t.Fatalf("before PutMember: %+v, want no membership", *o)
			}
			MustPutMember(t, s, d.ID, u.ID, budi.ID, salesmania.RoleAdmin)
			if o := mustFindTokenOwner(t, s, "token", d.ID); !o.Member || o.TeamID != budi.ID || o.Role != salesmania.RoleAdmin {
				t.Fatalf("after PutMember: %+v, want admin of team %d", *o, budi.ID)
			}
			MustPutMember(t, s, d.ID, u.ID, sari.ID, salesmania.RoleMember)
			if o := mustFindTokenOwner(t, s, "token", d.ID); !o.Member || o.TeamID != sari.ID || o.Role != salesmania.RoleMember {
				t.Fatalf("after moving: %+v, want member of team %d", *o, sari.ID)
			}
			if err := s.RemoveMember(t.Context(), d.ID, u.ID); err != nil {
				t.Fatal(err)
			}
			if o := mustFindTokenOwner(t, s, "token", d.ID); o.Member || o.TeamID != 0 {
				t.Fatalf("after RemoveMember: %+v, want no membership", *o)
			}
		})

		t.Run("CachedTokenExpires", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			u := MustCreateUser(t, s, "budi@example.com")
			expires := salesmania.Now().Add(time.Hour)
			MustCreateToken(t, s, u.ID, "token", expires)
			if _, err := s.FindTokenOwner(t.Context(), []byte("token"), 0, expires.Add(-time.Microsecond)); err != nil {
				t.Fatal(err)
			}
			_, err := s.FindTokenOwner(t.Context(), []byte("token"), 0, expires)
			assertUnauthenticated(t, err)
		})

		// Two stores on one database are two server processes: a change
		// made by one holds for the other's very next lookup.
		t.Run("ChangesByAnotherProcessHoldAtOnce", func(t *testing.T) {
			w := newTwoProcesses(t, kind, "phone", "laptop")
			if err := w.a.RevokeToken(t.Context(), []byte("phone")); err != nil {
				t.Fatal(err)
			}
			_, err := w.b.FindTokenOwner(t.Context(), []byte("phone"), w.db.ID, salesmania.Now())
			assertUnauthenticated(t, err)

			MustPutMember(t, w.a, w.db.ID, w.user.ID, w.sari.ID, salesmania.RoleMember)
			if o := mustFindTokenOwner(t, w.b, "laptop", w.db.ID); !o.Member || o.TeamID != w.sari.ID {
				t.Fatalf("after the team change: %+v, want a member of team %d", *o, w.sari.ID)
			}
			if err := w.a.RemoveMember(t.Context(), w.db.ID, w.user.ID); err != nil {
				t.Fatal(err)
			}
			if o := mustFindTokenOwner(t, w.b, "laptop", w.db.ID); o.Member || o.TeamID != 0 {
				t.Fatalf("after RemoveMember: %+v, want no membership", *o)
			}
		})

		// Lookups racing the revocation on the other process: none that
		// starts after RevokeToken returned may succeed.
		t.Run("NoLookupAfterRevocationSucceeds", func(t *testing.T) {
			w := newTwoProcesses(t, kind, "phone")
			var revoked atomic.Bool
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					for {
						after := revoked.Load()
						_, err := w.b.FindTokenOwner(t.Context(), []byte("phone"), w.db.ID, salesmania.Now())
						// Before: it works, or the revocation just committed.
						if (after || err != nil) && salesmania.ErrorCode(err) != salesmania.EUNAUTHENTICATED {
							t.Errorf("a lookup starting after RevokeToken returned (%v) answered %v; want EUNAUTHENTICATED", after, err)
							return
						}
						if after {
							return
						}
					}
				})
			}
			err := w.a.RevokeToken(t.Context(), []byte("phone"))
			revoked.Store(true)
			wg.Wait()
			if err != nil {
				t.Fatal(err)
			}
		})

		if kind != "postgres" {
			return
		}
		// When the listening connection breaks, the other process reads
		// the epoch on every lookup until it listens again, and a revoker
		// waits for it or for its lease: the change still holds at once.
		t.Run("ListenerConnectionKilled", func(t *testing.T) {
			w := newTwoProcesses(t, kind, "phone", "laptop")
			err := w.a.WriteTx(t.Context(), func(ctx context.Context, tx *sql.Tx) error {
				var n int
				err := tx.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
					WHERE datname = current_database() AND application_name = $1`, w.b.AuthListenerName()).Scan(&n)
				if err == nil && n != 1 {
					err = fmt.Errorf("%d listening connections killed; want 1", n)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.a.RevokeToken(t.Context(), []byte("phone")); err != nil {
				t.Fatal(err)
			}
			_, err = w.b.FindTokenOwner(t.Context(), []byte("phone"), w.db.ID, salesmania.Now())
			assertUnauthenticated(t, err)
			mustFindTokenOwner(t, w.b, "laptop", w.db.ID)
			// It listens again, and changes hold at once as before.
			waitTrusted(t, w.b)
			if err := w.a.RemoveMember(t.Context(), w.db.ID, w.user.ID); err != nil {
				t.Fatal(err)
			}
			if o := mustFindTokenOwner(t, w.b, "laptop", w.db.ID); o.Member {
				t.Fatalf("after RemoveMember: %+v, want no membership", *o)
			}
		})
	})
}

// twoProcesses is one database opened by two stores, as by two server
// processes: a makes the changes, b has the user's tokens cached (and, on
// PostgreSQL, a live listener vouching for its cache).
type twoProcesses struct {
	a, b       *sqlstore.Store
	db         salesmania.Database
	budi, sari salesmania.Team
	user       salesmania.User
}

func newTwoProcesses(t *testing.T, kind string, tokens ...string) *twoProcesses {
	t.Helper()
	dsn := sqlstoretest.DSN(t, kind)
	w := &twoProcesses{a: sqlstoretest.MustOpenDSN(t, dsn), b: sqlstoretest.MustOpenDSN(t, dsn)}
	w.db = *MustCreateDatabase(t, w.a, "Acme")
	w.budi = *MustCreateTeam(t, w.a, w.db.ID, "Budi")
	w.sari = *MustCreateTeam(t, w.a, w.db.ID, "Sari")
	w.user = *MustCreateUser(t, w.a, "budi@example.com")
	MustPutMember(t, w.a, w.db.ID, w.user.ID, w.budi.ID, salesmania.RoleMember)
	for _, tok := range tokens {
		MustCreateToken(t, w.a, w.user.ID, tok, salesmania.Now().Add(time.Hour))
		mustFindTokenOwner(t, w.b, tok, w.db.ID) // starts b's listener
	}
	if kind == "postgres" {
		waitTrusted(t, w.b)
	}
	for _, tok := range tokens {
		if o := mustFindTokenOwner(t, w.b, tok, w.db.ID); !o.Member || o.TeamID != w.budi.ID {
			t.Fatalf("%s: %+v, want a member of team %d", tok, *o, w.budi.ID)
		}
	}
	return w
}

// waitTrusted waits until the store's listener vouches for its token
// cache, so the test exercises the path without epoch reads.
func waitTrusted(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	for start := time.Now(); !s.AuthTrusted(); time.Sleep(time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("the auth listener is not live after 10 s")
		}
	}
}
