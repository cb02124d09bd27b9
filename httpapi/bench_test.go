package httpapi

import (
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
)

// BenchmarkEncodeCustomerPage measures the JSON answer of a list of 50
// customers, the body a phone pulls most.
func BenchmarkEncodeCustomerPage(b *testing.B) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 0, time.UTC)
	page := salesmania.Page[salesmania.Customer]{Data: make([]salesmania.Customer, 50)}
	for i := range page.Data {
		page.Data[i] = salesmania.Customer{
			ID: int64(i + 1), Name: "Toko Sumber Rejeki " + strconv.Itoa(i), Address: "Jl. Pemuda No. 12", City: "Semarang",
			Phone: "0812-555-0101", ExtCustNo: "C-" + strconv.Itoa(i), Location: &salesmania.Location{Lat: -6.99, Lon: 110.42},
			Status: true, Tags: []string{"grosir", "semarang-tengah"}, CreatedAt: now, UpdatedAt: now,
		}
	}
	next := salesmania.Cursor{ID: 50}.Encode()
	page.NextCursor = &next
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		encode(w, 200, &page)
	}
}

// BenchmarkBearerTokenHash measures the per-request work of turning a
// bearer token into its lookup key.
func BenchmarkBearerTokenHash(b *testing.B) {
	tok, _, err := auth.NewBearerToken()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !auth.ValidBearerTokenShape(tok) {
			b.Fatal("bad shape")
		}
		auth.HashBearerToken(tok)
	}
}

// BenchmarkDecodeOrderBody measures reading a 3-line order body: the
// shape check and the decode.
func BenchmarkDecodeOrderBody(b *testing.B) {
	body := []byte(`{"date":"2024-01-01","customer_id":101,"team_id":24728,"description":"",
 "ordered_products":[{"product_id":7,"qty":2,"unit":"DUS","price":130000,"item_disc_percent":"10+5","item_disc_amount":0,"description":"","ext_order_line_id":9001},
  {"product_id":8,"qty":5,"unit":"PCS","price":3500,"item_disc_percent":"","item_disc_amount":500},
  {"product_id":9,"qty":1,"unit":"PAK","price":52000,"item_disc_percent":"5"}],
 "disc_percent":"2","disc_amount":0,"total_paid":0,"status":"Baru","visit_status":"Order","ext_order_no":"SO-2024-0001","ext_order_status_name":""}`)
	b.ReportAllocs()
	for b.Loop() {
		var f salesmania.OrderFields
		if err := decodeJSON(body, &f); err != nil {
			b.Fatal(err)
		}
	}
}
