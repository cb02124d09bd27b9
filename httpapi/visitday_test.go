package httpapi_test

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// The visit day (§10): check-in and check-out with GPS proof, PATCH, move,
// delete and reorder, and the database settings they use (§10.1).

// haversine is the contract's distance, written out again here so the
// tests do not take the server's word for it.
func haversine(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371008.8
	p1, p2 := lat1*math.Pi/180, lat2*math.Pi/180
	dp, dl := (lat2-lat1)*math.Pi/180, (lon2-lon1)*math.Pi/180
	a := math.Sin(dp/2)*math.Sin(dp/2) + math.Cos(p1)*math.Cos(p2)*math.Sin(dl/2)*math.Sin(dl/2)
	return 2 * r * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
}

// bad sends a request that breaks the document on purpose; the answer is
// still checked against it.
func (tn tenant) bad(method, path, body string) response {
	tn.e.t.Helper()
	return tn.callBad(method, path, body, nil)
}

func visitPath(id int64, suffix string) string { return visitsPath + "/" + itoa(id) + suffix }

// mustVisitCall sends a request about a visit and decodes the visit of a
// 200 answer.
func (tn tenant) mustVisitCall(t *testing.T, method string, id int64, suffix, body string) salesmania.Visit {
	t.Helper()
	r := tn.call(method, visitPath(id, suffix), body)
	mustOK(t, r)
	var v salesmania.Visit
	r.json(t, &v)
	return v
}

