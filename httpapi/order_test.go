package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// The order tests reuse the tenant helpers of customer_test.go (tenant,
// call, callBad, mustOK, js, join, stamp) and env_test.go.

// orderWorld is two companies on one server. PT Maju Jaya has the teams
// Budi (S-01) and Siti (S-02); Ani is its admin (in team Budi), Budi and
// Siti are members of their teams. It has the customer Toko Sumber Rejeki
// (C-0001) and Warung Bu Sri, and the products Indomie Goreng (P-0007: PCS
// 3500, DUS of 40 at 130000) and Aqua 600 ml (A-0600: BTL 3000, KRT of 24
// at 68000). CV Sinar Abadi has the team Agus, whose user is its admin, and
// a customer and a product of its own.
type orderWorld struct {
	e                      *env
	a, b                   company
	ani, budi, siti, agus  tenant
	teamBudi, teamSiti     int64
	teamAgus               int64
	rejeki, sri            salesmania.Customer
	indomie, aqua          salesmania.Product
	theirCust              salesmania.Customer
	theirProduct           salesmania.Product
	placeholders           *strings.Replacer
	ordersPath, ordersBase string
}

func newOrderWorld(t *testing.T, kind string) *orderWorld {
	t.Helper()
	e := newEnv(t, kind)
	w := &orderWorld{e: e, a: e.mustCompany("PT Maju Jaya", "Budi", "Siti"), b: e.mustCompany("CV Sinar Abadi", "Agus"),
		ordersPath: "/extapi/v1.0/orders"}
	w.teamBudi, w.teamSiti, w.teamAgus = w.a.Teams[0].ID, w.a.Teams[1].ID, w.b.Teams[0].ID
	member := func(c company, email string, teamID int64, role salesmania.Role) tenant {
		u := e.mustUser(email)
		e.mustMember(c.DB.ID, u.ID, teamID, role)
		bearer := e.login(email)
		return tenant{e: e, DBID: c.DB.ID, bearer: bearer, teamToken: e.teamToken(bearer, c.DB.ID)}
	}
	w.ani = member(w.a, "ani@majujaya.example", w.teamBudi, salesmania.RoleAdmin)
	w.budi = member(w.a, "budi@majujaya.example", w.teamBudi, salesmania.RoleMember)
	w.siti = member(w.a, "siti@majujaya.example", w.teamSiti, salesmania.RoleMember)
	w.agus = member(w.b, "agus@sinar.example", w.teamAgus, salesmania.RoleAdmin)
	w.rejeki = mustPostJSON[salesmania.Customer](t, w.ani, "/extapi/v1.0/customers", `{"name":"Toko Sumber Rejeki","ext_cust_no":"C-0001"}`)
	w.sri = mustPostJSON[salesmania.Customer](t, w.ani, "/extapi/v1.0/customers", `{"name":"Warung Bu Sri"}`)
	w.indomie = mustPostJSON[salesmania.Product](t, w.ani, "/extapi/v1.0/products", `{"name":"Indomie Goreng","ext_product_code":"P-0007",
		"qty_on_hand":1200,"product_units":[{"name":"PCS","price":3500,"ratio":1},{"name":"DUS","price":130000,"ratio":40}]}`)
	w.aqua = mustPostJSON[salesmania.Product](t, w.ani, "/extapi/v1.0/products", `{"name":"Aqua 600 ml","ext_product_code":"A-0600",
		"qty_on_hand":480,"product_units":[{"name":"BTL","price":3000,"ratio":1},{"name":"KRT","price":68000,"ratio":24}]}`)
	w.theirCust = mustPostJSON[salesmania.Customer](t, w.agus, "/extapi/v1.0/customers", `{"name":"Toko Sinar","ext_cust_no":"C-0001"}`)
	w.theirProduct = mustPostJSON[salesmania.Product](t, w.agus, "/extapi/v1.0/products", `{"name":"Teh Botol","ext_product_code":"P-0007",
		"qty_on_hand":10,"product_units":[{"name":"PCS","price":4000,"ratio":1},{"name":"DUS","price":90000,"ratio":24}]}`)
	w.placeholders = strings.NewReplacer(
		"$CUST2", itoa(w.sri.ID), "$CUST", itoa(w.rejeki.ID), "$XCUST", itoa(w.theirCust.ID),
		"$PROD2", itoa(w.aqua.ID), "$PROD", itoa(w.indomie.ID), "$XPROD", itoa(w.theirProduct.ID),
		"$TEAMSITI", itoa(w.teamSiti), "$TEAM", itoa(w.teamBudi), "$XTEAM", itoa(w.teamAgus))
	return w
}

// body fills a request body's placeholders: $CUST (Toko Sumber Rejeki),
// $CUST2 (Warung Bu Sri), $PROD (Indomie), $PROD2 (Aqua), $TEAM (Budi),
// $TEAMSITI, and $XCUST, $XPROD, $XTEAM of CV Sinar Abadi.
func (w *orderWorld) body(s string) string { return w.placeholders.Replace(s) }

// mustPostJSON POSTs body to path and decodes the 200 answer.
func mustPostJSON[T any](t *testing.T, tn tenant, path, body string) T {
	t.Helper()
	r := tn.call("POST", path, body)
	mustOK(t, r)
	var v T
	r.json(t, &v)
	return v
}

// seedOrderBody is the create body of API.md §6, with this world's ids and
// the unit written in lower case.
const seedOrderBody = `{"date":"2024-01-01","customer_id":$CUST,"team_id":$TEAM,"description":"",
	"ordered_products":[{"product_id":$PROD,"qty":2,"unit":"dus","price":130000,
		"item_disc_percent":"10+5","item_disc_amount":0,"description":"","ext_order_line_id":9001}],
	"disc_percent":"2","disc_amount":0,"total_paid":0,"status":"Baru","visit_status":"Order",
	"ext_order_no":"SO-2024-0001","ext_order_status_name":""}`

type orderPage struct {
	Data       []salesmania.Order `json:"data"`
	NextCursor *string            `json:"next_cursor"`
	Total      *int64             `json:"total"`
}

func (w *orderWorld) mustCreateOrder(t *testing.T, tn tenant, body string) (salesmania.Order, response) {
	t.Helper()
	r := tn.call("POST", w.ordersPath, w.body(body))
	mustOK(t, r)
	var o salesmania.Order
	r.json(t, &o)
	return o, r
}

func (w *orderWorld) mustGetOrder(t *testing.T, tn tenant, id int64) salesmania.Order {
	t.Helper()
	r := tn.call("GET", w.ordersPath+"/"+itoa(id), "")
	mustOK(t, r)
	var o salesmania.Order
	r.json(t, &o)
	return o
}

func (w *orderWorld) mustPatchOrder(t *testing.T, tn tenant, id int64, body string) salesmania.Order {
	t.Helper()
	r := tn.call("PATCH", w.ordersPath+"/"+itoa(id), w.body(body))
	mustOK(t, r)
	var o salesmania.Order
	r.json(t, &o)
	return o
}

// mustListOrders walks every page of the order list with the query.
func (w *orderWorld) mustListOrders(t *testing.T, tn tenant, query string) []salesmania.Order {
	t.Helper()
	var out []salesmania.Order
	cursor := ""
	for range 1000 {
		q := query
		if cursor != "" {
			q = join(q, "cursor="+url.QueryEscape(cursor))
		}
		r := tn.call("GET", w.ordersPath+"?"+q, "")
		mustOK(t, r)
		var p orderPage
		r.json(t, &p)
		out = append(out, p.Data...)
		if p.NextCursor == nil {
			return out
		}
		cursor = *p.NextCursor
	}
	t.Fatalf("order list %q does not end", query)
	return nil
}

