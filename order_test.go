package salesmania_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
)

// The principals of the order tests: both in team 24728 of database 2981,
// the team of the example body of API §6.
var (
	orderAdmin  = salesmania.Principal{UserID: 1, DBID: 2981, TeamID: 24728, Role: salesmania.RoleAdmin}
	orderMember = salesmania.Principal{UserID: 2, DBID: 2981, TeamID: 24728, Role: salesmania.RoleMember}
)

// seedOrderBody is the create body of API §6, as published.
const seedOrderBody = `{"date":"2024-01-01","customer_id":101,"team_id":24728,"description":"",
 "ordered_products":[{"product_id":7,"qty":2,"unit":"DUS","price":130000,
    "item_disc_percent":"10+5","item_disc_amount":0,"description":"","ext_order_line_id":9001}],
 "disc_percent":"2","disc_amount":0,"total_paid":0,"status":"Baru","visit_status":"Order",
 "ext_order_no":"SO-2024-0001","ext_order_status_name":""}`

// orderProducts is the catalogue the Finish tests match lines against:
// product 7 is sold by the piece and by the box of 40, product 8 by the kilo.
func orderProducts() map[int64]*salesmania.Product {
	d := salesmania.MustDecimal
	return map[int64]*salesmania.Product{
		7: {ID: 7, Name: "Indomie Goreng", ProductUnits: []salesmania.ProductUnit{
			{Name: "PCS", Price: d("3500"), Ratio: 1}, {Name: "DUS", Price: d("130000"), Ratio: 40}}},
		8: {ID: 8, Name: "Gula Pasir", ProductUnits: []salesmania.ProductUnit{{Name: "KG", Price: d("17500"), Ratio: 1}}},
	}
}

// orderBody returns the example body of §6 changed by edit, so a case can
// break one rule at a time. Numbers stay json.Number on the way, so they
// reach Decimal exactly as written.
func orderBody(edit func(b map[string]any)) string {
	var b map[string]any
	dec := json.NewDecoder(strings.NewReader(seedOrderBody))
	dec.UseNumber()
	if err := dec.Decode(&b); err != nil {
		panic(err)
	}
	if edit != nil {
		edit(b)
	}
	out, err := json.Marshal(b)
	if err != nil {
		panic(err)
	}
	return string(out)
}

// orderLine returns the first line of an orderBody map, to edit.
func orderLine(b map[string]any) map[string]any {
	return b["ordered_products"].([]any)[0].(map[string]any)
}

// orderLines returns n copies of the example line with product ids 1..n.
func orderLines(n int) []any {
	lines := make([]any, n)
	for i := range lines {
		lines[i] = map[string]any{"product_id": i + 1, "qty": 1, "unit": "PCS", "price": json.Number("0.01")}
	}
	return lines
}

// decodeOrderFields reads body as the HTTP layer does: unknown fields are
// refused, and the top-level fields sent as null are recorded.
func decodeOrderFields(tb testing.TB, body string) *salesmania.OrderFields {
	tb.Helper()
	var f salesmania.OrderFields
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		tb.Fatalf("decode %s: %v", body, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		tb.Fatal(err)
	}
	nulls := map[string]bool{}
	for k, v := range raw {
		if string(bytes.TrimSpace(v)) == "null" {
			nulls[k] = true
		}
	}
	f.SetNulls(nulls)
	return &f
}

// orderErrFields returns the field errors of err as "field: message", in
// the order they were produced.
func orderErrFields(err error) []string {
	var e *salesmania.Error
	if !errors.As(err, &e) {
		return nil
	}
	out := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f.Field + ": " + f.Message
	}
	return out
}

// checkOrderErr fails t unless err has the code and exactly the fields.
func checkOrderErr(t *testing.T, err error, code string, fields []string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s %q", code, fields)
	}
	if got := salesmania.ErrorCode(err); got != code {
		t.Fatalf("code %q (%v), want %q", got, err, code)
	}
	if got := orderErrFields(err); !slices.Equal(got, fields) {
		t.Fatalf("fields\n got %q\nwant %q", got, fields)
	}
}

