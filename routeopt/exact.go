package routeopt

import (
	"math"
	"math/bits"
)

// exact returns an optimal sequence of the m nodes by Held–Karp dynamic
// programming. The state is (S, j): the nodes of set S fill the first |S|
// movable slots, j in the last of them; its value is the cheapest cost of
// the route up to j. Because the slot a state ends in is |S|, the link to
// the next node is priced at the right gap — through the pinned points of a
// boundary where there is one — so pins anywhere are handled exactly.
// Time O(2^m·m²), memory O(2^m·m); m ≤ ExactMax keeps it under a few
// milliseconds.
func (in *instance) exact() []int32 {
	m := in.m
	d := int32(m)
	full := 1 << m
	dp := make([]float64, full*m)
	from := make([]int8, full*m)
	for i := range dp {
		dp[i] = math.Inf(1)
	}
	for v := 0; v < m; v++ {
		dp[(1<<v)*m+v] = in.link(0, d, int32(v))
		from[(1<<v)*m+v] = -1
	}
	for set := 1; set < full; set++ {
		g := bits.OnesCount(uint(set)) // gap after the last filled slot
		if g == m {
			continue
		}
		for j := 0; j < m; j++ {
			c := dp[set*m+j]
			if set&(1<<j) == 0 || math.IsInf(c, 1) {
				continue
			}
			for i := 0; i < m; i++ {
				if set&(1<<i) != 0 {
					continue
				}
				k := (set|1<<i)*m + i
				if nc := c + in.link(g, int32(j), int32(i)); nc < dp[k] {
					dp[k] = nc
					from[k] = int8(j)
				}
			}
		}
	}
	last, best := 0, math.Inf(1)
	for j := 0; j < m; j++ {
		if c := dp[(full-1)*m+j] + in.link(m, int32(j), d); c < best {
			last, best = j, c
		}
	}
	seq := make([]int32, m)
	set := full - 1
	for k := m - 1; k >= 0; k-- {
		seq[k] = int32(last)
		prev := int(from[set*m+last])
		set &^= 1 << last
		last = prev
	}
	return seq
}
