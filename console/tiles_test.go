package console_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/salesmania/salesmania/console"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// TestTiles holds the CSP to the tile server configured: images from its
// host only, a {s} subdomain as a wildcard, none with TilesOff.
func TestTiles(t *testing.T) {
	store := sqlstoretest.MustOpen(t, "sqlite")
	for _, tc := range []struct{ tiles, img string }{
		{"", "img-src 'self' data: https://tile.openstreetmap.org;"},
		{console.TilesOff, "img-src 'self' data:;"},
		{"https://{s}.tile.example.org/{z}/{x}/{y}.png", "img-src 'self' data: https://*.tile.example.org;"},
		{"http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png", "img-src 'self' data: http://127.0.0.1:8081;"},
	} {
		c, err := console.New(console.Config{Store: store, Tiles: tc.tiles})
		if err != nil {
			t.Fatalf("%q: %v", tc.tiles, err)
		}
		rec := httptest.NewRecorder()
		c.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Security-Policy"), tc.img) {
			t.Fatalf("%q: %d, CSP %q, want %q", tc.tiles, rec.Code, rec.Header().Get("Content-Security-Policy"), tc.img)
		}
	}
	for _, bad := range []string{"bogus", "ftp://x/{z}/{x}/{y}", "https://tiles.example/{z}/{x}.png", "https://a.example/{s}/{z}/{x}/{y}.png", "https://x{s}.example/{z}/{x}/{y}"} {
		if _, err := console.New(console.Config{Store: store, Tiles: bad}); err == nil {
			t.Fatalf("tiles %q taken", bad)
		}
	}
}
