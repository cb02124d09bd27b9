package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestBodyDeadlineLifted checks that a body read in time leaves no
// deadline behind: a handler that works on past the body deadline is not
// cancelled, and its answer arrives.
func TestBodyDeadlineLifted(t *testing.T) {
	const bodyTimeout = 200 * time.Millisecond
	s := &Server{bodyTime: bodyTimeout, logger: slog.New(slog.DiscardHandler)}
	ts := httptest.NewServer(s.limitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read the body: %v", err)
		}
		select {
		case <-time.After(4 * bodyTimeout):
		case <-r.Context().Done():
			t.Errorf("the request was cancelled %s into its work: %v", 4*bodyTimeout, context.Cause(r.Context()))
		}
		w.Write(b)
	})))
	defer ts.Close()
	for range 2 { // the second reuses the connection
		resp, err := http.Post(ts.URL, "application/json", strings.NewReader(`{"name":"Toko Sabar"}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != `{"name":"Toko Sabar"}` {
			t.Fatalf("answer %d %q; want 200 with the body", resp.StatusCode, b)
		}
	}
}
