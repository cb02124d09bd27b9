package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// The product tests reuse the tenant helpers of customer_test.go (tenant,
// call, callBad, mustOK, js, join, stamp) and add product versions of the
// rest.

// newProductEnv starts a server on a fresh database of the given kind and
// makes one user a member of one new database per name.
func newProductEnv(t *testing.T, kind string, databases ...string) (*env, []tenant) {
	t.Helper()
	e := newEnv(t, kind)
	u := e.mustUser("budi@majujaya.example")
	bearer := e.login(u.Email)
	var out []tenant
	for _, name := range databases {
		out = append(out, e.mustTenant(u, bearer, name))
	}
	return e, out
}

type productPage struct {
	Data       []salesmania.Product `json:"data"`
	NextCursor *string              `json:"next_cursor"`
	Total      *int64               `json:"total"`
}

func (tn tenant) mustCreateProduct(t *testing.T, body string) salesmania.Product {
	t.Helper()
	r := tn.call("POST", "/extapi/v1.0/products", body)
	mustOK(t, r)
	var p salesmania.Product
	r.json(t, &p)
	return p
}

func (tn tenant) mustGetProduct(t *testing.T, id int64) salesmania.Product {
	t.Helper()
	r := tn.call("GET", "/extapi/v1.0/products/"+itoa(id), "")
	mustOK(t, r)
	var p salesmania.Product
	r.json(t, &p)
	return p
}

func (tn tenant) mustPatchProduct(t *testing.T, id int64, body string) salesmania.Product {
	t.Helper()
	r := tn.call("PATCH", "/extapi/v1.0/products/"+itoa(id), body)
	mustOK(t, r)
	var p salesmania.Product
	r.json(t, &p)
	return p
}

// mustListProducts gets one page of /products with the query (without "?").
func (tn tenant) mustListProducts(t *testing.T, query string) productPage {
	t.Helper()
	r := tn.call("GET", "/extapi/v1.0/products?"+query, "")
	mustOK(t, r)
	var p productPage
	r.json(t, &p)
	return p
}

// mustListAllProducts walks every page of /products with the query.
func (tn tenant) mustListAllProducts(t *testing.T, query string) []salesmania.Product {
	t.Helper()
	var out []salesmania.Product
	cursor := ""
	for range 1000 {
		q := query
		if cursor != "" {
			q = join(q, "cursor="+url.QueryEscape(cursor))
		}
		p := tn.mustListProducts(t, q)
		out = append(out, p.Data...)
		if p.NextCursor == nil {
			return out
		}
		cursor = *p.NextCursor
	}
	t.Fatalf("list %q does not end", query)
	return nil
}

// countProducts returns the number of products of the database.
func (tn tenant) countProducts(t *testing.T) int64 {
	t.Helper()
	p := tn.mustListProducts(t, "include_total=true&limit=1")
	if p.Total == nil {
		t.Fatal("include_total=true without total")
	}
	return *p.Total
}

func (tn tenant) mustDeletedProducts(t *testing.T, query string) tombstonePage {
	t.Helper()
	r := tn.call("GET", "/extapi/v1.0/products/deleted?"+query, "")
	mustOK(t, r)
	var p tombstonePage
	r.json(t, &p)
	return p
}

func productIDs(ps []salesmania.Product) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// wantProductIDs checks that a list answered exactly these products, in
// order.
func wantProductIDs(t *testing.T, got []salesmania.Product, want ...salesmania.Product) {
	t.Helper()
	if g, w := productIDs(got), productIDs(want); !slices.Equal(g, w) {
		t.Fatalf("ids = %v; want %v", g, w)
	}
}

// sameProduct checks that two answers are the same product, field by field;
// amounts compare by their exact text.
func sameProduct(t *testing.T, got, want salesmania.Product) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Fatalf("product =\n%s\nwant\n%s", g, w)
	}
}

// dec is salesmania.MustDecimal, short for expected amounts.
func dec(s string) salesmania.Decimal { return salesmania.MustDecimal(s) }

// omitted, as a value of productBody's changes, leaves the field out.
type omitted struct{}

// productBody returns a valid create body, a product with one base unit,
// changed by changes: a value replaces the field (json.RawMessage for exact
// numbers or raw JSON), omitted{} removes it.
func productBody(changes map[string]any) string {
	body := map[string]any{
		"name":          "Indomie Goreng",
		"qty_on_hand":   json.RawMessage(`10`),
		"product_units": json.RawMessage(`[{"name":"PCS","price":3500,"ratio":1}]`),
	}
	for k, v := range changes {
		if _, ok := v.(omitted); ok {
			delete(body, k)
		} else {
			body[k] = v
		}
	}
	return js(body)
}

// units returns a product_units value: a base unit PCS followed by the
// given units, each raw JSON.
func units(more ...string) json.RawMessage {
	return json.RawMessage(`[{"name":"PCS","price":3500,"ratio":1}` + strings.Join(append([]string{""}, more...), ",") + `]`)
}

