package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
	"github.com/salesmania/salesmania/webhook"
)

// receiver is a webhook receiver on a fixed port that can be switched on
// after the server that sends to it has died.
type receiver struct {
	addr   string
	secret string
	mu     sync.Mutex
	got    []receivedHook
	srv    *http.Server
}

type receivedHook struct {
	event, delivery string
	body            []byte
	signatureOK     bool
}

// freeAddr returns a loopback address nothing listens on (yet).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func (r *receiver) start(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	r.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		// The signature's t is the time of the attempt; recompute the MAC.
		sig := req.Header.Get("X-SalesMania-Signature")
		ts, err := parseSigTime(sig)
		ok := err == nil && webhook.Sign(r.secret, ts, body) == sig
		r.mu.Lock()
		r.got = append(r.got, receivedHook{req.Header.Get("X-SalesMania-Event"), req.Header.Get("X-SalesMania-Delivery"), body, ok})
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})}
	go r.srv.Serve(ln)
	t.Cleanup(func() { r.srv.Close() })
}

// parseSigTime reads the t of "t=<unix>,v1=<hex>".
func parseSigTime(sig string) (int64, error) {
	tpart, _, _ := strings.Cut(sig, ",")
	ts, ok := strings.CutPrefix(tpart, "t=")
	if !ok {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(ts, 10, 64)
}

func (r *receiver) hooks() []receivedHook {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedHook(nil), r.got...)
}

