package httpapi_test

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
)

// accessLogLine returns the access log line of the request that r answered,
// found by its request id, as decoded JSON.
func (e *env) accessLogLine(t *testing.T, r response) map[string]any {
	t.Helper()
	id := r.Header.Get("X-Request-Id")
	var found map[string]any
	sc := bufio.NewScanner(strings.NewReader(e.logs.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, sc.Bytes())
		}
		if line["msg"] == "request" && line["request_id"] == id {
			if found != nil {
				t.Fatalf("two access log lines for request %s", id)
			}
			found = line
		}
	}
	if found == nil {
		t.Fatalf("no access log line for request %s:\n%s", id, e.logs.String())
	}
	return found
}

// TestAccessLogNamesCaller checks that the access log line of a request
// names the user and the database it acted as, as far as the request
// proved them, and nothing for a caller it did not prove.
func TestAccessLogNamesCaller(t *testing.T) {
	e := newEnv(t, "sqlite")
	// other comes first, so that the user's id and its database's differ
	// and a line that swapped them would fail.
	other := e.mustCompany("CV Sumber Rejeki", "Siti")
	c := e.mustCompany("PT Maju Jaya", "Budi")
	u := e.mustUser("budi@majujaya.example")
	e.mustMember(c.DB.ID, u.ID, c.Teams[0].ID, salesmania.RoleMember)
	tok := e.login(u.Email)
	tt := e.teamToken(tok, c.DB.ID)

	// want checks the line's user_id and db_id; 0 means absent.
	want := func(t *testing.T, r response, status int, userID, dbID int64) {
		t.Helper()
		if r.StatusCode != status {
			t.Fatalf("status %d; want %d: %s", r.StatusCode, status, r.body)
		}
		line := e.accessLogLine(t, r)
		for field, id := range map[string]int64{"user_id": userID, "db_id": dbID} {
			got, ok := line[field]
			switch {
			case id == 0 && ok:
				t.Errorf("%s = %v; want none", field, got)
			case id != 0 && got != float64(id):
				t.Errorf("%s = %v; want %d (line %v)", field, got, id, line)
			}
		}
	}

	t.Run("DataRequest", func(t *testing.T) {
		want(t, e.do(request{method: "GET", path: "/extapi/v1.0/teams", bearer: tok, teamToken: tt}), 200, u.ID, c.DB.ID)
		want(t, e.do(request{method: "GET", path: "/extapi/v1.0/customers", bearer: tok, header: map[string]string{"X-Team-Token": tt}}), 200, u.ID, c.DB.ID)
	})
	t.Run("DataRequestRefused", func(t *testing.T) {
		// A bad query after authentication: the caller is known.
		want(t, e.do(request{method: "GET", path: "/extapi/v1.0/customers?status=", bearer: tok, teamToken: tt, skipRequest: true}), 400, u.ID, c.DB.ID)
	})
	t.Run("BearerOnly", func(t *testing.T) {
		want(t, e.do(request{method: "GET", path: "/extapi/v1.0/databases", bearer: tok}), 200, u.ID, 0)
	})
	t.Run("Login", func(t *testing.T) {
		r := e.do(request{method: "GET", path: "/extapi/v1.0/token", header: map[string]string{"Authorization": basic(u.Email, testPassword)}})
		var out struct{ Token string }
		r.json(t, &out)
		e.keepSecret(out.Token)
		want(t, r, 200, u.ID, 0)
	})
	t.Run("NotAMember", func(t *testing.T) {
		// The user is proven, the database is not theirs: no db_id.
		r := e.do(request{method: "GET", path: "/extapi/v1.0/team_token?db_id=" + itoa(other.DB.ID), bearer: tok})
		want(t, r, 403, u.ID, 0)
	})
	t.Run("Unproven", func(t *testing.T) {
		want(t, e.do(request{method: "GET", path: "/extapi/v1.0/databases", skipRequest: true}), 401, 0, 0)
		want(t, e.do(request{method: "GET", path: "/extapi/v1.0/token", header: map[string]string{"Authorization": basic(u.Email, "salah-sekali")}}), 401, 0, 0)
		want(t, e.do(request{method: "GET", path: "/healthz"}), 200, 0, 0)
	})
	// e's cleanup checks that no token or password reached the log.
}
