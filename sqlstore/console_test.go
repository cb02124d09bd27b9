package sqlstore_test

import (
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

func TestStore_ConsoleSessions(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		s := sqlstoretest.MustOpen(t, kind)
		ctx := t.Context()
		d := MustCreateDatabase(t, s, "PT Maju Jaya")
		other := MustCreateDatabase(t, s, "CV Sentosa")
		team := MustCreateTeam(t, s, d.ID, "Budi")
		u := MustCreateUser(t, s, "budi@majujaya.example")
		MustPutMember(t, s, d.ID, u.ID, team.ID, salesmania.RoleMember)
		now := salesmania.Now()
		hash := []byte("0123456789abcdef0123456789abcdef")

		t.Run("OK", func(t *testing.T) {
			if err := s.CreateConsoleSession(ctx, d.ID, hash, u.ID, now); err != nil {
				t.Fatal(err)
			}
			got, err := s.FindConsoleSession(ctx, d.ID, hash)
			if err != nil {
				t.Fatal(err)
			}
			want := salesmania.ConsoleSession{DBID: d.ID, UserID: u.ID, Email: u.Email, CreatedAt: now, LastSeenAt: now,
				Member: true, TeamID: team.ID, Role: salesmania.RoleMember}
			if *got != want {
				t.Fatalf("FindConsoleSession = %+v, want %+v", *got, want)
			}
			p, ok := got.Principal()
			if !ok || p != (salesmania.Principal{UserID: u.ID, DBID: d.ID, TeamID: team.ID, Role: salesmania.RoleMember}) {
				t.Fatalf("Principal = %+v, %v", p, ok)
			}
		})

		t.Run("OtherDatabaseNotFound", func(t *testing.T) {
			if _, err := s.FindConsoleSession(ctx, other.ID, hash); salesmania.ErrorCode(err) != salesmania.EUNAUTHENTICATED {
				t.Fatalf("session under another database: err = %v, want unauthenticated", err)
			}
		})

		t.Run("Touch", func(t *testing.T) {
			later := now.Add(time.Hour)
			if err := s.TouchConsoleSession(ctx, d.ID, hash, later); err != nil {
				t.Fatal(err)
			}
			// An older time never moves it back.
			if err := s.TouchConsoleSession(ctx, d.ID, hash, now); err != nil {
				t.Fatal(err)
			}
			got, err := s.FindConsoleSession(ctx, d.ID, hash)
			if err != nil {
				t.Fatal(err)
			}
			if !got.LastSeenAt.Equal(later) || !got.CreatedAt.Equal(now) {
				t.Fatalf("after touch: created %v, last seen %v; want %v, %v", got.CreatedAt, got.LastSeenAt, now, later)
			}
		})

		t.Run("MembershipFollowed", func(t *testing.T) {
			if err := s.RemoveMember(ctx, d.ID, u.ID); err != nil {
				t.Fatal(err)
			}
			got, err := s.FindConsoleSession(ctx, d.ID, hash)
			if err != nil {
				t.Fatal(err)
			}
			if got.Member {
				t.Fatalf("session of a removed member: %+v", *got)
			}
			if _, ok := got.Principal(); ok {
				t.Fatal("a removed member's session still has a principal")
			}
			MustPutMember(t, s, d.ID, u.ID, team.ID, salesmania.RoleAdmin)
			if got, err = s.FindConsoleSession(ctx, d.ID, hash); err != nil || got.Role != salesmania.RoleAdmin {
				t.Fatalf("after role change: %+v, %v", got, err)
			}
		})

		t.Run("NoDatabaseYet", func(t *testing.T) {
			h := []byte("fedcba9876543210fedcba9876543210")
			if err := s.CreateConsoleSession(ctx, 0, h, u.ID, now); err != nil {
				t.Fatal(err)
			}
			got, err := s.FindConsoleSession(ctx, 0, h)
			if err != nil {
				t.Fatal(err)
			}
			if got.Member || got.UserID != u.ID {
				t.Fatalf("session before a database is chosen: %+v", *got)
			}
		})

		t.Run("DeleteAndSweep", func(t *testing.T) {
			if err := s.DeleteConsoleSession(ctx, d.ID, hash); err != nil {
				t.Fatal(err)
			}
			if _, err := s.FindConsoleSession(ctx, d.ID, hash); salesmania.ErrorCode(err) != salesmania.EUNAUTHENTICATED {
				t.Fatalf("deleted session: err = %v", err)
			}
			if err := s.DeleteConsoleSession(ctx, d.ID, hash); err != nil {
				t.Fatalf("deleting again: %v", err)
			}
			n, err := s.DeleteIdleConsoleSessions(ctx, now.Add(time.Second))
			if err != nil || n != 1 {
				t.Fatalf("DeleteIdleConsoleSessions = %d, %v; want the one session left", n, err)
			}
		})
	})
}