func TestProductCreate(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]

		t.Run("OK", func(t *testing.T) {
			before := time.Now().UTC().Truncate(time.Microsecond)
			r := a.call("POST", "/extapi/v1.0/products", `{"name":"  Indomie Goreng ","description":" Mi instan goreng 85 g\n","sku":" IDM-G",
				"tags":[" mie","instan","mie ","instan","eceran"],"ext_product_code":" P-0007 ","default_disc":" 5 + 2 ","qty_on_hand":1200.5,
				"product_units":[{"name":" PCS ","price":3500,"ratio":1},{"name":"DUS","price":130000.5,"ratio":40},{"name":"SACHET","price":0.0001,"ratio":1}]}`)
			mustOK(t, r)
			after := time.Now().UTC()
			var p salesmania.Product
			r.json(t, &p)
			want := salesmania.Product{ID: p.ID, Name: "Indomie Goreng", Description: "Mi instan goreng 85 g", SKU: "IDM-G",
				Tags: []string{"mie", "instan", "eceran"}, Status: true, ExtProductCode: "P-0007", DefaultDisc: "5+2", QtyOnHand: dec("1200.5"),
				ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Price: dec("3500"), Ratio: 1}, {Name: "DUS", Price: dec("130000.5"), Ratio: 40},
					{Name: "SACHET", Price: dec("0.0001"), Ratio: 1}},
				CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt}
			sameProduct(t, p, want)
			if p.ID <= 0 {
				t.Fatalf("id = %d", p.ID)
			}
			if p.CreatedAt.Before(before) || p.CreatedAt.After(after) {
				t.Fatalf("created_at = %v; want between %v and %v", p.CreatedAt, before, after)
			}
			// The wire form, byte for byte: numbers as sent, not through float64.
			for _, s := range []string{`"qty_on_hand":1200.5,`, `"default_disc":"5+2"`,
				`"product_units":[{"name":"PCS","price":3500,"ratio":1},{"name":"DUS","price":130000.5,"ratio":40},{"name":"SACHET","price":0.0001,"ratio":1}]`} {
				if !strings.Contains(string(r.body), s) {
					t.Errorf("body %s lacks %s", r.body, s)
				}
			}
			sameProduct(t, a.mustGetProduct(t, p.ID), p)
			if g := a.call("GET", "/extapi/v1.0/products/"+itoa(p.ID), ""); !bytes.Equal(g.body, r.body) {
				t.Fatalf("GET answers\n%s\nPOST answered\n%s", g.body, r.body)
			}
		})
		t.Run("OK/Defaults", func(t *testing.T) {
			r := a.call("POST", "/extapi/v1.0/products", `{"name":"Aqua","qty_on_hand":0,"product_units":[{"name":"BTL","price":0,"ratio":1}]}`)
			mustOK(t, r)
			var p salesmania.Product
			r.json(t, &p)
			sameProduct(t, p, salesmania.Product{ID: p.ID, Name: "Aqua", Tags: []string{}, Status: true, QtyOnHand: dec("0"),
				ProductUnits: []salesmania.ProductUnit{{Name: "BTL", Price: dec("0"), Ratio: 1}}, CreatedAt: p.CreatedAt, UpdatedAt: p.CreatedAt})
			for _, want := range []string{`"description":""`, `"sku":""`, `"tags":[]`, `"status":true`, `"ext_product_code":""`, `"default_disc":""`, `"qty_on_hand":0,`} {
				if !bytes.Contains(r.body, []byte(want)) {
					t.Errorf("body %s lacks %s", r.body, want)
				}
			}
		})
		t.Run("OK/StatusFalse", func(t *testing.T) {
			if p := a.mustCreateProduct(t, productBody(map[string]any{"status": false})); p.Status {
				t.Fatal("status = true; want false")
			}
		})
		t.Run("OK/ExactNumbers", func(t *testing.T) {
			// The largest amounts allowed (15 significant digits, which a
			// float64 holds exactly), and numbers written with trailing
			// zeros or exponents.
			for _, tt := range []struct{ qty, price, ratio, wantQty, wantPrice, wantRatio string }{
				{"99999999999.9999", "99999999999.9999", "999999999", "99999999999.9999", "99999999999.9999", "999999999"},
				{"-99999999999.9999", "0", "1", "-99999999999.9999", "0", "1"},
				{"0.0001", "0.0001", "1", "0.0001", "0.0001", "1"},
				{"1.50000", "130000.50", "2.0", "1.5", "130000.5", "2"},
				{"1e3", "3.5E3", "4e1", "1000", "3500", "40"},
				{"12345678901", "10000000000", "1", "12345678901", "10000000000", "1"},
				{"-5.25", "0", "1", "-5.25", "0", "1"},
				{"-0", "0.0000", "1", "0", "0", "1"},
			} {
				t.Run(tt.qty+"/"+tt.price, func(t *testing.T) {
					body := productBody(map[string]any{"qty_on_hand": json.RawMessage(tt.qty),
						"product_units": json.RawMessage(`[{"name":"PCS","price":1,"ratio":1},{"name":"X","price":` + tt.price + `,"ratio":` + tt.ratio + `}]`)})
					r := a.call("POST", "/extapi/v1.0/products", body)
					mustOK(t, r)
					for _, s := range []string{`"qty_on_hand":` + tt.wantQty + `,`, `{"name":"X","price":` + tt.wantPrice + `,"ratio":` + tt.wantRatio + `}`} {
						if !strings.Contains(string(r.body), s) {
							t.Fatalf("body %s lacks %s", r.body, s)
						}
					}
					var p salesmania.Product
					r.json(t, &p)
					if g := a.call("GET", "/extapi/v1.0/products/"+itoa(p.ID), ""); !bytes.Equal(g.body, r.body) {
						t.Fatalf("GET answers\n%s\nPOST answered\n%s", g.body, r.body)
					}
				})
			}
		})
		t.Run("OK/DefaultDiscCanonical", func(t *testing.T) {
			for _, tt := range []struct{ in, want string }{
				{"", ""},
				{"   ", ""},
				{"5+2", "5+2"},
				{" 5 + 2 ", "5+2"},
				{"10.0+05", "10+5"},
				{"05.50", "5.5"},
				{"0", "0"},
				{"0+0", "0+0"},
				{"100", "100"},
				{"100.0000", "100"},
				{"55.05+3", "55.05+3"},
				{"99.9999+0.0001+50+100+0", "99.9999+0.0001+50+100+0"},
			} {
				t.Run(tt.in, func(t *testing.T) {
					p := a.mustCreateProduct(t, productBody(map[string]any{"default_disc": tt.in}))
					if p.DefaultDisc != tt.want {
						t.Fatalf("default_disc %q answered as %q; want %q", tt.in, p.DefaultDisc, tt.want)
					}
					if g := a.mustGetProduct(t, p.ID); g.DefaultDisc != tt.want {
						t.Fatalf("default_disc %q stored as %q; want %q", tt.in, g.DefaultDisc, tt.want)
					}
				})
			}
		})
		t.Run("OK/Limits", func(t *testing.T) {
			// Lengths count characters, not bytes, after trimming.
			tags := make([]string, 50)
			for i := range tags {
				tags[i] = fmt.Sprintf("%02d", i) + strings.Repeat("é", 48)
			}
			us := make([]map[string]any, 20)
			for i := range us {
				us[i] = map[string]any{"name": fmt.Sprintf("%02d", i) + strings.Repeat("ü", 48), "price": i, "ratio": i + 1}
			}
			body := js(map[string]any{
				"name": strings.Repeat("日", 200), "description": strings.Repeat("ä", 2000), "sku": strings.Repeat("s", 100),
				"ext_product_code": strings.Repeat("X", 100), "tags": tags, "qty_on_hand": 1, "product_units": us,
			})
			p := a.mustCreateProduct(t, body)
			if p.Name != strings.Repeat("日", 200) || len([]rune(p.Description)) != 2000 || len(p.SKU) != 100 || len(p.ExtProductCode) != 100 ||
				len(p.Tags) != 50 || p.Tags[49] != tags[49] || len(p.ProductUnits) != 20 || p.ProductUnits[19].Name != us[19]["name"] || p.ProductUnits[19].Ratio != 20 {
				t.Fatalf("product = %+v", p)
			}
		})
		t.Run("OK/TeamTokenHeader", func(t *testing.T) {
			r := a.e.do(request{method: "POST", path: "/extapi/v1.0/products", bearer: a.bearer,
				body: productBody(nil), header: map[string]string{"X-Team-Token": a.teamToken}})
			mustOK(t, r)
		})
	})
}

