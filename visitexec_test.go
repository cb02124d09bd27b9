package salesmania_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
)

// metresNorth returns the point m metres due north of (0, 0) on the
// contract's sphere: one degree of latitude is EarthRadiusM·π/180 metres.
func metresNorth(m float64) (lat, lon float64) {
	return m / (salesmania.EarthRadiusM * math.Pi / 180), 0
}

func TestDistanceM(t *testing.T) {
	for _, tt := range []struct {
		name string
		a, b salesmania.Location
		want float64
	}{
		{"OneDegreeOfLatitude", salesmania.Location{Lat: 0, Lon: 0}, salesmania.Location{Lat: 1, Lon: 0}, 111195.07973436874},
		{"OneDegreeOfLongitudeOnTheEquator", salesmania.Location{Lat: 0, Lon: 10}, salesmania.Location{Lat: 0, Lon: 11}, 111195.07973436874},
		{"Antipodes", salesmania.Location{Lat: 0, Lon: 0}, salesmania.Location{Lat: 0, Lon: 180}, salesmania.EarthRadiusM * math.Pi},
		{"Same", salesmania.Location{Lat: -7.11, Lon: 110.47}, salesmania.Location{Lat: -7.11, Lon: 110.47}, 0},
		{"QuarterMeridian", salesmania.Location{Lat: 0, Lon: 110}, salesmania.Location{Lat: 90, Lon: 0}, salesmania.EarthRadiusM * math.Pi / 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := salesmania.DistanceM(tt.a, tt.b)
			if math.Abs(got-tt.want) > 1 {
				t.Fatalf("DistanceM = %.3f m; want %.3f", got, tt.want)
			}
			if back := salesmania.DistanceM(tt.b, tt.a); math.Abs(back-got) > 1e-6 {
				t.Fatalf("not symmetric: %.6f and %.6f", got, back)
			}
		})
	}
}

// TestVerify holds the verification rule of §10 at its boundaries.
func TestVerify(t *testing.T) {
	customer := &salesmania.Location{Lat: 0, Lon: 0}
	f := func(v float64) *float64 { return &v }
	for _, tt := range []struct {
		name         string
		metres       float64 // north of the customer
		accuracy     float64
		mocked       bool
		customer     *salesmania.Location
		wantDistance int64
		want         string
	}{
		{"DistanceExactlyTheRadius", 200, 10, false, customer, 200, salesmania.Verified},
		{"DistanceRoundsDownToTheRadius", 200.49, 10, false, customer, 200, salesmania.Verified},
		{"DistanceRoundsUpPastTheRadius", 200.51, 10, false, customer, 201, salesmania.Unverified},
		{"AccuracyExactlyTheRadius", 5, 200, false, customer, 5, salesmania.Verified},
		{"AccuracyJustOverTheRadius", 5, 200.01, false, customer, 5, salesmania.Unverified},
		{"Mocked", 0, 0, true, customer, 0, salesmania.Unverified},
		{"FarAway", 1400, 5, false, customer, 1400, salesmania.Unverified},
		{"CustomerWithoutLocation", 0, 0, false, nil, -1, salesmania.Unverifiable},
		{"CustomerWithoutLocationMocked", 0, 0, true, nil, -1, salesmania.Unverifiable},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lat, lon := metresNorth(tt.metres)
			c := &salesmania.VisitCheck{Lat: &lat, Lon: &lon, AccuracyM: f(tt.accuracy), Mocked: tt.mocked}
			c.Verify(tt.customer, 200)
			if c.Verification == nil || *c.Verification != tt.want {
				t.Fatalf("verification = %v; want %s", c.Verification, tt.want)
			}
			switch {
			case tt.wantDistance < 0 && c.DistanceM != nil:
				t.Fatalf("distance = %d; want null", *c.DistanceM)
			case tt.wantDistance >= 0 && (c.DistanceM == nil || *c.DistanceM != tt.wantDistance):
				t.Fatalf("distance = %v; want %d", c.DistanceM, tt.wantDistance)
			}
		})
	}
	t.Run("NoPosition", func(t *testing.T) {
		c := &salesmania.VisitCheck{}
		c.Verify(customer, 200)
		if c.DistanceM != nil || c.Verification != nil {
			t.Fatalf("check without a position verified: %v %v", c.DistanceM, c.Verification)
		}
	})
}

