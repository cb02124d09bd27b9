package httpapi

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/salesmania/salesmania"
)

// badInput reports whether err is nil or an error of bad input, as opposed
// to a panic's stand-in or an internal error.
func badInput(err error) bool {
	switch salesmania.ErrorCode(err) {
	case "", salesmania.EBADREQUEST, salesmania.EINVALID:
		return true
	}
	return false
}

// FuzzCustomerBody decodes arbitrary POST and PATCH bodies as the server
// does and checks that every customer accepted keeps the rules of §3.
func FuzzCustomerBody(f *testing.F) {
	for _, s := range []string{
		`{"name":"Toko Sumber Rejeki","address":"Jl. Pemuda 12","city":"Semarang","phone":"0812","ext_cust_no":"C-1","location":{"lat":-7.1,"lon":110.4},"status":true,"tags":["grosir","grosir"]}`,
		`{"name":" ","location":{"lat":91}}`, `{"location":null}`, `{"tags":[""]}`, `{"name":null}`, `[]`, `{"name":"a","x":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fields salesmania.CustomerFields
		err := decodeJSON(body, &fields)
		if !badInput(err) {
			t.Fatalf("decode: %v", err)
		}
		if err != nil {
			return
		}
		fields.SetNulls(jsonNulls(body))
		c, err := fields.NewCustomer()
		if !badInput(err) {
			t.Fatalf("NewCustomer: %v", err)
		}
		if err == nil {
			checkCustomer(t, c)
		}
		existing := &salesmania.Customer{Name: "Toko", Status: true, Tags: []string{"a"}}
		if _, err := fields.ApplyTo(existing); !badInput(err) {
			t.Fatalf("ApplyTo: %v", err)
		} else if err == nil {
			checkCustomer(t, existing)
		}
	})
}

func checkCustomer(t *testing.T, c *salesmania.Customer) {
	t.Helper()
	if n := utf8.RuneCountInString(c.Name); n < 1 || n > 200 || c.Name != salesmania.CleanString(c.Name) {
		t.Fatalf("accepted name %q", c.Name)
	}
	if c.Location != nil && (c.Location.Lat < -90 || c.Location.Lat > 90 || c.Location.Lon < -180 || c.Location.Lon > 180) {
		t.Fatalf("accepted location %+v", *c.Location)
	}
	if len(c.Tags) > salesmania.MaxTags {
		t.Fatalf("accepted %d tags", len(c.Tags))
	}
	seen := map[string]bool{}
	for _, tag := range c.Tags {
		if tag == "" || seen[tag] || utf8.RuneCountInString(tag) > salesmania.MaxTagLength {
			t.Fatalf("accepted tags %q", c.Tags)
		}
		seen[tag] = true
	}
}

// FuzzProductBody does for product bodies what FuzzCustomerBody does for
// customers, with the unit rules of §4.
func FuzzProductBody(f *testing.F) {
	for _, s := range []string{
		`{"name":"Indomie Goreng","sku":"IDM-G","tags":["mie"],"ext_product_code":"P-7","default_disc":"5+2","qty_on_hand":1200,"product_units":[{"name":"PCS","price":3500,"ratio":1},{"name":"DUS","price":130000,"ratio":40}]}`,
		`{"name":"x","qty_on_hand":1.23456,"product_units":[{"name":"a","price":-1,"ratio":1.5}]}`,
		`{"product_units":[]}`, `{"default_disc":"10++5"}`, `{"qty_on_hand":"5"}`, `{"qty_on_hand":1e400}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var fields salesmania.ProductFields
		err := decodeJSON(body, &fields)
		if !badInput(err) {
			t.Fatalf("decode: %v", err)
		}
		if err != nil {
			return
		}
		fields.SetNulls(jsonNulls(body))
		p, err := fields.NewProduct()
		if !badInput(err) {
			t.Fatalf("NewProduct: %v", err)
		}
		if err != nil {
			return
		}
		if n := utf8.RuneCountInString(p.Name); n < 1 || n > 200 {
			t.Fatalf("accepted name %q", p.Name)
		}
		if _, err := salesmania.ParseDiscount(p.DefaultDisc); err != nil {
			t.Fatalf("accepted default_disc %q: %v", p.DefaultDisc, err)
		}
		if len(p.ProductUnits) < 1 || len(p.ProductUnits) > salesmania.MaxProductUnits {
			t.Fatalf("accepted %d units", len(p.ProductUnits))
		}
		base := false
		for _, u := range p.ProductUnits {
			if u.Ratio < 1 || u.Price.IsNegative() || u.Price.Places() > salesmania.MaxAmountPlaces || u.Name == "" {
				t.Fatalf("accepted unit %+v", u)
			}
			base = base || u.Ratio == 1
		}
		if !base {
			t.Fatalf("accepted units without a base unit: %+v", p.ProductUnits)
		}
	})
}

// FuzzListParams feeds arbitrary query strings to the list parameter parser.
func FuzzListParams(f *testing.F) {
	for _, s := range []string{"limit=10&cursor=eyJpIjoxfQ", "updated_since=2024-01-01T00:00:00Z&cursor=eyJ0Ijp0cnVlLCJ1IjoxLCJpIjoxfQ", "limit=0", "cursor=%%%", "cursor=&limit=%20", "status=yes&include_total=true"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		r := newRequestWithQuery(rawQuery)
		q := newParams(r, "limit", "cursor", "include_total", "updated_since", "status")
		lp := q.list()
		q.bool("status")
		err := q.err()
		if !badInput(err) {
			t.Fatalf("params: %v", err)
		}
		if err == nil && (lp.Limit < 1 || lp.Limit > salesmania.MaxListLimit || lp.After.ID < 0) {
			t.Fatalf("accepted %+v", lp)
		}
		if err == nil {
			for name, vs := range r.URL.Query() {
				for _, v := range vs {
					if name != "team_token" && strings.TrimSpace(v) == "" {
						t.Fatalf("accepted %s=%q: an empty value must not read as absent", name, v)
					}
				}
			}
		}
	})
}