// visitJSON is the stored visit as the API shows it, straight from the
// store, to compare before and after a refused request.
func (w *visitWorld) visitJSON(t *testing.T, dbID, id int64) string {
	t.Helper()
	v, err := w.e.store.FindVisit(t.Context(), dbID, salesmania.AllTeams(), id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// dayJSON is a team's day as stored: ids, seqs, statuses and times.
func (w *visitWorld) dayJSON(t *testing.T, dbID int64, date string) string {
	t.Helper()
	var day []salesmania.Visit
	for _, v := range w.storedVisits(t, dbID) {
		if v.Date == date {
			day = append(day, v)
		}
	}
	b, _ := json.Marshal(day)
	return string(b)
}

// wantSeqs fails unless the team's day holds exactly these visits in this
// order, with seqs 1..n.
func (w *visitWorld) wantSeqs(t *testing.T, dbID, team int64, date string, ids ...int64) {
	t.Helper()
	var got []int64
	for _, v := range w.storedVisits(t, dbID) {
		if v.Date == date && v.TeamID == team {
			if v.Seq != int64(len(got)+1) {
				t.Fatalf("day %s of team %d: visit %d has seq %d at place %d", date, team, v.ID, v.Seq, len(got)+1)
			}
			got = append(got, v.ID)
		}
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("day %s of team %d = %v; want %v", date, team, got, ids)
	}
}

func TestVisitCheckIn(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		rejeki := *w.rejeki.Location // -7.110383, 110.473812
		plan := func(t *testing.T, c salesmania.Customer) salesmania.Visit {
			t.Helper()
			return w.storeVisit(t, w.a.DB.ID, "2026-03-02", w.teamBudi, c.ID)
		}
		checkIn := func(t *testing.T, v salesmania.Visit, body string) salesmania.Visit {
			t.Helper()
			before := time.Now().UTC().Add(-time.Second)
			got := w.budi.mustVisitCall(t, "POST", v.ID, "/check-in", body)
			if got.Status != "checked_in" || got.CheckIn == nil || got.CheckOut != nil {
				t.Fatalf("after check-in: %+v", got)
			}
			if got.CheckIn.At.Before(before) || got.CheckIn.At.After(time.Now().UTC().Add(time.Second)) {
				t.Fatalf("check_in.at = %v; want the time of the call", got.CheckIn.At)
			}
			if !got.UpdatedAt.After(v.UpdatedAt) || got.Seq != v.Seq || got.Date != v.Date {
				t.Fatalf("check-in changed seq or date, or kept updated_at: %+v", got)
			}
			if again := w.budi.mustVisitCall(t, "GET", v.ID, "", ""); !jsonEqual(again, got) {
				t.Fatalf("GET after check-in = %+v; want %+v", again, got)
			}
			return got
		}

		t.Run("OK/Verified", func(t *testing.T) {
			v := plan(t, w.rejeki)
			got := checkIn(t, v, `{"lat":-7.110412,"lon":110.47379,"accuracy_m":12,"device_time":"2026-03-02T09:14:05+07:00"}`)
			c := got.CheckIn
			want := int64(math.Round(haversine(-7.110412, 110.47379, rejeki.Lat, rejeki.Lon)))
			if c.DistanceM == nil || *c.DistanceM != want || want != 4 {
				t.Fatalf("distance_m = %v; want %d (4 m)", c.DistanceM, want)
			}
			if *c.Verification != "verified" || *c.Lat != -7.110412 || *c.Lon != 110.47379 || *c.AccuracyM != 12 || c.Mocked {
				t.Fatalf("check_in = %+v", c)
			}
			if *c.DeviceTime != "2026-03-02T09:14:05+07:00" {
				t.Fatalf("device_time = %q; want it as sent, with its offset", *c.DeviceTime)
			}
		})
		t.Run("OK/UnverifiedFar", func(t *testing.T) {
			v := plan(t, w.rejeki)
			lat := rejeki.Lat + 1400/111195.07973436874 // 1.4 km north
			got := checkIn(t, v, js(map[string]any{"lat": lat, "lon": rejeki.Lon, "accuracy_m": 8}))
			if c := got.CheckIn; *c.DistanceM != 1400 || *c.Verification != "unverified" || c.DeviceTime != nil {
				t.Fatalf("check_in = %+v; want 1400 m, unverified, no device_time", c)
			}
		})
		t.Run("OK/UnverifiedInaccurate", func(t *testing.T) {
			got := checkIn(t, plan(t, w.rejeki), `{"lat":-7.110383,"lon":110.473812,"accuracy_m":201}`)
			if c := got.CheckIn; *c.DistanceM != 0 || *c.Verification != "unverified" {
				t.Fatalf("check_in = %+v; want 0 m, unverified (accuracy over the radius)", c)
			}
		})
		t.Run("OK/MockedNeverVerified", func(t *testing.T) {
			got := checkIn(t, plan(t, w.rejeki), `{"lat":-7.110383,"lon":110.473812,"accuracy_m":1,"mocked":true}`)
			if c := got.CheckIn; *c.DistanceM != 0 || *c.Verification != "unverified" || !c.Mocked {
				t.Fatalf("check_in = %+v; want mocked and unverified", c)
			}
		})
		t.Run("OK/UnverifiableWithoutLocation", func(t *testing.T) {
			got := checkIn(t, plan(t, w.sri), `{"lat":-7.56,"lon":110.82,"accuracy_m":5}`)
			if c := got.CheckIn; c.DistanceM != nil || *c.Verification != "unverifiable" {
				t.Fatalf("check_in = %+v; want unverifiable, no distance", c)
			}
		})
		t.Run("OK/RadiusOfTheDatabaseAtTheTime", func(t *testing.T) {
			lat := rejeki.Lat + 300/111195.07973436874 // 300 m north
			body := js(map[string]any{"lat": lat, "lon": rejeki.Lon, "accuracy_m": 20})
			mustOK(t, w.ani.call("PATCH", "/extapi/v1.0/settings", `{"geofence_radius_m":500}`))
			wide := checkIn(t, plan(t, w.rejeki), body)
			mustOK(t, w.ani.call("PATCH", "/extapi/v1.0/settings", `{"geofence_radius_m":10}`))
			narrow := checkIn(t, plan(t, w.rejeki), body)
			mustOK(t, w.ani.call("PATCH", "/extapi/v1.0/settings", `{"geofence_radius_m":200}`))
			if *wide.CheckIn.Verification != "verified" || *narrow.CheckIn.Verification != "unverified" {
				t.Fatalf("300 m with radius 500: %s, with radius 10: %s", *wide.CheckIn.Verification, *narrow.CheckIn.Verification)
			}
			// A recorded check-in keeps its verification.
			if again := w.budi.mustVisitCall(t, "GET", wide.ID, "", ""); *again.CheckIn.Verification != "verified" {
				t.Fatalf("the radius change re-verified a recorded check-in: %+v", again.CheckIn)
			}
		})
		t.Run("OK/AliasV10", func(t *testing.T) {
			v := plan(t, w.rejeki)
			r := w.budi.call("POST", "/extapi/v1.0/visits/"+itoa(v.ID)+"/check-in", `{"lat":-7.110383,"lon":110.473812,"accuracy_m":3}`)
			mustOK(t, r)
		})

		t.Run("Err", func(t *testing.T) {
			v := plan(t, w.rejeki)
			for _, tt := range []struct {
				name, body string
				status     int
				fields     []string
			}{
				{"Lat91", `{"lat":91,"lon":110,"accuracy_m":5}`, 422, []string{"lat"}},
				{"Lon181", `{"lat":-7,"lon":181,"accuracy_m":5}`, 422, []string{"lon"}},
				{"AccuracyNegative", `{"lat":-7,"lon":110,"accuracy_m":-1}`, 422, []string{"accuracy_m"}},
				{"Accuracy200000", `{"lat":-7,"lon":110,"accuracy_m":200000}`, 422, []string{"accuracy_m"}},
				{"MissingLatLon", `{"accuracy_m":5}`, 422, []string{"lat", "lon"}},
				{"MissingAll", `{}`, 422, []string{"lat", "lon", "accuracy_m"}},
				{"BadDeviceTime", `{"lat":-7,"lon":110,"accuracy_m":5,"device_time":"kemarin"}`, 422, []string{"device_time"}},
				{"OutcomeAtCheckIn", `{"lat":-7,"lon":110,"accuracy_m":5,"outcome":"Order"}`, 422, []string{"outcome"}},
				{"UnknownField", `{"lat":-7,"lon":110,"accuracy_m":5,"altitude":3}`, 422, []string{"altitude"}},
				{"WrongType", `{"lat":"-7","lon":110,"accuracy_m":5}`, 400, []string{"lat"}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := w.visitJSON(t, w.a.DB.ID, v.ID)
					r := w.budi.bad("POST", visitPath(v.ID, "/check-in"), tt.body)
					wantProblem(t, r, tt.status, tt.fields...)
					if after := w.visitJSON(t, w.a.DB.ID, v.ID); after != before {
						t.Fatalf("a refused check-in changed the visit:\nbefore %s\nafter  %s", before, after)
					}
				})
			}
			t.Run("NotPlanned", func(t *testing.T) {
				checkedIn := plan(t, w.rejeki)
				w.budi.mustVisitCall(t, "POST", checkedIn.ID, "/check-in", `{"lat":-7.11,"lon":110.47,"accuracy_m":5}`)
				done := plan(t, w.rejeki)
				w.budi.mustVisitCall(t, "POST", done.ID, "/check-in", `{"lat":-7.11,"lon":110.47,"accuracy_m":5}`)
				w.budi.mustVisitCall(t, "POST", done.ID, "/check-out", `{}`)
				skipped := plan(t, w.rejeki)
				w.budi.mustVisitCall(t, "PATCH", skipped.ID, "", `{"status":"skipped"}`)
				for _, id := range []int64{checkedIn.ID, done.ID, skipped.ID} {
					before := w.visitJSON(t, w.a.DB.ID, id)
					wantProblem(t, w.budi.bad("POST", visitPath(id, "/check-in"), `{"lat":-7.11,"lon":110.47,"accuracy_m":5}`), http.StatusConflict, "status")
					if after := w.visitJSON(t, w.a.DB.ID, id); after != before {
						t.Fatalf("a refused check-in changed visit %d", id)
					}
				}
			})
			t.Run("AnotherTeamIsNotFound", func(t *testing.T) {
				before := w.visitJSON(t, w.a.DB.ID, v.ID)
				wantProblem(t, w.siti.bad("POST", visitPath(v.ID, "/check-in"), `{"lat":-7.11,"lon":110.47,"accuracy_m":5}`), http.StatusNotFound)
				wantProblem(t, w.siti.bad("GET", visitPath(v.ID, ""), ""), http.StatusNotFound)
				wantProblem(t, w.siti.bad("POST", visitPath(v.ID, "/check-in"), `{"lat":91}`), http.StatusNotFound)
				if after := w.visitJSON(t, w.a.DB.ID, v.ID); after != before {
					t.Fatal("another team's check-in changed the visit")
				}
				// The admin of the database may act for every team.
				mustOK(t, w.ani.call("GET", visitPath(v.ID, ""), ""))
			})
		})
	})
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func TestVisitCheckOut(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		checkedIn := func(t *testing.T) salesmania.Visit {
			t.Helper()
			v := w.storeVisit(t, w.a.DB.ID, "2026-03-02", w.teamBudi, w.rejeki.ID)
			return w.budi.mustVisitCall(t, "POST", v.ID, "/check-in", `{"lat":-7.110412,"lon":110.47379,"accuracy_m":12}`)
		}
		t.Run("OK/WithPosition", func(t *testing.T) {
			in := checkedIn(t)
			got := w.budi.mustVisitCall(t, "POST", in.ID, "/check-out",
				`{"lat":-7.110398,"lon":110.473801,"accuracy_m":9,"outcome":" Order ","notes":"Pesan 2 dus","device_time":"2026-03-02T09:40:00+07:00"}`)
			if got.Status != "done" || got.Outcome != "Order" || got.Notes != "Pesan 2 dus" || !jsonEqual(got.CheckIn, in.CheckIn) {
				t.Fatalf("after check-out: %+v", got)
			}
			c := got.CheckOut
			if c == nil || *c.DistanceM != int64(math.Round(haversine(-7.110398, 110.473801, -7.110383, 110.473812))) ||
				*c.Verification != "verified" || *c.DeviceTime != "2026-03-02T09:40:00+07:00" {
				t.Fatalf("check_out = %+v", c)
			}
		})
		t.Run("OK/WithoutPosition", func(t *testing.T) {
			in := checkedIn(t)
			got := w.budi.mustVisitCall(t, "POST", in.ID, "/check-out", `{}`)
			c := got.CheckOut
			if got.Status != "done" || c == nil || c.Lat != nil || c.Lon != nil || c.AccuracyM != nil || c.DistanceM != nil || c.Verification != nil {
				t.Fatalf("check_out without a position = %+v", c)
			}
			var raw struct {
				CheckOut map[string]any `json:"check_out"`
			}
			r := w.budi.call("GET", visitPath(in.ID, ""), "")
			r.json(t, &raw)
			for _, k := range []string{"lat", "lon", "accuracy_m", "distance_m", "verification", "device_time"} {
				if v, ok := raw.CheckOut[k]; !ok || v != nil {
					t.Fatalf("check_out.%s = %v (present %v); want null", k, v, ok)
				}
			}
		})
		t.Run("Err", func(t *testing.T) {
			in := checkedIn(t)
			for _, tt := range []struct {
				name, body string
				fields     []string
			}{
				{"LatWithoutLon", `{"lat":-7.11,"accuracy_m":5}`, []string{"lon"}},
				{"LonOnly", `{"lon":110.47}`, []string{"lat", "accuracy_m"}},
				{"Lat91", `{"lat":91,"lon":0,"accuracy_m":5}`, []string{"lat"}},
				{"BadDeviceTime", `{"device_time":"2026-03-02T25:00:00Z"}`, []string{"device_time"}},
				{"OutcomeTooLong", js(map[string]any{"outcome": strings.Repeat("x", 101)}), []string{"outcome"}},
				{"NotesTooLong", js(map[string]any{"notes": strings.Repeat("é", 2001)}), []string{"notes"}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := w.visitJSON(t, w.a.DB.ID, in.ID)
					wantProblem(t, w.budi.bad("POST", visitPath(in.ID, "/check-out"), tt.body), http.StatusUnprocessableEntity, tt.fields...)
					if after := w.visitJSON(t, w.a.DB.ID, in.ID); after != before {
						t.Fatal("a refused check-out changed the visit")
					}
				})
			}
			t.Run("NotCheckedIn", func(t *testing.T) {
				planned := w.storeVisit(t, w.a.DB.ID, "2026-03-02", w.teamBudi, w.rejeki.ID)
				done := checkedIn(t)
				w.budi.mustVisitCall(t, "POST", done.ID, "/check-out", `{}`)
				for _, id := range []int64{planned.ID, done.ID} {
					before := w.visitJSON(t, w.a.DB.ID, id)
					wantProblem(t, w.budi.bad("POST", visitPath(id, "/check-out"), `{"outcome":"Order"}`), http.StatusConflict, "status")
					if after := w.visitJSON(t, w.a.DB.ID, id); after != before {
						t.Fatalf("a refused check-out changed visit %d", id)
					}
				}
			})
		})
	})
}

