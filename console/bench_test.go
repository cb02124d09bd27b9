package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/demo"
)

// BenchmarkToday serves the Today page of one team's day of 200 visits,
// with check-ins and orders, through the whole server over HTTP on
// SQLite: the server time of the page (target: under 50 ms).
func BenchmarkToday(b *testing.B) {
	e := newEnv(b, "sqlite")
	ctx := context.Background()
	team := e.teams[3].ID
	custs, err := e.store.ListCustomers(ctx, e.db.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 100}})
	if err != nil {
		b.Fatal(err)
	}
	const date = "2026-03-02"
	for i := range 200 {
		v := salesmania.Visit{Date: date, TeamID: team, CustomerID: custs.Data[i%len(custs.Data)].ID, Status: salesmania.VisitPlanned, DurationMin: 15}
		must(b, e.store.AppendVisit(ctx, e.db.ID, &v))
		if i%3 == 0 {
			loc := custs.Data[i%len(custs.Data)].Location
			lat, lon, acc := loc.Lat+0.0001, loc.Lon, 10.0
			c, err := (&salesmania.CheckFields{Lat: &lat, Lon: &lon, AccuracyM: &acc}).NewCheckIn(salesmania.Now())
			must(b, err)
			_, err = e.store.CheckInVisit(ctx, e.db.ID, salesmania.AllTeams(), v.ID, c)
			must(b, err)
		}
		if i%10 == 0 {
			o := salesmania.Order{Date: date, CustomerID: v.CustomerID, TeamID: team, Status: salesmania.OrderBaru,
				OrderedProducts: []salesmania.OrderLine{{ProductID: e.product.ID, Qty: salesmania.DecimalFromInt(2), Unit: e.product.ProductUnits[0].Name, Price: e.product.ProductUnits[0].Price}}}
			must(b, e.store.CreateOrder(ctx, e.db.ID, &o))
		}
	}
	c := e.signIn(demo.AdminEmail, demo.Password)
	path := "/console/today?date=" + date + "&team=" + id(team)
	if res, body := c.get(path); res.StatusCode != http.StatusOK || len(visitRow.FindAllString(body, -1)) != 200 {
		b.Fatalf("the page: %d, %d rows", res.StatusCode, len(visitRow.FindAllString(body, -1)))
	}
	b.ResetTimer()
	for b.Loop() {
		res, _ := c.get(path)
		if res.StatusCode != http.StatusOK {
			b.Fatal(res.Status)
		}
	}
}
