package httpapi_test

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// The tests of this file cover what protects the server and its clients
// from retries and floods (API.md §1.2, §9): idempotency keys, the rate
// limit per bearer token, the login lockout and the bound on requests served
// at once.

// serverOptions changes how newEnvWith builds its server.
type serverOptions struct {
	// store is the server's store; a fresh one of the kind when nil.
	store *sqlstore.Store
	// configure changes the server's Config before the server is built.
	configure func(*httpapi.Config)
	// wrap wraps the server's handler, to watch requests arrive.
	wrap func(http.Handler) http.Handler
}

// newEnvWith is newEnv with the options: a server over a given store (so
// two servers can share one database), with limits set, or watched.
func newEnvWith(t *testing.T, kind string, o serverOptions) *env {
	t.Helper()
	e := &env{t: t, logs: &syncBuffer{}, store: o.store}
	if e.store == nil {
		e.store = sqlstoretest.MustOpen(t, kind)
	}
	key, err := e.store.Secret(context.Background(), "team_token_key", auth.NewSecret)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewTeamTokenSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	cfg := httpapi.Config{
		Store:      e.store,
		TeamTokens: signer,
		Logger:     slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:        func() time.Time { return salesmania.Now().Add(time.Duration(e.skew.Load())) },
		// The tests' webhook receivers listen on 127.0.0.1.
		WebhookAllowPrivate: true,
	}
	if o.configure != nil {
		o.configure(&cfg)
	}
	e.server, err = httpapi.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = e.server
	if o.wrap != nil {
		h = o.wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	e.URL = ts.URL
	e.client = openapitest.NewClient(t)
	e.raw = &http.Client{Timeout: 30 * time.Second}
	t.Cleanup(e.checkNoSecretsLeaked)
	return e
}

// signTeamToken makes the team token the server would hand out for the
// team in the database, without a request: tests of the rate limit must not
// spend the bearer token's budget on setting up.
func (e *env) signTeamToken(dbID, teamID int64) string {
	e.t.Helper()
	key, err := e.store.Secret(context.Background(), "team_token_key", auth.NewSecret)
	if err != nil {
		e.t.Fatal(err)
	}
	signer, err := auth.NewTeamTokenSigner(key)
	if err != nil {
		e.t.Fatal(err)
	}
	tt := signer.Sign(auth.TeamToken{DBID: dbID, TeamID: teamID})
	e.keepSecret(tt)
	return tt
}

const customersPath = "/extapi/v1.0/customers"

// keyed is a POST of body to path as tn with the Idempotency-Key key.
func (tn tenant) keyed(path, key, body string) request {
	return request{method: "POST", path: path, bearer: tn.bearer, teamToken: tn.teamToken, body: body,
		header: map[string]string{"Idempotency-Key": key}}
}

// postKeyed sends tn.keyed(path, key, body), which must match the OpenAPI
// document.
func (tn tenant) postKeyed(path, key, body string) response {
	tn.e.t.Helper()
	return tn.e.do(tn.keyed(path, key, body))
}

// postWithHeader POSTs body to path as tn with exactly the headers h (plus
// credentials and Content-Type), for headers a map cannot hold, such as one
// given twice. The request is meant to break the document; the answer is
// still checked against it.
func (tn tenant) postWithHeader(t *testing.T, path, body string, h http.Header) response {
	t.Helper()
	req, err := http.NewRequest("POST", tn.e.URL+path+"?team_token="+tn.teamToken, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h.Clone()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tn.bearer)
	resp, err := tn.e.client.Do(openapitest.SkipRequestValidation(req))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp, b}
}

// requestHash is the hash the server keeps of a request with a key: the
// method, the path and the body, byte for byte.
func requestHash(method, path, body string) []byte {
	h := sha256.Sum256([]byte(method + " " + path + "\n" + body))
	return h[:]
}

// wantFirst checks that r is an answer of the work itself, not a replay.
func wantFirst(t *testing.T, r response) {
	t.Helper()
	if got := r.Header.Get("Idempotent-Replayed"); got != "" {
		t.Fatalf("Idempotent-Replayed = %q on a first answer; want none", got)
	}
}

