package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/sqlstore"
)

// The seeded company is a distributor in Central Java: shops in five cities,
// everyday goods in their base unit and the packs and cartons they ship in.
var (
	shopKinds  = []string{"Toko", "Warung", "UD", "Toserba", "Minimarket", "Agen", "Kios", "CV"}
	shopNames  = []string{"Sumber Rejeki", "Makmur Jaya", "Berkah Abadi", "Sinar Terang", "Maju Lancar", "Sri Rejeki", "Barokah", "Sido Mulyo", "Lancar Jaya", "Mitra Usaha", "Karya Baru", "Sentosa", "Harapan Kita", "Rahayu", "Mulia", "Subur Makmur", "Bintang Timur", "Cahaya Baru", "Tunas Harapan", "Sejahtera"}
	ownerNames = []string{"Pak Budi", "Bu Siti", "Pak Agus", "Bu Rina", "Pak Joko", "Bu Dewi", "Koh Hendra", "Cik Lina", "Pak Slamet", "Bu Ani"}
	streets    = []string{"Jl. Pemuda", "Jl. Pandanaran", "Jl. Gajahmada", "Jl. Siliwangi", "Jl. Majapahit", "Jl. Setiabudi", "Jl. Kaligawe", "Jl. Dr. Cipto", "Jl. Imam Bonjol", "Jl. Sriwijaya", "Jl. Fatmawati", "Jl. Soekarno-Hatta", "Jl. Diponegoro", "Jl. Ahmad Yani", "Jl. Veteran"}
	cities     = []struct {
		name     string
		lat, lon float64
	}{{"Semarang", -6.9903, 110.4229}, {"Kudus", -6.8048, 110.8405}, {"Salatiga", -7.3305, 110.5084}, {"Kendal", -6.9226, 110.2031}, {"Demak", -6.8909, 110.6396}}
	shopGroups = []string{"grosir", "retail", "warung", "modern", "pasar"}

	brands     = []string{"Indomie", "Sedaap", "Sosro", "Aqua", "Kapal Api", "Sariwangi", "Gulaku", "Bimoli", "Bango", "Royco", "Frisian Flag", "ABC", "Roma", "Chitato", "Lifebuoy", "Rinso", "Pepsodent", "Sunlight", "Indomilk", "Good Day", "Tango", "Khong Guan", "Filma", "Sania", "Dancow"}
	goods      = []string{"Mie Goreng", "Mie Kuah", "Teh Botol", "Air Mineral", "Kopi Bubuk", "Teh Celup", "Gula Pasir", "Minyak Goreng", "Kecap Manis", "Kaldu Ayam", "Susu Kental Manis", "Sarden", "Biskuit", "Keripik", "Sabun Mandi", "Deterjen", "Pasta Gigi", "Sabun Cuci Piring", "Susu UHT", "Wafer"}
	sizes      = []string{"70 g", "165 g", "250 g", "370 g", "450 ml", "600 ml", "1 L", "2 L", "1 kg", "5 kg"}
	goodsTags  = []string{"mie", "minuman", "sembako", "bumbu", "susu", "makanan", "kebersihan"}
	baseUnits  = []string{"PCS", "BTL", "KLG", "SAK", "RTG"}
	discounts  = []string{"", "", "", "5", "2", "5+2", "10", "3+1.5", "1.5"}
	teamNames  = []string{"Kantor Pusat", "Budi Santoso", "Siti Rahayu", "Agus Wijaya", "Dewi Lestari"}
	adminEmail = "bench@salesbench.example"
)

// seedInfo is what the seeding made, for the load phase.
type seedInfo struct {
	DBID     int64
	Teams    []int64
	Email    string
	Password string
	// Customers are the ids of the seeded customers.
	Customers []int64
	Products  int
	Took      time.Duration
}