func TestVisitPatch(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		t.Run("OK/Fields", func(t *testing.T) {
			v := w.storeVisit(t, w.a.DB.ID, "2026-03-02", w.teamBudi, w.rejeki.ID)
			got := w.budi.mustVisitCall(t, "PATCH", v.ID, "", `{"notes":" bawa katalog ","outcome":"Stok penuh","duration_min":30}`)
			if got.Notes != "bawa katalog" || got.Outcome != "Stok penuh" || got.DurationMin != 30 || !got.UpdatedAt.After(v.UpdatedAt) {
				t.Fatalf("after PATCH: %+v", got)
			}
			t.Run("NoChangeKeepsUpdatedAt", func(t *testing.T) {
				again := w.budi.mustVisitCall(t, "PATCH", v.ID, "", `{"notes":"bawa katalog","duration_min":30,"status":"planned","date":"2026-03-02"}`)
				if !again.UpdatedAt.Equal(got.UpdatedAt) {
					t.Fatalf("a PATCH that changes nothing moved updated_at from %v to %v", got.UpdatedAt, again.UpdatedAt)
				}
			})
		})
		t.Run("OK/SkipAndBack", func(t *testing.T) {
			v := w.storeVisit(t, w.a.DB.ID, "2026-03-02", w.teamBudi, w.rejeki.ID)
			if got := w.budi.mustVisitCall(t, "PATCH", v.ID, "", `{"status":"skipped","outcome":"Tutup"}`); got.Status != "skipped" || got.Outcome != "Tutup" {
				t.Fatalf("skip: %+v", got)
			}
			if got := w.budi.mustVisitCall(t, "PATCH", v.ID, "", `{"status":"planned"}`); got.Status != "planned" {
				t.Fatalf("unskip: %+v", got)
			}
		})
		t.Run("OK/MoveToAnotherDate", func(t *testing.T) {
			d1, d2 := "2026-04-01", "2026-04-02"
			a := w.storeVisit(t, w.a.DB.ID, d1, w.teamBudi, w.rejeki.ID)
			b := w.storeVisit(t, w.a.DB.ID, d1, w.teamBudi, w.sri.ID)
			c := w.storeVisit(t, w.a.DB.ID, d1, w.teamBudi, w.rejeki.ID)
			x := w.storeVisit(t, w.a.DB.ID, d2, w.teamBudi, w.sri.ID)
			siti := w.storeVisit(t, w.a.DB.ID, d1, w.teamSiti, w.sri.ID)
			moved := w.budi.mustVisitCall(t, "PATCH", b.ID, "", `{"date":"`+d2+`"}`)
			if moved.Date != d2 || moved.Seq != 2 || moved.TeamID != w.teamBudi {
				t.Fatalf("moved visit = %+v; want %s seq 2", moved, d2)
			}
			w.wantSeqs(t, w.a.DB.ID, w.teamBudi, d1, a.ID, c.ID)
			w.wantSeqs(t, w.a.DB.ID, w.teamBudi, d2, x.ID, b.ID)
			w.wantSeqs(t, w.a.DB.ID, w.teamSiti, d1, siti.ID)
			// A skipped visit moves too.
			w.budi.mustVisitCall(t, "PATCH", a.ID, "", `{"status":"skipped"}`)
			w.budi.mustVisitCall(t, "PATCH", a.ID, "", `{"date":"`+d2+`"}`)
			w.wantSeqs(t, w.a.DB.ID, w.teamBudi, d1, c.ID)
			w.wantSeqs(t, w.a.DB.ID, w.teamBudi, d2, x.ID, b.ID, a.ID)
		})
		t.Run("Err", func(t *testing.T) {
			v := w.storeVisit(t, w.a.DB.ID, "2026-05-01", w.teamBudi, w.rejeki.ID)
			done := w.storeVisit(t, w.a.DB.ID, "2026-05-01", w.teamBudi, w.rejeki.ID)
			w.budi.mustVisitCall(t, "POST", done.ID, "/check-in", `{"lat":-7.11,"lon":110.47,"accuracy_m":5}`)
			w.budi.mustVisitCall(t, "POST", done.ID, "/check-out", `{}`)
			in := w.storeVisit(t, w.a.DB.ID, "2026-05-01", w.teamBudi, w.rejeki.ID)
			w.budi.mustVisitCall(t, "POST", in.ID, "/check-in", `{"lat":-7.11,"lon":110.47,"accuracy_m":5}`)
			for _, tt := range []struct {
				name   string
				id     int64
				body   string
				status int
				fields []string
			}{
				{"StatusDone", v.ID, `{"status":"done"}`, 422, []string{"status"}},
				{"StatusCheckedIn", v.ID, `{"status":"checked_in"}`, 422, []string{"status"}},
				{"StatusUnknown", v.ID, `{"status":"batal"}`, 422, []string{"status"}},
				{"Duration0", v.ID, `{"duration_min":0}`, 422, []string{"duration_min"}},
				{"Duration601", v.ID, `{"duration_min":601}`, 422, []string{"duration_min"}},
				{"NotesTooLong", v.ID, js(map[string]any{"notes": strings.Repeat("x", 2001)}), 422, []string{"notes"}},
				{"Null", v.ID, `{"outcome":null}`, 422, []string{"outcome"}},
				{"BadDate", v.ID, `{"date":"2026-13-01"}`, 422, []string{"date"}},
				{"UnknownField", v.ID, `{"seq":1}`, 422, []string{"seq"}},
				{"PlannedOnDone", done.ID, `{"status":"planned"}`, 409, []string{"status"}},
				{"SkippedOnCheckedIn", in.ID, `{"status":"skipped"}`, 409, []string{"status"}},
				{"MoveDone", done.ID, `{"date":"2026-05-02"}`, 409, []string{"date"}},
				{"MoveCheckedIn", in.ID, `{"date":"2026-05-02"}`, 409, []string{"date"}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					before := w.dayJSON(t, w.a.DB.ID, "2026-05-01")
					wantProblem(t, w.budi.bad("PATCH", visitPath(tt.id, ""), tt.body), tt.status, tt.fields...)
					if after := w.dayJSON(t, w.a.DB.ID, "2026-05-01"); after != before {
						t.Fatalf("a refused PATCH changed the day:\nbefore %s\nafter  %s", before, after)
					}
				})
			}
			t.Run("AnotherTeamIsNotFound", func(t *testing.T) {
				before := w.dayJSON(t, w.a.DB.ID, "2026-05-01")
				wantProblem(t, w.siti.bad("PATCH", visitPath(v.ID, ""), `{"notes":"x"}`), http.StatusNotFound)
				wantProblem(t, w.agus.bad("PATCH", visitPath(v.ID, ""), `{"notes":"x"}`), http.StatusNotFound)
				if after := w.dayJSON(t, w.a.DB.ID, "2026-05-01"); after != before {
					t.Fatal("another team's PATCH changed the day")
				}
			})
		})
	})
}