// wantReplay checks that again is first once more: the same status,
// content type and bytes, marked Idempotent-Replayed: true.
func wantReplay(t *testing.T, first, again response) {
	t.Helper()
	if got := again.Header.Get("Idempotent-Replayed"); got != "true" {
		t.Fatalf("Idempotent-Replayed = %q; want true (status %d, body %s)", got, again.StatusCode, again.body)
	}
	if again.StatusCode != first.StatusCode || string(again.body) != string(first.body) {
		t.Fatalf("replay = %d %s\nwant %d %s", again.StatusCode, again.body, first.StatusCode, first.body)
	}
	if g, w := again.Header.Get("Content-Type"), first.Header.Get("Content-Type"); g != w {
		t.Fatalf("replay Content-Type = %q; want %q", g, w)
	}
}

func TestIdempotencyKey(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		budi := e.mustUser("budi@majujaya.example")
		bearer := e.login(budi.Email)
		// Each subtest counts the customers of a database of its own.
		newTenant := func(name string) tenant { return e.mustTenant(budi, bearer, name) }
		const body = `{"name":"Toko Sumber Rejeki","city":"Semarang"}`

		t.Run("OK/RetryGetsTheSameAnswer", func(t *testing.T) {
			tn := newTenant("PT Ulang")
			first := tn.postKeyed(customersPath, "order-app-7f3a", body)
			mustOK(t, first)
			wantFirst(t, first)
			var c salesmania.Customer
			first.json(t, &c)
			again := tn.postKeyed(customersPath, "order-app-7f3a", body)
			wantReplay(t, first, again)
			wantReplay(t, first, tn.postKeyed(customersPath, "order-app-7f3a", body))
			if n := tn.count(t); n != 1 {
				t.Fatalf("%d customers; want 1", n)
			}
			sameCustomer(t, tn.mustGet(t, c.ID), c)
		})

		t.Run("OK/NewKeyNewWork", func(t *testing.T) {
			tn := newTenant("PT Baru")
			mustOK(t, tn.postKeyed(customersPath, "first", body))
			second := tn.postKeyed(customersPath, "second", body)
			mustOK(t, second)
			wantFirst(t, second)
			if n := tn.count(t); n != 2 {
				t.Fatalf("%d customers; want 2", n)
			}
		})

		t.Run("ErrMismatch/OtherBody", func(t *testing.T) {
			tn := newTenant("PT Beda")
			first := tn.postKeyed(customersPath, "k-body", body)
			mustOK(t, first)
			// One byte more (a space) is another body.
			for _, other := range []string{`{"name":"Warung Bu Sri"}`, body + " "} {
				wantProblem(t, tn.postKeyed(customersPath, "k-body", other), 422, "Idempotency-Key")
			}
			if got := tn.mustListAll(t, ""); len(got) != 1 || got[0].Name != "Toko Sumber Rejeki" {
				t.Fatalf("customers = %s; want only Toko Sumber Rejeki", js(got))
			}
			// The key still answers its own request.
			wantReplay(t, first, tn.postKeyed(customersPath, "k-body", body))
		})

		t.Run("ErrMismatch/OtherPath", func(t *testing.T) {
			tn := newTenant("PT Jalur")
			mustOK(t, tn.postKeyed(customersPath, "k-path", body))
			// The very same bytes to another endpoint are another request.
			rq := tn.keyed("/extapi/v1.0/products", "k-path", body)
			rq.skipRequest = true // not a product
			wantProblem(t, e.do(rq), 422, "Idempotency-Key")
			if n := tn.countProducts(t); n != 0 {
				t.Fatalf("%d products; want 0", n)
			}
			if n := tn.count(t); n != 1 {
				t.Fatalf("%d customers; want 1", n)
			}
		})

		t.Run("Replay/InvalidAnswerIsKept_FixedBodyWithSameKeyIsMismatch", func(t *testing.T) {
			// A 422 is an answer like any other: the retry gets it again,
			// and the corrected request needs a new key. Being a replay,
			// its body's instance names the first request, not the retry.
			tn := newTenant("PT Salah")
			bad := tn.keyed(customersPath, "k-invalid", `{"name":""}`)
			bad.skipRequest = true
			first := e.do(bad)
			wantProblem(t, first, 422, "name")
			wantFirst(t, first)
			again := e.do(bad)
			wantReplay(t, first, again)
			if again.Header.Get("X-Request-Id") == first.Header.Get("X-Request-Id") {
				t.Fatal("the replay has the first request's X-Request-Id; want its own")
			}
			wantProblem(t, tn.postKeyed(customersPath, "k-invalid", body), 422, "Idempotency-Key")
			if n := tn.count(t); n != 0 {
				t.Fatalf("%d customers; want 0", n)
			}
			fixed := tn.postKeyed(customersPath, "k-invalid-2", body)
			mustOK(t, fixed)
			wantFirst(t, fixed)
		})

		t.Run("Replay/ConflictAnswerIsKept", func(t *testing.T) {
			// A 409 for a taken ext_cust_no is the request's answer too:
			// freeing the number does not make the retry succeed.
			tn := newTenant("PT Kembar")
			taken := tn.mustCreate(t, `{"name":"Toko Lama","ext_cust_no":"C-0001"}`)
			dup := `{"name":"Toko Baru","ext_cust_no":"C-0001"}`
			first := tn.postKeyed(customersPath, "k-conflict", dup)
			wantProblem(t, first, 409)
			mustOK(t, tn.call("DELETE", customersPath+"/"+itoa(taken.ID), ""))
			wantReplay(t, first, tn.postKeyed(customersPath, "k-conflict", dup))
			if n := tn.count(t); n != 0 {
				t.Fatalf("%d customers; want 0", n)
			}
		})

		t.Run("ErrBadKey", func(t *testing.T) {
			tn := newTenant("PT Kunci")
			for name, values := range map[string][]string{
				"TooLong":          {strings.Repeat("k", 256)},
				"Empty":            {""},
				"ControlCharacter": {"order\t1"},
				"NotASCII":         {"pesanan-é"},
				"Twice":            {"k-1", "k-2"},
				"TwiceTheSame":     {"k-1", "k-1"},
			} {
				t.Run(name, func(t *testing.T) {
					r := tn.postWithHeader(t, customersPath, body, http.Header{"Idempotency-Key": values})
					wantProblem(t, r, 400, "Idempotency-Key")
				})
			}
			if n := tn.count(t); n != 0 {
				t.Fatalf("%d customers; want 0", n)
			}
		})

		t.Run("OK/LongestKey", func(t *testing.T) {
			tn := newTenant("PT Panjang")
			key := strings.Repeat("~", 254) + "!"
			first := tn.postKeyed(customersPath, key, body)
			mustOK(t, first)
			wantReplay(t, first, tn.postKeyed(customersPath, key, body))
			if n := tn.count(t); n != 1 {
				t.Fatalf("%d customers; want 1", n)
			}
		})

		t.Run("OK/KeysArePerUser", func(t *testing.T) {
			c := e.mustCompany("PT Berdua", "Budi", "Siti")
			e.mustMember(c.DB.ID, budi.ID, c.Teams[0].ID, salesmania.RoleMember)
			siti := e.mustUser("siti@berdua.example")
			e.mustMember(c.DB.ID, siti.ID, c.Teams[1].ID, salesmania.RoleMember)
			sitiBearer := e.login(siti.Email)
			asBudi := tenant{e: e, DBID: c.DB.ID, bearer: bearer, teamToken: e.teamToken(bearer, c.DB.ID)}
			asSiti := tenant{e: e, DBID: c.DB.ID, bearer: sitiBearer, teamToken: e.teamToken(sitiBearer, c.DB.ID)}
			var ids []int64
			for _, tn := range []tenant{asBudi, asSiti} {
				r := tn.postKeyed(customersPath, "k-shared", body)
				mustOK(t, r)
				wantFirst(t, r)
				var got salesmania.Customer
				r.json(t, &got)
				ids = append(ids, got.ID)
			}
			if n := asBudi.count(t); ids[0] == ids[1] || n != 2 {
				t.Fatalf("ids %v, %d customers; want two customers", ids, n)
			}
		})

		t.Run("OK/KeysArePerDatabase", func(t *testing.T) {
			one, two := newTenant("PT Satu"), newTenant("PT Dua")
			for _, tn := range []tenant{one, two} {
				r := tn.postKeyed(customersPath, "k-db", body)
				mustOK(t, r)
				wantFirst(t, r)
			}
			if n1, n2 := one.count(t), two.count(t); n1 != 1 || n2 != 1 {
				t.Fatalf("%d and %d customers; want 1 in each database", n1, n2)
			}
		})

		t.Run("ErrInFlight", func(t *testing.T) {
			tn := newTenant("PT Sibuk")
			// A request holding the key, still at work.
			claim := &salesmania.IdempotencyClaim{DBID: tn.DBID, UserID: budi.ID, Key: "k-busy",
				RequestHash: requestHash("POST", customersPath, body), Owner: "still-running"}
			out, err := e.store.ReserveIdempotencyKey(context.Background(), claim, salesmania.Now(), httpapi.IdempotencyLease)
			if err != nil || out.State != salesmania.IdempotencyReserved {
				t.Fatalf("ReserveIdempotencyKey = %+v, %v; want Reserved", out, err)
			}
			// The 409 is not stored: each retry asks again.
			for range 2 {
				r := tn.postKeyed(customersPath, "k-busy", body)
				wantProblem(t, r, 409)
				wantFirst(t, r)
			}
			// Another body is still a mismatch, not in flight.
			wantProblem(t, tn.postKeyed(customersPath, "k-busy", `{"name":"Warung Bu Sri"}`), 422, "Idempotency-Key")
			if n := tn.count(t); n != 0 {
				t.Fatalf("%d customers; want 0", n)
			}
			// Once the holder lets go (its answer was a 5xx), a retry runs.
			if err := e.store.ReleaseIdempotencyKey(context.Background(), claim); err != nil {
				t.Fatal(err)
			}
			r := tn.postKeyed(customersPath, "k-busy", body)
			mustOK(t, r)
			wantFirst(t, r)
			if n := tn.count(t); n != 1 {
				t.Fatalf("%d customers; want 1", n)
			}
		})

		t.Run("OK/LeaseRanOut", func(t *testing.T) {
			tn := newTenant("PT Lepas")
			// A request that took the key and died before doing anything.
			claim := &salesmania.IdempotencyClaim{DBID: tn.DBID, UserID: budi.ID, Key: "k-lease",
				RequestHash: requestHash("POST", customersPath, body), Owner: "died"}
			out, err := e.store.ReserveIdempotencyKey(context.Background(), claim, salesmania.Now(), time.Millisecond)
			if err != nil || out.State != salesmania.IdempotencyReserved {
				t.Fatalf("ReserveIdempotencyKey = %+v, %v; want Reserved", out, err)
			}
			time.Sleep(5 * time.Millisecond)
			first := tn.postKeyed(customersPath, "k-lease", body)
			mustOK(t, first)
			wantFirst(t, first)
			wantReplay(t, first, tn.postKeyed(customersPath, "k-lease", body))
			if n := tn.count(t); n != 1 {
				t.Fatalf("%d customers; want 1", n)
			}
		})

		t.Run("OK/CommittedWithoutAnswer", func(t *testing.T) {
			// The first request created the customer and the process died
			// before recording the answer: the retry gets the customer as
			// it is, and nothing is created twice.
			tn := newTenant("PT Putus")
			claim := &salesmania.IdempotencyClaim{DBID: tn.DBID, UserID: budi.ID, Key: "k-crash",
				RequestHash: requestHash("POST", customersPath, body), Owner: "crashed"}
			ctx := context.Background()
			out, err := e.store.ReserveIdempotencyKey(ctx, claim, salesmania.Now(), httpapi.IdempotencyLease)
			if err != nil || out.State != salesmania.IdempotencyReserved {
				t.Fatalf("ReserveIdempotencyKey = %+v, %v; want Reserved", out, err)
			}
			c := &salesmania.Customer{Name: "Toko Sumber Rejeki", City: "Semarang", Status: true, Tags: []string{}}
			if err := e.store.CreateCustomer(salesmania.NewContextWithIdempotency(ctx, claim), tn.DBID, c); err != nil {
				t.Fatal(err)
			}
			r := tn.postKeyed(customersPath, "k-crash", body)
			mustOK(t, r)
			if got := r.Header.Get("Idempotent-Replayed"); got != "true" {
				t.Fatalf("Idempotent-Replayed = %q; want true", got)
			}
			var got salesmania.Customer
			r.json(t, &got)
			sameCustomer(t, got, *c)
			if n := tn.count(t); n != 1 {
				t.Fatalf("%d customers; want 1", n)
			}
			wantProblem(t, tn.postKeyed(customersPath, "k-crash", `{"name":"Warung Bu Sri"}`), 422, "Idempotency-Key")
		})

		t.Run("OK/ExpiresAfter24Hours", func(t *testing.T) {
			tn := newTenant("PT Kedaluwarsa")
			first := tn.postKeyed(customersPath, "k-expiry", body)
			mustOK(t, first)
			e.skew.Store(int64(salesmania.IdempotencyTTL - time.Minute))
			t.Cleanup(func() { e.skew.Store(0) })
			wantReplay(t, first, tn.postKeyed(customersPath, "k-expiry", body))
			e.skew.Store(int64(salesmania.IdempotencyTTL + time.Second))
			second := tn.postKeyed(customersPath, "k-expiry", body)
			mustOK(t, second)
			wantFirst(t, second)
			if string(second.body) == string(first.body) {
				t.Fatalf("the expired key answered %s again; want a new customer", first.body)
			}
			if n := tn.count(t); n != 2 {
				t.Fatalf("%d customers; want 2", n)
			}
		})

		t.Run("OK/ConcurrentRetriesCreateOnce", func(t *testing.T) {
			// A phone on a bad network sends the same request several times
			// at once: one customer, and every answer is it or a 409.
			const rounds, n = 5, 12
			for round := range rounds {
				tn := newTenant("PT Serentak " + strconv.Itoa(round))
				answers := make([]response, n)
				start := make(chan struct{})
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() {
						<-start
						answers[i] = tn.postKeyed(customersPath, "k-together", body)
					})
				}
				close(start)
				wg.Wait()
				var created string
				for _, r := range answers {
					switch r.StatusCode {
					case 200:
						if created != "" && string(r.body) != created {
							t.Fatalf("round %d: two different customers answered: %s and %s", round, created, r.body)
						}
						created = string(r.body)
					case 409:
					default:
						t.Fatalf("round %d: status %d %s; want 200 or 409", round, r.StatusCode, r.body)
					}
				}
				if n := tn.count(t); n != 1 {
					t.Fatalf("round %d: %d customers; want 1", round, n)
				}
			}
		})
	})
}

