package routeopt

// instance is a Problem recast as a path over its movable entries. The m
// movable entries are nodes 0..m-1 (in their input order); a solution is a
// sequence of them, one per movable slot. Node m, the depot D, stands for
// the fixed ends: the distance from D to a node is the distance from the
// point just before the first movable slot (the start), the distance from a
// node to D the distance to the point just after the last movable slot (the
// end); both are 0 where there is no such point (a free end).
//
// Positions in a sequence are 1..m, with D at 0 and at m+1; gap g is the
// link between positions g and g+1 (gap 0 leaves D, gap m returns to it). A
// gap between two movable slots that pinned slots separate is a boundary:
// the link from the node at g to the node at g+1 then runs through the
// pinned points, and costs d(u, F) + d(L, v) instead of d(u, v), where F and
// L are the first and last pinned point between them. Costs of pinned points
// among themselves, and before the start or after the end, do not depend on
// the solution and are left out.
type instance struct {
	m, w   int
	dist   []float64 // w×w, row-major; row and column m belong to D
	slotOf []int     // slot index of each movable slot (= of each node's input slot)
	// Boundaries: bOf[g] is the index b of gap g's boundary or -1; toF[b*w+u]
	// = d(u, F_b), fromL[b*w+v] = d(L_b, v).
	bOf        []int32
	bGaps      []int32 // the boundary gaps, ascending
	toF, fromL []float64
	scale      float64 // the largest distance the solution can use
}

func newInstance(p *Problem) *instance {
	in := &instance{}
	for k, s := range p.Slots {
		if !s.Pinned {
			in.slotOf = append(in.slotOf, k)
		}
	}
	m := len(in.slotOf)
	w := m + 1
	in.m, in.w = m, w
	if m == 0 {
		return in
	}
	pt := func(node int) int { return p.Slots[in.slotOf[node]].Point }
	in.dist = make([]float64, w*w)
	for u := 0; u < m; u++ {
		row := p.Dist[pt(u)]
		for v := 0; v < m; v++ {
			in.dist[u*w+v] = row[pt(v)]
		}
	}
	if first := in.slotOf[0]; first > 0 {
		h := p.Slots[first-1].Point
		for v := 0; v < m; v++ {
			in.dist[m*w+v] = p.Dist[h][pt(v)]
		}
	}
	if last := in.slotOf[m-1]; last < len(p.Slots)-1 {
		t := p.Slots[last+1].Point
		for u := 0; u < m; u++ {
			in.dist[u*w+m] = p.Dist[pt(u)][t]
		}
	}
	in.bOf = make([]int32, m+1)
	for g := range in.bOf {
		in.bOf[g] = -1
	}
	for g := 1; g < m; g++ {
		a, b := in.slotOf[g-1], in.slotOf[g]
		if b == a+1 {
			continue
		}
		in.bOf[g] = int32(len(in.bGaps))
		in.bGaps = append(in.bGaps, int32(g))
		f, l := p.Slots[a+1].Point, p.Slots[b-1].Point
		for u := 0; u < w; u++ {
			var tf, fl float64
			if u < m {
				tf, fl = p.Dist[pt(u)][f], p.Dist[l][pt(u)]
			}
			in.toF = append(in.toF, tf)
			in.fromL = append(in.fromL, fl)
		}
	}
	for _, d := range in.dist {
		in.scale = max(in.scale, d)
	}
	for _, d := range in.toF {
		in.scale = max(in.scale, d)
	}
	for _, d := range in.fromL {
		in.scale = max(in.scale, d)
	}
	return in
}

// link is the cost of gap g when node u stands before it and node v after it.
func (in *instance) link(g int, u, v int32) float64 {
	if b := in.bOf[g]; b >= 0 {
		o := int(b) * in.w
		return in.toF[o+int(u)] + in.fromL[o+int(v)]
	}
	return in.dist[int(u)*in.w+int(v)]
}

// corr is what boundary b adds to the direct distance from u to v.
func (in *instance) corr(b int32, u, v int32) float64 {
	o := int(b) * in.w
	return in.toF[o+int(u)] + in.fromL[o+int(v)] - in.dist[int(u)*in.w+int(v)]
}

// seqCost is the cost of a sequence of the m nodes (without D), variable
// part only.
func (in *instance) seqCost(seq []int32) float64 {
	d := int32(in.m)
	prev := d
	var sum float64
	for g, v := range seq {
		sum += in.link(g, prev, v)
		prev = v
	}
	return sum + in.link(in.m, prev, d)
}

// symmetric returns in, or, if its distances between movable entries are
// not symmetric, a copy whose distance each way is the mean of the two. The
// search prices a reversed stretch as if the distances were symmetric; on
// the copy that is exact, so its moves never cycle, and Solve judges the
// answer with the real distances. Links to and from the fixed ends and the
// pinned points keep their direction.
func (in *instance) symmetric() *instance {
	m, w := in.m, in.w
	sym := true
	for u := 0; u < m && sym; u++ {
		for v := u + 1; v < m; v++ {
			if in.dist[u*w+v] != in.dist[v*w+u] {
				sym = false
				break
			}
		}
	}
	if sym {
		return in
	}
	c := *in
	c.dist = append([]float64(nil), in.dist...)
	for u := 0; u < m; u++ {
		for v := u + 1; v < m; v++ {
			mean := in.dist[u*w+v]/2 + in.dist[v*w+u]/2
			c.dist[u*w+v], c.dist[v*w+u] = mean, mean
		}
	}
	return &c
}
