package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// company is the data the crash and backup tests seed through the store:
// one database with two teams, an admin who acts for both, a shop to visit
// and a product to order.
type company struct {
	dbID            int64
	teams           [2]int64
	email, password string
	shop            int64 // visits and orders go here; no test changes it
	product         int64 // sold by the unit "PCS"
}

// seedCompany creates the company in the database at dsn.
func seedCompany(t *testing.T, dsn string) company {
	t.Helper()
	co := company{email: "admin@majujaya.example", password: "Rahasia Admin 8"}
	store := sqlstoretest.MustOpenDSN(t, dsn)
	ctx := context.Background()
	db := salesmania.Database{Name: "PT Maju Jaya"}
	must(t, store.CreateDatabase(ctx, &db))
	co.dbID = db.ID
	for i, name := range []string{"Budi", "Siti"} {
		team := salesmania.Team{Name: name, ExtSalesmanNumber: fmt.Sprintf("S-0%d", i+1), Status: true}
		must(t, store.CreateTeam(ctx, db.ID, &team))
		co.teams[i] = team.ID
	}
	hash, err := auth.HashPassword(co.password)
	must(t, err)
	u := salesmania.User{Email: co.email, PasswordHash: hash}
	must(t, store.CreateUser(ctx, &u))
	must(t, store.PutMember(ctx, &salesmania.Membership{DBID: db.ID, UserID: u.ID, TeamID: co.teams[0], Role: salesmania.RoleAdmin}))
	shop := salesmania.Customer{Name: "Toko Sumber Rejeki", ExtCustNo: "C-0001", City: "Semarang", Status: true, Tags: []string{}}
	must(t, store.CreateCustomer(ctx, db.ID, &shop))
	co.shop = shop.ID
	p := salesmania.Product{Name: "Indomie Goreng", ExtProductCode: "P-0007", Status: true, Tags: []string{},
		QtyOnHand: salesmania.DecimalFromInt(1000), ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Price: salesmania.DecimalFromInt(3500), Ratio: 1}}}
	must(t, store.CreateProduct(ctx, db.ID, &p))
	co.product = p.ID
	return co
}