func TestIdempotencyKeyOrder(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		hook := mustCreateWebhook(t, w.ani, newHookReceiver(t, nil).URL(), "whsec-idempotency-test")
		body := w.body(seedOrderBody)

		first := w.ani.postKeyed(w.ordersPath, "so-2024-0001-try", body)
		mustOK(t, first)
		wantFirst(t, first)
		var o salesmania.Order
		first.json(t, &o)
		again := w.ani.postKeyed(w.ordersPath, "so-2024-0001-try", body)
		wantReplay(t, first, again)

		if got := w.storedOrders(t); len(got) != 1 || got[0].ID != o.ID {
			t.Fatalf("stored orders = %s; want only order %d", js(got), o.ID)
		}
		// One order, one event: nothing else waits in the outbox.
		due, err := w.e.store.ClaimDueDeliveries(context.Background(), time.Now().Add(time.Minute), 100, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) != 1 || due[0].OrderID != o.ID || due[0].WebhookID != hook.ID || due[0].Event != "order.created" {
			t.Fatalf("pending deliveries = %+v; want one order.created of order %d to webhook %d", due, o.ID, hook.ID)
		}
	})
}

func TestIdempotencyKeyAcrossServers(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		// Two processes behind a load balancer, one database: a retry that
		// lands on the other process is answered from the database.
		dsn := sqlstoretest.DSN(t, kind)
		e1 := newEnvWith(t, kind, serverOptions{store: sqlstoretest.MustOpenDSN(t, dsn)})
		e2 := newEnvWith(t, kind, serverOptions{store: sqlstoretest.MustOpenDSN(t, dsn)})
		u := e1.mustUser("budi@majujaya.example")
		bearer := e1.login(u.Email)
		on1 := e1.mustTenant(u, bearer, "PT Maju Jaya")
		on2 := on1
		on2.e = e2
		e2.keepSecret(bearer)
		e2.keepSecret(on1.teamToken)
		const body = `{"name":"Toko Sumber Rejeki"}`

		first := on1.postKeyed(customersPath, "k-two-servers", body)
		mustOK(t, first)
		wantFirst(t, first)
		wantReplay(t, first, on2.postKeyed(customersPath, "k-two-servers", body))
		wantProblem(t, on2.postKeyed(customersPath, "k-two-servers", `{"name":"Warung Bu Sri"}`), 422, "Idempotency-Key")
		if n := on2.count(t); n != 1 {
			t.Fatalf("%d customers; want 1", n)
		}
	})
}

