package httpapi_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

func TestToken(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		c := e.mustCompany("PT Maju Jaya", "Budi")
		u := e.mustUser("budi@majujaya.example")
		e.mustMember(c.DB.ID, u.ID, c.Teams[0].ID, salesmania.RoleMember)

		t.Run("OK", func(t *testing.T) {
			before := time.Now()
			r := e.do(request{method: "GET", path: "/extapi/v1.0/token", header: map[string]string{"Authorization": basic("budi@majujaya.example", testPassword)}})
			if r.StatusCode != 200 {
				t.Fatalf("status %d: %s", r.StatusCode, r.body)
			}
			var out struct {
				Token     string    `json:"token"`
				TokenType string    `json:"token_type"`
				ExpiresAt time.Time `json:"expires_at"`
			}
			r.json(t, &out)
			e.keepSecret(out.Token)
			if len(out.Token) != 43 || out.TokenType != "Bearer" {
				t.Fatalf("token = %q type %q", out.Token, out.TokenType)
			}
			if d := out.ExpiresAt.Sub(before); d < 30*24*time.Hour-2*time.Second || d > 30*24*time.Hour+2*time.Second {
				t.Fatalf("expires in %v; want 30 days", d)
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("Cache-Control = %q; want no-store", cc)
			}
		})
		t.Run("OK/EmailIsCaseInsensitive", func(t *testing.T) {
			r := e.do(request{method: "GET", path: "/extapi/v1.0/token", header: map[string]string{"Authorization": basic("  Budi@MajuJaya.example ", testPassword)}})
			if r.StatusCode != 200 {
				t.Fatalf("status %d: %s", r.StatusCode, r.body)
			}
			var out struct{ Token string }
			r.json(t, &out)
			e.keepSecret(out.Token)
		})
		t.Run("ErrWrongPassword", func(t *testing.T) {
			wrong := e.do(request{method: "GET", path: "/extapi/v1.0/token", header: map[string]string{"Authorization": basic("budi@majujaya.example", "not-the-password")}})
			p := wantProblem(t, wrong, 401)
			if got := wrong.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, `Basic realm="salesmania"`) {
				t.Fatalf("WWW-Authenticate = %q", got)
			}
			// An unknown email gets the very same answer.
			unknown := e.do(request{method: "GET", path: "/extapi/v1.0/token", header: map[string]string{"Authorization": basic("nobody@majujaya.example", "not-the-password")}})
			q := wantProblem(t, unknown, 401)
			if p.Detail != q.Detail || unknown.Header.Get("WWW-Authenticate") != wrong.Header.Get("WWW-Authenticate") {
				t.Fatalf("wrong password %q and unknown email %q answer differently", p.Detail, q.Detail)
			}
		})
		t.Run("ErrNoCredentials", func(t *testing.T) {
			for name, h := range map[string]string{
				"None":       "",
				"Bearer":     "Bearer abc",
				"NotBase64":  "Basic !!!",
				"NoColon":    "Basic " + base64.StdEncoding.EncodeToString([]byte("budi@majujaya.example")),
				"LongEmail":  basic(strings.Repeat("a", 300)+"@x.example", testPassword),
				"EmptyEmail": basic("", testPassword),
			} {
				t.Run(name, func(t *testing.T) {
					rq := request{method: "GET", path: "/extapi/v1.0/token", skipRequest: true}
					if h != "" {
						rq.header = map[string]string{"Authorization": h}
					}
					r := e.do(rq)
					wantProblem(t, r, 401)
					if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
						t.Fatalf("WWW-Authenticate = %q", got)
					}
				})
			}
		})
	})
}

