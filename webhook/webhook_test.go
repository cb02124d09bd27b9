package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/webhook"
)

// hmacHex is the signature a receiver computes, written here independently
// of Sign: hex HMAC-SHA256 over "<t>.<body>".
func hmacHex(secret string, t int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(t, 10) + "." + string(body)))
	return hex.EncodeToString(m.Sum(nil))
}

// extOrderExample is the Ext Order of API.md §6.3 as the server writes it:
// compact, in the struct's field order. The OpenAPI document's test vector
// signs these bytes.
const extOrderExample = `{"ext_cust_no":"C-0001","ext_cust_id":0,"ext_salesman_number":"S-01","ext_order_id":"SO-2024-0001",` +
	`"trans_date":"2024-01-01","disc_amount":4446,"disc_percent":"2","description":"","sm_company_id":2981,"sm_customer_id":101,` +
	`"sm_team_id":24728,"sm_order_id":900,"sm_status":"Baru","ordered_product":[{"ext_product_code":"P-0007","ext_product_id":0,` +
	`"qty":2,"price":130000,"item_disc_percent":"10+5","item_disc_amount":37700,"unit":{"name":"DUS","ratio":40},"description":"",` +
	`"sm_product_id":7}]}`

func TestWebhookSign(t *testing.T) {
	t.Run("OK/DocumentedVector", func(t *testing.T) {
		// The vector printed in the Webhooks section of openapi.json.
		const want = "t=1704103200,v1=6798a06b99043ac21ac5023cb5209e06f096815eac70c5a9db27e04a3cdef511"
		if got := webhook.Sign("whsec-5f3c9a1e7b2d4c60", 1704103200, []byte(extOrderExample)); got != want {
			t.Fatalf("Sign = %q; want %q", got, want)
		}
		if got := "t=1704103200,v1=" + hmacHex("whsec-5f3c9a1e7b2d4c60", 1704103200, []byte(extOrderExample)); got != want {
			t.Fatalf("crypto/hmac gives %q; the documented vector is %q", got, want)
		}
	})
	tests := []struct {
		name   string
		secret string
		t      int64
		body   string
	}{
		{"OK/Empty", "0123456789abcdef", 0, ""},
		{"OK/Unicode", "rahasia-ERP-123456", 1700000000, `{"description":"Jl. Pemuda 12 – Semarang ✓"}`},
		{"OK/BodyWithDots", "s3cret.with.dots!", 42, `{"a":"1.2.3"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := webhook.Sign(tt.secret, tt.t, []byte(tt.body))
			if want := "t=" + strconv.FormatInt(tt.t, 10) + ",v1=" + hmacHex(tt.secret, tt.t, []byte(tt.body)); got != want {
				t.Fatalf("Sign = %q; want %q", got, want)
			}
		})
	}
	t.Run("OK/ChangesWithEveryInput", func(t *testing.T) {
		base := webhook.Sign("0123456789abcdef", 100, []byte(`{"a":1}`))
		for _, other := range []string{
			webhook.Sign("0123456789abcdeF", 100, []byte(`{"a":1}`)),
			webhook.Sign("0123456789abcdef", 101, []byte(`{"a":1}`)),
			webhook.Sign("0123456789abcdef", 100, []byte(`{"a":2}`)),
		} {
			if other == base {
				t.Fatalf("signature %q does not depend on every input", base)
			}
		}
	})
}

func TestWebhookNextAttempt(t *testing.T) {
	created := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		at      time.Duration // after created
		attempt int
		want    time.Duration // delay after the attempt; -1 for nil
	}{
		{"OK/First", 0, 1, time.Second},
		{"OK/Second", time.Second, 2, 2 * time.Second},
		{"OK/Third", 3 * time.Second, 3, 4 * time.Second},
		{"OK/Fourth", 7 * time.Second, 4, 8 * time.Second},
		{"OK/Twelfth", time.Hour, 12, 2048 * time.Second},
		{"OK/CappedAtThirteenth", time.Hour, 13, time.Hour},
		{"OK/CappedLater", 2 * time.Hour, 30, time.Hour},
		{"OK/CappedHuge", 2 * time.Hour, 1 << 20, time.Hour},
		{"OK/Exactly24Hours", 24*time.Hour - time.Second, 1, time.Second},
		{"OK/Exactly24HoursCapped", 23 * time.Hour, 25, time.Hour},
		{"GiveUp/PastTheDay", 24*time.Hour - time.Second, 2, -1},
		{"GiveUp/CappedPastTheDay", 23*time.Hour + time.Microsecond, 25, -1},
		{"GiveUp/AttemptAfterTheDay", 25 * time.Hour, 1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := created.Add(tt.at)
			got := webhook.NextAttempt(created, at, tt.attempt)
			switch {
			case tt.want < 0 && got != nil:
				t.Fatalf("NextAttempt = %v; want nil (given up)", got)
			case tt.want >= 0 && got == nil:
				t.Fatalf("NextAttempt = nil; want %v after the attempt", tt.want)
			case tt.want >= 0 && !got.Equal(at.Add(tt.want)):
				t.Fatalf("NextAttempt = %v (%v after the attempt); want %v", got, got.Sub(at), tt.want)
			}
		})
	}
	t.Run("OK/WholeSchedule", func(t *testing.T) {
		// A receiver that is always down, answered at once: waits of 1 s,
		// 2 s, … 2048 s, then an hour each, until 24 h have passed.
		var waits []time.Duration
		at := created
		for attempt := 1; attempt < 100; attempt++ {
			next := webhook.NextAttempt(created, at, attempt)
			if next == nil {
				break
			}
			waits = append(waits, next.Sub(at))
			at = *next
		}
		var want []time.Duration
		for i := range 12 {
			want = append(want, time.Second<<i)
		}
		for range 22 { // 4095 s + 22 h ≤ 24 h < 4095 s + 23 h
			want = append(want, time.Hour)
		}
		if len(waits) != len(want) {
			t.Fatalf("%d retries %v; want %d %v", len(waits), waits, len(want), want)
		}
		for i := range want {
			if waits[i] != want[i] {
				t.Fatalf("wait %d = %v; want %v (all: %v)", i+1, waits[i], want[i], waits)
			}
		}
		if at.Sub(created) > webhook.GiveUpAfter {
			t.Fatalf("last attempt at %v after the event; want within 24 h", at.Sub(created))
		}
	})
}

// fakeOutbox is an in-memory Outbox: deliveries become due at their
// NextAttemptAt, and every recorded attempt is kept and announced.
type fakeOutbox struct {
	mu       sync.Mutex
	due      map[int64]time.Time // delivery id → when due; absent when done
	leased   map[int64]bool
	byID     map[int64]salesmania.PendingDelivery
	attempts []attemptRecord
	recorded chan attemptRecord
	claims   int
}

type attemptRecord struct {
	D salesmania.PendingDelivery
	R salesmania.DeliveryResult
}

func newFakeOutbox(ds ...salesmania.PendingDelivery) *fakeOutbox {
	o := &fakeOutbox{due: map[int64]time.Time{}, leased: map[int64]bool{}, byID: map[int64]salesmania.PendingDelivery{},
		recorded: make(chan attemptRecord, 100)}
	for _, d := range ds {
		o.due[d.ID] = time.Time{}
		o.byID[d.ID] = d
	}
	return o
}

func (o *fakeOutbox) ClaimDueDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]salesmania.PendingDelivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.claims++
	var out []salesmania.PendingDelivery
	for id, at := range o.due {
		if len(out) == limit {
			break
		}
		if !o.leased[id] && !at.After(now) {
			o.leased[id] = true
			out = append(out, o.byID[id])
		}
	}
	return out, nil
}

func (o *fakeOutbox) RecordAttempt(ctx context.Context, d salesmania.PendingDelivery, r salesmania.DeliveryResult) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.leased, d.ID)
	if r.Delivered || r.NextAttemptAt == nil {
		delete(o.due, d.ID)
	} else {
		o.due[d.ID] = *r.NextAttemptAt
		d.Attempts++
		o.byID[d.ID] = d
	}
	rec := attemptRecord{D: d, R: r}
	o.attempts = append(o.attempts, rec)
	o.recorded <- rec
	return nil
}

// next waits for the next recorded attempt.
func (o *fakeOutbox) next(t *testing.T) attemptRecord {
	t.Helper()
	select {
	case r := <-o.recorded:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no attempt was recorded within 10 s")
		return attemptRecord{}
	}
}

// clock is the dispatcher's fixed time in these tests, so that every
// recorded time can be asserted exactly.
var clock = time.Date(2024, 1, 1, 10, 0, 0, 123456789, time.UTC)

// startDispatcher runs a dispatcher over o until the test ends, and
// returns a function that stops it and waits for Run to return.
//
// Its own client (when client is nil) may connect to private addresses: the
// test receivers listen on 127.0.0.1. startGuardedDispatcher's may not.
func startDispatcher(t *testing.T, o webhook.Outbox, client *http.Client) (stop func()) {
	t.Helper()
	return startDispatcherWith(t, &webhook.Dispatcher{Outbox: o, Client: client, AllowPrivate: true})
}

// startGuardedDispatcher runs a dispatcher with the default client, which
// connects to public addresses only.
func startGuardedDispatcher(t *testing.T, o webhook.Outbox) (stop func()) {
	t.Helper()
	return startDispatcherWith(t, &webhook.Dispatcher{Outbox: o})
}

func startDispatcherWith(t *testing.T, d *webhook.Dispatcher) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	d.Now, d.PollInterval = func() time.Time { return clock }, 10*time.Millisecond
	d.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() {
		defer close(done)
		d.Run(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Error("Run did not return within 10 s of its context ending")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func pending(id int64, url string, attempts int, created time.Time) salesmania.PendingDelivery {
	return salesmania.PendingDelivery{DBID: 2981, ID: id, WebhookID: 12, URL: url, Secret: "whsec-5f3c9a1e7b2d4c60",
		Event: salesmania.EventOrderCreated, DeliveryID: "9f86d081884c7d659a2feaa0c55ad0" + strconv.FormatInt(10+id, 10),
		OrderID: 900, Payload: []byte(extOrderExample), Attempts: attempts, CreatedAt: created}
}

var signatureHeader = regexp.MustCompile(`^t=([0-9]+),v1=([0-9a-f]{64})$`)

// received is one request a test receiver got.
type received struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// receiver is an httptest server that records every request and answers
// with answer.
func receiver(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, <-chan received) {
	t.Helper()
	got := make(chan received, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: b}
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func wantResult(t *testing.T, got attemptRecord, want salesmania.DeliveryResult) {
	t.Helper()
	r := got.R
	if r.StatusCode != want.StatusCode || r.Delivered != want.Delivered || !r.AttemptedAt.Equal(want.AttemptedAt) ||
		(r.NextAttemptAt == nil) != (want.NextAttemptAt == nil) ||
		(r.NextAttemptAt != nil && !r.NextAttemptAt.Equal(*want.NextAttemptAt)) {
		t.Fatalf("result = %+v (next %v); want %+v (next %v)", r, r.NextAttemptAt, want, want.NextAttemptAt)
	}
	if (want.Error == "") != (r.Error == "") || want.Error != "*" && r.Error != want.Error {
		t.Fatalf("error = %q; want %q", r.Error, want.Error)
	}
}

func ptr[T any](v T) *T { return &v }

func TestWebhookDispatcher(t *testing.T) {
	attemptedAt := clock.Truncate(time.Microsecond)

	t.Run("OK/Delivered", func(t *testing.T) {
		srv, got := receiver(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
		o := newFakeOutbox(pending(1, srv.URL+"/erp/orders", 0, clock.Add(-time.Minute)))
		startDispatcher(t, o, nil)
		rec := o.next(t)
		wantResult(t, rec, salesmania.DeliveryResult{StatusCode: 204, Delivered: true, AttemptedAt: attemptedAt})
		req := <-got
		if req.Method != "POST" || req.Path != "/erp/orders" || string(req.Body) != extOrderExample {
			t.Fatalf("request %s %s %s; want POST /erp/orders with the payload", req.Method, req.Path, req.Body)
		}
		for k, v := range map[string]string{"Content-Type": "application/json", "X-SalesMania-Event": "order.created",
			"X-SalesMania-Delivery": "9f86d081884c7d659a2feaa0c55ad011", "User-Agent": "salesmania-webhook/1"} {
			if got := req.Header.Get(k); got != v {
				t.Errorf("%s = %q; want %q", k, got, v)
			}
		}
		m := signatureHeader.FindStringSubmatch(req.Header.Get("X-SalesMania-Signature"))
		if m == nil {
			t.Fatalf("X-SalesMania-Signature = %q", req.Header.Get("X-SalesMania-Signature"))
		}
		if m[1] != strconv.FormatInt(clock.Unix(), 10) {
			t.Errorf("t = %s; want the attempt's time %d", m[1], clock.Unix())
		}
		if !hmac.Equal([]byte(m[2]), []byte(hmacHex("whsec-5f3c9a1e7b2d4c60", clock.Unix(), req.Body))) {
			t.Errorf("v1 = %s does not verify", m[2])
		}
		if len(o.attempts) != 1 {
			t.Fatalf("%d attempts; want 1", len(o.attempts))
		}
	})
	t.Run("OK/Any2xx", func(t *testing.T) {
		srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, strings.Repeat("ignored ", 100000)) // a big answer is not read whole
		})
		o := newFakeOutbox(pending(1, srv.URL, 0, clock))
		startDispatcher(t, o, nil)
		wantResult(t, o.next(t), salesmania.DeliveryResult{StatusCode: 202, Delivered: true, AttemptedAt: attemptedAt})
	})
	t.Run("ErrStatus500", func(t *testing.T) {
		srv, got := receiver(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
		o := newFakeOutbox(pending(1, srv.URL, 0, clock.Add(-time.Minute)))
		startDispatcher(t, o, nil)
		wantResult(t, o.next(t), salesmania.DeliveryResult{StatusCode: 500, Error: "receiver answered 500", AttemptedAt: attemptedAt,
			NextAttemptAt: ptr(attemptedAt.Add(time.Second))})
		<-got
		// The clock stands still, so the retry is not due: one attempt only.
		time.Sleep(100 * time.Millisecond)
		if n := len(got); n != 0 {
			t.Fatalf("%d more requests before the retry is due", n)
		}
	})
	t.Run("ErrStatus404LaterAttempt", func(t *testing.T) {
		// The fourth attempt's failure waits 8 s.
		srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
		o := newFakeOutbox(pending(1, srv.URL, 3, clock.Add(-time.Minute)))
		startDispatcher(t, o, nil)
		wantResult(t, o.next(t), salesmania.DeliveryResult{StatusCode: 404, Error: "receiver answered 404", AttemptedAt: attemptedAt,
			NextAttemptAt: ptr(attemptedAt.Add(8 * time.Second))})
	})
	t.Run("ErrTimeout", func(t *testing.T) {
		srv, got := receiver(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		})
		o := newFakeOutbox(pending(1, srv.URL, 0, clock.Add(-time.Minute)))
		startDispatcher(t, o, &http.Client{Timeout: 100 * time.Millisecond})
		rec := o.next(t)
		wantResult(t, rec, salesmania.DeliveryResult{StatusCode: 0, Error: "*", AttemptedAt: attemptedAt,
			NextAttemptAt: ptr(attemptedAt.Add(time.Second))})
		if rec.R.Error != "timeout" {
			t.Errorf("error = %q; want timeout", rec.R.Error)
		}
		<-got
	})
	t.Run("ErrConnectionRefused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		o := newFakeOutbox(pending(1, url, 0, clock.Add(-time.Minute)))
		startDispatcher(t, o, nil)
		wantResult(t, o.next(t), salesmania.DeliveryResult{StatusCode: 0, Error: "connection refused", AttemptedAt: attemptedAt,
			NextAttemptAt: ptr(attemptedAt.Add(time.Second))})
	})
	t.Run("ErrConnectionClosed", func(t *testing.T) {
		srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close()
		})
		o := newFakeOutbox(pending(1, srv.URL, 0, clock.Add(-time.Minute)))
		startDispatcher(t, o, nil)
		wantResult(t, o.next(t), salesmania.DeliveryResult{StatusCode: 0, Error: "connection closed", AttemptedAt: attemptedAt,
			NextAttemptAt: ptr(attemptedAt.Add(time.Second))})
	})
	t.Run("ErrTLS", func(t *testing.T) {
		// A certificate the client does not trust.
		srv := httptest.NewTLSServer(http.NotFoundHandler())
		t.Cleanup(srv.Close)
		o := newFakeOutbox(pending(1, srv.URL, 0, clock.Add(-time.Minute)))
		startDispatcher(t, o, nil)
		wantResult(t, o.next(t), salesmania.DeliveryResult{StatusCode: 0, Error: "tls error", AttemptedAt: attemptedAt,
			NextAttemptAt: ptr(attemptedAt.Add(time.Second))})
	})
	t.Run("ErrNoSuchHost", func(t *testing.T) {
		o := newFakeOutbox(pending(1, "http://erp.no-such-host.invalid/orders", 0, clock.Add(-time.Minute)))
		startDispatcher(t, o, nil)
		wantResult(t, o.next(t), salesmania.DeliveryResult{StatusCode: 0, Error: "no such host", AttemptedAt: attemptedAt,
			NextAttemptAt: ptr(attemptedAt.Add(time.Second))})
	})
	t.Run("GiveUp/After24Hours", func(t *testing.T) {
		srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) })
		o := newFakeOutbox(pending(1, srv.URL, 30, clock.Add(-24*time.Hour+time.Minute)))
		startDispatcher(t, o, nil)
		wantResult(t, o.next(t), salesmania.DeliveryResult{StatusCode: 502, Error: "receiver answered 502", AttemptedAt: attemptedAt})
	})
	t.Run("ErrRedirectIsNotDelivered", func(t *testing.T) {
		var mu sync.Mutex
		var seen []string
		srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.URL.Path)
			mu.Unlock()
			if r.URL.Path == "/hook" {
				http.Redirect(w, r, "/elsewhere", http.StatusFound)
				return
			}
			w.WriteHeader(http.StatusOK)
		})
		o := newFakeOutbox(pending(1, srv.URL+"/hook", 0, clock.Add(-time.Minute)))
		startDispatcher(t, o, nil)
		rec := o.next(t)
		mu.Lock()
		defer mu.Unlock()
		if rec.R.Delivered || rec.R.StatusCode != http.StatusFound || rec.R.NextAttemptAt == nil {
			t.Fatalf("a 302 answer gave %+v after requests %v; want a failed attempt with status 302 and a retry", rec.R, seen)
		}
	})
	t.Run("OK/ManyAtOnce", func(t *testing.T) {
		var mu sync.Mutex
		deliveries := map[string]int{}
		srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			deliveries[r.Header.Get("X-SalesMania-Delivery")]++
			mu.Unlock()
		})
		var ds []salesmania.PendingDelivery
		for i := range int64(40) { // more than one batch of 16
			ds = append(ds, pending(i+1, srv.URL, 0, clock))
		}
		o := newFakeOutbox(ds...)
		startDispatcher(t, o, nil)
		for range ds {
			if rec := o.next(t); !rec.R.Delivered {
				t.Fatalf("delivery %d: %+v", rec.D.ID, rec.R)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(deliveries) != 40 {
			t.Fatalf("%d distinct deliveries received; want 40", len(deliveries))
		}
		for id, n := range deliveries {
			if n != 1 {
				t.Fatalf("delivery %s received %d times; want once", id, n)
			}
		}
	})
}

func TestWebhookDispatcherStops(t *testing.T) {
	t.Run("OK/Idle", func(t *testing.T) {
		o := newFakeOutbox()
		stop := startDispatcher(t, o, nil)
		time.Sleep(50 * time.Millisecond)
		start := time.Now()
		stop()
		if d := time.Since(start); d > time.Second {
			t.Fatalf("Run took %v to return after cancel", d)
		}
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.claims < 2 {
			t.Fatalf("%d claims in 50 ms with a 10 ms poll; want the dispatcher to poll", o.claims)
		}
	})
	t.Run("OK/FinishesAttemptUnderWay", func(t *testing.T) {
		arrived := make(chan struct{})
		srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			time.Sleep(200 * time.Millisecond)
		})
		o := newFakeOutbox(pending(1, srv.URL, 0, clock))
		stop := startDispatcher(t, o, nil)
		<-arrived
		stop() // returns only once the attempt is recorded
		select {
		case rec := <-o.recorded:
			wantResult(t, rec, salesmania.DeliveryResult{StatusCode: 200, Delivered: true, AttemptedAt: clock.Truncate(time.Microsecond)})
		default:
			t.Fatal("Run returned before recording the attempt under way")
		}
	})
}

// TestWebhookPrivateAddresses: by default the dispatcher connects to public
// addresses only, checked after DNS resolution, so neither an IP address
// nor a name pointing inside the network (here localhost) gets the order.
func TestWebhookPrivateAddresses(t *testing.T) {
	attemptedAt := clock.Truncate(time.Microsecond)
	srv, got := receiver(t, func(w http.ResponseWriter, r *http.Request) {})
	port := srv.URL[strings.LastIndexByte(srv.URL, ':')+1:]
	for _, tt := range []struct{ name, url string }{
		{"Loopback", srv.URL + "/erp/orders"},
		{"NameOfLoopback", "http://localhost:" + port + "/erp/orders"},
		{"CloudMetadata", "http://169.254.169.254/latest/meta-data/"},
		{"Private", "http://10.1.2.3:5432/"},
	} {
		t.Run("ErrRefused/"+tt.name, func(t *testing.T) {
			o := newFakeOutbox(pending(1, tt.url, 0, clock.Add(-time.Minute)))
			startGuardedDispatcher(t, o)
			wantResult(t, o.next(t), salesmania.DeliveryResult{StatusCode: 0, Error: "refused: private address", AttemptedAt: attemptedAt,
				NextAttemptAt: ptr(attemptedAt.Add(time.Second))})
			if n := len(got); n != 0 {
				t.Fatalf("the receiver got %d requests; want none", n)
			}
		})
	}
	t.Run("OK/Allowed", func(t *testing.T) {
		o := newFakeOutbox(pending(1, "http://localhost:"+port+"/erp/orders", 0, clock.Add(-time.Minute)))
		startDispatcherWith(t, &webhook.Dispatcher{Outbox: o, AllowPrivate: true})
		wantResult(t, o.next(t), salesmania.DeliveryResult{StatusCode: 200, Delivered: true, AttemptedAt: attemptedAt})
		if req := <-got; req.Path != "/erp/orders" {
			t.Fatalf("request to %s; want /erp/orders", req.Path)
		}
	})
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		name, url string
		refused   bool
	}{
		{"ErrLocalhost", "http://localhost:5432/", true},
		{"ErrLocalhostHTTPS", "https://LOCALHOST/erp", true},
		{"OK/DoesNotResolve", "https://erp.no-such-host.invalid/orders", false},
		// IP addresses are the domain's to refuse (NewWebhook), without DNS.
		{"OK/IPAddressLeftToDomain", "http://127.0.0.1/", false},
		{"OK/IPv6AddressLeftToDomain", "http://[::1]/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := webhook.CheckURL(context.Background(), tt.url)
			if !tt.refused {
				if err != nil {
					t.Fatalf("CheckURL(%q) = %v; want nil", tt.url, err)
				}
				return
			}
			var se *salesmania.Error
			if !errors.As(err, &se) || se.Code != salesmania.EINVALID || len(se.Fields) != 1 || se.Fields[0].Field != "url" ||
				!strings.Contains(se.Fields[0].Message, "loopback") {
				t.Fatalf("CheckURL(%q) = %v; want invalid url naming a loopback address", tt.url, err)
			}
		})
	}
}