func TestRateLimit(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		const rate = 5 // a second, bursts of 10
		e := newEnvWith(t, kind, serverOptions{configure: func(c *httpapi.Config) { c.RateLimit = rate }})
		a := e.mustCompany("PT Maju Jaya", "Budi", "Siti")
		b := e.mustCompany("CV Sinar Abadi", "Budi")
		budi, siti := e.mustUser("budi@majujaya.example"), e.mustUser("siti@majujaya.example")
		e.mustMember(a.DB.ID, budi.ID, a.Teams[0].ID, salesmania.RoleMember)
		e.mustMember(b.DB.ID, budi.ID, b.Teams[0].ID, salesmania.RoleMember)
		e.mustMember(a.DB.ID, siti.ID, a.Teams[1].ID, salesmania.RoleMember)
		// Logins are not counted (they are throttled on their own); team
		// tokens are signed here so setting up spends nothing.
		budiBearer, sitiBearer := e.login(budi.Email), e.login(siti.Email)
		budiA := tenant{e: e, DBID: a.DB.ID, bearer: budiBearer, teamToken: e.signTeamToken(a.DB.ID, a.Teams[0].ID)}
		budiB := tenant{e: e, DBID: b.DB.ID, bearer: budiBearer, teamToken: e.signTeamToken(b.DB.ID, b.Teams[0].ID)}
		sitiA := tenant{e: e, DBID: a.DB.ID, bearer: sitiBearer, teamToken: e.signTeamToken(a.DB.ID, a.Teams[1].ID)}
		teams := func(tn tenant) response { return tn.call("GET", "/extapi/v1.0/teams", "") }

		// The burst passes, then the limit answers. The bucket refills at
		// rate a second meanwhile, which a slow machine may see.
		start := time.Now()
		passed := 0
		var limited response
		for range 100 {
			r := teams(budiA)
			if r.StatusCode == http.StatusTooManyRequests {
				limited = r
				break
			}
			mustOK(t, r)
			passed++
		}
		if refill := int(time.Since(start).Seconds() * rate); passed < 2*rate || passed > 2*rate+refill {
			t.Fatalf("%d requests passed before a 429; want %d (+%d refilled)", passed, 2*rate, refill)
		}
		wantProblem(t, limited, 429)
		if got := limited.Header.Get("Retry-After"); got != "1" {
			t.Fatalf("Retry-After = %q; want 1 (a token comes back within 1/%d s)", got, rate)
		}

		// Another team token or an endpoint without one draws from the
		// same bearer token's bucket: of these only what refilled passes.
		more := 0
		for i := range 9 {
			var r response
			switch i % 3 {
			case 0:
				r = teams(budiB)
			case 1:
				r = e.do(request{method: "GET", path: "/extapi/v1.0/databases", bearer: budiBearer})
			default:
				r = teams(budiA)
			}
			if r.StatusCode == http.StatusTooManyRequests {
				wantProblem(t, r, 429)
				continue
			}
			mustOK(t, r)
			more++
		}
		if refill := int(time.Since(start).Seconds() * rate); passed+more > 2*rate+refill {
			t.Fatalf("%d + %d requests passed; want at most %d + %d refilled: switching the team token must not reset the limit",
				passed, more, 2*rate, refill)
		}

		// Another user's token has its own bucket.
		mustOK(t, teams(sitiA))

		// One token comes back every 1/rate seconds.
		time.Sleep(time.Second/rate + 50*time.Millisecond)
		mustOK(t, teams(budiA))
	})
}