// TestProductCreateInvalid sends every kind of bad body of §4, §6.1, §9 and
// §1.1 and checks the status, the exact bad fields, and that nothing was
// stored.
func TestProductCreateInvalid(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	raw := func(s string) json.RawMessage { return json.RawMessage(s) }
	b := productBody
	units21 := make([]map[string]any, 21)
	for i := range units21 {
		units21[i] = map[string]any{"name": fmt.Sprint("U", i), "price": 1, "ratio": i + 1}
	}
	tags51 := make([]string, 51)
	for i := range tags51 {
		tags51[i] = fmt.Sprint("t", i)
	}
	tests := []struct {
		name   string
		body   string
		status int
		fields []string
	}{
		// name
		{"ErrNameMissing", b(map[string]any{"name": omitted{}}), 422, []string{"name"}},
		{"ErrNameEmpty", b(map[string]any{"name": ""}), 422, []string{"name"}},
		{"ErrNameWhitespace", b(map[string]any{"name": " \t\n "}), 422, []string{"name"}},
		{"ErrName201", b(map[string]any{"name": long(201)}), 422, []string{"name"}},
		{"ErrName201Multibyte", b(map[string]any{"name": strings.Repeat("日", 201)}), 422, []string{"name"}},
		{"ErrNameNull", b(map[string]any{"name": nil}), 422, []string{"name"}},
		// description, sku, ext_product_code, tags
		{"ErrDescription2001", b(map[string]any{"description": long(2001)}), 422, []string{"description"}},
		{"ErrDescription2001Multibyte", b(map[string]any{"description": strings.Repeat("ä", 2001)}), 422, []string{"description"}},
		{"ErrSKU101", b(map[string]any{"sku": long(101)}), 422, []string{"sku"}},
		{"ErrExtProductCode101", b(map[string]any{"ext_product_code": long(101)}), 422, []string{"ext_product_code"}},
		{"ErrTags51", b(map[string]any{"tags": tags51}), 422, []string{"tags"}},
		{"ErrTagEmpty", b(map[string]any{"tags": []string{"mie", " "}}), 422, []string{"tags[1]"}},
		{"ErrTag51Chars", b(map[string]any{"tags": []string{long(51)}}), 422, []string{"tags[0]"}},
		// default_disc (§6.1)
		{"ErrDiscOver100", b(map[string]any{"default_disc": "101"}), 422, []string{"default_disc"}},
		{"ErrDiscOver100Fraction", b(map[string]any{"default_disc": "100.0001"}), 422, []string{"default_disc"}},
		{"ErrDiscEmptyPart", b(map[string]any{"default_disc": "10++5"}), 422, []string{"default_disc"}},
		{"ErrDiscTrailingPlus", b(map[string]any{"default_disc": "10+"}), 422, []string{"default_disc"}},
		{"ErrDiscNegative", b(map[string]any{"default_disc": "-5"}), 422, []string{"default_disc"}},
		{"ErrDiscPlusSign", b(map[string]any{"default_disc": "+5"}), 422, []string{"default_disc"}},
		{"ErrDiscExponent", b(map[string]any{"default_disc": "1e1"}), 422, []string{"default_disc"}},
		{"ErrDisc5Places", b(map[string]any{"default_disc": "5.12345"}), 422, []string{"default_disc"}},
		{"ErrDiscSixParts", b(map[string]any{"default_disc": "1+1+1+1+1+1"}), 422, []string{"default_disc"}},
		{"ErrDiscText", b(map[string]any{"default_disc": "abc"}), 422, []string{"default_disc"}},
		{"ErrDiscPointOnly", b(map[string]any{"default_disc": "5."}), 422, []string{"default_disc"}},
		{"ErrDiscLeadingPoint", b(map[string]any{"default_disc": ".5"}), 422, []string{"default_disc"}},
		{"ErrDiscComma", b(map[string]any{"default_disc": "5,5"}), 422, []string{"default_disc"}},
		{"ErrDiscPercentSign", b(map[string]any{"default_disc": "5%"}), 422, []string{"default_disc"}},
		{"ErrDiscSpaceInNumber", b(map[string]any{"default_disc": "1 0"}), 422, []string{"default_disc"}},
		// qty_on_hand
		{"ErrQtyMissing", b(map[string]any{"qty_on_hand": omitted{}}), 422, []string{"qty_on_hand"}},
		{"ErrQty5Places", b(map[string]any{"qty_on_hand": raw("1.23456")}), 422, []string{"qty_on_hand"}},
		{"ErrQty12Digits", b(map[string]any{"qty_on_hand": raw("123456789012")}), 422, []string{"qty_on_hand"}},
		{"ErrQty12DigitsNegative", b(map[string]any{"qty_on_hand": raw("-123456789012")}), 422, []string{"qty_on_hand"}},
		{"ErrQty12DigitsExponent", b(map[string]any{"qty_on_hand": raw("1e11")}), 422, []string{"qty_on_hand"}},
		{"ErrQty16Digits", b(map[string]any{"qty_on_hand": raw("1234567890123456")}), 422, []string{"qty_on_hand"}},
		{"ErrQty5PlacesExponent", b(map[string]any{"qty_on_hand": raw("1e-5")}), 422, []string{"qty_on_hand"}},
		{"ErrQty30Digits", b(map[string]any{"qty_on_hand": raw(strings.Repeat("9", 30))}), 422, []string{"qty_on_hand"}},
		{"ErrQtyNull", b(map[string]any{"qty_on_hand": nil}), 422, []string{"qty_on_hand"}},
		// product_units
		{"ErrUnitsMissing", b(map[string]any{"product_units": omitted{}}), 422, []string{"product_units"}},
		{"ErrUnitsEmpty", b(map[string]any{"product_units": raw(`[]`)}), 422, []string{"product_units"}},
		{"ErrUnits21", b(map[string]any{"product_units": units21}), 422, []string{"product_units"}},
		{"ErrUnitsNull", b(map[string]any{"product_units": nil}), 422, []string{"product_units"}},
		{"ErrNoBaseUnit", b(map[string]any{"product_units": raw(`[{"name":"DUS","price":130000,"ratio":40},{"name":"PAK","price":35000,"ratio":10}]`)}), 422, []string{"product_units"}},
		{"ErrUnitNamesCase", b(map[string]any{"product_units": units(`{"name":"dus","price":1,"ratio":40}`, `{"name":"DUS","price":2,"ratio":20}`)}), 422, []string{"product_units[2].name"}},
		{"ErrUnitNamesCaseBase", b(map[string]any{"product_units": units(`{"name":" pcs ","price":1,"ratio":2}`)}), 422, []string{"product_units[1].name"}},
		{"ErrUnitNameEmpty", b(map[string]any{"product_units": units(`{"name":"","price":1,"ratio":40}`)}), 422, []string{"product_units[1].name"}},
		{"ErrUnitNameWhitespace", b(map[string]any{"product_units": units(`{"name":"  ","price":1,"ratio":40}`)}), 422, []string{"product_units[1].name"}},
		{"ErrUnitName51", b(map[string]any{"product_units": units(js(map[string]any{"name": long(51), "price": 1, "ratio": 40}))}), 422, []string{"product_units[1].name"}},
		{"ErrUnitName51Multibyte", b(map[string]any{"product_units": units(js(map[string]any{"name": strings.Repeat("ü", 51), "price": 1, "ratio": 40}))}), 422, []string{"product_units[1].name"}},
		{"ErrUnitNameMissing", b(map[string]any{"product_units": units(`{"price":1,"ratio":40}`)}), 422, []string{"product_units[1].name"}},
		{"ErrUnitNameNull", b(map[string]any{"product_units": units(`{"name":null,"price":1,"ratio":40}`)}), 422, []string{"product_units[1].name"}},
		{"ErrUnitPriceNegative", b(map[string]any{"product_units": raw(`[{"name":"PCS","price":-1,"ratio":1}]`)}), 422, []string{"product_units[0].price"}},
		{"ErrUnitPrice5Places", b(map[string]any{"product_units": raw(`[{"name":"PCS","price":1.23456,"ratio":1}]`)}), 422, []string{"product_units[0].price"}},
		{"ErrUnitPrice12Digits", b(map[string]any{"product_units": raw(`[{"name":"PCS","price":100000000000,"ratio":1}]`)}), 422, []string{"product_units[0].price"}},
		{"ErrUnitPriceMissing", b(map[string]any{"product_units": raw(`[{"name":"PCS","ratio":1}]`)}), 422, []string{"product_units[0].price"}},
		{"ErrUnitPriceNull", b(map[string]any{"product_units": raw(`[{"name":"PCS","price":null,"ratio":1}]`)}), 422, []string{"product_units[0].price"}},
		{"ErrUnitRatio0", b(map[string]any{"product_units": units(`{"name":"DUS","price":1,"ratio":0}`)}), 422, []string{"product_units[1].ratio"}},
		{"ErrUnitRatioNegative", b(map[string]any{"product_units": units(`{"name":"DUS","price":1,"ratio":-40}`)}), 422, []string{"product_units[1].ratio"}},
		{"ErrUnitRatio1.5", b(map[string]any{"product_units": units(`{"name":"DUS","price":1,"ratio":1.5}`)}), 422, []string{"product_units[1].ratio"}},
		{"ErrUnitRatioTooLarge", b(map[string]any{"product_units": units(`{"name":"DUS","price":1,"ratio":1000000000}`)}), 422, []string{"product_units[1].ratio"}},
		{"ErrUnitRatioMissing", b(map[string]any{"product_units": units(`{"name":"DUS","price":1}`)}), 422, []string{"product_units[1].ratio"}},
		{"ErrUnitRatioNull", b(map[string]any{"product_units": units(`{"name":"DUS","price":1,"ratio":null}`)}), 422, []string{"product_units[1].ratio"}},
		// The only unit without a good ratio leaves no base unit either.
		{"ErrOnlyUnitRatio1.5", b(map[string]any{"product_units": raw(`[{"name":"PCS","price":1,"ratio":1.5}]`)}), 422, []string{"product_units[0].ratio", "product_units"}},
		{"ErrOnlyUnitRatioMissing", b(map[string]any{"product_units": raw(`[{"name":"PCS","price":1}]`)}), 422, []string{"product_units[0].ratio", "product_units"}},
		{"ErrUnitEmptyObject", b(map[string]any{"product_units": units(`{}`)}), 422, []string{"product_units[1].name", "product_units[1].price", "product_units[1].ratio"}},
		{"ErrUnitNull", b(map[string]any{"product_units": units(`null`)}), 422, []string{"product_units[1].name", "product_units[1].price", "product_units[1].ratio"}},
		// null for any field is 422
		{"ErrDescriptionNull", b(map[string]any{"description": nil}), 422, []string{"description"}},
		{"ErrSKUNull", b(map[string]any{"sku": nil}), 422, []string{"sku"}},
		{"ErrTagsNull", b(map[string]any{"tags": nil}), 422, []string{"tags"}},
		{"ErrStatusNull", b(map[string]any{"status": nil}), 422, []string{"status"}},
		{"ErrExtProductCodeNull", b(map[string]any{"ext_product_code": nil}), 422, []string{"ext_product_code"}},
		{"ErrDefaultDiscNull", b(map[string]any{"default_disc": nil}), 422, []string{"default_disc"}},
		{"ErrRequiredNull", `{"name":null,"qty_on_hand":null,"product_units":null}`, 422, []string{"name", "qty_on_hand", "product_units"}},
		// every bad field at once, in the server's order
		{"ErrEveryMissing", `{}`, 422, []string{"name", "qty_on_hand", "product_units"}},
		{"ErrEveryField", js(map[string]any{"name": "", "description": long(2001), "sku": long(101), "ext_product_code": long(101),
			"tags": []string{""}, "default_disc": "abc", "qty_on_hand": raw("1.23456"),
			"product_units": raw(`[{"name":"","price":-1,"ratio":0},{"name":"` + long(51) + `","price":1.00001,"ratio":2.5}]`)}), 422,
			[]string{"name", "description", "sku", "ext_product_code", "tags[0]", "default_disc", "qty_on_hand",
				"product_units[0].name", "product_units[0].price", "product_units[0].ratio",
				"product_units[1].name", "product_units[1].price", "product_units[1].ratio", "product_units"}},
		// unknown fields are 422
		{"ErrUnknownField", b(map[string]any{"nmae": "Indomie"}), 422, []string{"nmae"}},
		{"ErrUnknownFieldPrice", b(map[string]any{"price": 3500}), 422, []string{"price"}},
		// An unknown field inside a unit is named by its bare name, as
		// encoding/json reports it (see the report on dotted paths).
		{"ErrUnknownUnitField", b(map[string]any{"product_units": raw(`[{"name":"PCS","price":1,"ratio":1,"barcode":"899"}]`)}), 422, []string{"product_units[0].barcode"}},
		// wrong JSON types are 400 naming the field
		{"ErrNameNotString", b(map[string]any{"name": 5}), 400, []string{"name"}},
		{"ErrDescriptionNotString", b(map[string]any{"description": []string{"a"}}), 400, []string{"description"}},
		{"ErrSKUNotString", b(map[string]any{"sku": true}), 400, []string{"sku"}},
		{"ErrExtProductCodeNumber", b(map[string]any{"ext_product_code": 7}), 400, []string{"ext_product_code"}},
		{"ErrTagsNotArray", b(map[string]any{"tags": "mie"}), 400, []string{"tags"}},
		{"ErrTagNotString", b(map[string]any{"tags": []any{"mie", 1}}), 400, []string{"tags[1]"}},
		{"ErrStatusString", b(map[string]any{"status": "true"}), 400, []string{"status"}},
		{"ErrStatusNumber", b(map[string]any{"status": 1}), 400, []string{"status"}},
		{"ErrDefaultDiscNumber", b(map[string]any{"default_disc": 10}), 400, []string{"default_disc"}},
		{"ErrQtyString", b(map[string]any{"qty_on_hand": "5"}), 400, []string{"qty_on_hand"}},
		{"ErrQtyBool", b(map[string]any{"qty_on_hand": true}), 400, []string{"qty_on_hand"}},
		{"ErrQtyArray", b(map[string]any{"qty_on_hand": []int{5}}), 400, []string{"qty_on_hand"}},
		{"ErrQtyObject", b(map[string]any{"qty_on_hand": map[string]int{"value": 5}}), 400, []string{"qty_on_hand"}},
		// numbers too long to read at all are 400 too
		{"ErrQty31Digits", b(map[string]any{"qty_on_hand": raw(strings.Repeat("9", 31))}), 400, []string{"qty_on_hand"}},
		{"ErrQtyHugeExponent", b(map[string]any{"qty_on_hand": raw("1e999999")}), 400, []string{"qty_on_hand"}},
		{"ErrQty41Chars", b(map[string]any{"qty_on_hand": raw("0." + strings.Repeat("0", 38) + "1")}), 400, []string{"qty_on_hand"}},
		{"ErrUnitsObject", b(map[string]any{"product_units": map[string]any{"name": "PCS", "price": 1, "ratio": 1}}), 400, []string{"product_units"}},
		{"ErrUnitsString", b(map[string]any{"product_units": "PCS"}), 400, []string{"product_units"}},
		{"ErrUnitNotObject", b(map[string]any{"product_units": []string{"PCS"}}), 400, []string{"product_units[0]"}},
		// Inside a unit, encoding/json names the field without the index.
		{"ErrUnitNameNotString", b(map[string]any{"product_units": raw(`[{"name":5,"price":1,"ratio":1}]`)}), 400, []string{"product_units[0].name"}},
		{"ErrUnitPriceString", b(map[string]any{"product_units": units(`{"name":"DUS","price":"130000","ratio":40}`)}), 400, []string{"product_units[1].price"}},
		{"ErrUnitRatioString", b(map[string]any{"product_units": raw(`[{"name":"PCS","price":1,"ratio":"1"}]`)}), 400, []string{"product_units[0].ratio"}},
		// bodies that are not a JSON object
		{"ErrArrayBody", `[` + b(nil) + `]`, 400, nil},
		{"ErrStringBody", `"Indomie"`, 400, nil},
		{"ErrMalformed", `{"name":"a"`, 400, nil},
		{"ErrTrailingData", b(nil) + ` {}`, 400, nil},
		{"ErrTooLarge", b(map[string]any{"description": long(1 << 20)}), 413, nil},
	}
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		a.mustCreateProduct(t, productBody(nil))
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := a.callBad("POST", "/extapi/v1.0/products", tt.body, nil)
				wantProblem(t, r, tt.status, tt.fields...)
				if n := a.countProducts(t); n != 1 {
					t.Fatalf("%d products after a refused create; want 1", n)
				}
			})
		}
		t.Run("ErrContentType", func(t *testing.T) {
			for _, ct := range []string{"text/plain", "", "application/json; charset=latin1"} {
				wantProblem(t, a.callBad("POST", "/extapi/v1.0/products", productBody(nil), map[string]string{"Content-Type": ct}), 415)
			}
			if n := a.countProducts(t); n != 1 {
				t.Fatalf("%d products after refused creates; want 1", n)
			}
		})
		t.Run("ErrEmptyBody", func(t *testing.T) {
			wantProblem(t, a.callBad("POST", "/extapi/v1.0/products", "", map[string]string{"Content-Type": "application/json"}), 400)
		})
		t.Run("ErrUnknownParameter", func(t *testing.T) {
			wantProblem(t, a.callBad("POST", "/extapi/v1.0/products?dry_run=true", productBody(nil), nil), 400, "dry_run")
			if n := a.countProducts(t); n != 1 {
				t.Fatalf("%d products after a refused create; want 1", n)
			}
		})
	})
}

