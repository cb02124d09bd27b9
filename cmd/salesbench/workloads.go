package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// Kinds of workload: a read is compared with the read ceiling, a write with
// the write ceiling.
const (
	kindRead  = "read"
	kindWrite = "write"
)

// workload is one kind of request the benchmark drives the server with.
type workload struct {
	Name string
	Kind string
	Desc string
	// Setup, if not nil, prepares what Next needs, through the API.
	Setup func(ctx context.Context, a *app) error
	// Next returns the next request; it is called from many goroutines,
	// each with its own rng.
	Next func(a *app, rng *rand.Rand) request
}

// workloads lists every workload, in the order they run. Reads of data
// that writes add (the day's visits) run after those writes.
var workloads = []workload{
	{Name: "get-customer", Kind: kindRead, Desc: "GET /customers/{id}, a random seeded customer",
		Next: func(a *app, rng *rand.Rand) request {
			return request{Method: "GET", Path: "/extapi/v1.0/customers/" + itoa(a.randomCustomer(rng))}
		}},
	{Name: "list-customers", Kind: kindRead, Desc: "GET /customers?limit=50, a random page by cursor",
		Setup: func(ctx context.Context, a *app) error { return a.collectCursors(ctx) },
		Next: func(a *app, rng *rand.Rand) request {
			return request{Method: "GET", Path: "/extapi/v1.0/customers?limit=50" + a.randomCursor(rng)}
		}},
	{Name: "list-customers-total", Kind: kindRead, Desc: "as list-customers, with include_total=true",
		Setup: func(ctx context.Context, a *app) error { return a.collectCursors(ctx) },
		Next: func(a *app, rng *rand.Rand) request {
			return request{Method: "GET", Path: "/extapi/v1.0/customers?limit=50&include_total=true" + a.randomCursor(rng)}
		}},
	{Name: "create-customer", Kind: kindWrite, Desc: "POST /customers, a new ext_cust_no each",
		Next: func(a *app, rng *rand.Rand) request {
			return request{Method: "POST", Path: "/extapi/v1.0/customers", Body: a.newCustomerBody(rng)}
		}},
	{Name: "patch-customer", Kind: kindWrite, Desc: "PATCH /customers/{id} city and phone",
		Next: func(a *app, rng *rand.Rand) request {
			c := cities[rng.IntN(len(cities))]
			body := mustJSON(map[string]string{"city": c.name, "phone": randomPhone(rng)})
			return request{Method: "PATCH", Path: "/extapi/v1.0/customers/" + itoa(a.randomCustomer(rng)), Body: body}
		}},
	{Name: "append-visit", Kind: kindWrite, Desc: "POST /v1.1/visits, random team, customer and day of the coming year",
		Next: func(a *app, rng *rand.Rand) request {
			return request{Method: "POST", Path: "/extapi/v1.1/visits", Body: a.visitBody(rng)}
		}},
	{Name: "get-visits-day", Kind: kindRead, Desc: "GET /v1.1/visits?date=&team_id=, a random team's route of 30 visits",
		Setup: func(ctx context.Context, a *app) error { return a.planVisits(ctx) },
		Next: func(a *app, rng *rand.Rand) request {
			return request{Method: "GET", Path: "/extapi/v1.1/visits?date=" + a.visitDate + "&team_id=" + itoa(a.randomTeam(rng))}
		}},
	{Name: "create-order", Kind: kindWrite, Desc: `POST /orders, 3 lines with units, disc "10+5", order disc "2"`,
		Setup: func(ctx context.Context, a *app) error { return a.loadProducts(ctx) },
		Next: func(a *app, rng *rand.Rand) request {
			return request{Method: "POST", Path: "/extapi/v1.0/orders", Body: a.orderBody(rng)}
		}},
	{Name: "get-order", Kind: kindRead, Desc: "GET /orders/{id}, one of 200 made in setup",
		Setup: func(ctx context.Context, a *app) error { return a.makeOrders(ctx) },
		Next: func(a *app, rng *rand.Rand) request {
			return request{Method: "GET", Path: "/extapi/v1.0/orders/" + itoa(a.orders[rng.IntN(len(a.orders))])}
		}},
}

