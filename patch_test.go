package salesmania_test

import (
	"encoding/json"
	"testing"

	"github.com/salesmania/salesmania"
)

// The domain alone decides whether a PATCH changes anything: the store
// keeps updated_at when it does not, and an import skips the row.

func TestCustomerApplyToReportsChange(t *testing.T) {
	base := func() *salesmania.Customer {
		return &salesmania.Customer{ID: 1, Name: "Toko Sumber Rejeki", City: "Semarang", ExtCustNo: "C-1",
			Location: &salesmania.Location{Lat: -7.1, Lon: 110.4}, Status: true, Tags: []string{"grosir", "semarang"}}
	}
	for _, tt := range []struct {
		body    string
		changed bool
	}{
		{`{}`, false},
		{`{"name":" Toko Sumber Rejeki "}`, false},
		{`{"city":"Semarang","status":true}`, false},
		{`{"location":{"lat":-7.1,"lon":110.4}}`, false},
		{`{"tags":["grosir","semarang","grosir"]}`, false},
		{`{"tags":["semarang","grosir"]}`, true},
		{`{"location":null}`, true},
		{`{"location":{"lat":-7.1,"lon":110.5}}`, true},
		{`{"phone":"0812"}`, true},
		{`{"status":false}`, true},
		{`{"ext_cust_no":""}`, true},
	} {
		t.Run(tt.body, func(t *testing.T) {
			var f salesmania.CustomerFields
			nulls := decodeWithNulls(t, tt.body, &f)
			f.SetNulls(nulls)
			c := base()
			changed, err := f.ApplyTo(c)
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.changed {
				t.Fatalf("changed = %v; want %v (customer now %+v)", changed, tt.changed, c)
			}
		})
	}
	t.Run("ErrLeavesCustomer", func(t *testing.T) {
		var f salesmania.CustomerFields
		decodeWithNulls(t, `{"name":"x","location":{"lat":91,"lon":0}}`, &f)
		c := base()
		changed, err := f.ApplyTo(c)
		if salesmania.ErrorCode(err) != salesmania.EINVALID || changed || c.Name != base().Name {
			t.Fatalf("ApplyTo = %v, %v, name %q; want EINVALID, false, unchanged", changed, err, c.Name)
		}
	})
}

func TestProductApplyToReportsChange(t *testing.T) {
	base := func() *salesmania.Product {
		d := salesmania.MustDecimal
		return &salesmania.Product{ID: 7, Name: "Indomie Goreng", SKU: "IDM-G", Tags: []string{"mie"}, Status: true,
			ExtProductCode: "P-7", DefaultDisc: "5+2", QtyOnHand: d("1200.5"),
			ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Price: d("3500"), Ratio: 1}, {Name: "DUS", Price: d("130000"), Ratio: 40}}}
	}
	for _, tt := range []struct {
		body    string
		changed bool
	}{
		{`{}`, false},
		{`{"qty_on_hand":1200.50}`, false},
		{`{"product_units":[{"name":"PCS","price":3500.0,"ratio":1},{"name":" DUS ","price":130000,"ratio":40}]}`, false},
		{`{"default_disc":"5+2","sku":"IDM-G"}`, false},
		{`{"qty_on_hand":1200.51}`, true},
		{`{"product_units":[{"name":"DUS","price":130000,"ratio":40},{"name":"PCS","price":3500,"ratio":1}]}`, true},
		{`{"product_units":[{"name":"PCS","price":3600,"ratio":1},{"name":"DUS","price":130000,"ratio":40}]}`, true},
		{`{"default_disc":"5"}`, true},
		{`{"description":"enak"}`, true},
	} {
		t.Run(tt.body, func(t *testing.T) {
			var f salesmania.ProductFields
			f.SetNulls(decodeWithNulls(t, tt.body, &f))
			changed, err := f.ApplyTo(base())
			if err != nil {
				t.Fatal(err)
			}
			if changed != tt.changed {
				t.Fatalf("changed = %v; want %v", changed, tt.changed)
			}
		})
	}
}

// decodeWithNulls decodes a PATCH body as the HTTP layer does and returns
// the top-level members sent as null.
func decodeWithNulls(t *testing.T, body string, v any) map[string]bool {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	nulls := map[string]bool{}
	for k, m := range raw {
		if string(m) == "null" {
			nulls[k] = true
		}
	}
	return nulls
}
