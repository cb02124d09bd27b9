package sqlstore_test

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

func TestStore_CreateDatabase(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OK", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			before := salesmania.Now()
			d := &salesmania.Database{Name: "PT Maju Jaya"}
			if err := s.CreateDatabase(t.Context(), d); err != nil {
				t.Fatal(err)
			}
			after := salesmania.Now()
			if d.ID != 1 {
				t.Fatalf("ID = %d, want 1", d.ID)
			}
			if d.CreatedAt.Before(before) || d.CreatedAt.After(after) {
				t.Fatalf("CreatedAt = %v, want between %v and %v", d.CreatedAt, before, after)
			}
			got, err := s.FindDatabase(t.Context(), d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if *got != *d {
				t.Fatalf("FindDatabase = %+v, want %+v", *got, *d)
			}
			if d2 := MustCreateDatabase(t, s, "CV Sentosa"); d2.ID != 2 {
				t.Fatalf("second ID = %d, want 2", d2.ID)
			}
		})

		t.Run("NameTrimmed", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, " \tAcme \n")
			if d.Name != "Acme" {
				t.Fatalf("Name = %q, want %q", d.Name, "Acme")
			}
			if got, err := s.FindDatabase(t.Context(), d.ID); err != nil {
				t.Fatal(err)
			} else if got.Name != "Acme" {
				t.Fatalf("stored Name = %q, want %q", got.Name, "Acme")
			}
		})

		t.Run("NameMaxLength", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			name := strings.Repeat("é", 200) // 400 bytes, 200 characters
			d := MustCreateDatabase(t, s, name)
			if got, err := s.FindDatabase(t.Context(), d.ID); err != nil {
				t.Fatal(err)
			} else if got.Name != name {
				t.Fatalf("stored Name = %q, want %q", got.Name, name)
			}
		})

		t.Run("ErrNameRequired", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			for _, name := range []string{"", "   "} {
				assertInvalid(t, s.CreateDatabase(t.Context(), &salesmania.Database{Name: name}), "name")
			}
			_, err := s.FindDatabase(t.Context(), 1)
			assertCode(t, err, salesmania.ENOTFOUND)
		})

		t.Run("ErrNameTooLong", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			err := s.CreateDatabase(t.Context(), &salesmania.Database{Name: strings.Repeat("é", 201)})
			assertInvalid(t, err, "name")
		})
	})
}

func TestStore_FindDatabase(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("ErrNotFound", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			for _, id := range []int64{d.ID + 1, 0, -1} {
				got, err := s.FindDatabase(t.Context(), id)
				assertCode(t, err, salesmania.ENOTFOUND)
				if got != nil {
					t.Fatalf("FindDatabase(%d) = %+v, want nil", id, got)
				}
			}
		})
	})
}

