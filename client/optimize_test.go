package client_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// TestVisitsOptimize optimises a day through the client (§11): a proposal
// with legs and times, the order applied, bad fields as a 422 naming them
// with the day unchanged, and a member kept to its own team's day.
func TestVisitsOptimize(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		budi := f.co.Teams[0]
		admin, _ := f.newClient(t, adminEmail)
		member, _ := f.newClient(t, memberEmail)
		const day = "2026-03-02"
		const lat0, lon = -7.05, 110.41
		// Shops 0, 3, 1 and 2 hundredths of a degree north of the first,
		// on one meridian, appended in that order, and one without a
		// location between them.
		visitAt := func(t *testing.T, north int) *salesmania.Visit {
			t.Helper()
			in := &salesmania.CustomerFields{Name: new("Toko " + itoa(int64(north)))}
			if north >= 0 {
				in.Location = &salesmania.LocationInput{Lat: new(lat0 + float64(north)/100), Lon: new(lon)}
			}
			cu, err := admin.Customers.Create(ctx, in)
			mustNoErr(t, err)
			v, err := admin.Visits.Append(ctx, &salesmania.VisitCreate{Date: new(day), CustomerID: &cu.ID})
			mustNoErr(t, err)
			return v
		}
		v0, v3, v1, nowhere, v2 := visitAt(t, 0), visitAt(t, 3), visitAt(t, 1), visitAt(t, -1), visitAt(t, 2)
		// The first is checked in, so it keeps its place and the route
		// leaves from it.
		_, err := admin.Visits.CheckIn(ctx, v0.ID, &salesmania.CheckFields{Lat: new(lat0), Lon: new(lon), AccuracyM: new(5.0)})
		mustNoErr(t, err)
		dayIDs := func(t *testing.T) []int64 {
			t.Helper()
			var ids []int64
			for v, err := range admin.Visits.All(ctx, &client.VisitListOptions{Date: day}) {
				mustNoErr(t, err)
				ids = append(ids, v.ID)
			}
			return ids
		}
		appended := []int64{v0.ID, v3.ID, v1.ID, nowhere.ID, v2.ID}
		hundredth := metresNorth(0.01) // 1112 m: 111.2 s at 36 km/h
		want := &salesmania.OptimizeResult{
			Date: day, TeamID: budi.ID, VisitIDs: []int64{v0.ID, v1.ID, v2.ID, nowhere.ID, v3.ID},
			// Before: 3, back 2, on 1 hundredths; after: 1, 1, 1.
			DistanceMBefore: metresNorth(0.06), DistanceMAfter: metresNorth(0.03),
			Stops: []salesmania.OptimizeStop{
				{VisitID: v0.ID, Seq: 1, Arrive: new("08:00"), Depart: new("08:15")},
				{VisitID: v1.ID, Seq: 2, LegM: &hundredth, Arrive: new("08:17"), Depart: new("08:32")}, // 08:16:51, 08:31:51
				{VisitID: v2.ID, Seq: 3, LegM: &hundredth, Arrive: new("08:34"), Depart: new("08:49")}, // 08:33:42
				{VisitID: nowhere.ID, Seq: 4, Arrive: new("08:49"), Depart: new("09:04")},
				{VisitID: v3.ID, Seq: 5, LegM: &hundredth, Arrive: new("09:06"), Depart: new("09:21")}, // 09:05:34
			},
			Fixed: []int64{v0.ID}, Unlocated: []int64{nowhere.ID},
		}

		t.Run("OK/Proposal", func(t *testing.T) {
			got, err := admin.Visits.Optimize(ctx, &salesmania.OptimizeFields{Date: new(day), DepartAt: new("08:00"), SpeedKmh: new(36.0)})
			mustNoErr(t, err)
			if !sameJSON(got, want) {
				t.Fatalf("Optimize =\n%s\nwant\n%s", mustJSON(got), mustJSON(want))
			}
			if ids := dayIDs(t); !slices.Equal(ids, appended) {
				t.Fatalf("a proposal changed the day: %v; want %v", ids, appended)
			}
		})
		t.Run("OK/Apply", func(t *testing.T) {
			got, err := admin.Visits.Optimize(ctx, &salesmania.OptimizeFields{Date: new(day), TeamID: &budi.ID, DepartAt: new("08:00"),
				SpeedKmh: new(36.0), Apply: new(true)})
			mustNoErr(t, err)
			applied := *want
			applied.Applied = true
			if !sameJSON(got, &applied) {
				t.Fatalf("Optimize with apply =\n%s\nwant\n%s", mustJSON(got), mustJSON(&applied))
			}
			if ids := dayIDs(t); !slices.Equal(ids, want.VisitIDs) {
				t.Fatalf("the day after apply is %v; want %v", ids, want.VisitIDs)
			}
			// Optimal already: nothing shorter, the same order.
			again, err := admin.Visits.Optimize(ctx, &salesmania.OptimizeFields{Date: new(day)})
			mustNoErr(t, err)
			if again.DistanceMBefore != want.DistanceMAfter || again.DistanceMAfter != want.DistanceMAfter || !slices.Equal(again.VisitIDs, want.VisitIDs) {
				t.Fatalf("optimising the optimised day = %+v", again)
			}
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			before := dayIDs(t)
			bad := sendAnyway(ctx)
			_, err := admin.Visits.Optimize(bad, &salesmania.OptimizeFields{Date: new(day), Start: &salesmania.LocationInput{Lat: new(lat0)},
				SpeedKmh: new(0.0), DepartAt: new("25:00"), Apply: new(true)})
			wantVisitError(t, err, 422, "POST", "/extapi/v1.1/visits/optimize",
				salesmania.FieldError{Field: "start.lon", Message: "is required"},
				salesmania.FieldError{Field: "depart_at", Message: "must be a time of day as HH:MM, 00:00 to 23:59"},
				salesmania.FieldError{Field: "speed_kmh", Message: "must be from 1 to 200 km/h"})
			_, err = admin.Visits.Optimize(bad, &salesmania.OptimizeFields{})
			wantError(t, err, 422, "", salesmania.FieldError{Field: "date", Message: "is required"})
			if ids := dayIDs(t); !slices.Equal(ids, before) {
				t.Fatalf("refused optimisations changed the day: %v; was %v", ids, before)
			}
		})
		t.Run("ErrMemberOtherTeam", func(t *testing.T) {
			before := dayIDs(t)
			_, err := member.Visits.Optimize(ctx, &salesmania.OptimizeFields{Date: new(day), TeamID: &budi.ID, Apply: new(true)})
			wantError(t, err, 403, salesmania.ErrOtherTeam.Message)
			// Its own team's day is empty: nothing to move.
			got, err := member.Visits.Optimize(ctx, &salesmania.OptimizeFields{Date: new(day)})
			mustNoErr(t, err)
			if got.TeamID != f.co.Teams[1].ID || len(got.VisitIDs) != 0 || got.DistanceMBefore != 0 || got.DistanceMAfter != 0 {
				t.Fatalf("the member's empty day = %+v", got)
			}
			if ids := dayIDs(t); !slices.Equal(ids, before) {
				t.Fatalf("the member changed team Budi's day: %v; was %v", ids, before)
			}
		})
	})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