func TestVisitDelete(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		const day = "2026-06-01"
		var ids []int64
		for range 4 {
			ids = append(ids, w.storeVisit(t, w.a.DB.ID, day, w.teamBudi, w.rejeki.ID).ID)
		}
		t.Run("OK/LaterVisitsMoveUp", func(t *testing.T) {
			r := w.budi.call("DELETE", visitPath(ids[1], ""), "")
			mustOK(t, r)
			if strings.TrimSpace(string(r.body)) != "{}" {
				t.Fatalf("body = %s; want {}", r.body)
			}
			w.wantSeqs(t, w.a.DB.ID, w.teamBudi, day, ids[0], ids[2], ids[3])
			wantProblem(t, w.budi.bad("GET", visitPath(ids[1], ""), ""), http.StatusNotFound)
		})
		t.Run("OK/Skipped", func(t *testing.T) {
			w.budi.mustVisitCall(t, "PATCH", ids[3], "", `{"status":"skipped"}`)
			mustOK(t, w.budi.call("DELETE", visitPath(ids[3], ""), ""))
			w.wantSeqs(t, w.a.DB.ID, w.teamBudi, day, ids[0], ids[2])
		})
		t.Run("Err/CheckedInOrDone", func(t *testing.T) {
			w.budi.mustVisitCall(t, "POST", ids[0], "/check-in", `{"lat":-7.11,"lon":110.47,"accuracy_m":5}`)
			w.budi.mustVisitCall(t, "POST", ids[2], "/check-in", `{"lat":-7.11,"lon":110.47,"accuracy_m":5}`)
			w.budi.mustVisitCall(t, "POST", ids[2], "/check-out", `{}`)
			before := w.dayJSON(t, w.a.DB.ID, day)
			for _, id := range []int64{ids[0], ids[2]} {
				wantProblem(t, w.budi.bad("DELETE", visitPath(id, ""), ""), http.StatusConflict, "status")
			}
			wantProblem(t, w.siti.bad("DELETE", visitPath(ids[0], ""), ""), http.StatusNotFound)
			if after := w.dayJSON(t, w.a.DB.ID, day); after != before {
				t.Fatal("a refused delete changed the day")
			}
		})
	})
}

