package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/salesmania/salesmania"
)

// The demo's customers are shops in eight districts of Semarang, Central
// Java, each placed within about a kilometre of its district's centre on a
// street of that district (so a day's route draws on land, not in the Java
// Sea), with a fixed random seed so every demo is the same.
var (
	shopKinds  = []string{"Toko", "Warung", "UD", "Toserba", "Minimarket", "Agen", "Kios"}
	shopNames  = []string{"Sumber Rejeki", "Makmur Jaya", "Berkah Abadi", "Sinar Terang", "Maju Lancar", "Sri Rejeki", "Barokah", "Sido Mulyo", "Lancar Jaya", "Mitra Usaha", "Karya Baru", "Sentosa", "Harapan Kita", "Rahayu", "Mulia", "Subur Makmur", "Bintang Timur", "Cahaya Baru"}
	shopGroups = []string{"grosir", "retail", "warung"}
	districts  = []struct {
		tag     string
		centre  salesmania.Location
		streets []string
	}{
		{"semarang-tengah", salesmania.Location{Lat: -6.9790, Lon: 110.4170}, []string{"Jl. Pemuda", "Jl. Pandanaran", "Jl. Gajahmada", "Jl. Imam Bonjol"}},
		{"candisari", salesmania.Location{Lat: -7.0060, Lon: 110.4290}, []string{"Jl. Sriwijaya", "Jl. Jangli"}},
		{"gayamsari", salesmania.Location{Lat: -6.9860, Lon: 110.4480}, []string{"Jl. Dr. Cipto", "Jl. Majapahit"}},
		{"pedurungan", salesmania.Location{Lat: -6.9990, Lon: 110.4700}, []string{"Jl. Soekarno-Hatta", "Jl. Tlogosari Raya", "Jl. Fatmawati"}},
		{"genuk", salesmania.Location{Lat: -6.9650, Lon: 110.4790}, []string{"Jl. Kaligawe", "Jl. Woltermonginsidi"}},
		{"tembalang", salesmania.Location{Lat: -7.0500, Lon: 110.4420}, []string{"Jl. Prof. Soedarto", "Jl. Mulawarman"}},
		{"banyumanik", salesmania.Location{Lat: -7.0640, Lon: 110.4200}, []string{"Jl. Setiabudi", "Jl. Ngesrep Timur"}},
		{"ngaliyan", salesmania.Location{Lat: -7.0000, Lon: 110.3480}, []string{"Jl. Siliwangi", "Jl. Prof. Hamka"}},
	}
)