// storedOrders returns every order of both databases, straight from the
// store, so a refused request can be shown to have stored nothing.
func (w *orderWorld) storedOrders(t *testing.T) []salesmania.Order {
	t.Helper()
	var out []salesmania.Order
	for _, db := range []int64{w.a.DB.ID, w.b.DB.ID} {
		p, err := w.e.store.ListOrders(context.Background(), db, salesmania.OrderFilter{Teams: salesmania.AllTeams(), ListParams: salesmania.ListParams{Limit: salesmania.MaxListLimit}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Data...)
	}
	return out
}

func (w *orderWorld) wantStoredOrders(t *testing.T, want []salesmania.Order) {
	t.Helper()
	got := w.storedOrders(t)
	if g, wj := js(got), js(want); g != wj {
		t.Fatalf("stored orders changed:\n%s\nwant\n%s", g, wj)
	}
}

// sameOrder checks that two answers are the same order, field by field.
func sameOrder(t *testing.T, got, want salesmania.Order) {
	t.Helper()
	if g, w := js(got), js(want); g != w {
		t.Fatalf("order =\n%s\nwant\n%s", g, w)
	}
}

func orderIDs(os []salesmania.Order) []int64 {
	out := make([]int64, len(os))
	for i, o := range os {
		out[i] = o.ID
	}
	return out
}

func wantOrderIDs(t *testing.T, got []salesmania.Order, want ...salesmania.Order) {
	t.Helper()
	if g, w := orderIDs(got), orderIDs(want); !slices.Equal(g, w) {
		t.Fatalf("order ids = %v; want %v", g, w)
	}
}

// orderMoney is the money of an order answer as the JSON number literals
// the server wrote: subtotal, discount, total, and each line's gross,
// discount and net.
type orderMoney struct {
	Subtotal, Discount, Total string
	Lines                     [][3]string
}

func moneyOf(t *testing.T, body []byte) orderMoney {
	t.Helper()
	var raw map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	num := func(m map[string]any, k string) string {
		n, ok := m[k].(json.Number)
		if !ok {
			t.Fatalf("%s = %#v; want a JSON number", k, m[k])
		}
		return n.String()
	}
	m := orderMoney{Subtotal: num(raw, "subtotal"), Discount: num(raw, "discount"), Total: num(raw, "total")}
	for _, l := range raw["ordered_products"].([]any) {
		lm := l.(map[string]any)
		m.Lines = append(m.Lines, [3]string{num(lm, "gross"), num(lm, "discount"), num(lm, "net")})
	}
	return m
}

func TestOrderCreate(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)

		t.Run("OK/SeedExample", func(t *testing.T) {
			before := time.Now().UTC().Truncate(time.Microsecond)
			o, r := w.mustCreateOrder(t, w.ani, seedOrderBody)
			after := time.Now().UTC()
			if o.ID <= 0 || len(o.OrderedProducts) != 1 || o.OrderedProducts[0].ID <= 0 {
				t.Fatalf("ids missing: %s", r.body)
			}
			ext := int64(9001)
			want := salesmania.Order{ID: o.ID, Date: "2024-01-01", CustomerID: w.rejeki.ID, TeamID: w.teamBudi,
				OrderedProducts: []salesmania.OrderLine{{ID: o.OrderedProducts[0].ID, ProductID: w.indomie.ID, Qty: dec("2"), Unit: "DUS",
					Price: dec("130000"), ItemDiscPercent: "10+5", ItemDiscAmount: dec("0"), ExtOrderLineID: &ext,
					Gross: dec("260000"), Discount: dec("37700"), Net: dec("222300")}},
				DiscPercent: "2", DiscAmount: dec("0"), TotalPaid: dec("0"), Status: "Baru", VisitStatus: "Order", ExtOrderNo: "SO-2024-0001",
				Subtotal: dec("222300"), Discount: dec("4446"), Total: dec("217854"), CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt}
			sameOrder(t, o, want)
			if m, wm := moneyOf(t, r.body), (orderMoney{"222300", "4446", "217854", [][3]string{{"260000", "37700", "222300"}}}); !sameMoney(m, wm) {
				t.Fatalf("money = %+v; want %+v", m, wm)
			}
			if o.CreatedAt.Before(before) || o.CreatedAt.After(after) {
				t.Fatalf("created_at = %v; want between %v and %v", o.CreatedAt, before, after)
			}
			sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
			sameOrder(t, w.mustGetOrder(t, w.budi, o.ID), o)
		})
		t.Run("OK/Defaults", func(t *testing.T) {
			// A member without team_id orders for its own team.
			o, r := w.mustCreateOrder(t, w.budi, `{"date":"2024-02-29","customer_id":$CUST2,
				"ordered_products":[{"product_id":$PROD2,"qty":1,"unit":"BTL","price":3000}]}`)
			want := salesmania.Order{ID: o.ID, Date: "2024-02-29", CustomerID: w.sri.ID, TeamID: w.teamBudi,
				OrderedProducts: []salesmania.OrderLine{{ID: o.OrderedProducts[0].ID, ProductID: w.aqua.ID, Qty: dec("1"), Unit: "BTL",
					Price: dec("3000"), ItemDiscAmount: dec("0"), Gross: dec("3000"), Discount: dec("0"), Net: dec("3000")}},
				DiscAmount: dec("0"), TotalPaid: dec("0"), Status: "Baru",
				Subtotal: dec("3000"), Discount: dec("0"), Total: dec("3000"), CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt}
			sameOrder(t, o, want)
			for _, s := range []string{`"ext_order_line_id":null`, `"description":""`, `"disc_percent":""`, `"item_disc_percent":""`,
				`"visit_status":""`, `"ext_order_no":""`, `"ext_order_status_name":""`, `"total_paid":0`, `"status":"Baru"`} {
				if !bytes.Contains(r.body, []byte(s)) {
					t.Errorf("body %s lacks %s", r.body, s)
				}
			}
		})
		t.Run("OK/TrimsAndCanonical", func(t *testing.T) {
			o, _ := w.mustCreateOrder(t, w.ani, `{"date":"2024-01-02","customer_id":$CUST,"team_id":0,"description":"  Kirim pagi \n",
				"ordered_products":[{"product_id":$PROD,"qty":2.50,"unit":" Pcs ","price":3500.0,"item_disc_percent":" 10.0 + 05 ",
					"description":" rak atas "}],
				"disc_percent":" 02.50 ","visit_status":" Order ","ext_order_no":" SO-2 ","ext_order_status_name":" Baru masuk "}`)
			l := o.OrderedProducts[0]
			if o.Description != "Kirim pagi" || o.VisitStatus != "Order" || o.ExtOrderNo != "SO-2" || o.ExtOrderStatusName != "Baru masuk" ||
				o.DiscPercent != "2.5" || o.TeamID != w.teamBudi || l.Unit != "PCS" || l.ItemDiscPercent != "10+5" || l.Description != "rak atas" ||
				l.Qty.String() != "2.5" || l.Price.String() != "3500" {
				t.Fatalf("order = %s", js(o))
			}
		})
		t.Run("OK/TeamNullOrZero", func(t *testing.T) {
			// As for visits, null and 0 mean the team token's team.
			for _, team := range []string{"null", "0"} {
				r := w.siti.callBad("POST", w.ordersPath, w.body(`{"date":"2024-01-03","customer_id":$CUST,"team_id":`+team+`,
					"ordered_products":[{"product_id":$PROD,"qty":1,"unit":"PCS","price":3500}]}`), nil)
				mustOK(t, r)
				var o salesmania.Order
				r.json(t, &o)
				if o.TeamID != w.teamSiti {
					t.Fatalf("team_id %s gave team %d; want Siti's %d", team, o.TeamID, w.teamSiti)
				}
			}
		})
		t.Run("OK/AdminForAnotherTeam", func(t *testing.T) {
			o, _ := w.mustCreateOrder(t, w.ani, `{"date":"2024-01-03","customer_id":$CUST,"team_id":$TEAMSITI,
				"ordered_products":[{"product_id":$PROD,"qty":1,"unit":"PCS","price":3500}]}`)
			if o.TeamID != w.teamSiti {
				t.Fatalf("team_id = %d; want %d", o.TeamID, w.teamSiti)
			}
			sameOrder(t, w.mustGetOrder(t, w.siti, o.ID), o)
		})
		t.Run("OK/MemberForOwnTeam", func(t *testing.T) {
			o, _ := w.mustCreateOrder(t, w.siti, `{"date":"2024-01-03","customer_id":$CUST,"team_id":$TEAMSITI,
				"ordered_products":[{"product_id":$PROD,"qty":1,"unit":"PCS","price":3500}]}`)
			if o.TeamID != w.teamSiti {
				t.Fatalf("team_id = %d; want %d", o.TeamID, w.teamSiti)
			}
		})
		t.Run("OK/AnyStartingStatus", func(t *testing.T) {
			for _, s := range []string{"Baru", "Diproses", "Terkirim", "Lunas", "Batal"} {
				o, _ := w.mustCreateOrder(t, w.ani, `{"date":"2024-01-04","customer_id":$CUST,"status":"`+s+`",
					"ordered_products":[{"product_id":$PROD,"qty":1,"unit":"PCS","price":3500}]}`)
				if o.Status != s {
					t.Fatalf("status = %q; want %q", o.Status, s)
				}
			}
		})
		t.Run("OK/SameProductTwice", func(t *testing.T) {
			o, _ := w.mustCreateOrder(t, w.ani, `{"date":"2024-01-05","customer_id":$CUST,"ordered_products":[
				{"product_id":$PROD,"qty":1,"unit":"DUS","price":130000},{"product_id":$PROD,"qty":5,"unit":"PCS","price":3500}]}`)
			if len(o.OrderedProducts) != 2 || o.OrderedProducts[0].Unit != "DUS" || o.OrderedProducts[1].Unit != "PCS" ||
				o.OrderedProducts[0].ID == o.OrderedProducts[1].ID || o.Total.String() != "147500" {
				t.Fatalf("order = %s", js(o))
			}
		})
		t.Run("OK/500Lines", func(t *testing.T) {
			lines := make([]string, salesmania.MaxOrderLines)
			for i := range lines {
				lines[i] = fmt.Sprintf(`{"product_id":$PROD,"qty":%d,"unit":"PCS","price":1,"ext_order_line_id":%d}`, i+1, i)
			}
			o, _ := w.mustCreateOrder(t, w.ani, `{"date":"2024-01-06","customer_id":$CUST,"ordered_products":[`+strings.Join(lines, ",")+`]}`)
			if len(o.OrderedProducts) != 500 || o.Subtotal.String() != "125250" {
				t.Fatalf("%d lines, subtotal %s; want 500 and 125250", len(o.OrderedProducts), o.Subtotal)
			}
			for i, l := range o.OrderedProducts {
				if *l.ExtOrderLineID != int64(i) {
					t.Fatalf("line %d has ext_order_line_id %d: lines out of order", i, *l.ExtOrderLineID)
				}
			}
			sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
		})
	})
}

