package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// admin runs "salesmania admin args…" with stdin, fails the test unless it
// succeeds, and returns the one JSON object it printed.
func admin(t *testing.T, stdin string, args ...string) object {
	t.Helper()
	r := execute(t, stdin, append([]string{"admin"}, args...)...)
	if r.err != nil {
		t.Fatalf("admin %s: %v\nstderr:\n%s", strings.Join(args, " "), r.err, r.stderr)
	}
	if strings.Count(r.stdout, "\n") != 1 || !strings.HasSuffix(r.stdout, "}\n") {
		t.Fatalf("admin %s printed %q; want one JSON object on one line", strings.Join(args, " "), r.stdout)
	}
	if strings.Contains(r.stdout, "argon2id") {
		t.Errorf("admin %s printed a password hash: %s", strings.Join(args, " "), r.stdout)
	}
	return decodeObject(t, []byte(r.stdout))
}

// TestFoundation is the acceptance flow of the issue "Foundation": an
// operator creates a company, its teams and users with the admin commands
// while the server serves the same database, and the users then reach
// their teams over HTTP until they are removed.
func TestFoundation(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		const (
			adminEmail     = "admin@majujaya.example"
			adminPassword  = "Rahasia-Admin-7"
			memberEmail    = "budi@majujaya.example"
			memberPassword = "Rahasia Budi 8 ✓"
		)
		dsn := sqlstoretest.DSN(t, kind)
		// The admin commands below are other processes; the server sees
		// their changes at once (see sqlstore's TestStore_TokenCache).
		srv := startServe(t, dsn)

		db := admin(t, "", "db", "create", "--name", "PT Maju Jaya", "--db", dsn)
		dbID := db.id(t, "id")
		db.want(t, map[string]any{"id": dbID, "name": "PT Maju Jaya"}, "created_at")

		// Another company with a team, which the users of PT Maju Jaya
		// must never see.
		other := admin(t, "", "db", "create", "--name", "  CV Sumber Rejeki  ", "--db", dsn)
		otherID := other.id(t, "id")
		other.want(t, map[string]any{"id": otherID, "name": "CV Sumber Rejeki"}, "created_at")
		admin(t, "", "team", "create", "--db-id", itoa(otherID), "--name", "Dewi", "--db", dsn)

		team1 := admin(t, "", "team", "create", "--db-id", itoa(dbID), "--name", "Budi Santoso", "--salesman-no", "S-01", "--db", dsn)
		team1ID := team1.id(t, "id")
		team1.want(t, map[string]any{"id": team1ID, "db_id": dbID, "name": "Budi Santoso", "ext_salesman_number": "S-01", "status": true}, "created_at")
		team2 := admin(t, "", "team", "create", "--db-id", itoa(dbID), "--name", "Siti Rahayu", "--db", dsn)
		team2ID := team2.id(t, "id")
		team2.want(t, map[string]any{"id": team2ID, "db_id": dbID, "name": "Siti Rahayu", "ext_salesman_number": "", "status": true}, "created_at")

		// The email is stored normalized; the password never comes back.
		user1 := admin(t, "", "user", "create", "--email", " Admin@MajuJaya.example ", "--password", adminPassword, "--db", dsn)
		user1ID := user1.id(t, "id")
		user1.want(t, map[string]any{"id": user1ID, "email": adminEmail}, "created_at")
		user2 := admin(t, memberPassword+"\n", "user", "create", "--email", memberEmail, "--password-stdin", "--db", dsn)
		user2ID := user2.id(t, "id")
		user2.want(t, map[string]any{"id": user2ID, "email": memberEmail}, "created_at")
		if user1ID == user2ID {
			t.Fatalf("both users have id %d", user1ID)
		}

		m1 := admin(t, "", "member", "add", "--user-id", itoa(user1ID), "--db-id", itoa(dbID), "--team-id", itoa(team1ID), "--role", "admin", "--db", dsn)
		m1.want(t, map[string]any{"db_id": dbID, "user_id": user1ID, "team_id": team1ID, "role": "admin"}, "created_at", "updated_at")
		m2 := admin(t, "", "member", "add", "--user-id", itoa(user2ID), "--db-id", itoa(dbID), "--team-id", itoa(team2ID), "--db", dsn)
		m2.want(t, map[string]any{"db_id": dbID, "user_id": user2ID, "team_id": team2ID, "role": "member"}, "created_at", "updated_at")

		wantTeams := map[string]any{"data": []map[string]any{
			{"id": team1ID, "name": "Budi Santoso", "ext_salesman_number": "S-01", "status": true},
			{"id": team2ID, "name": "Siti Rahayu", "ext_salesman_number": "", "status": true},
		}}

		adminBearer := srv.login(t, adminEmail, adminPassword)
		wantJSON(t, srv.mustGet(t, "/extapi/v1.0/databases", "Authorization", "Bearer "+adminBearer), map[string]any{"data": []map[string]any{
			{"id": dbID, "name": "PT Maju Jaya", "team_id": team1ID, "team_name": "Budi Santoso", "role": "admin"},
		}})
		adminTeamToken := srv.teamToken(t, adminBearer, dbID, team1ID)
		wantJSON(t, srv.mustGet(t, "/extapi/v1.0/teams", "Authorization", "Bearer "+adminBearer, "X-Team-Token", adminTeamToken), wantTeams)

		memberBearer := srv.login(t, memberEmail, memberPassword)
		wantJSON(t, srv.mustGet(t, "/extapi/v1.0/databases", "Authorization", "Bearer "+memberBearer), map[string]any{"data": []map[string]any{
			{"id": dbID, "name": "PT Maju Jaya", "team_id": team2ID, "team_name": "Siti Rahayu", "role": "member"},
		}})
		memberTeamToken := srv.teamToken(t, memberBearer, dbID, team2ID)
		wantJSON(t, srv.mustGet(t, "/extapi/v1.0/teams?team_token="+memberTeamToken, "Authorization", "Bearer "+memberBearer), wantTeams)

		// Neither may enter the other company.
		for _, bearer := range []string{adminBearer, memberBearer} {
			resp, body := srv.get(t, "/extapi/v1.0/team_token?db_id="+itoa(otherID), "Authorization", "Bearer "+bearer)
			wantProblem(t, resp, body, http.StatusForbidden)
		}

		removed := admin(t, "", "member", "remove", "--user-id", itoa(user2ID), "--db-id", itoa(dbID), "--db", dsn)
		removed.want(t, map[string]any{"db_id": dbID, "user_id": user2ID, "removed": true})

		// The removed member's team token stops working at once; the
		// bearer still proves the user, who is now in no database.
		resp, body := srv.get(t, "/extapi/v1.0/teams?team_token="+memberTeamToken, "Authorization", "Bearer "+memberBearer)
		wantProblem(t, resp, body, http.StatusForbidden)
		resp, body = srv.get(t, "/extapi/v1.0/team_token?db_id="+itoa(dbID), "Authorization", "Bearer "+memberBearer)
		wantProblem(t, resp, body, http.StatusForbidden)
		wantJSON(t, srv.mustGet(t, "/extapi/v1.0/databases", "Authorization", "Bearer "+memberBearer), map[string]any{"data": []any{}})
		// The admin is untouched.
		wantJSON(t, srv.mustGet(t, "/extapi/v1.0/teams", "Authorization", "Bearer "+adminBearer, "X-Team-Token", adminTeamToken), wantTeams)

		srv.stopped = true
		if err := srv.stop(t); err != nil {
			t.Fatalf("run returned %v after the stop; want nil", err)
		}
		logs := srv.stderr.String()
		// The log is worth searching: it has the access lines of the
		// calls above, the 403s included.
		if !strings.Contains(logs, `"path":"/extapi/v1.0/teams"`) || !strings.Contains(logs, `"status":403`) || !strings.Contains(logs, `"msg":"stopped"`) {
			t.Errorf("the log lacks the access lines or the stop:\n%s", logs)
		}
		for name, secret := range map[string]string{
			"the admin's bearer token":     adminBearer,
			"the member's bearer token":    memberBearer,
			"the admin's team token":       adminTeamToken,
			"the member's team token":      memberTeamToken,
			"the admin's password":         adminPassword,
			"the member's password":        memberPassword,
			"the admin's Basic credential": strings.TrimPrefix(basicAuth(adminEmail, adminPassword), "Basic "),
			"a password hash":              "argon2id",
		} {
			if strings.Contains(logs, secret) {
				t.Errorf("the server's log shows %s", name)
			}
		}
	})
}

