package auth

import (
	"strings"
	"testing"
)

// The dummy hash must cost what a real one costs: same algorithm and
// parameters, same salt and key lengths.
func TestDummyHashLikeReal(t *testing.T) {
	real, err := HashPassword("Rahasia-8")
	if err != nil {
		t.Fatal(err)
	}
	r, d := strings.Split(real, "$"), strings.Split(dummyHash, "$")
	if len(d) != len(r) {
		t.Fatalf("dummy hash %q has %d parts, a real one (%q) %d", dummyHash, len(d), real, len(r))
	}
	for i := range 4 {
		if d[i] != r[i] {
			t.Errorf("part %d: dummy %q, real %q", i, d[i], r[i])
		}
	}
	if len(d[4]) != len(r[4]) || len(d[5]) != len(r[5]) {
		t.Errorf("salt/key lengths: dummy %d/%d, real %d/%d", len(d[4]), len(d[5]), len(r[4]), len(r[5]))
	}
	for _, pw := range []string{"", "salesmania-dummy-password", "Rahasia-8"} {
		if ok, err := CheckPassword(dummyHash, pw); ok || err != nil {
			t.Errorf("CheckPassword(dummy, %q) = %v, %v; want false, nil", pw, ok, err)
		}
	}
}
