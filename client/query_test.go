package client

import (
	"testing"
	"time"

	"github.com/salesmania/salesmania"
)

// TestQueryOf checks the query parameters that list options send: a zero
// field none, every other field its tag's name with its value.
func TestQueryOf(t *testing.T) {
	since := time.Date(2026, 3, 2, 9, 14, 5, 120, time.FixedZone("WIB", 7*3600))
	for _, tc := range []struct {
		name string
		opts any
		want string
	}{
		{"NilOptions", (*CustomerListOptions)(nil), ""},
		{"ZeroOptions", &VisitPlanListOptions{}, ""},
		{"Customers", &CustomerListOptions{Q: "toko & co", Status: new(false), Tag: "grosir", ExtCustNo: "C-1",
			UpdatedSince: &since, Limit: 1000, Cursor: "abc", IncludeTotal: true},
			"cursor=abc&ext_cust_no=C-1&include_total=true&limit=1000&q=toko+%26+co&status=false&tag=grosir&updated_since=2026-03-02T02%3A14%3A05.00000012Z"},
		{"Orders", &OrderListOptions{DateFrom: "2026-03-01", CustomerID: 7, TeamID: 3},
			"customer_id=7&date_from=2026-03-01&team_id=3"},
		{"ZeroTimePointer", &VisitListOptions{UpdatedSince: &time.Time{}, Date: "2026-03-02"}, "date=2026-03-02"},
		{"Deleted", &DeletedListOptions{Since: since, Limit: 5}, "limit=5&since=2026-03-02T02%3A14%3A05.00000012Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := queryOf(tc.opts).Encode(); got != tc.want {
				t.Errorf("queryOf = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestNullsOf checks that a write sends as null the fields a body's Nulls
// names, and that bodies without Nulls send none.
func TestNullsOf(t *testing.T) {
	f := &salesmania.CustomerFields{Nulls: map[string]bool{"location": true}}
	if got := nullsOf(f); !got["location"] || len(got) != 1 {
		t.Errorf("nullsOf(CustomerFields) = %v, want location", got)
	}
	if got := nullsOf((*salesmania.CustomerFields)(nil)); got != nil {
		t.Errorf("nullsOf(nil) = %v, want nil", got)
	}
	if got := nullsOf(&salesmania.WebhookCreate{}); got != nil {
		t.Errorf("nullsOf(WebhookCreate) = %v, want nil", got)
	}
	b, err := encodeBody(f, nullsOf(f))
	if err != nil || string(b) != `{"location":null}` {
		t.Errorf("encodeBody = %s, %v; want {\"location\":null}", b, err)
	}
}