func TestCanMoveVisit(t *testing.T) {
	statuses := []string{salesmania.VisitPlanned, salesmania.VisitCheckedIn, salesmania.VisitDone, salesmania.VisitSkipped}
	allowed := map[[2]string]bool{
		{"planned", "checked_in"}: true, {"checked_in", "done"}: true, {"planned", "skipped"}: true, {"skipped", "planned"}: true,
	}
	for _, from := range statuses {
		for _, to := range statuses {
			want := from == to || allowed[[2]string{from, to}]
			if got := salesmania.CanMoveVisit(from, to); got != want {
				t.Errorf("CanMoveVisit(%s, %s) = %v; want %v", from, to, got, want)
			}
		}
	}
}

func decodeCheck(t *testing.T, body string) *salesmania.CheckFields {
	t.Helper()
	var f salesmania.CheckFields
	f.SetNulls(decodeWithNulls(t, body, &f))
	return &f
}

func TestCheckFields(t *testing.T) {
	now := time.Date(2026, 3, 2, 2, 14, 9, 0, time.UTC)
	for _, tt := range []struct {
		name, body string
		out        bool // as a check-out
		fields     []string
	}{
		{"OKCheckIn", `{"lat":-7.1,"lon":110.4,"accuracy_m":0,"device_time":"2026-03-02T09:14:05+07:00","mocked":true}`, false, nil},
		{"OKCheckOutWithoutPosition", `{"outcome":"Order","notes":"x"}`, true, nil},
		{"OKCheckOutWithPosition", `{"lat":90,"lon":-180,"accuracy_m":100000}`, true, nil},
		{"ErrLat91", `{"lat":91,"lon":0,"accuracy_m":1}`, false, []string{"lat"}},
		{"ErrLon181", `{"lat":0,"lon":181,"accuracy_m":1}`, false, []string{"lon"}},
		{"ErrAccuracyNegative", `{"lat":0,"lon":0,"accuracy_m":-1}`, false, []string{"accuracy_m"}},
		{"ErrAccuracy200000", `{"lat":0,"lon":0,"accuracy_m":200000}`, false, []string{"accuracy_m"}},
		{"ErrCheckInWithoutPosition", `{}`, false, []string{"lat", "lon", "accuracy_m"}},
		{"ErrCheckInLatOnly", `{"lat":1}`, false, []string{"lon", "accuracy_m"}},
		{"ErrCheckInOutcome", `{"lat":0,"lon":0,"accuracy_m":1,"outcome":"Order"}`, false, []string{"outcome"}},
		{"ErrCheckOutLatWithoutLon", `{"lat":0,"accuracy_m":1}`, true, []string{"lon"}},
		{"ErrCheckOutLatOnly", `{"lat":0}`, true, []string{"lon", "accuracy_m"}},
		{"ErrDeviceTime", `{"lat":0,"lon":0,"accuracy_m":1,"device_time":"2026-03-02 09:14"}`, false, []string{"device_time"}},
		{"ErrDeviceTimeWithoutOffset", `{"lat":0,"lon":0,"accuracy_m":1,"device_time":"2026-03-02T09:14:05"}`, false, []string{"device_time"}},
		{"ErrOutcomeTooLong", `{"outcome":"` + repeat("x", 101) + `"}`, true, []string{"outcome"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := decodeCheck(t, tt.body)
			var c *salesmania.VisitCheck
			var err error
			if tt.out {
				c, err = f.NewCheckOut(now)
			} else {
				c, err = f.NewCheckIn(now)
			}
			if tt.fields == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !c.At.Equal(now) {
					t.Fatalf("at = %v", c.At)
				}
				return
			}
			wantFields(t, err, salesmania.EINVALID, tt.fields...)
		})
	}
	t.Run("DeviceTimeKeptAsSent", func(t *testing.T) {
		c, err := decodeCheck(t, `{"lat":0,"lon":0,"accuracy_m":1,"device_time":" 2026-03-02T09:14:05.5-03:30 "}`).NewCheckIn(now)
		if err != nil {
			t.Fatal(err)
		}
		if c.DeviceTime == nil || *c.DeviceTime != "2026-03-02T09:14:05.5-03:30" {
			t.Fatalf("device_time = %v", c.DeviceTime)
		}
	})
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}