// TestProductBodyFieldNames checks that only the documented field names,
// spelt exactly, are accepted.
func TestProductBodyFieldNames(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		wantProblem(t, a.callBad("POST", "/extapi/v1.0/products", `{"Name":"Indomie","qty_on_hand":1,"product_units":[{"name":"PCS","price":1,"ratio":1}]}`, nil), 422, "Name")
		wantProblem(t, a.callBad("POST", "/extapi/v1.0/products", productBody(map[string]any{"product_units": json.RawMessage(`[{"name":"PCS","Price":1,"ratio":1}]`)}), nil), 422, "product_units[0].Price")
		if n := a.countProducts(t); n != 0 {
			t.Fatalf("%d products; want 0", n)
		}
	})
}

func TestProductUpdate(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		orig := a.mustCreateProduct(t, `{"name":"Indomie Goreng","description":"Mi instan goreng","sku":"IDM-G","tags":["mie","instan"],
			"ext_product_code":"P-0007","default_disc":"5+2","qty_on_hand":1200,
			"product_units":[{"name":"PCS","price":3500,"ratio":1},{"name":"DUS","price":130000,"ratio":40}]}`)
		cur := orig
		path := "/extapi/v1.0/products/" + itoa(orig.ID)

		// patch applies body and checks that exactly the fields change
		// sets change, with a new updated_at.
		patch := func(t *testing.T, body string, change func(p *salesmania.Product)) {
			t.Helper()
			got := a.mustPatchProduct(t, orig.ID, body)
			want := cur
			want.Tags = slices.Clone(cur.Tags)
			want.ProductUnits = slices.Clone(cur.ProductUnits)
			change(&want)
			if !got.UpdatedAt.After(cur.UpdatedAt) {
				t.Fatalf("updated_at = %v; want after %v", got.UpdatedAt, cur.UpdatedAt)
			}
			want.UpdatedAt = got.UpdatedAt
			sameProduct(t, got, want)
			sameProduct(t, a.mustGetProduct(t, orig.ID), got)
			cur = got
		}
		t.Run("OK/Name", func(t *testing.T) {
			patch(t, `{"name":"  Indomie Goreng Jumbo "}`, func(p *salesmania.Product) { p.Name = "Indomie Goreng Jumbo" })
		})
		t.Run("OK/SeveralFields", func(t *testing.T) {
			patch(t, `{"description":"","sku":" IDM-GJ ","ext_product_code":"P-0008","qty_on_hand":0.0001}`, func(p *salesmania.Product) {
				p.Description, p.SKU, p.ExtProductCode, p.QtyOnHand = "", "IDM-GJ", "P-0008", dec("0.0001")
			})
		})
		t.Run("OK/QtyExact", func(t *testing.T) {
			patch(t, `{"qty_on_hand":99999999999.9999}`, func(p *salesmania.Product) { p.QtyOnHand = dec("99999999999.9999") })
			if r := a.call("GET", path, ""); !bytes.Contains(r.body, []byte(`"qty_on_hand":99999999999.9999,`)) {
				t.Fatalf("body %s; want qty_on_hand 99999999999.9999", r.body)
			}
		})
		t.Run("OK/UnitsReplace", func(t *testing.T) {
			// The units sent are all the units: DUS is gone, KRAT is new,
			// PCS has a new price.
			patch(t, `{"product_units":[{"name":"KRAT","price":130000.5,"ratio":24},{"name":" pcs ","price":3600.25,"ratio":1}]}`, func(p *salesmania.Product) {
				p.ProductUnits = []salesmania.ProductUnit{{Name: "KRAT", Price: dec("130000.5"), Ratio: 24}, {Name: "pcs", Price: dec("3600.25"), Ratio: 1}}
			})
			if r := a.call("GET", path, ""); !bytes.Contains(r.body, []byte(`"product_units":[{"name":"KRAT","price":130000.5,"ratio":24},{"name":"pcs","price":3600.25,"ratio":1}]`)) {
				t.Fatalf("body %s; want the new units exactly", r.body)
			}
		})
		t.Run("OK/UnitsOrder", func(t *testing.T) {
			// Units keep the order given, so a new order is a change.
			patch(t, `{"product_units":[{"name":"pcs","price":3600.25,"ratio":1},{"name":"KRAT","price":130000.5,"ratio":24}]}`, func(p *salesmania.Product) {
				p.ProductUnits = []salesmania.ProductUnit{{Name: "pcs", Price: dec("3600.25"), Ratio: 1}, {Name: "KRAT", Price: dec("130000.5"), Ratio: 24}}
			})
		})
		t.Run("OK/DefaultDisc", func(t *testing.T) {
			patch(t, `{"default_disc":" 10 + 05.50 "}`, func(p *salesmania.Product) { p.DefaultDisc = "10+5.5" })
			patch(t, `{"default_disc":""}`, func(p *salesmania.Product) { p.DefaultDisc = "" })
		})
		t.Run("OK/TagsReplace", func(t *testing.T) {
			patch(t, `{"tags":["eceran"," mie","eceran"]}`, func(p *salesmania.Product) { p.Tags = []string{"eceran", "mie"} })
			wantProductIDs(t, a.mustListProducts(t, "tag=eceran").Data, cur)
			wantProductIDs(t, a.mustListProducts(t, "tag=instan").Data)
			patch(t, `{"tags":[]}`, func(p *salesmania.Product) { p.Tags = []string{} })
			wantProductIDs(t, a.mustListProducts(t, "tag=mie").Data)
		})
		t.Run("OK/KeepsEmptyTags", func(t *testing.T) {
			// The product has no tags now; a PATCH without tags keeps [].
			for _, body := range []string{`{"sku":"IDM-GJ2"}`, `{}`} {
				r := a.call("PATCH", path, body)
				mustOK(t, r)
				if !bytes.Contains(r.body, []byte(`"tags":[]`)) {
					t.Fatalf("PATCH %s answered %s; want tags []", body, r.body)
				}
			}
			cur = a.mustGetProduct(t, orig.ID)
			if cur.Tags == nil || len(cur.Tags) != 0 {
				t.Fatalf("tags = %#v; want []", cur.Tags)
			}
		})
		t.Run("OK/StatusFalse", func(t *testing.T) {
			patch(t, `{"status":false}`, func(p *salesmania.Product) { p.Status = false })
			wantProductIDs(t, a.mustListProducts(t, "status=false").Data, cur)
			wantProductIDs(t, a.mustListProducts(t, "status=true").Data)
			patch(t, `{"status":true}`, func(p *salesmania.Product) { p.Status = true })
		})
		t.Run("OK/NoChangeKeepsUpdatedAt", func(t *testing.T) {
			patch(t, `{"tags":["a","b"],"default_disc":"5+2","qty_on_hand":1.5,
				"product_units":[{"name":"PCS","price":3500,"ratio":1},{"name":"DUS","price":130000.5,"ratio":40}]}`, func(p *salesmania.Product) {
				p.Tags, p.DefaultDisc, p.QtyOnHand = []string{"a", "b"}, "5+2", dec("1.5")
				p.ProductUnits = []salesmania.ProductUnit{{Name: "PCS", Price: dec("3500"), Ratio: 1}, {Name: "DUS", Price: dec("130000.5"), Ratio: 40}}
			})
			for _, body := range []string{
				`{}`,
				js(map[string]any{"name": cur.Name, "description": cur.Description, "sku": cur.SKU, "tags": cur.Tags, "status": cur.Status,
					"ext_product_code": cur.ExtProductCode, "default_disc": cur.DefaultDisc, "qty_on_hand": cur.QtyOnHand, "product_units": cur.ProductUnits}),
				`{"name":"  ` + cur.Name + `  "}`,
				`{"tags":["a","b","a"," b "]}`,
				`{"default_disc":" 5 + 2.0 "}`,
				`{"qty_on_hand":1.5000}`,
				`{"qty_on_hand":15e-1}`,
				`{"product_units":[{"name":" PCS ","price":3500.00,"ratio":1.0},{"name":"DUS","price":130000.50,"ratio":4e1}]}`,
			} {
				got := a.mustPatchProduct(t, orig.ID, body)
				sameProduct(t, got, cur)
			}
			sameProduct(t, a.mustGetProduct(t, orig.ID), cur)
			// Nor does it show up in a sync.
			wantProductIDs(t, a.mustListProducts(t, "updated_since="+stamp(cur.UpdatedAt)).Data)
		})
		t.Run("OK/UpdatedSince", func(t *testing.T) {
			other := a.mustCreateProduct(t, productBody(map[string]any{"name": "Aqua"}))
			wantProductIDs(t, a.mustListProducts(t, "updated_since="+stamp(cur.UpdatedAt)).Data, other)
			patch(t, `{"qty_on_hand":7}`, func(p *salesmania.Product) { p.QtyOnHand = dec("7") })
			wantProductIDs(t, a.mustListProducts(t, "updated_since="+stamp(other.UpdatedAt)).Data, cur)
		})
		// A refused PATCH changes nothing.
		for _, tt := range []struct {
			name   string
			body   string
			status int
			fields []string
		}{
			{"ErrNameEmpty", `{"name":" "}`, 422, []string{"name"}},
			{"ErrNameNull", `{"name":null}`, 422, []string{"name"}},
			{"ErrName201", js(map[string]string{"name": strings.Repeat("x", 201)}), 422, []string{"name"}},
			{"ErrDescription2001", js(map[string]string{"description": strings.Repeat("x", 2001)}), 422, []string{"description"}},
			{"ErrSKU101", js(map[string]string{"sku": strings.Repeat("x", 101), "name": "Lain"}), 422, []string{"sku"}},
			{"ErrExtProductCode101", js(map[string]string{"ext_product_code": strings.Repeat("x", 101)}), 422, []string{"ext_product_code"}},
			{"ErrDescriptionNull", `{"description":null,"name":"Lain"}`, 422, []string{"description"}},
			{"ErrTagsNull", `{"tags":null,"sku":"X"}`, 422, []string{"tags"}},
			{"ErrStatusNull", `{"status":null}`, 422, []string{"status"}},
			{"ErrDefaultDiscNull", `{"default_disc":null}`, 422, []string{"default_disc"}},
			{"ErrDefaultDisc", `{"default_disc":"10++5","name":"Lain"}`, 422, []string{"default_disc"}},
			{"ErrDefaultDiscOver100", `{"default_disc":"101"}`, 422, []string{"default_disc"}},
			{"ErrQtyNull", `{"qty_on_hand":null}`, 422, []string{"qty_on_hand"}},
			{"ErrQty5Places", `{"qty_on_hand":0.00001,"name":"Lain"}`, 422, []string{"qty_on_hand"}},
			{"ErrQty12Digits", `{"qty_on_hand":123456789012}`, 422, []string{"qty_on_hand"}},
			{"ErrUnitsNull", `{"product_units":null}`, 422, []string{"product_units"}},
			{"ErrUnitsEmpty", `{"product_units":[],"name":"Lain"}`, 422, []string{"product_units"}},
			{"ErrNoBaseUnit", `{"product_units":[{"name":"DUS","price":130000,"ratio":40}]}`, 422, []string{"product_units"}},
			{"ErrUnitNamesCase", `{"product_units":[{"name":"dus","price":1,"ratio":1},{"name":"DUS","price":2,"ratio":40}]}`, 422, []string{"product_units[1].name"}},
			{"ErrUnitRatio1.5", `{"product_units":[{"name":"PCS","price":1,"ratio":1},{"name":"DUS","price":2,"ratio":1.5}]}`, 422, []string{"product_units[1].ratio"}},
			{"ErrUnitPriceNegative", `{"product_units":[{"name":"PCS","price":-0.01,"ratio":1}]}`, 422, []string{"product_units[0].price"}},
			{"ErrSeveral", `{"name":"","sku":"` + strings.Repeat("s", 101) + `","qty_on_hand":0.00001,"product_units":[]}`, 422,
				[]string{"name", "sku", "qty_on_hand", "product_units"}},
			{"ErrUnknownField", `{"sku":"X","harga":3500}`, 422, []string{"harga"}},
			{"ErrUnknownUnitField", `{"product_units":[{"name":"PCS","price":1,"ratio":1,"barcode":"899"}]}`, 422, []string{"product_units[0].barcode"}},
			{"ErrWrongType", `{"sku":"X","status":"false"}`, 400, []string{"status"}},
			{"ErrQtyString", `{"qty_on_hand":"5"}`, 400, []string{"qty_on_hand"}},
			{"ErrUnitPriceString", `{"product_units":[{"name":"PCS","price":"1","ratio":1}]}`, 400, []string{"product_units[0].price"}},
			{"ErrArrayBody", `[]`, 400, nil},
			{"ErrMalformed", `{`, 400, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantProblem(t, a.callBad("PATCH", path, tt.body, nil), tt.status, tt.fields...)
				sameProduct(t, a.mustGetProduct(t, orig.ID), cur)
			})
		}
		t.Run("ErrContentType", func(t *testing.T) {
			wantProblem(t, a.callBad("PATCH", path, `{"sku":"X"}`, map[string]string{"Content-Type": "text/plain"}), 415)
			sameProduct(t, a.mustGetProduct(t, orig.ID), cur)
		})
		t.Run("ErrTooLarge", func(t *testing.T) {
			wantProblem(t, a.callBad("PATCH", path, `{"description":"`+strings.Repeat("d", 1<<20)+`"}`, nil), 413)
			sameProduct(t, a.mustGetProduct(t, orig.ID), cur)
		})
		t.Run("ErrUnknownParameter", func(t *testing.T) {
			wantProblem(t, a.callBad("PATCH", path+"?dry_run=true", `{"sku":"X"}`, nil), 400, "dry_run")
			sameProduct(t, a.mustGetProduct(t, orig.ID), cur)
			wantProblem(t, a.callBad("GET", path+"?fields=name", "", nil), 400, "fields")
		})
	})
}

