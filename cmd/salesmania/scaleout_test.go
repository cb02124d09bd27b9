package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// TestScaleOutTwoProcesses is the scale-out proof of issue 17: two server
// processes on one PostgreSQL database, used at once. Writers on both
// append visits to one day and reorder it (the day ends with seqs exactly
// 1..n) and create orders that a webhook reports (every order delivered,
// each delivery sent once, by one process); meanwhile logins on either
// process are revoked on one and refused at once on both, and a client
// syncing the change feed from both ends with exactly the database.
func TestScaleOutTwoProcesses(t *testing.T) {
	t.Parallel()
	const email, password = "budi@majujaya.example", "Rahasia Budi 8" // newRouteWorld's member
	w := newRouteWorld(t, "postgres", 2)
	ctx := context.Background()
	team := w.teams[0].ID
	product := salesmania.Product{Name: "Indomie Goreng", Status: true, Tags: []string{}, QtyOnHand: salesmania.MustDecimal("100"),
		ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Price: salesmania.MustDecimal("3500"), Ratio: 1}}}
	must(t, w.store.CreateProduct(ctx, w.db.ID, &product))
	recv := &receiver{addr: freeAddr(t), secret: "a-webhook-secret-of-24ch"}
	recv.start(t)
	hook := salesmania.Webhook{URL: "http://" + recv.addr + "/salesmania", Secret: recv.secret, Events: []string{salesmania.EventOrderCreated}}
	must(t, w.store.CreateWebhook(ctx, w.db.ID, &hook))
	client := &http.Client{Transport: openapitest.NewTransport(t, &http.Transport{MaxIdleConnsPerHost: 16}), Timeout: 60 * time.Second}

	const day, workers, ops = "2026-03-02", 6, 12
	var mu sync.Mutex
	var orders []int64
	var reorders atomic.Int64
	var wg sync.WaitGroup
	for g := range workers {
		s := w.servers[g%len(w.servers)]
		rng := rand.New(rand.NewPCG(uint64(g), 17))
		wg.Go(func() {
			call := func(method, path, body string) exchange {
				a := send(client, method, s.p.URL+path, s.bearer, s.teamToken, body)
				if a.err != nil || a.status != http.StatusOK {
					t.Errorf("%s %s: %v %d %s", method, path, a.err, a.status, a.body)
				}
				return a
			}
			for range ops {
				switch rng.IntN(3) {
				case 0:
					call("POST", "/extapi/v1.1/visits", mustJSON(map[string]any{"date": day, "customer_id": w.customer.ID}))
				case 1: // reorder the day as listed; a visit appended meanwhile makes that 422: again
					for try := 0; ; try++ {
						a := call("GET", "/extapi/v1.1/visits?limit=1000&date="+day, "")
						var page struct{ Data []salesmania.Visit }
						if json.Unmarshal(a.body, &page) != nil {
							break
						}
						ids := make([]int64, len(page.Data))
						for i, v := range page.Data {
							ids[i] = v.ID
						}
						rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
						a = send(client, "PUT", s.p.URL+"/extapi/v1.1/visits/sequence", s.bearer, s.teamToken, mustJSON(map[string]any{"date": day, "visit_ids": ids}))
						if a.err == nil && a.status == http.StatusOK {
							reorders.Add(1)
							break
						}
						if a.err != nil || a.status != http.StatusUnprocessableEntity || !strings.Contains(string(a.body), `"field":"visit_ids"`) || try == 20 {
							t.Errorf("reorder: %v %d %s", a.err, a.status, a.body)
							break
						}
					}
				case 2:
					a := call("POST", "/extapi/v1.0/orders", mustJSON(map[string]any{"date": day, "customer_id": w.customer.ID,
						"ordered_products": []any{map[string]any{"product_id": product.ID, "qty": 1 + rng.IntN(5), "unit": "PCS", "price": 3500}}}))
					var o struct{ ID int64 }
					if json.Unmarshal(a.body, &o) == nil && o.ID != 0 {
						mu.Lock()
						orders = append(orders, o.ID)
						mu.Unlock()
					}
				}
			}
		})
	}
	// Logins revoked on one process: the very next request is refused on
	// both, while the writers keep both busy.
	wg.Go(func() {
		for i := range 4 {
			on, other := w.servers[i%2].p.api(), w.servers[(i+1)%2].p.api()
			bearer := on.login(t, email, password)
			for _, p := range []*program{on, other} {
				if a := send(client, "GET", p.URL+"/extapi/v1.0/databases", bearer, "", ""); a.status != http.StatusOK {
					t.Errorf("before the logout: %v %d %s", a.err, a.status, a.body)
				}
			}
			if a := send(client, "DELETE", on.URL+"/extapi/v1.0/token", bearer, "", ""); a.status != http.StatusOK {
				t.Errorf("logout: %v %d %s", a.err, a.status, a.body)
			}
			for _, p := range []*program{other, on} {
				if a := send(client, "GET", p.URL+"/extapi/v1.0/databases", bearer, "", ""); a.status != http.StatusUnauthorized {
					t.Errorf("the revoked token on %s: %v %d %s; want 401", p.URL, a.err, a.status, a.body)
				}
			}
		}
	})

	// The feed client polls both processes in turn while the others work.
	feed := &feedMirror{rows: map[string]string{}}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for i := 0; ; i++ {
		select {
		case <-done:
		default:
			feed.sync(t, client, w.servers[i%2])
			time.Sleep(5 * time.Millisecond)
			continue
		}
		break
	}
	feed.sync(t, client, w.servers[1])
	truth := storeTruth(t, w, salesmania.OnlyTeam(team))
	for k, v := range truth {
		if got := feed.rows[k]; got != v {
			t.Errorf("the feed client's %s is\n%s\nthe database has\n%s", k, got, v)
		}
	}
	for k := range feed.rows {
		if _, ok := truth[k]; !ok {
			t.Errorf("the feed client has %s, which the database has not", k)
		}
	}

	// The day: seqs exactly 1..n, listed alike by both processes.
	var listed []byte
	for i, s := range w.servers {
		a := send(client, "GET", s.p.URL+"/extapi/v1.1/visits?limit=1000&date="+day, s.bearer, s.teamToken, "")
		if a.status != http.StatusOK || (i > 0 && string(a.body) != string(listed)) {
			t.Fatalf("process %d lists %d %s; the other\n%s", i+1, a.status, a.body, listed)
		}
		listed = a.body
	}
	var page struct{ Data []salesmania.Visit }
	must(t, json.Unmarshal(listed, &page))
	for i, v := range page.Data {
		if v.Seq != int64(i+1) {
			t.Fatalf("the day's seqs are not 1..%d: visit %d at position %d has seq %d", len(page.Data), v.ID, i+1, v.Seq)
		}
	}

	// Webhooks: every order delivered (waiting for the dispatchers), no
	// delivery sent twice.
	for deadline := time.Now().Add(30 * time.Second); len(recv.hooks()) < len(orders) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	sent := map[string]int{}
	delivered := map[int64]bool{}
	for _, h := range recv.hooks() {
		sent[h.delivery]++
		var ext salesmania.ExtOrder
		must(t, json.Unmarshal(h.body, &ext))
		delivered[ext.SMOrderID] = true
	}
	for id, n := range sent {
		if n != 1 {
			t.Errorf("delivery %s was sent %d times; want once", id, n)
		}
	}
	for _, id := range orders {
		if !delivered[id] {
			t.Errorf("order %d was not delivered", id)
		}
	}
	t.Logf("%d visits on the day after %d reorders, %d orders delivered once each, %d feed rows", len(page.Data), reorders.Load(), len(orders), len(truth))
	if len(orders) == 0 || len(page.Data) == 0 || reorders.Load() == 0 || len(truth) == 0 {
		t.Fatal("the workload did nothing")
	}
}

