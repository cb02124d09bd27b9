package httpapi_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// feedEntry is a change as the feed answers it, the object kept raw.
type feedEntry struct {
	Pos    string          `json:"pos"`
	Kind   string          `json:"kind"`
	Op     string          `json:"op"`
	ID     int64           `json:"id"`
	Object json.RawMessage `json:"object"`
}

type feedAnswer struct {
	Data    []feedEntry `json:"data"`
	Next    string      `json:"next"`
	HasMore bool        `json:"has_more"`
}

func (tn tenant) feed(t *testing.T, after string, limit int) feedAnswer {
	t.Helper()
	q := "/extapi/v1.0/changes?limit=" + strconv.Itoa(limit)
	if after != "" {
		q += "&after=" + after
	}
	r := tn.call("GET", q, "")
	mustOK(t, r)
	var a feedAnswer
	r.json(t, &a)
	return a
}

// mirror is a client's copy of a database made from the feed alone: kind
// and id → the object's JSON.
type mirror struct {
	rows map[string]string
	pos  string
}

func newMirror() *mirror { return &mirror{rows: map[string]string{}} }

// sync applies every change after the mirror's position.
func (m *mirror) sync(t *testing.T, tn tenant, limit int) (entries int) {
	t.Helper()
	// On PostgreSQL the feed waits for every transaction of the cluster
	// older than the writes just done (other tests' too).
	if err := tn.e.store.WaitFeedCurrent(t.Context()); err != nil {
		t.Fatal(err)
	}
	for range 10000 {
		a := tn.feed(t, m.pos, limit)
		for _, c := range a.Data {
			key := c.Kind + " " + strconv.FormatInt(c.ID, 10)
			if c.Op == salesmania.OpDelete {
				if string(c.Object) != "null" {
					t.Fatalf("a delete of %s has object %s", key, c.Object)
				}
				delete(m.rows, key)
			} else {
				m.rows[key] = string(c.Object)
			}
			entries++
		}
		if a.Next == "" {
			t.Fatal("no next position")
		}
		m.pos = a.Next
		if !a.HasMore {
			return entries
		}
	}
	t.Fatal("the feed does not end")
	return 0
}

// truth is what GET by id answers for every row the tenant may see.
func (w *visitWorld) truth(t *testing.T, tn tenant, teams salesmania.TeamScope) map[string]string {
	t.Helper()
	ctx := t.Context()
	st := w.e.store
	all := salesmania.ListParams{Limit: 1000}
	out := map[string]string{}
	put := func(kind string, id int64, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out[kind+" "+strconv.FormatInt(id, 10)] = string(b)
	}
	cs, _ := st.ListCustomers(ctx, tn.DBID, salesmania.CustomerFilter{ListParams: all})
	for _, c := range cs.Data {
		put("customer", c.ID, c)
	}
	ps, _ := st.ListProducts(ctx, tn.DBID, salesmania.ProductFilter{ListParams: all})
	for _, p := range ps.Data {
		put("product", p.ID, p)
	}
	vs, _ := st.ListVisits(ctx, tn.DBID, salesmania.VisitFilter{Teams: teams, ListParams: all})
	for _, v := range vs.Data {
		put("visit", v.ID, v)
	}
	pl, _ := st.ListVisitPlans(ctx, tn.DBID, salesmania.VisitPlanFilter{Teams: teams, ListParams: all})
	for _, p := range pl.Data {
		put("visit_plan", p.ID, p)
	}
	os, _ := st.ListOrders(ctx, tn.DBID, salesmania.OrderFilter{Teams: teams, ListParams: all})
	for _, o := range os.Data {
		put("order", o.ID, o)
	}
	return out
}

func wantMirror(t *testing.T, m *mirror, truth map[string]string) {
	t.Helper()
	for k, v := range truth {
		if got, ok := m.rows[k]; !ok {
			t.Errorf("the mirror lacks %s", k)
		} else if got != v {
			t.Errorf("the mirror's %s is\n%s\nGET answers\n%s", k, got, v)
		}
	}
	for k := range m.rows {
		if _, ok := truth[k]; !ok {
			t.Errorf("the mirror has %s, which is not there", k)
		}
	}
}

