package salesmania_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/salesmania/salesmania"
)

// dayVisit is a visit of a test day at a point metres east of (0, 0), or
// without a location when east is NaN.
func dayVisit(id int64, status string, east float64, minutes int64) salesmania.Visit {
	v := salesmania.Visit{ID: id, Seq: id, Status: status, DurationMin: minutes}
	if !math.IsNaN(east) {
		v.Customer.Location = &salesmania.Location{Lat: 0, Lon: east / (salesmania.EarthRadiusM * math.Pi / 180)}
	}
	return v
}

func optimizeReq(t *testing.T, body string) *salesmania.OptimizeRequest {
	t.Helper()
	var f salesmania.OptimizeFields
	decodeWithNulls(t, body, &f)
	req, err := f.Check(salesmania.Principal{TeamID: 7, Role: salesmania.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// routeLength is §11's distance of a day in the given order, computed here
// again: start, the located visits that are not skipped, end.
func routeLength(day []salesmania.Visit, order []int64, start, end *salesmania.Location) float64 {
	byID := map[int64]salesmania.Visit{}
	for _, v := range day {
		byID[v.ID] = v
	}
	var pts []salesmania.Location
	if start != nil {
		pts = append(pts, *start)
	}
	for _, id := range order {
		if v := byID[id]; v.Customer.Location != nil && v.Status != salesmania.VisitSkipped {
			pts = append(pts, *v.Customer.Location)
		}
	}
	if end != nil {
		pts = append(pts, *end)
	}
	total := 0.0
	for i := 1; i < len(pts); i++ {
		total += salesmania.DistanceM(pts[i-1], pts[i])
	}
	return total
}

func TestOptimizeDay(t *testing.T) {
	nan := math.NaN()
	t.Run("OKWhatMovesAndWhatStays", func(t *testing.T) {
		// Planned visits zig-zag along a line; a done visit, a skipped one
		// and one without a location hold their places.
		day := []salesmania.Visit{
			dayVisit(1, salesmania.VisitDone, 0, 15),
			dayVisit(2, salesmania.VisitPlanned, 4000, 15),
			dayVisit(3, salesmania.VisitPlanned, 1000, 15),
			dayVisit(4, salesmania.VisitSkipped, 9000, 15),
			dayVisit(5, salesmania.VisitPlanned, nan, 20),
			dayVisit(6, salesmania.VisitPlanned, 3000, 15),
			dayVisit(7, salesmania.VisitPlanned, 2000, 15),
		}
		req := optimizeReq(t, `{"date":"2026-03-02"}`)
		res, err := salesmania.OptimizeDay(day, req)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{1, 3, 7, 4, 5, 6, 2}; !slices.Equal(res.VisitIDs, want) {
			t.Fatalf("order %v; want %v", res.VisitIDs, want)
		}
		if !slices.Equal(res.Fixed, []int64{1, 4}) || !slices.Equal(res.Unlocated, []int64{5}) {
			t.Fatalf("fixed %v unlocated %v", res.Fixed, res.Unlocated)
		}
		if got, want := res.DistanceMBefore, salesmania.RoundMetres(routeLength(day, []int64{1, 2, 3, 4, 5, 6, 7}, nil, nil)); got != want || got != 4000+3000+2000+1000 {
			t.Fatalf("before = %d; want %d", got, want)
		}
		if got := res.DistanceMAfter; got != 4000 {
			t.Fatalf("after = %d; want 4000", got)
		}
		// Stops: the first located stop at depart_at, legs at 25 km/h.
		leg := func(m float64) float64 { return m / (25 / 3.6) }
		clock := 8 * 3600.0
		wantStops := []struct {
			id     int64
			leg    int64 // -1: null
			arrive float64
			dur    float64
		}{}
		add := func(id, l int64, dur float64) {
			if l > 0 {
				clock += leg(float64(l))
			}
			wantStops = append(wantStops, struct {
				id     int64
				leg    int64
				arrive float64
				dur    float64
			}{id, l, clock, dur})
			clock += dur * 60
		}
		add(1, -1, 15)
		add(3, 1000, 15)
		add(7, 1000, 15)
		add(5, -1, 20) // unlocated: arrives as the previous stop leaves
		add(6, 1000, 15)
		add(2, 1000, 15)
		for i, s := range res.Stops {
			if s.Seq != int64(i+1) {
				t.Fatalf("stop %d has seq %d", i, s.Seq)
			}
		}
		skipped := res.Stops[3]
		if skipped.VisitID != 4 || skipped.LegM != nil || skipped.Arrive != nil || skipped.Depart != nil {
			t.Fatalf("skipped stop %+v; want nulls", skipped)
		}
		stops := slices.Delete(slices.Clone(res.Stops), 3, 4)
		for i, w := range wantStops {
			s := stops[i]
			if s.VisitID != w.id {
				t.Fatalf("stop %d is visit %d; want %d", i, s.VisitID, w.id)
			}
			if (w.leg < 0) != (s.LegM == nil) || (s.LegM != nil && *s.LegM != w.leg) {
				t.Fatalf("visit %d leg %v; want %d", w.id, s.LegM, w.leg)
			}
			mins := func(secs float64) string {
				m := int(math.Floor(secs/60 + 0.5))
				return string([]byte{byte('0' + m/600), byte('0' + m/60%10), ':', byte('0' + m%60/10), byte('0' + m%10)})
			}
			if *s.Arrive != mins(w.arrive) || *s.Depart != mins(w.arrive+w.dur*60) {
				t.Fatalf("visit %d arrive %s depart %s; want %s %s", w.id, *s.Arrive, *s.Depart, mins(w.arrive), mins(w.arrive+w.dur*60))
			}
		}
	})
	t.Run("OKStartEndAndTimes", func(t *testing.T) {
		// 36 km/h is 10 m/s: 300 m take 30 s, so 08:00:30 rounds up to
		// 08:01; late departures pass midnight.
		day := []salesmania.Visit{dayVisit(1, salesmania.VisitPlanned, 300, 5)}
		res, err := salesmania.OptimizeDay(day, optimizeReq(t, `{"date":"2026-03-02","start":{"lat":0,"lon":0},"end":{"lat":0,"lon":0},"speed_kmh":36,"depart_at":"23:58"}`))
		if err != nil {
			t.Fatal(err)
		}
		s := res.Stops[0]
		if *s.LegM != 300 || *s.Arrive != "23:59" || *s.Depart != "24:04" {
			t.Fatalf("stop %+v %s %s; want leg 300, 23:59 (23:58:30 rounded up), 24:04", s, *s.Arrive, *s.Depart)
		}
		if res.DistanceMBefore != 600 || res.DistanceMAfter != 600 {
			t.Fatalf("distances %d %d; want 600 (there and back)", res.DistanceMBefore, res.DistanceMAfter)
		}
	})
	t.Run("OKOrderKeptWithOneMovable", func(t *testing.T) {
		day := []salesmania.Visit{dayVisit(1, salesmania.VisitDone, 5000, 15), dayVisit(2, salesmania.VisitPlanned, 0, 15), dayVisit(3, salesmania.VisitCheckedIn, 5000, 15)}
		res, err := salesmania.OptimizeDay(day, optimizeReq(t, `{"date":"2026-03-02"}`))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.VisitIDs, []int64{1, 2, 3}) || res.DistanceMAfter != res.DistanceMBefore {
			t.Fatalf("%+v", res)
		}
	})
	t.Run("OKEmptyDay", func(t *testing.T) {
		res, err := salesmania.OptimizeDay(nil, optimizeReq(t, `{"date":"2026-03-02","start":{"lat":0,"lon":0}}`))
		if err != nil || len(res.VisitIDs) != 0 || len(res.Stops) != 0 || res.DistanceMBefore != 0 {
			t.Fatalf("%+v %v", res, err)
		}
	})
	t.Run("OKRandomDaysNeverLongerAndDeterministic", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 7))
		statuses := []string{salesmania.VisitPlanned, salesmania.VisitPlanned, salesmania.VisitPlanned, salesmania.VisitDone, salesmania.VisitSkipped, salesmania.VisitCheckedIn}
		for n := range 40 {
			var day []salesmania.Visit
			for i := range 1 + n%30 {
				east := rng.Float64() * 20000
				if rng.IntN(10) == 0 {
					east = nan
				}
				day = append(day, dayVisit(int64(i+1), statuses[rng.IntN(len(statuses))], east, int64(5+rng.IntN(30))))
				day[i].Customer.Location = withLat(day[i].Customer.Location, rng.Float64()*0.1)
			}
			req := optimizeReq(t, `{"date":"2026-03-02","start":{"lat":0.05,"lon":0.05}}`)
			a, err := salesmania.OptimizeDay(day, req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := salesmania.OptimizeDay(day, req)
			if !slices.Equal(a.VisitIDs, b.VisitIDs) {
				t.Fatalf("day %d: two answers %v and %v", n, a.VisitIDs, b.VisitIDs)
			}
			if a.DistanceMAfter > a.DistanceMBefore {
				t.Fatalf("day %d: after %d > before %d", n, a.DistanceMAfter, a.DistanceMBefore)
			}
			if got := salesmania.RoundMetres(routeLength(day, a.VisitIDs, req.Start, nil)); got != a.DistanceMAfter {
				t.Fatalf("day %d: distance_m_after %d; the order measures %d", n, a.DistanceMAfter, got)
			}
			for i, id := range a.VisitIDs {
				if v := day[i]; !(v.Status == salesmania.VisitPlanned && v.Customer.Location != nil) && id != v.ID {
					t.Fatalf("day %d: visit %d (%s) left its place %d", n, v.ID, v.Status, i+1)
				}
			}
		}
	})
	t.Run("ErrTooManyVisits", func(t *testing.T) {
		day := make([]salesmania.Visit, salesmania.MaxOptimizeVisits+1)
		for i := range day {
			day[i] = dayVisit(int64(i+1), salesmania.VisitPlanned, float64(i), 15)
		}
		_, err := salesmania.OptimizeDay(day, optimizeReq(t, `{"date":"2026-03-02"}`))
		wantFields(t, err, salesmania.EINVALID, "date")
	})
}

