package httpapi_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// visitWorld is two companies on one server. PT Maju Jaya has the teams
// Budi and Siti; Budi and Siti are members of their teams and Ani is an
// admin in team Budi. CV Sinar Abadi has the team Agus, whose user is its
// admin. Each company has customers of its own.
type visitWorld struct {
	e                    *env
	a, b                 company
	budi, siti, ani      tenant // in PT Maju Jaya
	agus                 tenant // in CV Sinar Abadi
	teamBudi, teamSiti   int64
	teamAgus             int64
	rejeki, sri, deleted salesmania.Customer // of PT Maju Jaya
	theirs               salesmania.Customer // of CV Sinar Abadi
}

func newVisitWorld(t *testing.T, kind string) *visitWorld {
	t.Helper()
	e := newEnv(t, kind)
	w := &visitWorld{e: e, a: e.mustCompany("PT Maju Jaya", "Budi", "Siti"), b: e.mustCompany("CV Sinar Abadi", "Agus")}
	w.teamBudi, w.teamSiti, w.teamAgus = w.a.Teams[0].ID, w.a.Teams[1].ID, w.b.Teams[0].ID
	member := func(c company, email string, teamID int64, role salesmania.Role) tenant {
		u := e.mustUser(email)
		e.mustMember(c.DB.ID, u.ID, teamID, role)
		bearer := e.login(email)
		return tenant{e: e, DBID: c.DB.ID, bearer: bearer, teamToken: e.teamToken(bearer, c.DB.ID)}
	}
	w.budi = member(w.a, "budi@majujaya.example", w.teamBudi, salesmania.RoleMember)
	w.siti = member(w.a, "siti@majujaya.example", w.teamSiti, salesmania.RoleMember)
	w.ani = member(w.a, "ani@majujaya.example", w.teamBudi, salesmania.RoleAdmin)
	w.agus = member(w.b, "agus@sinar.example", w.teamAgus, salesmania.RoleAdmin)
	w.rejeki = w.budi.mustCreate(t, `{"name":"Toko Sumber Rejeki","address":"Jl. Pemuda 12","city":"Semarang","phone":"0812-555-0101",
		"location":{"lat":-7.110383,"lon":110.473812},"tags":["grosir"]}`)
	w.sri = w.budi.mustCreate(t, `{"name":"Warung Bu Sri","city":"Solo","tags":["eceran"]}`)
	w.deleted = w.budi.mustCreate(t, `{"name":"Toko Tutup","tags":["tutup"]}`)
	mustOK(t, w.budi.call("DELETE", "/extapi/v1.0/customers/"+itoa(w.deleted.ID), ""))
	w.theirs = w.agus.mustCreate(t, `{"name":"Toko Sinar","address":"Jl. Solo 1","city":"Klaten","tags":["sinar"]}`)
	return w
}

// visitPage is one page of a visit list.
type visitPage struct {
	Data       []salesmania.Visit `json:"data"`
	NextCursor *string            `json:"next_cursor"`
	Total      *int64             `json:"total"`
}

const visitsPath = "/extapi/v1.1/visits"

// mustAppendVisit POSTs body to /visits and returns the new visit.
func (tn tenant) mustAppendVisit(t *testing.T, body string) salesmania.Visit {
	t.Helper()
	r := tn.call("POST", visitsPath, body)
	mustOK(t, r)
	var v salesmania.Visit
	r.json(t, &v)
	return v
}

// mustListVisits gets one page of /visits with the query (without "?").
func (tn tenant) mustListVisits(t *testing.T, query string) visitPage {
	t.Helper()
	r := tn.call("GET", visitsPath+"?"+query, "")
	mustOK(t, r)
	var p visitPage
	r.json(t, &p)
	return p
}

// mustListAllVisits walks every page of /visits with the query.
func (tn tenant) mustListAllVisits(t *testing.T, query string) []salesmania.Visit {
	t.Helper()
	var out []salesmania.Visit
	cursor := ""
	for range 1000 {
		q := query
		if cursor != "" {
			q = join(q, "cursor="+url.QueryEscape(cursor))
		}
		p := tn.mustListVisits(t, q)
		out = append(out, p.Data...)
		if p.NextCursor == nil {
			return out
		}
		cursor = *p.NextCursor
	}
	t.Fatalf("visit list %q does not end", query)
	return nil
}

func visitBody(date string, customerID int64, teamID ...int64) string {
	m := map[string]any{"date": date, "customer_id": customerID}
	if len(teamID) > 0 {
		m["team_id"] = teamID[0]
	}
	return js(m)
}

// storedVisits returns every visit of the database, straight from the store.
func (w *visitWorld) storedVisits(t *testing.T, dbID int64) []salesmania.Visit {
	t.Helper()
	p, err := w.e.store.ListVisits(context.Background(), dbID, salesmania.VisitFilter{Teams: salesmania.AllTeams(), ListParams: salesmania.ListParams{Limit: salesmania.MaxListLimit}})
	if err != nil {
		t.Fatal(err)
	}
	return p.Data
}

// wantStored fails the test unless both databases hold exactly n visits
// in all: a refused request must store nothing.
func (w *visitWorld) wantStored(t *testing.T, n int) {
	t.Helper()
	if got := len(w.storedVisits(t, w.a.DB.ID)) + len(w.storedVisits(t, w.b.DB.ID)); got != n {
		t.Fatalf("%d visits stored; want %d", got, n)
	}
}