// sameMoney reports whether two orderMoney values are equal.
func sameMoney(a, b orderMoney) bool { return js(a) == js(b) }

// TestOrderMoney checks the money rules of §6.1 and §9 on worked cases.
func TestOrderMoney(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		money orderMoney
	}{
		{"SeedExample", seedOrderBody, orderMoney{"222300", "4446", "217854", [][3]string{{"260000", "37700", "222300"}}}},
		{"NoDiscount", `{"date":"2024-01-01","customer_id":$CUST,"ordered_products":[{"product_id":$PROD,"qty":3,"unit":"PCS","price":3500}]}`,
			orderMoney{"10500", "0", "10500", [][3]string{{"10500", "0", "10500"}}}},
		// An amount is taken as it is; the line's net is rounded to 2
		// decimals (half away from zero) and its discount is gross − net.
		// The cascade 55.05+3 keeps 0.4495 × 0.97; 0.025 rounds up to 0.03;
		// the order's disc_amount 100.005 is rounded to 100.01.
		{"AmountsAndRounding", `{"date":"2024-01-01","customer_id":$CUST,"disc_amount":100.005,"ordered_products":[
			{"product_id":$PROD,"qty":3,"unit":"PCS","price":3500.5,"item_disc_amount":1.255},
			{"product_id":$PROD2,"qty":1.5,"unit":"KRT","price":68000,"item_disc_percent":"55.05+3"},
			{"product_id":$PROD,"qty":1,"unit":"PCS","price":0.05,"item_disc_percent":"50"}]}`,
			orderMoney{"54973.81", "100.01", "54873.8", [][3]string{{"10501.5", "1.25", "10500.25"}, {"102000", "57526.47", "44473.53"}, {"0.05", "0.02", "0.03"}}}},
		// The order's cascade is rounded once, on the subtotal:
		// 100.01 × 33.3333 % = 33.33663333 → 33.34.
		{"OrderCascadeRounded", `{"date":"2024-01-01","customer_id":$CUST,"disc_percent":"33.3333","ordered_products":[
			{"product_id":$PROD,"qty":1,"unit":"PCS","price":100.01}]}`,
			orderMoney{"100.01", "33.34", "66.67", [][3]string{{"100.01", "0", "100.01"}}}},
		// Five parts, applied one after another: 100 × 0.9⁵ = 59.049.
		{"FiveParts", `{"date":"2024-01-01","customer_id":$CUST,"ordered_products":[
			{"product_id":$PROD,"qty":1,"unit":"PCS","price":100,"item_disc_percent":"10+10+10+10+10"}]}`,
			orderMoney{"59.05", "0", "59.05", [][3]string{{"100", "40.95", "59.05"}}}},
		// Exact decimals: 0.1 × 3 is 0.3, not 0.30000000000000004.
		{"NoFloatingPoint", `{"date":"2024-01-01","customer_id":$CUST,"ordered_products":[
			{"product_id":$PROD,"qty":3,"unit":"PCS","price":0.1},{"product_id":$PROD,"qty":0.7,"unit":"PCS","price":0.1}]}`,
			orderMoney{"0.37", "0", "0.37", [][3]string{{"0.3", "0", "0.3"}, {"0.07", "0", "0.07"}}}},
		// §9 literally: net = round2(gross − discount), discount = gross − net,
		// so a gross with more than 2 decimals puts the rounding in discount,
		// which can be negative when net rounds up.
		{"NetRoundsUp", `{"date":"2024-01-01","customer_id":$CUST,"ordered_products":[
			{"product_id":$PROD,"qty":1.5,"unit":"PCS","price":0.333}]}`,
			orderMoney{"0.5", "0", "0.5", [][3]string{{"0.4995", "-0.0005", "0.5"}}}},
		{"HundredPercent", `{"date":"2024-01-01","customer_id":$CUST,"disc_percent":"100","ordered_products":[
			{"product_id":$PROD,"qty":2,"unit":"DUS","price":130000,"item_disc_amount":260000}]}`,
			orderMoney{"0", "0", "0", [][3]string{{"260000", "260000", "0"}}}},
		{"ZeroPercentWithAmount", `{"date":"2024-01-01","customer_id":$CUST,"disc_percent":"0+0","disc_amount":1000,"ordered_products":[
			{"product_id":$PROD,"qty":2,"unit":"DUS","price":130000,"item_disc_percent":"0","item_disc_amount":60000}]}`,
			orderMoney{"200000", "1000", "199000", [][3]string{{"260000", "60000", "200000"}}}},
	}
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				o, r := w.mustCreateOrder(t, w.ani, tt.body)
				if got := moneyOf(t, r.body); !sameMoney(got, tt.money) {
					t.Fatalf("money = %+v; want %+v", got, tt.money)
				}
				// Stored exactly: the GET answers the same numbers.
				g := w.ani.call("GET", w.ordersPath+"/"+itoa(o.ID), "")
				mustOK(t, g)
				if got := moneyOf(t, g.body); !sameMoney(got, tt.money) {
					t.Fatalf("money after GET = %+v; want %+v", got, tt.money)
				}
			})
		}
	})
}

