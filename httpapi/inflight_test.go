package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// slowBody sends the first bytes of a body, then nothing more until it is
// closed: a phone on a bad network, or an attacker holding a slot.
type slowBody struct {
	first []byte
	stop  chan struct{}
	once  sync.Once
}

func newSlowBody(body string) *slowBody {
	return &slowBody{first: []byte(body[:5]), stop: make(chan struct{})}
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(b.first) > 0 {
		n := copy(p, b.first)
		b.first = b.first[n:]
		return n, nil
	}
	<-b.stop
	return 0, io.ErrUnexpectedEOF
}

func (b *slowBody) Close() error {
	b.once.Do(func() { close(b.stop) })
	return nil
}

// slowResult is the answer to a slow request and how long it took.
type slowResult struct {
	status  int
	header  http.Header
	body    []byte
	err     error
	elapsed time.Duration
}

// holdEnv is a server whose handlers report, on reading, each request
// marked X-Test-Hold: by then the request holds its slots.
type holdEnv struct {
	*env
	reading chan struct{}
}

func newHoldEnv(t *testing.T, kind string, configure func(*httpapi.Config)) *holdEnv {
	reading := make(chan struct{}, 64)
	e := newEnvWith(t, kind, serverOptions{
		configure: configure,
		wrap: func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("X-Test-Hold") != "" {
					r.Body = &firstRead{ReadCloser: r.Body, started: func() { reading <- struct{}{} }}
				}
				h.ServeHTTP(w, r)
			})
		},
	})
	return &holdEnv{env: e, reading: reading}
}

// postSlowly starts a POST of a customer whose body stalls after 5 bytes.
// The exchange is checked against the OpenAPI document as if the whole
// body had been sent.
func (e *holdEnv) postSlowly(tn tenant) <-chan slowResult {
	const body = `{"name":"Toko Lambat"}`
	slow := newSlowBody(body)
	e.t.Cleanup(func() { slow.Close() })
	base := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		req.Body = slow
		req.GetBody = nil
		return http.DefaultTransport.RoundTrip(req)
	})
	c := &http.Client{Transport: openapitest.NewTransport(e.t, base), Timeout: 60 * time.Second}
	req, err := http.NewRequest("POST", e.URL+customersPath+"?team_token="+tn.teamToken, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tn.bearer)
	req.Header.Set("X-Test-Hold", "1")
	out := make(chan slowResult, 1)
	start := time.Now()
	go func() {
		resp, err := c.Do(req)
		if err != nil {
			out <- slowResult{err: err, elapsed: time.Since(start)}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		out <- slowResult{status: resp.StatusCode, header: resp.Header, body: b, err: err, elapsed: time.Since(start)}
	}()
	return out
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// awaitHeld waits until n slow requests are reading their bodies.
func (e *holdEnv) awaitHeld(n int) {
	e.t.Helper()
	for i := range n {
		select {
		case <-e.reading:
		case <-time.After(20 * time.Second):
			e.t.Fatalf("%d of %d slow requests reached their handler within 20 s", i, n)
		}
	}
}

// awaitResult waits for the answer to a slow request.
func awaitResult(t *testing.T, c <-chan slowResult) slowResult {
	t.Helper()
	select {
	case r := <-c:
		if r.err != nil {
			t.Fatalf("slow request: %v", r.err)
		}
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("a slow request got no answer within 30 s")
	}
	return slowResult{}
}

// wantCut checks that a held request was cut with 408 once its body
// deadline passed, and not before.
func wantCut(t *testing.T, r slowResult, deadline time.Duration) {
	t.Helper()
	if r.status != http.StatusRequestTimeout || !bytes.Contains(r.body, []byte(`"status":408`)) {
		t.Fatalf("held request: %d %s; want 408 with a problem body", r.status, r.body)
	}
	if r.elapsed < deadline {
		t.Fatalf("held request cut after %s; want at least the body deadline %s", r.elapsed, deadline)
	}
}

func TestInFlightLimits(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		const bodyTimeout = 3 * time.Second
		e := newHoldEnv(t, kind, func(c *httpapi.Config) {
			c.MaxConcurrent = 8
			c.MaxInFlightPerUser = 2
			c.MaxInFlightPerAddr = 4
			c.BodyTimeout = bodyTimeout
		})
		budi, siti, ani := e.mustUser("budi@majujaya.example"), e.mustUser("siti@majujaya.example"), e.mustUser("ani@sinarabadi.example")
		budiA := e.mustTenant(budi, e.login(budi.Email), "PT Maju Jaya")
		budiBearer2 := e.login(budi.Email)
		sitiA := e.mustTenant(siti, e.login(siti.Email), "PT Sumber Rejeki")
		aniA := e.mustTenant(ani, e.login(ani.Email), "CV Sinar Abadi")

		// Budi holds his two places; a third request, even with another
		// bearer token of his, is refused at once.
		held := []<-chan slowResult{e.postSlowly(budiA), e.postSlowly(budiA)}
		e.awaitHeld(2)
		third := awaitResult(t, e.postSlowly(tenant{e: e.env, DBID: budiA.DBID, bearer: budiBearer2, teamToken: budiA.teamToken}))
		if third.status != 429 || third.header.Get("Retry-After") == "" || !bytes.Contains(third.body, []byte("this user")) {
			t.Fatalf("Budi's third slow request: %d %v %s; want 429 with Retry-After naming the user", third.status, third.header, third.body)
		}
		// The refusal is sent at once, without waiting for the body.
		if third.elapsed >= bodyTimeout {
			t.Fatalf("the 429 came after %s, the body deadline", third.elapsed)
		}

		// Another user is served meanwhile, and may hold places of her own.
		mustOK(t, sitiA.call("POST", customersPath, `{"name":"Toko Cepat"}`))
		held = append(held, e.postSlowly(sitiA), e.postSlowly(sitiA))
		e.awaitHeld(2)

		// The address holds four: a fifth request from it is refused.
		r := aniA.call("GET", "/extapi/v1.0/teams", "")
		p := wantProblem(t, r, 429)
		if !strings.Contains(p.Detail, "client address") || r.Header.Get("Retry-After") == "" {
			t.Fatalf("over the address limit: %s %v; want the address named and Retry-After", p.Detail, r.Header)
		}
		// So is a slow one, at once.
		if r := awaitResult(t, e.postSlowly(aniA)); r.status != 429 || r.elapsed >= bodyTimeout || !bytes.Contains(r.body, []byte("client address")) {
			t.Fatalf("a slow request over the address limit: %d after %s %s; want 429 at once", r.status, r.elapsed, r.body)
		}
		// Four of eight slots: not saturated.
		if r := e.do(request{method: "GET", path: "/healthz"}); r.StatusCode != 200 {
			t.Fatalf("/healthz with 4 of 8 slots: %d %s; want 200", r.StatusCode, r.body)
		}

		// The deadline cuts every held request, and frees its places.
		for _, c := range held {
			wantCut(t, awaitResult(t, c), bodyTimeout)
		}
		mustOK(t, aniA.call("GET", "/extapi/v1.0/teams", ""))
		if n := budiA.count(t); n != 0 {
			t.Fatalf("Budi's database has %d customers; want 0", n)
		}
		if n := sitiA.count(t); n != 1 {
			t.Fatalf("Siti's database has %d customers; want 1", n)
		}
	})
}

