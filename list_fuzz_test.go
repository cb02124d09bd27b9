package salesmania

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzParseCursor feeds arbitrary cursor text to ParseCursor, as a client
// may send it: every refusal is EBADREQUEST naming the cursor parameter;
// every cursor accepted points after a real row, encodes back to a cursor
// that parses to the same position, and can be checked against either
// ordering of a list without a panic.
func FuzzParseCursor(f *testing.F) {
	enc := func(json string) string { return base64.RawURLEncoding.EncodeToString([]byte(json)) }
	for _, c := range []Cursor{
		{ID: 1}, {ID: 100}, {ByTime: true, Time: 1704067200000000, ID: 7}, {ByTime: true, ID: 7},
		{ID: 55, Route: &RoutePosition{Date: "2024-01-01", TeamID: 24728, Seq: 3}},
	} {
		f.Add(c.Encode(), false)
	}
	for _, s := range []string{
		"", "eyJpIjoxfQ", "eyJpIjoxfQ==", "eyJpIjowfQ", "%%%", "e30", enc(`{"i":-1}`), enc(`{"i":1,"u":5}`), enc(`{"t":true,"u":-1,"i":1}`),
		enc(`{"I":1}`), enc(`{"i":1,"i":2}`), enc(`{"i":1.5}`), enc(`{"i":"1"}`), enc(`{"i":9223372036854775808}`), enc(`{"i":1,"x":1}`),
		enc(`{"i":1,"r":{"d":"2024-02-30","m":1,"s":1}}`), enc(`{"i":1,"r":{"d":"2024-01-01","m":0,"s":1}}`),
		enc(`{"i":1,"t":true,"r":{"d":"2024-01-01","m":1,"s":1}}`), enc(`{"i":1,"r":null}`), enc(`{"i":1,"r":{}}`),
		enc(`{"i":1,"r":{"d":"\u0032024-01-01","m":1,"s":1}}`), enc(`[1]`), enc(`null`), strings.Repeat("A", MaxCursorLength+1),
	} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, byUpdated bool) {
		c, err := ParseCursor(s)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Code != EBADREQUEST || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
				t.Fatalf("ParseCursor(%q) = %v; want EBADREQUEST naming cursor", s, err)
			}
			if !reflect.DeepEqual(c, Cursor{}) {
				t.Fatalf("ParseCursor(%q) = %+v with error", s, c)
			}
			return
		}
		if c.ID <= 0 || c.Time < 0 || (!c.ByTime && c.Time != 0) {
			t.Fatalf("ParseCursor(%q) accepted %+v", s, c)
		}
		if r := c.Route; r != nil {
			if d, ok := ParseDate(r.Date); !ok || d != r.Date || r.TeamID <= 0 || r.Seq <= 0 || c.ByTime {
				t.Fatalf("ParseCursor(%q) accepted route %+v", s, *r)
			}
		}
		again, err := ParseCursor(c.Encode())
		if err != nil {
			t.Fatalf("ParseCursor(%q) = %+v, whose encoding %q does not parse: %v", s, c, c.Encode(), err)
		}
		if !reflect.DeepEqual(again, c) {
			t.Fatalf("ParseCursor(%q) = %+v; its encoding parses to %+v", s, c, again)
		}

		lp := ListParams{Limit: DefaultListLimit, After: c}
		if byUpdated {
			since := time.Unix(0, 0).UTC()
			lp.UpdatedSince = &since
		}
		for name, check := range map[string]func() error{"CheckCursor": lp.CheckCursor, "CheckRouteCursor": lp.CheckRouteCursor} {
			if err := check(); err != nil {
				if e, ok := err.(*Error); !ok || e.Code != EBADREQUEST || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
					t.Fatalf("%s of %+v = %v; want nil or EBADREQUEST naming cursor", name, c, err)
				}
			}
		}
		// A cursor is for exactly one of the orderings of the visit list.
		if c.Route != nil && !byUpdated && lp.CheckRouteCursor() != nil {
			t.Fatalf("CheckRouteCursor refuses route cursor %+v", c)
		}
		if c.Route == nil && c.ByTime == byUpdated && lp.CheckCursor() != nil {
			t.Fatalf("CheckCursor refuses cursor %+v for its own ordering", c)
		}
	})
}
