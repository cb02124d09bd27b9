package main

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// readProfiles reads the profile file at path and checks that only its
// owner may read it.
func readProfiles(t *testing.T, path string) (string, profileFile) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no profile file: %v", err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("profile file mode = %o; want 600", mode)
	}
	if di, err := os.Stat(filepath.Dir(path)); err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("profile directory: %v, mode %o; want 700", err, di.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	must(t, err)
	var pf profileFile
	must(t, json.Unmarshal(b, &pf))
	return string(b), pf
}

func TestCLILogin(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		f := newCLIFixture(t, kind)
		path := filepath.Join(f.config, "salesmania", "profiles.json")

		t.Run("OK", func(t *testing.T) {
			out := f.mustExec(t, cliPassword+"\n", "login", "--url", f.URL, "--email", cliAdminEmail, "--password-stdin")
			if !strings.Contains(out, `database `+itoa(f.dbID)+` "PT Maju Jaya", team "Budi" (admin)`) || !strings.Contains(out, `profile "default"`) {
				t.Errorf("login said %q", out)
			}
			raw, pf := readProfiles(t, path)
			if strings.Contains(raw, cliPassword) {
				t.Fatalf("the profile file holds the password:\n%s", raw)
			}
			p := pf.Profiles["default"]
			if len(pf.Profiles) != 1 || p.URL != f.URL || p.Email != cliAdminEmail || p.DBID != f.dbID || p.TeamID != f.teams[0] ||
				p.DBName != "PT Maju Jaya" || p.TeamName != "Budi" || p.Role != "admin" || len(p.Token) < 40 {
				t.Fatalf("profiles = %+v", pf.Profiles)
			}
			if d := time.Until(p.ExpiresAt); d < 29*24*time.Hour || d > 31*24*time.Hour {
				t.Errorf("expires_at = %s; want in 30 days", p.ExpiresAt)
			}
			var members struct {
				Profiles map[string]map[string]json.RawMessage
			}
			must(t, json.Unmarshal([]byte(raw), &members))
			keys := slices.Sorted(maps.Keys(members.Profiles["default"]))
			if want := []string{"db_id", "db_name", "email", "expires_at", "role", "team_id", "team_name", "token", "url"}; !slices.Equal(keys, want) {
				t.Errorf("a profile has the members %v; want %v", keys, want)
			}
			// The profile works for the other commands.
			if out := f.mustExec(t, "", "customers", "list"); out != "" {
				t.Errorf("customers list of an empty database = %q", out)
			}
		})
		t.Run("OKSecondProfileKeepsFirst", func(t *testing.T) {
			f.mustExec(t, cliPassword+"\n", "login", "--url", f.URL, "--email", cliMemberEmail, "--password-stdin", "--profile", "sari", "--json")
			_, pf := readProfiles(t, path)
			if len(pf.Profiles) != 2 || pf.Profiles["sari"].TeamID != f.teams[1] || pf.Profiles["default"].Email != cliAdminEmail {
				t.Fatalf("profiles = %+v", pf.Profiles)
			}
			visits := jsonLines[salesmania.Visit](t, f.mustExec(t, "", "visits", "list", "--profile", "sari", "--date", "2026-01-05"))
			if len(visits) != 0 {
				t.Errorf("visits = %+v", visits)
			}
			// SALESMANIA_PROFILE chooses the profile too; a member may not add
			// a visit for another team.
			cust := salesmania.Customer{Name: "Toko Sari", Status: true, Tags: []string{}}
			must(t, f.store.CreateCustomer(context.Background(), f.dbID, &cust))
			r := f.exec(t, "", "SALESMANIA_PROFILE=sari", "visits", "add", "--customer-id", itoa(cust.ID), "--team-id", itoa(f.teams[0]))
			if r.err == nil || !strings.Contains(r.err.Error(), "only act for its own team") {
				t.Errorf("member's visit for another team: err = %v", r.err)
			}
		})
		t.Run("ErrWrongPassword", func(t *testing.T) {
			r := f.exec(t, "not-the-password\n", "login", "--url", f.URL, "--email", cliAdminEmail, "--password-stdin", "--profile", "wrong")
			if r.err == nil || r.err.Error() != "wrong email or password" || exitCode(r.err) != 1 {
				t.Fatalf("err = %v; want wrong email or password", r.err)
			}
			if _, pf := readProfiles(t, path); len(pf.Profiles) != 2 {
				t.Errorf("a failed login changed the profiles: %+v", pf.Profiles)
			}
		})
		t.Run("ErrSeveralDatabases", func(t *testing.T) {
			ctx := context.Background()
			db2 := salesmania.Database{Name: "CV Sinar Terang"}
			must(t, f.store.CreateDatabase(ctx, &db2))
			team := salesmania.Team{Name: "Pusat", Status: true}
			must(t, f.store.CreateTeam(ctx, db2.ID, &team))
			must(t, f.store.PutMember(ctx, &salesmania.Membership{DBID: db2.ID, UserID: f.admin.ID, TeamID: team.ID, Role: salesmania.RoleMember}))
			defer f.store.RemoveMember(ctx, db2.ID, f.admin.ID)

			r := f.exec(t, cliPassword+"\n", "login", "--url", f.URL, "--email", cliAdminEmail, "--password-stdin", "--profile", "two")
			wantUsageError(t, r, "you are a member of 2 databases; choose one with --db-id:")
			for _, want := range []string{"--db-id " + itoa(f.dbID) + " ", "PT Maju Jaya (team Budi, admin)", "--db-id " + itoa(db2.ID) + " ", "CV Sinar Terang (team Pusat, member)"} {
				if !strings.Contains(r.err.Error(), want) {
					t.Errorf("err = %q; want it to list %q", r.err, want)
				}
			}
			f.mustExec(t, cliPassword+"\n", "login", "--url", f.URL, "--email", cliAdminEmail, "--password-stdin", "--profile", "two", "--db-id", itoa(db2.ID))
			_, pf := readProfiles(t, path)
			if p := pf.Profiles["two"]; p.DBID != db2.ID || p.TeamID != team.ID || p.Role != "member" {
				t.Errorf("profile two = %+v; want database %d", p, db2.ID)
			}
			r = f.exec(t, cliPassword+"\n", "login", "--url", f.URL, "--email", cliAdminEmail, "--password-stdin", "--profile", "two", "--db-id", "999999")
			wantUsageError(t, r, "you are not a member of database 999999")
		})
		t.Run("ErrNoProfile", func(t *testing.T) {
			r := f.exec(t, "", "customers", "list", "--profile", "nobody")
			if r.err == nil || !strings.Contains(r.err.Error(), `no profile "nobody"`) || !strings.Contains(r.err.Error(), `"default", "sari", "two"`) {
				t.Errorf("err = %v; want no profile, listing the others", r.err)
			}
			empty := &cliFixture{env: map[string]string{"HOME": t.TempDir()}}
			r = empty.exec(t, "", "customers", "list")
			if r.err == nil || !strings.Contains(r.err.Error(), `not logged in: run "salesmania login --url URL --email EMAIL" first`) {
				t.Errorf("err = %v; want not logged in", r.err)
			}
		})
		t.Run("ErrExpired", func(t *testing.T) {
			_, pf := readProfiles(t, path)
			p := pf.Profiles["sari"]
			p.ExpiresAt = time.Now().Add(-time.Hour)
			pf.Profiles["sari"] = p
			must(t, saveProfiles(path, &pf))
			r := f.exec(t, "", "customers", "list", "--profile", "sari")
			if r.err == nil || !strings.Contains(r.err.Error(), `the login of profile "sari" expired`) || !strings.Contains(r.err.Error(), `run "salesmania login --profile sari" again`) {
				t.Errorf("err = %v; want expired, log in again", r.err)
			}
			// The server refuses a token it does not know (revoked) the same way.
			p.ExpiresAt, p.Token = time.Now().Add(time.Hour), "revoked-token-revoked-token-revoked-token-x"
			pf.Profiles["sari"] = p
			must(t, saveProfiles(path, &pf))
			r = f.exec(t, "", "customers", "list", "--profile", "sari")
			if r.err == nil || !strings.Contains(r.err.Error(), `the server refused the login`) || !strings.Contains(r.err.Error(), `"salesmania login --profile sari" again`) {
				t.Errorf("err = %v; want refused, log in again", r.err)
			}
		})
		t.Run("OKEnvironment", func(t *testing.T) {
			_, pf := readProfiles(t, path)
			token := pf.Profiles["default"].Token
			// A token and a URL need no profile; the user's only database is taken.
			bare := &cliFixture{env: map[string]string{"HOME": t.TempDir()}}
			r := bare.exec(t, "", "SALESMANIA_URL="+f.URL, "SALESMANIA_TOKEN="+token, "customers", "list")
			if r.err != nil {
				t.Errorf("customers list with SALESMANIA_URL and SALESMANIA_TOKEN: %v", r.err)
			}
			r = bare.exec(t, "", "SALESMANIA_URL="+f.URL, "SALESMANIA_TOKEN="+token, "SALESMANIA_DB_ID=999999", "customers", "list")
			if r.err == nil || !strings.Contains(r.err.Error(), "member") {
				t.Errorf("customers list in a database of others: err = %v; want refused", r.err)
			}
			r = bare.exec(t, "", "SALESMANIA_TOKEN="+token, "customers", "list")
			if r.err == nil || !strings.Contains(r.err.Error(), "SALESMANIA_TOKEN needs SALESMANIA_URL") {
				t.Errorf("err = %v; want the URL asked for", r.err)
			}
		})
		t.Run("OKHomeConfig", func(t *testing.T) {
			home := t.TempDir()
			g := &cliFixture{URL: f.URL, env: map[string]string{"HOME": home}}
			g.login(t)
			readProfiles(t, filepath.Join(home, ".config", "salesmania", "profiles.json"))
		})
	})
}