// orderJSON is o in its API form, to compare whole orders exactly.
func orderJSON(tb testing.TB, o *salesmania.Order) string {
	tb.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// TestOrderWorkedExample is the worked example of API §6.1: 2 DUS at 130000
// with 10% then 5% off the line and 2% off the order.
func TestOrderWorkedExample(t *testing.T) {
	check := func(t *testing.T, o *salesmania.Order) {
		t.Helper()
		l := o.OrderedProducts[0]
		for _, tt := range []struct {
			name string
			got  salesmania.Decimal
			want string
		}{
			{"line gross", l.Gross, "260000"},
			{"line discount", l.Discount, "37700"},
			{"line net", l.Net, "222300"},
			{"subtotal", o.Subtotal, "222300"},
			{"discount", o.Discount, "4446"},
			{"total", o.Total, "217854"},
		} {
			if got := tt.got.String(); got != tt.want {
				t.Errorf("%s = %s, want %s", tt.name, got, tt.want)
			}
		}
	}
	t.Run("Compute", func(t *testing.T) {
		d := salesmania.MustDecimal
		o := &salesmania.Order{DiscPercent: "2", OrderedProducts: []salesmania.OrderLine{
			{ProductID: 7, Qty: d("2"), Unit: "DUS", Price: d("130000"), ItemDiscPercent: "10+5"}}}
		o.Compute()
		check(t, o)
	})
	t.Run("Finish", func(t *testing.T) {
		body := orderBody(func(b map[string]any) { orderLine(b)["unit"] = "dus" })
		o, err := decodeOrderFields(t, body).NewOrder(orderMember)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.Finish(orderProducts()); err != nil {
			t.Fatal(err)
		}
		check(t, o)
		if l := o.OrderedProducts[0]; l.Unit != "DUS" || l.UnitRatio != 40 {
			t.Errorf("unit %q ratio %d, want DUS 40 (the product's spelling)", l.Unit, l.UnitRatio)
		}
		want := `{"id":0,"date":"2024-01-01","customer_id":101,"team_id":24728,"description":"",` +
			`"ordered_products":[{"id":0,"product_id":7,"qty":2,"unit":"DUS","price":130000,"item_disc_percent":"10+5",` +
			`"item_disc_amount":0,"description":"","ext_order_line_id":9001,"gross":260000,"discount":37700,"net":222300}],` +
			`"disc_percent":"2","disc_amount":0,"total_paid":0,"status":"Baru","visit_status":"Order",` +
			`"ext_order_no":"SO-2024-0001","ext_order_status_name":"","subtotal":222300,"discount":4446,"total":217854,` +
			`"created_at":"0001-01-01T00:00:00Z","updated_at":"0001-01-01T00:00:00Z"}`
		if got := orderJSON(t, o); got != want {
			t.Errorf("order\n got %s\nwant %s", got, want)
		}
	})
}

// orderLineCase is one line of a Compute case: the inputs (an empty amount
// is none) and the money Compute must give it.
type orderLineCase struct {
	qty, price, pct, amount string
	gross, discount, net    string
}

func TestOrderCompute(t *testing.T) {
	for _, tt := range []struct {
		name                      string
		lines                     []orderLineCase
		discPercent, discAmount   string
		subtotal, discount, total string
	}{
		// Cascades of one to five parts.
		{"OnePart", []orderLineCase{{"1", "1000", "10", "", "1000", "100", "900"}}, "", "", "900", "0", "900"},
		// The seed example: 1000 × 0.4495 × 0.97 = 436.015 exactly, which
		// rounds half away from zero to 436.02.
		{"TwoPartsSeed", []orderLineCase{{"1", "1000", "55.05+3", "", "1000", "563.98", "436.02"}}, "", "", "436.02", "0", "436.02"},
		{"ThreeParts", []orderLineCase{{"4", "250", "10+10+10", "", "1000", "271", "729"}}, "", "", "729", "0", "729"},
		{"FourParts", []orderLineCase{{"1", "10000", "1+2+3+4", "", "10000", "965.5", "9034.5"}}, "", "", "9034.5", "0", "9034.5"},
		{"FiveParts", []orderLineCase{{"1", "1000000", "1+2+3+4+5", "", "1000000", "141722.27", "858277.73"}}, "", "", "858277.73", "0", "858277.73"},
		{"DecimalParts", []orderLineCase{{"1", "1000", "12.3456+7.8901", "", "1000", "192.62", "807.38"}}, "", "", "807.38", "0", "807.38"},
		{"Hundred", []orderLineCase{{"3", "123.45", "100", "", "370.35", "370.35", "0"}}, "", "", "0", "0", "0"},
		{"HundredAfterOthers", []orderLineCase{{"1", "80", "50+100", "", "80", "80", "0"}}, "", "", "0", "0", "0"},

		// Amounts instead of percentages.
		{"ItemDiscAmount", []orderLineCase{{"3", "1500", "", "500", "4500", "500", "4000"}}, "", "", "4000", "0", "4000"},
		{"ItemDiscAmountIsGross", []orderLineCase{{"2", "50", "", "100", "100", "100", "0"}}, "", "", "0", "0", "0"},
		// 10 − 0.0051 = 9.9949 → 9.99; 10 − 0.005 = 9.995 → 10 (half away
		// from zero), so a half-cent amount takes nothing off.
		{"ItemDiscAmountFourPlaces", []orderLineCase{{"1", "10", "", "0.0051", "10", "0.01", "9.99"}}, "", "", "9.99", "0", "9.99"},
		{"ItemDiscAmountHalfCent", []orderLineCase{{"1", "10", "", "0.005", "10", "0", "10"}}, "", "", "10", "0", "10"},
		{"DiscAmount", []orderLineCase{{"1", "1000", "", "", "1000", "0", "1000"}}, "", "250.5", "1000", "250.5", "749.5"},
		{"DiscAmountRounded", []orderLineCase{{"1", "1000", "", "", "1000", "0", "1000"}}, "", "0.125", "1000", "0.13", "999.87"},
		{"DiscAmountIsSubtotal", []orderLineCase{{"1", "1000", "", "", "1000", "0", "1000"}}, "", "1000", "1000", "1000", "0"},
		{"DiscPercentHundred", []orderLineCase{{"1", "99.99", "", "", "99.99", "0", "99.99"}}, "100", "", "99.99", "99.99", "0"},

		// Zero prices and zero discounts.
		{"ZeroPrice", []orderLineCase{{"5", "0", "10+5", "", "0", "0", "0"}}, "2", "", "0", "0", "0"},
		{"ZeroPriceZeroAmount", []orderLineCase{{"5", "0", "", "0", "0", "0", "0"}}, "", "0", "0", "0", "0"},
		{"ZeroPercent", []orderLineCase{{"2", "1500", "0", "", "3000", "0", "3000"}}, "0", "", "3000", "0", "3000"},
		{"ZeroPlusZero", []orderLineCase{{"2", "1500", "0+0", "", "3000", "0", "3000"}}, "0+0", "", "3000", "0", "3000"},
		{"ZeroAmounts", []orderLineCase{{"2", "1500", "", "0", "3000", "0", "3000"}}, "", "0", "3000", "0", "3000"},
		{"ZeroPartKept", []orderLineCase{{"1", "200", "10+0", "", "200", "20", "180"}}, "", "", "180", "0", "180"},

		// Rounding half away from zero at the second decimal. Without a
		// discount the net is round2(gross), so the stored discount
		// (gross − net, §9) is negative by the part rounded up.
		{"HalfCentUp", []orderLineCase{{"1", "0.125", "", "", "0.125", "-0.005", "0.13"}}, "", "", "0.13", "0", "0.13"},
		{"PriceHalfCentUp", []orderLineCase{{"1", "10.005", "", "", "10.005", "-0.005", "10.01"}}, "", "", "10.01", "0", "10.01"},
		{"BelowHalfCentDown", []orderLineCase{{"3", "0.3335", "", "", "1.0005", "0.0005", "1"}}, "", "", "1", "0", "1"},
		{"TinyGross", []orderLineCase{{"0.0001", "0.0001", "", "", "0.00000001", "0.00000001", "0"}}, "", "", "0", "0", "0"},
		// 10.5 × 5% = 0.525 exactly: the net 9.975 is rounded (to 9.98),
		// not the discount, so the line keeps 0.52 off and not 0.53.
		{"CascadeHalfCentOnNet", []orderLineCase{{"1", "10.5", "5", "", "10.5", "0.52", "9.98"}}, "", "", "9.98", "0", "9.98"},
		// The order discount itself is rounded: 10.5 × 5% = 0.525 → 0.53.
		{"CascadeHalfCentOnOrder", []orderLineCase{{"1", "10.5", "", "", "10.5", "0", "10.5"}}, "5", "", "10.5", "0.53", "9.97"},
		{"OrderHalfCent", []orderLineCase{{"1", "0.5", "", "", "0.5", "0", "0.5"}}, "1", "", "0.5", "0.01", "0.49"},
		{"OrderBelowHalfCent", []orderLineCase{{"1", "0.4", "", "", "0.4", "0", "0.4"}}, "1", "", "0.4", "0", "0.4"},
		// 999.9999 × 0.4495 × 0.97 = 436.0149563985 → 436.01; then 2% of
		// 436.01 = 8.7202 → 8.72.
		{"CascadeOnBoth", []orderLineCase{{"3", "333.3333", "55.05+3", "", "999.9999", "563.9899", "436.01"}}, "2", "", "436.01", "8.72", "427.29"},

		// Several lines sum exactly; 0.1 + 0.2 is 0.3, not 0.30000000000000004.
		{"SeveralLines", []orderLineCase{
			{"1", "0.1", "", "", "0.1", "0", "0.1"},
			{"1", "0.2", "", "", "0.2", "0", "0.2"},
			{"2", "130000", "10+5", "", "260000", "37700", "222300"},
			{"1", "1000", "", "100", "1000", "100", "900"},
		}, "2", "", "223200.3", "4464.01", "218736.29"},

		// Large numbers stay exact.
		{"Billion", []orderLineCase{{"1000000000", "1000000", "", "", "1000000000000000", "0", "1000000000000000"}}, "", "", "1000000000000000", "0", "1000000000000000"},
		{"LargestAmounts", []orderLineCase{{"999999999999999.9999", "999999999999999.9999", "", "",
			"999999999999999999800000000000.00000001", "0.00000001", "999999999999999999800000000000"}},
			"10+5", "", "999999999999999999800000000000", "144999999999999999971000000000", "854999999999999999829000000000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := computeOrder(tt.lines, tt.discPercent, tt.discAmount)
			o.Compute()
			for i, l := range o.OrderedProducts {
				want := tt.lines[i]
				if l.Gross.String() != want.gross || l.Discount.String() != want.discount || l.Net.String() != want.net {
					t.Errorf("line %d: gross %s discount %s net %s, want %s %s %s",
						i, l.Gross, l.Discount, l.Net, want.gross, want.discount, want.net)
				}
				if l.Gross.Sub(l.Net).Cmp(l.Discount) != 0 {
					t.Errorf("line %d: discount %s is not gross %s − net %s", i, l.Discount, l.Gross, l.Net)
				}
			}
			if o.Subtotal.String() != tt.subtotal || o.Discount.String() != tt.discount || o.Total.String() != tt.total {
				t.Errorf("subtotal %s discount %s total %s, want %s %s %s",
					o.Subtotal, o.Discount, o.Total, tt.subtotal, tt.discount, tt.total)
			}
		})
	}

	t.Run("FiveHundredCents", func(t *testing.T) {
		lines := make([]orderLineCase, salesmania.MaxOrderLines)
		for i := range lines {
			lines[i] = orderLineCase{qty: "1", price: "0.01"}
		}
		o := computeOrder(lines, "10", "")
		o.Compute()
		if o.Subtotal.String() != "5" || o.Discount.String() != "0.5" || o.Total.String() != "4.5" {
			t.Errorf("subtotal %s discount %s total %s, want 5 0.5 4.5", o.Subtotal, o.Discount, o.Total)
		}
	})

	t.Run("Recomputes", func(t *testing.T) {
		o := computeOrder([]orderLineCase{{qty: "2", price: "130000", pct: "10+5"}}, "2", "")
		o.Compute()
		o.OrderedProducts[0].Qty = salesmania.MustDecimal("1")
		o.DiscPercent = ""
		o.Compute()
		if l := o.OrderedProducts[0]; l.Net.String() != "111150" || o.Discount.String() != "0" || o.Total.String() != "111150" {
			t.Errorf("after a change: net %s discount %s total %s, want 111150 0 111150", l.Net, o.Discount, o.Total)
		}
	})
}

