package client_test

import (
	"slices"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

func TestUpsertBatches(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		c, _ := f.newClient(t, memberEmail)

		items := []salesmania.CustomerFields{
			{Name: new("Toko A"), ExtCustNo: new("C-1"), Location: &salesmania.LocationInput{Lat: new(-7.1), Lon: new(110.4)}},
			{Name: new("Toko B")},
		}
		got, err := c.UpsertCustomers(ctx, items)
		mustNoErr(t, err)
		if len(got) != 2 || got[0].Result != salesmania.BatchCreated || got[0].ExtCustNo != "C-1" || got[1].Result != salesmania.BatchCreated {
			t.Fatalf("results = %+v", got)
		}
		// location null clears it, through the item's Nulls.
		again, err := c.UpsertCustomers(ctx, []salesmania.CustomerFields{{Name: new("Toko A"), ExtCustNo: new("C-1"), Nulls: map[string]bool{"location": true}}})
		mustNoErr(t, err)
		if again[0] != (salesmania.CustomerBatchResult{ID: got[0].ID, ExtCustNo: "C-1", Result: salesmania.BatchUpdated}) {
			t.Fatalf("again = %+v", again)
		}
		if cu, err := c.Customers.Get(ctx, got[0].ID); err != nil || cu.Location != nil {
			t.Fatalf("customer = %+v, %v; want no location", cu, err)
		}

		bad := []salesmania.CustomerFields{{Name: new("ok")}, {Name: new("x"), Location: &salesmania.LocationInput{Lat: new(91.0), Lon: new(1.0)}}, {}}
		_, err = c.UpsertCustomers(sendAnyway(ctx), bad)
		wantIE := []client.ItemError{{Item: 1, Field: "location.lat", Message: "must be between -90 and 90"}, {Item: 2, Field: "name", Message: "is required"}}
		if ie := client.ItemErrors(err); !slices.Equal(ie, wantIE) {
			t.Fatalf("ItemErrors = %+v; want %+v (err %v)", ie, wantIE, err)
		}
		_, err = c.UpsertCustomers(sendAnyway(ctx), nil)
		if ie := client.ItemErrors(err); len(ie) != 1 || ie[0].Item != -1 || ie[0].Field != "items" {
			t.Fatalf("ItemErrors of an empty batch = %+v", ie)
		}

		p, err := c.UpsertProducts(ctx, []salesmania.ProductFields{{Name: new("Indomie"), ExtProductCode: new("P-1"), QtyOnHand: new(salesmania.MustDecimal("12.5")),
			ProductUnits: &[]salesmania.ProductUnitInput{{Name: new("PCS"), Price: new(salesmania.MustDecimal("3500")), Ratio: new(salesmania.MustDecimal("1"))}}}})
		mustNoErr(t, err)
		if len(p) != 1 || p[0].Result != salesmania.BatchCreated || p[0].ExtProductCode != "P-1" {
			t.Fatalf("products = %+v", p)
		}
	})
}
