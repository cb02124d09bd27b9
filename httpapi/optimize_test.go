package httpapi_test

import (
	"bufio"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

const optimizePath = visitsPath + "/optimize"

func (tn tenant) mustOptimize(t *testing.T, body string) salesmania.OptimizeResult {
	t.Helper()
	r := tn.call("POST", optimizePath, body)
	mustOK(t, r)
	var res salesmania.OptimizeResult
	r.json(t, &res)
	return res
}

// customerAt makes a customer at a point metres east and north of
// Semarang's Simpang Lima, or without a location when east is NaN.
func (tn tenant) customerAt(t *testing.T, name string, east, north float64) salesmania.Customer {
	t.Helper()
	m := map[string]any{"name": name}
	if !math.IsNaN(east) {
		const lat0, lon0 = -6.9932, 110.4203
		deg := salesmania.EarthRadiusM * math.Pi / 180
		m["location"] = map[string]float64{"lat": lat0 + north/deg, "lon": lon0 + east/(deg*math.Cos(lat0*math.Pi/180))}
	}
	return tn.mustCreate(t, js(m))
}

func TestVisitOptimize(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		const day = "2026-03-02"
		// Five shops on a line east of the depot, appended out of order; a
		// done visit at the far end and a shop without a location.
		at := func(east float64) salesmania.Customer {
			return w.budi.customerAt(t, "Toko "+strconv.Itoa(int(east)), east, 0)
		}
		var ids []int64
		for _, east := range []float64{4000, 1000, 5000, 2000, 3000} {
			ids = append(ids, w.storeVisit(t, w.a.DB.ID, day, w.teamBudi, at(east).ID).ID)
		}
		done := w.storeVisit(t, w.a.DB.ID, day, w.teamBudi, at(6000).ID)
		w.budi.mustVisitCall(t, "POST", done.ID, "/check-in", `{"lat":-6.99,"lon":110.42,"accuracy_m":5}`)
		w.budi.mustVisitCall(t, "POST", done.ID, "/check-out", `{}`)
		nowhere := w.storeVisit(t, w.a.DB.ID, day, w.teamBudi, w.budi.customerAt(t, "Toko Tanpa Peta", math.NaN(), 0).ID)
		day0 := append(append(slices.Clone(ids), done.ID), nowhere.ID)

		t.Run("OK/Proposal", func(t *testing.T) {
			before := w.dayJSON(t, w.a.DB.ID, day)
			res := w.budi.mustOptimize(t, `{"date":"`+day+`","start":{"lat":-6.9932,"lon":110.4203}}`)
			want := []int64{ids[1], ids[3], ids[4], ids[0], ids[2], done.ID, nowhere.ID}
			if !slices.Equal(res.VisitIDs, want) || res.Applied || res.TeamID != w.teamBudi || res.Date != day {
				t.Fatalf("proposal %+v; want order %v", res, want)
			}
			if !slices.Equal(res.Fixed, []int64{done.ID}) || !slices.Equal(res.Unlocated, []int64{nowhere.ID}) {
				t.Fatalf("fixed %v unlocated %v", res.Fixed, res.Unlocated)
			}
			// Before: 4000 out, 3000 back, 4000 out, 3000 back, 1000, 3000
			// to the done shop; after: 1 km at a time to 6 km.
			if math.Abs(float64(res.DistanceMBefore-18000)) > 2 || math.Abs(float64(res.DistanceMAfter-6000)) > 2 {
				t.Fatalf("distances %d → %d; want about 18000 → 6000", res.DistanceMBefore, res.DistanceMAfter)
			}
			if res.Stops[0].LegM == nil || *res.Stops[0].Arrive != "08:02" || *res.Stops[0].Depart != "08:17" {
				t.Fatalf("first stop %+v: 1 km at 25 km/h is 144 s, so 08:02 to 08:17", res.Stops[0])
			}
			last := res.Stops[len(res.Stops)-1]
			if last.VisitID != nowhere.ID || last.LegM != nil || *last.Arrive != *res.Stops[len(res.Stops)-2].Depart {
				t.Fatalf("unlocated stop %+v", last)
			}
			if after := w.dayJSON(t, w.a.DB.ID, day); after != before {
				t.Fatal("a proposal changed the day")
			}
			again := w.budi.mustOptimize(t, `{"date":"`+day+`","start":{"lat":-6.9932,"lon":110.4203}}`)
			if !jsonEqual(again, res) {
				t.Fatal("the same day and body gave another answer")
			}
		})
		t.Run("OK/Apply", func(t *testing.T) {
			res := w.ani.mustOptimize(t, `{"date":"`+day+`","team_id":`+itoa(w.teamBudi)+`,"apply":true,"speed_kmh":40,"depart_at":"07:30"}`)
			if !res.Applied {
				t.Fatal("applied = false")
			}
			w.wantSeqs(t, w.a.DB.ID, w.teamBudi, day, res.VisitIDs...)
			if got := w.budi.mustListVisits(t, "date="+day); len(got.Data) != len(day0) {
				t.Fatalf("the day has %d visits after apply; want %d", len(got.Data), len(day0))
			}
			// Applying again changes nothing: every seq stays.
			before := w.dayJSON(t, w.a.DB.ID, day)
			w.budi.mustOptimize(t, `{"date":"`+day+`","apply":true,"speed_kmh":40,"depart_at":"07:30"}`)
			if after := w.dayJSON(t, w.a.DB.ID, day); after != before {
				t.Fatal("applying an optimal order again changed the day")
			}
		})
		t.Run("OK/AliasV10", func(t *testing.T) {
			mustOK(t, w.budi.call("POST", "/extapi/v1.0/visits/optimize", `{"date":"`+day+`"}`))
		})
		t.Run("Err", func(t *testing.T) {
			for _, tt := range []struct {
				name   string
				tn     tenant
				body   string
				status int
				fields []string
			}{
				{"StartWithoutLon", w.budi, `{"date":"` + day + `","start":{"lat":-6.99}}`, 422, []string{"start.lon"}},
				{"Speed0", w.budi, `{"date":"` + day + `","speed_kmh":0}`, 422, []string{"speed_kmh"}},
				{"Depart2500", w.budi, `{"date":"` + day + `","depart_at":"25:00"}`, 422, []string{"depart_at"}},
				{"NoDate", w.budi, `{"apply":true}`, 422, []string{"date"}},
				{"Unknown", w.budi, `{"date":"` + day + `","avoid_tolls":true}`, 422, []string{"avoid_tolls"}},
				{"MemberForAnotherTeam", w.budi, `{"date":"` + day + `","team_id":` + itoa(w.teamSiti) + `,"apply":true}`, 403, nil},
				{"TeamOfAnotherDatabase", w.ani, `{"date":"` + day + `","team_id":` + itoa(w.teamAgus) + `}`, 422, []string{"team_id"}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := w.dayJSON(t, w.a.DB.ID, day)
					wantProblem(t, tt.tn.bad("POST", optimizePath, tt.body), tt.status, tt.fields...)
					if after := w.dayJSON(t, w.a.DB.ID, day); after != before {
						t.Fatal("a refused optimisation changed the day")
					}
				})
			}
			t.Run("TooManyVisits", func(t *testing.T) {
				const big = "2026-03-09"
				for range salesmania.MaxOptimizeVisits + 1 {
					w.storeVisit(t, w.a.DB.ID, big, w.teamSiti, w.sri.ID)
				}
				before := w.dayJSON(t, w.a.DB.ID, big)
				for _, apply := range []string{"false", "true"} {
					wantProblem(t, w.siti.bad("POST", optimizePath, `{"date":"`+big+`","apply":`+apply+`}`), 422, "date")
				}
				if after := w.dayJSON(t, w.a.DB.ID, big); after != before {
					t.Fatal("a refused optimisation changed the day")
				}
			})
		})
	})
}