func TestRateLimitOff(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnvWith(t, kind, serverOptions{configure: func(c *httpapi.Config) { c.RateLimit = 0 }})
		u := e.mustUser("budi@majujaya.example")
		bearer := e.login(u.Email)
		for i := range 200 {
			r := e.do(request{method: "GET", path: "/extapi/v1.0/databases", bearer: bearer, raw: true})
			if r.StatusCode != 200 {
				t.Fatalf("request %d: status %d %s; want 200 with the limit off", i+1, r.StatusCode, r.body)
			}
		}
	})
}

// loginWith asks for a bearer token with the email and password; a token
// it gets is kept secret.
func (e *env) loginWith(email, password string) response {
	e.t.Helper()
	r := e.do(request{method: "GET", path: "/extapi/v1.0/token", header: map[string]string{"Authorization": basic(email, password)}})
	if r.StatusCode == 200 {
		var out struct{ Token string }
		r.json(e.t, &out)
		e.keepSecret(out.Token)
	}
	return r
}

// wantLocked checks that r is the lockout's 429 with a Retry-After between
// min and max seconds.
func wantLocked(t *testing.T, r response, min, max int) {
	t.Helper()
	wantProblem(t, r, 429)
	after, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || after < min || after > max {
		t.Fatalf("Retry-After = %q; want %d..%d seconds", r.Header.Get("Retry-After"), min, max)
	}
}