// seed fills a fresh store with one database, five teams, an admin login,
// nCustomers customers and nProducts products, through the store's own API so
// the rows are exactly what the server writes. Random choices use a fixed
// seed, so every run seeds the same data. workers inserts run at once: each
// is its own transaction, and PostgreSQL commits concurrent ones together
// (SQLite has one writer, so 1 is as fast there).
func seed(ctx context.Context, store *sqlstore.Store, nCustomers, nProducts, workers int) (*seedInfo, error) {
	start := time.Now()
	rng := rand.New(rand.NewPCG(2981, 24728))
	info, err := seedAccount(ctx, store)
	if err != nil {
		return nil, err
	}
	if err := addAdmin(ctx, store, info, adminEmail); err != nil {
		return nil, err
	}
	// The rows are made in order first, so the data does not depend on how
	// the inserts interleave.
	custs := make([]*salesmania.Customer, nCustomers)
	for i := range custs {
		custs[i] = newCustomer(rng, fmt.Sprintf("C-%05d", i+1), i)
	}
	prods := make([]*salesmania.Product, nProducts)
	for i := range prods {
		prods[i] = newProduct(rng, i)
	}
	err = inParallel(ctx, workers, nCustomers, func(ctx context.Context, i int) error {
		if err := store.CreateCustomer(ctx, info.DBID, custs[i]); err != nil {
			return fmt.Errorf("create customer %d: %w", i+1, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = inParallel(ctx, workers, nProducts, func(ctx context.Context, i int) error {
		if err := store.CreateProduct(ctx, info.DBID, prods[i]); err != nil {
			return fmt.Errorf("create product %d: %w", i+1, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, c := range custs {
		info.Customers = append(info.Customers, c.ID)
	}
	info.Products = nProducts
	info.Took = time.Since(start)
	return info, nil
}

// seedAccount creates the company's database and its five teams.
func seedAccount(ctx context.Context, store *sqlstore.Store) (*seedInfo, error) {
	info := &seedInfo{}
	db := salesmania.Database{Name: "PT Salesbench Distribusi"}
	if err := store.CreateDatabase(ctx, &db); err != nil {
		return nil, fmt.Errorf("create the database: %w", err)
	}
	info.DBID = db.ID
	for i, name := range teamNames {
		t := salesmania.Team{Name: name, ExtSalesmanNumber: fmt.Sprintf("S-%02d", i), Status: true}
		if err := store.CreateTeam(ctx, db.ID, &t); err != nil {
			return nil, fmt.Errorf("create team %s: %w", name, err)
		}
		info.Teams = append(info.Teams, t.ID)
	}
	return info, nil
}

// addAdmin creates a user with a new random password, makes it an admin of
// info's database in its first team, and records its login in info.
func addAdmin(ctx context.Context, store *sqlstore.Store, info *seedInfo, email string) error {
	password, err := randomHex(16)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u := salesmania.User{Email: email, PasswordHash: hash}
	if err := store.CreateUser(ctx, &u); err != nil {
		return fmt.Errorf("create the admin user %s: %w", email, err)
	}
	m := salesmania.Membership{DBID: info.DBID, UserID: u.ID, TeamID: info.Teams[0], Role: salesmania.RoleAdmin}
	if err := store.PutMember(ctx, &m); err != nil {
		return fmt.Errorf("add the admin %s to the database: %w", email, err)
	}
	info.Email, info.Password = email, password
	return nil
}

// inParallel calls fn(ctx, i) for i in [0, n) from the given number of
// goroutines and returns the first error, after which it starts no more.
func inParallel(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, workers) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// newCustomer returns a shop with a name, street address, phone, location
// near its city, and two or three tags. i numbers it, keeping names unique.
func newCustomer(rng *rand.Rand, extCustNo string, i int) *salesmania.Customer {
	city := cities[rng.IntN(len(cities))]
	tags := []string{shopGroups[rng.IntN(len(shopGroups))], lowerASCII(city.name)}
	if rng.IntN(3) == 0 {
		tags = append(tags, "prioritas")
	}
	return &salesmania.Customer{
		Name:      fmt.Sprintf("%s %s %d", shopKinds[rng.IntN(len(shopKinds))], shopNames[rng.IntN(len(shopNames))], i+1),
		Address:   fmt.Sprintf("%s No. %d, RT %02d/RW %02d (%s)", streets[rng.IntN(len(streets))], 1+rng.IntN(250), 1+rng.IntN(12), 1+rng.IntN(9), ownerNames[rng.IntN(len(ownerNames))]),
		City:      city.name,
		Phone:     fmt.Sprintf("08%02d-%04d-%04d", 11+rng.IntN(88), rng.IntN(10000), rng.IntN(10000)),
		ExtCustNo: extCustNo,
		Location: &salesmania.Location{
			Lat: round6(city.lat + (rng.Float64()-0.5)*0.1),
			Lon: round6(city.lon + (rng.Float64()-0.5)*0.1),
		},
		Status: i%23 != 22, // a few closed shops
		Tags:   tags,
	}
}

// newProduct returns a product sold in a base unit and one or two larger
// packs, priced in rupiah, with a default discount on some.
func newProduct(rng *rand.Rand, i int) *salesmania.Product {
	base := baseUnits[rng.IntN(len(baseUnits))]
	price := int64(1500 + 500*rng.IntN(80))
	units := []salesmania.ProductUnit{{Name: base, Price: salesmania.DecimalFromInt(price), Ratio: 1}}
	packRatio := int64([]int{4, 6, 10, 12}[rng.IntN(4)])
	units = append(units, salesmania.ProductUnit{Name: "PAK", Ratio: packRatio, Price: salesmania.DecimalFromInt(price * packRatio * 98 / 100)})
	if rng.IntN(2) == 0 {
		ratio := packRatio * int64(2+rng.IntN(4))
		units = append(units, salesmania.ProductUnit{Name: "DUS", Ratio: ratio, Price: salesmania.DecimalFromInt(price * ratio * 95 / 100)})
	}
	brand, good := brands[rng.IntN(len(brands))], goods[rng.IntN(len(goods))]
	return &salesmania.Product{
		Name:           fmt.Sprintf("%s %s %s", brand, good, sizes[rng.IntN(len(sizes))]),
		Description:    fmt.Sprintf("%s %s, dikirim per %s", brand, lowerASCII(good), units[len(units)-1].Name),
		SKU:            fmt.Sprintf("SKU-%05d", i+1),
		Tags:           []string{goodsTags[rng.IntN(len(goodsTags))]},
		Status:         true,
		ExtProductCode: fmt.Sprintf("P-%05d", i+1),
		DefaultDisc:    discounts[rng.IntN(len(discounts))],
		QtyOnHand:      salesmania.DecimalFromInt(int64(rng.IntN(5000))),
		ProductUnits:   units,
	}
}

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
