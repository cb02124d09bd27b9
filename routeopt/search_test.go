package routeopt

import (
	"math/rand/v2"
	"testing"
)

// TestSearchDeltasMatchCost: on symmetric days with pins in the middle, the
// cost the search keeps by adding each move's delta equals the sequence's
// cost recomputed from scratch after every kick and local search, so the
// deltas — boundary corrections included — are right.
func TestSearchDeltasMatchCost(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for c := range 60 {
		g := randomDay(rng, 3+rng.IntN(40))
		g.pinned = rng.IntN(12)
		p := g.problem(rng)
		in := newInstance(&p)
		s := newSearch(in, uint64(c))
		s.setSeq(in.nearestNeighbour())
		for q := 1; q <= in.m; q++ {
			s.push(s.t[q])
		}
		s.localSearch()
		for k := range 30 {
			if k%2 == 0 {
				s.kick(max(1, in.m/3))
			} else {
				s.exchangeKick()
			}
			if got, want := s.cost, in.seqCost(s.t[1:in.m+1]); !near(got, want) {
				t.Fatalf("case %d %+v kick %d: kept cost %v, recomputed %v", c, g, k, got, want)
			}
			s.localSearch()
			if got, want := s.cost, in.seqCost(s.t[1:in.m+1]); !near(got, want) {
				t.Fatalf("case %d %+v after local search %d: kept cost %v, recomputed %v", c, g, k, got, want)
			}
			for q := 1; q <= in.m; q++ {
				if s.pos[s.t[q]] != int32(q) {
					t.Fatalf("case %d: pos[%d] = %d, want %d", c, s.t[q], s.pos[s.t[q]], q)
				}
			}
		}
	}
}