// TestOrderCreateInvalid sends bad bodies and checks the status, the
// named fields, and that nothing was stored.
func TestOrderCreateInvalid(t *testing.T) {
	const line = `{"product_id":$PROD,"qty":2,"unit":"DUS","price":130000}`
	withLine := func(l string) string {
		return `{"date":"2024-01-01","customer_id":$CUST,"ordered_products":[` + l + `]}`
	}
	withField := func(kv string) string {
		return `{"date":"2024-01-01","customer_id":$CUST,"ordered_products":[` + line + `],` + kv + `}`
	}
	lines501 := strings.TrimSuffix(strings.Repeat(line+",", 501), ",")
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name   string
		body   string
		status int
		fields []string
	}{
		{"ErrDateMissing", `{"customer_id":$CUST,"ordered_products":[` + line + `]}`, 422, []string{"date"}},
		{"ErrDateNotADay", `{"date":"2024-02-30","customer_id":$CUST,"ordered_products":[` + line + `]}`, 422, []string{"date"}},
		{"ErrDateForm", `{"date":"01-01-2024","customer_id":$CUST,"ordered_products":[` + line + `]}`, 422, []string{"date"}},
		{"ErrDateNull", `{"date":null,"customer_id":$CUST,"ordered_products":[` + line + `]}`, 422, []string{"date"}},
		{"ErrDateNotString", `{"date":20240101,"customer_id":$CUST,"ordered_products":[` + line + `]}`, 400, []string{"date"}},
		{"ErrCustomerMissing", `{"date":"2024-01-01","ordered_products":[` + line + `]}`, 422, []string{"customer_id"}},
		{"ErrCustomerZero", `{"date":"2024-01-01","customer_id":0,"ordered_products":[` + line + `]}`, 422, []string{"customer_id"}},
		{"ErrCustomerString", `{"date":"2024-01-01","customer_id":"5","ordered_products":[` + line + `]}`, 400, []string{"customer_id"}},
		{"ErrCustomerFraction", `{"date":"2024-01-01","customer_id":1.5,"ordered_products":[` + line + `]}`, 400, []string{"customer_id"}},
		{"ErrTeamNegative", withField(`"team_id":-1`), 422, []string{"team_id"}},
		{"ErrLinesMissing", `{"date":"2024-01-01","customer_id":$CUST}`, 422, []string{"ordered_products"}},
		{"ErrLinesEmpty", withLine(``), 422, []string{"ordered_products"}},
		{"ErrLines501", withLine(lines501), 422, []string{"ordered_products"}},
		{"ErrLinesNotArray", `{"date":"2024-01-01","customer_id":$CUST,"ordered_products":` + line + `}`, 400, []string{"ordered_products"}},
		{"ErrLineEmpty", withLine(`{}`), 422, []string{"ordered_products[0].product_id", "ordered_products[0].qty",
			"ordered_products[0].unit", "ordered_products[0].price"}},
		{"ErrLineNulls", withLine(`{"product_id":null,"qty":null,"unit":null,"price":null}`), 422, []string{"ordered_products[0].product_id",
			"ordered_products[0].qty", "ordered_products[0].unit", "ordered_products[0].price"}},
		{"ErrSecondLine", withLine(line + `,{"product_id":0,"qty":0,"unit":" ","price":-1}`), 422, []string{"ordered_products[1].product_id",
			"ordered_products[1].qty", "ordered_products[1].unit", "ordered_products[1].price"}},
		{"ErrQtyNegative", withLine(`{"product_id":$PROD,"qty":-2,"unit":"DUS","price":1}`), 422, []string{"ordered_products[0].qty"}},
		{"ErrQtyFivePlaces", withLine(`{"product_id":$PROD,"qty":0.00001,"unit":"DUS","price":1}`), 422, []string{"ordered_products[0].qty"}},
		{"ErrPriceFivePlaces", withLine(`{"product_id":$PROD,"qty":1,"unit":"DUS","price":1.00001}`), 422, []string{"ordered_products[0].price"}},
		{"ErrPrice12Digits", withLine(`{"product_id":$PROD,"qty":1,"unit":"DUS","price":100000000000}`), 422, []string{"ordered_products[0].price"}},
		{"ErrGrossTenBillion", withLine(`{"product_id":$PROD,"qty":2,"unit":"DUS","price":5000000000}`), 422, []string{"ordered_products[0].qty"}},
		{"ErrGrossSixteenDigits", withLine(`{"product_id":$PROD,"qty":12345.6789,"unit":"DUS","price":1234.5678}`), 422, []string{"ordered_products[0].qty"}},
		{"ErrQtyString", withLine(`{"product_id":$PROD,"qty":"2","unit":"DUS","price":1}`), 400, []string{"ordered_products[0].qty"}},
		{"ErrUnitNotString", withLine(`{"product_id":$PROD,"qty":2,"unit":5,"price":1}`), 400, []string{"ordered_products[0].unit"}},
		{"ErrUnitLong", withLine(`{"product_id":$PROD,"qty":2,"unit":"` + long(51) + `","price":1}`), 422, []string{"ordered_products[0].unit"}},
		{"ErrUnitUnknown", withLine(`{"product_id":$PROD,"qty":2,"unit":"KRT","price":1}`), 422, []string{"ordered_products[0].unit"}},
		{"ErrItemDiscSyntax", withLine(`{"product_id":$PROD,"qty":2,"unit":"DUS","price":1,"item_disc_percent":"10%"}`), 422,
			[]string{"ordered_products[0].item_disc_percent"}},
		{"ErrItemDiscOver100", withLine(`{"product_id":$PROD,"qty":2,"unit":"DUS","price":1,"item_disc_percent":"10+100.0001"}`), 422,
			[]string{"ordered_products[0].item_disc_percent"}},
		{"ErrItemDiscSixParts", withLine(`{"product_id":$PROD,"qty":2,"unit":"DUS","price":1,"item_disc_percent":"1+1+1+1+1+1"}`), 422,
			[]string{"ordered_products[0].item_disc_percent"}},
		{"ErrItemDiscBoth", withLine(`{"product_id":$PROD,"qty":2,"unit":"DUS","price":100,"item_disc_percent":"10","item_disc_amount":5}`), 422,
			[]string{"ordered_products[0].item_disc_amount"}},
		{"ErrItemDiscAmountNegative", withLine(`{"product_id":$PROD,"qty":2,"unit":"DUS","price":100,"item_disc_amount":-5}`), 422,
			[]string{"ordered_products[0].item_disc_amount"}},
		{"ErrItemDiscAmountOverGross", withLine(`{"product_id":$PROD,"qty":2,"unit":"DUS","price":100,"item_disc_amount":200.01}`), 422,
			[]string{"ordered_products[0].item_disc_amount"}},
		{"ErrLineDescriptionLong", withLine(`{"product_id":$PROD,"qty":2,"unit":"DUS","price":1,"description":"` + long(501) + `"}`), 422,
			[]string{"ordered_products[0].description"}},
		{"ErrExtOrderLineIDNegative", withLine(`{"product_id":$PROD,"qty":2,"unit":"DUS","price":1,"ext_order_line_id":-1}`), 422,
			[]string{"ordered_products[0].ext_order_line_id"}},
		{"ErrExtOrderLineIDFraction", withLine(`{"product_id":$PROD,"qty":2,"unit":"DUS","price":1,"ext_order_line_id":1.5}`), 400,
			[]string{"ordered_products[0].ext_order_line_id"}},
		{"ErrLineUnknownField", withLine(`{"product_id":$PROD,"qty":2,"unit":"DUS","price":1,"sku":"IDM-G"}`), 422, []string{"ordered_products[0].sku"}},
		{"ErrDiscSyntax", withField(`"disc_percent":"-2"`), 422, []string{"disc_percent"}},
		{"ErrDiscFivePlaces", withField(`"disc_percent":"2.00001"`), 422, []string{"disc_percent"}},
		{"ErrDiscBoth", withField(`"disc_percent":"2","disc_amount":10`), 422, []string{"disc_amount"}},
		{"ErrDiscAmountOverSubtotal", withField(`"disc_amount":260000.01`), 422, []string{"disc_amount"}},
		{"ErrTotalPaidNegative", withField(`"total_paid":-1`), 422, []string{"total_paid"}},
		{"ErrStatusUnknown", withField(`"status":"Selesai"`), 422, []string{"status"}},
		{"ErrStatusLowerCase", withField(`"status":"baru"`), 422, []string{"status"}},
		{"ErrStatusNull", withField(`"status":null`), 422, []string{"status"}},
		{"ErrDescriptionNull", withField(`"description":null`), 422, []string{"description"}},
		{"ErrStringsLong", withField(`"description":"` + long(2001) + `","visit_status":"` + long(101) + `","ext_order_no":"` + long(101) +
			`","ext_order_status_name":"` + long(101) + `"`), 422, []string{"description", "visit_status", "ext_order_no", "ext_order_status_name"}},
		{"ErrUnknownField", withField(`"nmae":"b"`), 422, []string{"nmae"}},
		{"ErrEveryField", `{"date":"2024-13-01","customer_id":-1,"team_id":-1,"disc_percent":"x","disc_amount":-1,"total_paid":-1,"status":"?",
			"ordered_products":[{"qty":0,"unit":"","price":-1,"item_disc_percent":"x","ext_order_line_id":-1}]}`, 422,
			[]string{"date", "customer_id", "team_id", "disc_percent", "disc_amount", "total_paid", "status", "ordered_products[0].product_id",
				"ordered_products[0].qty", "ordered_products[0].unit", "ordered_products[0].price", "ordered_products[0].item_disc_percent",
				"ordered_products[0].ext_order_line_id"}},
		// Rows named by id that are not in this database: unknown ids and
		// CV Sinar Abadi's rows alike.
		{"ErrCustomerOtherDatabase", `{"date":"2024-01-01","customer_id":$XCUST,"ordered_products":[` + line + `]}`, 422, []string{"customer_id"}},
		{"ErrCustomerUnknown", `{"date":"2024-01-01","customer_id":999999999,"ordered_products":[` + line + `]}`, 422, []string{"customer_id"}},
		{"ErrTeamOtherDatabase", withField(`"team_id":$XTEAM`), 422, []string{"team_id"}},
		{"ErrCustomerAndTeamOtherDatabase", `{"date":"2024-01-01","customer_id":$XCUST,"team_id":$XTEAM,"ordered_products":[` + line + `]}`, 422,
			[]string{"customer_id", "team_id"}},
		{"ErrProductOtherDatabase", withLine(`{"product_id":$XPROD,"qty":2,"unit":"DUS","price":1}`), 422, []string{"ordered_products[0].product_id"}},
		{"ErrProductUnknown", withLine(line + `,{"product_id":999999999,"qty":2,"unit":"DUS","price":1}`), 422, []string{"ordered_products[1].product_id"}},
		{"ErrProductAndUnit", withLine(`{"product_id":$XPROD,"qty":2,"unit":"DUS","price":1},{"product_id":$PROD2,"qty":2,"unit":"DUS","price":1}`), 422,
			[]string{"ordered_products[0].product_id", "ordered_products[1].unit"}},
		{"ErrProductAndAmountOverGross", withLine(`{"product_id":$XPROD,"qty":2,"unit":"DUS","price":1},
			{"product_id":$PROD,"qty":1,"unit":"DUS","price":100,"item_disc_amount":100.5}`), 422,
			[]string{"ordered_products[0].product_id", "ordered_products[1].item_disc_amount"}},
		// disc_amount is judged against the subtotal only when every line is
		// right.
		{"ErrDiscAmountNotJudgedWithBadLine", `{"date":"2024-01-01","customer_id":$CUST,"disc_amount":1000000,
			"ordered_products":[{"product_id":$XPROD,"qty":2,"unit":"DUS","price":1}]}`, 422, []string{"ordered_products[0].product_id"}},
		// The store checks the customer and team before the products: a body
		// wrong in both names only customer_id.
		{"ErrCustomerBeforeProducts", `{"date":"2024-01-01","customer_id":$XCUST,"ordered_products":[{"product_id":$XPROD,"qty":2,"unit":"DUS","price":1}]}`,
			422, []string{"customer_id"}},
		{"ErrArrayBody", `[` + line + `]`, 400, nil},
		{"ErrMalformed", `{"date":"2024-01-01"`, 400, nil},
	}
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		w.mustCreateOrder(t, w.ani, seedOrderBody)
		w.mustCreateOrder(t, w.agus, `{"date":"2024-01-01","customer_id":$XCUST,"ordered_products":[{"product_id":$XPROD,"qty":1,"unit":"PCS","price":1}]}`)
		stored := w.storedOrders(t)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := w.ani.callBad("POST", w.ordersPath, w.body(tt.body), nil)
				wantProblem(t, r, tt.status, tt.fields...)
				w.wantStoredOrders(t, stored)
			})
		}
		t.Run("ErrContentType", func(t *testing.T) {
			r := w.ani.callBad("POST", w.ordersPath, w.body(seedOrderBody), map[string]string{"Content-Type": "text/plain"})
			wantProblem(t, r, 415)
			w.wantStoredOrders(t, stored)
		})
		t.Run("ErrQueryParameter", func(t *testing.T) {
			r := w.ani.callBad("POST", w.ordersPath+"?dry_run=true", w.body(seedOrderBody), nil)
			wantProblem(t, r, 400, "dry_run")
			w.wantStoredOrders(t, stored)
		})
		t.Run("ErrMemberForAnotherTeam", func(t *testing.T) {
			wantProblem(t, w.budi.call("POST", w.ordersPath, w.body(strings.Replace(seedOrderBody, `"team_id":$TEAM`, `"team_id":$TEAMSITI`, 1))), 403)
			// A team of another database is not its team either.
			wantProblem(t, w.budi.call("POST", w.ordersPath, w.body(strings.Replace(seedOrderBody, `"team_id":$TEAM`, `"team_id":$XTEAM`, 1))), 403)
			w.wantStoredOrders(t, stored)
		})
		t.Run("ErrMemberFieldsBeforeTeam", func(t *testing.T) {
			body := strings.Replace(strings.Replace(seedOrderBody, `"team_id":$TEAM`, `"team_id":$TEAMSITI`, 1), `"2024-01-01"`, `"2024-01-32"`, 1)
			wantProblem(t, w.budi.callBad("POST", w.ordersPath, w.body(body), nil), 422, "date")
			w.wantStoredOrders(t, stored)
		})
	})
}