func TestProductDelete(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		keep := a.mustCreateProduct(t, productBody(map[string]any{"name": "Tetap"}))
		gone := a.mustCreateProduct(t, productBody(map[string]any{"name": "Hilang", "ext_product_code": "P-9", "tags": []string{"habis"}}))
		since := time.Now().UTC().Truncate(time.Microsecond).Add(-time.Microsecond)
		path := "/extapi/v1.0/products/" + itoa(gone.ID)

		t.Run("ErrUnknownParameter", func(t *testing.T) {
			wantProblem(t, a.callBad("DELETE", path+"?force=true", "", nil), 400, "force")
			sameProduct(t, a.mustGetProduct(t, gone.ID), gone)
		})
		t.Run("OK", func(t *testing.T) {
			r := a.call("DELETE", path, "")
			mustOK(t, r)
			if strings.TrimSpace(string(r.body)) != "{}" {
				t.Fatalf("body %s; want {}", r.body)
			}
			after := time.Now().UTC()
			wantProblem(t, a.call("GET", path, ""), 404)
			wantProblem(t, a.call("PATCH", path, `{"name":"Kembali"}`), 404)
			wantProblem(t, a.call("DELETE", path, ""), 404)
			wantProductIDs(t, a.mustListAllProducts(t, "limit=1"), keep)
			wantProductIDs(t, a.mustListProducts(t, "tag=habis").Data)
			if n := a.countProducts(t); n != 1 {
				t.Fatalf("total = %d; want 1", n)
			}
			// The tombstone, for syncing clients.
			p := a.mustDeletedProducts(t, "since="+stamp(since))
			if len(p.Data) != 1 || p.Data[0].ID != gone.ID || p.NextCursor != nil {
				t.Fatalf("deleted = %+v; want product %d", p, gone.ID)
			}
			at := p.Data[0].DeletedAt
			if !at.After(since) || at.After(after) || !at.After(gone.UpdatedAt) {
				t.Fatalf("deleted_at = %v; want after %v and %v, not after %v", at, since, gone.UpdatedAt, after)
			}
			if p := a.mustDeletedProducts(t, ""); len(p.Data) != 1 {
				t.Fatalf("deleted without since = %+v; want every tombstone", p)
			}
			if p := a.mustDeletedProducts(t, "since="+stamp(at)); len(p.Data) != 0 {
				t.Fatalf("deleted since its own deleted_at = %+v; want none", p)
			}
			if p := a.mustDeletedProducts(t, "include_total=true&since="+stamp(at.Add(-time.Microsecond))); len(p.Data) != 1 || p.Total == nil || *p.Total != 1 {
				t.Fatalf("deleted since 1µs before = %+v; want it", p)
			}
			// Product tombstones are not customer tombstones.
			if p := a.mustDeleted(t, ""); len(p.Data) != 0 {
				t.Fatalf("customer tombstones = %+v; want none", p)
			}
			// Its ext_product_code is free again.
			a.mustCreateProduct(t, productBody(map[string]any{"name": "Baru", "ext_product_code": "P-9"}))
		})
		t.Run("OK/Paged", func(t *testing.T) {
			want := []int64{gone.ID}
			for i := range 4 {
				p := a.mustCreateProduct(t, productBody(map[string]any{"name": fmt.Sprint("Produk ", i)}))
				mustOK(t, a.call("DELETE", "/extapi/v1.0/products/"+itoa(p.ID), ""))
				want = append(want, p.ID)
			}
			var got []int64
			cursor := ""
			for pages := 1; ; pages++ {
				q := "limit=2&include_total=true&since=" + stamp(since)
				if cursor != "" {
					q += "&cursor=" + url.QueryEscape(cursor)
				}
				p := a.mustDeletedProducts(t, q)
				if p.Total == nil || *p.Total != 5 {
					t.Fatalf("total = %v; want 5", p.Total)
				}
				got = append(got, productTombstoneIDs(p)...)
				if p.NextCursor == nil {
					if pages != 3 {
						t.Fatalf("%d pages; want 3", pages)
					}
					break
				}
				cursor = *p.NextCursor
			}
			if !slices.Equal(got, want) {
				t.Fatalf("tombstones %v; want %v", got, want)
			}
		})
		t.Run("ErrBadParameters", func(t *testing.T) {
			idCursor := *a.mustListProducts(t, "limit=1").NextCursor
			for _, tt := range []struct{ query, field string }{
				{"since=yesterday", "since"},
				{"since=2024-01-01", "since"},
				{"limit=0", "limit"},
				{"limit=1001", "limit"},
				{"cursor=abc", "cursor"},
				{"cursor=" + url.QueryEscape(idCursor), "cursor"},
				{"include_total=1", "include_total"},
				{"updated_since=2024-01-01T00:00:00Z", "updated_since"},
				{"q=indomie", "q"},
				{"sku=IDM-G", "sku"},
			} {
				t.Run(tt.query, func(t *testing.T) {
					wantProblem(t, a.callBad("GET", "/extapi/v1.0/products/deleted?"+tt.query, "", nil), 400, tt.field)
				})
			}
		})
	})
}

