package sqlstore_test

import (
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// The token cache (authcache.go) must never let a revoked token or a
// removed membership through on the process that made the change, and on
// any other process for no longer than the recheck interval.
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

		// Two stores on one database are two server processes.
		t.Run("ChangesByAnotherProcess", func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, kind)
			a := sqlstoretest.MustOpenDSN(t, dsn)
			b := sqlstoretest.MustOpenDSN(t, dsn)
			const recheck = 50 * time.Millisecond
			b.SetAuthRecheck(recheck)
			d := MustCreateDatabase(t, a, "Acme")
			team := MustCreateTeam(t, a, d.ID, "Budi")
			u := MustCreateUser(t, a, "budi@example.com")
			MustPutMember(t, a, d.ID, u.ID, team.ID, salesmania.RoleMember)
			MustCreateToken(t, a, u.ID, "phone", salesmania.Now().Add(time.Hour))
			MustCreateToken(t, a, u.ID, "laptop", salesmania.Now().Add(time.Hour))
			mustFindTokenOwner(t, b, "phone", d.ID)
			mustFindTokenOwner(t, b, "laptop", d.ID)

			if err := a.RevokeToken(t.Context(), []byte("phone")); err != nil {
				t.Fatal(err)
			}
			took := waitFor(t, func() bool {
				_, err := b.FindTokenOwner(t.Context(), []byte("phone"), d.ID, salesmania.Now())
				return err != nil
			})
			if took > recheck+500*time.Millisecond {
				t.Fatalf("the other store took %v to see the revocation, want within its recheck of %v", took, recheck)
			}
			_, err := b.FindTokenOwner(t.Context(), []byte("phone"), d.ID, salesmania.Now())
			assertUnauthenticated(t, err)

			if err := a.RemoveMember(t.Context(), d.ID, u.ID); err != nil {
				t.Fatal(err)
			}
			waitFor(t, func() bool { return !mustFindTokenOwner(t, b, "laptop", d.ID).Member })
		})

		t.Run("RecheckZeroSeesOtherProcessAtOnce", func(t *testing.T) {
			dsn := sqlstoretest.DSN(t, kind)
			a := sqlstoretest.MustOpenDSN(t, dsn)
			b := sqlstoretest.MustOpenDSN(t, dsn)
			b.SetAuthRecheck(0)
			u := MustCreateUser(t, a, "budi@example.com")
			MustCreateToken(t, a, u.ID, "phone", salesmania.Now().Add(time.Hour))
			mustFindTokenOwner(t, b, "phone", 0)
			mustFindTokenOwner(t, b, "phone", 0)
			if err := a.RevokeToken(t.Context(), []byte("phone")); err != nil {
				t.Fatal(err)
			}
			_, err := b.FindTokenOwner(t.Context(), []byte("phone"), 0, salesmania.Now())
			assertUnauthenticated(t, err)
		})
	})
}

// waitFor polls cond for up to 5 seconds and returns how long it took to
// hold.
func waitFor(t *testing.T, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > 5*time.Second {
			t.Fatal("condition still false after 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}
