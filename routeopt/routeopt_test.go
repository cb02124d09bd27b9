package routeopt

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// day describes a random problem: movable and pinned slots interleaved at
// random, optional start and end (the same point when closed), points in a
// 10 km square (Euclidean, so symmetric) or a random asymmetric matrix, and
// some points that duplicate another (distance 0).
type day struct {
	movable, pinned int
	start, end      bool
	closed          bool
	asym            bool
	dups            int
}

func (g day) problem(rng *rand.Rand) Problem {
	n := g.movable + g.pinned + 2
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		x[i], y[i] = 10000*rng.Float64(), 10000*rng.Float64()
	}
	for range g.dups {
		i, j := rng.IntN(n), rng.IntN(n)
		x[i], y[i] = x[j], y[j]
	}
	var p Problem
	if g.asym {
		p.Dist = Matrix(n, func(i, j int) float64 {
			if i == j {
				return 0
			}
			return math.Hypot(x[i]-x[j], y[i]-y[j]) * (1 + rng.Float64())
		})
	} else {
		p.Dist = Matrix(n, func(i, j int) float64 { return math.Hypot(x[i]-x[j], y[i]-y[j]) })
	}
	pins := make([]bool, g.movable+g.pinned)
	for _, i := range rng.Perm(len(pins))[:g.pinned] {
		pins[i] = true
	}
	if g.start {
		p.Slots = append(p.Slots, Slot{Point: n - 2, Pinned: true})
	}
	for i, pinned := range pins {
		p.Slots = append(p.Slots, Slot{Point: i, Pinned: pinned})
	}
	switch {
	case g.end && g.closed && g.start:
		p.Slots = append(p.Slots, Slot{Point: n - 2, Pinned: true})
	case g.end:
		p.Slots = append(p.Slots, Slot{Point: n - 1, Pinned: true})
	}
	return p
}

// randomDay draws a day with the given number of movable slots and random
// pins, ends and duplicates.
func randomDay(rng *rand.Rand, movable int) day {
	return day{
		movable: movable,
		pinned:  rng.IntN(5),
		start:   rng.IntN(2) == 0,
		end:     rng.IntN(2) == 0,
		closed:  rng.IntN(3) == 0,
		dups:    rng.IntN(3),
	}
}

// bruteForce is the optimal cost of p by exhaustive search over every
// assignment of the movable entries to the movable slots, walking the route
// slot by slot; with prune it abandons a partial route as soon as it costs
// no less than the best complete one (sound since distances are ≥ 0).
func bruteForce(p Problem, prune bool) float64 {
	var movable []int
	for k, s := range p.Slots {
		if !s.Pinned {
			movable = append(movable, k)
		}
	}
	used := make([]bool, len(p.Slots))
	best := math.Inf(1)
	var walk func(k, prev int, sum float64)
	walk = func(k, prev int, sum float64) {
		if prune && sum >= best {
			return
		}
		if k == len(p.Slots) {
			best = min(best, sum)
			return
		}
		step := func(pt int) float64 {
			if prev < 0 {
				return 0
			}
			return p.Dist[prev][pt]
		}
		if p.Slots[k].Pinned {
			pt := p.Slots[k].Point
			walk(k+1, pt, sum+step(pt))
			return
		}
		for _, i := range movable {
			if used[i] {
				continue
			}
			used[i] = true
			pt := p.Slots[i].Point
			walk(k+1, pt, sum+step(pt))
			used[i] = false
		}
	}
	walk(0, -1, 0)
	return best
}

// checkResult asserts Solve's guarantees: Order is a permutation that keeps
// every pinned slot and moves movable entries only among movable slots,
// Before and After are the costs of the input and of Order, After ≤ Before.
func checkResult(t *testing.T, p Problem, res Result) {
	t.Helper()
	if len(res.Order) != len(p.Slots) {
		t.Fatalf("Order has %d entries, want %d", len(res.Order), len(p.Slots))
	}
	seen := make([]bool, len(p.Slots))
	for k, i := range res.Order {
		if i < 0 || i >= len(p.Slots) || seen[i] {
			t.Fatalf("Order %v is not a permutation", res.Order)
		}
		seen[i] = true
		if p.Slots[k].Pinned && i != k {
			t.Fatalf("pinned slot %d holds entry %d", k, i)
		}
		if !p.Slots[k].Pinned && p.Slots[i].Pinned {
			t.Fatalf("movable slot %d holds pinned entry %d", k, i)
		}
	}
	if before := p.cost(nil); res.Before != before {
		t.Fatalf("Before = %v, the input costs %v", res.Before, before)
	}
	if after := p.cost(res.Order); res.After != after {
		t.Fatalf("After = %v, Order costs %v", res.After, after)
	}
	if res.After > res.Before {
		t.Fatalf("After %v > Before %v", res.After, res.Before)
	}
	if res.After == res.Before && !slices.Equal(res.Order, identity(len(p.Slots))) {
		t.Fatalf("Order %v changes the route for no gain", res.Order)
	}
}

func identity(n int) []int {
	o := make([]int, n)
	for i := range o {
		o[i] = i
	}
	return o
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*max(1, math.Abs(a), math.Abs(b)) }

func mustSolve(t *testing.T, p Problem, opt Options) Result {
	t.Helper()
	res, err := Solve(p, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, p, res)
	return res
}

// TestSolveExactMatchesBruteForce: up to ExactMax movable slots, with pins
// anywhere and with or without start and end, Solve finds the optimum that
// exhaustive search finds.
func TestSolveExactMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for m := 2; m <= ExactMax; m++ {
		cases := 40
		switch {
		case m >= 11:
			cases = 3
		case m >= 9:
			cases = 10
		}
		for c := range cases {
			g := randomDay(rng, m)
			g.asym = c%4 == 3
			p := g.problem(rng)
			res := mustSolve(t, p, Options{})
			if !res.Exact {
				t.Fatalf("m=%d: Exact is false", m)
			}
			want := bruteForce(p, m > 8)
			if !near(res.After, want) {
				t.Fatalf("m=%d case %d %+v: After = %v, optimum %v", m, c, g, res.After, want)
			}
		}
	}
}

// TestSolveHeuristicNearExact: above ExactMax, with pins in the middle, the
// iterated local search matches the dynamic programme's optimum (run here
// beyond its limit) on almost every day and is never far off.
func TestSolveHeuristicNearExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	days, hits, worst := 0, 0, 0.0
	for m := ExactMax + 1; m <= 15; m++ {
		for range 8 {
			g := randomDay(rng, m)
			g.pinned = 1 + rng.IntN(6)
			p := g.problem(rng)
			res := mustSolve(t, p, Options{})
			if res.Exact {
				t.Fatalf("m=%d: Exact is true above ExactMax", m)
			}
			in := newInstance(&p)
			opt := in.seqCost(in.exact())
			got := in.seqCost(in.heuristic(Options{}))
			days++
			gap := 0.0
			if opt > 0 {
				gap = (got - opt) / opt
			}
			if gap <= 1e-9 {
				hits++
			}
			worst = max(worst, gap)
		}
	}
	t.Logf("%d of %d days optimal, worst gap %.3f%%", hits, days, 100*worst)
	if hits < days*9/10 || worst > 0.02 {
		t.Fatalf("%d of %d days optimal, worst gap %.3f%%: want ≥ 90%% and ≤ 2%%", hits, days, 100*worst)
	}
}