// TestVisitOptimizeTSPLIB runs a TSPLIB instance through the API as the
// instances' README says — cities near the equator, start = end = the
// first city — and judges the order with TSPLIB's own distance.
func TestVisitOptimizeTSPLIB(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		const name, optimum = "berlin52", 7542
		cities := readTSPLIB(t, "../routeopt/testdata/tsplib/"+name+".tsp")
		w := newVisitWorld(t, kind)
		maxCoord := 0.0
		for _, c := range cities {
			maxCoord = max(maxCoord, c[0], c[1])
		}
		s := 0.5 / maxCoord
		const day = "2026-08-17"
		var visitCity = map[int64]int{}
		for i, c := range cities {
			cu := w.siti.mustCreate(t, js(map[string]any{"name": "Kota " + strconv.Itoa(i+1), "location": map[string]float64{"lat": c[1] * s, "lon": c[0] * s}}))
			visitCity[w.storeVisit(t, w.a.DB.ID, day, w.teamSiti, cu.ID).ID] = i
		}
		first := map[string]float64{"lat": cities[0][1] * s, "lon": cities[0][0] * s}
		res := w.siti.mustOptimize(t, js(map[string]any{"date": day, "start": first, "end": first}))
		var tour []int
		for _, id := range res.VisitIDs {
			tour = append(tour, visitCity[id])
		}
		length := 0
		for i := range tour {
			a, b := cities[tour[i]], cities[tour[(i+1)%len(tour)]]
			length += int(math.Floor(math.Hypot(a[0]-b[0], a[1]-b[1]) + 0.5))
		}
		if gap := float64(length-optimum) / optimum; gap > 0.05 {
			t.Fatalf("%s through the API: tour %d, optimum %d, gap %.2f%%", name, length, optimum, 100*gap)
		}
		t.Logf("%s through the API: tour %d, optimum %d", name, length, optimum)
	})
}