// orderFixture is a set of orders of PT Maju Jaya for the list tests, and
// one of CV Sinar Abadi.
type orderFixture struct {
	jan1, jan15, feb1, feb29, siti salesmania.Order
	theirs                         salesmania.Order
}

func (w *orderWorld) mustOrderFixture(t *testing.T) orderFixture {
	t.Helper()
	var f orderFixture
	f.jan1, _ = w.mustCreateOrder(t, w.ani, seedOrderBody)
	f.jan15, _ = w.mustCreateOrder(t, w.ani, `{"date":"2024-01-15","customer_id":$CUST2,"status":"Diproses","ext_order_no":"SO-2024-0002",
		"ordered_products":[{"product_id":$PROD2,"qty":1,"unit":"KRT","price":68000}]}`)
	f.feb1, _ = w.mustCreateOrder(t, w.budi, `{"date":"2024-02-01","customer_id":$CUST,"status":"Lunas","ext_order_no":"SO-2024-0003",
		"ordered_products":[{"product_id":$PROD,"qty":1,"unit":"PCS","price":3500}]}`)
	f.feb29, _ = w.mustCreateOrder(t, w.ani, `{"date":"2024-02-29","customer_id":$CUST2,"ext_order_no":"SO-2024-0001",
		"ordered_products":[{"product_id":$PROD,"qty":1,"unit":"PCS","price":3500}]}`)
	f.siti, _ = w.mustCreateOrder(t, w.siti, `{"date":"2024-01-15","customer_id":$CUST,"ext_order_no":"SO-SITI-1",
		"ordered_products":[{"product_id":$PROD,"qty":1,"unit":"PCS","price":3500}]}`)
	f.theirs, _ = w.mustCreateOrder(t, w.agus, `{"date":"2024-01-15","customer_id":$XCUST,"ext_order_no":"SO-2024-0001",
		"ordered_products":[{"product_id":$XPROD,"qty":1,"unit":"PCS","price":4000}]}`)
	return f
}