func TestVisitSequence(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		const day = "2026-07-01"
		var ids []int64
		for range 4 {
			ids = append(ids, w.storeVisit(t, w.a.DB.ID, day, w.teamBudi, w.rejeki.ID).ID)
		}
		other := w.storeVisit(t, w.a.DB.ID, "2026-07-02", w.teamBudi, w.rejeki.ID)
		siti := w.storeVisit(t, w.a.DB.ID, day, w.teamSiti, w.sri.ID)
		theirs := w.storeVisit(t, w.b.DB.ID, day, w.teamAgus, w.theirs.ID)
		const path = visitsPath + "/sequence"
		body := func(team int64, ids ...int64) string {
			m := map[string]any{"date": day, "visit_ids": ids}
			if team != 0 {
				m["team_id"] = team
			}
			return js(m)
		}
		t.Run("OK", func(t *testing.T) {
			before := w.storedVisits(t, w.a.DB.ID)
			r := w.budi.call("PUT", path, body(0, ids[0], ids[3], ids[1], ids[2]))
			mustOK(t, r)
			var out struct{ Data []salesmania.Visit }
			r.json(t, &out)
			var got []int64
			for i, v := range out.Data {
				got = append(got, v.ID)
				if v.Seq != int64(i+1) {
					t.Fatalf("answer: visit %d has seq %d at index %d", v.ID, v.Seq, i)
				}
			}
			if want := []int64{ids[0], ids[3], ids[1], ids[2]}; !slices.Equal(got, want) {
				t.Fatalf("answer order %v; want %v", got, want)
			}
			w.wantSeqs(t, w.a.DB.ID, w.teamBudi, day, ids[0], ids[3], ids[1], ids[2])
			// The first visit kept its place, and its updated_at.
			for _, v := range before {
				if v.ID == ids[0] && !out.Data[0].UpdatedAt.Equal(v.UpdatedAt) {
					t.Fatalf("a visit whose seq stayed got a new updated_at")
				}
				if v.ID == ids[3] && !out.Data[1].UpdatedAt.After(v.UpdatedAt) {
					t.Fatalf("a moved visit kept its updated_at")
				}
			}
		})
		t.Run("OK/AdminForAnotherTeam", func(t *testing.T) {
			mustOK(t, w.ani.call("PUT", path, body(w.teamSiti, siti.ID)))
		})
		t.Run("OK/EmptyDay", func(t *testing.T) {
			r := w.budi.call("PUT", path, `{"date":"2026-07-09","visit_ids":[]}`)
			mustOK(t, r)
			if strings.TrimSpace(string(r.body)) != `{"data":[]}` {
				t.Fatalf("body = %s", r.body)
			}
		})
		t.Run("Err", func(t *testing.T) {
			for _, tt := range []struct {
				name   string
				tn     tenant
				body   string
				status int
				fields []string
			}{
				{"MissingID", w.budi, body(0, ids[0], ids[1], ids[2]), 422, []string{"visit_ids"}},
				{"DuplicateID", w.budi, body(0, ids[0], ids[1], ids[2], ids[3], ids[3]), 422, []string{"visit_ids"}},
				{"IDOfAnotherDay", w.budi, body(0, ids[0], ids[1], ids[2], ids[3], other.ID), 422, []string{"visit_ids"}},
				{"IDOfAnotherTeam", w.budi, body(0, ids[0], ids[1], ids[2], ids[3], siti.ID), 422, []string{"visit_ids"}},
				{"IDOfAnotherDatabase", w.budi, body(0, ids[0], ids[1], ids[2], ids[3], theirs.ID), 422, []string{"visit_ids"}},
				{"TeamOfAnotherDatabase", w.ani, body(w.teamAgus, theirs.ID), 422, []string{"team_id"}},
				{"MemberForAnotherTeam", w.budi, body(w.teamSiti, siti.ID), 403, nil},
				{"MissingDate", w.budi, `{"visit_ids":[]}`, 422, []string{"date"}},
				{"MissingIDs", w.budi, `{"date":"` + day + `"}`, 422, []string{"visit_ids"}},
				{"IDsNotArray", w.budi, `{"date":"` + day + `","visit_ids":5}`, 400, []string{"visit_ids"}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					beforeA, beforeB := w.dayJSON(t, w.a.DB.ID, day), w.dayJSON(t, w.b.DB.ID, day)
					wantProblem(t, tt.tn.bad("PUT", path, tt.body), tt.status, tt.fields...)
					if w.dayJSON(t, w.a.DB.ID, day) != beforeA || w.dayJSON(t, w.b.DB.ID, day) != beforeB {
						t.Fatal("a refused reorder changed a day")
					}
				})
			}
		})
	})
}

