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
