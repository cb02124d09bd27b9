package httpapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/openapi/openapitest"
)

// TestEmptyQueryValues walks the route table: every query parameter the
// OpenAPI document gives a route, sent with an empty or blank value, is 400
// naming that parameter. An empty filter must never read as "no filter"
// (GET /customers?ext_cust_no= must not answer every customer), and a new
// list cannot forget it because the check runs over every route.
func TestEmptyQueryValues(t *testing.T) {
	e := newEnv(t, "sqlite")
	c := newIsoCompany(e, t, "a", "PT Maju Jaya")
	doc := openapitest.Load(t)
	blanks := map[string]string{"Empty": "", "Spaces": "%20%20", "Tab": "%09"}

	checked := 0
	for _, rt := range e.server.Routes() {
		item := doc.Paths.Find(rt.Path)
		if item == nil || item.GetOperation(rt.Method) == nil {
			t.Fatalf("%s %s is not in the OpenAPI document", rt.Method, rt.Path)
		}
		var names []string
		for _, p := range slices.Concat(item.Parameters, item.GetOperation(rt.Method).Parameters) {
			// team_token is a credential, not a filter: blank, it is a
			// missing team token (403, EmptyTeamTokenIsForbidden below).
			if p.Value.In == "query" && p.Value.Name != "team_token" {
				names = append(names, p.Value.Name)
			}
		}
		path := rt.Path
		if before, _, ok := strings.Cut(path, "/{id}"); ok && len(names) > 0 {
			kind := strings.TrimSuffix(before[strings.LastIndex(before, "/")+1:], "s")
			path = strings.Replace(path, "{id}", itoa(c.id(t, kind)), 1)
		}
		for _, name := range names {
			for label, value := range blanks {
				t.Run(rt.Method+" "+rt.Path+"/"+name+"/"+label, func(t *testing.T) {
					checked++
					rq := request{method: rt.Method, path: path + "?" + name + "=" + value, skipRequest: true}
					switch rt.Auth {
					case httpapi.AuthBearer:
						rq.bearer = c.adminBearer
					case httpapi.AuthTeam:
						rq.bearer = c.adminBearer
						rq.header = map[string]string{"X-Team-Token": c.adminTT}
					case httpapi.AuthBasic, httpapi.AuthNone:
						// Neither takes a query parameter today; a new one
						// lands here and must still answer 400.
					}
					p := wantProblem(t, e.do(rq), 400, name)
					if msg := p.Errors[0].Message; !strings.Contains(msg, "must not be empty") {
						t.Errorf("message = %q; want it to say the value must not be empty", msg)
					}
				})
			}
		}
	}
	// 8 + 4 + 9 + 4 + 10 + 9 + 9 + 3 + 1 parameters today; fewer means the
	// walk lost routes.
	if want := 57 * len(blanks); checked < want {
		t.Errorf("checked %d parameter values; want at least %d", checked, want)
	}

	t.Run("OtherParametersStillRead", func(t *testing.T) {
		// A blank filter is refused together with the other bad parameters,
		// each named once.
		r := e.do(request{method: "GET", path: "/extapi/v1.0/customers?ext_cust_no=&status=&limit=0&foo=1",
			bearer: c.adminBearer, header: map[string]string{"X-Team-Token": c.adminTT}, skipRequest: true})
		wantProblem(t, r, 400, "ext_cust_no", "status", "limit", "foo")
		// A required parameter given empty is refused once, as empty.
		r = e.do(request{method: "GET", path: "/extapi/v1.0/team_token?db_id=%20", bearer: c.adminBearer, skipRequest: true})
		wantProblem(t, r, 400, "db_id")
		// The same filter with a value still finds its row.
		r = e.do(request{method: "GET", path: "/extapi/v1.0/customers?ext_cust_no=C-0001",
			bearer: c.adminBearer, header: map[string]string{"X-Team-Token": c.adminTT}})
		var page customerPage
		r.json(t, &page)
		if r.StatusCode != 200 || len(page.Data) != 1 || page.Data[0].ID != c.customer.ID {
			t.Fatalf("ext_cust_no=C-0001: %d %s", r.StatusCode, r.body)
		}
	})

	t.Run("EmptyTeamTokenIsForbidden", func(t *testing.T) {
		// team_token is a credential: empty or blank, it is a missing or
		// invalid team token (403), as authentication has always answered.
		for _, rt := range e.server.Routes() {
			if rt.Auth != httpapi.AuthTeam {
				continue
			}
			path := strings.Replace(rt.Path, "{id}", "1", 1)
			for label, value := range blanks {
				r := e.do(request{method: rt.Method, path: path + "?team_token=" + value, bearer: c.adminBearer, skipRequest: true})
				if r.StatusCode != 403 {
					t.Errorf("%s %s team_token %s: %d; want 403", rt.Method, rt.Path, label, r.StatusCode)
				}
			}
		}
	})
}