// storeVisit appends a visit straight through the store, for speed.
func (w *visitWorld) storeVisit(t *testing.T, dbID int64, date string, teamID, customerID int64) salesmania.Visit {
	t.Helper()
	v := salesmania.Visit{Date: date, TeamID: teamID, CustomerID: customerID, Status: salesmania.VisitStatusPlanned}
	if err := w.e.store.AppendVisit(context.Background(), dbID, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func visitSummary(c salesmania.Customer) salesmania.VisitCustomer {
	return salesmania.VisitCustomer{ID: c.ID, Name: c.Name, Address: c.Address, City: c.City, Location: c.Location}
}

// sameVisit checks that two visits are equal, field by field.
func sameVisit(t *testing.T, got, want salesmania.Visit) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Fatalf("visit =\n%s\nwant\n%s", g, w)
	}
}

func visitIDs(vs []salesmania.Visit) []int64 {
	out := make([]int64, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}

// wantVisits checks that a list answered exactly these visits, in order.
func wantVisits(t *testing.T, got []salesmania.Visit, want ...salesmania.Visit) {
	t.Helper()
	if g, w := visitIDs(got), visitIDs(want); !slices.Equal(g, w) {
		t.Fatalf("visit ids = %v; want %v", g, w)
	}
}

// byRoute sorts visits into the order of the visit list.
func byRoute(vs []salesmania.Visit) []salesmania.Visit {
	out := slices.Clone(vs)
	slices.SortFunc(out, func(a, b salesmania.Visit) int {
		return cmp.Or(strings.Compare(a.Date, b.Date), cmp.Compare(a.TeamID, b.TeamID), cmp.Compare(a.Seq, b.Seq))
	})
	return out
}

// byUpdated orders visits as a list with updated_since does.
func byUpdated(a, b salesmania.Visit) int {
	return cmp.Or(a.UpdatedAt.Compare(b.UpdatedAt), cmp.Compare(a.ID, b.ID))
}

func filterVisits(vs []salesmania.Visit, keep func(v salesmania.Visit) bool) []salesmania.Visit {
	var out []salesmania.Visit
	for _, v := range vs {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// wantFieldSet is wantProblem for answers whose fields may come in any order.
func wantFieldSet(t *testing.T, r response, status int, fields ...string) {
	t.Helper()
	p := wantProblem(t, r, status)
	var got []string
	for _, f := range p.Errors {
		got = append(got, f.Field)
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(fields))
	if !slices.Equal(got, want) {
		t.Fatalf("error fields = %v; want %v (body %s)", got, want, r.body)
	}
}

func TestVisitCreate(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		stored := 0
		appendOK := func(t *testing.T, tn tenant, body string, wantTeam, wantSeq int64, c salesmania.Customer) salesmania.Visit {
			t.Helper()
			before := time.Now().UTC().Truncate(time.Microsecond)
			r := tn.call("POST", visitsPath, body)
			mustOK(t, r)
			after := time.Now().UTC()
			var v salesmania.Visit
			r.json(t, &v)
			var in struct{ Date string }
			json.Unmarshal([]byte(body), &in)
			want := salesmania.Visit{ID: v.ID, Date: in.Date, CustomerID: c.ID, TeamID: wantTeam, Seq: wantSeq, Status: "planned",
				DurationMin: 15, Customer: visitSummary(c), CreatedAt: v.CreatedAt, UpdatedAt: v.CreatedAt}
			sameVisit(t, v, want)
			if v.ID <= 0 {
				t.Fatalf("id = %d", v.ID)
			}
			if v.CreatedAt.Before(before) || v.CreatedAt.After(after) {
				t.Fatalf("created_at = %v; want between %v and %v", v.CreatedAt, before, after)
			}
			var fields map[string]json.RawMessage
			r.json(t, &fields)
			if keys := slices.Sorted(func(yield func(string) bool) {
				for k := range fields {
					if !yield(k) {
						return
					}
				}
			}); !slices.Equal(keys, []string{"check_in", "check_out", "created_at", "customer", "customer_id", "date", "duration_min", "id", "notes", "outcome", "plan_id", "seq", "status", "team_id", "updated_at"}) {
				t.Fatalf("visit fields = %v", keys)
			}
			stored++
			return v
		}

		t.Run("OK/SeqCountsUp", func(t *testing.T) {
			var got []int64
			for i := range 3 {
				v := appendOK(t, w.budi, visitBody("2024-01-01", w.rejeki.ID), w.teamBudi, int64(i+1), w.rejeki)
				got = append(got, v.ID)
			}
			if !slices.IsSorted(got) || got[0] == got[1] || got[1] == got[2] {
				t.Fatalf("ids %v; want distinct and ascending", got)
			}
			// The customer summary is the customer as it is.
			if c := w.budi.mustGet(t, w.rejeki.ID); !bytes.Contains(w.budi.call("GET", visitsPath+"?date=2024-01-01", "").body,
				[]byte(`"customer":{"id":`+itoa(c.ID)+`,"name":"Toko Sumber Rejeki","address":"Jl. Pemuda 12","city":"Semarang","location":{"lat":-7.110383,"lon":110.473812}}`)) {
				t.Fatal("the list does not show the customer summary in the published shape")
			}
		})
		t.Run("OK/OtherDateStartsAt1", func(t *testing.T) {
			appendOK(t, w.budi, visitBody("2024-01-02", w.rejeki.ID), w.teamBudi, 1, w.rejeki)
			appendOK(t, w.budi, visitBody("2023-12-31", w.sri.ID), w.teamBudi, 1, w.sri)
			appendOK(t, w.budi, visitBody("2024-01-01", w.sri.ID), w.teamBudi, 4, w.sri)
		})
		t.Run("OK/OtherTeamStartsAt1", func(t *testing.T) {
			appendOK(t, w.siti, visitBody("2024-01-01", w.rejeki.ID), w.teamSiti, 1, w.rejeki)
			appendOK(t, w.siti, visitBody("2024-01-01", w.rejeki.ID), w.teamSiti, 2, w.rejeki)
			appendOK(t, w.budi, visitBody("2024-01-01", w.rejeki.ID), w.teamBudi, 5, w.rejeki)
		})
		t.Run("OK/OtherDatabaseStartsAt1", func(t *testing.T) {
			appendOK(t, w.agus, visitBody("2024-01-01", w.theirs.ID), w.teamAgus, 1, w.theirs)
		})
		t.Run("OK/CustomerWithoutLocation", func(t *testing.T) {
			r := w.budi.call("POST", visitsPath, visitBody("2024-01-05", w.sri.ID))
			mustOK(t, r)
			stored++
			want := `"customer":{"id":` + itoa(w.sri.ID) + `,"name":"Warung Bu Sri","address":"","city":"Solo","location":null}`
			if !bytes.Contains(r.body, []byte(want)) {
				t.Fatalf("body %s; want %s", r.body, want)
			}
		})
		t.Run("OK/LeapDay", func(t *testing.T) {
			appendOK(t, w.budi, visitBody("2024-02-29", w.sri.ID), w.teamBudi, 1, w.sri)
			appendOK(t, w.budi, visitBody(salesmania.MinDate, w.sri.ID), w.teamBudi, 1, w.sri)
			appendOK(t, w.budi, visitBody(salesmania.MaxDate, w.sri.ID), w.teamBudi, 1, w.sri)
		})
		t.Run("OK/OwnTeam", func(t *testing.T) {
			// Omitted, 0 (as the published example sends), null, or named:
			// the team of the team token.
			base := fmt.Sprintf(`"date":"2024-02-01","customer_id":%d`, w.rejeki.ID)
			for i, body := range []string{
				"{" + base + "}",
				"{" + base + `,"team_id":0}`,
				"{" + base + `,"team_id":null}`,
				"{" + base + `,"team_id":` + itoa(w.teamBudi) + "}",
			} {
				appendOK(t, w.budi, body, w.teamBudi, int64(i+1), w.rejeki)
			}
			appendOK(t, w.siti, "{"+base+`,"team_id":0}`, w.teamSiti, 1, w.rejeki)
			appendOK(t, w.ani, "{"+base+`,"team_id":null}`, w.teamBudi, 5, w.rejeki)
		})
		t.Run("OK/AdminForAnotherTeam", func(t *testing.T) {
			appendOK(t, w.ani, visitBody("2024-02-01", w.sri.ID, w.teamSiti), w.teamSiti, 2, w.sri)
			appendOK(t, w.siti, visitBody("2024-02-01", w.sri.ID), w.teamSiti, 3, w.sri)
		})
		t.Run("OK/AliasV10", func(t *testing.T) {
			r := w.budi.call("POST", "/extapi/v1.0/visits", visitBody("2024-01-01", w.sri.ID))
			mustOK(t, r)
			stored++
			var v salesmania.Visit
			r.json(t, &v)
			sameVisit(t, v, salesmania.Visit{ID: v.ID, Date: "2024-01-01", CustomerID: w.sri.ID, TeamID: w.teamBudi, Seq: 6, Status: "planned", DurationMin: 15,
				Customer: visitSummary(w.sri), CreatedAt: v.CreatedAt, UpdatedAt: v.CreatedAt})
			// And the next append on v1.1 follows it.
			appendOK(t, w.budi, visitBody("2024-01-01", w.sri.ID), w.teamBudi, 7, w.sri)
			for _, q := range []string{"", "?date=2024-01-01&limit=3", "?team_id=" + itoa(w.teamSiti)} {
				v10 := w.ani.call("GET", "/extapi/v1.0/visits"+q, "")
				v11 := w.ani.call("GET", visitsPath+q, "")
				mustOK(t, v10)
				if !bytes.Equal(v10.body, v11.body) {
					t.Fatalf("GET /extapi/v1.0/visits%s =\n%s\nv1.1 =\n%s", q, v10.body, v11.body)
				}
			}
			wantProblem(t, w.budi.call("POST", "/extapi/v1.0/visits", visitBody("2024-01-01", w.sri.ID, w.teamSiti)), 403)
			wantProblem(t, w.budi.callBad("POST", "/extapi/v1.0/visits", `{"date":"2024-01-01"}`, nil), 422, "customer_id")
			w.wantStored(t, stored)
		})
		t.Run("OK/TeamTokenHeader", func(t *testing.T) {
			r := w.e.do(request{method: "POST", path: visitsPath, bearer: w.budi.bearer, body: visitBody("2024-03-01", w.sri.ID),
				header: map[string]string{"X-Team-Token": w.budi.teamToken}})
			mustOK(t, r)
			stored++
		})

		t.Run("ErrMemberOtherTeam", func(t *testing.T) {
			for _, team := range []int64{w.teamSiti, w.teamAgus, 987654321} {
				p := wantProblem(t, w.budi.call("POST", visitsPath, visitBody("2024-01-01", w.rejeki.ID, team)), 403)
				if !strings.Contains(p.Detail, "team") {
					t.Errorf("detail %q does not say why", p.Detail)
				}
			}
			wantProblem(t, w.siti.call("POST", visitsPath, visitBody("2024-01-01", w.rejeki.ID, w.teamBudi)), 403)
			w.wantStored(t, stored)
		})
		t.Run("ErrNotInDatabase", func(t *testing.T) {
			for _, tt := range []struct {
				name   string
				tn     tenant
				body   string
				fields []string
			}{
				{"CustomerOfOtherDatabase", w.budi, visitBody("2024-01-01", w.theirs.ID), []string{"customer_id"}},
				{"CustomerOfOtherDatabaseAdmin", w.ani, visitBody("2024-01-01", w.theirs.ID, w.teamSiti), []string{"customer_id"}},
				{"CustomerUnknown", w.budi, visitBody("2024-01-01", 987654321), []string{"customer_id"}},
				{"CustomerDeleted", w.budi, visitBody("2024-01-01", w.deleted.ID), []string{"customer_id"}},
				{"CustomerOfOtherDatabaseForOwnDB", w.agus, visitBody("2024-01-01", w.rejeki.ID), []string{"customer_id"}},
				{"TeamOfOtherDatabase", w.ani, visitBody("2024-01-01", w.rejeki.ID, w.teamAgus), []string{"team_id"}},
				{"TeamUnknown", w.ani, visitBody("2024-01-01", w.rejeki.ID, 987654321), []string{"team_id"}},
				{"TeamOfOtherDatabaseForOwnDB", w.agus, visitBody("2024-01-01", w.theirs.ID, w.teamBudi), []string{"team_id"}},
				{"Both", w.ani, visitBody("2024-01-01", w.theirs.ID, w.teamAgus), []string{"customer_id", "team_id"}},
				{"BothUnknown", w.agus, visitBody("2024-01-01", 987654321, 987654322), []string{"customer_id", "team_id"}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					wantFieldSet(t, tt.tn.call("POST", visitsPath, tt.body), 422, tt.fields...)
					w.wantStored(t, stored)
				})
			}
		})
	})
}