func TestSettings(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newVisitWorld(t, kind)
		const path = "/extapi/v1.0/settings"
		get := func(t *testing.T, tn tenant) salesmania.Settings {
			t.Helper()
			r := tn.call("GET", path, "")
			mustOK(t, r)
			var s salesmania.Settings
			r.json(t, &s)
			return s
		}
		if got := get(t, w.budi); got != salesmania.DefaultSettings() || got.GeofenceRadiusM != 200 || got.Timezone != "Asia/Jakarta" {
			t.Fatalf("a new database's settings = %+v", got)
		}
		t.Run("OK", func(t *testing.T) {
			r := w.ani.call("PATCH", path, `{"geofence_radius_m":150,"timezone":" Asia/Makassar "}`)
			mustOK(t, r)
			want := salesmania.Settings{GeofenceRadiusM: 150, Timezone: "Asia/Makassar"}
			if got := get(t, w.siti); got != want {
				t.Fatalf("after PATCH: %+v", got)
			}
			if got := get(t, w.agus); got != salesmania.DefaultSettings() {
				t.Fatalf("another database's settings changed: %+v", got)
			}
		})
		t.Run("Err", func(t *testing.T) {
			before := get(t, w.ani)
			for _, tt := range []struct {
				name   string
				tn     tenant
				body   string
				status int
				fields []string
			}{
				{"Radius5", w.ani, `{"geofence_radius_m":5}`, 422, []string{"geofence_radius_m"}},
				{"Radius6000", w.ani, `{"geofence_radius_m":6000}`, 422, []string{"geofence_radius_m"}},
				{"Mars", w.ani, `{"timezone":"Mars/Olympus"}`, 422, []string{"timezone"}},
				{"Both", w.ani, `{"geofence_radius_m":6000,"timezone":"Mars/Olympus"}`, 422, []string{"geofence_radius_m", "timezone"}},
				{"Null", w.ani, `{"timezone":null}`, 422, []string{"timezone"}},
				{"Unknown", w.ani, `{"radius":100}`, 422, []string{"radius"}},
				{"WrongType", w.ani, `{"geofence_radius_m":"100"}`, 400, []string{"geofence_radius_m"}},
				{"Member", w.budi, `{"geofence_radius_m":100}`, 403, nil},
			} {
				t.Run(tt.name, func(t *testing.T) {
					wantProblem(t, tt.tn.bad("PATCH", path, tt.body), tt.status, tt.fields...)
					if got := get(t, w.ani); got != before {
						t.Fatalf("a refused PATCH changed the settings: %+v", got)
					}
				})
			}
		})
	})
}
