package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/salesmania/salesmania"
)

// What happened at one visit of today's route.
type stepKind int

const (
	planned stepKind = iota // not reached yet
	done                    // checked in a few metres from the shop, checked out
	doneFar                 // checked in and out about 1.4 km from the shop: unverified
	hereFar                 // checked in about 1.4 km from the shop, not checked out yet
	skipped                 // found closed, skipped with an outcome
)

type step struct {
	kind           stepKind
	outcome, notes string
	// order is the status of the order taken at the visit; "" for none.
	order string
	// offline: the phone had no signal, so the check-in reached the server
	// with the check-out, its device_time telling when it happened.
	offline bool
	// noGPS: the check-out was sent without a position.
	noGPS bool
}

// days are today's routes of the salesman teams, in team order: the first
// visits done, one check-in about 1.4 km off the shop, one shop skipped,
// the rest still to do.
var days = [][]step{
	// Budi Santoso: three shops done, the fourth closed; he is at the fifth
	// now, though his phone puts him 1.4 km away; one to go.
	{
		{kind: done, outcome: "Order", order: salesmania.OrderLunas, notes: "Bayar tunai"},
		{kind: done, outcome: "Order", order: salesmania.OrderDiproses},
		{kind: done, outcome: "Stok penuh", notes: "Kunjungi lagi minggu depan"},
		{kind: skipped, outcome: "Tutup", notes: "Toko tutup, pemilik ke Solo"},
		{kind: hereFar},
		{},
	},
	// Siti Rahayu: the second shop had no signal, the third check-in was
	// sent from the market's car park.
	{
		{kind: done, outcome: "Order", order: salesmania.OrderDiproses, noGPS: true},
		{kind: done, outcome: "Order", order: salesmania.OrderBaru, offline: true, notes: "Tidak ada sinyal di dalam pasar"},
		{kind: doneFar, outcome: "Order", order: salesmania.OrderBaru},
		{kind: skipped, outcome: "Pemilik tidak ada"},
		{},
		{},
	},
	// Agus Wijaya.
	{
		{kind: done, outcome: "Order", order: salesmania.OrderLunas},
		{kind: doneFar, outcome: "Stok penuh"},
		{kind: skipped, outcome: "Tutup", notes: "Libur keluarga"},
		{kind: done, outcome: "Order", order: salesmania.OrderBaru, notes: "Minta dikirim besok pagi"},
		{},
		{},
	},
}

// seedDay plays out today's routes (days) through the store's own calls,
// so every rule of check-in, check-out and skip holds: todays holds each
// salesman team's visits of today in route order, and an order is taken
// where the step says. Times are
// the day's clock in loc from 08:00, the same every day. It returns the
// number of orders made.
func seedDay(ctx context.Context, store salesmania.Store, dbID int64, todays [][]salesmania.Visit, prods []salesmania.Product, today string, loc *time.Location) (int, error) {
	date, err := time.ParseInLocation(time.DateOnly, today, loc)
	if err != nil {
		return 0, err
	}
	orders := 0
	for i := range min(len(todays), len(days)) {
		rng := rand.New(rand.NewPCG(uint64(i), 2981)) // by place, not id: the same day in any store
		clock := date.Add(8 * time.Hour)
		for j, s := range days[i] {
			if j >= len(todays[i]) || s.kind == planned {
				break
			}
			v := &todays[i][j]
			clock = clock.Add(time.Duration(12+rng.IntN(14))*time.Minute + time.Duration(rng.IntN(60))*time.Second)
			if s.kind == skipped {
				if err := skip(ctx, store, dbID, v, s); err != nil {
					return orders, err
				}
				clock = clock.Add(5 * time.Minute)
				continue
			}
			arrived := clock
			clock = clock.Add(time.Duration(15+rng.IntN(20))*time.Minute + time.Duration(rng.IntN(60))*time.Second)
			sent := arrived.Add(time.Duration(2+rng.IntN(7)) * time.Second)
			if s.offline {
				sent = clock.Add(3 * time.Second)
			}
			far := s.kind == doneFar || s.kind == hereFar
			in := position(rng, v, far)
			in.DeviceTime = deviceTime(arrived)
			c, err := in.NewCheckIn(sent.UTC())
			if err == nil {
				_, err = store.CheckInVisit(ctx, dbID, salesmania.AllTeams(), v.ID, c)
			}
			if err != nil {
				return orders, fmt.Errorf("demo check-in of visit %d: %w", v.ID, err)
			}
			if s.kind == hereFar {
				break
			}
			out := position(rng, v, far)
			if s.noGPS {
				out = &salesmania.CheckFields{}
			}
			out.DeviceTime = deviceTime(clock)
			out.Outcome, out.Notes = &s.outcome, &s.notes
			c, err = out.NewCheckOut(clock.Add(time.Duration(2+rng.IntN(7)) * time.Second).UTC())
			if err == nil {
				_, err = store.CheckOutVisit(ctx, dbID, salesmania.AllTeams(), v.ID, c, out)
			}
			if err != nil {
				return orders, fmt.Errorf("demo check-out of visit %d: %w", v.ID, err)
			}
			if s.order != "" {
				orders++
				no := fmt.Sprintf("SO-%s-%04d", strings.ReplaceAll(today, "-", ""), orders)
				if err := takeOrder(ctx, store, dbID, v, prods, rng, no, s.order); err != nil {
					return orders, fmt.Errorf("demo order %s: %w", no, err)
				}
			}
		}
	}
	return orders, nil
}

