package httpapi_test

import (
	"bytes"
	"testing"

	"github.com/salesmania/salesmania/apidocs"
	"github.com/salesmania/salesmania/openapi"
)

func TestDocs(t *testing.T) {
	e := newEnv(t, "sqlite")
	r := e.do(request{method: "GET", path: "/docs"})
	if r.StatusCode != 200 {
		t.Fatalf("docs: %d %s", r.StatusCode, r.body)
	}
	for h, want := range map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "public, max-age=300",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:",
		"X-Content-Type-Options":  "nosniff",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("%s = %q; want %q", h, got, want)
		}
	}
	want, err := apidocs.Render(openapi.Document())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.body, want) {
		t.Errorf("body is not the rendered document (%d bytes, want %d)", len(r.body), len(want))
	}
}
