package client_test

import (
	"encoding/json"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// The visit day through the client (§10, §10.1): check-in and check-out,
// skip, move, delete, reorder and the settings, on both databases.

// metresNorth is the contract's great-circle distance of a point dLat
// degrees north of another on the same meridian, rounded to a metre:
// haversine reduces to the arc R·Δφ there, so the test needs no distance
// code of the server's.
func metresNorth(dLat float64) int64 { return int64(math.Round(6371008.8 * dLat * math.Pi / 180)) }

// wantVisitError is wantError that also checks the request the *Error
// names.
func wantVisitError(t *testing.T, err error, status int, method, path string, fields ...salesmania.FieldError) {
	t.Helper()
	e := wantError(t, err, status, "", fields...)
	if e.Method != method || e.Path != path {
		t.Fatalf("error names %s %s; want %s %s", e.Method, e.Path, method, path)
	}
}

// sameJSON reports whether a and b encode alike.
func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func vpath(id int64, suffix string) string { return "/extapi/v1.1/visits/" + itoa(id) + suffix }

func TestVisitDay(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		budi, sari := f.co.Teams[0], f.co.Teams[1]
		admin, tr := f.newClient(t, adminEmail)
		member, _ := f.newClient(t, memberEmail)
		// Another company's admin, who must see none of PT Maju Jaya.
		other := f.mustCompany(t, "CV Sumber Rejeki", "Dewi")
		f.mustMember(t, other.DB.ID, f.mustUser(t, "dewi@sumber.test").ID, other.Teams[0].ID, salesmania.RoleAdmin)
		stranger, _ := f.newClient(t, "dewi@sumber.test")

		const lat, lon = -7.110383, 110.473812
		rejeki, err := admin.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Toko Sumber Rejeki"),
			Location: &salesmania.LocationInput{Lat: new(lat), Lon: new(lon)}})
		mustNoErr(t, err)
		nowhere, err := admin.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Warung Tanpa Peta")})
		mustNoErr(t, err)
		const day, nextDay = "2026-03-02", "2026-03-03"
		appendVisit := func(t *testing.T, cu *salesmania.Customer, team int64) *salesmania.Visit {
			t.Helper()
			v, err := admin.Visits.Append(ctx, &salesmania.VisitCreate{Date: new(day), CustomerID: &cu.ID, TeamID: &team})
			mustNoErr(t, err)
			return v
		}
		v1, v2, v3 := appendVisit(t, rejeki, budi.ID), appendVisit(t, rejeki, budi.ID), appendVisit(t, nowhere, budi.ID)
		v4, v5 := appendVisit(t, rejeki, budi.ID), appendVisit(t, rejeki, budi.ID)
		s1 := appendVisit(t, rejeki, sari.ID)

		// dayIDs lists a team's visits of a date by seq, checking that the
		// seqs are 1..n.
		dayIDs := func(t *testing.T, date string, team int64) []int64 {
			t.Helper()
			var ids []int64
			for v, err := range admin.Visits.All(ctx, &client.VisitListOptions{Date: date, TeamID: team}) {
				mustNoErr(t, err)
				if v.Seq != int64(len(ids)+1) {
					t.Fatalf("visit %d has seq %d at place %d of %s", v.ID, v.Seq, len(ids)+1, date)
				}
				ids = append(ids, v.ID)
			}
			return ids
		}
		// unchanged fails unless visit v reads as it did.
		unchanged := func(t *testing.T, v *salesmania.Visit) {
			t.Helper()
			got, err := admin.Visits.Get(ctx, v.ID)
			mustNoErr(t, err)
			if !sameJSON(got, v) {
				t.Fatalf("visit %d changed:\n%+v\nwas\n%+v", v.ID, got, v)
			}
		}

		t.Run("Get", func(t *testing.T) {
			got, err := admin.Visits.Get(ctx, v1.ID)
			mustNoErr(t, err)
			if !sameJSON(got, v1) || got.Status != salesmania.VisitPlanned || got.DurationMin != 15 || got.CheckIn != nil || got.CheckOut != nil || got.PlanID != nil {
				t.Fatalf("Get = %+v; want the appended visit %+v", got, v1)
			}
			_, err = admin.Visits.Get(ctx, 999999999)
			wantVisitError(t, err, 404, "GET", vpath(999999999, ""))
		})

		t.Run("CheckIn/VerifiedAcrossALostAnswer", func(t *testing.T) {
			path := vpath(v1.ID, "/check-in")
			tr.set(nil, firstTime("POST", path))
			defer tr.set(nil, nil)
			got, err := admin.Visits.CheckIn(ctx, v1.ID, &salesmania.CheckFields{Lat: new(lat + 0.0001), Lon: new(lon),
				AccuracyM: new(12.0), DeviceTime: new("2026-03-02T09:14:05+07:00")})
			mustNoErr(t, err)
			posts := tr.exchanges("POST", path)
			if len(posts) != 2 || posts[0].Status != 0 || !posts[1].Replayed || posts[0].Header.Get("Idempotency-Key") == "" ||
				posts[1].Header.Get("Idempotency-Key") != posts[0].Header.Get("Idempotency-Key") {
				t.Fatalf("POSTs = %v; want a lost one, then a replay with the same key", posts)
			}
			c := got.CheckIn
			if got.Status != salesmania.VisitCheckedIn || c == nil || got.CheckOut != nil || *c.Lat != lat+0.0001 || *c.Lon != lon ||
				*c.AccuracyM != 12 || c.Mocked || *c.DeviceTime != "2026-03-02T09:14:05+07:00" ||
				*c.DistanceM != metresNorth(0.0001) || *c.Verification != salesmania.Verified {
				t.Fatalf("after check-in: %+v, check_in %+v; want checked_in, verified at %d m", got, c, metresNorth(0.0001))
			}
			unchanged(t, got)
			v1 = got
		})

		t.Run("CheckIn/UnverifiedFar", func(t *testing.T) {
			got, err := member.Visits.CheckIn(ctx, s1.ID, &salesmania.CheckFields{Lat: new(lat + 0.0126), Lon: new(lon), AccuracyM: new(8.0)})
			mustNoErr(t, err)
			if c := got.CheckIn; *c.DistanceM != metresNorth(0.0126) || *c.DistanceM != 1401 || *c.Verification != salesmania.Unverified || c.DeviceTime != nil {
				t.Fatalf("check_in = %+v; want unverified at 1401 m, device_time null", c)
			}
			s1 = got
		})

		t.Run("CheckIn/Unverifiable", func(t *testing.T) {
			got, err := admin.Visits.CheckIn(ctx, v3.ID, &salesmania.CheckFields{Lat: new(lat), Lon: new(lon), AccuracyM: new(5.0), Mocked: new(false)})
			mustNoErr(t, err)
			if c := got.CheckIn; c.DistanceM != nil || *c.Verification != salesmania.Unverifiable {
				t.Fatalf("check_in = %+v; want unverifiable, distance null", c)
			}
			v3 = got
		})

		t.Run("CheckIn/Err", func(t *testing.T) {
			bad := sendAnyway(ctx)
			for _, tt := range []struct {
				name   string
				in     salesmania.CheckFields
				fields []salesmania.FieldError
			}{
				{"OutOfRange", salesmania.CheckFields{Lat: new(91.0), Lon: new(181.0), AccuracyM: new(-1.0)}, []salesmania.FieldError{
					{Field: "lat", Message: "must be between -90 and 90"}, {Field: "lon", Message: "must be between -180 and 180"},
					{Field: "accuracy_m", Message: "must be a number of metres from 0 to 100000"}}},
				{"AccuracyTooLarge", salesmania.CheckFields{Lat: new(lat), Lon: new(lon), AccuracyM: new(200000.0)}, []salesmania.FieldError{
					{Field: "accuracy_m", Message: "must be a number of metres from 0 to 100000"}}},
				{"Missing", salesmania.CheckFields{AccuracyM: new(10.0)}, []salesmania.FieldError{
					{Field: "lat", Message: "is required"}, {Field: "lon", Message: "is required"}}},
				{"BadDeviceTime", salesmania.CheckFields{Lat: new(lat), Lon: new(lon), AccuracyM: new(10.0), DeviceTime: new("2026-03-02 09:14")}, []salesmania.FieldError{
					{Field: "device_time", Message: "must be an RFC 3339 time with its offset, such as 2026-03-02T09:14:05+07:00"}}},
			} {
				t.Run(tt.name, func(t *testing.T) {
					_, err := admin.Visits.CheckIn(bad, v2.ID, &tt.in)
					wantVisitError(t, err, 422, "POST", vpath(v2.ID, "/check-in"), tt.fields...)
					unchanged(t, v2)
				})
			}
			t.Run("NotPlanned", func(t *testing.T) {
				_, err := admin.Visits.CheckIn(ctx, v1.ID, &salesmania.CheckFields{Lat: new(lat), Lon: new(lon), AccuracyM: new(10.0)})
				wantError(t, err, 409, "A checked_in visit cannot check in. Only a planned visit checks in.",
					salesmania.FieldError{Field: "status", Message: "is checked_in"})
				unchanged(t, v1)
			})
		})

		t.Run("CheckOut", func(t *testing.T) {
			_, err := admin.Visits.CheckOut(sendAnyway(ctx), v1.ID, &salesmania.CheckFields{Lat: new(lat)})
			msg := "is required with the other coordinates: send lat, lon and accuracy_m together, or none of them"
			wantVisitError(t, err, 422, "POST", vpath(v1.ID, "/check-out"),
				salesmania.FieldError{Field: "lon", Message: msg}, salesmania.FieldError{Field: "accuracy_m", Message: msg})
			unchanged(t, v1)
			_, err = admin.Visits.CheckOut(ctx, v2.ID, &salesmania.CheckFields{Outcome: new("Order")})
			wantError(t, err, 409, "A planned visit cannot check out. Only a checked-in visit checks out.",
				salesmania.FieldError{Field: "status", Message: "is planned"})
			unchanged(t, v2)

			got, err := admin.Visits.CheckOut(ctx, v1.ID, &salesmania.CheckFields{Outcome: new(" Order "), Notes: new("Pesan 2 dus Indomie")})
			mustNoErr(t, err)
			c := got.CheckOut
			if got.Status != salesmania.VisitDone || got.Outcome != "Order" || got.Notes != "Pesan 2 dus Indomie" || c == nil ||
				c.Lat != nil || c.Lon != nil || c.AccuracyM != nil || c.DistanceM != nil || c.Verification != nil || !sameJSON(got.CheckIn, v1.CheckIn) {
				t.Fatalf("after check-out: %+v, check_out %+v; want done without a position", got, c)
			}
			v1 = got

			got, err = member.Visits.CheckOut(ctx, s1.ID, &salesmania.CheckFields{Lat: new(lat + 0.0001), Lon: new(lon), AccuracyM: new(3.0), Mocked: new(true)})
			mustNoErr(t, err)
			if c := got.CheckOut; got.Status != salesmania.VisitDone || *c.DistanceM != metresNorth(0.0001) || !c.Mocked || *c.Verification != salesmania.Unverified {
				t.Fatalf("check_out = %+v; want a mocked position, never verified", c)
			}
			s1 = got
		})

		t.Run("Update", func(t *testing.T) {
			got, err := admin.Visits.Update(ctx, v4.ID, &salesmania.VisitFields{Status: new(salesmania.VisitSkipped), Outcome: new("Tutup")})
			mustNoErr(t, err)
			if got.Status != salesmania.VisitSkipped || got.Outcome != "Tutup" || got.Seq != v4.Seq || got.Date != day {
				t.Fatalf("skipped: %+v", got)
			}
			got, err = admin.Visits.Update(ctx, v4.ID, &salesmania.VisitFields{Status: new(salesmania.VisitPlanned), DurationMin: new(30.0), Notes: new("Buka jam 10")})
			mustNoErr(t, err)
			if got.Status != salesmania.VisitPlanned || got.DurationMin != 30 || got.Notes != "Buka jam 10" || got.Outcome != "Tutup" {
				t.Fatalf("back to planned: %+v", got)
			}
			v4 = got

			bad := sendAnyway(ctx)
			_, err = admin.Visits.Update(bad, v4.ID, &salesmania.VisitFields{Status: new(salesmania.VisitDone)})
			wantVisitError(t, err, 422, "PATCH", vpath(v4.ID, ""), salesmania.FieldError{Field: "status",
				Message: "must be planned or skipped; a visit is checked in and out by POST …/check-in and …/check-out"})
			_, err = admin.Visits.Update(bad, v4.ID, &salesmania.VisitFields{DurationMin: new(601.0), Date: new("2026-02-30")})
			wantVisitError(t, err, 422, "PATCH", vpath(v4.ID, ""),
				salesmania.FieldError{Field: "duration_min", Message: "must be a whole number of minutes from 1 to 600"},
				salesmania.FieldError{Field: "date", Message: "must be a date as YYYY-MM-DD between 1900-01-01 and 2999-12-31"})
			unchanged(t, v4)
			_, err = admin.Visits.Update(ctx, v1.ID, &salesmania.VisitFields{Date: new(nextDay)})
			wantError(t, err, 409, "A done visit keeps its date; only planned or skipped visits move to another day.",
				salesmania.FieldError{Field: "date", Message: "cannot change while the visit is done"})
			_, err = admin.Visits.Update(ctx, v1.ID, &salesmania.VisitFields{Status: new(salesmania.VisitPlanned)})
			wantError(t, err, 409, "", salesmania.FieldError{Field: "status", Message: "is done"})
			unchanged(t, v1)

			// Moving v4 to the next day: v5 moves up, v4 comes last there.
			got, err = admin.Visits.Update(ctx, v4.ID, &salesmania.VisitFields{Date: new(nextDay)})
			mustNoErr(t, err)
			if got.Date != nextDay || got.Seq != 1 || got.TeamID != budi.ID {
				t.Fatalf("moved: %+v; want seq 1 of %s", got, nextDay)
			}
			v4 = got
			if ids := dayIDs(t, day, budi.ID); !slices.Equal(ids, []int64{v1.ID, v2.ID, v3.ID, v5.ID}) {
				t.Fatalf("day %s = %v; want v1 v2 v3 v5", day, ids)
			}
		})

		t.Run("Delete", func(t *testing.T) {
			wantVisitError(t, admin.Visits.Delete(ctx, v1.ID), 409, "DELETE", vpath(v1.ID, ""), salesmania.FieldError{Field: "status", Message: "is done"})
			wantError(t, admin.Visits.Delete(ctx, v3.ID), 409, "", salesmania.FieldError{Field: "status", Message: "is checked_in"})
			mustNoErr(t, admin.Visits.Delete(ctx, v2.ID))
			_, err := admin.Visits.Get(ctx, v2.ID)
			wantVisitError(t, err, 404, "GET", vpath(v2.ID, ""))
			wantVisitError(t, admin.Visits.Delete(ctx, v2.ID), 404, "DELETE", vpath(v2.ID, ""))
			if ids := dayIDs(t, day, budi.ID); !slices.Equal(ids, []int64{v1.ID, v3.ID, v5.ID}) {
				t.Fatalf("day %s = %v; want v1 v3 v5", day, ids)
			}
		})

		t.Run("Reorder", func(t *testing.T) {
			got, err := admin.Visits.Reorder(ctx, day, 0, []int64{v5.ID, v1.ID, v3.ID})
			mustNoErr(t, err)
			var ids, seqs []int64
			for _, v := range got {
				ids, seqs = append(ids, v.ID), append(seqs, v.Seq)
			}
			if !slices.Equal(ids, []int64{v5.ID, v1.ID, v3.ID}) || !slices.Equal(seqs, []int64{1, 2, 3}) {
				t.Fatalf("Reorder = ids %v seqs %v; want v5 v1 v3 at 1 2 3", ids, seqs)
			}
			if ids := dayIDs(t, day, budi.ID); !slices.Equal(ids, []int64{v5.ID, v1.ID, v3.ID}) {
				t.Fatalf("day %s = %v after Reorder", day, ids)
			}
			v5, v1, v3 = &got[0], &got[1], &got[2]
			unchanged(t, v1)
			// An admin orders another team's day; a member its own.
			got, err = admin.Visits.Reorder(ctx, day, sari.ID, []int64{s1.ID})
			mustNoErr(t, err)
			if len(got) != 1 || got[0].ID != s1.ID || got[0].Seq != 1 {
				t.Fatalf("Reorder of Sari's day = %+v", got)
			}
			got, err = member.Visits.Reorder(ctx, nextDay, 0, nil)
			mustNoErr(t, err)
			if len(got) != 0 {
				t.Fatalf("Reorder of an empty day = %+v; want none", got)
			}

			bad := sendAnyway(ctx)
			for _, tt := range []struct {
				name string
				ids  []int64
			}{
				{"Missing", []int64{v5.ID, v1.ID}},
				{"Duplicate", []int64{v5.ID, v1.ID, v3.ID, v1.ID}},
				{"AnotherDay", []int64{v5.ID, v1.ID, v3.ID, v4.ID}},
				{"AnotherTeam", []int64{v5.ID, v1.ID, v3.ID, s1.ID}},
			} {
				t.Run("Err"+tt.name, func(t *testing.T) {
					_, err := admin.Visits.Reorder(bad, day, budi.ID, tt.ids)
					e := wantError(t, err, 422, "visit_ids must be exactly the ids of the day's visits, each once, in the new order.")
					if len(e.Fields) != 1 || e.Fields[0].Field != "visit_ids" || e.Method != "PUT" || e.Path != "/extapi/v1.1/visits/sequence" {
						t.Fatalf("error = %+v; want PUT …/sequence naming visit_ids", e)
					}
					if ids := dayIDs(t, day, budi.ID); !slices.Equal(ids, []int64{v5.ID, v1.ID, v3.ID}) {
						t.Fatalf("day %s = %v after a refused Reorder", day, ids)
					}
				})
			}
			_, err = admin.Visits.Reorder(bad, "2026-3-2", 0, []int64{v5.ID})
			wantError(t, err, 422, "", salesmania.FieldError{Field: "date", Message: "must be a date as YYYY-MM-DD"})
		})

		t.Run("MemberAndOtherTeam", func(t *testing.T) {
			// Team Budi's visits are not found to Sari's member.
			_, err := member.Visits.Get(ctx, v5.ID)
			wantVisitError(t, err, 404, "GET", vpath(v5.ID, ""))
			_, err = member.Visits.Update(ctx, v5.ID, &salesmania.VisitFields{Notes: new("bukan punyaku")})
			wantVisitError(t, err, 404, "PATCH", vpath(v5.ID, ""))
			_, err = member.Visits.CheckIn(ctx, v5.ID, &salesmania.CheckFields{Lat: new(lat), Lon: new(lon), AccuracyM: new(5.0)})
			wantVisitError(t, err, 404, "POST", vpath(v5.ID, "/check-in"))
			_, err = member.Visits.CheckOut(ctx, v3.ID, &salesmania.CheckFields{})
			wantVisitError(t, err, 404, "POST", vpath(v3.ID, "/check-out"))
			wantVisitError(t, member.Visits.Delete(ctx, v5.ID), 404, "DELETE", vpath(v5.ID, ""))
			_, err = member.Visits.Reorder(ctx, day, budi.ID, []int64{v5.ID, v1.ID, v3.ID})
			wantError(t, err, 403, salesmania.ErrOtherTeam.Message)
			for _, v := range []*salesmania.Visit{v5, v3, v1} {
				unchanged(t, v)
			}
		})

		t.Run("AnotherDatabase", func(t *testing.T) {
			_, err := stranger.Visits.Get(ctx, v5.ID)
			wantVisitError(t, err, 404, "GET", vpath(v5.ID, ""))
			_, err = stranger.Visits.Update(ctx, v5.ID, &salesmania.VisitFields{Status: new(salesmania.VisitSkipped)})
			wantVisitError(t, err, 404, "PATCH", vpath(v5.ID, ""))
			_, err = stranger.Visits.CheckIn(ctx, v5.ID, &salesmania.CheckFields{Lat: new(lat), Lon: new(lon), AccuracyM: new(5.0)})
			wantVisitError(t, err, 404, "POST", vpath(v5.ID, "/check-in"))
			wantVisitError(t, stranger.Visits.Delete(ctx, v5.ID), 404, "DELETE", vpath(v5.ID, ""))
			_, err = stranger.Visits.Reorder(ctx, day, budi.ID, []int64{v5.ID, v1.ID, v3.ID})
			wantVisitError(t, err, 422, "PUT", "/extapi/v1.1/visits/sequence", salesmania.FieldError{Field: "team_id", Message: "is not a team of this database"})
			for _, v := range []*salesmania.Visit{v5, v3, v1} {
				unchanged(t, v)
			}
			if ids := dayIDs(t, day, budi.ID); !slices.Equal(ids, []int64{v5.ID, v1.ID, v3.ID}) {
				t.Fatalf("day %s = %v", day, ids)
			}
		})

		t.Run("Settings", func(t *testing.T) {
			want := salesmania.Settings{GeofenceRadiusM: 200, Timezone: "Asia/Jakarta"}
			for _, c := range []*client.Client{admin, member} {
				got, err := c.Settings.Get(ctx)
				mustNoErr(t, err)
				if *got != want {
					t.Fatalf("settings = %+v; want the defaults %+v", got, want)
				}
			}
			_, err := member.Settings.Update(ctx, &salesmania.SettingsFields{GeofenceRadiusM: new(500.0)})
			wantVisitError(t, err, 403, "PATCH", "/extapi/v1.0/settings")
			bad := sendAnyway(ctx)
			_, err = admin.Settings.Update(bad, &salesmania.SettingsFields{GeofenceRadiusM: new(5.0), Timezone: new("Mars/Olympus")})
			wantVisitError(t, err, 422, "PATCH", "/extapi/v1.0/settings",
				salesmania.FieldError{Field: "geofence_radius_m", Message: "must be a whole number of metres from 10 to 5000"},
				salesmania.FieldError{Field: "timezone", Message: "must be an IANA time zone name such as Asia/Jakarta, Asia/Makassar or Asia/Jayapura"})
			_, err = admin.Settings.Update(bad, &salesmania.SettingsFields{GeofenceRadiusM: new(6000.0)})
			wantError(t, err, 422, "", salesmania.FieldError{Field: "geofence_radius_m", Message: "must be a whole number of metres from 10 to 5000"})
			if got, err := member.Settings.Get(ctx); err != nil || *got != want {
				t.Fatalf("settings after refused updates = %+v, %v; want %+v", got, err, want)
			}
			if got, err := stranger.Settings.Get(ctx); err != nil || *got != want {
				t.Fatalf("another database's settings = %+v, %v; want its defaults", got, err)
			}

			got, err := admin.Settings.Update(ctx, &salesmania.SettingsFields{GeofenceRadiusM: new(10.0), Timezone: new(" Asia/Jayapura ")})
			mustNoErr(t, err)
			want = salesmania.Settings{GeofenceRadiusM: 10, Timezone: "Asia/Jayapura"}
			if *got != want {
				t.Fatalf("Update = %+v; want %+v", got, want)
			}
			if got, err := member.Settings.Get(ctx); err != nil || *got != want {
				t.Fatalf("settings = %+v, %v; want %+v", got, err, want)
			}
			if got, err := stranger.Settings.Get(ctx); err != nil || got.GeofenceRadiusM != 200 || got.Timezone != "Asia/Jakarta" {
				t.Fatalf("another database's settings changed: %+v, %v", got, err)
			}
			// The new radius judges the next check-in: 11 m is now too far.
			v, err := admin.Visits.CheckIn(ctx, v5.ID, &salesmania.CheckFields{Lat: new(lat + 0.0001), Lon: new(lon), AccuracyM: new(5.0)})
			mustNoErr(t, err)
			if c := v.CheckIn; *c.DistanceM != metresNorth(0.0001) || *c.Verification != salesmania.Unverified {
				t.Fatalf("check_in with radius 10 = %+v; want unverified at %d m", c, metresNorth(0.0001))
			}
		})

		t.Run("ErrorIsTyped", func(t *testing.T) {
			_, err := member.Visits.Get(ctx, v5.ID)
			var e *client.Error
			if !errors.As(err, &e) || !client.IsNotFound(err) || e.Error() == "" {
				t.Fatalf("err = %#v; want a *client.Error that IsNotFound", err)
			}
		})
	})
}