// feedMirror is a client's copy of the change feed (§14): rows by "kind
// id", and the position to go on from.
type feedMirror struct {
	rows map[string]string
	pos  string
}

// sync reads the feed from s until has_more is false.
func (f *feedMirror) sync(t *testing.T, client *http.Client, s routeServer) {
	t.Helper()
	for {
		q := "/extapi/v1.0/changes?limit=50"
		if f.pos != "" {
			q += "&after=" + f.pos
		}
		a := send(client, "GET", s.p.URL+q, s.bearer, s.teamToken, "")
		var page struct {
			Data []struct {
				Kind   string
				ID     int64
				Op     string
				Object json.RawMessage
			}
			Next    string
			HasMore bool `json:"has_more"`
		}
		if a.err != nil || a.status != http.StatusOK || json.Unmarshal(a.body, &page) != nil {
			t.Fatalf("feed: %v %d %s", a.err, a.status, a.body)
		}
		for _, c := range page.Data {
			key := c.Kind + " " + itoa(c.ID)
			if c.Op == "delete" {
				delete(f.rows, key)
			} else {
				f.rows[key] = string(c.Object)
			}
		}
		f.pos = page.Next
		if !page.HasMore {
			return
		}
	}
}

// TestRevocationAtOnceAcrossProcesses: with two server processes on one
// database, on both databases, a logout on one process, a team change and
// a member removal by the admin command (a third party to the database)
// each hold for the very next request on the other process (§9): 401 for
// the revoked bearer, 403 for the old team token.
func TestRevocationAtOnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		const email = "budi@majujaya.example" // newRouteWorld's member
		w := newRouteWorld(t, kind, 2)
		dsn := w.dsn
		client := &http.Client{Transport: openapitest.NewTransport(t, nil), Timeout: 30 * time.Second}
		a, b := w.servers[0], w.servers[1]
		teams := func(s routeServer, bearer, teamToken string) int {
			return send(client, "GET", s.p.URL+"/extapi/v1.0/teams", bearer, teamToken, "").status
		}
		// Both processes have served (and cached) both bearers.
		for _, s := range w.servers {
			for _, bearer := range []string{a.bearer, b.bearer} {
				if st := teams(s, bearer, b.teamToken); st != http.StatusOK {
					t.Fatalf("before: %d", st)
				}
			}
		}

		if ex := send(client, "DELETE", a.p.URL+"/extapi/v1.0/token", a.bearer, "", ""); ex.status != http.StatusOK {
			t.Fatalf("logout: %v %d %s", ex.err, ex.status, ex.body)
		}
		if st := teams(b, a.bearer, b.teamToken); st != http.StatusUnauthorized {
			t.Errorf("the revoked bearer on the other process: %d; want 401", st)
		}

		u, err := w.store.FindUserByEmail(context.Background(), email)
		must(t, err)
		admin(t, "", "member", "add", "--user-id", itoa(u.ID), "--db-id", itoa(w.db.ID), "--team-id", itoa(w.teams[1].ID), "--db", dsn)
		for _, s := range w.servers {
			if st := teams(s, b.bearer, b.teamToken); st != http.StatusForbidden {
				t.Errorf("the old team's token after the team change: %d; want 403", st)
			}
		}
		newTeamToken := b.p.api().teamToken(t, b.bearer, w.db.ID, w.teams[1].ID)
		if st := teams(a, b.bearer, newTeamToken); st != http.StatusOK {
			t.Errorf("the new team's token: %d; want 200", st)
		}

		admin(t, "", "member", "remove", "--user-id", itoa(u.ID), "--db-id", itoa(w.db.ID), "--db", dsn)
		for _, s := range w.servers {
			if st := teams(s, b.bearer, newTeamToken); st != http.StatusForbidden {
				t.Errorf("the team token after member remove: %d; want 403", st)
			}
		}
	})
}