// wantFields fails unless err is a *salesmania.Error of the code naming
// exactly these fields, in order.
func wantFields(t *testing.T, err error, code string, fields ...string) {
	t.Helper()
	se, ok := err.(*salesmania.Error)
	if !ok || se.Code != code {
		t.Fatalf("err = %v; want %s", err, code)
	}
	var got []string
	for _, f := range se.Fields {
		got = append(got, f.Field)
	}
	b1, _ := json.Marshal(got)
	b2, _ := json.Marshal(fields)
	if string(b1) != string(b2) {
		t.Fatalf("fields = %s; want %s (%v)", b1, b2, err)
	}
}

func TestVisitFieldsApplyTo(t *testing.T) {
	visit := func(status string) *salesmania.Visit {
		return &salesmania.Visit{ID: 1, Date: "2026-03-02", Status: status, DurationMin: 15, Notes: "n", Outcome: "o"}
	}
	for _, tt := range []struct {
		name, status, body string
		changed            bool
		code               string
		fields             []string
	}{
		{"OKNoChange", "planned", `{"notes":" n ","outcome":"o","duration_min":15,"status":"planned","date":"2026-03-02"}`, false, "", nil},
		{"OKSkip", "planned", `{"status":"skipped","outcome":"Tutup"}`, true, "", nil},
		{"OKUnskip", "skipped", `{"status":"planned"}`, true, "", nil},
		{"OKMove", "skipped", `{"date":"2026-03-03"}`, true, "", nil},
		{"OKNotesOnDone", "done", `{"notes":"later"}`, true, "", nil},
		{"OKDurationOnCheckedIn", "checked_in", `{"duration_min":600}`, true, "", nil},
		{"ErrStatusDone", "checked_in", `{"status":"done"}`, false, salesmania.EINVALID, []string{"status"}},
		{"ErrStatusCheckedIn", "planned", `{"status":"checked_in"}`, false, salesmania.EINVALID, []string{"status"}},
		{"ErrStatusCase", "planned", `{"status":"Skipped"}`, false, salesmania.EINVALID, []string{"status"}},
		{"ErrDuration0", "planned", `{"duration_min":0}`, false, salesmania.EINVALID, []string{"duration_min"}},
		{"ErrDuration601", "planned", `{"duration_min":601}`, false, salesmania.EINVALID, []string{"duration_min"}},
		{"ErrDurationFraction", "planned", `{"duration_min":1.5}`, false, salesmania.EINVALID, []string{"duration_min"}},
		{"ErrNull", "planned", `{"notes":null,"date":null}`, false, salesmania.EINVALID, []string{"date", "notes"}},
		{"ErrBadDate", "planned", `{"date":"2026-02-30"}`, false, salesmania.EINVALID, []string{"date"}},
		{"ErrPlannedOnDone", "done", `{"status":"planned"}`, false, salesmania.ECONFLICT, []string{"status"}},
		{"ErrSkippedOnCheckedIn", "checked_in", `{"status":"skipped"}`, false, salesmania.ECONFLICT, []string{"status"}},
		{"ErrMoveDone", "done", `{"date":"2026-03-03"}`, false, salesmania.ECONFLICT, []string{"date"}},
		{"ErrMoveCheckedIn", "checked_in", `{"date":"2026-03-03"}`, false, salesmania.ECONFLICT, []string{"date"}},
		{"ErrFieldsBeforeConflict", "done", `{"status":"planned","duration_min":0}`, false, salesmania.EINVALID, []string{"duration_min"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var f salesmania.VisitFields
			f.SetNulls(decodeWithNulls(t, tt.body, &f))
			v := visit(tt.status)
			changed, err := f.ApplyTo(v)
			if tt.code != "" {
				wantFields(t, err, tt.code, tt.fields...)
				if *v != *visit(tt.status) {
					t.Fatalf("visit changed on error: %+v", v)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.changed {
				t.Fatalf("changed = %v; want %v", changed, tt.changed)
			}
		})
	}
}

func TestCheckSequence(t *testing.T) {
	day := []salesmania.Visit{{ID: 5}, {ID: 9}, {ID: 2}}
	for _, tt := range []struct {
		name string
		ids  []int64
		ok   bool
	}{
		{"OKSame", []int64{5, 9, 2}, true},
		{"OKReversed", []int64{2, 9, 5}, true},
		{"ErrMissing", []int64{5, 9}, false},
		{"ErrDuplicate", []int64{5, 9, 9, 2}, false},
		{"ErrDuplicateInsteadOfOne", []int64{5, 9, 9}, false},
		{"ErrForeign", []int64{5, 9, 2, 77}, false},
		{"ErrEmpty", []int64{}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := salesmania.CheckSequence(day, tt.ids)
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantFields(t, err, salesmania.EINVALID, "visit_ids")
		})
	}
	if err := salesmania.CheckSequence(nil, []int64{}); err != nil {
		t.Fatalf("an empty day and no ids: %v", err)
	}
}

func TestSettingsApplyTo(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		fields     []string
	}{
		{"OK", `{"geofence_radius_m":10,"timezone":"Asia/Jayapura"}`, nil},
		{"OKMax", `{"geofence_radius_m":5000}`, nil},
		{"ErrRadius5", `{"geofence_radius_m":5}`, []string{"geofence_radius_m"}},
		{"ErrRadius6000", `{"geofence_radius_m":6000}`, []string{"geofence_radius_m"}},
		{"ErrRadiusFraction", `{"geofence_radius_m":150.5}`, []string{"geofence_radius_m"}},
		{"ErrMars", `{"timezone":"Mars/Olympus"}`, []string{"timezone"}},
		{"ErrLocal", `{"timezone":"Local"}`, []string{"timezone"}},
		{"ErrEmpty", `{"timezone":" "}`, []string{"timezone"}},
		{"ErrPath", `{"timezone":"../../etc/passwd"}`, []string{"timezone"}},
		{"ErrNull", `{"timezone":null}`, []string{"timezone"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var f salesmania.SettingsFields
			f.SetNulls(decodeWithNulls(t, tt.body, &f))
			s := salesmania.DefaultSettings()
			changed, err := f.ApplyTo(&s)
			if tt.fields != nil {
				wantFields(t, err, salesmania.EINVALID, tt.fields...)
				if s != salesmania.DefaultSettings() {
					t.Fatalf("settings changed on error: %+v", s)
				}
				return
			}
			if err != nil || !changed {
				t.Fatalf("ApplyTo = %v, %v", changed, err)
			}
		})
	}
	t.Run("Today", func(t *testing.T) {
		// 2026-03-01T18:30Z is already 2 March in Jakarta (UTC+7).
		now := time.Date(2026, 3, 1, 18, 30, 0, 0, time.UTC)
		if got := salesmania.DefaultSettings().Today(now); got != "2026-03-02" {
			t.Fatalf("Today = %s; want 2026-03-02", got)
		}
		if got := (salesmania.Settings{Timezone: "America/Sao_Paulo"}).Today(now); got != "2026-03-01" {
			t.Fatalf("Today in Sao Paulo = %s", got)
		}
	})
}