func TestOrderGet(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		f := w.mustOrderFixture(t)
		t.Run("OK", func(t *testing.T) {
			sameOrder(t, w.mustGetOrder(t, w.ani, f.siti.ID), f.siti)
			sameOrder(t, w.mustGetOrder(t, w.budi, f.jan1.ID), f.jan1)
			sameOrder(t, w.mustGetOrder(t, w.siti, f.siti.ID), f.siti)
			sameOrder(t, w.mustGetOrder(t, w.agus, f.theirs.ID), f.theirs)
		})
		t.Run("OK/TeamTokenHeader", func(t *testing.T) {
			r := w.e.do(request{method: "GET", path: w.ordersPath + "/" + itoa(f.jan1.ID), bearer: w.ani.bearer,
				header: map[string]string{"X-Team-Token": w.ani.teamToken}})
			mustOK(t, r)
		})
		t.Run("ErrOtherDatabase", func(t *testing.T) {
			wantProblem(t, w.agus.call("GET", w.ordersPath+"/"+itoa(f.jan1.ID), ""), 404)
			wantProblem(t, w.ani.call("GET", w.ordersPath+"/"+itoa(f.theirs.ID), ""), 404)
		})
		t.Run("ErrMemberOtherTeam", func(t *testing.T) {
			wantProblem(t, w.budi.call("GET", w.ordersPath+"/"+itoa(f.siti.ID), ""), 404)
			wantProblem(t, w.siti.call("GET", w.ordersPath+"/"+itoa(f.jan1.ID), ""), 404)
		})
		t.Run("ErrJunkIDs", func(t *testing.T) {
			for _, id := range []string{"0", "-1", "abc", "1.5", "99999999999999999999", "999999999"} {
				wantProblem(t, w.ani.call("GET", w.ordersPath+"/"+id, ""), 404)
			}
		})
		t.Run("ErrQueryParameter", func(t *testing.T) {
			wantProblem(t, w.ani.callBad("GET", w.ordersPath+"/"+itoa(f.jan1.ID)+"?expand=lines", "", nil), 400, "expand")
		})
	})
}

func TestOrderList(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		f := w.mustOrderFixture(t)
		all := []salesmania.Order{f.jan1, f.jan15, f.feb1, f.feb29, f.siti}

		t.Run("OK/All", func(t *testing.T) {
			got := w.mustListOrders(t, w.ani, "")
			wantOrderIDs(t, got, all...)
			for i := range got {
				sameOrder(t, got[i], all[i])
			}
		})
		tests := []struct {
			name  string
			query string
			want  []salesmania.Order
		}{
			{"DateFrom", "date_from=2024-01-15", []salesmania.Order{f.jan15, f.feb1, f.feb29, f.siti}},
			{"DateTo", "date_to=2024-01-15", []salesmania.Order{f.jan1, f.jan15, f.siti}},
			{"DateRange", "date_from=2024-01-02&date_to=2024-02-01", []salesmania.Order{f.jan15, f.feb1, f.siti}},
			{"DateOneDay", "date_from=2024-02-29&date_to=2024-02-29", []salesmania.Order{f.feb29}},
			{"DateLongRange", "date_from=2000-01-01&date_to=2999-12-31", all},
			{"DateNothing", "date_from=2025-01-01", nil},
			{"StatusBaru", "status=Baru", []salesmania.Order{f.jan1, f.feb29, f.siti}},
			{"StatusDiproses", "status=Diproses", []salesmania.Order{f.jan15}},
			{"StatusLunas", "status=Lunas", []salesmania.Order{f.feb1}},
			{"StatusBatal", "status=Batal", nil},
			{"Customer", "customer_id=" + itoa(w.sri.ID), []salesmania.Order{f.jan15, f.feb29}},
			{"CustomerOtherDatabase", "customer_id=" + itoa(w.theirCust.ID), nil},
			{"Team", "team_id=" + itoa(w.teamSiti), []salesmania.Order{f.siti}},
			{"TeamBudi", "team_id=" + itoa(w.teamBudi), []salesmania.Order{f.jan1, f.jan15, f.feb1, f.feb29}},
			{"TeamOtherDatabase", "team_id=" + itoa(w.teamAgus), nil},
			{"ExtOrderNo", "ext_order_no=SO-2024-0001", []salesmania.Order{f.jan1, f.feb29}},
			{"ExtOrderNoExact", "ext_order_no=SO-2024", nil},
			{"ExtOrderNoTrimmed", "ext_order_no=" + url.QueryEscape(" SO-2024-0002 "), []salesmania.Order{f.jan15}},
			{"Combined", "customer_id=" + itoa(w.rejeki.ID) + "&status=Baru&date_to=2024-01-31", []salesmania.Order{f.jan1, f.siti}},
			{"Paged", "limit=2", all},
			{"PagedFiltered", "limit=1&team_id=" + itoa(w.teamBudi) + "&date_from=2024-01-02", []salesmania.Order{f.jan15, f.feb1, f.feb29}},
		}
		for _, tt := range tests {
			t.Run("OK/"+tt.name, func(t *testing.T) {
				wantOrderIDs(t, w.mustListOrders(t, w.ani, tt.query), tt.want...)
			})
		}
		t.Run("OK/Total", func(t *testing.T) {
			r := w.ani.call("GET", w.ordersPath+"?include_total=true&limit=1&status=Baru", "")
			mustOK(t, r)
			var p orderPage
			r.json(t, &p)
			if p.Total == nil || *p.Total != 3 || len(p.Data) != 1 || p.NextCursor == nil {
				t.Fatalf("page = %s; want 1 of 3 with a cursor", r.body)
			}
		})
		t.Run("OK/UpdatedSince", func(t *testing.T) {
			mark := w.mustGetOrder(t, w.ani, f.siti.ID).UpdatedAt
			time.Sleep(2 * time.Millisecond)
			changed := w.mustPatchOrder(t, w.ani, f.jan1.ID, `{"ext_order_status_name":"Diterima"}`)
			got := w.mustListOrders(t, w.ani, "updated_since="+stamp(mark))
			wantOrderIDs(t, got, changed)
			sameOrder(t, got[0], changed)
			wantOrderIDs(t, w.mustListOrders(t, w.ani, "updated_since="+stamp(changed.UpdatedAt)))
		})
		t.Run("OK/MemberSeesOwnTeam", func(t *testing.T) {
			budi := []salesmania.Order{w.mustGetOrder(t, w.ani, f.jan1.ID), f.jan15, f.feb1, f.feb29}
			wantOrderIDs(t, w.mustListOrders(t, w.budi, ""), budi...)
			wantOrderIDs(t, w.mustListOrders(t, w.budi, "team_id="+itoa(w.teamBudi)), budi...)
			wantOrderIDs(t, w.mustListOrders(t, w.budi, "status=Baru"), budi[0], f.feb29)
			wantOrderIDs(t, w.mustListOrders(t, w.siti, ""), f.siti)
		})
		t.Run("ErrMemberOtherTeam", func(t *testing.T) {
			wantProblem(t, w.budi.call("GET", w.ordersPath+"?team_id="+itoa(w.teamSiti), ""), 403)
			wantProblem(t, w.siti.call("GET", w.ordersPath+"?team_id="+itoa(w.teamBudi), ""), 403)
			wantProblem(t, w.siti.call("GET", w.ordersPath+"?team_id="+itoa(w.teamAgus), ""), 403)
		})
		t.Run("OK/OtherDatabase", func(t *testing.T) {
			wantOrderIDs(t, w.mustListOrders(t, w.agus, ""), f.theirs)
			wantOrderIDs(t, w.mustListOrders(t, w.agus, "team_id="+itoa(w.teamBudi)))
		})
		bad := []struct {
			name, query string
			fields      []string
		}{
			{"StatusUnknown", "status=Selesai", []string{"status"}},
			{"StatusLowerCase", "status=baru", []string{"status"}},
			{"DateFromBad", "date_from=2024-13-01", []string{"date_from"}},
			{"DateToBad", "date_to=20240101", []string{"date_to"}},
			{"DateToBeforeFrom", "date_from=2024-02-01&date_to=2024-01-31", []string{"date_to"}},
			{"CustomerNotID", "customer_id=abc", []string{"customer_id"}},
			{"TeamZero", "team_id=0", []string{"team_id"}},
			{"ExtOrderNoLong", "ext_order_no=" + strings.Repeat("x", 101), []string{"ext_order_no"}},
			{"LimitZero", "limit=0", []string{"limit"}},
			{"LimitOver", "limit=1001", []string{"limit"}},
			{"Cursor", "cursor=nonsense", []string{"cursor"}},
			{"UpdatedSince", "updated_since=yesterday", []string{"updated_since"}},
			{"Twice", "status=Baru&status=Lunas", []string{"status"}},
			{"Unknown", "date=2024-01-01", []string{"date"}},
		}
		for _, tt := range bad {
			t.Run("Err"+tt.name, func(t *testing.T) {
				wantProblem(t, w.ani.callBad("GET", w.ordersPath+"?"+tt.query, "", nil), 400, tt.fields...)
			})
		}
	})
}