func TestStore_CreateUser(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OK", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			u := &salesmania.User{Email: "budi@example.com", PasswordHash: "$argon2id$hash"}
			if err := s.CreateUser(t.Context(), u); err != nil {
				t.Fatal(err)
			}
			if u.ID != 1 || u.CreatedAt.IsZero() {
				t.Fatalf("ID = %d, CreatedAt = %v; want 1 and a time", u.ID, u.CreatedAt)
			}
			got, err := s.FindUserByEmail(t.Context(), "budi@example.com")
			if err != nil {
				t.Fatal(err)
			}
			if *got != *u {
				t.Fatalf("FindUserByEmail = %+v, want %+v", *got, *u)
			}
			if u2 := MustCreateUser(t, s, "sari@example.com"); u2.ID != 2 {
				t.Fatalf("second ID = %d, want 2", u2.ID)
			}
		})

		t.Run("ErrEmailTaken", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			u := MustCreateUser(t, s, "budi@example.com")
			err := s.CreateUser(t.Context(), &salesmania.User{Email: "budi@example.com", PasswordHash: "other"})
			assertCode(t, err, salesmania.ECONFLICT)
			if got, err := s.FindUserByEmail(t.Context(), u.Email); err != nil {
				t.Fatal(err)
			} else if *got != *u {
				t.Fatalf("FindUserByEmail = %+v, want the first user %+v", *got, *u)
			}
		})

		// Two sign-ups with one email at the same moment: one wins, the
		// others get ECONFLICT, never an internal error.
		t.Run("ErrEmailTakenConcurrently", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			const n = 8
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					<-start
					errs[i] = s.CreateUser(t.Context(), &salesmania.User{Email: "budi@example.com", PasswordHash: "hash"})
				})
			}
			close(start)
			wg.Wait()
			var ok int
			for _, err := range errs {
				switch salesmania.ErrorCode(err) {
				case "":
					ok++
				case salesmania.ECONFLICT:
				default:
					t.Fatalf("CreateUser: %v, want nil or ECONFLICT", err)
				}
			}
			if ok != 1 {
				t.Fatalf("%d of %d concurrent CreateUser succeeded, want 1", ok, n)
			}
		})

		t.Run("ErrEmailNotNormalized", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			for _, email := range []string{"", "Budi@Example.com", " budi@example.com"} {
				err := s.CreateUser(t.Context(), &salesmania.User{Email: email, PasswordHash: "hash"})
				assertInvalid(t, err, "email")
			}
			_, err := s.FindUserByEmail(t.Context(), "budi@example.com")
			assertCode(t, err, salesmania.ENOTFOUND)
		})
	})
}

func TestStore_FindUserByEmail(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("ErrNotFound", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			MustCreateUser(t, s, "budi@example.com")
			for _, email := range []string{"sari@example.com", "BUDI@example.com", ""} {
				got, err := s.FindUserByEmail(t.Context(), email)
				assertCode(t, err, salesmania.ENOTFOUND)
				if got != nil {
					t.Fatalf("FindUserByEmail(%q) = %+v, want nil", email, got)
				}
			}
		})
	})
}

// assertUserDatabases fails the test unless ListUserDatabases of the user
// returns exactly want.
func assertUserDatabases(tb testing.TB, s *sqlstore.Store, userID int64, want ...salesmania.UserDatabase) {
	tb.Helper()
	got, err := s.ListUserDatabases(tb.Context(), userID)
	if err != nil {
		tb.Fatalf("ListUserDatabases(%d): %v", userID, err)
	}
	if got == nil {
		tb.Fatalf("ListUserDatabases(%d) = nil, want a non-nil slice", userID)
	}
	if want == nil {
		want = []salesmania.UserDatabase{}
	}
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("ListUserDatabases(%d) = %+v, want %+v", userID, got, want)
	}
}

// mustFindTokenOwner returns the owner of a live token or fails the test.
func mustFindTokenOwner(tb testing.TB, s *sqlstore.Store, hash string, dbID int64) *salesmania.TokenOwner {
	tb.Helper()
	o, err := s.FindTokenOwner(tb.Context(), []byte(hash), dbID, salesmania.Now())
	if err != nil {
		tb.Fatalf("FindTokenOwner(%q, %d): %v", hash, dbID, err)
	}
	return o
}