func withLat(l *salesmania.Location, lat float64) *salesmania.Location {
	if l == nil {
		return nil
	}
	return &salesmania.Location{Lat: lat, Lon: l.Lon}
}

func TestOptimizeFieldsCheck(t *testing.T) {
	member := salesmania.Principal{TeamID: 7, Role: salesmania.RoleMember}
	for _, tt := range []struct {
		name, body string
		code       string
		fields     []string
	}{
		{"OK", `{"date":"2026-03-02","start":{"lat":-7,"lon":110},"depart_at":"00:00","speed_kmh":200}`, "", nil},
		{"ErrStartWithoutLon", `{"date":"2026-03-02","start":{"lat":-7}}`, salesmania.EINVALID, []string{"start.lon"}},
		{"ErrEndLat91", `{"date":"2026-03-02","end":{"lat":91,"lon":0}}`, salesmania.EINVALID, []string{"end.lat"}},
		{"ErrSpeed0", `{"date":"2026-03-02","speed_kmh":0}`, salesmania.EINVALID, []string{"speed_kmh"}},
		{"ErrSpeed201", `{"date":"2026-03-02","speed_kmh":201}`, salesmania.EINVALID, []string{"speed_kmh"}},
		{"ErrDepart2500", `{"date":"2026-03-02","depart_at":"25:00"}`, salesmania.EINVALID, []string{"depart_at"}},
		{"ErrDepart860", `{"date":"2026-03-02","depart_at":"8:60"}`, salesmania.EINVALID, []string{"depart_at"}},
		{"ErrNoDate", `{}`, salesmania.EINVALID, []string{"date"}},
		{"ErrOtherTeam", `{"date":"2026-03-02","team_id":8}`, salesmania.EFORBIDDEN, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var f salesmania.OptimizeFields
			decodeWithNulls(t, tt.body, &f)
			req, err := f.Check(member)
			if tt.code == "" {
				if err != nil || req.TeamID != 7 || req.SpeedKmh != 200 || req.DepartAt != 0 {
					t.Fatalf("Check = %+v, %v", req, err)
				}
				return
			}
			wantFields(t, err, tt.code, tt.fields...)
		})
	}
}

