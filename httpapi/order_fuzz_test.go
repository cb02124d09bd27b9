package httpapi

import (
	"encoding/json"
	"math/big"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/salesmania/salesmania"
)

// The principals of the order fuzz targets, both of team 24728.
var (
	fuzzOrderAdmin  = salesmania.Principal{UserID: 1, DBID: 2981, TeamID: 24728, Role: salesmania.RoleAdmin}
	fuzzOrderMember = salesmania.Principal{UserID: 2, DBID: 2981, TeamID: 24728, Role: salesmania.RoleMember}
)

// fuzzOrderProducts is the catalogue the fuzzed orders are finished
// against: product 7 by the piece or the box of 40, product 8 by the kilo.
func fuzzOrderProducts() map[int64]*salesmania.Product {
	d := salesmania.MustDecimal
	return map[int64]*salesmania.Product{
		7: {ID: 7, ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Price: d("3500"), Ratio: 1}, {Name: "DUS", Price: d("130000"), Ratio: 40}}},
		8: {ID: 8, ProductUnits: []salesmania.ProductUnit{{Name: "KG", Price: d("17500"), Ratio: 1}}},
	}
}

// fuzzOrderSeeds are order bodies to start from: the example of §6 and
// variations near every rule.
var fuzzOrderSeeds = []string{
	`{"date":"2024-01-01","customer_id":101,"team_id":24728,"description":"",
 "ordered_products":[{"product_id":7,"qty":2,"unit":"DUS","price":130000,
    "item_disc_percent":"10+5","item_disc_amount":0,"description":"","ext_order_line_id":9001}],
 "disc_percent":"2","disc_amount":0,"total_paid":0,"status":"Baru","visit_status":"Order",
 "ext_order_no":"SO-2024-0001","ext_order_status_name":""}`,
	`{"date":"2024-01-01","customer_id":1,"ordered_products":[{"product_id":7,"qty":1,"unit":"pcs","price":0.125},` +
		`{"product_id":8,"qty":3,"unit":"KG","price":333.3333,"item_disc_percent":"55.05+3"},` +
		`{"product_id":7,"qty":0.0001,"unit":"dus","price":10.005,"item_disc_amount":0.0005}],"disc_amount":0.005}`,
	`{"date":"2024-01-01","customer_id":1,"ordered_products":[{"product_id":7,"qty":999999999999999.9999,"unit":"PCS",` +
		`"price":999999999999999.9999,"item_disc_percent":"1+2+3+4+5"}],"disc_percent":"99.9999"}`,
	`{"date":"2024-01-01","customer_id":1,"ordered_products":[{"product_id":7,"qty":1,"unit":"PCS","price":10.5,"item_disc_percent":"5"}],"disc_percent":"5","status":"Lunas"}`,
	`{"date":"2024-01-01","customer_id":1,"team_id":555,"ordered_products":[{"product_id":7,"qty":1,"unit":"PCS","price":1}]}`,
	`{"date":"2024-01-01","customer_id":1,"ordered_products":[{"product_id":9,"qty":1,"unit":"PCS","price":1},{"product_id":8,"qty":1,"unit":"PCS","price":1}]}`,
	`{"date":"2024-01-01","customer_id":1,"ordered_products":[{"product_id":7,"qty":1,"unit":"PCS","price":10,"item_disc_amount":11}],"disc_amount":100}`,
	`{"date":"2024-01-01","customer_id":1,"ordered_products":[{"product_id":7,"qty":1,"unit":"PCS","price":100}],"disc_amount":100,"disc_percent":"0+0"}`,
	`{"date":" 2024-01-01","customer_id":0,"team_id":-1,"ordered_products":[{"qty":0.00001,"unit":"","price":-1,"item_disc_percent":"10++5","ext_order_line_id":-1}],"status":"baru"}`,
	`{"date":null,"customer_id":null,"ordered_products":null,"team_id":null}`,
	`{"ordered_products":[]}`, `{"ordered_products":[null]}`, `{"qty":1}`, `{}`, `[]`, `null`, `{"total_paid":"5"}`, `{"disc_amount":1e400}`,
}

