package routeopt

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/salesmania/salesmania/routeopt/internal/testcase"
)

// cityDay is n random stops within 15 km of Semarang, in the order drawn
// (as appended), between a depot at the centre as start and end; with pins,
// every pins-th stop is pinned (a visit already done). Distances are
// great-circle metres, as the API computes them.
func cityDay(n, pins int, seed uint64) Problem {
	pts := append(testcase.City(testcase.Semarang, 15000, n, seed), testcase.Semarang)
	p := Problem{Dist: Matrix(n+1, func(i, j int) float64 { return testcase.Haversine(pts[i], pts[j]) })}
	p.Slots = append(p.Slots, Slot{Point: n, Pinned: true})
	for i := range n {
		p.Slots = append(p.Slots, Slot{Point: i, Pinned: pins > 0 && i%pins == pins-1})
	}
	return Problem{Dist: p.Dist, Slots: append(p.Slots, Slot{Point: n, Pinned: true})}
}

// BenchmarkSolve measures Solve with the default options on the README's
// cases: each TSPLIB instance as a closed tour (reporting its gap to the
// optimum), random days of 100 and 200 stops around a city, one of 200
// with every 10th stop pinned, and an exact day of ExactMax movable stops.
// The README's table comes from `go run ./routeopt/internal/routetable`.
func BenchmarkSolve(b *testing.B) {
	for _, in := range loadTSPLIB(b) {
		p := tsplibProblem(in, false)
		b.Run("tsplib/"+in.Name, func(b *testing.B) {
			var res Result
			for b.Loop() {
				res, _ = Solve(p, Options{})
			}
			b.ReportMetric(in.Gap(in.TourLength(tourOf(p, res.Order))), "gap%")
		})
	}
	for _, c := range []struct{ n, pins int }{{100, 0}, {200, 0}, {200, 10}} {
		p := cityDay(c.n, c.pins, 1)
		b.Run(fmt.Sprintf("city%d/pins%d", c.n, c.pins), func(b *testing.B) {
			var res Result
			for b.Loop() {
				res, _ = Solve(p, Options{})
			}
			b.ReportMetric(100*(res.Before-res.After)/res.Before, "saved%")
		})
	}
	p := day{movable: ExactMax, pinned: 4, start: true, end: true}.problem(rand.New(rand.NewPCG(1, 1)))
	b.Run(fmt.Sprintf("exact%d", ExactMax), func(b *testing.B) {
		for b.Loop() {
			Solve(p, Options{})
		}
	})
}