// statusMoves lists every (from, to) pair of statuses and whether §6.2
// allows it.
func statusMoves() []struct {
	from, to string
	ok       bool
} {
	statuses := []string{"Baru", "Diproses", "Terkirim", "Lunas", "Batal"}
	legal := map[string]bool{
		"Baru>Diproses": true, "Baru>Terkirim": true, "Baru>Lunas": true, "Baru>Batal": true,
		"Diproses>Terkirim": true, "Diproses>Lunas": true, "Diproses>Batal": true,
		"Terkirim>Lunas": true, "Terkirim>Batal": true,
	}
	var out []struct {
		from, to string
		ok       bool
	}
	for _, from := range statuses {
		for _, to := range statuses {
			if from != to {
				out = append(out, struct {
					from, to string
					ok       bool
				}{from, to, legal[from+">"+to]})
			}
		}
	}
	return out
}

func TestOrderUpdate(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		create := func(t *testing.T, status string) salesmania.Order {
			t.Helper()
			o, _ := w.mustCreateOrder(t, w.ani, strings.Replace(seedOrderBody, `"status":"Baru"`, `"status":"`+status+`"`, 1))
			return o
		}

		for _, m := range statusMoves() {
			if m.ok {
				t.Run("OK/"+m.from+"To"+m.to, func(t *testing.T) {
					o := create(t, m.from)
					time.Sleep(time.Millisecond)
					got := w.mustPatchOrder(t, w.ani, o.ID, `{"status":"`+m.to+`"}`)
					if got.Status != m.to || !got.UpdatedAt.After(o.UpdatedAt) {
						t.Fatalf("after %s → %s: status %s, updated_at %v (was %v)", m.from, m.to, got.Status, got.UpdatedAt, o.UpdatedAt)
					}
					want := o
					want.Status, want.UpdatedAt = m.to, got.UpdatedAt
					sameOrder(t, got, want)
					sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), got)
				})
			} else {
				t.Run("Err"+m.from+"To"+m.to, func(t *testing.T) {
					o := create(t, m.from)
					wantProblem(t, w.ani.call("PATCH", w.ordersPath+"/"+itoa(o.ID), `{"status":"`+m.to+`"}`), 409, "status")
					sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
				})
			}
		}
		t.Run("OK/AlongThePath", func(t *testing.T) {
			o := create(t, "Baru")
			for _, s := range []string{"Diproses", "Terkirim", "Lunas"} {
				if got := w.mustPatchOrder(t, w.budi, o.ID, `{"status":"`+s+`"}`); got.Status != s {
					t.Fatalf("status = %s; want %s", got.Status, s)
				}
			}
		})
		t.Run("OK/SameStatusIsNoOp", func(t *testing.T) {
			for _, s := range []string{"Baru", "Diproses", "Terkirim", "Lunas", "Batal"} {
				o := create(t, s)
				time.Sleep(time.Millisecond)
				sameOrder(t, w.mustPatchOrder(t, w.ani, o.ID, `{"status":"`+s+`"}`), o)
				sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
			}
		})
		t.Run("OK/EmptyAndCurrentValuesAreNoOps", func(t *testing.T) {
			o := create(t, "Baru")
			time.Sleep(time.Millisecond)
			sameOrder(t, w.mustPatchOrder(t, w.ani, o.ID, `{}`), o)
			sameOrder(t, w.mustPatchOrder(t, w.ani, o.ID, `{"status":"Baru","visit_status":" Order ","ext_order_no":"SO-2024-0001",
				"description":"","total_paid":0.000,"ext_order_status_name":""}`), o)
			sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
		})
		t.Run("OK/Fields", func(t *testing.T) {
			o := create(t, "Terkirim")
			time.Sleep(time.Millisecond)
			got := w.mustPatchOrder(t, w.ani, o.ID, `{"ext_order_status_name":" Dikirim ke gudang ","ext_order_no":"SO-9",
				"description":" Kirim pagi ","total_paid":217854.5,"visit_status":"Tagih"}`)
			want := o
			want.ExtOrderStatusName, want.ExtOrderNo, want.Description, want.TotalPaid, want.VisitStatus, want.UpdatedAt =
				"Dikirim ke gudang", "SO-9", "Kirim pagi", dec("217854.5"), "Tagih", got.UpdatedAt
			sameOrder(t, got, want)
			if !got.UpdatedAt.After(o.UpdatedAt) {
				t.Fatalf("updated_at %v did not move from %v", got.UpdatedAt, o.UpdatedAt)
			}
			// Only what was sent changes.
			got2 := w.mustPatchOrder(t, w.ani, o.ID, `{"total_paid":0}`)
			want.TotalPaid, want.UpdatedAt = dec("0"), got2.UpdatedAt
			sameOrder(t, got2, want)
		})
		t.Run("OK/FinalOrdersTakeOtherFields", func(t *testing.T) {
			o := create(t, "Lunas")
			if got := w.mustPatchOrder(t, w.ani, o.ID, `{"ext_order_status_name":"Arsip","total_paid":217854}`); got.ExtOrderStatusName != "Arsip" {
				t.Fatalf("order = %s", js(got))
			}
		})
		t.Run("OK/ReplaceLinesWhileBaru", func(t *testing.T) {
			o := create(t, "Baru")
			r := w.ani.call("PATCH", w.ordersPath+"/"+itoa(o.ID), w.body(`{"ordered_products":[
				{"product_id":$PROD2,"qty":2,"unit":"krt","price":68000,"item_disc_amount":1000,"ext_order_line_id":7},
				{"product_id":$PROD,"qty":10,"unit":"PCS","price":3500,"item_disc_percent":"5"}]}`))
			mustOK(t, r)
			var got salesmania.Order
			r.json(t, &got)
			// 136000 − 1000 = 135000; 35000 × 0.95 = 33250; subtotal
			// 168250; the order's 2 % stays: 3365; total 164885.
			if m, wm := moneyOf(t, r.body), (orderMoney{"168250", "3365", "164885",
				[][3]string{{"136000", "1000", "135000"}, {"35000", "1750", "33250"}}}); !sameMoney(m, wm) {
				t.Fatalf("money = %+v; want %+v", m, wm)
			}
			if len(got.OrderedProducts) != 2 || got.OrderedProducts[0].Unit != "KRT" || got.OrderedProducts[0].ProductID != w.aqua.ID ||
				*got.OrderedProducts[0].ExtOrderLineID != 7 || got.OrderedProducts[1].ExtOrderLineID != nil || got.DiscPercent != "2" {
				t.Fatalf("order = %s", r.body)
			}
			for _, l := range got.OrderedProducts {
				if l.ID == o.OrderedProducts[0].ID {
					t.Fatalf("line id %d reused; want new ids", l.ID)
				}
			}
			if got.OrderedProducts[0].ID == got.OrderedProducts[1].ID || !got.UpdatedAt.After(o.UpdatedAt) {
				t.Fatalf("order = %s", r.body)
			}
			sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), got)

			// Once Diproses, the lines are fixed.
			moved := w.mustPatchOrder(t, w.ani, o.ID, `{"status":"Diproses"}`)
			wantProblem(t, w.ani.call("PATCH", w.ordersPath+"/"+itoa(o.ID), w.body(`{"ordered_products":[
				{"product_id":$PROD,"qty":1,"unit":"PCS","price":3500}]}`)), 409, "ordered_products")
			sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), moved)
		})
		t.Run("OK/ReplaceLinesAndMoveOn", func(t *testing.T) {
			// The lines rule is judged on the status before the PATCH.
			o := create(t, "Baru")
			got := w.mustPatchOrder(t, w.ani, o.ID, `{"status":"Diproses","ordered_products":[{"product_id":$PROD,"qty":1,"unit":"DUS","price":130000}]}`)
			if got.Status != "Diproses" || got.Subtotal.String() != "130000" || got.Total.String() != "127400" {
				t.Fatalf("order = %s", js(got))
			}
		})
		t.Run("ErrReplaceLinesAfterBaru", func(t *testing.T) {
			for _, s := range []string{"Diproses", "Terkirim", "Lunas", "Batal"} {
				o := create(t, s)
				wantProblem(t, w.ani.call("PATCH", w.ordersPath+"/"+itoa(o.ID), w.body(`{"ordered_products":[
					{"product_id":$PROD,"qty":1,"unit":"PCS","price":3500}]}`)), 409, "ordered_products")
				sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
			}
		})
		t.Run("ErrFixedFields", func(t *testing.T) {
			o := create(t, "Baru")
			for _, tt := range []struct{ body, field string }{
				{`{"date":"2024-01-02"}`, "date"},
				{`{"customer_id":$CUST2}`, "customer_id"},
				{`{"customer_id":$CUST}`, "customer_id"},
				{`{"team_id":$TEAMSITI}`, "team_id"},
				{`{"disc_percent":"3"}`, "disc_percent"},
				{`{"disc_amount":10}`, "disc_amount"},
			} {
				wantProblem(t, w.ani.callBad("PATCH", w.ordersPath+"/"+itoa(o.ID), w.body(tt.body), nil), 422, tt.field)
			}
			wantProblem(t, w.ani.callBad("PATCH", w.ordersPath+"/"+itoa(o.ID), w.body(`{"date":"2024-01-02","customer_id":$CUST2,"status":"Lunas"}`), nil),
				422, "customer_id", "date")
			sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
		})
		t.Run("ErrInvalid", func(t *testing.T) {
			o := create(t, "Baru")
			for _, tt := range []struct {
				name, body string
				status     int
				fields     []string
			}{
				{"StatusUnknown", `{"status":"Selesai"}`, 422, []string{"status"}},
				{"StatusNull", `{"status":null}`, 422, []string{"status"}},
				{"StatusNotString", `{"status":1}`, 400, []string{"status"}},
				{"TotalPaidNegative", `{"total_paid":-1}`, 422, []string{"total_paid"}},
				{"TotalPaidString", `{"total_paid":"1"}`, 400, []string{"total_paid"}},
				{"DescriptionLong", `{"description":"` + strings.Repeat("d", 2001) + `"}`, 422, []string{"description"}},
				{"UnknownField", `{"stauts":"Diproses"}`, 422, []string{"stauts"}},
				{"LinesEmpty", `{"ordered_products":[]}`, 422, []string{"ordered_products"}},
				{"LinesNull", `{"ordered_products":null}`, 422, []string{"ordered_products"}},
				{"LineBad", `{"ordered_products":[{"product_id":$PROD,"qty":0,"unit":"PCS","price":1}]}`, 422, []string{"ordered_products[0].qty"}},
				{"LineProductOtherDatabase", `{"ordered_products":[{"product_id":$XPROD,"qty":1,"unit":"PCS","price":1}]}`, 422,
					[]string{"ordered_products[0].product_id"}},
				{"LineUnitUnknown", `{"ordered_products":[{"product_id":$PROD,"qty":1,"unit":"BTL","price":1}]}`, 422,
					[]string{"ordered_products[0].unit"}},
				{"ArrayBody", `[]`, 400, nil},
			} {
				t.Run(tt.name, func(t *testing.T) {
					wantProblem(t, w.ani.callBad("PATCH", w.ordersPath+"/"+itoa(o.ID), w.body(tt.body), nil), tt.status, tt.fields...)
					sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
				})
			}
		})
		t.Run("ErrDiscAmountOverNewSubtotal", func(t *testing.T) {
			o, _ := w.mustCreateOrder(t, w.ani, `{"date":"2024-01-01","customer_id":$CUST,"disc_amount":5000,
				"ordered_products":[{"product_id":$PROD,"qty":2,"unit":"DUS","price":130000}]}`)
			wantProblem(t, w.ani.call("PATCH", w.ordersPath+"/"+itoa(o.ID), w.body(`{"ordered_products":[{"product_id":$PROD,"qty":1,"unit":"PCS","price":3500}]}`)),
				422, "disc_amount")
			sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
		})
		t.Run("ErrFieldsBeforeConflict", func(t *testing.T) {
			o := create(t, "Lunas")
			wantProblem(t, w.ani.callBad("PATCH", w.ordersPath+"/"+itoa(o.ID), `{"status":"Baru","total_paid":-1}`, nil), 422, "total_paid")
			sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
		})
		t.Run("ErrOtherDatabase", func(t *testing.T) {
			o := create(t, "Baru")
			wantProblem(t, w.agus.call("PATCH", w.ordersPath+"/"+itoa(o.ID), `{"status":"Batal"}`), 404)
			wantProblem(t, w.agus.call("PATCH", w.ordersPath+"/"+itoa(o.ID), `{}`), 404)
			sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
		})
		t.Run("ErrMemberOtherTeam", func(t *testing.T) {
			o := create(t, "Baru")
			wantProblem(t, w.siti.call("PATCH", w.ordersPath+"/"+itoa(o.ID), `{"status":"Batal"}`), 404)
			sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), o)
		})
		t.Run("ErrJunkIDs", func(t *testing.T) {
			for _, id := range []string{"0", "abc", "999999999"} {
				wantProblem(t, w.ani.call("PATCH", w.ordersPath+"/"+id, `{"status":"Batal"}`), 404)
			}
		})
	})
}