func TestStore_PutMember(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OK", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			team := MustCreateTeam(t, s, d.ID, "Budi")
			u := MustCreateUser(t, s, "budi@example.com")
			m := &salesmania.Membership{DBID: d.ID, UserID: u.ID, TeamID: team.ID, Role: salesmania.RoleAdmin}
			if err := s.PutMember(t.Context(), m); err != nil {
				t.Fatal(err)
			}
			if m.CreatedAt.IsZero() || !m.UpdatedAt.Equal(m.CreatedAt) {
				t.Fatalf("CreatedAt = %v, UpdatedAt = %v; want the same time", m.CreatedAt, m.UpdatedAt)
			}
			assertUserDatabases(t, s, u.ID, salesmania.UserDatabase{ID: d.ID, Name: "Acme", TeamID: team.ID, TeamName: "Budi", Role: salesmania.RoleAdmin})
		})

		t.Run("DefaultRoleMember", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			team := MustCreateTeam(t, s, d.ID, "Budi")
			u := MustCreateUser(t, s, "budi@example.com")
			m := MustPutMember(t, s, d.ID, u.ID, team.ID, "")
			if m.Role != salesmania.RoleMember {
				t.Fatalf("Role = %q, want %q", m.Role, salesmania.RoleMember)
			}
			assertUserDatabases(t, s, u.ID, salesmania.UserDatabase{ID: d.ID, Name: "Acme", TeamID: team.ID, TeamName: "Budi", Role: salesmania.RoleMember})
		})

		t.Run("ChangesTeamAndRole", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			budi := MustCreateTeam(t, s, d.ID, "Budi")
			sari := MustCreateTeam(t, s, d.ID, "Sari")
			u := MustCreateUser(t, s, "budi@example.com")
			MustCreateToken(t, s, u.ID, "token", salesmania.Now().Add(time.Hour))
			first := MustPutMember(t, s, d.ID, u.ID, budi.ID, salesmania.RoleMember)
			time.Sleep(2 * time.Millisecond) // so the update has a later time
			second := MustPutMember(t, s, d.ID, u.ID, sari.ID, salesmania.RoleAdmin)
			if !second.CreatedAt.Equal(first.CreatedAt) {
				t.Fatalf("CreatedAt = %v, want the first %v", second.CreatedAt, first.CreatedAt)
			}
			if !second.UpdatedAt.After(first.UpdatedAt) {
				t.Fatalf("UpdatedAt = %v, want after %v", second.UpdatedAt, first.UpdatedAt)
			}
			assertUserDatabases(t, s, u.ID, salesmania.UserDatabase{ID: d.ID, Name: "Acme", TeamID: sari.ID, TeamName: "Sari", Role: salesmania.RoleAdmin})
			if o := mustFindTokenOwner(t, s, "token", d.ID); !o.Member || o.TeamID != sari.ID || o.Role != salesmania.RoleAdmin {
				t.Fatalf("FindTokenOwner = %+v, want member of team %d as admin", *o, sari.ID)
			}
		})

		t.Run("ErrTeamOfOtherDatabase", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			teamA := MustCreateTeam(t, s, a.ID, "Budi")
			teamB := MustCreateTeam(t, s, b.ID, "Sari")
			member := MustCreateUser(t, s, "budi@example.com")
			MustPutMember(t, s, a.ID, member.ID, teamA.ID, salesmania.RoleMember)
			stranger := MustCreateUser(t, s, "sari@example.com")

			err := s.PutMember(t.Context(), &salesmania.Membership{DBID: a.ID, UserID: member.ID, TeamID: teamB.ID, Role: salesmania.RoleAdmin})
			assertInvalid(t, err, "team_id")
			err = s.PutMember(t.Context(), &salesmania.Membership{DBID: a.ID, UserID: stranger.ID, TeamID: teamB.ID})
			assertInvalid(t, err, "team_id")

			assertUserDatabases(t, s, member.ID, salesmania.UserDatabase{ID: a.ID, Name: "Acme", TeamID: teamA.ID, TeamName: "Budi", Role: salesmania.RoleMember})
			assertUserDatabases(t, s, stranger.ID)
		})

		t.Run("ErrUnknownUser", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			team := MustCreateTeam(t, s, d.ID, "Budi")
			u := MustCreateUser(t, s, "budi@example.com")
			err := s.PutMember(t.Context(), &salesmania.Membership{DBID: d.ID, UserID: u.ID + 1, TeamID: team.ID})
			assertInvalid(t, err, "user_id")
			assertUserDatabases(t, s, u.ID+1)
		})

		t.Run("ErrUnknownUserAndTeam", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			teamB := MustCreateTeam(t, s, b.ID, "Sari")
			err := s.PutMember(t.Context(), &salesmania.Membership{DBID: a.ID, UserID: 42, TeamID: teamB.ID})
			assertInvalid(t, err, "user_id", "team_id")
		})

		t.Run("ErrIDsNotPositive", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			err := s.PutMember(t.Context(), &salesmania.Membership{DBID: d.ID, UserID: 0, TeamID: -1})
			assertInvalid(t, err, "user_id", "team_id")
		})

		t.Run("ErrInvalidRole", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			team := MustCreateTeam(t, s, d.ID, "Budi")
			u := MustCreateUser(t, s, "budi@example.com")
			err := s.PutMember(t.Context(), &salesmania.Membership{DBID: d.ID, UserID: u.ID, TeamID: team.ID, Role: "owner"})
			assertInvalid(t, err, "role")
			assertUserDatabases(t, s, u.ID)
		})

		t.Run("ErrDatabaseNotFound", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			team := MustCreateTeam(t, s, d.ID, "Budi")
			u := MustCreateUser(t, s, "budi@example.com")
			err := s.PutMember(t.Context(), &salesmania.Membership{DBID: d.ID + 1, UserID: u.ID, TeamID: team.ID})
			assertCode(t, err, salesmania.ENOTFOUND)
			assertUserDatabases(t, s, u.ID)
		})
	})
}

