package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// demoURL returns the address the demo printed on stdout once it printed
// all of its text, or "".
func demoURL(p *program) string {
	out := p.stdout.String()
	if !strings.Contains(out, "Stop with Ctrl-C.") {
		return ""
	}
	m := regexp.MustCompile(`is served at (http://\S+)\n`).FindStringSubmatch(out)
	if m == nil {
		return ""
	}
	return m[1]
}

// demoText is what the demo printed, read back.
type demoText struct {
	dbFile   string
	existing bool
	logins   []demoLogin
	// The "Try it" lines: the admin's credentials, the URLs and the sed
	// expressions that cut the tokens out of the answers.
	email, password                  string
	tokenURL, databasesURL, teamsURL string
	teamTokenURL                     string
	tokenSed, teamTokenSed           *regexp.Regexp
}

type demoLogin struct{ email, password, role, team string }

func parseDemo(t *testing.T, out string) demoText {
	t.Helper()
	var d demoText
	must := func(re string) []string {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("the demo's text has no match for %s:\n%s", re, out)
		}
		return m
	}
	m := must(`(?m)^database file: (\S+)( \(demo data was there already\))?$`)
	d.dbFile, d.existing = m[1], m[2] != ""
	for _, m := range regexp.MustCompile(`(?m)^  (\S+@\S+) +password (\S+) +role (\S+) +team (.+)$`).FindAllStringSubmatch(out, -1) {
		d.logins = append(d.logins, demoLogin{m[1], m[2], m[3], m[4]})
	}
	m = must(`(?m)^  TOKEN=\$\(curl -s -u '([^:']+):([^']+)' (\S+) \| sed -E 's/(.+)/\\1/'\)$`)
	d.email, d.password, d.tokenURL = m[1], m[2], m[3]
	d.tokenSed = regexp.MustCompile(m[4])
	m = must(`(?m)^  curl -s -H "Authorization: Bearer \$TOKEN" (\S+/databases)$`)
	d.databasesURL = m[1]
	m = must(`(?m)^  TEAM=\$\(curl -s -H "Authorization: Bearer \$TOKEN" '(\S+)' \| sed -E 's/(.+)/\\1/'\)$`)
	d.teamTokenURL = m[1]
	d.teamTokenSed = regexp.MustCompile(m[2])
	m = must(`(?m)^  curl -s -H "Authorization: Bearer \$TOKEN" -H "X-Team-Token: \$TEAM" (\S+)$`)
	d.teamsURL = m[1]
	return d
}

// path returns the path and query of one of the demo's URLs on p, failing
// the test if the URL is on another server.
func (p *program) path(t *testing.T, url string) string {
	t.Helper()
	path, ok := strings.CutPrefix(url, p.URL)
	if !ok {
		t.Fatalf("the demo printed %s, not on its server %s", url, p.URL)
	}
	return path
}

// sedCut does what the demo's "sed -E 's/RE/\1/'" does to a one-line answer.
func sedCut(t *testing.T, re *regexp.Regexp, body []byte) string {
	t.Helper()
	m := re.FindSubmatch(body)
	if m == nil {
		t.Fatalf("the sed expression %s does not match the answer %s", re, body)
	}
	return string(m[1])
}