func TestChangeFeed(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		budiVisit := w.storeVisit(t, w.a.DB.ID, "2026-03-02", w.teamBudi, w.rejeki.ID)
		sitiVisit := w.storeVisit(t, w.a.DB.ID, "2026-03-02", w.teamSiti, w.sri.ID)
		product := w.budi.mustCreateProduct(t, `{"name":"Indomie Goreng","qty_on_hand":10,"product_units":[{"name":"PCS","price":3500,"ratio":1}]}`)
		order := w.budi.call("POST", "/extapi/v1.0/orders", js(map[string]any{"date": "2026-03-02", "customer_id": w.rejeki.ID,
			"ordered_products": []any{map[string]any{"product_id": product.ID, "qty": 2, "unit": "PCS", "price": 3500, "item_disc_percent": "10+5"}}}))
		mustOK(t, order)

		admin, member := newMirror(), newMirror()
		t.Run("OK/FirstWalkIsTheDatabase", func(t *testing.T) {
			first := w.ani.feed(t, "", 2)
			if len(first.Data) != 2 || !first.HasMore || first.Next != first.Data[1].Pos {
				t.Fatalf("first page %+v", first)
			}
			admin.sync(t, w.ani, 2)
			wantMirror(t, admin, w.truth(t, w.ani, salesmania.AllTeams()))
			// The deleted customer of the world is a delete entry, not a row.
			if _, ok := admin.rows["customer "+itoa(w.deleted.ID)]; ok {
				t.Fatal("a deleted customer is in the mirror")
			}
		})
		t.Run("OK/MemberSeesItsTeam", func(t *testing.T) {
			member.sync(t, w.siti, 1000)
			wantMirror(t, member, w.truth(t, w.siti, salesmania.OnlyTeam(w.teamSiti)))
			if _, ok := member.rows["visit "+itoa(budiVisit.ID)]; ok {
				t.Fatal("a member sees another team's visit in the feed")
			}
			if _, ok := member.rows["visit "+itoa(sitiVisit.ID)]; !ok {
				t.Fatal("a member does not see its own team's visit")
			}
		})
		t.Run("OK/LaterChanges", func(t *testing.T) {
			w.budi.mustVisitCall(t, "PATCH", budiVisit.ID, "", `{"notes":"satu"}`)
			w.budi.mustVisitCall(t, "PATCH", budiVisit.ID, "", `{"notes":"dua"}`)
			a := w.ani.feed(t, admin.pos, 1000)
			if len(a.Data) != 1 || a.Data[0].Kind != "visit" || a.Data[0].ID != budiVisit.ID || a.HasMore {
				t.Fatalf("two changes of one visit: %+v; want one entry with its latest state", a)
			}
			// A rename of a customer is a change of its visits too.
			w.budi.mustPatch(t, w.rejeki.ID, `{"name":"Toko Sumber Rejeki Baru"}`)
			mustOK(t, w.budi.call("DELETE", visitPath(budiVisit.ID, ""), ""))
			wantProblem(t, w.budi.call("DELETE", "/extapi/v1.0/customers/"+itoa(w.sri.ID), ""), http.StatusConflict) // it has a visit
			w.budi.mustVisitCall(t, "POST", w.storeVisit(t, w.a.DB.ID, "2026-03-03", w.teamBudi, w.rejeki.ID).ID, "/check-in", `{"lat":-7.11,"lon":110.47,"accuracy_m":5}`)
			admin.sync(t, w.ani, 3)
			wantMirror(t, admin, w.truth(t, w.ani, salesmania.AllTeams()))
			member.sync(t, w.siti, 3)
			wantMirror(t, member, w.truth(t, w.siti, salesmania.OnlyTeam(w.teamSiti)))
			if empty := w.ani.feed(t, admin.pos, 10); len(empty.Data) != 0 || empty.HasMore || empty.Next != admin.pos {
				t.Fatalf("the feed at its end: %+v; want no data, the same next", empty)
			}
		})
		t.Run("OK/PlanMovesTeam", func(t *testing.T) {
			// A plan the admin moves from Siti's team to Budi's leaves
			// Siti's copy and joins Budi's.
			r := w.siti.call("POST", "/extapi/v1.1/visit-plans", js(map[string]any{"customer_id": w.sri.ID, "weekdays": []int{2}, "start_date": "2026-03-03"}))
			mustOK(t, r)
			var plan salesmania.VisitPlan
			r.json(t, &plan)
			budi := newMirror()
			budi.sync(t, w.budi, 1000)
			member.sync(t, w.siti, 1000)
			if _, ok := member.rows["visit_plan "+itoa(plan.ID)]; !ok {
				t.Fatal("Siti's copy lacks her new plan")
			}
			mustOK(t, w.ani.call("PATCH", "/extapi/v1.1/visit-plans/"+itoa(plan.ID), js(map[string]any{"team_id": w.teamBudi})))
			member.sync(t, w.siti, 1000)
			wantMirror(t, member, w.truth(t, w.siti, salesmania.OnlyTeam(w.teamSiti)))
			budi.sync(t, w.budi, 1000)
			wantMirror(t, budi, w.truth(t, w.budi, salesmania.OnlyTeam(w.teamBudi)))
			admin.sync(t, w.ani, 1000)
			wantMirror(t, admin, w.truth(t, w.ani, salesmania.AllTeams()))
		})
		t.Run("Err", func(t *testing.T) {
			theirs := w.agus.feed(t, "", 1).Next
			for _, tt := range []struct {
				name, query, field string
			}{
				{"AfterMalformed", "after=bm90LWEtcG9zaXRpb24", "after"},
				{"AfterNotBase64", "after=%2A%2A", "after"},
				{"AfterOfAnotherDatabase", "after=" + theirs, "after"},
				{"AfterEmpty", "after=", "after"},
				{"Limit0", "limit=0", "limit"},
				{"Limit1001", "limit=1001", "limit"},
				{"Unknown", "since=2024-01-01T00:00:00Z", "since"},
			} {
				t.Run(tt.name, func(t *testing.T) {
					wantProblem(t, w.ani.bad("GET", "/extapi/v1.0/changes?"+tt.query, ""), http.StatusBadRequest, tt.field)
				})
			}
			r := w.e.do(request{method: "GET", path: "/extapi/v1.0/changes", bearer: w.ani.bearer, skipRequest: true})
			wantProblem(t, r, http.StatusForbidden)
		})
		t.Run("OK/PositionsAscend", func(t *testing.T) {
			var all []string
			pos := ""
			for {
				a := w.ani.feed(t, pos, 1)
				for _, c := range a.Data {
					all = append(all, c.Pos)
				}
				pos = a.Next
				if !a.HasMore {
					break
				}
			}
			if len(all) == 0 || slices.Compact(slices.Clone(all)) == nil {
				t.Fatal("no positions")
			}
			seen := map[string]bool{}
			for _, p := range all {
				if seen[p] {
					t.Fatalf("position %s twice in one walk", p)
				}
				seen[p] = true
			}
		})
	})
}