// FuzzOrderBody decodes arbitrary POST bodies as the server does, builds the
// order for an admin and a member, finishes it against a fixed catalogue,
// and checks that every accepted order keeps the rules and the money of
// §6.1 and §9, against an independent computation in big.Rat.
func FuzzOrderBody(f *testing.F) {
	for _, s := range fuzzOrderSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fields salesmania.OrderFields
		err := decodeJSON(body, &fields)
		if !badInput(err) {
			t.Fatalf("decode: %v", err)
		}
		if err != nil {
			return
		}
		fields.SetNulls(jsonNulls(body))
		for _, p := range []salesmania.Principal{fuzzOrderAdmin, fuzzOrderMember} {
			o, err := fields.NewOrder(p)
			if code := salesmania.ErrorCode(err); !badInput(err) && !(code == salesmania.EFORBIDDEN && p.Role == salesmania.RoleMember) {
				t.Fatalf("NewOrder as %s: %v", p.Role, err)
			}
			if err != nil {
				if o != nil {
					t.Fatalf("NewOrder as %s: an order with error %v", p.Role, err)
				}
				continue
			}
			checkOrderInput(t, o)
			if p.Role == salesmania.RoleMember && o.TeamID != p.TeamID {
				t.Fatalf("member's order for team %d", o.TeamID)
			}
			if o.Status != salesmania.OrderBaru && fields.Status == nil {
				t.Fatalf("default status %q", o.Status)
			}
			err = o.Finish(fuzzOrderProducts())
			if code := salesmania.ErrorCode(err); code != "" && code != salesmania.EINVALID {
				t.Fatalf("Finish: %v", err)
			}
			if err == nil {
				checkOrderMoney(t, o)
			}
		}
	})
}

// fuzzPatchOrder returns the stored order FuzzOrderPatch changes: the
// worked example of §6.1 in one of the five statuses.
func fuzzPatchOrder(status string) *salesmania.Order {
	d := salesmania.MustDecimal
	id := int64(9001)
	o := &salesmania.Order{
		ID: 900, DBID: 2981, Date: "2024-01-01", CustomerID: 101, TeamID: 24728, Description: "first",
		OrderedProducts: []salesmania.OrderLine{{ID: 1, ProductID: 7, Qty: d("2"), Unit: "DUS", Price: d("130000"),
			ItemDiscPercent: "10+5", ExtOrderLineID: &id}},
		DiscPercent: "2", TotalPaid: d("1000"), Status: status, VisitStatus: "Order", ExtOrderNo: "SO-1", ExtOrderStatusName: "Open",
	}
	if err := o.Finish(fuzzOrderProducts()); err != nil {
		panic(err)
	}
	return o
}

