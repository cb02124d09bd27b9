package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/salesmania/salesmania/openapi"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

func TestHealthz(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		t.Run("OK", func(t *testing.T) {
			r := e.do(request{method: "GET", path: "/healthz"})
			if r.StatusCode != 200 || strings.TrimSpace(string(r.body)) != `{"status":"ok"}` {
				t.Fatalf("healthz: %d %s", r.StatusCode, r.body)
			}
		})
		t.Run("ErrDatabaseDown", func(t *testing.T) {
			e.store.Close()
			r := e.do(request{method: "GET", path: "/healthz"})
			wantProblem(t, r, 503)
			if r.Header.Get("Retry-After") == "" {
				t.Fatal("503 without Retry-After")
			}
		})
	})
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, "sqlite")
	e.do(request{method: "GET", path: "/healthz"})
	e.do(request{method: "GET", path: "/extapi/v1.0/databases", skipRequest: true})
	e.do(request{method: "GET", path: "/no/such/thing", raw: true})
	r := e.do(request{method: "GET", path: "/metrics"})
	for _, want := range []string{
		`salesmania_http_requests_total{method="GET",route="GET /healthz",status="200"} 1`,
		`salesmania_http_requests_total{method="GET",route="GET /extapi/v1.0/databases",status="401"} 1`,
		`salesmania_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`salesmania_http_request_duration_seconds_bucket{method="GET",route="GET /healthz",le="+Inf"} 1`,
		`salesmania_http_requests_in_flight 1`,
	} {
		if !strings.Contains(string(r.body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestOpenAPI(t *testing.T) {
	e := newEnv(t, "sqlite")
	t.Run("Served", func(t *testing.T) {
		r := e.do(request{method: "GET", path: "/openapi.json"})
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/json" || !bytes.Equal(r.body, openapi.Document()) {
			t.Fatalf("openapi.json: %d %s, %d bytes", r.StatusCode, r.Header.Get("Content-Type"), len(r.body))
		}
	})
	t.Run("EveryRouteDocumented", func(t *testing.T) {
		var routes []openapitest.Route
		for _, rt := range e.server.Routes() {
			routes = append(routes, openapitest.Route{Method: rt.Method, Path: rt.Path})
		}
		openapitest.CheckRoutes(t, routes)
	})
}

func TestErrors(t *testing.T) {
	e := newEnv(t, "sqlite")
	t.Run("NotFound", func(t *testing.T) {
		wantProblem(t, e.do(request{method: "GET", path: "/extapi/v1.0/nothing", raw: true}), 404)
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		r := e.do(request{method: "POST", path: "/extapi/v1.0/token", raw: true})
		wantProblem(t, r, 405)
		if got := r.Header.Get("Allow"); got != "GET, DELETE" {
			t.Fatalf("Allow = %q", got)
		}
	})
	t.Run("TooLarge", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(context.Background(), "DELETE", e.URL+"/extapi/v1.0/token", bytes.NewReader(make([]byte, 2<<20)))
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 413 || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("2 MiB body: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
	t.Run("TooLargeOperations", func(t *testing.T) {
		// The body limit holds before any handler, on the operational
		// endpoints too: their documented 4XX. The answer is checked
		// against the document (the request, a GET with a body, is not).
		for _, path := range []string{"/healthz", "/metrics", "/openapi.json", "/docs"} {
			req, _ := http.NewRequestWithContext(context.Background(), "GET", e.URL+path, bytes.NewReader(make([]byte, 2<<20)))
			resp, err := e.client.Do(openapitest.SkipRequestValidation(req))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 413 || resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("GET %s with a 2 MiB body: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		}
	})
	t.Run("SecurityHeaders", func(t *testing.T) {
		r := e.do(request{method: "GET", path: "/extapi/v1.0/databases", skipRequest: true})
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store", "X-Frame-Options": "DENY"} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s = %q; want %q", h, got, want)
			}
		}
		if len(r.Header.Get("X-Request-Id")) != 16 {
			t.Errorf("X-Request-Id = %q", r.Header.Get("X-Request-Id"))
		}
	})
	t.Run("RequestIDFromClient", func(t *testing.T) {
		r := e.do(request{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": "erp-sync-42"}})
		if got := r.Header.Get("X-Request-Id"); got != "erp-sync-42" {
			t.Fatalf("X-Request-Id = %q", got)
		}
		r = e.do(request{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": "bad id " + strings.Repeat("x", 70)}, raw: true})
		if got := r.Header.Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
			t.Fatalf("X-Request-Id = %q; want a fresh id", got)
		}
	})
}