// followDemo follows the "Try it" lines of the demo's text over HTTP, then
// logs the member in, and returns the demo database's id and its teams'
// ids by name.
func followDemo(t *testing.T, p *program, d demoText) (dbID int64, teamIDs map[string]int64) {
	t.Helper()
	wantLogins := []demoLogin{
		{"admin@majujaya.example", "salesmania-demo", "admin", "Kantor Pusat"},
		{"budi@majujaya.example", "salesmania-demo", "member", "Budi Santoso"},
	}
	if len(d.logins) != len(wantLogins) {
		t.Fatalf("logins = %v; want %v", d.logins, wantLogins)
	}
	for i := range wantLogins {
		if d.logins[i] != wantLogins[i] {
			t.Errorf("login %d = %v; want %v", i, d.logins[i], wantLogins[i])
		}
	}
	if d.email != wantLogins[0].email || d.password != wantLogins[0].password {
		t.Errorf("the curl lines log in as %s:%s; want the admin", d.email, d.password)
	}

	tokenBody := p.mustGet(t, p.path(t, d.tokenURL), "Authorization", basicAuth(d.email, d.password))
	bearer := sedCut(t, d.tokenSed, tokenBody)
	var tok struct{ Token string }
	if err := json.Unmarshal(tokenBody, &tok); err != nil || tok.Token != bearer {
		t.Fatalf("sed cut %q out of %s", bearer, tokenBody)
	}

	var dbs struct {
		Data []struct{ ID int64 }
	}
	body := p.mustGet(t, p.path(t, d.databasesURL), "Authorization", "Bearer "+bearer)
	if err := json.Unmarshal(body, &dbs); err != nil || len(dbs.Data) != 1 {
		t.Fatalf("databases = %s; want one", body)
	}
	dbID = dbs.Data[0].ID
	if want := "/extapi/v1.0/team_token?db_id=" + itoa(dbID); p.path(t, d.teamTokenURL) != want {
		t.Errorf("the team token line asks for %s; want %s", d.teamTokenURL, want)
	}

	body = p.mustGet(t, p.path(t, d.teamTokenURL), "Authorization", "Bearer "+bearer)
	teamToken := sedCut(t, d.teamTokenSed, body)

	var teams struct {
		Data []struct {
			ID                int64  `json:"id"`
			Name              string `json:"name"`
			ExtSalesmanNumber string `json:"ext_salesman_number"`
			Status            bool   `json:"status"`
		}
	}
	body = p.mustGet(t, p.path(t, d.teamsURL), "Authorization", "Bearer "+bearer, "X-Team-Token", teamToken)
	if err := json.Unmarshal(body, &teams); err != nil {
		t.Fatal(err)
	}
	teamIDs = map[string]int64{}
	var want []map[string]any
	for i, name := range []string{"Kantor Pusat", "Budi Santoso", "Siti Rahayu", "Agus Wijaya"} {
		if i < len(teams.Data) {
			teamIDs[name] = teams.Data[i].ID
		}
		want = append(want, map[string]any{"id": teamIDs[name], "name": name, "ext_salesman_number": "S-0" + itoa(int64(i)), "status": true})
	}
	wantJSON(t, body, map[string]any{"data": want})
	wantJSON(t, p.mustGet(t, p.path(t, d.databasesURL), "Authorization", "Bearer "+bearer), map[string]any{"data": []map[string]any{
		{"id": dbID, "name": "PT Maju Jaya", "team_id": teamIDs["Kantor Pusat"], "team_name": "Kantor Pusat", "role": "admin"},
	}})

	// The member sees its own membership only, and may act for its team.
	member := wantLogins[1]
	memberBearer := p.login(t, member.email, member.password)
	wantJSON(t, p.mustGet(t, "/extapi/v1.0/databases", "Authorization", "Bearer "+memberBearer), map[string]any{"data": []map[string]any{
		{"id": dbID, "name": "PT Maju Jaya", "team_id": teamIDs["Budi Santoso"], "team_name": "Budi Santoso", "role": "member"},
	}})
	memberTeamToken := p.teamToken(t, memberBearer, dbID, teamIDs["Budi Santoso"])
	wantJSON(t, p.mustGet(t, "/extapi/v1.0/teams", "Authorization", "Bearer "+memberBearer, "X-Team-Token", memberTeamToken), map[string]any{"data": want})

	for _, secret := range []string{bearer, teamToken, memberBearer, memberTeamToken, "argon2id"} {
		if strings.Contains(p.stderr.String(), secret) {
			t.Errorf("the demo's log shows a secret %.8s…", secret)
		}
	}
	return dbID, teamIDs
}

func TestDemo(t *testing.T) {
	t.Parallel()

	// Without --db the demo makes a database in a new temporary directory.
	t.Run("OKTemporaryDatabase", func(t *testing.T) {
		t.Parallel()
		p := start(t, nil, demoURL, "demo", "--addr", "127.0.0.1:0")
		d := parseDemo(t, p.stdout.String())
		dir := filepath.Dir(d.dbFile)
		t.Cleanup(func() { os.RemoveAll(dir) }) // after the program stopped
		if !strings.HasPrefix(filepath.Base(dir), "salesmania-demo-") || filepath.Base(d.dbFile) != "salesmania.db" {
			t.Errorf("database file %s; want salesmania.db in a new salesmania-demo-* directory", d.dbFile)
		}
		if _, err := os.Stat(d.dbFile); err != nil {
			t.Errorf("database file: %v", err)
		}
		if d.existing {
			t.Errorf("a new demo database says the data was there already")
		}
		if !strings.Contains(p.stdout.String(), "salesmania demo: PT Maju Jaya is served at "+p.URL+"\n") {
			t.Errorf("stdout:\n%s", p.stdout)
		}
		followDemo(t, p, d)
		p.mustStop(t)
		p.stopped = true
	})

	// With --db the demo fills that file; a second run finds the data there,
	// says so, and the same logins reach the same database and teams.
	t.Run("OKGivenDatabaseTwice", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "demo.db")

		p := start(t, nil, demoURL, "demo", "--addr", "127.0.0.1:0", "--db", path)
		d := parseDemo(t, p.stdout.String())
		if d.dbFile != path || d.existing {
			t.Errorf("database file %s (existing %v); want %s, new", d.dbFile, d.existing, path)
		}
		dbID, teamIDs := followDemo(t, p, d)
		p.mustStop(t)
		p.stopped = true

		p = start(t, nil, demoURL, "demo", "--addr", "127.0.0.1:0", "--db", path)
		d = parseDemo(t, p.stdout.String())
		if d.dbFile != path || !d.existing {
			t.Errorf("database file %s (existing %v); want %s, existing", d.dbFile, d.existing, path)
		}
		dbID2, teamIDs2 := followDemo(t, p, d)
		if dbID2 != dbID {
			t.Errorf("the second run serves database %d; want %d", dbID2, dbID)
		}
		for name, id := range teamIDs {
			if teamIDs2[name] != id {
				t.Errorf("team %s has id %d in the second run; want %d", name, teamIDs2[name], id)
			}
		}
		p.mustStop(t)
		p.stopped = true
	})
}