// computeOrder builds an order from the inputs of orderLineCases.
func computeOrder(lines []orderLineCase, discPercent, discAmount string) *salesmania.Order {
	dec := func(s string) salesmania.Decimal {
		if s == "" {
			return salesmania.Decimal{}
		}
		return salesmania.MustDecimal(s)
	}
	o := &salesmania.Order{DiscPercent: discPercent, DiscAmount: dec(discAmount)}
	for i, l := range lines {
		o.OrderedProducts = append(o.OrderedProducts, salesmania.OrderLine{
			ProductID: int64(i + 1), Qty: dec(l.qty), Unit: "PCS", Price: dec(l.price),
			ItemDiscPercent: l.pct, ItemDiscAmount: dec(l.amount),
		})
	}
	return o
}

func TestOrderFinish(t *testing.T) {
	d := salesmania.MustDecimal
	line := func(productID int64, unit, qty, price, amount string) salesmania.OrderLine {
		l := salesmania.OrderLine{ProductID: productID, Unit: unit, Qty: d(qty), Price: d(price)}
		if amount != "" {
			l.ItemDiscAmount = d(amount)
		}
		return l
	}

	t.Run("OK", func(t *testing.T) {
		o := &salesmania.Order{DiscAmount: d("3500"), OrderedProducts: []salesmania.OrderLine{
			line(7, "dus", "1", "130000", "1000"), line(7, "pCs", "10", "3500", ""), line(8, "kg", "0.5", "17500", "8750")}}
		if err := o.Finish(orderProducts()); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range o.OrderedProducts {
			got = append(got, fmt.Sprintf("%s×%d %s", l.Unit, l.UnitRatio, l.Net))
		}
		if want := []string{"DUS×40 129000", "PCS×1 35000", "KG×1 0"}; !slices.Equal(got, want) {
			t.Errorf("lines %q, want %q", got, want)
		}
		if o.Subtotal.String() != "164000" || o.Discount.String() != "3500" || o.Total.String() != "160500" {
			t.Errorf("subtotal %s discount %s total %s, want 164000 3500 160500", o.Subtotal, o.Discount, o.Total)
		}
	})

	units := "must be one of the product's units (PCS, DUS)"
	for _, tt := range []struct {
		name       string
		lines      []salesmania.OrderLine
		discAmount string
		fields     []string
	}{
		{"ErrUnknownProduct", []salesmania.OrderLine{line(99, "PCS", "1", "1", "")}, "",
			[]string{"ordered_products[0].product_id: is not a product of this database"}},
		{"ErrUnitNotOfProduct", []salesmania.OrderLine{line(7, "KG", "1", "1", "")}, "",
			[]string{"ordered_products[0].unit: " + units}},
		{"ErrUnitOfAnotherProduct", []salesmania.OrderLine{line(8, "KG", "1", "1", ""), line(8, "DUS", "1", "1", "")}, "",
			[]string{"ordered_products[1].unit: must be one of the product's units (KG)"}},
		{"ErrItemDiscAmountOverGross", []salesmania.OrderLine{line(7, "PCS", "2", "50", "100.0001")}, "",
			[]string{"ordered_products[0].item_disc_amount: must not be more than the line's gross (qty × price)"}},
		{"ErrDiscAmountOverSubtotal", []salesmania.OrderLine{line(7, "PCS", "1", "1000", "")}, "1000.0001",
			[]string{"disc_amount: must not be more than the subtotal"}},
		{"ErrSeveralLines", []salesmania.OrderLine{
			line(99, "PCS", "1", "1", ""), line(7, "KG", "1", "1", ""), line(7, "PCS", "1", "1", ""), line(0, "PCS", "1", "1", "")}, "",
			[]string{
				"ordered_products[0].product_id: is not a product of this database",
				"ordered_products[1].unit: " + units,
				"ordered_products[3].product_id: is not a product of this database",
			}},
		{"ErrSeveralAmounts", []salesmania.OrderLine{
			line(7, "PCS", "1", "100", "100.01"), line(7, "PCS", "1", "100", ""), line(8, "KG", "1", "5", "6")}, "1000",
			[]string{
				"ordered_products[0].item_disc_amount: must not be more than the line's gross (qty × price)",
				"ordered_products[2].item_disc_amount: must not be more than the line's gross (qty × price)",
				// disc_amount is not checked against a subtotal of bad lines.
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := &salesmania.Order{OrderedProducts: tt.lines}
			if tt.discAmount != "" {
				o.DiscAmount = d(tt.discAmount)
			}
			checkOrderErr(t, o.Finish(orderProducts()), salesmania.EINVALID, tt.fields)
		})
	}

	// disc_amount was not sent, so it is not at fault: the subtotal it is
	// compared with is made of a net below 0 that the line error already
	// refuses.
	t.Run("ErrItemDiscAmountOnFreeLine", func(t *testing.T) {
		o := &salesmania.Order{OrderedProducts: []salesmania.OrderLine{line(7, "PCS", "2", "0", "0.01")}}
		checkOrderErr(t, o.Finish(orderProducts()), salesmania.EINVALID, []string{
			"ordered_products[0].item_disc_amount: must not be more than the line's gross (qty × price)",
		})
	})

	// A line's money does not depend on its product, so a body with an
	// unknown product on one line and too large an amount on another
	// should hear of both at once (§1.1: errors[] lists every bad field).
	t.Run("ErrProductAndAmountTogether", func(t *testing.T) {
		o := &salesmania.Order{OrderedProducts: []salesmania.OrderLine{line(99, "PCS", "1", "1", ""), line(7, "PCS", "1", "10", "11")}}
		checkOrderErr(t, o.Finish(orderProducts()), salesmania.EINVALID, []string{
			"ordered_products[0].product_id: is not a product of this database",
			"ordered_products[1].item_disc_amount: must not be more than the line's gross (qty × price)",
		})
	})
}