func TestTokenRevokeAndExpiry(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		c := e.mustCompany("PT Maju Jaya", "Budi")
		u := e.mustUser("budi@majujaya.example")
		e.mustMember(c.DB.ID, u.ID, c.Teams[0].ID, salesmania.RoleMember)

		t.Run("Revoke", func(t *testing.T) {
			tok := e.login("budi@majujaya.example")
			other := e.login("budi@majujaya.example")
			r := e.do(request{method: "DELETE", path: "/extapi/v1.0/token", bearer: tok})
			if r.StatusCode != 200 || strings.TrimSpace(string(r.body)) != "{}" {
				t.Fatalf("revoke: %d %s", r.StatusCode, r.body)
			}
			r = e.do(request{method: "GET", path: "/extapi/v1.0/databases", bearer: tok})
			wantProblem(t, r, 401)
			if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
				t.Fatalf("WWW-Authenticate = %q; want Bearer", got)
			}
			// Revoking one token leaves the user's other tokens alone.
			if r := e.do(request{method: "GET", path: "/extapi/v1.0/databases", bearer: other}); r.StatusCode != 200 {
				t.Fatalf("other token after revoke: %d %s", r.StatusCode, r.body)
			}
			// A revoked token cannot revoke again.
			wantProblem(t, e.do(request{method: "DELETE", path: "/extapi/v1.0/token", bearer: tok}), 401)
		})
		t.Run("Expired", func(t *testing.T) {
			tok := e.login("budi@majujaya.example")
			tt := e.teamToken(tok, c.DB.ID)
			e.skew.Store(int64(30*24*time.Hour + time.Second))
			defer e.skew.Store(0)
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/databases", bearer: tok}), 401)
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: tok, teamToken: tt}), 401)
		})
		t.Run("ErrBadBearer", func(t *testing.T) {
			for name, h := range map[string]string{
				"None":         "",
				"Basic":        basic("budi@majujaya.example", testPassword),
				"Garbage":      "Bearer garbage",
				"UnknownToken": "Bearer " + strings.Repeat("A", 43),
				"NoToken":      "Bearer",
			} {
				t.Run(name, func(t *testing.T) {
					rq := request{method: "GET", path: "/extapi/v1.0/databases", skipRequest: true}
					if h != "" {
						rq.header = map[string]string{"Authorization": h}
					}
					r := e.do(rq)
					wantProblem(t, r, 401)
					if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
						t.Fatalf("WWW-Authenticate = %q; want Bearer", got)
					}
				})
			}
		})
	})
}

func TestDatabases(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		a := e.mustCompany("PT Maju Jaya", "Budi", "Siti")
		b := e.mustCompany("CV Sinar Abadi", "Agus")
		u := e.mustUser("budi@majujaya.example")
		e.mustMember(a.DB.ID, u.ID, a.Teams[0].ID, salesmania.RoleMember)
		e.mustMember(b.DB.ID, u.ID, b.Teams[0].ID, salesmania.RoleAdmin)
		loner := e.mustUser("loner@example.com")
		_ = loner

		t.Run("OK", func(t *testing.T) {
			r := e.do(request{method: "GET", path: "/extapi/v1.0/databases", bearer: e.login("budi@majujaya.example")})
			var out struct{ Data []salesmania.UserDatabase }
			r.json(t, &out)
			want := []salesmania.UserDatabase{
				{ID: a.DB.ID, Name: "PT Maju Jaya", TeamID: a.Teams[0].ID, TeamName: "Budi", Role: salesmania.RoleMember},
				{ID: b.DB.ID, Name: "CV Sinar Abadi", TeamID: b.Teams[0].ID, TeamName: "Agus", Role: salesmania.RoleAdmin},
			}
			if len(out.Data) != 2 || out.Data[0] != want[0] || out.Data[1] != want[1] {
				t.Fatalf("databases = %+v; want %+v", out.Data, want)
			}
		})
		t.Run("OK/None", func(t *testing.T) {
			r := e.do(request{method: "GET", path: "/extapi/v1.0/databases", bearer: e.login("loner@example.com")})
			if strings.TrimSpace(string(r.body)) != `{"data":[]}` {
				t.Fatalf("body = %s; want an empty list", r.body)
			}
		})
	})
}