func TestSaturationHealthz(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		const bodyTimeout = 2 * time.Second
		e := newHoldEnv(t, kind, func(c *httpapi.Config) {
			c.MaxConcurrent = 3
			c.BodyTimeout = bodyTimeout
		})
		budi, siti := e.mustUser("budi@majujaya.example"), e.mustUser("siti@majujaya.example")
		budiA := e.mustTenant(budi, e.login(budi.Email), "PT Maju Jaya")
		sitiA := e.mustTenant(siti, e.login(siti.Email), "PT Sumber Rejeki")

		var held []<-chan slowResult
		for range 3 {
			held = append(held, e.postSlowly(budiA))
		}
		e.awaitHeld(3)

		r := e.do(request{method: "GET", path: "/healthz"})
		wantProblem(t, r, 503)
		var check struct{ Check string }
		r.json(t, &check)
		if check.Check != "saturation" || r.Header.Get("Retry-After") != "1" {
			t.Fatalf("/healthz while saturated: %s (Retry-After %q); want check saturation, Retry-After 1", r.body, r.Header.Get("Retry-After"))
		}
		wantProblem(t, sitiA.call("GET", "/extapi/v1.0/teams", ""), 503)

		for _, c := range held {
			wantCut(t, awaitResult(t, c), bodyTimeout)
		}
		if r := e.do(request{method: "GET", path: "/healthz"}); r.StatusCode != 200 {
			t.Fatalf("/healthz once drained: %d %s; want 200", r.StatusCode, r.body)
		}
		mustOK(t, sitiA.call("GET", "/extapi/v1.0/teams", ""))
		if n := budiA.count(t); n != 0 {
			t.Fatalf("%d customers; want 0", n)
		}
	})
}