func TestOrderNewOrder(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		o, err := decodeOrderFields(t, seedOrderBody).NewOrder(orderAdmin)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"id":0,"date":"2024-01-01","customer_id":101,"team_id":24728,"description":"",` +
			`"ordered_products":[{"id":0,"product_id":7,"qty":2,"unit":"DUS","price":130000,"item_disc_percent":"10+5",` +
			`"item_disc_amount":0,"description":"","ext_order_line_id":9001,"gross":0,"discount":0,"net":0}],` +
			`"disc_percent":"2","disc_amount":0,"total_paid":0,"status":"Baru","visit_status":"Order",` +
			`"ext_order_no":"SO-2024-0001","ext_order_status_name":"","subtotal":0,"discount":0,"total":0,` +
			`"created_at":"0001-01-01T00:00:00Z","updated_at":"0001-01-01T00:00:00Z"}`
		if got := orderJSON(t, o); got != want {
			t.Errorf("order\n got %s\nwant %s", got, want)
		}
	})

	t.Run("OKMinimal", func(t *testing.T) {
		body := `{"date":"2024-02-29","customer_id":5,"ordered_products":[{"product_id":8,"qty":0.0001,"unit":"KG","price":0}]}`
		o, err := decodeOrderFields(t, body).NewOrder(orderMember)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"id":0,"date":"2024-02-29","customer_id":5,"team_id":24728,"description":"",` +
			`"ordered_products":[{"id":0,"product_id":8,"qty":0.0001,"unit":"KG","price":0,"item_disc_percent":"",` +
			`"item_disc_amount":0,"description":"","ext_order_line_id":null,"gross":0,"discount":0,"net":0}],` +
			`"disc_percent":"","disc_amount":0,"total_paid":0,"status":"Baru","visit_status":"",` +
			`"ext_order_no":"","ext_order_status_name":"","subtotal":0,"discount":0,"total":0,` +
			`"created_at":"0001-01-01T00:00:00Z","updated_at":"0001-01-01T00:00:00Z"}`
		if got := orderJSON(t, o); got != want {
			t.Errorf("order\n got %s\nwant %s", got, want)
		}
	})

	t.Run("OKTrimmed", func(t *testing.T) {
		body := orderBody(func(b map[string]any) {
			b["description"], b["visit_status"], b["ext_order_no"], b["ext_order_status_name"] = " a ", "\tOrder\n", " SO-1 ", " Open "
			b["status"], b["disc_percent"] = " Diproses ", " 02 "
			l := orderLine(b)
			l["unit"], l["item_disc_percent"], l["description"] = " DUS ", " 10.0 + 5 ", " pedas "
		})
		o, err := decodeOrderFields(t, body).NewOrder(orderAdmin)
		if err != nil {
			t.Fatal(err)
		}
		l := o.OrderedProducts[0]
		got := []string{o.Description, o.VisitStatus, o.ExtOrderNo, o.ExtOrderStatusName, o.Status, o.DiscPercent, l.Unit, l.ItemDiscPercent, l.Description}
		if want := []string{"a", "Order", "SO-1", "Open", "Diproses", "2", "DUS", "10+5", "pedas"}; !slices.Equal(got, want) {
			t.Errorf("got %q, want %q", got, want)
		}
	})

	// Any of the five statuses may be given at creation (an order entered
	// after the fact may already be paid); only PATCH is bound to the moves.
	t.Run("OKStatus", func(t *testing.T) {
		for _, s := range []string{"Baru", "Diproses", "Terkirim", "Lunas", "Batal"} {
			o, err := decodeOrderFields(t, orderBody(func(b map[string]any) { b["status"] = s })).NewOrder(orderAdmin)
			if err != nil || o.Status != s {
				t.Errorf("status %s: %v, %v", s, o, err)
			}
		}
	})

	t.Run("OKTeam", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			p    salesmania.Principal
			edit func(b map[string]any)
			want int64
		}{
			{"OmittedIsOwnTeam", orderMember, func(b map[string]any) { delete(b, "team_id") }, 24728},
			{"ZeroIsOwnTeam", orderMember, func(b map[string]any) { b["team_id"] = 0 }, 24728},
			{"MemberNamesOwnTeam", orderMember, nil, 24728},
			{"AdminNamesOtherTeam", orderAdmin, func(b map[string]any) { b["team_id"] = 555 }, 555},
			{"AdminOmitted", orderAdmin, func(b map[string]any) { delete(b, "team_id") }, 24728},
		} {
			t.Run(tt.name, func(t *testing.T) {
				o, err := decodeOrderFields(t, orderBody(tt.edit)).NewOrder(tt.p)
				if err != nil {
					t.Fatal(err)
				}
				if o.TeamID != tt.want {
					t.Errorf("team_id %d, want %d", o.TeamID, tt.want)
				}
			})
		}
	})

	t.Run("OKLimits", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			edit func(b map[string]any)
		}{
			{"FiveHundredLines", func(b map[string]any) { b["ordered_products"] = orderLines(salesmania.MaxOrderLines) }},
			{"QtyFourPlaces", func(b map[string]any) { orderLine(b)["qty"] = json.Number("0.0001") }},
			{"QtyTrailingZeros", func(b map[string]any) { orderLine(b)["qty"] = json.Number("1.500000") }},
			// The largest qty and price, each with the smallest other: a
			// gross of 15 significant digits, 8 of them decimals.
			{"QtyElevenDigits", func(b map[string]any) {
				orderLine(b)["qty"], orderLine(b)["price"] = json.Number("99999999999.9999"), json.Number("0.0001")
			}},
			{"PriceElevenDigits", func(b map[string]any) {
				orderLine(b)["qty"], orderLine(b)["price"] = json.Number("0.0001"), json.Number("99999999999.9999")
			}},
			{"GrossLargest", func(b map[string]any) {
				orderLine(b)["qty"], orderLine(b)["price"] = 1, json.Number("9999999999.9999")
			}},
			{"GrossFifteenSignificantDigits", func(b map[string]any) {
				orderLine(b)["qty"], orderLine(b)["price"] = json.Number("1234.5678"), json.Number("1234.5678") // 1524157.65279684
			}},
			{"PriceZero", func(b map[string]any) { orderLine(b)["price"] = 0 }},
			{"Unit50", func(b map[string]any) { orderLine(b)["unit"] = strings.Repeat("é", 50) }},
			{"LineDescription500", func(b map[string]any) { orderLine(b)["description"] = strings.Repeat("é", 500) }},
			{"ExtOrderLineIDZero", func(b map[string]any) { orderLine(b)["ext_order_line_id"] = 0 }},
			{"ItemPercentZeroWithAmount", func(b map[string]any) {
				orderLine(b)["item_disc_percent"], orderLine(b)["item_disc_amount"] = "0+0", 5
			}},
			{"ItemAmountWithoutPercent", func(b map[string]any) {
				orderLine(b)["item_disc_percent"], orderLine(b)["item_disc_amount"] = "", 5
			}},
			{"DiscPercentZeroWithAmount", func(b map[string]any) { b["disc_percent"], b["disc_amount"] = "0", 10 }},
			{"Description2000", func(b map[string]any) { b["description"] = strings.Repeat("é", 2000) }},
			{"VisitStatus100", func(b map[string]any) { b["visit_status"] = strings.Repeat("é", 100) }},
			{"ExtOrderNo100", func(b map[string]any) { b["ext_order_no"] = strings.Repeat("x", 100) }},
			{"ExtOrderStatusName100", func(b map[string]any) { b["ext_order_status_name"] = strings.Repeat("x", 100) }},
			{"TotalPaid", func(b map[string]any) { b["total_paid"] = json.Number("217854.0001") }},
			{"DateBounds", func(b map[string]any) { b["date"] = "1900-01-01" }},
			{"DateLeapDay", func(b map[string]any) { b["date"] = "2000-02-29" }},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := decodeOrderFields(t, orderBody(tt.edit)).NewOrder(orderMember); err != nil {
					t.Fatal(err)
				}
			})
		}
	})

	var (
		required = "is required"
		notNull  = "must not be null"
		badDate  = "must be a date as YYYY-MM-DD"
		negative = "must be 0 or more"
		places   = "must have at most 4 decimal places"
		digits   = "must have at most 11 digits before the decimal point"
		gross    = "qty × price must be less than 10000000000 and have at most 15 significant digits"
		lineCnt  = "must have 1 to 500 lines"
		status   = "must be one of Baru, Diproses, Terkirim, Lunas, Batal"
		syntax   = `must be percentages 0..100 joined by + (like "10+5"), at most 5 parts`
		line0    = "ordered_products[0]."
	)
	set := func(key string, v any) func(b map[string]any) { return func(b map[string]any) { b[key] = v } }
	del := func(key string) func(b map[string]any) { return func(b map[string]any) { delete(b, key) } }
	setLine := func(key string, v any) func(b map[string]any) {
		return func(b map[string]any) { orderLine(b)[key] = v }
	}
	delLine := func(key string) func(b map[string]any) { return func(b map[string]any) { delete(orderLine(b), key) } }
	for _, tt := range []struct {
		name   string
		edit   func(b map[string]any)
		fields []string
	}{
		{"ErrDateRequired", del("date"), []string{"date: " + required}},
		{"ErrDateEmpty", set("date", ""), []string{"date: " + badDate}},
		{"ErrDateNoSuchDay", set("date", "2024-02-30"), []string{"date: " + badDate}},
		{"ErrDateNotLeap", set("date", "2023-02-29"), []string{"date: " + badDate}},
		{"ErrDateShort", set("date", "2024-1-1"), []string{"date: " + badDate}},
		{"ErrDateOtherOrder", set("date", "01-01-2024"), []string{"date: " + badDate}},
		{"ErrDateTimestamp", set("date", "2024-01-01T00:00:00Z"), []string{"date: " + badDate}},
		{"ErrDateBeforeMin", set("date", "1899-12-31"), []string{"date: " + badDate}},
		{"ErrDateAfterMax", set("date", "3000-01-01"), []string{"date: " + badDate}},
		{"ErrCustomerRequired", del("customer_id"), []string{"customer_id: " + required}},
		{"ErrCustomerZero", set("customer_id", 0), []string{"customer_id: must be the id of a customer of this database"}},
		{"ErrCustomerNegative", set("customer_id", -1), []string{"customer_id: must be the id of a customer of this database"}},
		{"ErrTeamNegative", set("team_id", -1), []string{"team_id: must be the id of a team of this database"}},
		{"ErrLinesRequired", del("ordered_products"), []string{"ordered_products: " + required}},
		{"ErrLinesEmpty", set("ordered_products", []any{}), []string{"ordered_products: " + lineCnt}},
		{"ErrLines501", set("ordered_products", orderLines(salesmania.MaxOrderLines+1)), []string{"ordered_products: " + lineCnt}},
		{"ErrProductRequired", delLine("product_id"), []string{line0 + "product_id: " + required}},
		{"ErrProductZero", setLine("product_id", 0), []string{line0 + "product_id: must be the id of a product of this database"}},
		{"ErrProductNegative", setLine("product_id", -7), []string{line0 + "product_id: must be the id of a product of this database"}},
		{"ErrQtyRequired", delLine("qty"), []string{line0 + "qty: " + required}},
		{"ErrQtyZero", setLine("qty", 0), []string{line0 + "qty: must be more than 0"}},
		{"ErrQtyNegative", setLine("qty", -1), []string{line0 + "qty: must be more than 0"}},
		{"ErrQtyFivePlaces", setLine("qty", json.Number("1.00001")), []string{line0 + "qty: " + places}},
		{"ErrQtyTwelveDigits", setLine("qty", json.Number("100000000000")), []string{line0 + "qty: " + digits}},
		{"ErrGrossTenBillion", func(b map[string]any) {
			orderLine(b)["qty"], orderLine(b)["price"] = 2, 5000000000
		}, []string{line0 + "qty: " + gross}},
		{"ErrGrossSixteenSignificantDigits", func(b map[string]any) {
			orderLine(b)["qty"], orderLine(b)["price"] = json.Number("12345.6789"), json.Number("1234.5678") // 15241577.63907942
		}, []string{line0 + "qty: " + gross}},
		{"ErrUnitRequired", delLine("unit"), []string{line0 + "unit: " + required}},
		{"ErrUnitEmpty", setLine("unit", ""), []string{line0 + "unit: " + required}},
		{"ErrUnitBlank", setLine("unit", " \t"), []string{line0 + "unit: " + required}},
		{"ErrUnit51", setLine("unit", strings.Repeat("é", 51)), []string{line0 + "unit: must be at most 50 characters"}},
		{"ErrPriceRequired", delLine("price"), []string{line0 + "price: " + required}},
		{"ErrPriceNegative", setLine("price", -1), []string{line0 + "price: " + negative}},
		{"ErrPriceFivePlaces", setLine("price", json.Number("0.00001")), []string{line0 + "price: " + places}},
		{"ErrPriceTwelveDigits", setLine("price", json.Number("100000000000")), []string{line0 + "price: " + digits}},
		{"ErrItemPercentSyntax", setLine("item_disc_percent", "10++5"), []string{line0 + "item_disc_percent: " + syntax}},
		{"ErrItemPercentRange", setLine("item_disc_percent", "100.0001"), []string{line0 + "item_disc_percent: must have every percentage between 0 and 100"}},
		{"ErrItemPercentParts", setLine("item_disc_percent", "1+1+1+1+1+1"), []string{line0 + "item_disc_percent: must have at most 5 percentages joined by +"}},
		{"ErrItemPercentPlaces", setLine("item_disc_percent", "1.00001"), []string{line0 + "item_disc_percent: must have at most 4 decimal places in every percentage"}},
		{"ErrItemAmountNegative", func(b map[string]any) {
			orderLine(b)["item_disc_percent"], orderLine(b)["item_disc_amount"] = "", -1
		}, []string{line0 + "item_disc_amount: " + negative}},
		{"ErrItemAmountFivePlaces", func(b map[string]any) {
			orderLine(b)["item_disc_percent"], orderLine(b)["item_disc_amount"] = "", json.Number("0.00001")
		}, []string{line0 + "item_disc_amount: " + places}},
		{"ErrItemPercentAndAmount", setLine("item_disc_amount", 100),
			[]string{line0 + "item_disc_amount: must be 0 when item_disc_percent is set: give one of them"}},
		// A bad percentage is not also reported as clashing with the amount.
		{"ErrItemPercentBadWithAmount", func(b map[string]any) {
			orderLine(b)["item_disc_percent"], orderLine(b)["item_disc_amount"] = "x", 100
		}, []string{line0 + "item_disc_percent: " + syntax}},
		{"ErrLineDescription501", setLine("description", strings.Repeat("é", 501)), []string{line0 + "description: must be at most 500 characters"}},
		{"ErrExtOrderLineIDNegative", setLine("ext_order_line_id", -1), []string{line0 + "ext_order_line_id: must be 0 or more"}},
		{"ErrDiscPercentSyntax", set("disc_percent", "2%"), []string{"disc_percent: " + syntax}},
		{"ErrDiscPercentAndAmount", set("disc_amount", 1), []string{"disc_amount: must be 0 when disc_percent is set: give one of them"}},
		{"ErrDiscAmountNegative", func(b map[string]any) { b["disc_percent"], b["disc_amount"] = "", -5 }, []string{"disc_amount: " + negative}},
		{"ErrTotalPaidNegative", set("total_paid", -1), []string{"total_paid: " + negative}},
		{"ErrTotalPaidFivePlaces", set("total_paid", json.Number("0.00001")), []string{"total_paid: " + places}},
		// Statuses are the published words, case and all.
		{"ErrStatusLowerCase", set("status", "baru"), []string{"status: " + status}},
		{"ErrStatusEnglish", set("status", "Paid"), []string{"status: " + status}},
		{"ErrStatusEmpty", set("status", ""), []string{"status: " + status}},
		{"ErrDescription2001", set("description", strings.Repeat("é", 2001)), []string{"description: must be at most 2000 characters"}},
		{"ErrVisitStatus101", set("visit_status", strings.Repeat("é", 101)), []string{"visit_status: must be at most 100 characters"}},
		{"ErrExtOrderNo101", set("ext_order_no", strings.Repeat("x", 101)), []string{"ext_order_no: must be at most 100 characters"}},
		{"ErrExtOrderStatusName101", set("ext_order_status_name", strings.Repeat("x", 101)), []string{"ext_order_status_name: must be at most 100 characters"}},
		{"ErrNullOptional", set("description", nil), []string{"description: " + notNull}},
		{"ErrNullsSorted", func(b map[string]any) {
			b["visit_status"], b["status"], b["disc_amount"], b["total_paid"] = nil, nil, nil, nil
		}, []string{"disc_amount: " + notNull, "status: " + notNull, "total_paid: " + notNull, "visit_status: " + notNull}},
		// Every bad field at once, in the order the validator checks them:
		// nulls, date, customer, team, lines required, order discount, the
		// shared fields, then the lines one by one.
		{"ErrAllAtOnce", func(b map[string]any) {
			b["description"] = nil
			delete(b, "date")
			b["customer_id"], b["team_id"], b["disc_percent"], b["status"] = 0, -1, "x", "new"
			b["ordered_products"] = []any{
				map[string]any{"product_id": 1, "qty": 0, "unit": "", "price": 1},
				map[string]any{"product_id": 2, "qty": 1, "unit": "PCS", "price": 1},
				map[string]any{"qty": 1, "unit": "PCS", "price": -1, "ext_order_line_id": -1},
			}
		}, []string{
			"description: " + notNull, "date: " + required,
			"customer_id: must be the id of a customer of this database",
			"team_id: must be the id of a team of this database",
			"disc_percent: " + syntax, "status: " + status,
			"ordered_products[0].qty: must be more than 0", "ordered_products[0].unit: " + required,
			"ordered_products[2].product_id: " + required, "ordered_products[2].price: " + negative,
			"ordered_products[2].ext_order_line_id: must be 0 or more",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range []salesmania.Principal{orderAdmin, orderMember} {
				o, err := decodeOrderFields(t, orderBody(tt.edit)).NewOrder(p)
				if o != nil {
					t.Errorf("%s: order %+v with the error", p.Role, o)
				}
				checkOrderErr(t, err, salesmania.EINVALID, tt.fields)
			}
		})
	}

	t.Run("ErrMemberNamesOtherTeam", func(t *testing.T) {
		o, err := decodeOrderFields(t, orderBody(func(b map[string]any) { b["team_id"] = 555 })).NewOrder(orderMember)
		if o != nil || salesmania.ErrorCode(err) != salesmania.EFORBIDDEN {
			t.Fatalf("got %v, %v; want EFORBIDDEN", o, err)
		}
		if fields := orderErrFields(err); len(fields) != 0 {
			t.Errorf("fields %q, want none", fields)
		}
	})

	// Bad fields are 422 before the team is judged: the client fixes its
	// body first.
	t.Run("ErrInvalidBeforeForbidden", func(t *testing.T) {
		_, err := decodeOrderFields(t, orderBody(func(b map[string]any) { b["team_id"], b["date"] = 555, "x" })).NewOrder(orderMember)
		checkOrderErr(t, err, salesmania.EINVALID, []string{"date: " + badDate})
	})

	// §9 trims surrounding whitespace on every string field; a date is one.
	t.Run("OKDateTrimmed", func(t *testing.T) {
		o, err := decodeOrderFields(t, orderBody(set("date", " 2024-01-01\t"))).NewOrder(orderAdmin)
		if err != nil || o.Date != "2024-01-01" {
			t.Fatalf("got %v, %v; want date 2024-01-01", o, err)
		}
	})

	// A required field sent as null is one problem, reported once, as
	// customers and products do (customer.go:60, product.go:91).
	t.Run("ErrNullRequired", func(t *testing.T) {
		for _, key := range []string{"date", "customer_id", "ordered_products"} {
			_, err := decodeOrderFields(t, orderBody(set(key, nil))).NewOrder(orderAdmin)
			checkOrderErr(t, err, salesmania.EINVALID, []string{key + ": " + notNull})
		}
	})

	// §6.2: "team_id and the member/admin rule are as for visits"; a visit's
	// team_id null means the team of the team token (visit.go:35,
	// httpapi/visit_test.go "team_id":null).
	t.Run("OKTeamNull", func(t *testing.T) {
		o, err := decodeOrderFields(t, orderBody(set("team_id", nil))).NewOrder(orderMember)
		if err != nil || o.TeamID != orderMember.TeamID {
			t.Fatalf("got %v, %v; want team_id %d", o, err, orderMember.TeamID)
		}
	})
}

