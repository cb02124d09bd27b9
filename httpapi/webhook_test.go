package httpapi_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
	"github.com/salesmania/salesmania/webhook"
)

const webhooksPath = "/extapi/v1.0/webhooks"

// webhookOut is a webhook as the API answers it, decoded strictly: a
// field beyond the four documented ones (a secret, say) fails the test.
type webhookOut struct {
	ID        int64     `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
}

func decodeStrict(t *testing.T, b []byte, v any) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

// mustCreateWebhook registers a webhook as tn and remembers its secret, so
// that every later answer and log line is checked not to show it.
func mustCreateWebhook(t *testing.T, tn tenant, hookURL, secret string, events ...string) webhookOut {
	t.Helper()
	tn.e.keepSecret(secret)
	body := map[string]any{"url": hookURL, "secret": secret}
	if len(events) > 0 {
		body["events"] = events
	}
	r := tn.call("POST", webhooksPath, js(body))
	mustOK(t, r)
	var h webhookOut
	decodeStrict(t, r.body, &h)
	return h
}

func mustListWebhooks(t *testing.T, tn tenant) []webhookOut {
	t.Helper()
	r := tn.call("GET", webhooksPath, "")
	mustOK(t, r)
	var out struct {
		Data []webhookOut `json:"data"`
	}
	decodeStrict(t, r.body, &out)
	return out.Data
}

func wantWebhooks(t *testing.T, got []webhookOut, want ...webhookOut) {
	t.Helper()
	if want == nil {
		want = []webhookOut{}
	}
	if g, w := js(got), js(want); g != w {
		t.Fatalf("webhooks = %s; want %s", g, w)
	}
}

type attemptPage struct {
	Data       []salesmania.WebhookAttempt `json:"data"`
	NextCursor *string                     `json:"next_cursor"`
	Total      *int64                      `json:"total"`
}

// mustListAttempts walks every page of a webhook's deliveries.
func mustListAttempts(t *testing.T, tn tenant, hookID int64, query string) []salesmania.WebhookAttempt {
	t.Helper()
	var out []salesmania.WebhookAttempt
	cursor := ""
	for range 100 {
		q := query
		if cursor != "" {
			q = join(q, "cursor="+url.QueryEscape(cursor))
		}
		r := tn.call("GET", webhooksPath+"/"+itoa(hookID)+"/deliveries?"+q, "")
		mustOK(t, r)
		var p attemptPage
		r.json(t, &p)
		out = append(out, p.Data...)
		if p.NextCursor == nil {
			return out
		}
		cursor = *p.NextCursor
	}
	t.Fatal("delivery list does not end")
	return nil
}

// waitAttempts waits until a webhook's delivery log lists n attempts (the
// receiver may see a request before the dispatcher has logged it) and
// returns them.
func waitAttempts(t *testing.T, tn tenant, hookID int64, n int) []salesmania.WebhookAttempt {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := mustListAttempts(t, tn, hookID, "")
		if len(got) >= n || time.Now().After(deadline) {
			if len(got) != n {
				t.Fatalf("%d attempts listed; want %d: %s", len(got), n, js(got))
			}
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestWebhookManage(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		var made []webhookOut

		t.Run("OK/Create", func(t *testing.T) {
			before := time.Now().UTC().Truncate(time.Microsecond)
			h := mustCreateWebhook(t, w.ani, "  https://erp.majujaya.example/salesmania/orders?src=sm  ", "whsec-manage-7d1e0b9c4a", "order.created")
			after := time.Now().UTC()
			if h.ID <= 0 || h.URL != "https://erp.majujaya.example/salesmania/orders?src=sm" || !slices.Equal(h.Events, []string{"order.created"}) ||
				h.CreatedAt.Before(before) || h.CreatedAt.After(after) {
				t.Fatalf("webhook = %+v", h)
			}
			made = append(made, h)
		})
		t.Run("OK/EventsDefaultToBoth", func(t *testing.T) {
			h := mustCreateWebhook(t, w.ani, "http://10.0.0.5:8080/hook", "0123456789abcdef")
			if !slices.Equal(h.Events, []string{"order.created", "order.updated"}) {
				t.Fatalf("events = %v; want both", h.Events)
			}
			made = append(made, h)
		})
		t.Run("OK/RepeatedEventsOnce", func(t *testing.T) {
			h := mustCreateWebhook(t, w.ani, "https://erp.majujaya.example/salesmania/orders?src=sm", strings.Repeat("s", 256),
				"order.updated", "order.updated", "order.created")
			if !slices.Equal(h.Events, []string{"order.updated", "order.created"}) {
				t.Fatalf("events = %v; want order.updated, order.created", h.Events)
			}
			made = append(made, h)
		})
		t.Run("OK/EventsNullMeansBoth", func(t *testing.T) {
			w.e.keepSecret("null-events-secret-1")
			r := w.ani.callBad("POST", webhooksPath, `{"url":"https://erp.example/null","secret":"null-events-secret-1","events":null}`, nil)
			mustOK(t, r)
			var h webhookOut
			decodeStrict(t, r.body, &h)
			if !slices.Equal(h.Events, []string{"order.created", "order.updated"}) {
				t.Fatalf("events = %v; want both", h.Events)
			}
			made = append(made, h)
		})
		t.Run("OK/List", func(t *testing.T) {
			wantWebhooks(t, mustListWebhooks(t, w.ani), made...)
			wantWebhooks(t, mustListWebhooks(t, w.agus))
		})
		t.Run("ErrMember", func(t *testing.T) {
			id := itoa(made[0].ID)
			wantProblem(t, w.budi.call("GET", webhooksPath, ""), 403)
			wantProblem(t, w.budi.call("POST", webhooksPath, `{"url":"https://evil.example/","secret":"0123456789abcdef"}`), 403)
			wantProblem(t, w.budi.call("DELETE", webhooksPath+"/"+id, ""), 403)
			wantProblem(t, w.budi.call("GET", webhooksPath+"/"+id+"/deliveries", ""), 403)
			// A member gets 403 whatever the id, even one that names nothing.
			wantProblem(t, w.siti.call("DELETE", webhooksPath+"/999999999", ""), 403)
			wantProblem(t, w.siti.call("GET", webhooksPath+"/abc/deliveries", ""), 403)
			wantWebhooks(t, mustListWebhooks(t, w.ani), made...)
		})
		t.Run("ErrOtherDatabase", func(t *testing.T) {
			id := itoa(made[0].ID)
			wantProblem(t, w.agus.call("DELETE", webhooksPath+"/"+id, ""), 404)
			wantProblem(t, w.agus.call("GET", webhooksPath+"/"+id+"/deliveries", ""), 404)
			wantWebhooks(t, mustListWebhooks(t, w.ani), made...)
		})
		t.Run("ErrJunkIDs", func(t *testing.T) {
			for _, id := range []string{"0", "-1", "abc", "999999999"} {
				wantProblem(t, w.ani.call("DELETE", webhooksPath+"/"+id, ""), 404)
				wantProblem(t, w.ani.call("GET", webhooksPath+"/"+id+"/deliveries", ""), 404)
			}
		})
		t.Run("ErrQueryParameters", func(t *testing.T) {
			wantProblem(t, w.ani.callBad("GET", webhooksPath+"?limit=10", "", nil), 400, "limit")
			wantProblem(t, w.ani.callBad("GET", webhooksPath+"/"+itoa(made[0].ID)+"/deliveries?updated_since=2024-01-01T00:00:00Z", "", nil), 400, "updated_since")
			wantProblem(t, w.ani.callBad("GET", webhooksPath+"/"+itoa(made[0].ID)+"/deliveries?limit=0", "", nil), 400, "limit")
		})
		t.Run("OK/Delete", func(t *testing.T) {
			r := w.ani.call("DELETE", webhooksPath+"/"+itoa(made[1].ID), "")
			mustOK(t, r)
			if string(r.body) != "{}\n" && string(r.body) != "{}" {
				t.Fatalf("body = %q; want {}", r.body)
			}
			wantWebhooks(t, mustListWebhooks(t, w.ani), made[0], made[2], made[3])
			wantProblem(t, w.ani.call("DELETE", webhooksPath+"/"+itoa(made[1].ID), ""), 404)
			wantProblem(t, w.ani.call("GET", webhooksPath+"/"+itoa(made[1].ID)+"/deliveries", ""), 404)
		})
		t.Run("OK/NoDeliveriesYet", func(t *testing.T) {
			r := w.ani.call("GET", webhooksPath+"/"+itoa(made[0].ID)+"/deliveries?include_total=true", "")
			mustOK(t, r)
			if !bytes.Contains(r.body, []byte(`"data":[]`)) || !bytes.Contains(r.body, []byte(`"next_cursor":null`)) || !bytes.Contains(r.body, []byte(`"total":0`)) {
				t.Fatalf("body = %s; want an empty page with total 0", r.body)
			}
		})
	})
}

// TestWebhookCreateInvalid sends bad bodies: each is refused with its
// fields named, and no webhook is stored.
func TestWebhookCreateInvalid(t *testing.T) {
	const secret = `"secret":"0123456789abcdef"`
	tests := []struct {
		name   string
		body   string
		status int
		fields []string
	}{
		{"ErrURLMissing", `{` + secret + `}`, 422, []string{"url"}},
		{"ErrURLNull", `{"url":null,` + secret + `}`, 422, []string{"url"}},
		{"ErrURLEmpty", `{"url":"  ",` + secret + `}`, 422, []string{"url"}},
		{"ErrURLFTP", `{"url":"ftp://erp.example/orders",` + secret + `}`, 422, []string{"url"}},
		{"ErrURLRelative", `{"url":"/hooks/orders",` + secret + `}`, 422, []string{"url"}},
		{"ErrURLNoScheme", `{"url":"erp.example/orders",` + secret + `}`, 422, []string{"url"}},
		{"ErrURLNoHost", `{"url":"https:///orders",` + secret + `}`, 422, []string{"url"}},
		{"ErrURLCredentials", `{"url":"https://erp:rahasia@erp.example/orders",` + secret + `}`, 422, []string{"url"}},
		{"ErrURLUserOnly", `{"url":"https://erp@erp.example/orders",` + secret + `}`, 422, []string{"url"}},
		{"ErrURLJavascript", `{"url":"javascript:alert(1)",` + secret + `}`, 422, []string{"url"}},
		{"ErrURLLong", `{"url":"https://erp.example/` + strings.Repeat("a", 2000) + `",` + secret + `}`, 422, []string{"url"}},
		{"ErrURLNotString", `{"url":42,` + secret + `}`, 400, []string{"url"}},
		{"ErrSecretMissing", `{"url":"https://erp.example/orders"}`, 422, []string{"secret"}},
		{"ErrSecretShort", `{"url":"https://erp.example/orders","secret":"0123456789abcde"}`, 422, []string{"secret"}},
		{"ErrSecretLong", `{"url":"https://erp.example/orders","secret":"` + strings.Repeat("s", 257) + `"}`, 422, []string{"secret"}},
		{"ErrSecretNotString", `{"url":"https://erp.example/orders","secret":1234567890123456}`, 400, []string{"secret"}},
		{"ErrEventsEmpty", `{"url":"https://erp.example/orders",` + secret + `,"events":[]}`, 422, []string{"events"}},
		{"ErrEventUnknown", `{"url":"https://erp.example/orders",` + secret + `,"events":["order.deleted"]}`, 422, []string{"events[0]"}},
		{"ErrSecondEventUnknown", `{"url":"https://erp.example/orders",` + secret + `,"events":["order.created","ORDER.UPDATED"]}`, 422, []string{"events[1]"}},
		{"ErrEventsNotArray", `{"url":"https://erp.example/orders",` + secret + `,"events":"order.created"}`, 400, []string{"events"}},
		{"ErrUnknownField", `{"url":"https://erp.example/orders",` + secret + `,"active":true}`, 422, []string{"active"}},
		{"ErrEverything", `{"url":"ftp://x","secret":"short","events":[]}`, 422, []string{"url", "secret", "events"}},
		{"ErrArrayBody", `[]`, 400, nil},
	}
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		kept := mustCreateWebhook(t, w.ani, "https://erp.majujaya.example/orders", "kept-secret-0123456")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantProblem(t, w.ani.callBad("POST", webhooksPath, tt.body, nil), tt.status, tt.fields...)
				wantWebhooks(t, mustListWebhooks(t, w.ani), kept)
			})
		}
		t.Run("ErrContentType", func(t *testing.T) {
			r := w.ani.callBad("POST", webhooksPath, `{"url":"https://erp.example/orders",`+secret+`}`, map[string]string{"Content-Type": "text/plain"})
			wantProblem(t, r, 415)
			wantWebhooks(t, mustListWebhooks(t, w.ani), kept)
		})
	})
}

// hookRequest is one request a test receiver got.
type hookRequest struct {
	At     time.Time
	Header http.Header
	Body   []byte
}

// hookReceiver is an ERP's webhook endpoint for the tests: it records every
// request and answers each with the status fail gives it (200 when nil).
type hookReceiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []hookRequest
	got  chan struct{}
}

func newHookReceiver(t *testing.T, fail func(n int) int) *hookReceiver {
	t.Helper()
	h := &hookReceiver{got: make(chan struct{}, 100)}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != "POST" || r.URL.Path != "/erp/orders" {
			t.Errorf("receiver got %s %s; want POST /erp/orders", r.Method, r.URL.Path)
		}
		h.mu.Lock()
		h.reqs = append(h.reqs, hookRequest{At: time.Now(), Header: r.Header.Clone(), Body: b})
		n := len(h.reqs)
		h.mu.Unlock()
		status := http.StatusOK
		if fail != nil {
			status = fail(n)
		}
		w.WriteHeader(status)
		h.got <- struct{}{}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) URL() string { return h.srv.URL + "/erp/orders" }

// wait waits until the receiver has had n requests and returns them.
func (h *hookReceiver) wait(t *testing.T, n int) []hookRequest {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		h.mu.Lock()
		if len(h.reqs) >= n {
			out := slices.Clone(h.reqs)
			h.mu.Unlock()
			return out
		}
		got := len(h.reqs)
		h.mu.Unlock()
		select {
		case <-h.got:
		case <-deadline:
			t.Fatalf("the receiver had %d requests within 15 s; want %d", got, n)
		}
	}
}

func (h *hookReceiver) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.reqs)
}

// startDispatcher runs the webhook dispatcher in-process, logging into the
// server's log (which the env checks for leaked secrets), until the test
// ends.
func startDispatcher(t *testing.T, e *env) {
	t.Helper()
	startDispatcherAt(t, e, 0)
}

// startDispatcherAt is startDispatcher with the dispatcher's clock set
// ahead by skew.
func startDispatcherAt(t *testing.T, e *env, skew time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&webhook.Dispatcher{Outbox: e.store, AllowPrivate: true, PollInterval: 20 * time.Millisecond, Now: func() time.Time { return time.Now().Add(skew) },
			Logger: slog.New(slog.NewJSONHandler(e.logs, nil))}).Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("the dispatcher did not stop within 15 s")
		}
	})
}

var signatureRE = regexp.MustCompile(`^t=([0-9]+),v1=([0-9a-f]{64})$`)

// verifyHookRequest checks a request as an ERP should: the signature is
// HMAC-SHA256 with the secret over "<t>.<body>", and t is recent. It
// returns t.
func verifyHookRequest(t *testing.T, req hookRequest, secret string) int64 {
	t.Helper()
	if ct := req.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q; want application/json", ct)
	}
	sig := req.Header.Get("X-SalesMania-Signature")
	m := signatureRE.FindStringSubmatch(sig)
	if m == nil {
		t.Fatalf("X-SalesMania-Signature = %q; want t=<unix>,v1=<64 hex digits>", sig)
	}
	ts, _ := strconv.ParseInt(m[1], 10, 64)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(m[1] + "." + string(req.Body)))
	if want := hex.EncodeToString(mac.Sum(nil)); !hmac.Equal([]byte(m[2]), []byte(want)) {
		t.Fatalf("signature %s does not verify with the secret (want v1=%s)", sig, want)
	}
	if d := req.At.Sub(time.Unix(ts, 0)); d < -time.Second || d > 5*time.Second {
		t.Fatalf("t = %d is %v away from when the request came (%v); want the time of the attempt", ts, d, req.At)
	}
	if id := req.Header.Get("X-SalesMania-Delivery"); id == "" {
		t.Fatal("no X-SalesMania-Delivery")
	}
	return ts
}

// jsonValue decodes b keeping numbers as written.
func jsonValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// wantExtOrder checks that a webhook body is exactly the Ext Order want
// (§6.3): the published field names, every field, numbers as written.
func wantExtOrder(t *testing.T, body []byte, want string) {
	t.Helper()
	if g, w := jsonValue(t, body), jsonValue(t, []byte(want)); !reflect.DeepEqual(g, w) {
		t.Fatalf("webhook body =\n%s\nwant\n%s", body, want)
	}
}

// TestWebhookDelivery is the acceptance test of §6.3: order events reach
// the ERP signed, in order, once each, and a failed attempt is retried
// with the same delivery id.
func TestWebhookDelivery(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		good := newHookReceiver(t, nil)
		flaky := newHookReceiver(t, func(n int) int {
			if n == 1 {
				return http.StatusInternalServerError
			}
			return http.StatusOK
		})
		updatesOnly := newHookReceiver(t, nil)
		theirs := newHookReceiver(t, nil)
		const goodSecret, flakySecret, updatesSecret = "whsec-good-5f3c9a1e7b2d4c60", "whsec-flaky-0a1b2c3d4e5f", "whsec-updates-0123456789"
		goodHook := mustCreateWebhook(t, w.ani, good.URL(), goodSecret)
		flakyHook := mustCreateWebhook(t, w.ani, flaky.URL(), flakySecret)
		mustCreateWebhook(t, w.ani, updatesOnly.URL(), updatesSecret, "order.updated")
		mustCreateWebhook(t, w.agus, theirs.URL(), "whsec-theirs-0123456789")
		startDispatcher(t, w.e)

		// Budi, a member, orders; then the order moves on. A PATCH that
		// changes nothing and a refused one send nothing.
		o, _ := w.mustCreateOrder(t, w.budi, seedOrderBody)
		w.mustPatchOrder(t, w.budi, o.ID, `{"status":"Diproses","ext_order_status_name":"Disiapkan"}`)
		w.mustPatchOrder(t, w.budi, o.ID, `{"status":"Diproses"}`)
		wantProblem(t, w.budi.call("PATCH", w.ordersPath+"/"+itoa(o.ID), `{"status":"Baru"}`), 409)
		wantProblem(t, w.budi.callBad("PATCH", w.ordersPath+"/"+itoa(o.ID), `{"date":"2024-01-02"}`, nil), 422)
		w.mustPatchOrder(t, w.budi, o.ID, `{"status":"Terkirim"}`)

		extOrder := func(status string) string {
			return `{"ext_cust_no":"C-0001","ext_cust_id":0,"ext_salesman_number":"S-01","ext_order_id":"SO-2024-0001",
				"trans_date":"2024-01-01","disc_amount":4446,"disc_percent":"2","description":"",
				"sm_company_id":` + itoa(w.a.DB.ID) + `,"sm_customer_id":` + itoa(w.rejeki.ID) + `,"sm_team_id":` + itoa(w.teamBudi) + `,
				"sm_order_id":` + itoa(o.ID) + `,"sm_status":"` + status + `",
				"ordered_product":[{"ext_product_code":"P-0007","ext_product_id":0,"qty":2,"price":130000,
					"item_disc_percent":"10+5","item_disc_amount":37700,"unit":{"name":"DUS","ratio":40},
					"description":"","sm_product_id":` + itoa(w.indomie.ID) + `}]}`
		}
		wantEvents := []struct{ event, status string }{{"order.created", "Baru"}, {"order.updated", "Diproses"}, {"order.updated", "Terkirim"}}

		t.Run("OK/SignedInOrder", func(t *testing.T) {
			reqs := good.wait(t, 3)
			seen := map[string]bool{}
			for i, want := range wantEvents {
				req := reqs[i]
				verifyHookRequest(t, req, goodSecret)
				if ev := req.Header.Get("X-SalesMania-Event"); ev != want.event {
					t.Fatalf("request %d: X-SalesMania-Event = %q; want %q", i+1, ev, want.event)
				}
				wantExtOrder(t, req.Body, extOrder(want.status))
				id := req.Header.Get("X-SalesMania-Delivery")
				if seen[id] {
					t.Fatalf("request %d repeats delivery id %s", i+1, id)
				}
				seen[id] = true
			}
		})
		t.Run("OK/RetriedWithSameDeliveryID", func(t *testing.T) {
			reqs := flaky.wait(t, 4)
			first, retry := reqs[0], reqs[1]
			t1 := verifyHookRequest(t, first, flakySecret)
			t2 := verifyHookRequest(t, retry, flakySecret)
			if first.Header.Get("X-SalesMania-Event") != "order.created" || retry.Header.Get("X-SalesMania-Event") != "order.created" {
				t.Fatalf("events %q, %q; want order.created twice", first.Header.Get("X-SalesMania-Event"), retry.Header.Get("X-SalesMania-Event"))
			}
			if id := first.Header.Get("X-SalesMania-Delivery"); retry.Header.Get("X-SalesMania-Delivery") != id {
				t.Fatalf("retry has delivery id %q; want the first attempt's %q", retry.Header.Get("X-SalesMania-Delivery"), id)
			}
			if t2 <= t1 || retry.Header.Get("X-SalesMania-Signature") == first.Header.Get("X-SalesMania-Signature") {
				t.Fatalf("retry signed %q after %q; want a new t and signature", retry.Header.Get("X-SalesMania-Signature"), first.Header.Get("X-SalesMania-Signature"))
			}
			if d := retry.At.Sub(first.At); d < 900*time.Millisecond {
				t.Fatalf("retried after %v; want about 1 s", d)
			}
			if !bytes.Equal(first.Body, retry.Body) {
				t.Fatalf("retry body %s differs from %s", retry.Body, first.Body)
			}
			// The order's later events wait for the retry to succeed.
			for i, want := range wantEvents {
				req := reqs[i+1]
				verifyHookRequest(t, req, flakySecret)
				if ev := req.Header.Get("X-SalesMania-Event"); ev != want.event {
					t.Fatalf("request %d: X-SalesMania-Event = %q; want %q", i+2, ev, want.event)
				}
				wantExtOrder(t, req.Body, extOrder(want.status))
			}
		})
		t.Run("OK/DeliveriesListed", func(t *testing.T) {
			reqs := flaky.wait(t, 4)
			got := waitAttempts(t, w.ani, flakyHook.ID, 4)
			// Newest first: the two updates, the retry, the failed attempt.
			created, retry := got[3], got[2]
			createdID := reqs[0].Header.Get("X-SalesMania-Delivery")
			if created.ID != createdID || created.Event != "order.created" || created.OrderID != o.ID || created.Attempt != 1 ||
				created.StatusCode != 500 || created.Error == "" || created.NextAttemptAt == nil ||
				!created.NextAttemptAt.Equal(created.AttemptedAt.Add(time.Second)) {
				t.Fatalf("first attempt = %s; want attempt 1 of %s, status 500, an error, and a retry 1 s later", js(created), createdID)
			}
			if retry.ID != createdID || retry.Event != "order.created" || retry.OrderID != o.ID || retry.Attempt != 2 ||
				retry.StatusCode != 200 || retry.Error != "" || retry.NextAttemptAt != nil || retry.AttemptedAt.Before(*created.NextAttemptAt) {
				t.Fatalf("retry = %s; want attempt 2 of %s, status 200, no error, no next attempt, not before %v", js(retry), createdID, created.NextAttemptAt)
			}
			for i, a := range got[:2] {
				req := reqs[3-i]
				if a.ID != req.Header.Get("X-SalesMania-Delivery") || a.Event != "order.updated" || a.Attempt != 1 || a.StatusCode != 200 ||
					a.NextAttemptAt != nil || a.ID == createdID {
					t.Fatalf("attempt %s; want the first attempt of delivery %s, status 200", js(a), req.Header.Get("X-SalesMania-Delivery"))
				}
			}
			// Paged one at a time, the same rows in the same order.
			if paged := mustListAttempts(t, w.ani, flakyHook.ID, "limit=1"); js(paged) != js(got) {
				t.Fatalf("paged = %s\nwant %s", js(paged), js(got))
			}
			r := w.ani.call("GET", webhooksPath+"/"+itoa(flakyHook.ID)+"/deliveries?include_total=true&limit=2", "")
			mustOK(t, r)
			var p attemptPage
			r.json(t, &p)
			if p.Total == nil || *p.Total != 4 || len(p.Data) != 2 || p.NextCursor == nil {
				t.Fatalf("page = %s; want 2 of 4 with a cursor", r.body)
			}
		})
		t.Run("OK/GoodDeliveriesListed", func(t *testing.T) {
			good.wait(t, 3)
			got := waitAttempts(t, w.ani, goodHook.ID, 3)
			for _, a := range got {
				if a.Attempt != 1 || a.StatusCode != 200 || a.Error != "" || a.NextAttemptAt != nil || a.OrderID != o.ID {
					t.Fatalf("attempt = %s; want delivered at once", js(a))
				}
			}
		})
		t.Run("OK/EventFilter", func(t *testing.T) {
			reqs := updatesOnly.wait(t, 2)
			for i, req := range reqs {
				verifyHookRequest(t, req, updatesSecret)
				if ev := req.Header.Get("X-SalesMania-Event"); ev != "order.updated" {
					t.Fatalf("request %d: event %q; this webhook wants order.updated only", i+1, ev)
				}
				wantExtOrder(t, req.Body, extOrder(wantEvents[i+1].status))
			}
		})
		t.Run("OK/NothingMore", func(t *testing.T) {
			// Everything due has been sent: nothing else arrives, and CV
			// Sinar Abadi's webhook never hears of PT Maju Jaya's orders.
			time.Sleep(300 * time.Millisecond)
			if n := good.count(); n != 3 {
				t.Fatalf("good receiver had %d requests; want 3", n)
			}
			if n := flaky.count(); n != 4 {
				t.Fatalf("flaky receiver had %d requests; want 4", n)
			}
			if n := updatesOnly.count(); n != 2 {
				t.Fatalf("updates receiver had %d requests; want 2", n)
			}
			if n := theirs.count(); n != 0 {
				t.Fatalf("CV Sinar Abadi's receiver had %d requests; want none", n)
			}
		})
		t.Run("OK/DeletedWebhookGetsNothing", func(t *testing.T) {
			mustOK(t, w.ani.call("DELETE", webhooksPath+"/"+itoa(goodHook.ID), ""))
			o2, _ := w.mustCreateOrder(t, w.ani, seedOrderBody)
			reqs := flaky.wait(t, 5)
			if ev := reqs[4].Header.Get("X-SalesMania-Event"); ev != "order.created" || !bytes.Contains(reqs[4].Body, []byte(`"sm_order_id":`+itoa(o2.ID))) {
				t.Fatalf("flaky receiver got %s %s; want order.created of order %d", ev, reqs[4].Body, o2.ID)
			}
			time.Sleep(200 * time.Millisecond)
			if n := good.count(); n != 3 {
				t.Fatalf("the deleted webhook's receiver had %d requests; want still 3", n)
			}
		})
		t.Run("OK/TheirOrdersToTheirHook", func(t *testing.T) {
			mustCreateWebhook(t, w.agus, theirs.URL(), "whsec-theirs-0123456789")
			w.mustCreateOrder(t, w.agus, `{"date":"2024-01-15","customer_id":$XCUST,"ordered_products":[{"product_id":$XPROD,"qty":1,"unit":"PCS","price":4000}]}`)
			reqs := theirs.wait(t, 2) // one per webhook of CV Sinar Abadi
			for _, req := range reqs[:2] {
				if !bytes.Contains(req.Body, []byte(`"sm_company_id":`+itoa(w.b.DB.ID)+`,`)) {
					t.Fatalf("body %s; want CV Sinar Abadi's order", req.Body)
				}
			}
		})
	})
}

// TestWebhookGiveUp checks that an event whose 24 hours have passed is
// given up after a failed attempt, and that it no longer holds back the
// order's later events.
func TestWebhookGiveUp(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		rcv := newHookReceiver(t, func(n int) int {
			if n == 1 {
				return http.StatusServiceUnavailable
			}
			return http.StatusOK
		})
		hook := mustCreateWebhook(t, w.ani, rcv.URL(), "whsec-giveup-0123456789")
		o, _ := w.mustCreateOrder(t, w.ani, seedOrderBody)
		w.mustPatchOrder(t, w.ani, o.ID, `{"status":"Batal"}`)
		// The dispatcher's clock says the events are 25 hours old.
		startDispatcherAt(t, w.e, 25*time.Hour)
		reqs := rcv.wait(t, 2)
		if reqs[0].Header.Get("X-SalesMania-Event") != "order.created" || reqs[1].Header.Get("X-SalesMania-Event") != "order.updated" {
			t.Fatalf("events %q, %q; want order.created, order.updated", reqs[0].Header.Get("X-SalesMania-Event"), reqs[1].Header.Get("X-SalesMania-Event"))
		}
		got := waitAttempts(t, w.ani, hook.ID, 2)
		if a := got[1]; a.Event != "order.created" || a.Attempt != 1 || a.StatusCode != 503 || a.Error == "" || a.NextAttemptAt != nil {
			t.Fatalf("attempt = %s; want order.created given up after its first attempt (503, no next attempt)", js(a))
		}
		if a := got[0]; a.Event != "order.updated" || a.StatusCode != 200 || a.NextAttemptAt != nil {
			t.Fatalf("attempt = %s; want order.updated delivered", js(a))
		}
		time.Sleep(200 * time.Millisecond)
		if n := rcv.count(); n != 2 {
			t.Fatalf("%d requests; want 2: a given-up event is not retried", n)
		}
	})
}

// TestWebhookOrderStatusRace races PATCHes that move one order to Lunas and
// to Batal: the order takes one of them, the other is 409 (or a no-op 200
// when it repeats the winner), and exactly one order.updated is sent.
func TestWebhookOrderStatusRace(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		rcv := newHookReceiver(t, nil)
		mustCreateWebhook(t, w.ani, rcv.URL(), "whsec-race-0123456789")
		o, _ := w.mustCreateOrder(t, w.ani, seedOrderBody)
		const n = 8
		type result struct {
			status int
			order  string
		}
		results := make(chan result, 2*n)
		var wg sync.WaitGroup
		for i := range 2 * n {
			to := []string{"Lunas", "Batal"}[i%2]
			wg.Go(func() {
				req, _ := http.NewRequest("PATCH", w.e.URL+w.ordersPath+"/"+itoa(o.ID)+"?team_token="+w.ani.teamToken, strings.NewReader(`{"status":"`+to+`"}`))
				req.Header.Set("Authorization", "Bearer "+w.ani.bearer)
				req.Header.Set("Content-Type", "application/json")
				resp, err := w.e.raw.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				defer resp.Body.Close()
				var got salesmania.Order
				if resp.StatusCode == 200 {
					json.NewDecoder(resp.Body).Decode(&got)
				}
				results <- result{resp.StatusCode, to + ">" + got.Status}
			})
		}
		wg.Wait()
		close(results)
		final := w.mustGetOrder(t, w.ani, o.ID).Status
		for r := range results {
			to, got, _ := strings.Cut(r.order, ">")
			switch {
			case r.status == 200 && to == final && got == final:
			case r.status == 409 && to != final:
			default:
				t.Fatalf("PATCH to %s answered %d (%s) while the order ended %s", to, r.status, got, final)
			}
		}
		startDispatcher(t, w.e)
		reqs := rcv.wait(t, 2)
		time.Sleep(200 * time.Millisecond)
		if rcv.count() != 2 || reqs[1].Header.Get("X-SalesMania-Event") != "order.updated" ||
			!bytes.Contains(reqs[1].Body, []byte(`"sm_status":"`+final+`"`)) {
			t.Fatalf("%d events, the second %s %s; want order.created then one order.updated to %s", rcv.count(),
				reqs[1].Header.Get("X-SalesMania-Event"), reqs[1].Body, final)
		}
	})
}