func TestStore_RemoveMember(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OK", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			teamA := MustCreateTeam(t, s, a.ID, "Budi")
			teamB := MustCreateTeam(t, s, b.ID, "Sari")
			u := MustCreateUser(t, s, "budi@example.com")
			MustPutMember(t, s, a.ID, u.ID, teamA.ID, salesmania.RoleAdmin)
			MustPutMember(t, s, b.ID, u.ID, teamB.ID, salesmania.RoleMember)
			MustCreateToken(t, s, u.ID, "token", salesmania.Now().Add(time.Hour))

			if err := s.RemoveMember(t.Context(), a.ID, u.ID); err != nil {
				t.Fatal(err)
			}
			assertUserDatabases(t, s, u.ID, salesmania.UserDatabase{ID: b.ID, Name: "Beta", TeamID: teamB.ID, TeamName: "Sari", Role: salesmania.RoleMember})
			if o := mustFindTokenOwner(t, s, "token", a.ID); o.Member || o.TeamID != 0 || o.Role != "" {
				t.Fatalf("FindTokenOwner in the left database = %+v, want no membership", *o)
			}
			if o := mustFindTokenOwner(t, s, "token", b.ID); !o.Member || o.TeamID != teamB.ID || o.Role != salesmania.RoleMember {
				t.Fatalf("FindTokenOwner in the other database = %+v, want member of team %d", *o, teamB.ID)
			}
		})

		t.Run("ErrNotMember", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			teamB := MustCreateTeam(t, s, b.ID, "Sari")
			u := MustCreateUser(t, s, "budi@example.com")
			MustPutMember(t, s, b.ID, u.ID, teamB.ID, salesmania.RoleMember)

			assertCode(t, s.RemoveMember(t.Context(), a.ID, u.ID), salesmania.ENOTFOUND)
			assertCode(t, s.RemoveMember(t.Context(), b.ID+1, u.ID), salesmania.ENOTFOUND)
			assertCode(t, s.RemoveMember(t.Context(), b.ID, u.ID+1), salesmania.ENOTFOUND)
			assertUserDatabases(t, s, u.ID, salesmania.UserDatabase{ID: b.ID, Name: "Beta", TeamID: teamB.ID, TeamName: "Sari", Role: salesmania.RoleMember})

			if err := s.RemoveMember(t.Context(), b.ID, u.ID); err != nil {
				t.Fatal(err)
			}
			assertCode(t, s.RemoveMember(t.Context(), b.ID, u.ID), salesmania.ENOTFOUND)
		})
	})
}