// TestOrderSurvivesKill9 is the durability acceptance test of §6.3: an
// order acknowledged with 200 by a server that is then killed with SIGKILL
// is there after a restart, and its order.created event, written in the
// order's transaction, is delivered by the restarted server.
func TestOrderSurvivesKill9(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		const email, password = "admin@majujaya.example", "Rahasia Admin 8"
		dsn := sqlstoretest.DSN(t, kind)
		store := sqlstoretest.MustOpenDSN(t, dsn)
		ctx := context.Background()
		db := salesmania.Database{Name: "PT Maju Jaya"}
		must(t, store.CreateDatabase(ctx, &db))
		team := salesmania.Team{Name: "Budi", ExtSalesmanNumber: "S-01", Status: true}
		must(t, store.CreateTeam(ctx, db.ID, &team))
		hash, err := auth.HashPassword(password)
		must(t, err)
		u := salesmania.User{Email: email, PasswordHash: hash}
		must(t, store.CreateUser(ctx, &u))
		must(t, store.PutMember(ctx, &salesmania.Membership{DBID: db.ID, UserID: u.ID, TeamID: team.ID, Role: salesmania.RoleAdmin}))
		c := salesmania.Customer{Name: "Toko Sumber Rejeki", ExtCustNo: "C-0001", Status: true, Tags: []string{}}
		must(t, store.CreateCustomer(ctx, db.ID, &c))
		p := salesmania.Product{Name: "Indomie Goreng", ExtProductCode: "P-0007", Status: true, Tags: []string{},
			QtyOnHand: salesmania.DecimalFromInt(10), ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Price: salesmania.DecimalFromInt(3500), Ratio: 1}}}
		must(t, store.CreateProduct(ctx, db.ID, &p))
		// Nothing listens at the receiver's address until the server is dead.
		recv := &receiver{addr: freeAddr(t), secret: "a-webhook-secret-of-24ch"}
		hook := salesmania.Webhook{URL: "http://" + recv.addr + "/salesmania", Secret: recv.secret, Events: salesmania.Events}
		must(t, store.CreateWebhook(ctx, db.ID, &hook))

		first := spawnProcess(t, dsn)
		first.waitReady(t)
		bearer := first.api().login(t, email, password)
		teamToken := first.api().teamToken(t, bearer, db.ID, team.ID)
		client := &http.Client{Transport: openapitest.NewTransport(t, nil), Timeout: 30 * time.Second}
		body := mustJSON(map[string]any{"date": "2024-01-01", "customer_id": c.ID,
			"ordered_products": []any{map[string]any{"product_id": p.ID, "qty": 2, "unit": "PCS", "price": 3500}}})
		a := send(client, "POST", first.URL+"/extapi/v1.0/orders", bearer, teamToken, body)
		if a.err != nil || a.status != http.StatusOK {
			t.Fatalf("create order: %v %d %s", a.err, a.status, a.body)
		}
		// SIGKILL at once: no drain, no deferred work.
		first.checked = true
		if err := first.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-first.exited
		var o salesmania.Order
		must(t, json.Unmarshal(a.body, &o))

		recv.start(t)
		second := spawnProcess(t, dsn)
		t.Cleanup(func() { second.stop(t) })
		second.waitReady(t)
		a = send(client, "GET", second.URL+"/extapi/v1.0/orders/"+strconv.FormatInt(o.ID, 10), bearer, teamToken, "")
		if a.status != http.StatusOK {
			t.Fatalf("the acknowledged order after the crash: %d %s", a.status, a.body)
		}

		// A delivery the dead server had claimed waits for its lease (1
		// minute) to run out; most runs deliver within a second or two.
		deadline := time.Now().Add(90 * time.Second)
		for len(recv.hooks()) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("order.created was not delivered after the restart\nstderr:\n%s", second.stderr)
			}
			time.Sleep(50 * time.Millisecond)
		}
		h := recv.hooks()[0]
		var ext salesmania.ExtOrder
		must(t, json.Unmarshal(h.body, &ext))
		if h.event != salesmania.EventOrderCreated || !h.signatureOK || ext.SMOrderID != o.ID || ext.ExtCustNo != "C-0001" ||
			len(ext.OrderedProduct) != 1 || ext.OrderedProduct[0].ExtProductCode != "P-0007" {
			t.Fatalf("delivered %s (signature ok %v): %s", h.event, h.signatureOK, h.body)
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestWebhooksTwoProcessesSendEachOnce runs two server processes on one
// PostgreSQL database, creates orders through both, and checks that every
// event reaches the receiver exactly once: the processes' dispatchers share
// the outbox without sending a delivery twice (§6.3).
func TestWebhooksTwoProcessesSendEachOnce(t *testing.T) {
	t.Parallel()
	const email, password, orders = "admin@majujaya.example", "Rahasia Admin 8", 20
	dsn := sqlstoretest.DSN(t, "postgres")
	store := sqlstoretest.MustOpenDSN(t, dsn)
	ctx := context.Background()
	db := salesmania.Database{Name: "PT Maju Jaya"}
	must(t, store.CreateDatabase(ctx, &db))
	team := salesmania.Team{Name: "Budi", Status: true}
	must(t, store.CreateTeam(ctx, db.ID, &team))
	hash, err := auth.HashPassword(password)
	must(t, err)
	u := salesmania.User{Email: email, PasswordHash: hash}
	must(t, store.CreateUser(ctx, &u))
	must(t, store.PutMember(ctx, &salesmania.Membership{DBID: db.ID, UserID: u.ID, TeamID: team.ID, Role: salesmania.RoleAdmin}))
	c := salesmania.Customer{Name: "Toko Sumber Rejeki", Status: true, Tags: []string{}}
	must(t, store.CreateCustomer(ctx, db.ID, &c))
	p := salesmania.Product{Name: "Indomie Goreng", Status: true, Tags: []string{},
		QtyOnHand: salesmania.DecimalFromInt(10), ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Price: salesmania.DecimalFromInt(3500), Ratio: 1}}}
	must(t, store.CreateProduct(ctx, db.ID, &p))
	recv := &receiver{addr: freeAddr(t), secret: "a-webhook-secret-of-24ch"}
	recv.start(t)
	hook := salesmania.Webhook{URL: "http://" + recv.addr + "/salesmania", Secret: recv.secret, Events: []string{salesmania.EventOrderCreated}}
	must(t, store.CreateWebhook(ctx, db.ID, &hook))

	procs := startProcesses(t, 2, dsn)
	client := &http.Client{Transport: openapitest.NewTransport(t, nil), Timeout: 30 * time.Second}
	body := mustJSON(map[string]any{"date": "2024-01-01", "customer_id": c.ID,
		"ordered_products": []any{map[string]any{"product_id": p.ID, "qty": 1, "unit": "PCS", "price": 3500}}})
	var wg sync.WaitGroup
	for _, proc := range procs {
		bearer := proc.api().login(t, email, password)
		teamToken := proc.api().teamToken(t, bearer, db.ID, team.ID)
		wg.Go(func() {
			for range orders / 2 {
				if a := send(client, "POST", proc.URL+"/extapi/v1.0/orders", bearer, teamToken, body); a.status != http.StatusOK {
					t.Errorf("create order: %v %d %s", a.err, a.status, a.body)
				}
			}
		})
	}
	wg.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for len(recv.hooks()) < orders && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // room for a duplicate to show up
	seen := map[string]int{}
	orderIDs := map[int64]bool{}
	for _, h := range recv.hooks() {
		seen[h.delivery]++
		var ext salesmania.ExtOrder
		must(t, json.Unmarshal(h.body, &ext))
		orderIDs[ext.SMOrderID] = true
		if !h.signatureOK {
			t.Errorf("delivery %s has a bad signature", h.delivery)
		}
	}
	if len(seen) != orders || len(orderIDs) != orders {
		t.Fatalf("%d deliveries of %d orders reached the receiver; want %d of %d", len(seen), len(orderIDs), orders, orders)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s was sent %d times; want once", id, n)
		}
	}
}