// TestOrderReferences checks that rows on orders cannot be deleted (§3, §4).
func TestOrderReferences(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		o, _ := w.mustCreateOrder(t, w.ani, seedOrderBody)
		t.Run("ErrDeleteProductOnLine", func(t *testing.T) {
			wantProblem(t, w.ani.call("DELETE", "/extapi/v1.0/products/"+itoa(w.indomie.ID), ""), 409)
			mustOK(t, w.ani.call("GET", "/extapi/v1.0/products/"+itoa(w.indomie.ID), ""))
		})
		t.Run("ErrDeleteCustomerWithOrders", func(t *testing.T) {
			wantProblem(t, w.ani.call("DELETE", "/extapi/v1.0/customers/"+itoa(w.rejeki.ID), ""), 409)
			mustOK(t, w.ani.call("GET", "/extapi/v1.0/customers/"+itoa(w.rejeki.ID), ""))
		})
		t.Run("OK/ProductOffTheLines", func(t *testing.T) {
			// Replacing the lines frees the product they named.
			w.mustPatchOrder(t, w.ani, o.ID, `{"ordered_products":[{"product_id":$PROD2,"qty":1,"unit":"BTL","price":3000}]}`)
			mustOK(t, w.ani.call("DELETE", "/extapi/v1.0/products/"+itoa(w.indomie.ID), ""))
			wantProblem(t, w.ani.call("DELETE", "/extapi/v1.0/products/"+itoa(w.aqua.ID), ""), 409)
			sameOrder(t, w.mustGetOrder(t, w.ani, o.ID), w.mustGetOrder(t, w.budi, o.ID))
		})
		t.Run("ErrDeletedProductIsNotInTheDatabase", func(t *testing.T) {
			wantProblem(t, w.ani.call("POST", w.ordersPath, w.body(seedOrderBody)), 422, "ordered_products[0].product_id")
		})
		t.Run("OK/UnusedCustomer", func(t *testing.T) {
			mustOK(t, w.ani.call("DELETE", "/extapi/v1.0/customers/"+itoa(w.sri.ID), ""))
		})
	})
}