// spawnUnlimited starts a server process as spawnProcess does, with the
// rate limit off (TestMain splits SALESMANIA_TEST_ARGS at spaces): the
// writers of one bearer token send far more than its 100 requests a
// second. The process is killed when the test ends, unless the test has
// checked how it ended.
func spawnUnlimited(t *testing.T, dsn string) *childProcess {
	t.Helper()
	p := spawnProcess(t, dsn+" --rate-limit 0")
	t.Cleanup(func() {
		if !p.checked {
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// crashDates are the dates of the routes the writers append to, one
// route per team and date.
var crashDates = [2]string{"2024-03-01", "2024-03-02"}

// ownedCustomer is a customer that one writer created and that it alone
// patches, one request at a time: after a crash the row must show the last
// acknowledged write of it, or the one PATCH that was in flight.
type ownedCustomer struct {
	id       int64
	acked    []byte // the answer to the last acknowledged write (create or PATCH)
	inFlight string // the city of a PATCH sent but never answered; "" if none
}

// crashWriter sends writes one after another until the server dies, and
// keeps what was acknowledged.
type crashWriter struct {
	n                 int
	url               string
	bearer, teamToken string
	co                company
	progress          *[4]atomic.Int64 // acknowledged writes of all writers, by kind

	customers []*ownedCustomer
	visits    []salesmania.Visit // acknowledged appends
	orders    map[int64][]byte   // acknowledged orders by id: the answer
	acks      [4]int             // acknowledged writes by kind
	failures  []string           // answers other than 200
	ended     error              // the transport error that stopped the writer
}

const (
	kindCreateCustomer = iota
	kindPatchCustomer
	kindAppendVisit
	kindCreateOrder
)

// run sends a mix of the four writes until one fails without an answer
// (the server is gone), or until deadline.
func (w *crashWriter) run(client *http.Client, deadline time.Time) {
	w.orders = map[int64][]byte{}
	team := w.co.teams[w.n%2]
	date := crashDates[(w.n/2)%2]
	for i := 0; i < 1_000_000 && time.Now().Before(deadline); i++ {
		kind := i % 4
		if kind == kindPatchCustomer && len(w.customers) == 0 {
			kind = kindCreateCustomer
		}
		var method, path, body string
		var target *ownedCustomer
		city := fmt.Sprintf("W%02d-%06d", w.n, i)
		switch kind {
		case kindCreateCustomer:
			method, path = "POST", "/extapi/v1.0/customers"
			body = mustJSON(map[string]any{"name": "Toko " + city, "ext_cust_no": city, "city": city, "tags": []string{fmt.Sprintf("w%02d", w.n)}})
		case kindPatchCustomer:
			target = w.customers[i%len(w.customers)]
			method, path = "PATCH", "/extapi/v1.0/customers/"+itoa(target.id)
			body = mustJSON(map[string]any{"city": city})
		case kindAppendVisit:
			method, path = "POST", "/extapi/v1.1/visits"
			body = mustJSON(map[string]any{"date": date, "customer_id": w.co.shop, "team_id": team})
		case kindCreateOrder:
			method, path = "POST", "/extapi/v1.0/orders"
			body = mustJSON(map[string]any{"date": date, "customer_id": w.co.shop, "team_id": team, "ext_order_no": "SO-" + city,
				"disc_percent": "2", "ordered_products": []any{map[string]any{"product_id": w.co.product, "qty": i%7 + 1, "unit": "PCS", "price": 3500, "item_disc_percent": "10+5"}}})
		}
		a := send(client, method, w.url+path, w.bearer, w.teamToken, body)
		if a.err != nil {
			// No answer, or half of one: the write may or may not be
			// committed. Only a PATCH's outcome is checked either way.
			if target != nil {
				target.inFlight = city
			}
			w.ended = a.err
			return
		}
		if a.status != http.StatusOK {
			w.failures = append(w.failures, fmt.Sprintf("%s %s: %d %s", method, path, a.status, a.body))
			continue
		}
		w.acks[kind]++
		w.progress[kind].Add(1)
		switch kind {
		case kindCreateCustomer:
			var c salesmania.Customer
			if err := json.Unmarshal(a.body, &c); err != nil || c.ID == 0 {
				w.failures = append(w.failures, fmt.Sprintf("create customer answered %s (%v)", a.body, err))
				continue
			}
			w.customers = append(w.customers, &ownedCustomer{id: c.ID, acked: a.body})
		case kindPatchCustomer:
			target.acked = a.body
		case kindAppendVisit:
			var v salesmania.Visit
			if err := json.Unmarshal(a.body, &v); err != nil || v.ID == 0 {
				w.failures = append(w.failures, fmt.Sprintf("append visit answered %s (%v)", a.body, err))
				continue
			}
			w.visits = append(w.visits, v)
		case kindCreateOrder:
			var o struct{ ID int64 }
			if err := json.Unmarshal(a.body, &o); err != nil || o.ID == 0 {
				w.failures = append(w.failures, fmt.Sprintf("create order answered %s (%v)", a.body, err))
				continue
			}
			w.orders[o.ID] = a.body
		}
	}
}

// TestCrashUnderLoad is the durability acceptance test of the issue
// "writers under load, kill -9, restart": sixteen writers create and patch
// customers, append visits and create orders through a server process,
// which is killed with SIGKILL while they send. After a restart on the same
// database every acknowledged write is there with the values it was
// acknowledged with, each route's seqs still run 1..n, and SQLite's file,
// checked before the restart, passes integrity_check and foreign_key_check.
func TestCrashUnderLoad(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		// The server is killed once the writers have sent for load and
		// each kind of write has been acknowledged minAcks times, or
		// after maxLoad on a machine too busy for that.
		const (
			writers = 16
			load    = 1500 * time.Millisecond
			maxLoad = 10 * time.Second
			minAcks = 20
		)
		dsn := sqlstoretest.DSN(t, kind)
		co := seedCompany(t, dsn)

		first := spawnUnlimited(t, dsn)
		first.waitReady(t)
		bearer := first.api().login(t, co.email, co.password)
		teamToken := first.api().teamToken(t, bearer, co.dbID, co.teams[0])

		// The writers' own transport: the load must be load, so their
		// exchanges are not checked against the OpenAPI document; every
		// read after the restart is.
		writeClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: writers}, Timeout: 10 * time.Second}
		ws := make([]*crashWriter, writers)
		var progress [4]atomic.Int64
		var wg sync.WaitGroup
		began := time.Now()
		for i := range ws {
			ws[i] = &crashWriter{n: i, url: first.URL, bearer: bearer, teamToken: teamToken, co: co, progress: &progress}
			wg.Go(func() { ws[i].run(writeClient, began.Add(maxLoad+10*time.Second)) })
		}
		time.Sleep(load)
		for time.Since(began) < maxLoad && fewest(&progress) < minAcks {
			time.Sleep(10 * time.Millisecond)
		}
		first.checked = true
		must(t, first.cmd.Process.Kill())
		<-first.exited
		killed := time.Now()
		wg.Wait()
		writeClient.CloseIdleConnections()

		var acks [4]int
		inFlight := 0
		for _, w := range ws {
			for _, f := range w.failures {
				t.Errorf("writer %d: %s", w.n, f)
			}
			if w.ended == nil {
				t.Errorf("writer %d was not sending when the server was killed", w.n)
			}
			for k, n := range w.acks {
				acks[k] += n
			}
			for _, c := range w.customers {
				if c.inFlight != "" {
					inFlight++
				}
			}
		}
		t.Logf("%s: in %v, %d customers created, %d patched (%d PATCHes in flight at the kill), %d visits, %d orders acknowledged",
			kind, killed.Sub(began).Round(time.Millisecond), acks[kindCreateCustomer], acks[kindPatchCustomer], inFlight, acks[kindAppendVisit], acks[kindCreateOrder])
		for k, n := range acks {
			if n < minAcks {
				t.Fatalf("only %d writes of kind %d were acknowledged before the kill; too few to prove anything", n, k)
			}
		}
		if t.Failed() {
			t.FailNow()
		}

		if kind == "sqlite" {
			checkSQLiteFile(t, strings.TrimPrefix(dsn, "sqlite:"), acks[kindCreateCustomer]+1)
		}

		second := spawnUnlimited(t, dsn)
		t.Cleanup(func() { second.stop(t) })
		second.waitReady(t)
		client := &http.Client{Transport: openapitest.NewTransport(t, nil), Timeout: 30 * time.Second}
		get := func(path string) exchange {
			return send(client, "GET", second.URL+path, bearer, teamToken, "")
		}

		for _, w := range ws {
			for _, c := range w.customers {
				a := get("/extapi/v1.0/customers/" + itoa(c.id))
				if a.err != nil || a.status != http.StatusOK {
					t.Errorf("acknowledged customer %d after the crash: %v %d %s", c.id, a.err, a.status, a.body)
					continue
				}
				if !sameJSON(t, a.body, c.acked) && !(c.inFlight != "" && patchedTo(t, a.body, c.acked, c.inFlight)) {
					inFlight := ""
					if c.inFlight != "" {
						inFlight = fmt.Sprintf(" or, city %q (in flight at the kill)", c.inFlight)
					}
					t.Errorf("customer %d after the crash is\n\t%s\nwant its last acknowledged state\n\t%s%s", c.id, a.body, c.acked, inFlight)
				}
			}
			for id, acked := range w.orders {
				a := get("/extapi/v1.0/orders/" + itoa(id))
				if a.err != nil || a.status != http.StatusOK {
					t.Errorf("acknowledged order %d after the crash: %v %d %s", id, a.err, a.status, a.body)
				} else if !sameJSON(t, a.body, acked) {
					t.Errorf("order %d after the crash is\n\t%s\nwant, as acknowledged,\n\t%s", id, a.body, acked)
				}
			}
		}

		routes := listRoutes(t, get)
		for _, w := range ws {
			for _, want := range w.visits {
				route := routes[routeKey{want.TeamID, want.Date}]
				if want.Seq < 1 || want.Seq > int64(len(route)) || route[want.Seq-1].ID != want.ID ||
					route[want.Seq-1].CustomerID != want.CustomerID || !route[want.Seq-1].CreatedAt.Equal(want.CreatedAt) {
					t.Errorf("acknowledged visit %d (team %d, %s, seq %d) is not in its route after the crash", want.ID, want.TeamID, want.Date, want.Seq)
				}
			}
		}
		if len(routes) != 4 {
			t.Errorf("%d routes after the crash; want 4", len(routes))
		}

		// The restarted server appends after the survivors.
		key := routeKey{co.teams[0], crashDates[0]}
		a := send(client, "POST", second.URL+"/extapi/v1.1/visits", bearer, teamToken,
			mustJSON(map[string]any{"date": key.date, "customer_id": co.shop, "team_id": key.team}))
		var v salesmania.Visit
		if a.err != nil || a.status != http.StatusOK || json.Unmarshal(a.body, &v) != nil {
			t.Fatalf("append after the crash: %v %d %s", a.err, a.status, a.body)
		}
		if want := int64(len(routes[key])) + 1; v.Seq != want {
			t.Errorf("append after the crash got seq %d; want %d", v.Seq, want)
		}
	})
}