func TestStore_ListUserDatabases(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OK", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			c := MustCreateDatabase(t, s, "Cita")
			teamA := MustCreateTeam(t, s, a.ID, "Budi")
			teamB1 := MustCreateTeam(t, s, b.ID, "Sari")
			teamB2 := MustCreateTeam(t, s, b.ID, "Joko")
			teamC := MustCreateTeam(t, s, c.ID, "Wati")
			u := MustCreateUser(t, s, "budi@example.com")
			other := MustCreateUser(t, s, "sari@example.com")
			// Joined in an order other than the ids'.
			MustPutMember(t, s, c.ID, u.ID, teamC.ID, salesmania.RoleAdmin)
			MustPutMember(t, s, a.ID, u.ID, teamA.ID, salesmania.RoleMember)
			MustPutMember(t, s, b.ID, other.ID, teamB1.ID, salesmania.RoleAdmin)
			MustPutMember(t, s, b.ID, u.ID, teamB2.ID, salesmania.RoleMember)

			assertUserDatabases(t, s, u.ID,
				salesmania.UserDatabase{ID: a.ID, Name: "Acme", TeamID: teamA.ID, TeamName: "Budi", Role: salesmania.RoleMember},
				salesmania.UserDatabase{ID: b.ID, Name: "Beta", TeamID: teamB2.ID, TeamName: "Joko", Role: salesmania.RoleMember},
				salesmania.UserDatabase{ID: c.ID, Name: "Cita", TeamID: teamC.ID, TeamName: "Wati", Role: salesmania.RoleAdmin},
			)
			assertUserDatabases(t, s, other.ID,
				salesmania.UserDatabase{ID: b.ID, Name: "Beta", TeamID: teamB1.ID, TeamName: "Sari", Role: salesmania.RoleAdmin},
			)
		})

		t.Run("Empty", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			d := MustCreateDatabase(t, s, "Acme")
			team := MustCreateTeam(t, s, d.ID, "Budi")
			member := MustCreateUser(t, s, "budi@example.com")
			MustPutMember(t, s, d.ID, member.ID, team.ID, salesmania.RoleMember)
			u := MustCreateUser(t, s, "sari@example.com")
			assertUserDatabases(t, s, u.ID)
			assertUserDatabases(t, s, u.ID+1) // no such user
		})
	})
}