// ceilingWorkloads drive the ceiling server.
var ceilingWorkloads = []workload{
	{Name: "ceiling-read", Kind: kindRead, Desc: "bare net/http: one customer row by primary key",
		Next: func(a *app, rng *rand.Rand) request {
			return request{Method: "GET", Path: "/row?db_id=" + itoa(a.seed.DBID) + "&id=" + itoa(a.randomCustomer(rng))}
		}},
	{Name: "ceiling-write", Kind: kindWrite, Desc: "bare net/http: insert one row (WAL, synchronous=NORMAL)",
		Next: func(a *app, rng *rand.Rand) request {
			return request{Method: "POST", Path: "/row", Body: a.newCustomerBody(rng)}
		}},
}

// app is the benchmark's view of the seeded server: who it is logged in as
// and the ids its requests use.
type app struct {
	*target
	seed      *seedInfo
	runID     string // keeps ext_cust_no and ext_order_no unique across runs
	visitDate string
	seq       atomic.Int64

	cursors  []string  // "" for the first page, then each next_cursor
	products []product // for order lines
	orders   []int64
}

// product is what an order line needs of a product.
type product struct {
	ID    int64 `json:"id"`
	Units []struct {
		Name  string      `json:"name"`
		Price json.Number `json:"price"`
	} `json:"product_units"`
}

// login gets a bearer token with Basic auth and the team token of the seeded
// database, as a client does, and returns the headers and query every data
// request then carries.
func login(ctx context.Context, t *target, info *seedInfo) error {
	basic := base64.StdEncoding.EncodeToString([]byte(info.Email + ":" + info.Password))
	t.headers = http.Header{"Authorization": {"Basic " + basic}}
	var tok struct {
		Token string `json:"token"`
	}
	if err := t.getJSON(ctx, "/extapi/v1.0/token", &tok); err != nil {
		return fmt.Errorf("log in: %w", err)
	}
	t.headers = http.Header{"Authorization": {"Bearer " + tok.Token}, "Accept": {"application/json"}}
	var team struct {
		TeamToken string `json:"team_token"`
	}
	if err := t.getJSON(ctx, "/extapi/v1.0/team_token?db_id="+itoa(info.DBID), &team); err != nil {
		return fmt.Errorf("get the team token: %w", err)
	}
	// The published API passes the team token as a query parameter.
	t.query = "team_token=" + url.QueryEscape(team.TeamToken)
	return nil
}

// getJSON GETs path and decodes the 200 answer into v.
func (t *target) getJSON(ctx context.Context, path string, v any) error {
	return t.sendJSON(ctx, request{Method: "GET", Path: path}, v)
}

// sendJSON sends r and decodes the 200 answer into v.
func (t *target) sendJSON(ctx context.Context, r request, v any) error {
	status, body, err := t.do(ctx, r, true)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("%s %s: %d %s", r.Method, r.Path, status, body)
	}
	return json.Unmarshal(body, v)
}

func (a *app) randomCustomer(rng *rand.Rand) int64 {
	return a.seed.Customers[rng.IntN(len(a.seed.Customers))]
}

func (a *app) randomTeam(rng *rand.Rand) int64 { return a.seed.Teams[rng.IntN(len(a.seed.Teams))] }

func (a *app) randomCursor(rng *rand.Rand) string {
	c := a.cursors[rng.IntN(len(a.cursors))]
	if c == "" {
		return ""
	}
	return "&cursor=" + url.QueryEscape(c)
}

// collectCursors pages through the customers 50 at a time, as a client
// syncing them does, and keeps each page's cursor.
func (a *app) collectCursors(ctx context.Context) error {
	if a.cursors != nil {
		return nil
	}
	cursors := []string{""}
	for {
		var page struct {
			NextCursor *string `json:"next_cursor"`
		}
		if err := a.getJSON(ctx, "/extapi/v1.0/customers?limit=50"+cursorParam(cursors[len(cursors)-1]), &page); err != nil {
			return err
		}
		if page.NextCursor == nil {
			break
		}
		cursors = append(cursors, *page.NextCursor)
	}
	a.cursors = cursors
	return nil
}

func cursorParam(c string) string {
	if c == "" {
		return ""
	}
	return "&cursor=" + url.QueryEscape(c)
}

// loadProducts reads the product list, as a phone does before taking
// orders.
func (a *app) loadProducts(ctx context.Context) error {
	if a.products != nil {
		return nil
	}
	var page struct {
		Data []product `json:"data"`
	}
	if err := a.getJSON(ctx, "/extapi/v1.0/products?limit=1000", &page); err != nil {
		return err
	}
	if len(page.Data) < 3 {
		return fmt.Errorf("the server lists %d products; orders need 3", len(page.Data))
	}
	a.products = page.Data
	return nil
}