func productTombstoneIDs(p tombstonePage) []int64 {
	out := make([]int64, len(p.Data))
	for i, ts := range p.Data {
		out[i] = ts.ID
	}
	return out
}

func TestProductConflict(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya", "CV Sinar Abadi")
		a, b := tns[0], tns[1]
		first := a.mustCreateProduct(t, productBody(map[string]any{"name": "Satu", "ext_product_code": "P-1", "tags": []string{"satu"}}))

		t.Run("ErrCreate", func(t *testing.T) {
			for _, code := range []string{"P-1", "  P-1 "} {
				r := a.call("POST", "/extapi/v1.0/products", productBody(map[string]any{"name": "Dua", "ext_product_code": code}))
				p := wantProblem(t, r, 409, "ext_product_code")
				if !strings.Contains(p.Detail, "P-1") {
					t.Errorf("detail %q does not name the ext_product_code", p.Detail)
				}
			}
			if n := a.countProducts(t); n != 1 {
				t.Fatalf("%d products after refused creates; want 1", n)
			}
		})
		t.Run("OK/EmptyIsNotUnique", func(t *testing.T) {
			a.mustCreateProduct(t, productBody(map[string]any{"name": "Tanpa Kode 1", "ext_product_code": ""}))
			a.mustCreateProduct(t, productBody(map[string]any{"name": "Tanpa Kode 2", "ext_product_code": "  "}))
			a.mustCreateProduct(t, productBody(map[string]any{"name": "Tanpa Kode 3"}))
		})
		t.Run("OK/CaseSensitive", func(t *testing.T) {
			if p := a.mustCreateProduct(t, productBody(map[string]any{"ext_product_code": "p-1"})); p.ExtProductCode != "p-1" {
				t.Fatalf("ext_product_code = %q", p.ExtProductCode)
			}
		})
		t.Run("OK/SKUNotUnique", func(t *testing.T) {
			a.mustCreateProduct(t, productBody(map[string]any{"sku": "SAMA"}))
			a.mustCreateProduct(t, productBody(map[string]any{"sku": "SAMA"}))
		})
		t.Run("OK/OtherDatabase", func(t *testing.T) {
			theirs := b.mustCreateProduct(t, productBody(map[string]any{"name": "Satu", "ext_product_code": "P-1"}))
			if theirs.ExtProductCode != "P-1" {
				t.Fatalf("ext_product_code = %q", theirs.ExtProductCode)
			}
			other := b.mustCreateProduct(t, productBody(map[string]any{"name": "Dua", "ext_product_code": "P-2"}))
			if p := b.mustPatchProduct(t, other.ID, `{"ext_product_code":"P-1-B"}`); p.ExtProductCode != "P-1-B" {
				t.Fatalf("ext_product_code = %q", p.ExtProductCode)
			}
		})
		t.Run("ErrPatch", func(t *testing.T) {
			second := a.mustCreateProduct(t, productBody(map[string]any{"name": "Dua", "ext_product_code": "P-2", "tags": []string{"dua"}}))
			r := a.call("PATCH", "/extapi/v1.0/products/"+itoa(second.ID), `{"name":"Dua Baru","qty_on_hand":99,"ext_product_code":" P-1"}`)
			wantProblem(t, r, 409, "ext_product_code")
			sameProduct(t, a.mustGetProduct(t, second.ID), second)
			// Its own code again is no change at all.
			sameProduct(t, a.mustPatchProduct(t, first.ID, `{"ext_product_code":"P-1"}`), first)
			// A code given up is free.
			a.mustPatchProduct(t, first.ID, `{"ext_product_code":"P-1-OLD"}`)
			if p := a.mustPatchProduct(t, second.ID, `{"ext_product_code":"P-1"}`); p.ExtProductCode != "P-1" {
				t.Fatalf("ext_product_code = %q", p.ExtProductCode)
			}
		})
		t.Run("ErrConcurrentCreates", func(t *testing.T) {
			// Racing creates with one code: one wins, the others get 409, never 500.
			const n = 8
			var wg sync.WaitGroup
			statuses := make([]int, n)
			for i := range n {
				wg.Go(func() {
					r := a.call("POST", "/extapi/v1.0/products", productBody(map[string]any{"name": fmt.Sprint("Balapan ", i), "ext_product_code": "P-RACE"}))
					statuses[i] = r.StatusCode
				})
			}
			wg.Wait()
			slices.Sort(statuses)
			if want := []int{200, 409, 409, 409, 409, 409, 409, 409}; !slices.Equal(statuses, want) {
				t.Fatalf("statuses %v; want %v", statuses, want)
			}
			if got := a.mustListProducts(t, "ext_product_code=P-RACE").Data; len(got) != 1 {
				t.Fatalf("%d products with P-RACE; want 1", len(got))
			}
		})
	})
}