// wantProblem fails the test unless resp is an RFC 9457 answer with status.
func wantProblem(t *testing.T, resp *http.Response, body []byte, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status = %d; want %d; body %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q; want application/problem+json", ct)
	}
	o := decodeObject(t, body)
	if got := string(o["status"]); got != itoa(int64(status)) {
		t.Errorf("problem status = %s; want %d", got, status)
	}
}

// dumpState describes what the admin commands can change in the database
// at dsn: the databases and their teams, the users with the given emails
// and their memberships. dbIDs are the ids of the databases known to exist;
// the five ids after the largest are checked to hold none.
func dumpState(t *testing.T, dsn string, dbIDs []int64, emails []string) string {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var b strings.Builder
	ids := append([]int64(nil), dbIDs...)
	last := ids[len(ids)-1]
	for id := last + 1; id <= last+5; id++ {
		ids = append(ids, id)
	}
	ids = append(ids, 999)
	for _, id := range ids {
		d, err := s.FindDatabase(ctx, id)
		if salesmania.ErrorCode(err) == salesmania.ENOTFOUND {
			fmt.Fprintf(&b, "database %d: none\n", id)
		} else if err != nil {
			t.Fatal(err)
		} else {
			fmt.Fprintf(&b, "database %d %q %s\n", d.ID, d.Name, d.CreatedAt)
		}
		teams, err := s.ListTeams(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, tm := range teams {
			fmt.Fprintf(&b, "  team %d %q %q %v %s %s\n", tm.ID, tm.Name, tm.ExtSalesmanNumber, tm.Status, tm.CreatedAt, tm.UpdatedAt)
		}
	}
	for _, email := range emails {
		u, err := s.FindUserByEmail(ctx, email)
		if salesmania.ErrorCode(err) == salesmania.ENOTFOUND {
			fmt.Fprintf(&b, "user %s: none\n", email)
			continue
		} else if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "user %s %d %s %s\n", email, u.ID, u.PasswordHash, u.CreatedAt)
		dbs, err := s.ListUserDatabases(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dbs {
			fmt.Fprintf(&b, "  member of %d in team %d as %s\n", d.ID, d.TeamID, d.Role)
		}
	}
	return b.String()
}

// TestAdmin feeds every admin command bad input. Each must fail with the
// exit code of its kind of mistake (2: the command line is malformed; 1:
// the input is refused), name the flag or field at fault, print nothing on
// stdout and leave the database as it was.
func TestAdmin(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		dsn := sqlstoretest.DSN(t, kind)
		// PT Maju Jaya with team Budi, where ani is a member; CV Sumber
		// Rejeki with team Dewi; budi, in no database.
		majuID := admin(t, "", "db", "create", "--name", "PT Maju Jaya", "--db", dsn).id(t, "id")
		sumberID := admin(t, "", "db", "create", "--name", "CV Sumber Rejeki", "--db", dsn).id(t, "id")
		budiTeam := admin(t, "", "team", "create", "--db-id", itoa(majuID), "--name", "Budi", "--db", dsn).id(t, "id")
		dewiTeam := admin(t, "", "team", "create", "--db-id", itoa(sumberID), "--name", "Dewi", "--db", dsn).id(t, "id")
		ani := admin(t, "", "user", "create", "--email", "ani@majujaya.example", "--password", "rahasia-ani", "--db", dsn).id(t, "id")
		budi := admin(t, "", "user", "create", "--email", "budi@majujaya.example", "--password", "rahasia-budi", "--db", dsn).id(t, "id")
		admin(t, "", "member", "add", "--user-id", itoa(ani), "--db-id", itoa(majuID), "--team-id", itoa(budiTeam), "--db", dsn)
		emails := []string{"ani@majujaya.example", "budi@majujaya.example", "cici@majujaya.example", "not-an-email"}

		db := func(args ...string) []string { return append(args, "--db", dsn) }
		long := strings.Repeat("x", 201)
		for _, tt := range []struct {
			name  string
			args  []string
			stdin string
			code  int
			want  []string // substrings of the error message
		}{
			{"ErrNounOnly", []string{"admin", "db"}, "", 2, []string{"noun and a verb"}},
			{"ErrUnknownAdminCommand", db("admin", "db", "drop"), "", 2, []string{`"db drop"`}},

			{"ErrDBNameRequired", db("admin", "db", "create"), "", 2, []string{"--name"}},
			{"ErrDBNameBlank", db("admin", "db", "create", "--name", "   "), "", 2, []string{"--name"}},
			{"ErrDBNameTooLong", db("admin", "db", "create", "--name", long), "", 1, []string{"--name", "at most 200"}},
			{"ErrDBUnknownFlag", db("admin", "db", "create", "--nama", "PT X"), "", 2, []string{"-nama"}},
			{"ErrDBUnexpectedArgument", db("admin", "db", "create", "--name", "PT", "Maju"), "", 2, []string{`unexpected argument "Maju"`}},

			{"ErrTeamDBIDRequired", db("admin", "team", "create", "--name", "Siti"), "", 2, []string{"--db-id"}},
			{"ErrTeamDBIDZero", db("admin", "team", "create", "--db-id", "0", "--name", "Siti"), "", 2, []string{"missing required flag --db-id"}},
			{"ErrTeamDBIDNegative", db("admin", "team", "create", "--db-id", "-4", "--name", "Siti"), "", 2, []string{"--db-id", "positive"}},
			{"ErrTeamDBIDNotANumber", db("admin", "team", "create", "--db-id", "satu", "--name", "Siti"), "", 2, []string{"-db-id"}},
			{"ErrTeamNameRequired", db("admin", "team", "create", "--db-id", itoa(majuID)), "", 2, []string{"--name"}},
			{"ErrTeamNameTooLong", db("admin", "team", "create", "--db-id", itoa(majuID), "--name", long), "", 1, []string{"--name", "at most 200"}},
			{"ErrTeamSalesmanNoTooLong", db("admin", "team", "create", "--db-id", itoa(majuID), "--name", "Siti", "--salesman-no", long), "", 1, []string{"--salesman-no", "at most 100"}},
			{"ErrTeamDatabaseNotFound", db("admin", "team", "create", "--db-id", "999", "--name", "Siti"), "", 1, []string{"Database 999 not found"}},

			{"ErrUserEmailRequired", db("admin", "user", "create", "--password", "rahasia-cici"), "", 2, []string{"--email"}},
			{"ErrUserPasswordRequired", db("admin", "user", "create", "--email", "cici@majujaya.example"), "", 2, []string{"--password", "--password-stdin"}},
			{"ErrUserTwoPasswords", db("admin", "user", "create", "--email", "cici@majujaya.example", "--password", "rahasia-cici", "--password-stdin"), "rahasia-cici\n", 2, []string{"--password", "--password-stdin"}},
			{"ErrUserEmailInvalid", db("admin", "user", "create", "--email", "not-an-email", "--password", "rahasia-cici"), "", 1, []string{"--email"}},
			{"ErrUserPasswordTooShort", db("admin", "user", "create", "--email", "cici@majujaya.example", "--password", "pendek"), "", 1, []string{"--password", "at least 8"}},
			{"ErrUserEmailAndPasswordInvalid", db("admin", "user", "create", "--email", "cici@", "--password", "pendek"), "", 1, []string{"--email", "--password"}},
			{"ErrUserStdinPasswordTooShort", db("admin", "user", "create", "--email", "cici@majujaya.example", "--password-stdin"), "pendek\n", 1, []string{"--password", "at least 8"}},
			{"ErrUserStdinEmpty", db("admin", "user", "create", "--email", "cici@majujaya.example", "--password-stdin"), "", 1, []string{"standard input"}},
			{"ErrUserEmailTaken", db("admin", "user", "create", "--email", "ANI@majujaya.example", "--password", "rahasia-lain"), "", 1, []string{"ani@majujaya.example", "exists already"}},

			{"ErrMemberUserIDRequired", db("admin", "member", "add", "--db-id", itoa(majuID), "--team-id", itoa(budiTeam)), "", 2, []string{"--user-id"}},
			{"ErrMemberTeamIDRequired", db("admin", "member", "add", "--user-id", itoa(budi), "--db-id", itoa(majuID)), "", 2, []string{"--team-id"}},
			{"ErrMemberDBIDZero", db("admin", "member", "add", "--user-id", itoa(budi), "--db-id", "0", "--team-id", itoa(budiTeam)), "", 2, []string{"--db-id"}},
			{"ErrMemberRoleBoss", db("admin", "member", "add", "--user-id", itoa(ani), "--db-id", itoa(majuID), "--team-id", itoa(budiTeam), "--role", "boss"), "", 2, []string{"--role", `"boss"`}},
			{"ErrMemberTeamOfAnotherDatabase", db("admin", "member", "add", "--user-id", itoa(budi), "--db-id", itoa(majuID), "--team-id", itoa(dewiTeam)), "", 1, []string{"--team-id", "not a team of this database"}},
			{"ErrMemberMovedToTeamOfAnotherDatabase", db("admin", "member", "add", "--user-id", itoa(ani), "--db-id", itoa(majuID), "--team-id", itoa(dewiTeam), "--role", "admin"), "", 1, []string{"--team-id"}},
			{"ErrMemberUserNotFound", db("admin", "member", "add", "--user-id", "999", "--db-id", itoa(majuID), "--team-id", itoa(budiTeam)), "", 1, []string{"--user-id", "no such user"}},
			{"ErrMemberDatabaseNotFound", db("admin", "member", "add", "--user-id", itoa(budi), "--db-id", "999", "--team-id", itoa(budiTeam)), "", 1, []string{"Database 999 not found"}},
			{"ErrMemberUnexpectedArgument", db("admin", "member", "add", "--user-id", itoa(budi), "--db-id", itoa(majuID), "admin"), "", 2, []string{`unexpected argument "admin"`}},

			{"ErrRemoveNotAMember", db("admin", "member", "remove", "--user-id", itoa(budi), "--db-id", itoa(majuID)), "", 1, []string{"not a member"}},
			{"ErrRemoveOfAnotherDatabase", db("admin", "member", "remove", "--user-id", itoa(ani), "--db-id", itoa(sumberID)), "", 1, []string{"not a member"}},
			{"ErrRemoveUserIDRequired", db("admin", "member", "remove", "--db-id", itoa(majuID)), "", 2, []string{"--user-id"}},
			{"ErrRemoveUserIDNegative", db("admin", "member", "remove", "--user-id", "-1", "--db-id", itoa(majuID)), "", 2, []string{"--user-id"}},
			{"ErrRemoveUnknownFlag", db("admin", "member", "remove", "--user-id", itoa(ani), "--db-id", itoa(majuID), "--team-id", itoa(budiTeam)), "", 2, []string{"-team-id"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				before := dumpState(t, dsn, []int64{majuID, sumberID}, emails)
				r := execute(t, tt.stdin, tt.args...)
				if r.err == nil {
					t.Fatalf("succeeded; want exit code %d\nstdout: %s", tt.code, r.stdout)
				}
				if code := exitCode(r.err); code != tt.code {
					t.Errorf("exit code %d; want %d (err %v)", code, tt.code, r.err)
				}
				for _, w := range tt.want {
					if !strings.Contains(r.err.Error(), w) {
						t.Errorf("error %q does not contain %q", r.err, w)
					}
				}
				if r.stdout != "" {
					t.Errorf("stdout = %q; want nothing", r.stdout)
				}
				if after := dumpState(t, dsn, []int64{majuID, sumberID}, emails); after != before {
					t.Errorf("the database changed:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}

		t.Run("ErrDatabaseCannotOpen", func(t *testing.T) {
			r := execute(t, "", "admin", "db", "create", "--name", "PT X", "--db", t.TempDir()+"/no/such/dir/x.db")
			if r.err == nil || exitCode(r.err) != 1 || !strings.Contains(r.err.Error(), "open database") || r.stdout != "" {
				t.Errorf("err = %v, stdout %q; want exit code 1 naming the database", r.err, r.stdout)
			}
		})
		t.Run("OKFromEnvironment", func(t *testing.T) {
			// --db defaults to $SALESMANIA_DB.
			var stdout, stderr strings.Builder
			err := run(context.Background(), []string{"salesmania", "admin", "team", "create", "--db-id", itoa(sumberID), "--name", "Eko"},
				envFrom(map[string]string{"SALESMANIA_DB": dsn}), strings.NewReader(""), &stdout, &stderr)
			if err != nil {
				t.Fatalf("err = %v; stderr %s", err, stderr.String())
			}
			o := decodeObject(t, []byte(stdout.String()))
			o.want(t, map[string]any{"id": o.id(t, "id"), "db_id": sumberID, "name": "Eko", "ext_salesman_number": "", "status": true}, "created_at")
		})
	})
}

// TestAdminWebhookAdd: the admin command refuses a receiver inside the
// network as the API does, unless told --allow-private.
func TestAdminWebhookAdd(t *testing.T) {
	t.Parallel()
	dsn := sqlstoretest.DSN(t, "sqlite")
	dbID := admin(t, "", "db", "create", "--name", "PT Maju Jaya", "--db", dsn).id(t, "id")
	add := func(url string, more ...string) result {
		return execute(t, "", append([]string{"admin", "webhook", "add", "--db", dsn, "--db-id", fmt.Sprint(dbID),
			"--url", url, "--secret", "a-webhook-secret-of-24ch"}, more...)...)
	}
	for _, tt := range []struct{ url, says string }{
		{"http://127.0.0.1:5432/", "loopback address (127.0.0.1)"},
		{"http://localhost:8080/erp", "loopback address (localhost is "},
		{"http://169.254.169.254/latest/meta-data/", "cloud metadata"},
		{"http://192.168.1.20/erp", "private address"},
	} {
		r := add(tt.url)
		if r.err == nil || exitCode(r.err) != 1 || !strings.Contains(r.err.Error(), "--url: must not point to a") || !strings.Contains(r.err.Error(), tt.says) {
			t.Errorf("webhook add --url %s: err = %v (exit code %d); want --url refused, saying %q", tt.url, r.err, exitCode(r.err), tt.says)
		}
	}
	store, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if hooks, err := store.ListWebhooks(context.Background(), dbID); err != nil || len(hooks) != 0 {
		t.Fatalf("webhooks = %v, %v; want none stored", hooks, err)
	}
	local := admin(t, "", "webhook", "add", "--db", dsn, "--db-id", fmt.Sprint(dbID), "--url", "http://192.168.1.20/erp",
		"--secret", "a-webhook-secret-of-24ch", "--allow-private")
	if string(local["url"]) != `"http://192.168.1.20/erp"` {
		t.Fatalf("webhook add --allow-private printed %v", local)
	}
	public := admin(t, "", "webhook", "add", "--db", dsn, "--db-id", fmt.Sprint(dbID), "--url", "https://erp.majujaya.example/orders",
		"--secret", "a-webhook-secret-of-24ch")
	if string(public["url"]) != `"https://erp.majujaya.example/orders"` {
		t.Fatalf("webhook add printed %v", public)
	}
}