// patchOrder returns the order PATCH tests start from: the worked example,
// stored, in status.
func patchOrder(status string) *salesmania.Order {
	d := salesmania.MustDecimal
	id := int64(9001)
	o := &salesmania.Order{
		ID: 900, DBID: 2981, Date: "2024-01-01", CustomerID: 101, TeamID: 24728, Description: "first",
		OrderedProducts: []salesmania.OrderLine{{ID: 1, ProductID: 7, Qty: d("2"), Unit: "DUS", Price: d("130000"),
			ItemDiscPercent: "10+5", ExtOrderLineID: &id, UnitRatio: 40}},
		DiscPercent: "2", TotalPaid: d("1000"), Status: status, VisitStatus: "Order", ExtOrderNo: "SO-1", ExtOrderStatusName: "Open",
	}
	o.Compute()
	return o
}

var orderStatuses = []string{salesmania.OrderBaru, salesmania.OrderDiproses, salesmania.OrderTerkirim, salesmania.OrderLunas, salesmania.OrderBatal}

func TestOrderApplyTo(t *testing.T) {
	t.Run("OKEachField", func(t *testing.T) {
		for _, tt := range []struct {
			body string
			want func(o *salesmania.Order)
		}{
			{`{}`, func(o *salesmania.Order) {}},
			{`{"status":"Baru","total_paid":1000.00,"description":" first "}`, func(o *salesmania.Order) {}},
			{`{"ext_order_status_name":" Dikirim kurir "}`, func(o *salesmania.Order) { o.ExtOrderStatusName = "Dikirim kurir" }},
			{`{"ext_order_status_name":""}`, func(o *salesmania.Order) { o.ExtOrderStatusName = "" }},
			{`{"status":"Diproses"}`, func(o *salesmania.Order) { o.Status = "Diproses" }},
			{`{"status":" Lunas "}`, func(o *salesmania.Order) { o.Status = "Lunas" }},
			{`{"ext_order_no":"SO-2"}`, func(o *salesmania.Order) { o.ExtOrderNo = "SO-2" }},
			{`{"description":""}`, func(o *salesmania.Order) { o.Description = "" }},
			{`{"total_paid":217854}`, func(o *salesmania.Order) { o.TotalPaid = salesmania.MustDecimal("217854") }},
			{`{"visit_status":"No order"}`, func(o *salesmania.Order) { o.VisitStatus = "No order" }},
		} {
			t.Run(tt.body, func(t *testing.T) {
				o, want := patchOrder("Baru"), patchOrder("Baru")
				changed, err := decodeOrderFields(t, tt.body).ApplyTo(o)
				if err != nil {
					t.Fatal(err)
				}
				if wantChanged := orderJSON(t, o) != orderJSON(t, patchOrder("Baru")); changed != wantChanged {
					t.Errorf("changed = %v; want %v", changed, wantChanged)
				}
				tt.want(want)
				if got, want := orderJSON(t, o), orderJSON(t, want); got != want {
					t.Errorf("order\n got %s\nwant %s", got, want)
				}
			})
		}
	})

	t.Run("OKLines", func(t *testing.T) {
		o := patchOrder("Baru")
		body := `{"ordered_products":[{"product_id":8,"qty":1.5,"unit":" kg ","price":17500,"item_disc_amount":250},` +
			`{"product_id":7,"qty":1,"unit":"PCS","price":3500}],"status":"Diproses"}`
		if _, err := decodeOrderFields(t, body).ApplyTo(o); err != nil {
			t.Fatal(err)
		}
		// The new lines have no ids and no money until the store matches
		// them to products (Finish).
		got, _ := json.Marshal(o.OrderedProducts)
		want := `[{"id":0,"product_id":8,"qty":1.5,"unit":"kg","price":17500,"item_disc_percent":"","item_disc_amount":250,` +
			`"description":"","ext_order_line_id":null,"gross":0,"discount":0,"net":0},` +
			`{"id":0,"product_id":7,"qty":1,"unit":"PCS","price":3500,"item_disc_percent":"","item_disc_amount":0,` +
			`"description":"","ext_order_line_id":null,"gross":0,"discount":0,"net":0}]`
		if string(got) != want {
			t.Errorf("lines\n got %s\nwant %s", got, want)
		}
		if o.Status != "Diproses" {
			t.Errorf("status %s, want Diproses: lines and status may change in one PATCH while the order is Baru", o.Status)
		}
		if err := o.Finish(orderProducts()); err != nil {
			t.Fatal(err)
		}
		if o.Subtotal.String() != "29500" || o.Discount.String() != "590" || o.Total.String() != "28910" {
			t.Errorf("subtotal %s discount %s total %s, want 29500 590 28910", o.Subtotal, o.Discount, o.Total)
		}
	})

	fixed := "cannot be changed after the order is created"
	for _, tt := range []struct {
		name, body string
		code       string
		fields     []string
	}{
		{"ErrDate", `{"date":"2024-01-02"}`, salesmania.EINVALID, []string{"date: " + fixed}},
		{"ErrDateSame", `{"date":"2024-01-01"}`, salesmania.EINVALID, []string{"date: " + fixed}},
		{"ErrCustomer", `{"customer_id":102}`, salesmania.EINVALID, []string{"customer_id: " + fixed}},
		{"ErrTeam", `{"team_id":24728}`, salesmania.EINVALID, []string{"team_id: " + fixed}},
		{"ErrTeamZero", `{"team_id":0}`, salesmania.EINVALID, []string{"team_id: " + fixed}},
		{"ErrDiscPercent", `{"disc_percent":"5"}`, salesmania.EINVALID, []string{"disc_percent: " + fixed}},
		{"ErrDiscAmount", `{"disc_amount":0}`, salesmania.EINVALID, []string{"disc_amount: " + fixed}},
		{"ErrAllFixed", `{"team_id":1,"disc_amount":1,"date":"2024-01-01","disc_percent":"","customer_id":1,"status":"Diproses"}`,
			salesmania.EINVALID, []string{"customer_id: " + fixed, "date: " + fixed, "disc_amount: " + fixed, "disc_percent: " + fixed, "team_id: " + fixed}},
		{"ErrStatusInvalid", `{"status":"baru"}`, salesmania.EINVALID, []string{"status: must be one of Baru, Diproses, Terkirim, Lunas, Batal"}},
		{"ErrTotalPaidNegative", `{"total_paid":-0.01}`, salesmania.EINVALID, []string{"total_paid: must be 0 or more"}},
		{"ErrVisitStatus101", `{"visit_status":"` + strings.Repeat("x", 101) + `"}`, salesmania.EINVALID, []string{"visit_status: must be at most 100 characters"}},
		{"ErrExtOrderNo101", `{"ext_order_no":"` + strings.Repeat("x", 101) + `"}`, salesmania.EINVALID, []string{"ext_order_no: must be at most 100 characters"}},
		{"ErrExtOrderStatusName101", `{"ext_order_status_name":"` + strings.Repeat("x", 101) + `"}`, salesmania.EINVALID, []string{"ext_order_status_name: must be at most 100 characters"}},
		{"ErrDescription2001", `{"description":"` + strings.Repeat("x", 2001) + `"}`, salesmania.EINVALID, []string{"description: must be at most 2000 characters"}},
		{"ErrLinesEmpty", `{"ordered_products":[]}`, salesmania.EINVALID, []string{"ordered_products: must have 1 to 500 lines"}},
		{"ErrLineInvalid", `{"ordered_products":[{"product_id":7,"qty":1,"unit":"PCS","price":1},{"qty":0,"unit":"PCS","price":1}]}`,
			salesmania.EINVALID, []string{"ordered_products[1].product_id: is required", "ordered_products[1].qty: must be more than 0"}},
		{"ErrNulls", `{"status":null,"ext_order_status_name":null,"date":null}`, salesmania.EINVALID,
			[]string{"date: must not be null", "ext_order_status_name: must not be null", "status: must not be null"}},
		// Field errors come before conflicts, and are sorted by field.
		{"ErrInvalidBeforeConflict", `{"status":"Baru","visit_status":"` + strings.Repeat("x", 101) + `","customer_id":1}`,
			salesmania.EINVALID, []string{"customer_id: " + fixed, "visit_status: must be at most 100 characters"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := patchOrder("Diproses")
			_, err := decodeOrderFields(t, tt.body).ApplyTo(o)
			checkOrderErr(t, err, tt.code, tt.fields)
			if !reflect.DeepEqual(o, patchOrder("Diproses")) {
				t.Errorf("order changed on error:\n%s", orderJSON(t, o))
			}
		})
	}

	t.Run("StatusMoves", func(t *testing.T) {
		// allowed[from] lists the statuses an order may move to (§6.2).
		allowed := map[string][]string{
			"Baru":     {"Baru", "Diproses", "Terkirim", "Lunas", "Batal"},
			"Diproses": {"Diproses", "Terkirim", "Lunas", "Batal"},
			"Terkirim": {"Terkirim", "Lunas", "Batal"},
			"Lunas":    {"Lunas"},
			"Batal":    {"Batal"},
		}
		for _, from := range orderStatuses {
			for _, to := range orderStatuses {
				t.Run(from+"To"+to, func(t *testing.T) {
					ok := slices.Contains(allowed[from], to)
					if got := salesmania.CanMoveOrder(from, to); got != ok {
						t.Errorf("CanMoveOrder(%s, %s) = %v, want %v", from, to, got, ok)
					}
					o, want := patchOrder(from), patchOrder(from)
					_, err := decodeOrderFields(t, `{"status":"`+to+`","ext_order_status_name":"x"}`).ApplyTo(o)
					if !ok {
						checkOrderErr(t, err, salesmania.ECONFLICT, []string{"status: cannot move from " + from + " to " + to})
						if !reflect.DeepEqual(o, want) {
							t.Errorf("order changed on conflict:\n%s", orderJSON(t, o))
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					want.Status, want.ExtOrderStatusName = to, "x"
					if !reflect.DeepEqual(o, want) {
						t.Errorf("order\n got %s\nwant %s", orderJSON(t, o), orderJSON(t, want))
					}
				})
			}
		}
	})

	t.Run("ValidOrderStatus", func(t *testing.T) {
		for _, s := range orderStatuses {
			if !salesmania.ValidOrderStatus(s) {
				t.Errorf("ValidOrderStatus(%q) = false", s)
			}
		}
		for _, s := range []string{"", "baru", "BARU", " Baru", "Paid", "Cancelled"} {
			if salesmania.ValidOrderStatus(s) {
				t.Errorf("ValidOrderStatus(%q) = true", s)
			}
		}
	})

	t.Run("LinesOnlyWhileBaru", func(t *testing.T) {
		body := `{"ordered_products":[{"product_id":8,"qty":1,"unit":"KG","price":17500}]}`
		for _, status := range orderStatuses {
			t.Run(status, func(t *testing.T) {
				o := patchOrder(status)
				_, err := decodeOrderFields(t, body).ApplyTo(o)
				if status == salesmania.OrderBaru {
					if err != nil || len(o.OrderedProducts) != 1 || o.OrderedProducts[0].ProductID != 8 {
						t.Fatalf("got %v, lines %+v; want the new line", err, o.OrderedProducts)
					}
					return
				}
				checkOrderErr(t, err, salesmania.ECONFLICT, []string{"ordered_products: can be replaced only while the order is Baru"})
				if !reflect.DeepEqual(o, patchOrder(status)) {
					t.Errorf("order changed on conflict:\n%s", orderJSON(t, o))
				}
			})
		}
	})

	// An illegal move is the conflict reported when the lines cannot be
	// replaced either.
	t.Run("ErrStatusBeforeLines", func(t *testing.T) {
		o := patchOrder("Lunas")
		_, err := decodeOrderFields(t, `{"status":"Baru","ordered_products":[{"product_id":8,"qty":1,"unit":"KG","price":1}]}`).ApplyTo(o)
		checkOrderErr(t, err, salesmania.ECONFLICT, []string{"status: cannot move from Lunas to Baru"})
	})

	// The order's lines are not shared with the patched copy: a failed
	// PATCH that replaced them, or a later change to the patched order,
	// leaves the original's lines alone.
	t.Run("LinesNotShared", func(t *testing.T) {
		o := patchOrder("Baru")
		lines := o.OrderedProducts
		if _, err := decodeOrderFields(t, `{"description":"x"}`).ApplyTo(o); err != nil {
			t.Fatal(err)
		}
		o.OrderedProducts[0].Unit = "PCS"
		if lines[0].Unit != "DUS" {
			t.Errorf("the lines before the PATCH changed with the order: unit %q", lines[0].Unit)
		}
	})
}

func BenchmarkOrderCompute(b *testing.B) {
	d := salesmania.MustDecimal
	o := &salesmania.Order{DiscPercent: "2", OrderedProducts: []salesmania.OrderLine{
		{ProductID: 7, Qty: d("2"), Unit: "DUS", Price: d("130000"), ItemDiscPercent: "10+5"},
		{ProductID: 8, Qty: d("12.5"), Unit: "KG", Price: d("17500.25"), ItemDiscPercent: "55.05+3"},
		{ProductID: 9, Qty: d("3"), Unit: "PCS", Price: d("3500"), ItemDiscAmount: d("1000")},
	}}
	b.ReportAllocs()
	for b.Loop() {
		o.Compute()
	}
	if o.Total.String() != "320636.05" {
		b.Fatalf("total %s", o.Total)
	}
}

// survivesFloat64 reports whether d reads as a float64 that prints back as
// d: what JavaScript, Python's json, jq or a Go float64 make of the JSON
// number the API writes.
func survivesFloat64(d salesmania.Decimal) bool {
	f, err := strconv.ParseFloat(d.String(), 64)
	if err != nil {
		return false
	}
	back, err := salesmania.ParseDecimal(strconv.FormatFloat(f, 'f', -1, 64))
	return err == nil && back.Cmp(d) == 0
}

// TestOrderAmountsSurviveFloat64 creates orders from random accepted lines,
// many at the bounds (the largest qty, price and gross, 4-decimal
// quantities and prices, cascades of 5 percentages, 500 lines), and checks
// that every amount the order holds or computes has at most 15 significant
// digits and so survives a float64 round trip: no client that reads JSON
// numbers as floats loses a cent.
func TestOrderAmountsSurviveFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 2026))
	// amount returns a random amount of at most intDigits digits before the
	// point and places after it, often one of the extremes.
	amount := func(intDigits, places int) string {
		switch rng.IntN(6) {
		case 0: // the largest
			s := strings.Repeat("9", intDigits)
			if places > 0 {
				s += "." + strings.Repeat("9", places)
			}
			return s
		case 1: // the smallest
			if places == 0 {
				return "1"
			}
			return "0." + strings.Repeat("0", places-1) + "1"
		}
		s := strconv.Itoa(1 + rng.IntN(9))
		for range rng.IntN(intDigits) {
			s += strconv.Itoa(rng.IntN(10))
		}
		if p := rng.IntN(places + 1); p > 0 {
			s += "."
			for range p {
				s += strconv.Itoa(rng.IntN(10))
			}
		}
		return s
	}
	percent := func() string {
		if rng.IntN(4) == 0 {
			return []string{"100", "99.9999", "0.0001", "33.3333"}[rng.IntN(4)]
		}
		return amount(2, 4)
	}
	cascade := func() string {
		parts := make([]string, 1+rng.IntN(salesmania.MaxDiscountParts))
		for i := range parts {
			parts[i] = percent()
		}
		return strings.Join(parts, "+")
	}
	products := map[int64]*salesmania.Product{1: {ID: 1, ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Ratio: 1}}}}
	tenBillion := salesmania.MustDecimal("10000000000")
	half := salesmania.MustDecimal("0.5")
	// line returns a random line the contract accepts: qty and price within
	// their bounds, and their gross too (qty × price below 10^10 with at most
	// 15 significant digits); a discount amount is at most the gross.
	line := func() map[string]any {
		for {
			qty := salesmania.MustDecimal(amount(rng.IntN(salesmania.MaxAmountDigits)+1, salesmania.MaxAmountPlaces))
			price := salesmania.MustDecimal(amount(rng.IntN(salesmania.MaxAmountDigits)+1, salesmania.MaxAmountPlaces))
			gross := qty.Mul(price)
			if gross.Cmp(tenBillion) >= 0 || gross.SignificantDigits() > salesmania.MaxSignificantDigits {
				continue
			}
			l := map[string]any{"product_id": 1, "unit": "PCS", "qty": json.Number(qty.String()), "price": json.Number(price.String())}
			switch rng.IntN(3) {
			case 0:
				l["item_disc_percent"] = cascade()
			case 1:
				l["item_disc_amount"] = json.Number(gross.Mul(half).Round2().String())
			}
			return l
		}
	}

	var orders, lines int
	for orders < 300 {
		n := 1 + rng.IntN(5)
		if orders%50 == 0 {
			n = salesmania.MaxOrderLines
		}
		ls := make([]any, n)
		for i := range ls {
			ls[i] = line()
		}
		discAmount := rng.IntN(3) == 0
		body := orderBody(func(b map[string]any) {
			b["ordered_products"] = ls
			if discAmount {
				b["disc_percent"], b["disc_amount"] = "", json.Number(amount(rng.IntN(3)+1, 4))
			} else {
				b["disc_percent"] = cascade()
			}
		})
		o, err := decodeOrderFields(t, body).NewOrder(orderAdmin)
		if err != nil {
			t.Fatalf("an order within the bounds is refused: %v\n%s", err, body)
		}
		if err := o.Finish(products); err != nil {
			if discAmount && slices.Equal(orderErrFields(err), []string{"disc_amount: must not be more than the subtotal"}) {
				continue // an amount over a small subtotal: try another order
			}
			t.Fatalf("an order within the bounds is refused: %v\n%s", err, body)
		}
		orders++
		lines += len(o.OrderedProducts)
		check := func(what string, d salesmania.Decimal) {
			if d.SignificantDigits() > salesmania.MaxSignificantDigits || !survivesFloat64(d) {
				t.Errorf("order %d: %s = %s has %d significant digits; a float64 reads it as %v",
					orders, what, d, d.SignificantDigits(), must(strconv.ParseFloat(d.String(), 64)))
			}
		}
		for i, l := range o.OrderedProducts {
			at := fmt.Sprintf("ordered_products[%d].", i)
			for name, d := range map[string]salesmania.Decimal{"qty": l.Qty, "price": l.Price, "item_disc_amount": l.ItemDiscAmount,
				"gross": l.Gross, "discount": l.Discount, "net": l.Net} {
				check(at+name, d)
			}
		}
		for name, d := range map[string]salesmania.Decimal{"disc_amount": o.DiscAmount, "subtotal": o.Subtotal,
			"discount": o.Discount, "total": o.Total} {
			check(name, d)
		}
	}
	t.Logf("%d orders, %d lines checked", orders, lines)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