// TestProductTenancy checks that another database's products are not found,
// not changed and not listed, whatever the caller tries.
func TestProductTenancy(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		agus := e.mustUser("agus@sinarabadi.example")
		b := e.mustTenant(agus, e.login(agus.Email), "CV Sinar Abadi")

		body := productBody(map[string]any{"name": "Indomie Bersama", "description": "Mi instan", "sku": "IDM-B", "ext_product_code": "P-1", "tags": []string{"mie"}})
		mine := a.mustCreateProduct(t, body)
		theirs := b.mustCreateProduct(t, body)
		theirsGone := b.mustCreateProduct(t, productBody(map[string]any{"name": "Hilang"}))
		mustOK(t, b.call("DELETE", "/extapi/v1.0/products/"+itoa(theirsGone.ID), ""))

		for _, id := range []int64{theirs.ID, theirsGone.ID} {
			path := "/extapi/v1.0/products/" + itoa(id)
			t.Run("ErrNotFound/"+itoa(id), func(t *testing.T) {
				wantProblem(t, a.call("GET", path, ""), 404)
				wantProblem(t, a.call("PATCH", path, `{"name":"Diambil Alih","status":false}`), 404)
				wantProblem(t, a.call("PATCH", path, `{"product_units":[{"name":"PCS","price":0,"ratio":1}]}`), 404)
				wantProblem(t, a.call("PATCH", path, `{}`), 404)
				wantProblem(t, a.call("DELETE", path, ""), 404)
			})
		}
		t.Run("UnchangedForOwner", func(t *testing.T) {
			sameProduct(t, b.mustGetProduct(t, theirs.ID), theirs)
			wantProductIDs(t, b.mustListAllProducts(t, ""), theirs)
			if p := b.mustDeletedProducts(t, ""); len(p.Data) != 1 || p.Data[0].ID != theirsGone.ID {
				t.Fatalf("owner's tombstones = %+v", p)
			}
		})
		t.Run("ListsShowOwnRowsOnly", func(t *testing.T) {
			for _, q := range []string{"", "include_total=true", "q=bersama", "q=idm-b", "q=p-1", "q=instan", "tag=mie", "sku=IDM-B",
				"ext_product_code=P-1", "status=true", "updated_since=2000-01-01T00:00:00Z", "limit=1"} {
				p := a.mustListProducts(t, q)
				wantProductIDs(t, p.Data, mine)
				if p.NextCursor != nil {
					t.Fatalf("%s: next_cursor %q; want null", q, *p.NextCursor)
				}
			}
			if n := a.countProducts(t); n != 1 {
				t.Fatalf("total = %d; want 1", n)
			}
			if p := a.mustDeletedProducts(t, "include_total=true"); len(p.Data) != 0 || *p.Total != 0 {
				t.Fatalf("tombstones = %+v; want none", p)
			}
		})
		t.Run("ErrOtherDatabasesTeamToken", func(t *testing.T) {
			// Budi is not a member of Agus's database.
			r := e.do(request{method: "GET", path: "/extapi/v1.0/products/" + itoa(theirs.ID), bearer: a.bearer, teamToken: b.teamToken})
			wantProblem(t, r, 403)
			r = e.do(request{method: "POST", path: "/extapi/v1.0/products", bearer: a.bearer, teamToken: b.teamToken, body: productBody(nil)})
			wantProblem(t, r, 403)
			if n := b.countProducts(t); n != 1 {
				t.Fatalf("owner has %d products; want 1", n)
			}
		})
	})
}

func TestProductJunkIDs(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		p := a.mustCreateProduct(t, productBody(nil))
		for _, id := range []string{"abc", "0", "-1", "99999999999999999999", "1.5", "1e3", "0x1", "987654321", itoa(p.ID) + "a", "%20" + itoa(p.ID)} {
			t.Run(id, func(t *testing.T) {
				path := "/extapi/v1.0/products/" + id
				wantProblem(t, a.call("GET", path, ""), 404)
				wantProblem(t, a.call("PATCH", path, `{"name":"Lain"}`), 404)
				wantProblem(t, a.call("DELETE", path, ""), 404)
			})
		}
		sameProduct(t, a.mustGetProduct(t, p.ID), p)
	})
}

func TestProductListFilters(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		indomie := a.mustCreateProduct(t, productBody(map[string]any{"name": "Indomie Goreng", "description": "Mi instan goreng", "sku": "IDM-G",
			"ext_product_code": "P-0007", "tags": []string{"mie", "instan"}}))
		aqua := a.mustCreateProduct(t, productBody(map[string]any{"name": "Aqua Botol", "description": "Air mineral 600 ml", "sku": "AQ-600",
			"ext_product_code": "P-0100", "tags": []string{"minuman"}, "status": false}))
		kopi := a.mustCreateProduct(t, productBody(map[string]any{"name": "Kopi Kapal Api", "description": "Bubuk 50% robusta, Kafé", "sku": "KKA-165",
			"ext_product_code": "KA-1", "tags": []string{"minuman", "Kopi"}}))
		sabun := a.mustCreateProduct(t, productBody(map[string]any{"name": "Sabun Cuci", "tags": []string{"Mie"}}))

		for _, tt := range []struct {
			query string
			want  []salesmania.Product
		}{
			{"", []salesmania.Product{indomie, aqua, kopi, sabun}},
			// q: each of the four fields, any case.
			{"q=indomie", []salesmania.Product{indomie}},
			{"q=GORENG", []salesmania.Product{indomie}},
			{"q=bOtOl", []salesmania.Product{aqua}},
			{"q=idm-g", []salesmania.Product{indomie}},
			{"q=AQ-6", []salesmania.Product{aqua}},
			{"q=kka-165", []salesmania.Product{kopi}},
			{"q=p-0", []salesmania.Product{indomie, aqua}},
			{"q=p-01", []salesmania.Product{aqua}},
			{"q=ka-1", []salesmania.Product{kopi}},
			{"q=MINERAL", []salesmania.Product{aqua}},
			{"q=Robusta", []salesmania.Product{kopi}},
			{"q=instan%20GORENG", []salesmania.Product{indomie}},
			{"q=%20%20aqua%20", []salesmania.Product{aqua}},
			{"q=Kaf%C3%A9", []salesmania.Product{kopi}},
			{"q=a", []salesmania.Product{indomie, aqua, kopi, sabun}},
			{"q=nowhere", nil},
			// LIKE wildcards match themselves.
			{"q=%25", []salesmania.Product{kopi}},
			{"q=50%25", []salesmania.Product{kopi}},
			{"q=_", nil},
			{"q=Indomie%25Goreng", nil},
			// q does not search tags.
			{"q=minuman", nil},
			{"status=true", []salesmania.Product{indomie, kopi, sabun}},
			{"status=false", []salesmania.Product{aqua}},
			// tag, sku and ext_product_code are exact.
			{"tag=minuman", []salesmania.Product{aqua, kopi}},
			{"tag=mie", []salesmania.Product{indomie}},
			{"tag=Mie", []salesmania.Product{sabun}},
			{"tag=Kopi", []salesmania.Product{kopi}},
			{"tag=kopi", nil},
			{"tag=mi", nil},
			{"tag=%20instan%20", []salesmania.Product{indomie}},
			{"sku=IDM-G", []salesmania.Product{indomie}},
			{"sku=idm-g", nil},
			{"sku=IDM", nil},
			{"sku=%20AQ-600", []salesmania.Product{aqua}},
			{"ext_product_code=P-0007", []salesmania.Product{indomie}},
			{"ext_product_code=p-0007", nil},
			{"ext_product_code=P-000", nil},
			{"ext_product_code=KA-1%20", []salesmania.Product{kopi}},
			// Filters combine with AND.
			{"q=p-0&status=true", []salesmania.Product{indomie}},
			{"tag=minuman&status=false", []salesmania.Product{aqua}},
			{"tag=minuman&q=kopi", []salesmania.Product{kopi}},
			{"sku=IDM-G&tag=mie&q=goreng&status=true&ext_product_code=P-0007", []salesmania.Product{indomie}},
			{"sku=IDM-G&ext_product_code=KA-1", nil},
			{"status=false&tag=mie", nil},
		} {
			t.Run(tt.query, func(t *testing.T) {
				wantProductIDs(t, a.mustListAllProducts(t, join(tt.query, "limit=1")), tt.want...)
				p := a.mustListProducts(t, join(tt.query, "include_total=true"))
				wantProductIDs(t, p.Data, tt.want...)
				if p.Total == nil || *p.Total != int64(len(tt.want)) || p.NextCursor != nil {
					t.Fatalf("total %v, next_cursor %v; want %d and null", p.Total, p.NextCursor, len(tt.want))
				}
			})
		}
		t.Run("ListShowsWholeProducts", func(t *testing.T) {
			for i, p := range a.mustListProducts(t, "").Data {
				sameProduct(t, p, []salesmania.Product{indomie, aqua, kopi, sabun}[i])
			}
		})
		t.Run("IncludeTotal", func(t *testing.T) {
			if r := a.call("GET", "/extapi/v1.0/products?limit=2", ""); bytes.Contains(r.body, []byte(`"total"`)) {
				t.Fatalf("total without include_total: %s", r.body)
			}
			if r := a.call("GET", "/extapi/v1.0/products?include_total=false", ""); bytes.Contains(r.body, []byte(`"total"`)) {
				t.Fatalf("total with include_total=false: %s", r.body)
			}
			p := a.mustListProducts(t, "limit=2&include_total=true")
			wantProductIDs(t, p.Data, indomie, aqua)
			if *p.Total != 4 || p.NextCursor == nil {
				t.Fatalf("total %d, next_cursor %v; want 4 and more", *p.Total, p.NextCursor)
			}
			// The total counts every page, not what is left.
			p = a.mustListProducts(t, "limit=2&include_total=true&cursor="+url.QueryEscape(*p.NextCursor))
			wantProductIDs(t, p.Data, kopi, sabun)
			if *p.Total != 4 || p.NextCursor != nil {
				t.Fatalf("total %d, next_cursor %v; want 4 and null", *p.Total, p.NextCursor)
			}
			if p := a.mustListProducts(t, "include_total=true&updated_since="+stamp(aqua.UpdatedAt)); *p.Total != 2 {
				t.Fatalf("total since the second product = %d; want 2", *p.Total)
			}
		})
	})
}