func TestStore_Tokens(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Run("OK", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			a := MustCreateDatabase(t, s, "Acme")
			b := MustCreateDatabase(t, s, "Beta")
			team := MustCreateTeam(t, s, a.ID, "Budi")
			u := MustCreateUser(t, s, "budi@example.com")
			MustPutMember(t, s, a.ID, u.ID, team.ID, salesmania.RoleAdmin)
			expires := salesmania.Now().Add(30 * 24 * time.Hour)
			MustCreateToken(t, s, u.ID, "token", expires.Add(789*time.Nanosecond))

			now := salesmania.Now()
			for _, tc := range []struct {
				dbID int64
				want salesmania.TokenOwner
			}{
				{0, salesmania.TokenOwner{UserID: u.ID, ExpiresAt: expires}},
				{a.ID, salesmania.TokenOwner{UserID: u.ID, ExpiresAt: expires, Member: true, TeamID: team.ID, Role: salesmania.RoleAdmin}},
				{b.ID, salesmania.TokenOwner{UserID: u.ID, ExpiresAt: expires}},
				{b.ID + 1, salesmania.TokenOwner{UserID: u.ID, ExpiresAt: expires}},
			} {
				got, err := s.FindTokenOwner(t.Context(), []byte("token"), tc.dbID, now)
				if err != nil {
					t.Fatalf("FindTokenOwner(db %d): %v", tc.dbID, err)
				}
				if !got.ExpiresAt.Equal(tc.want.ExpiresAt) {
					t.Fatalf("FindTokenOwner(db %d).ExpiresAt = %v, want %v", tc.dbID, got.ExpiresAt, tc.want.ExpiresAt)
				}
				got.ExpiresAt = tc.want.ExpiresAt
				if *got != tc.want {
					t.Fatalf("FindTokenOwner(db %d) = %+v, want %+v", tc.dbID, *got, tc.want)
				}
			}
		})

		t.Run("ErrUnknownToken", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			u := MustCreateUser(t, s, "budi@example.com")
			MustCreateToken(t, s, u.ID, "token", salesmania.Now().Add(time.Hour))
			for _, hash := range []string{"other", "toke", ""} {
				got, err := s.FindTokenOwner(t.Context(), []byte(hash), 0, salesmania.Now())
				assertUnauthenticated(t, err)
				if got != nil {
					t.Fatalf("FindTokenOwner(%q) = %+v, want nil", hash, *got)
				}
			}
		})

		t.Run("ErrExpired", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			u := MustCreateUser(t, s, "budi@example.com")
			expires := salesmania.Now().Add(time.Hour)
			MustCreateToken(t, s, u.ID, "token", expires)
			if _, err := s.FindTokenOwner(t.Context(), []byte("token"), 0, expires.Add(-time.Microsecond)); err != nil {
				t.Fatalf("a microsecond before expiry: %v", err)
			}
			for _, now := range []time.Time{expires, expires.Add(time.Microsecond), expires.Add(24 * time.Hour)} {
				_, err := s.FindTokenOwner(t.Context(), []byte("token"), 0, now)
				assertUnauthenticated(t, err)
			}
		})

		t.Run("ErrRevoked", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			u := MustCreateUser(t, s, "budi@example.com")
			MustCreateToken(t, s, u.ID, "phone", salesmania.Now().Add(time.Hour))
			MustCreateToken(t, s, u.ID, "laptop", salesmania.Now().Add(time.Hour))
			if err := s.RevokeToken(t.Context(), []byte("phone")); err != nil {
				t.Fatal(err)
			}
			_, err := s.FindTokenOwner(t.Context(), []byte("phone"), 0, salesmania.Now())
			assertUnauthenticated(t, err)
			if o := mustFindTokenOwner(t, s, "laptop", 0); o.UserID != u.ID {
				t.Fatalf("other token's UserID = %d, want %d", o.UserID, u.ID)
			}
		})

		t.Run("RevokeUnknown", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			u := MustCreateUser(t, s, "budi@example.com")
			MustCreateToken(t, s, u.ID, "token", salesmania.Now().Add(time.Hour))
			if err := s.RevokeToken(t.Context(), []byte("unknown")); err != nil {
				t.Fatalf("RevokeToken(unknown) = %v, want nil", err)
			}
			mustFindTokenOwner(t, s, "token", 0)
		})

		t.Run("CreateDeletesExpired", func(t *testing.T) {
			s := sqlstoretest.MustOpen(t, kind)
			u := MustCreateUser(t, s, "budi@example.com")
			other := MustCreateUser(t, s, "sari@example.com")
			past := salesmania.Now().Add(-time.Hour)
			MustCreateToken(t, s, u.ID, "expired", past)
			MustCreateToken(t, s, other.ID, "other expired", past)
			MustCreateToken(t, s, u.ID, "live", salesmania.Now().Add(time.Hour))
			MustCreateToken(t, s, u.ID, "new", salesmania.Now().Add(time.Hour))

			// Asked about a time before its expiry, a kept token would
			// still answer; the deleted one must be gone.
			before := past.Add(-time.Hour)
			_, err := s.FindTokenOwner(t.Context(), []byte("expired"), 0, before)
			assertUnauthenticated(t, err)
			if o, err := s.FindTokenOwner(t.Context(), []byte("other expired"), 0, before); err != nil {
				t.Fatalf("another user's expired token was deleted: %v", err)
			} else if o.UserID != other.ID {
				t.Fatalf("UserID = %d, want %d", o.UserID, other.ID)
			}
			for _, hash := range []string{"live", "new"} {
				if o := mustFindTokenOwner(t, s, hash, 0); o.UserID != u.ID {
					t.Fatalf("token %q: UserID = %d, want %d", hash, o.UserID, u.ID)
				}
			}
		})
	})
}

// assertUnauthenticated fails the test unless err is EUNAUTHENTICATED with
// a Bearer challenge.
func assertUnauthenticated(tb testing.TB, err error) {
	tb.Helper()
	assertCode(tb, err, salesmania.EUNAUTHENTICATED)
	var e *salesmania.Error
	if errors.As(err, &e); e.Challenge != "Bearer" {
		tb.Fatalf("Challenge = %q, want %q", e.Challenge, "Bearer")
	}
}
