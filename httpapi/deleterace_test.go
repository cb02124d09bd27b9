package httpapi_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// TestDeleteRacesCreate deletes a customer and a product while orders and
// visits naming them are being created, all at once, round after round.
// Whoever comes second must get the contract's answer — 409 for a delete of
// a row now in use, 422 naming the field for a create of something that
// names a row now gone — never a 500; and the database must agree with
// every answer.
func TestDeleteRacesCreate(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		ctx := context.Background()
		const rounds, orders, visits = 40, 3, 3
		tally := map[string]int{}
		defer func() { t.Logf("answers over %d rounds: %v", rounds, tally) }()
		for round := range rounds {
			c := w.ani.mustCreate(t, fmt.Sprintf(`{"name":"Toko Sebentar %d"}`, round))
			p := w.ani.mustCreateProduct(t, fmt.Sprintf(`{"name":"Produk Sebentar %d","ext_product_code":"R-%d",
				"qty_on_hand":10,"product_units":[{"name":"PCS","price":3500,"ratio":1},{"name":"DUS","price":130000,"ratio":40}]}`, round, round))
			orderBody := strings.NewReplacer("$CUST", itoa(c.ID), "$PROD", itoa(p.ID), "$TEAM", itoa(w.teamBudi),
				"SO-2024-0001", fmt.Sprintf("SO-RACE-%d", round)).Replace(seedOrderBody)

			type answer struct {
				what string
				r    response
			}
			var (
				mu      sync.Mutex
				answers []answer
				wg      sync.WaitGroup
				start   = make(chan struct{})
			)
			send := func(what, method, path, body string) {
				wg.Go(func() {
					<-start
					r := w.ani.call(method, path, body)
					mu.Lock()
					answers = append(answers, answer{what, r})
					mu.Unlock()
				})
			}
			for range orders {
				send("order", "POST", w.ordersPath, orderBody)
			}
			for range visits {
				send("visit", "POST", visitsPath, visitBody("2024-01-02", c.ID, w.teamBudi))
			}
			send("delete customer", "DELETE", "/extapi/v1.0/customers/"+itoa(c.ID), "")
			send("delete product", "DELETE", "/extapi/v1.0/products/"+itoa(p.ID), "")
			close(start)
			wg.Wait()

			byWhat := map[string][]response{}
			for _, a := range answers {
				switch a.r.StatusCode {
				case 200, 404, 409, 422:
				default:
					t.Fatalf("round %d: %s: %d %s; want 200, 404, 409 or 422", round, a.what, a.r.StatusCode, a.r.body)
				}
				byWhat[a.what] = append(byWhat[a.what], a.r)
				tally[fmt.Sprint(a.what, " ", a.r.StatusCode)]++
			}
			custGone := byWhat["delete customer"][0].StatusCode == 200
			prodGone := byWhat["delete product"][0].StatusCode == 200

			// The database agrees with the answers.
			_, err := w.e.store.FindCustomer(ctx, w.a.DB.ID, c.ID)
			if gone := salesmania.ErrorCode(err) == salesmania.ENOTFOUND; gone != custGone || (err != nil && !gone) {
				t.Fatalf("round %d: customer delete answered %d, FindCustomer: %v", round, byWhat["delete customer"][0].StatusCode, err)
			}
			_, err = w.e.store.FindProduct(ctx, w.a.DB.ID, p.ID)
			if gone := salesmania.ErrorCode(err) == salesmania.ENOTFOUND; gone != prodGone || (err != nil && !gone) {
				t.Fatalf("round %d: product delete answered %d, FindProduct: %v", round, byWhat["delete product"][0].StatusCode, err)
			}
			storedOrders, err := w.e.store.ListOrders(ctx, w.a.DB.ID, salesmania.OrderFilter{Teams: salesmania.AllTeams(), CustomerID: c.ID, ListParams: salesmania.ListParams{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			storedVisits, err := w.e.store.ListVisits(ctx, w.a.DB.ID, salesmania.VisitFilter{Teams: salesmania.AllTeams(), CustomerID: c.ID, ListParams: salesmania.ListParams{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			created := func(what string) (ids []int64) {
				for _, r := range byWhat[what] {
					if r.StatusCode == 200 {
						var v struct{ ID int64 }
						r.json(t, &v)
						ids = append(ids, v.ID)
					}
				}
				slices.Sort(ids)
				return ids
			}
			var orderIDs, visitIDs []int64
			for _, o := range storedOrders.Data {
				orderIDs = append(orderIDs, o.ID)
			}
			for _, v := range storedVisits.Data {
				visitIDs = append(visitIDs, v.ID)
			}
			slices.Sort(orderIDs)
			slices.Sort(visitIDs)
			if got, want := orderIDs, created("order"); !slices.Equal(got, want) {
				t.Fatalf("round %d: stored orders %v; the 200s made %v", round, got, want)
			}
			if got, want := visitIDs, created("visit"); !slices.Equal(got, want) {
				t.Fatalf("round %d: stored visits %v; the 200s made %v", round, got, want)
			}
			// A delete is refused exactly when something refers to the row.
			if want := len(orderIDs)+len(visitIDs) > 0; custGone == want {
				t.Fatalf("round %d: customer delete %d with %d orders and %d visits", round, byWhat["delete customer"][0].StatusCode, len(orderIDs), len(visitIDs))
			}
			if want := len(orderIDs) > 0; prodGone == want {
				t.Fatalf("round %d: product delete %d with %d orders", round, byWhat["delete product"][0].StatusCode, len(orderIDs))
			}
			for _, what := range []string{"delete customer", "delete product"} {
				if r := byWhat[what][0]; r.StatusCode != 200 {
					wantProblem(t, r, 409)
				}
			}
			// A create is refused naming a row that is gone.
			for _, r := range byWhat["order"] {
				if r.StatusCode != 200 {
					p := wantProblem(t, r, 422)
					if len(p.Errors) == 0 {
						t.Fatalf("round %d: order refused naming no field: %s", round, r.body)
					}
					for _, f := range p.Errors {
						if !(f.Field == "customer_id" && custGone || f.Field == "ordered_products[0].product_id" && prodGone) {
							t.Fatalf("round %d: order refused for %s: %s", round, f.Field, r.body)
						}
					}
				}
			}
			for _, r := range byWhat["visit"] {
				if r.StatusCode != 200 {
					if !custGone {
						t.Fatalf("round %d: visit refused, customer not deleted: %s", round, r.body)
					}
					wantProblem(t, r, 422, "customer_id")
				}
			}
		}
	})
}
