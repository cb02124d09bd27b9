package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// BenchmarkServe measures the server's own work for the load benchmark's
// hot requests on SQLite, without the network: middleware, authentication,
// the store and the JSON answer. Profile one with -cpuprofile to see where a
// request's time goes, e.g.
//
//	go test ./httpapi -run '^$' -bench 'Serve/get-visits-day' -cpuprofile cpu.out
func BenchmarkServe(b *testing.B) {
	ctx := context.Background()
	store := sqlstoretest.MustOpen(b, "sqlite")
	key, _ := store.Secret(ctx, "team_token_key", auth.NewSecret)
	signer, _ := auth.NewTeamTokenSigner(key)
	srv, err := httpapi.NewServer(httpapi.Config{Store: store, TeamTokens: signer, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	db := salesmania.Database{Name: "PT Maju Jaya"}
	must(b, store.CreateDatabase(ctx, &db))
	team := salesmania.Team{Name: "Budi", Status: true}
	must(b, store.CreateTeam(ctx, db.ID, &team))
	u := salesmania.User{Email: "budi@majujaya.example", PasswordHash: "x"}
	must(b, store.CreateUser(ctx, &u))
	must(b, store.PutMember(ctx, &salesmania.Membership{DBID: db.ID, UserID: u.ID, TeamID: team.ID, Role: salesmania.RoleAdmin}))
	tok, hash, _ := auth.NewBearerToken()
	must(b, store.CreateToken(ctx, u.ID, hash, salesmania.Now().AddDate(0, 0, 30)))
	tt := signer.Sign(auth.TeamToken{DBID: db.ID, TeamID: team.ID})

	var customers []int64
	for i := range 200 {
		c := salesmania.Customer{Name: fmt.Sprintf("Toko Sumber Rejeki %d", i), Address: "Jl. Pemuda 12", City: "Semarang", Status: true,
			Tags: []string{"grosir"}, Location: &salesmania.Location{Lat: -6.99, Lon: 110.42}, Phone: "024-3551234"}
		must(b, store.CreateCustomer(ctx, db.ID, &c))
		customers = append(customers, c.ID)
	}
	for i := range 100 {
		must(b, store.AppendVisit(ctx, db.ID, &salesmania.Visit{Date: "2026-11-27", CustomerID: customers[i], TeamID: team.ID}))
	}
	var products []int64
	for i := range 3 {
		p := salesmania.Product{Name: fmt.Sprintf("Indomie Goreng %d", i), SKU: fmt.Sprintf("SKU-%d", i), Status: true, DefaultDisc: "5+2",
			ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Price: salesmania.MustDecimal("3100"), Ratio: 1}, {Name: "DUS", Price: salesmania.MustDecimal("120000"), Ratio: 40}}}
		must(b, store.CreateProduct(ctx, db.ID, &p))
		products = append(products, p.ID)
	}
	orderBody := func(ext string) string {
		return fmt.Sprintf(`{"date":"2026-11-27","customer_id":%d,"team_id":0,"description":"","disc_percent":"2","ext_order_no":%q,"ordered_products":[`+
			`{"product_id":%d,"qty":3,"unit":"DUS","price":120000,"item_disc_percent":"10+5"},`+
			`{"product_id":%d,"qty":12,"unit":"PCS","price":3100,"item_disc_percent":"10+5"},`+
			`{"product_id":%d,"qty":1,"unit":"DUS","price":118000,"item_disc_percent":"10+5"}]}`,
			customers[0], ext, products[0], products[1], products[2])
	}
	var n atomic.Int64
	serve := func(b *testing.B, method, path string, body func() string) *httptest.ResponseRecorder {
		var rd io.Reader
		if body != nil {
			rd = strings.NewReader(body())
		}
		r := httptest.NewRequest(method, path, rd)
		r.Header.Set("Authorization", "Bearer "+tok)
		r.Header.Set("X-Team-Token", tt)
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		return w
	}
	w := serve(b, "POST", "/extapi/v1.0/orders", func() string { return orderBody("SETUP-1") })
	var order struct{ ID int64 }
	mustJSONDecode(b, w.Body.Bytes(), &order)

	cases := []struct {
		name, method, path string
		body               func() string
	}{
		{"get-customer", "GET", fmt.Sprintf("/extapi/v1.0/customers/%d", customers[7]), nil},
		{"list-customers", "GET", "/extapi/v1.0/customers?limit=50", nil},
		{"list-customers-total", "GET", "/extapi/v1.0/customers?limit=50&include_total=true", nil},
		{"create-customer", "POST", "/extapi/v1.0/customers", func() string {
			return fmt.Sprintf(`{"name":"Warung Barokah","address":"Jl. Veteran 3","city":"Kudus","phone":"0291-123","ext_cust_no":"B-%d","location":{"lat":-6.8,"lon":110.84},"status":true,"tags":["warung"]}`, n.Add(1))
		}},
		{"get-visits-day", "GET", fmt.Sprintf("/extapi/v1.1/visits?date=2026-11-27&team_id=%d", team.ID), nil},
		{"create-order", "POST", "/extapi/v1.0/orders", func() string { return orderBody(fmt.Sprintf("B-%d", n.Add(1))) }},
		{"get-order", "GET", fmt.Sprintf("/extapi/v1.0/orders/%d", order.ID), nil},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(8) // writes wait for a commit: keep the group commit's batches full
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					serve(b, c.method, c.path, c.body)
				}
			})
		})
	}
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

func mustJSONDecode(b *testing.B, data []byte, v any) {
	b.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		b.Fatal(err)
	}
}