func TestLoginLockout(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		const wrong = "salah-sandi"
		lockout := int(httpapi.LoginWindow / time.Second)
		failTimes := func(email string, n int) {
			t.Helper()
			for range n {
				wantProblem(t, e.loginWith(email, wrong), 401)
			}
		}

		t.Run("ErrLocked/RightPasswordRefused", func(t *testing.T) {
			u := e.mustUser("ani@majujaya.example")
			failTimes(u.Email, httpapi.MaxLoginFailuresPerEmail)
			// Locked just now, for 15 minutes.
			wantLocked(t, e.loginWith(u.Email, testPassword), lockout-60, lockout)
			wantLocked(t, e.loginWith(u.Email, wrong), lockout-60, lockout)
		})

		t.Run("ErrLocked/UnknownEmail", func(t *testing.T) {
			failTimes("nobody@majujaya.example", httpapi.MaxLoginFailuresPerEmail)
			wantLocked(t, e.loginWith("nobody@majujaya.example", wrong), lockout-60, lockout)
		})

		t.Run("ErrLocked/EmailCaseDoesNotMatter", func(t *testing.T) {
			u := e.mustUser("dewi@majujaya.example")
			failTimes("Dewi@MajuJaya.example", httpapi.MaxLoginFailuresPerEmail)
			wantLocked(t, e.loginWith(u.Email, testPassword), lockout-60, lockout)
		})

		t.Run("OK/GoodLoginResetsCount", func(t *testing.T) {
			u := e.mustUser("budi@majujaya.example")
			failTimes(u.Email, httpapi.MaxLoginFailuresPerEmail-1)
			mustOK(t, e.loginWith(u.Email, testPassword))
			failTimes(u.Email, httpapi.MaxLoginFailuresPerEmail-1)
			mustOK(t, e.loginWith(u.Email, testPassword))
		})

		t.Run("OK/OtherEmailNotLocked", func(t *testing.T) {
			locked := e.mustUser("eko@majujaya.example")
			other := e.mustUser("siti@majujaya.example")
			failTimes(locked.Email, httpapi.MaxLoginFailuresPerEmail)
			wantLocked(t, e.loginWith(locked.Email, testPassword), 1, lockout)
			mustOK(t, e.loginWith(other.Email, testPassword))
		})

		t.Run("OK/LockEnds", func(t *testing.T) {
			u := e.mustUser("agus@majujaya.example")
			failTimes(u.Email, httpapi.MaxLoginFailuresPerEmail)
			t.Cleanup(func() { e.skew.Store(0) })
			e.skew.Store(int64(httpapi.LoginWindow - time.Minute))
			wantLocked(t, e.loginWith(u.Email, testPassword), 1, 60)
			e.skew.Store(int64(httpapi.LoginWindow + time.Second))
			mustOK(t, e.loginWith(u.Email, testPassword))
		})

		t.Run("ErrLocked/ConcurrentFailuresAllCount", func(t *testing.T) {
			// Guesses sent in parallel count one by one.
			for round := range 3 {
				u := e.mustUser("paralel" + strconv.Itoa(round) + "@majujaya.example")
				var wg sync.WaitGroup
				for range httpapi.MaxLoginFailuresPerEmail {
					wg.Go(func() { e.loginWith(u.Email, wrong) })
				}
				wg.Wait()
				wantLocked(t, e.loginWith(u.Email, testPassword), lockout-60, lockout)
			}
		})

		// Last: it locks every login from the tests' address.
		t.Run("ErrLocked/ClientAddress", func(t *testing.T) {
			u := e.mustUser("rina@majujaya.example")
			now := salesmania.Now()
			for range httpapi.MaxLoginFailuresPerAddr {
				if err := e.store.RecordLoginFailure(context.Background(), "addr:127.0.0.1", httpapi.MaxLoginFailuresPerAddr,
					httpapi.LoginWindow, httpapi.LoginWindow, now); err != nil {
					t.Fatal(err)
				}
			}
			wantLocked(t, e.loginWith(u.Email, testPassword), lockout-60, lockout)
			wantLocked(t, e.loginWith("nobody-else@majujaya.example", wrong), lockout-60, lockout)
		})
	})
}