// TestVisitCreateInvalid sends every kind of bad body and checks the
// status, the named fields, and that nothing was stored.
func TestVisitCreateInvalid(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		w.budi.mustAppendVisit(t, visitBody("2024-01-01", w.rejeki.ID))
		c := itoa(w.rejeki.ID)
		for _, tt := range []struct {
			name   string
			body   string
			ctype  string // Content-Type if not application/json; "none" for none
			status int
			fields []string
		}{
			{"ErrDateMissing", `{"customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateNull", `{"date":null,"customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateEmpty", `{"date":"","customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateFeb30", `{"date":"2024-02-30","customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateFeb29NotLeap", `{"date":"2023-02-29","customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateMonth13", `{"date":"2024-13-01","customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateShort", `{"date":"2024-1-1","customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateDayFirst", `{"date":"01-01-2024","customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateSlashes", `{"date":"2024/01/01","customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateTimestamp", `{"date":"2024-01-01T00:00:00Z","customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateBeforeMin", `{"date":"1899-12-31","customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateAfterMax", `{"date":"3000-01-01","customer_id":` + c + `}`, "", 422, []string{"date"}},
			{"ErrDateNumber", `{"date":20240101,"customer_id":` + c + `}`, "", 400, []string{"date"}},
			{"ErrDateObject", `{"date":{"y":2024},"customer_id":` + c + `}`, "", 400, []string{"date"}},
			{"ErrCustomerMissing", `{"date":"2024-01-01"}`, "", 422, []string{"customer_id"}},
			{"ErrCustomerNull", `{"date":"2024-01-01","customer_id":null}`, "", 422, []string{"customer_id"}},
			{"ErrCustomerZero", `{"date":"2024-01-01","customer_id":0}`, "", 422, []string{"customer_id"}},
			{"ErrCustomerNegative", `{"date":"2024-01-01","customer_id":-1}`, "", 422, []string{"customer_id"}},
			{"ErrCustomerString", `{"date":"2024-01-01","customer_id":"` + c + `"}`, "", 400, []string{"customer_id"}},
			{"ErrCustomerFraction", `{"date":"2024-01-01","customer_id":1.5}`, "", 400, []string{"customer_id"}},
			{"ErrCustomerHuge", `{"date":"2024-01-01","customer_id":99999999999999999999}`, "", 400, []string{"customer_id"}},
			{"ErrTeamNegative", `{"date":"2024-01-01","customer_id":` + c + `,"team_id":-1}`, "", 422, []string{"team_id"}},
			{"ErrTeamString", `{"date":"2024-01-01","customer_id":` + c + `,"team_id":"0"}`, "", 400, []string{"team_id"}},
			{"ErrTeamFraction", `{"date":"2024-01-01","customer_id":` + c + `,"team_id":1.5}`, "", 400, []string{"team_id"}},
			{"ErrEveryField", `{"date":"2024-02-30","customer_id":0,"team_id":-5}`, "", 422, []string{"date", "customer_id", "team_id"}},
			{"ErrEmptyObject", `{}`, "", 422, []string{"date", "customer_id"}},
			{"ErrUnknownField", `{"date":"2024-01-01","customer_id":` + c + `,"note":"pagi"}`, "", 422, []string{"note"}},
			{"ErrSeqNotAccepted", `{"date":"2024-01-01","customer_id":` + c + `,"seq":1}`, "", 422, []string{"seq"}},
			{"ErrArrayBody", `[{"date":"2024-01-01","customer_id":` + c + `}]`, "", 400, nil},
			{"ErrStringBody", `"2024-01-01"`, "", 400, nil},
			{"ErrMalformed", `{"date":"2024-01-01",`, "", 400, nil},
			{"ErrTrailingData", `{"date":"2024-01-01","customer_id":` + c + `} {}`, "", 400, nil},
			{"ErrContentTypeText", `{"date":"2024-01-01","customer_id":` + c + `}`, "text/plain", 415, nil},
			{"ErrContentTypeMissing", `{"date":"2024-01-01","customer_id":` + c + `}`, "none", 415, nil},
			{"ErrTooLarge", `{"date":"2024-01-01","customer_id":` + c + `,"note":"` + strings.Repeat("x", 1<<20) + `"}`, "", 413, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var header map[string]string
				switch tt.ctype {
				case "":
				case "none":
					header = map[string]string{"Content-Type": ""}
				default:
					header = map[string]string{"Content-Type": tt.ctype}
				}
				wantProblem(t, w.budi.callBad("POST", visitsPath, tt.body, header), tt.status, tt.fields...)
				w.wantStored(t, 1)
			})
		}
		t.Run("ErrEmptyBody", func(t *testing.T) {
			wantProblem(t, w.budi.callBad("POST", visitsPath, "", map[string]string{"Content-Type": "application/json"}), 400)
			w.wantStored(t, 1)
		})
		t.Run("ErrUnknownParameter", func(t *testing.T) {
			wantProblem(t, w.budi.callBad("POST", visitsPath+"?date=2024-01-01", visitBody("2024-01-01", w.rejeki.ID), nil), 400, "date")
			w.wantStored(t, 1)
		})
		t.Run("ErrFieldsBeforeTeamRule", func(t *testing.T) {
			// A member naming another team with a bad date learns of the date.
			wantProblem(t, w.budi.callBad("POST", visitsPath, `{"date":"2024-02-30","customer_id":`+c+`,"team_id":`+itoa(w.teamSiti)+`}`, nil), 422, "date")
			w.wantStored(t, 1)
		})
		t.Run("ErrNoCredentials", func(t *testing.T) {
			wantProblem(t, w.e.do(request{method: "POST", path: visitsPath, teamToken: w.budi.teamToken, body: visitBody("2024-01-01", w.rejeki.ID), skipRequest: true}), 401)
			wantProblem(t, w.e.do(request{method: "POST", path: visitsPath, bearer: w.budi.bearer, body: visitBody("2024-01-01", w.rejeki.ID), skipRequest: true}), 403)
			// Budi's bearer with Agus's team token.
			wantProblem(t, w.e.do(request{method: "POST", path: visitsPath, bearer: w.budi.bearer, teamToken: w.agus.teamToken, body: visitBody("2024-01-01", w.theirs.ID)}), 403)
			w.wantStored(t, 1)
		})
	})
}

// TestVisitCreateTrimsDate checks §9: surrounding whitespace is trimmed on
// every string field, the date too.
func TestVisitCreateTrimsDate(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		r := w.budi.callBad("POST", visitsPath, js(map[string]any{"date": " 2024-01-01\t", "customer_id": w.rejeki.ID}), nil)
		mustOK(t, r)
		var v salesmania.Visit
		r.json(t, &v)
		if v.Date != "2024-01-01" {
			t.Fatalf("date = %q; want 2024-01-01", v.Date)
		}
	})
}

// visitListWorld is a visitWorld with visits on several days, for two teams of
// PT Maju Jaya and one of CV Sinar Abadi, appended out of list order.
type visitListWorld struct {
	*visitWorld
	all    []salesmania.Visit // of PT Maju Jaya, in list order
	theirs []salesmania.Visit // of CV Sinar Abadi
}

func newVisitListWorld(t *testing.T, kind string) *visitListWorld {
	t.Helper()
	lw := &visitListWorld{visitWorld: newVisitWorld(t, kind)}
	type plan struct {
		date     string
		team     int64
		customer salesmania.Customer
	}
	var plans []plan
	for _, p := range []struct {
		date string
		n    int
	}{
		{"2024-04-02", 1}, {"2024-01-02", 2}, {"2024-01-01", 3}, {"2024-03-01", 1}, {"2023-12-31", 1}, {"2024-04-01", 2},
	} {
		for i := range p.n {
			plans = append(plans, plan{p.date, lw.teamSiti, lw.sri}, plan{p.date, lw.teamBudi, []salesmania.Customer{lw.rejeki, lw.sri}[i%2]})
		}
	}
	for i, p := range plans {
		lw.all = append(lw.all, lw.storeVisit(t, lw.a.DB.ID, p.date, p.team, p.customer.ID))
		if i%3 == 0 {
			lw.theirs = append(lw.theirs, lw.storeVisit(t, lw.b.DB.ID, p.date, lw.teamAgus, lw.visitWorld.theirs.ID))
		}
	}
	lw.all = byRoute(lw.all)
	lw.theirs = byRoute(lw.theirs)
	return lw
}

func TestVisitList(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitListWorld(t, kind)
		inDates := func(from, to string) func(salesmania.Visit) bool {
			return func(v salesmania.Visit) bool { return v.Date >= from && v.Date <= to }
		}
		ofTeam := func(team int64) func(salesmania.Visit) bool {
			return func(v salesmania.Visit) bool { return v.TeamID == team }
		}

		t.Run("OK/Order", func(t *testing.T) {
			got := w.ani.mustListVisits(t, "")
			wantVisits(t, got.Data, w.all...)
			if got.NextCursor != nil {
				t.Fatalf("next_cursor %q on the only page", *got.NextCursor)
			}
			// Spelled out: the order is (date, team_id, seq), seqs 1.. per (team, date).
			for i, v := range got.Data {
				if v.Status != "planned" {
					t.Fatalf("visit %+v", v)
				}
				if i == 0 {
					continue
				}
				p := got.Data[i-1]
				switch {
				case p.Date < v.Date:
				case p.Date == v.Date && p.TeamID < v.TeamID:
				case p.Date == v.Date && p.TeamID == v.TeamID && p.Seq+1 == v.Seq:
				default:
					t.Fatalf("visit %d (%s, %d, %d) follows (%s, %d, %d)", i, v.Date, v.TeamID, v.Seq, p.Date, p.TeamID, p.Seq)
				}
				if (p.Date != v.Date || p.TeamID != v.TeamID) && v.Seq != 1 {
					t.Fatalf("route (%s, %d) starts at seq %d", v.Date, v.TeamID, v.Seq)
				}
			}
			// The customer summary is the customer as it now is.
			for _, v := range got.Data {
				want := map[int64]salesmania.Customer{w.rejeki.ID: w.rejeki, w.sri.ID: w.sri}[v.CustomerID]
				if g, w := js(v.Customer), js(visitSummary(want)); g != w {
					t.Fatalf("customer of visit %d = %s; want %s", v.ID, g, w)
				}
			}
		})
		t.Run("OK/MemberSeesOwnTeam", func(t *testing.T) {
			wantVisits(t, w.budi.mustListVisits(t, "").Data, filterVisits(w.all, ofTeam(w.teamBudi))...)
			wantVisits(t, w.budi.mustListVisits(t, "team_id="+itoa(w.teamBudi)).Data, filterVisits(w.all, ofTeam(w.teamBudi))...)
			wantVisits(t, w.siti.mustListVisits(t, "").Data, filterVisits(w.all, ofTeam(w.teamSiti))...)
			wantVisits(t, w.siti.mustListVisits(t, "date=2024-01-01&include_total=true").Data,
				filterVisits(w.all, func(v salesmania.Visit) bool { return v.TeamID == w.teamSiti && v.Date == "2024-01-01" })...)
			if p := w.budi.mustListVisits(t, "include_total=true&limit=1"); *p.Total != int64(len(filterVisits(w.all, ofTeam(w.teamBudi)))) {
				t.Fatalf("member's total = %d; want its team's visits only", *p.Total)
			}
		})
		t.Run("ErrMemberOtherTeam", func(t *testing.T) {
			for _, team := range []int64{w.teamSiti, w.teamAgus, 987654321} {
				wantProblem(t, w.budi.call("GET", visitsPath+"?team_id="+itoa(team), ""), 403)
			}
			wantProblem(t, w.siti.call("GET", visitsPath+"?team_id="+itoa(w.teamBudi)+"&date=2024-01-01", ""), 403)
		})
		t.Run("OK/AdminSeesEveryTeam", func(t *testing.T) {
			wantVisits(t, w.ani.mustListVisits(t, "team_id="+itoa(w.teamSiti)).Data, filterVisits(w.all, ofTeam(w.teamSiti))...)
			wantVisits(t, w.ani.mustListVisits(t, "team_id="+itoa(w.teamBudi)).Data, filterVisits(w.all, ofTeam(w.teamBudi))...)
			// Another database's team and customer match nothing.
			wantVisits(t, w.ani.mustListVisits(t, "team_id="+itoa(w.teamAgus)).Data)
			wantVisits(t, w.ani.mustListVisits(t, "customer_id="+itoa(w.visitWorld.theirs.ID)).Data)
		})
		t.Run("OK/OtherDatabase", func(t *testing.T) {
			wantVisits(t, w.agus.mustListVisits(t, "").Data, w.theirs...)
			wantVisits(t, w.agus.mustListVisits(t, "team_id="+itoa(w.teamBudi)).Data)
			wantVisits(t, w.agus.mustListVisits(t, "customer_id="+itoa(w.rejeki.ID)).Data)
			if p := w.agus.mustListVisits(t, "include_total=true"); *p.Total != int64(len(w.theirs)) {
				t.Fatalf("total = %d; want %d", *p.Total, len(w.theirs))
			}
		})
		for _, tt := range []struct {
			query string
			keep  func(salesmania.Visit) bool
		}{
			{"date=2024-01-01", inDates("2024-01-01", "2024-01-01")},
			{"date=2024-01-03", inDates("2024-01-03", "2024-01-03")},
			{"date_from=2024-01-01&date_to=2024-01-02", inDates("2024-01-01", "2024-01-02")},
			{"date_from=2024-01-02&date_to=2024-01-02", inDates("2024-01-02", "2024-01-02")},
			{"date_from=2023-12-31&date_to=2024-01-01", inDates("2023-12-31", "2024-01-01")},
			// 92 days, both ends included: the most a range may have.
			{"date_from=2024-01-01&date_to=2024-04-01", inDates("2024-01-01", "2024-04-01")},
			{"date_from=2024-01-02&date_to=2024-04-02", inDates("2024-01-02", "2024-04-02")},
			{"date_from=2024-03-01&date_to=2024-05-31", inDates("2024-03-01", "2024-05-31")},
			{"team_id=" + itoa(w.teamSiti) + "&date=2024-01-01", func(v salesmania.Visit) bool { return v.TeamID == w.teamSiti && v.Date == "2024-01-01" }},
			{"customer_id=" + itoa(w.rejeki.ID), func(v salesmania.Visit) bool { return v.CustomerID == w.rejeki.ID }},
			{"customer_id=" + itoa(w.sri.ID) + "&date_from=2024-01-01&date_to=2024-01-02&team_id=" + itoa(w.teamBudi), func(v salesmania.Visit) bool {
				return v.CustomerID == w.sri.ID && v.TeamID == w.teamBudi && v.Date >= "2024-01-01" && v.Date <= "2024-01-02"
			}},
			{"customer_id=987654321", func(salesmania.Visit) bool { return false }},
		} {
			t.Run("OK/Filter/"+tt.query, func(t *testing.T) {
				want := filterVisits(w.all, tt.keep)
				wantVisits(t, w.ani.mustListAllVisits(t, join(tt.query, "limit=2")), want...)
				p := w.ani.mustListVisits(t, join(tt.query, "include_total=true"))
				wantVisits(t, p.Data, want...)
				if p.Total == nil || *p.Total != int64(len(want)) || p.NextCursor != nil {
					t.Fatalf("total %v, next_cursor %v; want %d and null", p.Total, p.NextCursor, len(want))
				}
			})
		}
		t.Run("OK/IncludeTotal", func(t *testing.T) {
			if r := w.ani.call("GET", visitsPath+"?limit=2", ""); bytes.Contains(r.body, []byte(`"total"`)) {
				t.Fatalf("total without include_total: %s", r.body)
			}
			p := w.ani.mustListVisits(t, "limit=3&include_total=true")
			wantVisits(t, p.Data, w.all[:3]...)
			if *p.Total != int64(len(w.all)) || p.NextCursor == nil {
				t.Fatalf("total %d, next_cursor %v; want %d and more", *p.Total, p.NextCursor, len(w.all))
			}
			p = w.ani.mustListVisits(t, "limit=3&include_total=true&cursor="+url.QueryEscape(*p.NextCursor))
			wantVisits(t, p.Data, w.all[3:6]...)
			if *p.Total != int64(len(w.all)) {
				t.Fatalf("total on page 2 = %d; want %d", *p.Total, len(w.all))
			}
		})
		t.Run("OK/UpdatedSince", func(t *testing.T) {
			byUpdate := slices.Clone(w.all)
			slices.SortFunc(byUpdate, byUpdated)
			wantVisits(t, w.ani.mustListAllVisits(t, "limit=4&updated_since=2000-01-01T00:00:00Z"), byUpdate...)
			since := byUpdate[5].UpdatedAt
			want := filterVisits(byUpdate, func(v salesmania.Visit) bool { return v.UpdatedAt.After(since) })
			p := w.ani.mustListVisits(t, "include_total=true&updated_since="+stamp(since))
			wantVisits(t, p.Data, want...)
			if *p.Total != int64(len(want)) {
				t.Fatalf("total = %d; want %d", *p.Total, len(want))
			}
			// With the member's team rule and a date filter.
			wantVisits(t, w.budi.mustListAllVisits(t, "limit=1&date=2024-01-01&updated_since=2000-01-01T00:00:00Z"),
				filterVisits(byUpdate, func(v salesmania.Visit) bool { return v.TeamID == w.teamBudi && v.Date == "2024-01-01" })...)
		})
	})
}

func TestVisitListBadParameters(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitListWorld(t, kind)
		customerCursor := *w.budi.mustList(t, "limit=1").NextCursor
		timeCursor := *w.ani.mustListVisits(t, "limit=1&updated_since=2000-01-01T00:00:00Z").NextCursor
		routeCursor := *w.ani.mustListVisits(t, "limit=1").NextCursor
		for _, tt := range []struct{ query, field string }{
			{"date=2024-02-30", "date"},
			{"date=2024-1-1", "date"},
			{"date=01-01-2024", "date"},
			{"date=2024-01-01T00:00:00Z", "date"},
			{"date=1899-12-31", "date"},
			{"date=2024-01-01&date=2024-01-02", "date"},
			{"date=2024-01-01&date_from=2024-01-01&date_to=2024-01-02", "date"},
			{"date=2024-01-01&date_from=2024-01-01", "date"},
			{"date=2024-01-01&date_to=2024-01-01", "date"},
			{"date_from=2024-01-01", "date_to"},
			{"date_to=2024-01-01", "date_from"},
			{"date_from=2024-01-02&date_to=2024-01-01", "date_to"},
			{"date_from=2024-01-01&date_to=2024-04-02", "date_to"}, // 93 days
			{"date_from=2024-01-02&date_to=2024-04-03", "date_to"}, // 93 days
			{"date_from=1900-01-01&date_to=2999-12-31", "date_to"},
			{"team_id=0", "team_id"},
			{"team_id=-1", "team_id"},
			{"team_id=abc", "team_id"},
			{"customer_id=0", "customer_id"},
			{"customer_id=1.5", "customer_id"},
			{"limit=0", "limit"},
			{"limit=1001", "limit"},
			{"cursor=junk", "cursor"},
			{"include_total=yes", "include_total"},
			{"updated_since=2024-01-01", "updated_since"},
			{"status=planned", "status"},
			{"seq=1", "seq"},
			// A cursor another list gave out, or the other ordering's.
			{"cursor=" + url.QueryEscape(customerCursor), "cursor"},
			{"cursor=" + url.QueryEscape(timeCursor), "cursor"},
			{"cursor=" + url.QueryEscape(routeCursor) + "&updated_since=2000-01-01T00:00:00Z", "cursor"},
		} {
			t.Run(tt.query, func(t *testing.T) {
				wantProblem(t, w.ani.callBad("GET", visitsPath+"?"+tt.query, "", nil), 400, tt.field)
			})
		}
		t.Run("EveryBadParameterNamed", func(t *testing.T) {
			wantFieldSet(t, w.ani.callBad("GET", visitsPath+"?date=x&team_id=0&customer_id=-2&limit=0&foo=1", "", nil), 400,
				"date", "team_id", "customer_id", "limit", "foo")
		})
		t.Run("RouteCursorOnOtherLists", func(t *testing.T) {
			// The visit list's cursor is no cursor of the customer list.
			wantProblem(t, w.budi.callBad("GET", "/extapi/v1.0/customers?cursor="+url.QueryEscape(routeCursor), "", nil), 400, "cursor")
			wantProblem(t, w.budi.callBad("GET", "/extapi/v1.0/customers/deleted?cursor="+url.QueryEscape(routeCursor), "", nil), 400, "cursor")
		})
		t.Run("BadRangeDateNamedOnce", func(t *testing.T) {
			wantProblem(t, w.ani.callBad("GET", visitsPath+"?date_from=2024-1-1&date_to=2024-01-02", "", nil), 400, "date_from")
			wantProblem(t, w.ani.callBad("GET", visitsPath+"?date_from=2024-01-01&date_to=2024-02-30", "", nil), 400, "date_to")
		})
	})
}

// TestVisitListWalk pages through 25 visits over several days ten at a
// time: each comes once, in route order, and visits appended during the
// walk show up only if they fall after the cursor.
func TestVisitListWalk(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		dates := []string{"2024-06-03", "2024-06-01", "2024-06-05", "2024-06-02", "2024-06-04"}
		var all []salesmania.Visit
		for i := range 25 {
			team := []int64{w.teamBudi, w.teamSiti}[i%2]
			all = append(all, w.storeVisit(t, w.a.DB.ID, dates[i%len(dates)], team, w.rejeki.ID))
			if i%5 == 0 {
				w.storeVisit(t, w.b.DB.ID, dates[i%len(dates)], w.teamAgus, w.theirs.ID)
			}
		}
		all = byRoute(all)

		t.Run("OK", func(t *testing.T) {
			var got []salesmania.Visit
			cursor := ""
			pages := 0
			for {
				q := "limit=10&include_total=true"
				if cursor != "" {
					q += "&cursor=" + url.QueryEscape(cursor)
				}
				p := w.ani.mustListVisits(t, q)
				pages++
				if *p.Total != 25 {
					t.Fatalf("total = %d; want 25", *p.Total)
				}
				if want := []int{10, 10, 5}[min(pages, 3)-1]; len(p.Data) != want {
					t.Fatalf("page %d has %d visits; want %d", pages, len(p.Data), want)
				}
				got = append(got, p.Data...)
				if p.NextCursor == nil {
					break
				}
				cursor = *p.NextCursor
			}
			if pages != 3 {
				t.Fatalf("%d pages; want 3", pages)
			}
			wantVisits(t, got, all...)
		})
		t.Run("OK/AppendsDuringWalk", func(t *testing.T) {
			p := w.ani.mustListVisits(t, "limit=10")
			wantVisits(t, p.Data, all[:10]...)
			last := p.Data[9]
			// Behind the cursor: an earlier date, and the end of a route already passed.
			behind := []salesmania.Visit{
				w.storeVisit(t, w.a.DB.ID, "2024-05-31", w.teamBudi, w.sri.ID),
				w.storeVisit(t, w.a.DB.ID, all[0].Date, all[0].TeamID, w.sri.ID),
			}
			// Ahead of it: a later date, and the end of the cursor's own route.
			ahead := []salesmania.Visit{
				w.storeVisit(t, w.a.DB.ID, "2024-06-30", w.teamSiti, w.sri.ID),
				w.storeVisit(t, w.a.DB.ID, last.Date, last.TeamID, w.sri.ID),
			}
			var rest []salesmania.Visit
			for next := p.NextCursor; next != nil; {
				p := w.ani.mustListVisits(t, "limit=10&cursor="+url.QueryEscape(*next))
				rest = append(rest, p.Data...)
				next = p.NextCursor
			}
			want := byRoute(append(slices.Clone(all[10:]), ahead...))
			wantVisits(t, rest, want...)
			for _, v := range behind {
				if slices.Contains(visitIDs(rest), v.ID) {
					t.Fatalf("visit %d appended behind the cursor was listed", v.ID)
				}
			}
			if ahead[1].Seq != last.Seq+1 {
				t.Fatalf("seq %d appended after seq %d", ahead[1].Seq, last.Seq)
			}
		})
		t.Run("OK/MemberWalk", func(t *testing.T) {
			want := filterVisits(byRoute(w.storedVisits(t, w.a.DB.ID)), func(v salesmania.Visit) bool { return v.TeamID == w.teamSiti })
			wantVisits(t, w.siti.mustListAllVisits(t, "limit=3"), want...)
		})
		t.Run("OK/UpdatedSinceWalk", func(t *testing.T) {
			stored := w.storedVisits(t, w.a.DB.ID)
			slices.SortFunc(stored, byUpdated)
			wantVisits(t, w.ani.mustListAllVisits(t, "limit=10&updated_since=2000-01-01T00:00:00Z"), stored...)
		})
	})
}

// TestVisitCustomerDelete checks §3: a customer with visits cannot be
// deleted.
func TestVisitCustomerDelete(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		v := w.budi.mustAppendVisit(t, visitBody("2024-01-01", w.rejeki.ID))
		before := w.budi.mustGet(t, w.rejeki.ID)
		for _, tn := range []tenant{w.budi, w.ani} {
			p := wantProblem(t, tn.call("DELETE", "/extapi/v1.0/customers/"+itoa(w.rejeki.ID), ""), 409)
			if !strings.Contains(p.Detail, "status") {
				t.Errorf("detail %q does not advise setting status to false", p.Detail)
			}
		}
		sameCustomer(t, w.budi.mustGet(t, w.rejeki.ID), before)
		wantVisits(t, w.budi.mustListVisits(t, "").Data, v)
		// Retired instead, it keeps its visits, which show the change.
		w.budi.mustPatch(t, w.rejeki.ID, `{"status":false,"name":"Toko Sumber Rejeki Lama"}`)
		got := w.budi.mustListVisits(t, "").Data
		if len(got) != 1 || got[0].Customer.Name != "Toko Sumber Rejeki Lama" {
			t.Fatalf("visits = %+v", got)
		}
		// A customer without visits may go.
		mustOK(t, w.budi.call("DELETE", "/extapi/v1.0/customers/"+itoa(w.sri.ID), ""))
		// Another database's visits do not hold a customer here back, nor
		// the other way round.
		w.agus.mustAppendVisit(t, visitBody("2024-01-01", w.theirs.ID))
		wantProblem(t, w.agus.call("DELETE", "/extapi/v1.0/customers/"+itoa(w.theirs.ID), ""), 409)
	})
}