func TestProductListBadParameters(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		for i := range 3 {
			a.mustCreateProduct(t, productBody(map[string]any{"name": fmt.Sprint("Produk ", i)}))
		}
		idCursor := *a.mustListProducts(t, "limit=1").NextCursor
		timeCursor := *a.mustListProducts(t, "limit=1&updated_since=2000-01-01T00:00:00Z").NextCursor
		for _, tt := range []struct{ query, field string }{
			{"limit=0", "limit"},
			{"limit=1001", "limit"},
			{"limit=-1", "limit"},
			{"limit=abc", "limit"},
			{"limit=1.5", "limit"},
			{"limit=10&limit=20", "limit"},
			{"cursor=junk", "cursor"},
			{"cursor=" + url.QueryEscape(idCursor+"x"), "cursor"},
			{"cursor=eyJpIjowfQ", "cursor"}, // {"i":0}
			{"cursor=" + strings.Repeat("A", 200), "cursor"},
			{"cursor=" + url.QueryEscape(timeCursor), "cursor"},
			{"cursor=" + url.QueryEscape(idCursor) + "&updated_since=2000-01-01T00:00:00Z", "cursor"},
			{"include_total=yes", "include_total"},
			{"status=yes", "status"},
			{"status=1", "status"},
			{"status=TRUE", "status"},
			{"status=true&status=false", "status"},
			{"updated_since=yesterday", "updated_since"},
			{"updated_since=2024-01-01", "updated_since"},
			{"updated_since=2024-01-01T00:00:00+07:00", "updated_since"}, // an unescaped + is a space
			{"q=" + strings.Repeat("q", 201), "q"},
			{"q=a&q=b", "q"},
			{"tag=" + strings.Repeat("t", 51), "tag"},
			{"sku=" + strings.Repeat("s", 101), "sku"},
			{"sku=A&sku=B", "sku"},
			{"ext_product_code=" + strings.Repeat("e", 101), "ext_product_code"},
			{"ext_product_code=A&ext_product_code=B", "ext_product_code"},
			{"ext_cust_no=C-1", "ext_cust_no"},
			{"name=Indomie", "name"},
			{"since=2024-01-01T00:00:00Z", "since"},
			{"SKU=IDM-G", "SKU"},
		} {
			t.Run(tt.query, func(t *testing.T) {
				wantProblem(t, a.callBad("GET", "/extapi/v1.0/products?"+tt.query, "", nil), 400, tt.field)
			})
		}
		t.Run("EveryBadParameterNamed", func(t *testing.T) {
			r := a.callBad("GET", "/extapi/v1.0/products?limit=0&cursor=junk&status=yes&updated_since=yesterday&sku="+strings.Repeat("s", 101)+
				"&ext_product_code="+strings.Repeat("e", 101)+"&q="+strings.Repeat("q", 201)+"&tag="+strings.Repeat("t", 51)+"&include_total=2&foo=1", "", nil)
			p := wantProblem(t, r, 400)
			var got []string
			for _, f := range p.Errors {
				got = append(got, f.Field)
			}
			slices.Sort(got)
			want := []string{"cursor", "ext_product_code", "foo", "include_total", "limit", "q", "sku", "status", "tag", "updated_since"}
			if !slices.Equal(got, want) {
				t.Fatalf("fields %v; want %v", got, want)
			}
		})
	})
}

// TestProductListPaging walks 120 products 50 at a time, in both orderings,
// with another database's products interleaved by id.
func TestProductListPaging(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya", "CV Sinar Abadi")
		a, b := tns[0], tns[1]
		var want []int64
		others := map[int64]bool{}
		for i := range 120 {
			want = append(want, a.mustCreateProduct(t, productBody(map[string]any{"name": fmt.Sprintf("Produk %03d", i)})).ID)
			if i%10 == 0 {
				others[b.mustCreateProduct(t, productBody(map[string]any{"name": fmt.Sprintf("Lain %03d", i)})).ID] = true
			}
		}
		for _, order := range []string{"", "updated_since=2000-01-01T00:00:00Z"} {
			t.Run("Order"+order, func(t *testing.T) {
				var got []int64
				var sizes []int
				cursor := ""
				for {
					q := join(order, "limit=50", "include_total=true")
					if cursor != "" {
						q = join(q, "cursor="+url.QueryEscape(cursor))
					}
					p := a.mustListProducts(t, q)
					if p.Total == nil || *p.Total != 120 {
						t.Fatalf("total = %v; want 120", p.Total)
					}
					sizes = append(sizes, len(p.Data))
					for _, pr := range p.Data {
						if others[pr.ID] {
							t.Fatalf("product %d of another database listed", pr.ID)
						}
						got = append(got, pr.ID)
					}
					if p.NextCursor == nil {
						break
					}
					cursor = *p.NextCursor
				}
				if !slices.Equal(sizes, []int{50, 50, 20}) {
					t.Fatalf("page sizes %v; want [50 50 20]", sizes)
				}
				// Created one after another, the products' updated_at and id
				// orders agree, so both walks list every id once, ascending.
				if !slices.Equal(got, want) {
					t.Fatalf("ids %v\nwant %v", got, want)
				}
			})
		}
		t.Run("Limit1000", func(t *testing.T) {
			if p := a.mustListProducts(t, "limit=1000"); len(p.Data) != 120 || p.NextCursor != nil {
				t.Fatalf("limit=1000: %d rows, next_cursor %v", len(p.Data), p.NextCursor)
			}
			if p := a.mustListProducts(t, ""); len(p.Data) != 100 || p.NextCursor == nil {
				t.Fatalf("default limit: %d rows, next_cursor %v; want 100 and more", len(p.Data), p.NextCursor)
			}
		})
	})
}

// TestProductNullBody sends the JSON literal null as the body: it is not an
// object, so it is 400 like an array or a string (§9).
func TestProductNullBody(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		p := a.mustCreateProduct(t, productBody(nil))
		wantProblem(t, a.callBad("POST", "/extapi/v1.0/products", `null`, nil), 400)
		wantProblem(t, a.callBad("PATCH", "/extapi/v1.0/products/"+itoa(p.ID), ` null `, nil), 400)
		if n := a.countProducts(t); n != 1 {
			t.Fatalf("%d products; want 1", n)
		}
	})
}

// TestProductNULCharacter stores text with U+0000, which PostgreSQL's text
// type cannot hold: both databases must answer alike, with a 422 naming the
// field, never a 500.
func TestProductNULCharacter(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		p := a.mustCreateProduct(t, productBody(nil))
		for _, field := range []string{"name", "description", "sku", "ext_product_code"} {
			wantProblem(t, a.callBad("POST", "/extapi/v1.0/products", productBody(map[string]any{field: "a\u0000b"}), nil), 422, field)
			wantProblem(t, a.callBad("PATCH", "/extapi/v1.0/products/"+itoa(p.ID), js(map[string]string{field: "a\u0000b"}), nil), 422, field)
		}
		if n := a.countProducts(t); n != 1 {
			t.Fatalf("%d products; want 1", n)
		}
		sameProduct(t, a.mustGetProduct(t, p.ID), p)
	})
}

// TestProductListBadText sends filter values that are not text a database
// can compare: a bad query parameter, 400 naming it (§9), never a 500 nor a
// filter that silently matches everything.
func TestProductListBadText(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newProductEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		a.mustCreateProduct(t, productBody(nil))
		for _, tt := range []struct{ query, field string }{
			{"q=%FF", "q"},
			{"q=%00", "q"},
			{"tag=%FF", "tag"},
			{"sku=a%00", "sku"},
			{"ext_product_code=%C3", "ext_product_code"},
		} {
			t.Run(tt.query, func(t *testing.T) {
				wantProblem(t, a.callBad("GET", "/extapi/v1.0/products?"+tt.query, "", nil), 400, tt.field)
			})
		}
	})
}