// customers returns n demo customers.
func customers(n int) []salesmania.Customer {
	rng := rand.New(rand.NewPCG(2981, 24728))
	out := make([]salesmania.Customer, n)
	for i := range out {
		kind, name := shopKinds[rng.IntN(len(shopKinds))], shopNames[rng.IntN(len(shopNames))]
		d := districts[rng.IntN(len(districts))]
		out[i] = salesmania.Customer{
			Name:      fmt.Sprintf("%s %s %d", kind, name, i+1),
			Address:   fmt.Sprintf("%s No. %d", d.streets[rng.IntN(len(d.streets))], 1+rng.IntN(180)),
			City:      "Semarang",
			Phone:     fmt.Sprintf("0812-%04d-%04d", rng.IntN(10000), rng.IntN(10000)),
			ExtCustNo: fmt.Sprintf("C-%04d", i+1),
			Location: &salesmania.Location{
				Lat: round6(d.centre.Lat + (rng.Float64()-0.5)*0.018),
				Lon: round6(d.centre.Lon + (rng.Float64()-0.5)*0.018),
			},
			Status: i%17 != 16, // a few closed shops
			Tags:   []string{shopGroups[rng.IntN(len(shopGroups))], d.tag},
		}
	}
	return out
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// products are everyday goods a Semarang distributor sells: a base unit and
// the cartons (DUS) or packs (PAK) they come in, with prices in rupiah.
var products = []struct {
	name, sku, tag, disc string
	qty                  int64
	units                []salesmania.ProductUnit
}{
	{"Indomie Goreng", "IDM-G", "mie", "5+2", 1200, units("PCS", 3500, "DUS", 40, 130000)},
	{"Indomie Soto Mie", "IDM-S", "mie", "", 800, units("PCS", 3300, "DUS", 40, 124000)},
	{"Mie Sedaap Goreng", "MSD-G", "mie", "3", 960, units("PCS", 3400, "DUS", 40, 127000)},
	{"Aqua 600 ml", "AQA-600", "minuman", "", 2400, units("BTL", 3500, "DUS", 24, 78000)},
	{"Teh Botol Sosro 450 ml", "TBS-450", "minuman", "2", 1200, units("BTL", 5500, "DUS", 24, 124000)},
	{"Kopi Kapal Api Special 165 g", "KAP-165", "minuman", "", 300, units("PCS", 14500, "DUS", 48, 672000)},
	{"Teh Celup Sariwangi 25s", "SRW-25", "minuman", "", 420, units("PAK", 7500, "DUS", 48, 345000)},
	{"Gula Pasir Gulaku 1 kg", "GLK-1", "sembako", "", 600, units("PCS", 17500, "BAL", 20, 340000)},
	{"Minyak Goreng Bimoli 2 L", "BML-2", "sembako", "1.5", 360, units("PCS", 38500, "DUS", 6, 228000)},
	{"Beras Pandan Wangi 5 kg", "BPW-5", "sembako", "", 150, units("SAK", 78000)},
	{"Garam Refina 250 g", "GRF-250", "sembako", "", 900, units("PCS", 3000, "BAL", 50, 142000)},
	{"Kecap Bango 550 ml", "BNG-550", "bumbu", "", 480, units("BTL", 26500, "DUS", 12, 312000)},
	{"Royco Kaldu Ayam 8 x 8 g", "RYC-8", "bumbu", "", 1000, units("RTG", 4500, "PAK", 12, 52000, "DUS", 120, 510000)},
	{"Susu Kental Manis Frisian Flag 370 g", "FFL-370", "susu", "", 720, units("KLG", 12500, "DUS", 48, 588000)},
	{"Sarden ABC 425 g", "ABC-425", "makanan", "", 288, units("KLG", 24000, "DUS", 24, 562000)},
	{"Biskuit Roma Kelapa 300 g", "ROM-300", "makanan", "", 360, units("PCS", 10500, "DUS", 24, 246000)},
	{"Chitato Sapi Panggang 68 g", "CHT-68", "makanan", "10", 500, units("PCS", 11000, "DUS", 30, 320000)},
	{"Sabun Lifebuoy 110 g", "LFB-110", "kebersihan", "", 960, units("PCS", 4200, "PAK", 4, 16000, "DUS", 144, 570000)},
	{"Rinso Anti Noda 770 g", "RNS-770", "kebersihan", "5", 240, units("PCS", 23500, "DUS", 12, 276000)},
	{"Pepsodent 190 g", "PSD-190", "kebersihan", "", 480, units("PCS", 13500, "DUS", 48, 624000)},
}

// units builds a unit list from name, price (base unit, ratio 1) followed by
// name, ratio, price triples.
func units(base string, price int64, more ...any) []salesmania.ProductUnit {
	out := []salesmania.ProductUnit{{Name: base, Price: salesmania.DecimalFromInt(price), Ratio: 1}}
	for i := 0; i+2 < len(more); i += 3 {
		out = append(out, salesmania.ProductUnit{Name: more[i].(string), Ratio: int64(more[i+1].(int)), Price: salesmania.DecimalFromInt(int64(more[i+2].(int)))})
	}
	return out
}

// seedCatalog adds the demo customers and products to database dbID and
// returns them as made.
func seedCatalog(ctx context.Context, store salesmania.Store, dbID int64) (custs []salesmania.Customer, prods []salesmania.Product, err error) {
	for _, c := range customers(50) {
		if err := store.CreateCustomer(ctx, dbID, &c); err != nil {
			return nil, nil, fmt.Errorf("demo customer %s: %w", c.Name, err)
		}
		custs = append(custs, c)
	}
	for i, p := range products {
		pr := salesmania.Product{
			Name: p.name, SKU: p.sku, Tags: []string{p.tag}, Status: true, ExtProductCode: fmt.Sprintf("P-%04d", i+1),
			DefaultDisc: p.disc, QtyOnHand: salesmania.DecimalFromInt(p.qty), ProductUnits: p.units,
		}
		if err := store.CreateProduct(ctx, dbID, &pr); err != nil {
			return nil, nil, fmt.Errorf("demo product %s: %w", pr.Name, err)
		}
		prods = append(prods, pr)
	}
	return custs, prods, nil
}

// seedVisits plans a week of visits, Monday to Saturday of the week of
// today (and today too when it is a Sunday, so there is always a day to
// work), for each salesman team: six of the open customers a day, taken in
// turn, so each route covers the city's districts. The week comes from
// visit plans, as a distributor's weeks do: one plan per customer and
// salesman, on the weekdays that salesman calls there, every week,
// materialised for the week. It returns today's visits of each team, in
// route order.
func seedVisits(ctx context.Context, store salesmania.Store, dbID int64, teams []salesmania.Team, custs []salesmania.Customer, today string) (n int, todays [][]salesmania.Visit, err error) {
	var open []salesmania.Customer
	for _, c := range custs {
		if c.Status {
			open = append(open, c)
		}
	}
	t, err := time.Parse(time.DateOnly, today)
	if err != nil {
		return 0, nil, err
	}
	monday := t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	days := 6
	if t.Weekday() == time.Sunday {
		days = 7
	}
	// The rotation: day d, team i, place k calls on the next open
	// customer. Each (team, customer) pair becomes one plan with its days.
	type pair struct{ team, customer int64 }
	weekdays := map[pair][]int{}
	var order []pair
	next := 0
	for d := range days {
		for _, tm := range teams {
			for range visitsPerDay {
				p := pair{tm.ID, open[next%len(open)].ID}
				next++
				if _, ok := weekdays[p]; !ok {
					order = append(order, p)
				}
				weekdays[p] = append(weekdays[p], d+1)
			}
		}
	}
	start := monday.Format(time.DateOnly)
	for _, p := range order {
		plan := salesmania.VisitPlan{TeamID: p.team, CustomerID: p.customer, Weekdays: weekdays[p], EveryWeeks: 1,
			StartDate: start, DurationMin: salesmania.DefaultVisitDuration, Active: true}
		if err := store.CreateVisitPlan(ctx, dbID, &plan); err != nil {
			return 0, nil, fmt.Errorf("demo visit plan: %w", err)
		}
	}
	last := monday.AddDate(0, 0, days-1).Format(time.DateOnly)
	res, err := store.MaterializeVisitPlans(ctx, dbID, salesmania.AllTeams(), start, last)
	if err != nil {
		return 0, nil, fmt.Errorf("demo visits: %w", err)
	}
	todays = make([][]salesmania.Visit, len(teams))
	for i, tm := range teams {
		page, err := store.ListVisits(ctx, dbID, salesmania.VisitFilter{Teams: salesmania.OnlyTeam(tm.ID), Date: today,
			ListParams: salesmania.ListParams{Limit: salesmania.MaxListLimit}})
		if err != nil {
			return 0, nil, err
		}
		todays[i] = page.Data
	}
	return res.Created, todays, nil
}

// visitsPerDay is the length of each salesman's route.
const visitsPerDay = 6
