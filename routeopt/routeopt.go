package routeopt

import (
	"errors"
	"fmt"
	"math"
)

// Slot is one entry of a route: the point (an index into Problem.Dist) that
// stands at this position, and whether it must keep its position.
type Slot struct {
	Point  int
	Pinned bool
}

// Problem is a route to improve: Slots in route order over points whose
// distances are Dist[i][j] (from point i to point j). The route's cost is the
// sum of the distances between consecutive slots; it begins at the first slot
// and ends at the last (an open path). A fixed start or end — the salesman's
// home or office — is a pinned slot at the beginning or the end; a closed
// tour is a route whose first and last slots are the same pinned point.
//
// Dist must be square, with finite entries ≥ 0 (and none so large that a
// sum over the route could overflow). It need not be symmetric
// for costs to be right (every cost is summed in route order), but the
// heuristic search assumes it is when it prices a reversed stretch, so an
// asymmetric matrix gets a correct but possibly worse answer above ExactMax
// movable slots. Points may repeat: the same point in several slots, or
// distinct points at distance 0.
type Problem struct {
	Dist  [][]float64
	Slots []Slot
}

// Options tune Solve. The zero value is the default and is what the targets
// in the README were measured with.
type Options struct {
	// Seed selects the pseudo-random sequence of the iterated local search.
	// The same problem, options and seed give the same answer on any machine.
	Seed uint64
	// Kicks is the number of iterated-local-search kicks (perturbations
	// followed by local search). Zero means the default, which grows with
	// the number of movable slots; a negative value means none: the answer
	// is the construction improved by 2-opt and Or-opt alone.
	Kicks int
}

// Result is Solve's answer.
type Result struct {
	// Order is the proposed route as indexes into Problem.Slots: slot k of
	// the new route holds Problem.Slots[Order[k]]. A pinned slot k has
	// Order[k] == k; the movable slots hold a permutation of the movable
	// entries. When nothing better was found, Order is the identity.
	Order []int
	// Before is the cost of Problem.Slots as given, After the cost of the
	// route in Order. After ≤ Before always.
	Before, After float64
	// Exact reports that After is the optimum over every permutation of the
	// movable entries (the movable slots were at most ExactMax).
	Exact bool
}

// ExactMax is the largest number of movable slots that Solve optimises
// exactly, by dynamic programming over subsets; above it Solve uses iterated
// local search.
const ExactMax = 12

// ErrInvalidProblem is wrapped by every error Solve and Cost return; the
// message names what is wrong.
var ErrInvalidProblem = errors.New("routeopt: invalid problem")

// Matrix returns the n×n matrix whose entry [i][j] is dist(i, j), with its
// rows in one allocation: a convenience for building Problem.Dist.
func Matrix(n int, dist func(i, j int) float64) [][]float64 {
	flat := make([]float64, n*n)
	rows := make([][]float64, n)
	for i := range rows {
		rows[i] = flat[i*n : (i+1)*n : (i+1)*n]
		for j := range rows[i] {
			rows[i][j] = dist(i, j)
		}
	}
	return rows
}

// Cost returns the cost of the route p.Slots: the sum of the distances
// between consecutive slots. It returns an error wrapping ErrInvalidProblem
// if p is malformed (see Problem).
func Cost(p Problem) (float64, error) {
	if err := p.validate(); err != nil {
		return 0, err
	}
	return p.cost(nil), nil
}

// cost sums the route: Slots in the given order (nil: as given).
func (p *Problem) cost(order []int) float64 {
	var sum float64
	prev := -1
	for k := range p.Slots {
		i := k
		if order != nil {
			i = order[k]
		}
		pt := p.Slots[i].Point
		if prev >= 0 {
			sum += p.Dist[prev][pt]
		}
		prev = pt
	}
	return sum
}

func (p *Problem) validate() error {
	n := len(p.Dist)
	var largest float64
	for i, row := range p.Dist {
		if len(row) != n {
			return fmt.Errorf("%w: Dist has %d rows but row %d has %d entries", ErrInvalidProblem, n, i, len(row))
		}
		for j, d := range row {
			if math.IsNaN(d) || math.IsInf(d, 0) || d < 0 {
				return fmt.Errorf("%w: Dist[%d][%d] is %v, want a finite distance ≥ 0", ErrInvalidProblem, i, j, d)
			}
			largest = max(largest, d)
		}
	}
	for k, s := range p.Slots {
		if s.Point < 0 || s.Point >= n {
			return fmt.Errorf("%w: Slots[%d].Point is %d, want 0..%d", ErrInvalidProblem, k, s.Point, n-1)
		}
	}
	// every sum the solver forms has fewer terms than this, so none overflows
	if largest > math.MaxFloat64/float64(2*len(p.Slots)+32) {
		return fmt.Errorf("%w: distances up to %v are too large to add up over %d slots", ErrInvalidProblem, largest, len(p.Slots))
	}
	return nil
}

// Solve returns a route of p at least as short as p's own, with every pinned
// slot in place and the movable entries permuted among the movable slots.
// Up to ExactMax movable slots the answer is optimal (Result.Exact); above,
// it comes from a deterministic iterated local search (see the package
// documentation). It returns an error wrapping ErrInvalidProblem if p is
// malformed, and never panics on any Problem.
func Solve(p Problem, opt Options) (Result, error) {
	if err := p.validate(); err != nil {
		return Result{}, err
	}
	res := Result{Order: make([]int, len(p.Slots))}
	for k := range res.Order {
		res.Order[k] = k
	}
	res.Before = p.cost(nil)
	res.After = res.Before
	in := newInstance(&p)
	if in.m <= 1 {
		res.Exact = true
		return res, nil
	}
	var seq []int32 // movable entries (0..m-1, in their input order) by movable slot
	if in.m <= ExactMax {
		seq = in.exact()
		res.Exact = true
	} else {
		seq = in.heuristic(opt)
	}
	order := make([]int, len(p.Slots))
	copy(order, res.Order)
	for k, node := range seq {
		order[in.slotOf[k]] = in.slotOf[node]
	}
	if after := p.cost(order); after < res.Before {
		res.Order, res.After = order, after
	}
	return res, nil
}