// fewest returns the lowest of the counts.
func fewest(counts *[4]atomic.Int64) int64 {
	least := counts[0].Load()
	for i := range counts {
		least = min(least, counts[i].Load())
	}
	return least
}

// routeKey names a route: a team's visits on a date.
type routeKey struct {
	team int64
	date string
}

// listRoutes lists every visit on crashDates, page by page, and returns
// them by route in seq order. It fails the test unless each route's seqs
// are exactly 1..n.
func listRoutes(t *testing.T, get func(path string) exchange) map[routeKey][]salesmania.Visit {
	t.Helper()
	routes := map[routeKey][]salesmania.Visit{}
	path := "/extapi/v1.1/visits?date_from=" + crashDates[0] + "&date_to=" + crashDates[1] + "&limit=1000"
	cursor := ""
	for page := 0; ; page++ {
		if page == 100 {
			t.Fatal("over 100 pages of visits")
		}
		p := path
		if cursor != "" {
			p += "&cursor=" + cursor
		}
		a := get(p)
		if a.err != nil || a.status != http.StatusOK {
			t.Fatalf("list visits after the crash: %v %d %s", a.err, a.status, a.body)
		}
		var out salesmania.Page[salesmania.Visit]
		must(t, json.Unmarshal(a.body, &out))
		for _, v := range out.Data {
			k := routeKey{v.TeamID, v.Date}
			routes[k] = append(routes[k], v)
		}
		if out.NextCursor == nil {
			break
		}
		cursor = *out.NextCursor
	}
	for k, route := range routes {
		for i, v := range route {
			if v.Seq != int64(i+1) {
				t.Fatalf("route of team %d on %s after the crash: visit %d has seq %d at position %d; want seqs 1..%d without gaps",
					k.team, k.date, v.ID, v.Seq, i+1, len(route))
			}
		}
	}
	return routes
}

