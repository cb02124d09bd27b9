package demo

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// dayOf returns the visits of every team on date, in (team, seq) order.
func dayOf(t *testing.T, s salesmania.Store, dbID int64, date string) []salesmania.Visit {
	t.Helper()
	page, err := s.ListVisits(t.Context(), dbID, salesmania.VisitFilter{Teams: salesmania.AllTeams(), Date: date, ListParams: salesmania.ListParams{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Data
}

func mustSeed(t *testing.T, s salesmania.Store, now time.Time) *Info {
	t.Helper()
	info, err := seed(t.Context(), s, now)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return info
}

// The visit-by-visit mix of the day is checked through the API by the
// demo command's test (cmd/salesmania/demo_test.go); these tests hold
// what only the seed's clock can show.
func TestSeed(t *testing.T) {
	t.Parallel()

	// 18:30 UTC on Sunday 1 March is 01:30 on Monday 2 March in Jakarta,
	// the demo database's zone: today is Monday's, and the week is Monday
	// to Saturday.
	t.Run("OKTodayInTheDatabasesZone", func(t *testing.T) {
		t.Parallel()
		sqlstoretest.Each(t, func(t *testing.T, kind string) {
			s := sqlstoretest.MustOpen(t, kind)
			info := mustSeed(t, s, time.Date(2026, 3, 1, 18, 30, 0, 0, time.UTC))
			if info.Today != "2026-03-02" || info.Visits != 6*3*visitsPerDay || info.Orders != 7 || info.Customers != 50 || info.Products != 20 {
				t.Fatalf("seeded today %s, %d visits, %d orders, %d customers, %d products; want 2026-03-02, %d, 7, 50, 20",
					info.Today, info.Visits, info.Orders, info.Customers, info.Products, 6*3*visitsPerDay)
			}
			// The week comes from visit plans: every visit has one, and
			// materialising the week again makes nothing.
			plans, err := s.ListVisitPlans(t.Context(), info.Database.ID, salesmania.VisitPlanFilter{Teams: salesmania.AllTeams(),
				ListParams: salesmania.ListParams{Limit: 1000}})
			if err != nil || len(plans.Data) == 0 {
				t.Fatalf("demo plans: %d, %v", len(plans.Data), err)
			}
			for _, v := range dayOf(t, s, info.Database.ID, "2026-03-04") {
				if v.PlanID == nil {
					t.Fatalf("visit %d of Wednesday has no plan", v.ID)
				}
			}
			if again, err := s.MaterializeVisitPlans(t.Context(), info.Database.ID, salesmania.AllTeams(), "2026-03-02", "2026-03-07"); err != nil || again.Created != 0 {
				t.Fatalf("materialising the demo week again: %+v, %v", again, err)
			}
			if day := dayOf(t, s, info.Database.ID, "2026-03-01"); len(day) != 0 {
				t.Errorf("%d visits on Sunday 1 March, the day in UTC; want none", len(day))
			}
			day := dayOf(t, s, info.Database.ID, "2026-03-02")
			if len(day) != 3*visitsPerDay {
				t.Fatalf("%d visits today; want %d", len(day), 3*visitsPerDay)
			}
			for _, v := range day {
				for _, c := range []*salesmania.VisitCheck{v.CheckIn, v.CheckOut} {
					if c == nil || c.DeviceTime == nil {
						continue
					}
					dt, err := time.Parse(time.RFC3339, *c.DeviceTime)
					if err != nil || dt.Format(time.RFC3339) != *c.DeviceTime || (*c.DeviceTime)[:11] != "2026-03-02T" || (*c.DeviceTime)[19:] != "+07:00" {
						t.Errorf("visit %d: device_time %s; want a time of 2026-03-02 in +07:00", v.ID, *c.DeviceTime)
					}
					if c.At.Location() != time.UTC || c.At.Before(dt) || c.At.Sub(dt) > time.Hour {
						t.Errorf("visit %d: at %s for device_time %s; want the same moment or a little later, in UTC", v.ID, c.At, dt)
					}
				}
			}
			page, err := s.ListOrders(t.Context(), info.Database.ID, salesmania.OrderFilter{Teams: salesmania.AllTeams(), DateFrom: "2026-03-02", DateTo: "2026-03-02", ListParams: salesmania.ListParams{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Data) != 7 {
				t.Fatalf("%d orders today; want 7", len(page.Data))
			}
		})
	})

	// On a Sunday the salesmen work today too, so the demo always has a
	// day under way.
	t.Run("OKSunday", func(t *testing.T) {
		t.Parallel()
		s := sqlstoretest.MustOpen(t, "sqlite")
		info := mustSeed(t, s, time.Date(2026, 3, 8, 3, 0, 0, 0, time.UTC))
		if info.Today != "2026-03-08" || info.Visits != 7*3*visitsPerDay || info.Orders != 7 {
			t.Fatalf("seeded today %s, %d visits, %d orders; want 2026-03-08, %d, 7", info.Today, info.Visits, info.Orders, 7*3*visitsPerDay)
		}
		for _, date := range []string{"2026-03-02", "2026-03-07", "2026-03-08"} {
			if day := dayOf(t, s, info.Database.ID, date); len(day) != 3*visitsPerDay {
				t.Errorf("%d visits on %s; want %d", len(day), date, 3*visitsPerDay)
			}
		}
	})

	// Apart from the date and the times the store stamps, every demo is
	// the same: seeded at another hour of another day, into a store that
	// holds another company already (so every id differs), the day plays
	// out alike.
	t.Run("OKDeterministic", func(t *testing.T) {
		t.Parallel()
		a := sqlstoretest.MustOpen(t, "sqlite")
		infoA := mustSeed(t, a, time.Date(2026, 3, 4, 1, 0, 0, 0, time.UTC))
		b := sqlstoretest.MustOpen(t, "sqlite")
		other := salesmania.Database{Name: "CV Lain"}
		if err := b.CreateDatabase(t.Context(), &other); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"X", "Y"} {
			if err := b.CreateTeam(t.Context(), other.ID, &salesmania.Team{Name: name, Status: true}); err != nil {
				t.Fatal(err)
			}
		}
		infoB := mustSeed(t, b, time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC))
		dayA, dayB := dayOf(t, a, infoA.Database.ID, infoA.Today), dayOf(t, b, infoB.Database.ID, infoB.Today)
		if len(dayA) != len(dayB) {
			t.Fatalf("%d and %d visits", len(dayA), len(dayB))
		}
		for i := range dayA {
			if got, want := visitShape(t, dayB[i], infoB), visitShape(t, dayA[i], infoA); got != want {
				t.Errorf("visit %d of the day:\n%s\nwant\n%s", i, got, want)
			}
		}
	})

	// A second seed of the same store finds the demo and adds nothing.
	t.Run("OKExisting", func(t *testing.T) {
		t.Parallel()
		s := sqlstoretest.MustOpen(t, "sqlite")
		first := mustSeed(t, s, time.Date(2026, 3, 4, 1, 0, 0, 0, time.UTC))
		again := mustSeed(t, s, time.Date(2026, 3, 5, 1, 0, 0, 0, time.UTC))
		if !again.Existing || again.Database.ID != first.Database.ID || again.Database.Name != first.Database.Name || again.Today != "2026-03-05" || again.Visits != 0 {
			t.Fatalf("second seed = %+v; want the existing database %d, today 2026-03-05, nothing made", again, first.Database.ID)
		}
		if day := dayOf(t, s, first.Database.ID, "2026-03-05"); len(day) != 3*visitsPerDay {
			t.Errorf("%d visits on 2026-03-05; want the %d planned by the first seed", len(day), 3*visitsPerDay)
		}
	})
}

// visitShape is a visit as JSON without what differs between two demos:
// ids, the date, the store's times, and the day in the check times.
func visitShape(t *testing.T, v salesmania.Visit, info *Info) string {
	t.Helper()
	v.ID, v.CustomerID, v.Customer.ID, v.CreatedAt, v.UpdatedAt = 0, 0, 0, time.Time{}, time.Time{}
	v.Date = ""
	for i, team := range info.Teams {
		if team.ID == v.TeamID {
			v.TeamID = int64(i)
		}
	}
	for _, c := range []*salesmania.VisitCheck{v.CheckIn, v.CheckOut} {
		if c != nil {
			c.At = time.Date(2000, 1, 1, c.At.Hour(), c.At.Minute(), c.At.Second(), 0, time.UTC)
			if c.DeviceTime != nil {
				s := (*c.DeviceTime)[10:]
				c.DeviceTime = &s
			}
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// BenchmarkSeed measures what the demo does before it serves: seeding a new
// SQLite file (two password hashes included).
func BenchmarkSeed(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s, err := sqlstore.Open(context.Background(), sqlstoretest.DSN(b, "sqlite"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := Seed(context.Background(), s); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}