func TestTeamToken(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		a := e.mustCompany("PT Maju Jaya", "Budi", "Siti")
		b := e.mustCompany("CV Sinar Abadi", "Agus")
		u := e.mustUser("budi@majujaya.example")
		e.mustMember(a.DB.ID, u.ID, a.Teams[0].ID, salesmania.RoleMember)
		tok := e.login("budi@majujaya.example")

		t.Run("OK", func(t *testing.T) {
			r := e.do(request{method: "GET", path: "/extapi/v1.0/team_token?db_id=" + itoa(a.DB.ID), bearer: tok})
			var out struct {
				TeamToken string `json:"team_token"`
				DBID      int64  `json:"db_id"`
				TeamID    int64  `json:"team_id"`
			}
			r.json(t, &out)
			e.keepSecret(out.TeamToken)
			if out.DBID != a.DB.ID || out.TeamID != a.Teams[0].ID {
				t.Fatalf("team token answer %+v", out)
			}
			payload, _, ok := strings.Cut(out.TeamToken, ".")
			raw, err := base64.RawURLEncoding.DecodeString(payload)
			if !ok || err != nil || string(raw) != `{"db_id":`+itoa(a.DB.ID)+`,"team_id":`+itoa(a.Teams[0].ID)+`}` {
				t.Fatalf("team token %q has not the published shape (payload %s)", out.TeamToken, raw)
			}
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Fatalf("Cache-Control = %q", cc)
			}
		})
		t.Run("ErrNotMember", func(t *testing.T) {
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/team_token?db_id=" + itoa(b.DB.ID), bearer: tok}), 403)
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/team_token?db_id=999999", bearer: tok}), 403)
		})
		t.Run("ErrDBID", func(t *testing.T) {
			for name, q := range map[string]string{"Missing": "", "Empty": "?db_id=", "Junk": "?db_id=abc", "Zero": "?db_id=0", "Negative": "?db_id=-3", "Twice": "?db_id=1&db_id=2", "Huge": "?db_id=99999999999999999999"} {
				t.Run(name, func(t *testing.T) {
					wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/team_token" + q, bearer: tok, skipRequest: true}), 400, "db_id")
				})
			}
		})
		t.Run("ErrNoBearer", func(t *testing.T) {
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/team_token?db_id=" + itoa(a.DB.ID), skipRequest: true}), 401)
		})
	})
}

