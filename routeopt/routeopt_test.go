package routeopt

import (
	"errors"
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
			cases = 2
		case m >= 9:
			cases = 6
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

// line is a problem over points on a line at the given coordinates, one
// slot per point in that order, pinned where pins says.
func line(xs []float64, pins ...int) Problem {
	p := Problem{Dist: Matrix(len(xs), func(i, j int) float64 { return math.Abs(xs[i] - xs[j]) })}
	for i := range xs {
		p.Slots = append(p.Slots, Slot{Point: i, Pinned: slices.Contains(pins, i)})
	}
	return p
}

func TestCost(t *testing.T) {
	p := line([]float64{0, 10, 3, 7}, 0)
	got, err := Cost(p)
	if err != nil {
		t.Fatal(err)
	}
	if got != 10+7+4 {
		t.Fatalf("Cost = %v, want 21", got)
	}
	p.Slots = nil
	if got, err := Cost(p); err != nil || got != 0 {
		t.Fatalf("Cost of no slots = %v, %v; want 0, nil", got, err)
	}
}

func TestMatrix(t *testing.T) {
	m := Matrix(3, func(i, j int) float64 { return float64(10*i + j) })
	if len(m) != 3 || m[2][1] != 21 || m[0][2] != 2 {
		t.Fatalf("Matrix = %v", m)
	}
	m[0] = append(m[0], 99) // a row's capacity ends with it: no spill into the next
	if m[1][0] != 10 {
		t.Fatalf("appending to row 0 changed row 1: %v", m[1])
	}
}

func TestSolveEdgeCases(t *testing.T) {
	t.Run("NoSlots", func(t *testing.T) {
		res := mustSolve(t, Problem{}, Options{})
		if len(res.Order) != 0 || res.Before != 0 || res.After != 0 || !res.Exact {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("AllPinned", func(t *testing.T) {
		p := line([]float64{5, 0, 9, 1}, 0, 1, 2, 3)
		res := mustSolve(t, p, Options{})
		if !slices.Equal(res.Order, []int{0, 1, 2, 3}) || res.After != 5+9+8 {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("OneMovable", func(t *testing.T) {
		p := line([]float64{0, 9, 1}, 0, 2)
		res := mustSolve(t, p, Options{})
		if !slices.Equal(res.Order, []int{0, 1, 2}) || res.After != 17 {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("TwoMovablesSwapped", func(t *testing.T) {
		p := line([]float64{0, 8, 3, 10}, 0, 3) // start 0, then 8, 3, end 10
		res := mustSolve(t, p, Options{})
		if !slices.Equal(res.Order, []int{0, 2, 1, 3}) || res.Before != 8+5+7 || res.After != 10 {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("StartAndEndOnly", func(t *testing.T) {
		p := line([]float64{0, 10}, 0, 1)
		res := mustSolve(t, p, Options{})
		if res.After != 10 || !slices.Equal(res.Order, []int{0, 1}) {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("FreeEnds", func(t *testing.T) {
		// no start, no end: the best open path runs from one end of the line to the other
		p := line([]float64{5, 0, 9, 1, 7})
		res := mustSolve(t, p, Options{})
		if res.After != 9 {
			t.Fatalf("After = %v, want 9", res.After)
		}
	})
	t.Run("OptimalInputKept", func(t *testing.T) {
		xs := make([]float64, 40)
		for i := range xs {
			xs[i] = float64(i * i)
		}
		p := line(xs, 0)
		res := mustSolve(t, p, Options{})
		if !slices.Equal(res.Order, identity(40)) || res.After != res.Before {
			t.Fatalf("an optimal route was changed: %+v", res)
		}
	})
	t.Run("DuplicatePoints", func(t *testing.T) {
		// every stop at one of three places, many at the same: distance 0 between them
		rng := rand.New(rand.NewPCG(7, 8))
		xs := make([]float64, 30)
		for i := range xs {
			xs[i] = float64(100 * rng.IntN(3))
		}
		p := line(xs, 0)
		res := mustSolve(t, p, Options{})
		if want := 200.0; xs[0] == 100 && res.After != 300 || xs[0] != 100 && res.After != want {
			t.Fatalf("After = %v from x=%v", res.After, xs[0])
		}
	})
	t.Run("AllAtOnePoint", func(t *testing.T) {
		p := Problem{Dist: Matrix(1, func(i, j int) float64 { return 0 })}
		for range 50 {
			p.Slots = append(p.Slots, Slot{Point: 0})
		}
		res := mustSolve(t, p, Options{})
		if res.After != 0 || !slices.Equal(res.Order, identity(50)) {
			t.Fatalf("got %+v", res)
		}
	})
	t.Run("TwoHundredWithPins", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 10))
		for _, g := range []day{
			{movable: 200, start: true, end: true, closed: true},
			{movable: 170, pinned: 30, start: true},
			{movable: 100, pinned: 100},
		} {
			p := g.problem(rng)
			res := mustSolve(t, p, Options{})
			if res.After >= res.Before {
				t.Fatalf("%+v: no improvement on a random order: %v → %v", g, res.Before, res.After)
			}
		}
	})
	t.Run("AsymmetricLarge", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		for range 5 {
			g := day{movable: 40, pinned: 5, start: true, asym: true}
			mustSolve(t, g.problem(rng), Options{})
		}
	})
	t.Run("NoKicks", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		p := day{movable: 80, pinned: 4, start: true}.problem(rng)
		plain := mustSolve(t, p, Options{Kicks: -1})
		full := mustSolve(t, p, Options{})
		if full.After > plain.After {
			t.Fatalf("with kicks %v, without %v", full.After, plain.After)
		}
	})
}

// TestSolveDeterministic: the same problem and options give the same
// answer, from a fresh copy of the problem too.
func TestSolveDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, g := range []day{
		{movable: 10, pinned: 3, start: true},
		{movable: 60, pinned: 6, start: true, end: true},
		{movable: 150, start: true, end: true, closed: true},
	} {
		p := g.problem(rng)
		q := Problem{Dist: Matrix(len(p.Dist), func(i, j int) float64 { return p.Dist[i][j] }), Slots: slices.Clone(p.Slots)}
		for _, seed := range []uint64{0, 42} {
			a := mustSolve(t, p, Options{Seed: seed})
			b := mustSolve(t, q, Options{Seed: seed})
			if !slices.Equal(a.Order, b.Order) || a.After != b.After {
				t.Fatalf("%+v seed %d: two runs differ: %v (%v) and %v (%v)", g, seed, a.Order, a.After, b.Order, b.After)
			}
		}
	}
}

// TestSolveBadInput: a malformed problem is an error wrapping
// ErrInvalidProblem, never a panic, from Solve and Cost alike.
func TestSolveBadInput(t *testing.T) {
	ok := Matrix(3, func(i, j int) float64 { return math.Abs(float64(i - j)) })
	slots := []Slot{{Point: 0, Pinned: true}, {Point: 1}, {Point: 2}}
	with := func(i, j int, v float64) [][]float64 {
		m := Matrix(3, func(a, b int) float64 { return ok[a][b] })
		m[i][j] = v
		return m
	}
	for name, p := range map[string]Problem{
		"ShortRow":      {Dist: [][]float64{{0, 1, 2}, {1, 0}, {2, 1, 0}}, Slots: slots},
		"LongRow":       {Dist: [][]float64{{0, 1, 2, 3}, {1, 0, 1}, {2, 1, 0}}, Slots: slots},
		"NaN":           {Dist: with(1, 2, math.NaN()), Slots: slots},
		"Negative":      {Dist: with(2, 0, -1), Slots: slots},
		"Infinite":      {Dist: with(0, 1, math.Inf(1)), Slots: slots},
		"PointTooLarge": {Dist: ok, Slots: []Slot{{Point: 0}, {Point: 3}}},
		"PointNegative": {Dist: ok, Slots: []Slot{{Point: -1}, {Point: 1}}},
		"NoMatrix":      {Slots: slots},
		"Overflow":      {Dist: Matrix(2, func(i, j int) float64 { return math.MaxFloat64 }), Slots: []Slot{{Point: 0}, {Point: 1}, {Point: 0}}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Solve(p, Options{}); !errors.Is(err, ErrInvalidProblem) {
				t.Fatalf("Solve: err = %v, want ErrInvalidProblem", err)
			}
			if _, err := Cost(p); !errors.Is(err, ErrInvalidProblem) {
				t.Fatalf("Cost: err = %v, want ErrInvalidProblem", err)
			}
		})
	}
}