// FuzzOrderPatch applies arbitrary PATCH bodies to a stored order in each
// status: only the fields of §6.2 change, status only along the allowed
// moves, lines only while Baru, and a refused PATCH changes nothing.
func FuzzOrderPatch(f *testing.F) {
	statuses := []string{salesmania.OrderBaru, salesmania.OrderDiproses, salesmania.OrderTerkirim, salesmania.OrderLunas, salesmania.OrderBatal}
	for _, s := range []string{
		`{"ext_order_status_name":"Dikirim"}`, `{"status":"Diproses"}`, `{"status":" Lunas "}`, `{"status":"Batal"}`, `{"status":"Baru"}`,
		`{"status":"baru"}`, `{"ext_order_no":"SO-2","description":" x ","total_paid":217854,"visit_status":"Order"}`,
		`{"ordered_products":[{"product_id":8,"qty":1.5,"unit":"kg","price":17500,"item_disc_amount":250}],"status":"Diproses"}`,
		`{"ordered_products":[{"product_id":7,"qty":1,"unit":"PCS","price":10,"item_disc_amount":11}]}`,
		`{"ordered_products":[]}`, `{"date":"2024-01-02","customer_id":1,"team_id":1,"disc_percent":"5","disc_amount":1}`,
		`{"status":null}`, `{"total_paid":-1}`, `{}`, `[]`,
	} {
		for i := range statuses {
			f.Add([]byte(s), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		from := statuses[int(which)%len(statuses)]
		var fields salesmania.OrderFields
		err := decodeJSON(body, &fields)
		if !badInput(err) {
			t.Fatalf("decode: %v", err)
		}
		if err != nil {
			return
		}
		fields.SetNulls(jsonNulls(body))
		o, before := fuzzPatchOrder(from), fuzzPatchOrder(from)
		_, err = fields.ApplyTo(o)
		if code := salesmania.ErrorCode(err); !badInput(err) && code != salesmania.ECONFLICT {
			t.Fatalf("ApplyTo: %v", err)
		}
		if err != nil {
			if !reflect.DeepEqual(o, before) {
				t.Fatalf("order changed by a refused PATCH (%v)", err)
			}
			return
		}
		if o.ID != before.ID || o.DBID != before.DBID || o.Date != before.Date || o.CustomerID != before.CustomerID ||
			o.TeamID != before.TeamID || o.DiscPercent != before.DiscPercent || o.DiscAmount.Cmp(before.DiscAmount) != 0 ||
			!o.CreatedAt.Equal(before.CreatedAt) {
			t.Fatalf("PATCH changed a fixed field: %+v", o)
		}
		if !salesmania.CanMoveOrder(from, o.Status) {
			t.Fatalf("PATCH moved the order from %s to %s", from, o.Status)
		}
		checkOrderInput(t, o)
		if fields.OrderedProducts == nil {
			if !reflect.DeepEqual(o.OrderedProducts, before.OrderedProducts) {
				t.Fatalf("lines changed without ordered_products")
			}
			return
		}
		if from != salesmania.OrderBaru {
			t.Fatalf("lines replaced on a %s order", from)
		}
		err = o.Finish(fuzzOrderProducts())
		if code := salesmania.ErrorCode(err); code != "" && code != salesmania.EINVALID {
			t.Fatalf("Finish: %v", err)
		}
		if err == nil {
			checkOrderMoney(t, o)
		}
	})
}

// checkOrderInput checks the rules of §6 and §9 on an order as NewOrder or
// ApplyTo leaves it, before Finish.
func checkOrderInput(t *testing.T, o *salesmania.Order) {
	t.Helper()
	if n := len(o.OrderedProducts); n < 1 || n > salesmania.MaxOrderLines {
		t.Fatalf("accepted %d lines", n)
	}
	if _, ok := salesmania.ParseDate(o.Date); !ok {
		t.Fatalf("accepted date %q", o.Date)
	}
	if o.CustomerID <= 0 || o.TeamID <= 0 || !salesmania.ValidOrderStatus(o.Status) {
		t.Fatalf("accepted customer %d team %d status %q", o.CustomerID, o.TeamID, o.Status)
	}
	checkAmountRule(t, "total_paid", o.TotalPaid)
	checkAmountRule(t, "disc_amount", o.DiscAmount)
	checkDiscountRule(t, "disc_percent", o.DiscPercent, o.DiscAmount)
	for _, s := range []struct {
		name, v string
		max     int
	}{{"description", o.Description, 2000}, {"visit_status", o.VisitStatus, 100}, {"ext_order_no", o.ExtOrderNo, 100},
		{"ext_order_status_name", o.ExtOrderStatusName, 100}} {
		if utf8.RuneCountInString(s.v) > s.max || s.v != salesmania.CleanString(s.v) {
			t.Fatalf("accepted %s %q", s.name, s.v)
		}
	}
	for i, l := range o.OrderedProducts {
		if l.ProductID <= 0 || l.Qty.Sign() <= 0 || l.Price.IsNegative() || (l.ExtOrderLineID != nil && *l.ExtOrderLineID < 0) {
			t.Fatalf("accepted line %d: %+v", i, l)
		}
		checkAmountRule(t, "qty", l.Qty)
		checkAmountRule(t, "price", l.Price)
		checkAmountRule(t, "item_disc_amount", l.ItemDiscAmount)
		checkDiscountRule(t, "item_disc_percent", l.ItemDiscPercent, l.ItemDiscAmount)
		if n := utf8.RuneCountInString(l.Unit); n < 1 || n > 50 || l.Unit != salesmania.CleanString(l.Unit) {
			t.Fatalf("accepted unit %q", l.Unit)
		}
		if utf8.RuneCountInString(l.Description) > 500 || l.Description != salesmania.CleanString(l.Description) {
			t.Fatalf("accepted line description %q", l.Description)
		}
	}
}

// checkAmountRule fails t unless d is a price or quantity of §9: not
// negative, at most 4 decimal places and 11 digits before the point.
func checkAmountRule(t *testing.T, name string, d salesmania.Decimal) {
	t.Helper()
	limit := salesmania.MustDecimal("100000000000")
	if d.IsNegative() || d.Places() > salesmania.MaxAmountPlaces || d.Cmp(limit) >= 0 {
		t.Fatalf("accepted %s %s", name, d)
	}
}

// checkDiscountRule fails t unless expr is a canonical discount expression
// and is not given together with a non-zero amount.
func checkDiscountRule(t *testing.T, name, expr string, amount salesmania.Decimal) {
	t.Helper()
	disc, err := salesmania.ParseDiscount(expr)
	if err != nil || disc.String() != expr {
		t.Fatalf("accepted %s %q (%v)", name, expr, err)
	}
	if !disc.IsZero() && !amount.IsZero() {
		t.Fatalf("accepted %s %q with amount %s", name, expr, amount)
	}
}

// checkOrderMoney checks the money of a finished order against §6.1 and §9,
// recomputed in big.Rat, and that the order encodes.
func checkOrderMoney(t *testing.T, o *salesmania.Order) {
	t.Helper()
	products := fuzzOrderProducts()
	subtotal := new(big.Rat)
	for i, l := range o.OrderedProducts {
		u, ok := products[l.ProductID].Unit(l.Unit)
		if !ok || u.Name != l.Unit || u.Ratio != l.UnitRatio {
			t.Fatalf("line %d: unit %q ratio %d is not the product's", i, l.Unit, l.UnitRatio)
		}
		gross := new(big.Rat).Mul(ratOf(l.Qty), ratOf(l.Price))
		off := ratOf(l.ItemDiscAmount)
		if off.Sign() == 0 {
			off = cascadeOff(t, l.ItemDiscPercent, gross)
		}
		if off.Cmp(gross) > 0 {
			t.Fatalf("line %d: accepted discount %s over gross %s", i, off.RatString(), gross.RatString())
		}
		net := ratRound2(new(big.Rat).Sub(gross, off))
		if ratOf(l.Gross).Cmp(gross) != 0 || ratOf(l.Net).Cmp(net) != 0 {
			t.Fatalf("line %d: gross %s net %s, want %s %s", i, l.Gross, l.Net, gross.RatString(), net.RatString())
		}
		if l.Net.Places() > 2 || l.Gross.Sub(l.Net).Cmp(l.Discount) != 0 {
			t.Fatalf("line %d: net %s discount %s gross %s", i, l.Net, l.Discount, l.Gross)
		}
		// The net is round2(gross − discount): never below 0, and above
		// the gross only by the half cent rounding may add (0.125 → 0.13).
		if l.Net.IsNegative() || ratOf(l.Net).Cmp(ratRound2(gross)) > 0 {
			t.Fatalf("line %d: net %s outside 0..round2(gross %s)", i, l.Net, l.Gross)
		}
		subtotal.Add(subtotal, net)
	}
	if ratOf(o.Subtotal).Cmp(subtotal) != 0 {
		t.Fatalf("subtotal %s, want %s", o.Subtotal, subtotal.RatString())
	}
	off := ratOf(o.DiscAmount)
	if off.Sign() == 0 {
		off = cascadeOff(t, o.DiscPercent, subtotal)
	}
	discount := ratRound2(off)
	if ratOf(o.Discount).Cmp(discount) != 0 || o.Discount.IsNegative() || o.Discount.Cmp(o.Subtotal) > 0 {
		t.Fatalf("discount %s of subtotal %s, want %s", o.Discount, o.Subtotal, discount.RatString())
	}
	if o.Total.Cmp(o.Subtotal.Sub(o.Discount)) != 0 || o.Total.IsNegative() || o.Total.Places() > 2 {
		t.Fatalf("total %s of subtotal %s − discount %s", o.Total, o.Subtotal, o.Discount)
	}
	if _, err := json.Marshal(o); err != nil {
		t.Fatalf("encode: %v", err)
	}
}

// ratOf returns d as a big.Rat, through its plain decimal text.
func ratOf(d salesmania.Decimal) *big.Rat {
	r, ok := new(big.Rat).SetString(d.String())
	if !ok {
		panic("not a decimal: " + d.String())
	}
	return r
}

// cascadeOff returns what the discount expression takes off base:
// base − base × (1 − p1/100) × (1 − p2/100) ….
func cascadeOff(t *testing.T, expr string, base *big.Rat) *big.Rat {
	t.Helper()
	disc, err := salesmania.ParseDiscount(expr)
	if err != nil {
		t.Fatalf("stored discount %q: %v", expr, err)
	}
	left := new(big.Rat).Set(base)
	for _, p := range disc.Parts() {
		keep := new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).Quo(ratOf(p), big.NewRat(100, 1)))
		left.Mul(left, keep)
	}
	return new(big.Rat).Sub(base, left)
}

// ratRound2 rounds x to 2 decimal places, half away from zero (§9).
func ratRound2(x *big.Rat) *big.Rat {
	cents := new(big.Rat).Mul(x, big.NewRat(100, 1))
	q, r := new(big.Int).QuoRem(new(big.Int).Abs(cents.Num()), cents.Denom(), new(big.Int))
	if r.Lsh(r, 1).Cmp(cents.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if cents.Sign() < 0 {
		q.Neg(q)
	}
	return new(big.Rat).SetFrac(q, big.NewInt(100))
}
