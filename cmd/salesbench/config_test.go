package main

import (
	"io"
	"strings"
	"testing"
)

// Bad command lines are refused with a message naming the flag.
func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-db", "mysql"}, "-db"},
		{[]string{"-db-pool", "-1"}, "-db-pool"},
		{[]string{"-db", "both", "-scale", "1000000"}, "-scale"},
		{[]string{"-c", "0"}, "-c"},
		{[]string{"-d", "0s"}, "-d"},
		{[]string{"-rate", "-1"}, "-rate"},
		{[]string{"-seed-customers", "0"}, "-seed-customers"},
		{[]string{"-workloads", "get-customer,nope"}, "nope"},
		{[]string{"-scale", "1000"}, "-scale"},
		{[]string{"-scale-db", "/tmp/x.db"}, "-scale-db"},
		{[]string{"extra"}, "extra"},
	} {
		_, err := parseConfig(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseConfig(%q) = %v, want an error naming %q", tc.args, err, tc.want)
		}
	}
	c, err := parseConfig([]string{"-scale", "1000000", "-scale-db", "/tmp/x.db", "-workloads", "get-order,get-customer"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.workloads) != 2 || c.workloads[0].Name != "get-customer" {
		t.Errorf("workloads = %v, want get-customer then get-order", c.workloads)
	}
}

// A -db both run pairs the workloads both ran and divides PostgreSQL's
// req/s by SQLite's.
func TestCompareReports(t *testing.T) {
	if _, err := parseConfig([]string{"-db", "both", "-db-pool", "16"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	lite := &report{Results: []*result{{Name: "get-customer", ReqPerSec: 1000, P99ms: 5}, {Name: "create-order", ReqPerSec: 400, P99ms: 20}}}
	pg := &report{Results: []*result{{Name: "create-order", ReqPerSec: 300, P99ms: 40}}}
	got := compareReports(lite, pg)
	if len(got) != 1 || got[0] != (comparison{Name: "create-order", SQLiteReqPerS: 400, PostgresReqPerS: 300, Ratio: 0.75, SQLiteP99ms: 20, PostgresP99ms: 40}) {
		t.Fatalf("compareReports = %+v", got)
	}
	var b strings.Builder
	writeComparison(&b, got)
	if !strings.Contains(b.String(), "create-order      400      300   0.75×") {
		t.Fatalf("table:\n%s", b.String())
	}
}
