package salesmania_test

import (
	"errors"
	"testing"

	"github.com/salesmania/salesmania"
)

func TestTeamScope(t *testing.T) {
	admin := salesmania.Principal{UserID: 1, DBID: 9, TeamID: 10, Role: salesmania.RoleAdmin}
	member := salesmania.Principal{UserID: 2, DBID: 9, TeamID: 20, Role: salesmania.RoleMember}

	t.Run("AdminSeesEveryTeam", func(t *testing.T) {
		s := admin.Teams()
		if !s.IsAll() || !s.Includes(10) || !s.Includes(20) || !s.Includes(999) {
			t.Fatalf("admin scope %+v does not include every team", s)
		}
		if _, only := s.Team(); only {
			t.Fatal("admin scope claims one team")
		}
	})
	t.Run("MemberSeesOwnTeamOnly", func(t *testing.T) {
		s := member.Teams()
		if s.IsAll() || !s.Includes(20) || s.Includes(10) || s.Includes(0) {
			t.Fatalf("member scope %+v is not team 20 alone", s)
		}
		if id, only := s.Team(); !only || id != 20 {
			t.Fatalf("Team() = %d, %v; want 20, true", id, only)
		}
	})
	t.Run("ZeroScopeHoldsNothing", func(t *testing.T) {
		var s salesmania.TeamScope
		if s.IsAll() || s.Includes(0) || s.Includes(1) {
			t.Fatalf("zero scope %+v includes something", s)
		}
		if id, only := s.Team(); !only || id != 0 {
			t.Fatalf("zero Team() = %d, %v; want 0, true", id, only)
		}
	})
	t.Run("Narrow", func(t *testing.T) {
		for _, tt := range []struct {
			name    string
			p       salesmania.Principal
			team    int64
			wantAll bool
			want    int64
			wantErr bool
		}{
			{"AdminNoFilter", admin, 0, true, 0, false},
			{"AdminOtherTeam", admin, 20, false, 20, false},
			{"MemberNoFilter", member, 0, false, 20, false},
			{"MemberOwnTeam", member, 20, false, 20, false},
			{"ErrMemberOtherTeam", member, 10, false, 0, true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tt.p.Teams().Narrow(tt.team)
				if tt.wantErr {
					var se *salesmania.Error
					if !errors.As(err, &se) || se.Code != salesmania.EFORBIDDEN {
						t.Fatalf("err = %v; want EFORBIDDEN", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				id, only := got.Team()
				if got.IsAll() != tt.wantAll || (!tt.wantAll && (!only || id != tt.want)) {
					t.Fatalf("Narrow(%d) = %+v; want all=%v team=%d", tt.team, got, tt.wantAll, tt.want)
				}
			})
		}
	})
	t.Run("TeamFor", func(t *testing.T) {
		for _, tt := range []struct {
			name    string
			p       salesmania.Principal
			team    int64
			want    int64
			wantErr bool
		}{
			{"AdminDefaultsToTokenTeam", admin, 0, 10, false},
			{"AdminAnotherTeam", admin, 20, 20, false},
			{"MemberDefaultsToOwn", member, 0, 20, false},
			{"MemberOwn", member, 20, 20, false},
			{"ErrMemberOtherTeam", member, 10, 0, true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				got, err := tt.p.TeamFor(tt.team)
				if (err != nil) != tt.wantErr || got != tt.want {
					t.Fatalf("TeamFor(%d) = %d, %v; want %d, err %v", tt.team, got, err, tt.want, tt.wantErr)
				}
			})
		}
	})
	t.Run("RequireAdmin", func(t *testing.T) {
		if err := admin.RequireAdmin("manages its webhooks"); err != nil {
			t.Fatal(err)
		}
		err := member.RequireAdmin("manages its webhooks")
		var se *salesmania.Error
		if !errors.As(err, &se) || se.Code != salesmania.EFORBIDDEN || se.Message != "Only an admin of the database manages its webhooks." {
			t.Fatalf("member: %v; want EFORBIDDEN with the message", err)
		}
	})
}
