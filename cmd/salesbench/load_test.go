package main

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestRunLoad drives a test server that answers 418 to every request for
// /teapot and 200 otherwise.
func TestRunLoad(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/teapot" {
			http.Error(w, "short and stout", http.StatusTeapot)
			return
		}
		w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	tg := &target{client: newHTTPClient(4), base: srv.URL}
	opts := loadOptions{Conns: 4, Warmup: 100 * time.Millisecond, Duration: 300 * time.Millisecond}

	t.Run("OK_ClosedLoop", func(t *testing.T) {
		var calls []bool
		res := runLoad(context.Background(), tg, opts, func(*rand.Rand) request { return request{Method: "GET", Path: "/"} },
			func(start bool) { calls = append(calls, start) })
		if res.OK == 0 || res.Errors() != 0 {
			t.Fatalf("OK %d, errors %d (%s); want some OK and no errors", res.OK, res.Errors(), res.ErrorSummary())
		}
		if res.Hist.Count() != res.OK {
			t.Errorf("histogram holds %d latencies, want %d", res.Hist.Count(), res.OK)
		}
		if len(calls) != 2 || !calls[0] || calls[1] {
			t.Errorf("onMeasure calls = %v, want [true false]", calls)
		}
	})
	t.Run("OK_ConstantRate", func(t *testing.T) {
		o := opts
		o.Rate = 200
		res := runLoad(context.Background(), tg, o, func(*rand.Rand) request { return request{Method: "GET", Path: "/"} }, nil)
		if res.OK != 60 || res.Errors() != 0 { // 200/s for 300 ms
			t.Fatalf("OK %d, errors %d (%s); want 60 and 0", res.OK, res.Errors(), res.ErrorSummary())
		}
	})
	t.Run("ErrNon2xxCounted", func(t *testing.T) {
		res := runLoad(context.Background(), tg, opts, func(*rand.Rand) request { return request{Method: "GET", Path: "/teapot"} }, nil)
		if res.OK != 0 || res.Non2xx[http.StatusTeapot] == 0 || res.Errors() != res.Non2xx[http.StatusTeapot] {
			t.Fatalf("OK %d, errors %s; want only 418s", res.OK, res.ErrorSummary())
		}
		if len(res.Samples) == 0 || !strings.Contains(res.Samples[0], "418 short and stout") {
			t.Errorf("samples %q, want the 418 answer", res.Samples)
		}
	})
	t.Run("ErrTransportCounted", func(t *testing.T) {
		dead := &target{client: newHTTPClient(1), base: "http://127.0.0.1:1"}
		o := loadOptions{Conns: 1, Duration: 50 * time.Millisecond}
		res := runLoad(context.Background(), dead, o, func(*rand.Rand) request { return request{Method: "GET", Path: "/"} }, nil)
		if res.Transport == 0 || res.OK != 0 {
			t.Fatalf("transport errors %d, OK %d; want transport errors only", res.Transport, res.OK)
		}
	})
}
