package sqlstore_test

import (
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// CreateOrder reads the rows an order names before its write transaction;
// a row deleted in between must make the order a clear 422, never a stored
// order pointing at nothing nor a 500.
func TestStore_CreateOrderRowGoneMeanwhile(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		for _, gone := range []string{"product", "customer"} {
			t.Run(gone, func(t *testing.T) {
				s := sqlstoretest.MustOpen(t, kind)
				d := MustCreateDatabase(t, s, "Acme")
				team := MustCreateTeam(t, s, d.ID, "Budi")
				c := MustCreateCustomer(t, s, d.ID, newCustomer("Toko Sumber Rejeki"))
				p := MustCreateProduct(t, s, d.ID, newProduct("Indomie Goreng"))
				sqlstore.SetOrderRefsReadHook(t, func() {
					var err error
					if gone == "product" {
						err = s.DeleteProduct(t.Context(), d.ID, p.ID)
					} else {
						err = s.DeleteCustomer(t.Context(), d.ID, c.ID)
					}
					if err != nil {
						t.Errorf("delete the %s: %v", gone, err)
					}
				})
				o := &salesmania.Order{Date: "2026-11-27", CustomerID: c.ID, TeamID: team.ID, Status: salesmania.OrderBaru,
					OrderedProducts: []salesmania.OrderLine{{ProductID: p.ID, Qty: dec("2"), Unit: "PCS", Price: dec("3500")}}}
				err := s.CreateOrder(t.Context(), d.ID, o)
				if gone == "product" {
					assertInvalid(t, err, "ordered_products[0].product_id")
				} else {
					assertInvalid(t, err, "customer_id")
				}
				page, err := s.ListOrders(t.Context(), d.ID, salesmania.OrderFilter{Teams: salesmania.AllTeams(), ListParams: salesmania.ListParams{Limit: 10, IncludeTotal: true}})
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Data) != 0 || *page.Total != 0 {
					t.Fatalf("orders after the refused one: %d (total %d), want none", len(page.Data), *page.Total)
				}
			})
		}
	})
}