// TestRouteDistanceM holds the console's distance of a day to §11's: the
// optimiser's distance_m_before of the same day without start or end.
func TestRouteDistanceM(t *testing.T) {
	nan := math.NaN()
	day := []salesmania.Visit{
		dayVisit(1, salesmania.VisitDone, 0, 15),
		dayVisit(2, salesmania.VisitSkipped, 5000, 15), // skipped: not on the route
		dayVisit(3, salesmania.VisitPlanned, nan, 15),  // no location: not on the route
		dayVisit(4, salesmania.VisitPlanned, 1000, 15),
		dayVisit(5, salesmania.VisitPlanned, 300, 15),
	}
	if got := salesmania.RouteDistanceM(day); got != 1700 {
		t.Fatalf("RouteDistanceM = %d, want 1700 (0 → 1000 → 300 m east)", got)
	}
	res, err := salesmania.OptimizeDay(day, optimizeReq(t, `{"date":"2026-03-02"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := salesmania.RouteDistanceM(day); got != res.DistanceMBefore {
		t.Fatalf("RouteDistanceM = %d, OptimizeDay's distance_m_before = %d", got, res.DistanceMBefore)
	}
	if got := salesmania.RouteDistanceM(nil); got != 0 {
		t.Fatalf("empty day: %d", got)
	}
}
