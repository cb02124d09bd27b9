package routeopt

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// FuzzSolve builds a small problem from the fuzzer's bytes — up to 9 slots,
// pins, a possibly asymmetric matrix of small integers with the occasional
// NaN, negative, infinite or huge entry or a point out of range — and
// checks Solve's promises: a malformed problem is an error, never a panic;
// a valid one gets a permutation of its movable entries only, After equal to
// the cost of Order and ≤ Before, the same answer twice, and with at most 7
// movable slots the optimum that brute force finds. It also runs the
// heuristic on the same problem (Solve would use the exact method) and
// checks that its answer is a permutation no better than the optimum.
func FuzzSolve(f *testing.F) {
	f.Add([]byte{5, 0x0f, 0x12, 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5})
	f.Add([]byte{9, 0xff, 0x00, 7, 7, 7, 0, 0, 0, 1, 250})
	f.Add([]byte{3, 0x30, 0x05, 251, 1, 2})
	f.Add([]byte{8, 0x80, 0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		nSlots, flags, pins := int(data[0]%10), data[1], data[2]
		vals := data[3:]
		n := nSlots + 1
		asym := flags&1 != 0
		bad := false
		k := 0
		next := func() float64 {
			if len(vals) == 0 {
				return 1
			}
			b := vals[k%len(vals)]
			k++
			switch b {
			case 250:
				bad = true
				return math.NaN()
			case 251:
				bad = true
				return -1
			case 252:
				bad = true
				return math.Inf(1)
			case 253:
				bad = true
				return math.MaxFloat64 / 4
			}
			return float64(b % 50)
		}
		dist := make([][]float64, n)
		for i := range dist {
			dist[i] = make([]float64, n)
		}
		for i := range n {
			for j := range n {
				switch {
				case i == j:
				case asym || j > i:
					dist[i][j] = next()
				default:
					dist[i][j] = dist[j][i]
				}
			}
		}
		p := Problem{Dist: dist}
		for s := range nSlots {
			pt := s % n
			if len(vals) > 0 {
				pt = int(vals[s%len(vals)]) % n
			}
			p.Slots = append(p.Slots, Slot{Point: pt, Pinned: pins&(1<<(s%8)) != 0 && s < 8})
		}
		if flags&2 != 0 && nSlots > 0 { // a point out of range
			p.Slots[nSlots-1].Point = n + int(flags>>4)
			bad = true
		}
		res, err := Solve(p, Options{Kicks: 30})
		if bad {
			if !errors.Is(err, ErrInvalidProblem) {
				t.Fatalf("invalid problem: err = %v", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid problem: %v", err)
		}
		checkResult(t, p, res)
		again, _ := Solve(p, Options{Kicks: 30})
		if !slices.Equal(res.Order, again.Order) {
			t.Fatalf("two runs differ: %v, %v", res.Order, again.Order)
		}
		in := newInstance(&p)
		if in.m > 7 {
			return
		}
		opt := bruteForce(p, false)
		if !near(res.After, opt) {
			t.Fatalf("After = %v, brute force %v", res.After, opt)
		}
		if in.m >= 2 {
			seq := in.heuristic(Options{Kicks: 30})
			seen := make([]bool, in.m)
			for _, v := range seq {
				if v < 0 || int(v) >= in.m || seen[v] {
					t.Fatalf("heuristic sequence %v is not a permutation", seq)
				}
				seen[v] = true
			}
			order := identity(len(p.Slots))
			for k, v := range seq {
				order[in.slotOf[k]] = in.slotOf[v]
			}
			if c := p.cost(order); c < opt && !near(c, opt) {
				t.Fatalf("heuristic %v beats the optimum %v", c, opt)
			}
		}
	})
}