func readTSPLIB(t *testing.T, path string) [][2]float64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][2]float64
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "NODE_COORD_SECTION":
			in = true
		case line == "EOF" || line == "":
		case in:
			fs := strings.Fields(line)
			x, _ := strconv.ParseFloat(fs[1], 64)
			y, _ := strconv.ParseFloat(fs[2], 64)
			out = append(out, [2]float64{x, y})
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no cities", path)
	}
	return out
}

func TestVisitPlans(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		const path = "/extapi/v1.1/visit-plans"
		mustPlan := func(t *testing.T, tn tenant, body string) salesmania.VisitPlan {
			t.Helper()
			r := tn.call("POST", path, body)
			mustOK(t, r)
			var p salesmania.VisitPlan
			r.json(t, &p)
			return p
		}
		materialize := func(t *testing.T, tn tenant, body string) salesmania.MaterializeResult {
			t.Helper()
			r := tn.call("POST", path+"/materialize", body)
			mustOK(t, r)
			var res salesmania.MaterializeResult
			r.json(t, &res)
			return res
		}
		dates := func(tn tenant, from, to string) map[string][]salesmania.Visit {
			out := map[string][]salesmania.Visit{}
			for _, v := range tn.mustListAllVisits(t, "date_from="+from+"&date_to="+to) {
				out[v.Date] = append(out[v.Date], v)
			}
			return out
		}

		// Monday 2026-03-02. Rejeki on Mondays and Thursdays every other
		// week; Sri every Tuesday until 17 March.
		rejeki := mustPlan(t, w.budi, `{"customer_id":`+itoa(w.rejeki.ID)+`,"weekdays":[4,1],"every_weeks":2,"start_date":"2026-03-04","duration_min":30}`)
		if rejeki.TeamID != w.teamBudi || !slices.Equal(rejeki.Weekdays, []int{1, 4}) || !rejeki.Active || rejeki.EndDate != nil || rejeki.DurationMin != 30 {
			t.Fatalf("new plan %+v", rejeki)
		}
		sri := mustPlan(t, w.budi, `{"customer_id":`+itoa(w.sri.ID)+`,"weekdays":[2],"start_date":"2026-03-01","end_date":"2026-03-17"}`)
		if sri.EveryWeeks != 1 || sri.DurationMin != 15 {
			t.Fatalf("defaults %+v", sri)
		}
		w.storeVisit(t, w.a.DB.ID, "2026-03-05", w.teamBudi, w.sri.ID) // a visit typed by hand first

		t.Run("OK/Materialize", func(t *testing.T) {
			res := materialize(t, w.budi, `{"date_from":"2026-03-02","date_to":"2026-03-22"}`)
			// Rejeki: the week of 2 March (Thu 5; Mon 2 is before the
			// start) and the week of 16 March (Mon 16, Thu 19). Sri:
			// Tuesdays 3, 10 and 17.
			wantDays := []salesmania.MaterializedDay{{Date: "2026-03-03", TeamID: w.teamBudi, Created: 1}, {Date: "2026-03-05", TeamID: w.teamBudi, Created: 1},
				{Date: "2026-03-10", TeamID: w.teamBudi, Created: 1}, {Date: "2026-03-16", TeamID: w.teamBudi, Created: 1},
				{Date: "2026-03-17", TeamID: w.teamBudi, Created: 1}, {Date: "2026-03-19", TeamID: w.teamBudi, Created: 1}}
			if res.Created != 6 || !slices.Equal(res.Days, wantDays) {
				t.Fatalf("materialised %+v; want %+v", res, wantDays)
			}
			got := dates(w.budi, "2026-03-02", "2026-03-22")
			thursday := got["2026-03-05"]
			if len(thursday) != 2 || thursday[0].PlanID != nil || thursday[1].PlanID == nil || *thursday[1].PlanID != rejeki.ID ||
				thursday[1].Seq != 2 || thursday[1].DurationMin != 30 || thursday[1].Status != "planned" {
				t.Fatalf("5 March = %+v; want the hand-typed visit, then the plan's at seq 2", thursday)
			}
			t.Run("TwiceCreatesNothing", func(t *testing.T) {
				if res := materialize(t, w.budi, `{"date_from":"2026-03-02","date_to":"2026-03-22"}`); res.Created != 0 || len(res.Days) != 0 {
					t.Fatalf("second run %+v", res)
				}
			})
			t.Run("DeletedOrMovedNotMadeAgain", func(t *testing.T) {
				gone := got["2026-03-10"][0]
				mustOK(t, w.budi.call("DELETE", visitPath(gone.ID, ""), ""))
				moved := got["2026-03-16"][0]
				w.budi.mustVisitCall(t, "PATCH", moved.ID, "", `{"date":"2026-03-18"}`)
				if res := materialize(t, w.budi, `{"date_from":"2026-03-09","date_to":"2026-03-29"}`); res.Created != 0 {
					t.Fatalf("re-created %+v", res)
				}
			})
			t.Run("InactiveStops", func(t *testing.T) {
				r := w.budi.call("PATCH", path+"/"+itoa(rejeki.ID), `{"active":false}`)
				mustOK(t, r)
				if res := materialize(t, w.budi, `{"date_from":"2026-03-23","date_to":"2026-04-05"}`); res.Created != 0 {
					t.Fatalf("an inactive plan materialised %+v", res)
				}
				if len(dates(w.budi, "2026-03-02", "2026-03-22")["2026-03-19"]) != 1 {
					t.Fatal("deactivating a plan removed its visits")
				}
				mustOK(t, w.budi.call("PATCH", path+"/"+itoa(rejeki.ID), `{"active":true}`))
			})
		})
		t.Run("OK/MaterializeAndOptimize", func(t *testing.T) {
			east := func(name string, m float64) salesmania.Customer { return w.siti.customerAt(t, name, m, 0) }
			for _, c := range []salesmania.Customer{east("Toko Jauh", 3000), east("Toko Dekat", 1000), east("Toko Tengah", 2000)} {
				mustPlan(t, w.siti, `{"customer_id":`+itoa(c.ID)+`,"weekdays":[3],"start_date":"2026-04-01"}`)
			}
			res := materialize(t, w.siti, `{"date_from":"2026-04-01","date_to":"2026-04-01","optimize":true}`)
			if res.Created != 3 {
				t.Fatalf("%+v", res)
			}
			var names []string
			for _, v := range w.siti.mustListVisits(t, "date=2026-04-01").Data {
				names = append(names, v.Customer.Name)
			}
			if !slices.Equal(names, []string{"Toko Dekat", "Toko Tengah", "Toko Jauh"}) && !slices.Equal(names, []string{"Toko Jauh", "Toko Tengah", "Toko Dekat"}) {
				t.Fatalf("the optimised day is %v", names)
			}
		})
		t.Run("OK/ListGetPatchDelete", func(t *testing.T) {
			page := w.budi.call("GET", path+"?customer_id="+itoa(w.sri.ID)+"&active=true&include_total=true", "")
			mustOK(t, page)
			var p struct {
				Data  []salesmania.VisitPlan
				Total int64
			}
			page.json(t, &p)
			if len(p.Data) != 1 || p.Data[0].ID != sri.ID || p.Total != 1 {
				t.Fatalf("list %+v", p)
			}
			r := w.budi.call("PATCH", path+"/"+itoa(sri.ID), `{"end_date":null,"every_weeks":3}`)
			mustOK(t, r)
			var changed salesmania.VisitPlan
			r.json(t, &changed)
			if changed.EndDate != nil || changed.EveryWeeks != 3 || !changed.UpdatedAt.After(sri.UpdatedAt) {
				t.Fatalf("after PATCH %+v", changed)
			}
			r = w.budi.call("PATCH", path+"/"+itoa(sri.ID), `{"every_weeks":3}`)
			var same salesmania.VisitPlan
			r.json(t, &same)
			if !same.UpdatedAt.Equal(changed.UpdatedAt) {
				t.Fatal("a PATCH that changes nothing moved updated_at")
			}
			wantProblem(t, w.siti.call("GET", path+"/"+itoa(sri.ID), ""), http.StatusNotFound)
			mustOK(t, w.ani.call("GET", path+"/"+itoa(sri.ID), ""))
			// A customer with plans cannot be deleted.
			extra := w.budi.mustCreate(t, `{"name":"Toko Rencana"}`)
			plan := mustPlan(t, w.budi, `{"customer_id":`+itoa(extra.ID)+`,"weekdays":[5],"start_date":"2027-01-01"}`)
			wantProblem(t, w.budi.call("DELETE", "/extapi/v1.0/customers/"+itoa(extra.ID), ""), http.StatusConflict)
			mustOK(t, w.budi.call("DELETE", path+"/"+itoa(plan.ID), ""))
			mustOK(t, w.budi.call("DELETE", "/extapi/v1.0/customers/"+itoa(extra.ID), ""))
		})
		t.Run("Err", func(t *testing.T) {
			base := map[string]any{"customer_id": w.rejeki.ID, "weekdays": []int{1}, "start_date": "2026-03-02"}
			with := func(k string, v any) string {
				m := map[string]any{}
				for kk, vv := range base {
					m[kk] = vv
				}
				m[k] = v
				return js(m)
			}
			for _, tt := range []struct {
				name   string
				tn     tenant
				method string
				url    string
				body   string
				status int
				fields []string
			}{
				{"WeekdaysEmpty", w.budi, "POST", path, with("weekdays", []int{}), 422, []string{"weekdays"}},
				{"Weekday0", w.budi, "POST", path, with("weekdays", []int{0}), 422, []string{"weekdays[0]"}},
				{"Weekday8", w.budi, "POST", path, with("weekdays", []int{8}), 422, []string{"weekdays[0]"}},
				{"WeekdayTwice", w.budi, "POST", path, with("weekdays", []int{1, 1}), 422, []string{"weekdays[1]"}},
				{"EveryWeeks0", w.budi, "POST", path, with("every_weeks", 0), 422, []string{"every_weeks"}},
				{"EveryWeeks9", w.budi, "POST", path, with("every_weeks", 9), 422, []string{"every_weeks"}},
				{"EndBeforeStart", w.budi, "POST", path, with("end_date", "2026-03-01"), 422, []string{"end_date"}},
				{"CustomerOfAnotherDatabase", w.budi, "POST", path, with("customer_id", w.theirs.ID), 422, []string{"customer_id"}},
				{"TeamOfAnotherDatabase", w.ani, "POST", path, with("team_id", w.teamAgus), 422, []string{"team_id"}},
				{"MemberForAnotherTeam", w.budi, "POST", path, with("team_id", w.teamSiti), 403, nil},
				{"MissingFields", w.budi, "POST", path, `{}`, 422, []string{"customer_id", "weekdays", "start_date"}},
				{"PatchCustomer", w.budi, "PATCH", path + "/" + itoa(rejeki.ID), `{"customer_id":` + itoa(w.sri.ID) + `}`, 422, []string{"customer_id"}},
				{"PatchOtherTeam", w.budi, "PATCH", path + "/" + itoa(rejeki.ID), `{"team_id":` + itoa(w.teamSiti) + `}`, 403, nil},
				{"PatchNullWeekdays", w.budi, "PATCH", path + "/" + itoa(rejeki.ID), `{"weekdays":null}`, 422, []string{"weekdays"}},
				{"RangeOver92Days", w.budi, "POST", path + "/materialize", `{"date_from":"2026-01-01","date_to":"2026-04-03"}`, 422, []string{"date_to"}},
				{"RangeReversed", w.budi, "POST", path + "/materialize", `{"date_from":"2026-03-02","date_to":"2026-03-01"}`, 422, []string{"date_to"}},
				{"MaterializeOtherTeam", w.budi, "POST", path + "/materialize", `{"date_from":"2026-03-02","date_to":"2026-03-02","team_id":` + itoa(w.teamSiti) + `}`, 403, nil},
				{"BadListParameter", w.budi, "GET", path + "?active=yes", "", 400, []string{"active"}},
				{"ListOtherTeam", w.budi, "GET", path + "?team_id=" + itoa(w.teamSiti), "", 403, nil},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := js(w.storedPlans(t)) + w.dayJSON(t, w.a.DB.ID, "2026-03-02")
					wantProblem(t, tt.tn.bad(tt.method, tt.url, tt.body), tt.status, tt.fields...)
					if after := js(w.storedPlans(t)) + w.dayJSON(t, w.a.DB.ID, "2026-03-02"); after != before {
						t.Fatal("a refused request changed the plans or visits")
					}
				})
			}
		})
	})
}

func (w *visitWorld) storedPlans(t *testing.T) []salesmania.VisitPlan {
	t.Helper()
	p, err := w.e.store.ListVisitPlans(t.Context(), w.a.DB.ID, salesmania.VisitPlanFilter{Teams: salesmania.AllTeams(), ListParams: salesmania.ListParams{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return p.Data
}