// makeOrders creates 200 orders for get-order to read.
func (a *app) makeOrders(ctx context.Context) error {
	if err := a.loadProducts(ctx); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for range 200 {
		var o struct {
			ID int64 `json:"id"`
		}
		if err := a.sendJSON(ctx, request{Method: "POST", Path: "/extapi/v1.0/orders", Body: a.orderBody(rng)}, &o); err != nil {
			return fmt.Errorf("create an order: %w", err)
		}
		a.orders = append(a.orders, o.ID)
	}
	return nil
}

// routeLength is the number of visits of a team's day: a salesman's route.
const routeLength = 30

// planVisits appends routeLength visits for each team on the visit date:
// the day get-visits-day reads.
func (a *app) planVisits(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, team := range a.seed.Teams {
		for range routeLength {
			body := mustJSON(map[string]any{"date": a.visitDate, "customer_id": a.randomCustomer(rng), "team_id": team})
			var v struct{}
			if err := a.sendJSON(ctx, request{Method: "POST", Path: "/extapi/v1.1/visits", Body: body}, &v); err != nil {
				return fmt.Errorf("plan a visit: %w", err)
			}
		}
	}
	return nil
}

// newCustomerBody returns the body of a new customer with an ext_cust_no
// no other request of the run uses.
func (a *app) newCustomerBody(rng *rand.Rand) []byte {
	n := a.seq.Add(1)
	c := newCustomer(rng, fmt.Sprintf("B-%s-%d", a.runID, n), int(n))
	c.Name = fmt.Sprintf("%s (baru %d)", c.Name, n)
	return mustJSON(map[string]any{
		"name": c.Name, "address": c.Address, "city": c.City, "phone": c.Phone,
		"ext_cust_no": c.ExtCustNo, "location": c.Location, "tags": c.Tags,
	})
}

// visitBody returns a visit for a random team and customer on a random day
// of the coming year (as an ERP planning routes ahead sends them), so the
// day get-visits-day reads keeps its size: a salesman's route is a few dozen
// visits, not the thousands a 5 s burst on one day would make.
func (a *app) visitBody(rng *rand.Rand) []byte {
	day, _ := time.Parse(time.DateOnly, a.visitDate)
	date := day.AddDate(0, 0, 1+rng.IntN(365)).Format(time.DateOnly)
	return mustJSON(map[string]any{"date": date, "customer_id": a.randomCustomer(rng), "team_id": a.randomTeam(rng)})
}

// orderBody returns an order of three different products, each in one of
// its units at that unit's price, with a cascade discount per line and one
// on the order.
func (a *app) orderBody(rng *rand.Rand) []byte {
	n := a.seq.Add(1)
	type line struct {
		ProductID       int64       `json:"product_id"`
		Qty             int         `json:"qty"`
		Unit            string      `json:"unit"`
		Price           json.Number `json:"price"`
		ItemDiscPercent string      `json:"item_disc_percent"`
		Description     string      `json:"description"`
		ExtOrderLineID  int64       `json:"ext_order_line_id"`
	}
	picked := rng.Perm(len(a.products))[:3]
	lines := make([]line, 3)
	for i, pi := range picked {
		p := a.products[pi]
		u := p.Units[rng.IntN(len(p.Units))]
		lines[i] = line{ProductID: p.ID, Qty: 1 + rng.IntN(12), Unit: u.Name, Price: u.Price,
			ItemDiscPercent: "10+5", ExtOrderLineID: n*10 + int64(i)}
	}
	return mustJSON(map[string]any{
		"date": a.visitDate, "customer_id": a.randomCustomer(rng), "team_id": a.randomTeam(rng),
		"description": "", "ordered_products": lines, "disc_percent": "2", "disc_amount": 0, "total_paid": 0,
		"status": "Baru", "visit_status": "Order", "ext_order_no": fmt.Sprintf("SO-%s-%d", a.runID, n),
	})
}

func randomPhone(rng *rand.Rand) string {
	return fmt.Sprintf("08%02d-%04d-%04d", 11+rng.IntN(88), rng.IntN(10000), rng.IntN(10000))
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