// sameJSON reports whether two JSON documents hold the same values.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	must(t, json.Unmarshal(a, &x))
	must(t, json.Unmarshal(b, &y))
	return reflect.DeepEqual(x, y)
}

// patchedTo reports whether the customer got is acked with its city changed
// to city by a later PATCH (which also moves updated_at).
func patchedTo(t *testing.T, got, acked []byte, city string) bool {
	t.Helper()
	var g, a map[string]any
	must(t, json.Unmarshal(got, &g))
	must(t, json.Unmarshal(acked, &a))
	if g["city"] != city {
		return false
	}
	for _, m := range []map[string]any{g, a} {
		delete(m, "city")
		delete(m, "updated_at")
	}
	return reflect.DeepEqual(g, a)
}

// checkSQLiteFile opens the SQLite file of a killed server with the driver
// alone, read-only, so that the restarted server still finds the file and
// its WAL as the crash left them, and fails the test unless integrity_check
// answers ok, foreign_key_check finds no broken reference, and there are at
// least minCustomers customers (so the check saw the WAL too).
func checkSQLiteFile(t *testing.T, path string, minCustomers int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	must(t, err)
	defer db.Close()
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil {
		t.Fatalf("integrity_check after the crash: %v", err)
	}
	if check != "ok" {
		t.Fatalf("integrity_check after the crash = %q; want ok", check)
	}
	rows, err := db.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatalf("foreign_key_check after the crash: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int64
		must(t, rows.Scan(&table, &rowid, &parent, &fkid))
		t.Errorf("foreign_key_check after the crash: row %v of %s refers to a missing row of %s", rowid, table, parent)
	}
	must(t, rows.Err())
	var n int
	must(t, db.QueryRow("SELECT count(*) FROM customers").Scan(&n))
	if n < minCustomers {
		t.Errorf("the file after the crash holds %d customers; want at least the %d acknowledged", n, minCustomers)
	}
}