// skip marks the visit skipped with the step's outcome and notes.
func skip(ctx context.Context, store salesmania.Store, dbID int64, v *salesmania.Visit, s step) error {
	status := salesmania.VisitSkipped
	f := &salesmania.VisitFields{Status: &status, Outcome: &s.outcome}
	if s.notes != "" {
		f.Notes = &s.notes
	}
	if _, err := store.UpdateVisit(ctx, dbID, salesmania.AllTeams(), v.ID, f); err != nil {
		return fmt.Errorf("demo skip of visit %d: %w", v.ID, err)
	}
	return nil
}

// position is where a phone reports itself at the visit's shop: a few
// metres off with an accuracy of a few metres, or, far, about 1.4 km off
// (the phone's position lagging in a car park or under a market roof).
func position(rng *rand.Rand, v *salesmania.Visit, far bool) *salesmania.CheckFields {
	metres, accuracy := 3+rng.Float64()*22, 4+float64(rng.IntN(140))/10
	if far {
		metres, accuracy = 1350+rng.Float64()*100, 20+float64(rng.IntN(200))/10
	}
	at := offset(*v.Customer.Location, metres, rng.Float64()*360)
	return &salesmania.CheckFields{Lat: &at.Lat, Lon: &at.Lon, AccuracyM: &accuracy}
}

// offset returns the point metres from p in the direction bearing (degrees
// clockwise from north), to the 6 decimals a phone reports (about 0.1 m).
func offset(p salesmania.Location, metres, bearing float64) salesmania.Location {
	const rad = math.Pi / 180
	dLat := metres * math.Cos(bearing*rad) / salesmania.EarthRadiusM / rad
	dLon := metres * math.Sin(bearing*rad) / (salesmania.EarthRadiusM * math.Cos(p.Lat*rad)) / rad
	return salesmania.Location{Lat: round6(p.Lat + dLat), Lon: round6(p.Lon + dLon)}
}

// deviceTime is a phone's clock reading as it sends it: RFC 3339 with the
// local offset (+07:00 in Semarang).
func deviceTime(t time.Time) *string {
	s := t.Format(time.RFC3339)
	return &s
}

// takeOrder records the order taken at the visit: two to four products of
// the catalogue in cartons or pieces at their list prices, with the
// products' standing discounts or a "10+5" promotion, 2 % off larger
// orders; then moves it on to status (a Lunas order is paid in full).
func takeOrder(ctx context.Context, store salesmania.Store, dbID int64, v *salesmania.Visit, prods []salesmania.Product, rng *rand.Rand, no, status string) error {
	var lines []salesmania.OrderLineInput
	for _, k := range rng.Perm(len(prods))[:2+rng.IntN(3)] {
		p := &prods[k]
		u, qty := p.ProductUnits[len(p.ProductUnits)-1], int64(1+rng.IntN(5))
		if len(p.ProductUnits) > 1 && rng.IntN(4) == 0 {
			u, qty = p.ProductUnits[0], int64(6*(1+rng.IntN(4)))
		}
		l := salesmania.OrderLineInput{ProductID: &p.ID, Qty: ptr(salesmania.DecimalFromInt(qty)), Unit: &u.Name, Price: &u.Price}
		switch {
		case p.DefaultDisc != "":
			l.ItemDiscPercent = &p.DefaultDisc
		case rng.IntN(3) == 0:
			l.ItemDiscPercent = ptr("10+5")
		case rng.IntN(4) == 0:
			l.ItemDiscAmount = ptr(salesmania.DecimalFromInt(2500))
		}
		lines = append(lines, l)
	}
	f := &salesmania.OrderFields{
		Date: &v.Date, CustomerID: &v.CustomerID, OrderedProducts: &lines,
		VisitStatus: ptr("Order"), ExtOrderNo: &no,
	}
	if len(lines) >= 3 {
		f.DiscPercent = ptr("2")
	}
	o, err := f.NewOrder(salesmania.Principal{DBID: dbID, TeamID: v.TeamID, Role: salesmania.RoleMember})
	if err != nil {
		return err
	}
	if err := store.CreateOrder(ctx, dbID, o); err != nil {
		return err
	}
	for _, next := range []string{salesmania.OrderDiproses, salesmania.OrderLunas} {
		if status == salesmania.OrderBaru {
			break
		}
		up := &salesmania.OrderFields{Status: &next}
		if next == salesmania.OrderLunas {
			up.TotalPaid = &o.Total
		}
		if _, err := store.UpdateOrder(ctx, dbID, salesmania.AllTeams(), o.ID, up); err != nil {
			return err
		}
		if next == status {
			break
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
