package httpapi_test

import (
	"context"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// snapshot is everything database a holds that a body can change, as JSON.
func (w *orderWorld) snapshot(t *testing.T) string {
	t.Helper()
	ctx, db := context.Background(), w.a.DB.ID
	all := salesmania.ListParams{Limit: salesmania.MaxListLimit}
	customers, err := w.e.store.ListCustomers(ctx, db, salesmania.CustomerFilter{ListParams: all})
	if err != nil {
		t.Fatal(err)
	}
	products, err := w.e.store.ListProducts(ctx, db, salesmania.ProductFilter{ListParams: all})
	if err != nil {
		t.Fatal(err)
	}
	visits, err := w.e.store.ListVisits(ctx, db, salesmania.VisitFilter{ListParams: all})
	if err != nil {
		t.Fatal(err)
	}
	orders, err := w.e.store.ListOrders(ctx, db, salesmania.OrderFilter{ListParams: all})
	if err != nil {
		t.Fatal(err)
	}
	hooks, err := w.e.store.ListWebhooks(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return js(map[string]any{"customers": customers.Data, "products": products.Data, "visits": visits.Data, "orders": orders.Data, "webhooks": hooks})
}

// TestBodyTextRefused: a body that encoding/json would silently change —
// bytes that are not UTF-8, a lone surrogate escape, a key given twice —
// is refused on every route that takes a body, naming the field where it
// can, and nothing is stored.
func TestBodyTextRefused(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		o, _ := w.mustCreateOrder(t, w.budi, seedOrderBody)
		cust, prod := itoa(w.rejeki.ID), itoa(w.indomie.ID)
		line := `{"product_id":` + prod + `,"qty":2,"unit":"dus","price":130000}`
		tests := []struct {
			name, method, path, body string
			as                       tenant
			status                   int
			field                    string
		}{
			{"Customers/Create/ErrInvalidUTF8", "POST", customersPath, "{\"name\":\"Toko \xff\xfe\"}", w.budi, 400, ""},
			{"Customers/Create/ErrLoneSurrogate", "POST", customersPath, `{"name":"Toko \ud800"}`, w.budi, 422, "name"},
			{"Customers/Create/ErrDuplicateKey", "POST", customersPath, `{"name":"Toko A","name":"Toko B"}`, w.budi, 422, "name"},
			{"Customers/Create/ErrDuplicateNested", "POST", customersPath, `{"name":"Toko A","location":{"lat":-6.9,"lon":110.4,"lat":0}}`, w.budi, 422, "location.lat"},
			{"Customers/Update/ErrInvalidUTF8", "PATCH", customersPath + "/" + cust, "{\"city\":\"Sema\xc0rang\"}", w.budi, 400, ""},
			{"Customers/Update/ErrLoneSurrogate", "PATCH", customersPath + "/" + cust, `{"address":"\udc00 Jl. Pemuda"}`, w.budi, 422, "address"},
			{"Customers/Update/ErrDuplicateKey", "PATCH", customersPath + "/" + cust, `{"name":"Toko A","name":"Toko B"}`, w.budi, 422, "name"},
			{"Products/Create/ErrInvalidUTF8", "POST", "/extapi/v1.0/products", "{\"name\":\"Mie \xed\xa0\x80\",\"product_units\":[{\"name\":\"PCS\",\"price\":1,\"ratio\":1}]}", w.ani, 400, ""},
			{"Products/Create/ErrLoneSurrogate", "POST", "/extapi/v1.0/products", `{"name":"Mie","product_units":[{"name":"PCS","price":1,"ratio":1},{"name":"D\ud83dUS","price":40,"ratio":40}]}`, w.ani, 422, "product_units[1].name"},
			{"Products/Create/ErrDuplicateKey", "POST", "/extapi/v1.0/products", `{"name":"Mie","product_units":[{"name":"PCS","price":1,"price":2,"ratio":1}]}`, w.ani, 422, "product_units[0].price"},
			{"Products/Update/ErrDuplicateKey", "PATCH", "/extapi/v1.0/products/" + prod, `{"status":false,"status":true}`, w.ani, 422, "status"},
			{"Products/Update/ErrLoneSurrogate", "PATCH", "/extapi/v1.0/products/" + prod, `{"tags":["mie","\ude00"]}`, w.ani, 422, "tags[1]"},
			{"Visits/Create/ErrInvalidUTF8", "POST", visitsPath, "{\"date\":\"2024-01-01\xff\",\"customer_id\":" + cust + "}", w.budi, 400, ""},
			{"Visits/Create/ErrDuplicateKey", "POST", visitsPath, `{"date":"2024-01-01","customer_id":` + cust + `,"customer_id":` + itoa(w.sri.ID) + `}`, w.budi, 422, "customer_id"},
			{"Visits/CreateV1/ErrDuplicateKey", "POST", "/extapi/v1.0/visits", `{"date":"2024-01-01","date":"2024-01-02","customer_id":` + cust + `}`, w.budi, 422, "date"},
			{"Orders/Create/ErrInvalidUTF8", "POST", w.ordersPath, "{\"date\":\"2024-01-01\",\"customer_id\":" + cust + ",\"description\":\"\x80\",\"ordered_products\":[" + line + "]}", w.budi, 400, ""},
			{"Orders/Create/ErrLoneSurrogate", "POST", w.ordersPath, `{"date":"2024-01-01","customer_id":` + cust + `,"ordered_products":[` + line + `,{"product_id":` + prod + `,"qty":1,"unit":"pcs","price":3500,"description":"\ud800"}]}`, w.budi, 422, "ordered_products[1].description"},
			{"Orders/Create/ErrDuplicateLineKey", "POST", w.ordersPath, `{"date":"2024-01-01","customer_id":` + cust + `,"ordered_products":[` + line + `,{"product_id":` + prod + `,"qty":1,"unit":"pcs","price":3500,"qty":100}]}`, w.budi, 422, "ordered_products[1].qty"},
			{"Orders/Create/ErrDuplicateEscapedKey", "POST", w.ordersPath, `{"date":"2024-01-01","customer_id":` + cust + `,"customer_\u0069d":` + itoa(w.sri.ID) + `,"ordered_products":[` + line + `]}`, w.budi, 422, "customer_id"},
			{"Orders/Update/ErrDuplicateKey", "PATCH", w.ordersPath + "/" + itoa(o.ID), `{"status":"Diproses","status":"Batal"}`, w.budi, 422, "status"},
			{"Orders/Update/ErrLoneSurrogate", "PATCH", w.ordersPath + "/" + itoa(o.ID), `{"ext_order_status_name":"\udbff"}`, w.budi, 422, "ext_order_status_name"},
			{"Webhooks/Create/ErrInvalidUTF8", "POST", webhooksPath, "{\"url\":\"https://erp.example/\xff\",\"secret\":\"0123456789abcdef\"}", w.ani, 400, ""},
			{"Webhooks/Create/ErrLoneSurrogate", "POST", webhooksPath, `{"url":"https://erp.example/orders","secret":"0123456789abcde\ud800"}`, w.ani, 422, "secret"},
			{"Webhooks/Create/ErrDuplicateKey", "POST", webhooksPath, `{"url":"https://erp.example/orders","url":"https://other.example/","secret":"0123456789abcdef"}`, w.ani, 422, "url"},
		}
		before := w.snapshot(t)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := tt.as.callBad(tt.method, tt.path, tt.body, nil)
				if tt.field == "" {
					wantProblem(t, r, tt.status)
				} else {
					wantProblem(t, r, tt.status, tt.field)
				}
				if after := w.snapshot(t); after != before {
					t.Fatalf("the database changed:\n%s\nwas\n%s", after, before)
				}
			})
		}
		// Text that only looks alike is fine: a surrogate pair, an escaped
		// backslash before "u", the replacement character sent as itself.
		c := mustPostJSON[salesmania.Customer](t, w.budi, customersPath, `{"name":"Toko \ud83d\ude00 \\ud800 \ufffd"}`)
		if c.Name != "Toko 😀 \\ud800 \uFFFD" {
			t.Fatalf("name = %q", c.Name)
		}
	})
}