func TestTeams(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		ctx := context.Background()
		a := e.mustCompany("PT Maju Jaya", "Budi", "Siti")
		b := e.mustCompany("CV Sinar Abadi", "Agus")
		budi := e.mustUser("budi@majujaya.example")
		siti := e.mustUser("siti@majujaya.example")
		agus := e.mustUser("agus@sinar.example")
		e.mustMember(a.DB.ID, budi.ID, a.Teams[0].ID, salesmania.RoleMember)
		e.mustMember(a.DB.ID, siti.ID, a.Teams[1].ID, salesmania.RoleMember)
		e.mustMember(b.DB.ID, agus.ID, b.Teams[0].ID, salesmania.RoleAdmin)
		budiTok := e.login("budi@majujaya.example")
		budiTT := e.teamToken(budiTok, a.DB.ID)
		sitiTok := e.login("siti@majujaya.example")
		agusTok := e.login("agus@sinar.example")
		agusTT := e.teamToken(agusTok, b.DB.ID)

		listTeams := func(r response) []salesmania.Team {
			t.Helper()
			if r.StatusCode != 200 {
				t.Fatalf("teams: %d %s", r.StatusCode, r.body)
			}
			var out struct{ Data []salesmania.Team }
			r.json(t, &out)
			return out.Data
		}
		t.Run("OK", func(t *testing.T) {
			got := listTeams(e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: budiTok, teamToken: budiTT}))
			if len(got) != 2 || got[0].ID != a.Teams[0].ID || got[0].Name != "Budi" || got[0].ExtSalesmanNumber != "S-01" || !got[0].Status ||
				got[1].ID != a.Teams[1].ID || got[1].Name != "Siti" {
				t.Fatalf("teams = %+v", got)
			}
			if !strings.Contains(string(e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: budiTok, teamToken: budiTT}).body),
				`{"id":`+itoa(a.Teams[0].ID)+`,"name":"Budi","ext_salesman_number":"S-01","status":true}`) {
				t.Fatal("team object is not in the published shape")
			}
		})
		t.Run("OK/Header", func(t *testing.T) {
			got := listTeams(e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: budiTok, header: map[string]string{"X-Team-Token": budiTT}}))
			if len(got) != 2 {
				t.Fatalf("teams = %+v", got)
			}
		})
		t.Run("OK/OnlyOwnDatabase", func(t *testing.T) {
			got := listTeams(e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: agusTok, teamToken: agusTT}))
			if len(got) != 1 || got[0].ID != b.Teams[0].ID {
				t.Fatalf("teams of the other database = %+v", got)
			}
		})
		t.Run("ErrNoBearer", func(t *testing.T) {
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/teams", teamToken: budiTT, skipRequest: true}), 401)
		})
		t.Run("ErrNoTeamToken", func(t *testing.T) {
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: budiTok, skipRequest: true}), 403)
		})
		t.Run("ErrTamperedTeamToken", func(t *testing.T) {
			payload, sig, _ := strings.Cut(budiTT, ".")
			forged := base64.RawURLEncoding.EncodeToString([]byte(`{"db_id":` + itoa(b.DB.ID) + `,"team_id":` + itoa(b.Teams[0].ID) + `}`))
			for name, tt := range map[string]string{
				"OtherPayload": forged + "." + sig,
				"BadSignature": payload + "." + strings.Repeat("A", len(sig)),
				"Garbage":      "garbage",
				"Unsigned":     payload,
			} {
				t.Run(name, func(t *testing.T) {
					wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: budiTok, teamToken: tt}), 403)
				})
			}
		})
		t.Run("ErrOtherDatabasesTeamToken", func(t *testing.T) {
			// Budi is no member of Agus's database: Agus's team token is no use to him.
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: budiTok, teamToken: agusTT}), 403)
		})
		t.Run("ErrOtherUsersTeamToken", func(t *testing.T) {
			// Siti is in another team of the same database.
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: sitiTok, teamToken: budiTT}), 403)
		})
		t.Run("ErrTwoDifferentTeamTokens", func(t *testing.T) {
			sitiTT := e.teamToken(sitiTok, a.DB.ID)
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: sitiTok, teamToken: sitiTT,
				header: map[string]string{"X-Team-Token": budiTT}, skipRequest: true}), 400, "team_token")
		})
		t.Run("ErrTeamChanged", func(t *testing.T) {
			old := e.teamToken(sitiTok, a.DB.ID)
			e.mustMember(a.DB.ID, siti.ID, a.Teams[0].ID, salesmania.RoleMember)
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: sitiTok, teamToken: old}), 403)
			fresh := e.teamToken(sitiTok, a.DB.ID)
			listTeams(e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: sitiTok, teamToken: fresh}))
		})
		t.Run("ErrLeftDatabase", func(t *testing.T) {
			// Budi's token works, then he is removed: at once 403.
			listTeams(e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: budiTok, teamToken: budiTT}))
			if err := e.store.RemoveMember(ctx, a.DB.ID, budi.ID); err != nil {
				t.Fatal(err)
			}
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: budiTok, teamToken: budiTT}), 403)
			wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/team_token?db_id=" + itoa(a.DB.ID), bearer: budiTok}), 403)
		})
	})
}

// TestNoSecretsInLogs drives every kind of credential through the server and
// checks the log lines: no bearer token, team token, password or hash.
func TestNoSecretsInLogs(t *testing.T) {
	e := newEnv(t, "sqlite")
	c := e.mustCompany("PT Maju Jaya", "Budi")
	u := e.mustUser("budi@majujaya.example")
	e.mustMember(c.DB.ID, u.ID, c.Teams[0].ID, salesmania.RoleAdmin)
	tok := e.login("budi@majujaya.example")
	tt := e.teamToken(tok, c.DB.ID)
	e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: tok, teamToken: tt})
	e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: tok, header: map[string]string{"X-Team-Token": tt}})
	e.do(request{method: "GET", path: "/extapi/v1.0/token", header: map[string]string{"Authorization": basic("budi@majujaya.example", testPassword+"x")}})
	e.keepSecret(testPassword + "x")
	e.do(request{method: "DELETE", path: "/extapi/v1.0/token", bearer: tok})
	logs := e.logs.String()
	if n := strings.Count(logs, `"msg":"request"`); n < 6 {
		t.Fatalf("%d access log lines; want at least 6:\n%s", n, logs)
	}
	if !strings.Contains(logs, `"path":"/extapi/v1.0/teams"`) || !strings.Contains(logs, `"request_id":`) {
		t.Fatalf("access log lacks path or request id:\n%s", logs)
	}
	// e's cleanup checks the secrets; check the header value too.
	if strings.Contains(logs, "Bearer") || strings.Contains(logs, "team_token=") {
		t.Fatalf("log shows credentials:\n%s", logs)
	}
	_ = http.StatusOK
}