// firstRead calls started before the first read of a request body.
type firstRead struct {
	io.ReadCloser
	once    sync.Once
	started func()
}

func (f *firstRead) Read(p []byte) (int, error) {
	f.once.Do(f.started)
	return f.ReadCloser.Read(p)
}

func TestConcurrencyLimit(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		// A request marked X-Test-Hold signals when its handler starts
		// reading the body: by then it holds the one slot.
		reading := make(chan struct{})
		e := newEnvWith(t, kind, serverOptions{
			configure: func(c *httpapi.Config) { c.MaxConcurrent = 1 },
			wrap: func(h http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Header.Get("X-Test-Hold") != "" {
						r.Body = &firstRead{ReadCloser: r.Body, started: func() { close(reading) }}
					}
					h.ServeHTTP(w, r)
				})
			},
		})
		u := e.mustUser("budi@majujaya.example")
		tn := e.mustTenant(u, e.login(u.Email), "PT Maju Jaya")

		// A slow phone: the body trickles in, and the handler waits for it.
		bodyR, bodyW := io.Pipe()
		t.Cleanup(func() { bodyW.CloseWithError(io.ErrUnexpectedEOF) })
		req, err := http.NewRequest("POST", e.URL+customersPath+"?team_token="+tn.teamToken, bodyR)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tn.bearer)
		req.Header.Set("X-Test-Hold", "1")
		type result struct {
			status int
			body   []byte
			err    error
		}
		held := make(chan result, 1)
		go func() {
			resp, err := e.raw.Do(req)
			if err != nil {
				held <- result{err: err}
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			held <- result{resp.StatusCode, b, err}
		}()
		select {
		case <-reading:
		case r := <-held:
			t.Fatalf("the held request ended early: %d %s %v", r.status, r.body, r.err)
		case <-time.After(10 * time.Second):
			t.Fatal("the held request did not reach its handler within 10 s")
		}

		busy := tn.call("GET", "/extapi/v1.0/teams", "")
		wantProblem(t, busy, 503)
		if got := busy.Header.Get("Retry-After"); got != "1" {
			t.Fatalf("Retry-After = %q; want 1", got)
		}
		// /healthz still answers, and says the process is saturated.
		wantProblem(t, e.do(request{method: "GET", path: "/healthz"}), 503)

		if _, err := io.WriteString(bodyW, `{"name":"Toko Lambat"}`); err != nil {
			t.Fatal(err)
		}
		bodyW.Close()
		select {
		case r := <-held:
			if r.err != nil || r.status != 200 {
				t.Fatalf("held request: %d %s %v; want 200", r.status, r.body, r.err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the held request did not end within 10 s of its body")
		}
		// The slot is free again.
		mustOK(t, tn.call("GET", "/extapi/v1.0/teams", ""))
		mustOK(t, e.do(request{method: "GET", path: "/healthz"}))
		if n := tn.count(t); n != 1 {
			t.Fatalf("%d customers; want 1", n)
		}
	})
}
