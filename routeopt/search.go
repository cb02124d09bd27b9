package routeopt

import (
	"math"
	"math/rand/v2"
)

// neighbourCount is the length of each node's candidate list (Bentley 1992;
// Johnson & McGeoch find 8–12 enough for 2-opt and 3-opt on geometric
// instances).
const neighbourCount = 8

// maxCross is the most boundaries a 2-opt or Or-opt move may shift nodes
// across, and a double bridge too (else an exchange kick takes its place):
// with pinned slots at every other position a shifting move would disturb
// every link through a pin for nothing, and price each at O(1).
const maxCross = 3

// maxPinNeighbours is how many positions beside pinned points each node
// considers moving to.
const maxPinNeighbours = 4

// search is the state of the iterated local search over an instance. The
// sequence lives in an array, t[1..m], with the depot D at t[0] and t[m+1]
// so that every gap has a node on both sides; D never moves, so the ends of
// the route stay where they belong.
type search struct {
	*instance
	k     int       // neighbours per node
	nb    []int32   // w×k: each node's nearest nodes (D included), nearest first
	nbd   []float64 // w×k: their distances, min(d(u,v), d(v,u))
	nextB []int32   // nextB[g]: index in bGaps of the first boundary gap ≥ g
	// pinNb[u]: the positions beside pinned points near u (position g
	// before F of a boundary at gap g, g+1 after its L), nearest first, and
	// their distances; only pins nearer than u's farthest neighbour.
	pinNb  [][]int32
	pinNbd [][]float64
	t      []int32
	pos    []int32 // pos[u]: position of node u in t (not for D)
	cost   float64 // the sequence's cost, kept up to date by the moves' deltas
	eps    float64 // a change below this is rounding, not an improvement
	work   int64   // candidate evaluations and array writes, the budget's unit
	// maxWork ends the search, even within a local search: a deterministic
	// bound on its time whatever the input.
	maxWork int64

	queue  []int32 // FIFO of nodes whose "don't look" bit is off
	qh, qn int
	inQ    []bool

	rng rand.PCG
	buf []int32
}

// piece is a run of old positions that a move puts side by side in a
// region: from..to, walked downwards (reversed) when to < from.
type piece struct{ from, to int32 }

func (p piece) len() int {
	if p.to >= p.from {
		return int(p.to-p.from) + 1
	}
	return int(p.from-p.to) + 1
}

func newSearch(in *instance, seed uint64) *search {
	m, w := in.m, in.w
	s := &search{instance: in}
	s.rng.Seed(seed, 0x9e3779b97f4a7c15)
	s.eps = in.scale * 1e-12
	s.maxWork = math.MaxInt64

	s.k = min(neighbourCount, m)
	s.nb = make([]int32, w*s.k)
	s.nbd = make([]float64, w*s.k)
	for u := 0; u < w; u++ {
		nb, nbd := s.nb[u*s.k:(u+1)*s.k], s.nbd[u*s.k:(u+1)*s.k]
		n := 0
		for v := 0; v < w; v++ {
			if v == u {
				continue
			}
			d := min(in.dist[u*w+v], in.dist[v*w+u])
			if n == s.k && d >= nbd[n-1] {
				continue
			}
			i := min(n, s.k-1)
			for i > 0 && nbd[i-1] > d {
				nb[i], nbd[i] = nb[i-1], nbd[i-1]
				i--
			}
			nb[i], nbd[i] = int32(v), d
			n = min(n+1, s.k)
		}
	}

	s.nextB = make([]int32, m+2)
	i := int32(len(in.bGaps))
	for g := m + 1; g >= 0; g-- {
		for i > 0 && int(in.bGaps[i-1]) >= g {
			i--
		}
		s.nextB[g] = i
	}

	s.pinNb, s.pinNbd = make([][]int32, m), make([][]float64, m)
	if len(in.bGaps) > 0 {
		for u := 0; u < m; u++ {
			limit := s.nbd[u*s.k+s.k-1]
			for b, g := range in.bGaps {
				for side, d := range [2]float64{in.toF[b*w+u], in.fromL[b*w+u]} {
					if d >= limit {
						continue
					}
					i := len(s.pinNb[u])
					s.pinNb[u], s.pinNbd[u] = append(s.pinNb[u], g+int32(side)), append(s.pinNbd[u], d)
					for ; i > 0 && s.pinNbd[u][i-1] > d; i-- {
						s.pinNb[u][i], s.pinNb[u][i-1] = s.pinNb[u][i-1], s.pinNb[u][i]
						s.pinNbd[u][i], s.pinNbd[u][i-1] = s.pinNbd[u][i-1], s.pinNbd[u][i]
					}
				}
			}
			if len(s.pinNb[u]) > maxPinNeighbours {
				s.pinNb[u], s.pinNbd[u] = s.pinNb[u][:maxPinNeighbours], s.pinNbd[u][:maxPinNeighbours]
			}
		}
	}

	s.t = make([]int32, m+2)
	s.pos = make([]int32, w)
	s.queue = make([]int32, w)
	s.inQ = make([]bool, w)
	s.buf = make([]int32, m+2)
	return s
}

func (s *search) d(u, v int32) float64 { return s.dist[int(u)*s.w+int(v)] }

// gapCost is the current cost of gap g.
func (s *search) gapCost(g int) float64 { return s.link(g, s.t[g], s.t[g+1]) }

// setSeq makes seq (the m nodes) the current sequence.
func (s *search) setSeq(seq []int32) {
	d := int32(s.m)
	s.t[0], s.t[s.m+1] = d, d
	copy(s.t[1:], seq)
	for p := 1; p <= s.m; p++ {
		s.pos[s.t[p]] = int32(p)
	}
	s.cost = s.seqCost(seq)
}

func (s *search) seq() []int32 { return append([]int32(nil), s.t[1:s.m+1]...) }

// posAfter is the position of v as the left side of a gap (D: 0), posBefore
// as the right side (D: m+1).
func (s *search) posAfter(v int32) int {
	if int(v) == s.m {
		return 0
	}
	return int(s.pos[v])
}

func (s *search) posBefore(v int32) int {
	if int(v) == s.m {
		return s.m + 1
	}
	return int(s.pos[v])
}

func (s *search) push(v int32) {
	if int(v) == s.m || s.inQ[v] {
		return
	}
	s.inQ[v] = true
	s.queue[(s.qh+s.qn)%len(s.queue)] = v
	s.qn++
}

func (s *search) pop() int32 {
	v := s.queue[s.qh]
	s.qh = (s.qh + 1) % len(s.queue)
	s.qn--
	s.inQ[v] = false
	return v
}

// layout is what a move does: positions lo..hi become the pieces p[:n], in
// that order.
type layout struct {
	lo, hi int
	n      int
	p      [3]piece
}

func newLayout(lo, hi int, pcs ...piece) layout {
	l := layout{lo: lo, hi: hi, n: len(pcs)}
	copy(l.p[:], pcs)
	return l
}

// newAt is the node at position k after the move l.
func (s *search) newAt(k int, l *layout) int32 {
	if k < l.lo || k > l.hi {
		return s.t[k]
	}
	off := k - l.lo
	for _, p := range l.p[:l.n] {
		if n := p.len(); off >= n {
			off -= n
			continue
		}
		if p.to >= p.from {
			return s.t[int(p.from)+off]
		}
		return s.t[int(p.from)-off]
	}
	return s.t[k] // unreachable: the pieces cover lo..hi
}

// boundaryDelta is what the boundaries among gaps lo-1..hi add to a move's
// delta beyond the direct distances of its new links: their links run
// through pinned points.
func (s *search) boundaryDelta(l *layout) float64 {
	if len(s.bGaps) == 0 {
		return 0
	}
	var sum float64
	end := min(l.hi, s.m-1)
	for i := int(s.nextB[max(l.lo-1, 0)]); i < len(s.bGaps) && int(s.bGaps[i]) <= end; i++ {
		g := int(s.bGaps[i])
		b := int32(i)
		sum += s.corr(b, s.newAt(g, l), s.newAt(g+1, l)) - s.corr(b, s.t[g], s.t[g+1])
		s.work++
	}
	return sum
}

// crossings is the number of boundaries between positions lo..hi, the
// links a move rearranging them shifts.
func (s *search) crossings(lo, hi int) int {
	return int(s.nextB[hi] - s.nextB[lo])
}

// pushBoundaries puts the nodes beside the boundaries among gaps lo-1..hi
// back in the queue, after a move changed their links.
func (s *search) pushBoundaries(lo, hi int) {
	end := min(hi, s.m-1)
	for i := int(s.nextB[max(lo-1, 0)]); i < len(s.bGaps) && int(s.bGaps[i]) <= end; i++ {
		g := int(s.bGaps[i])
		s.push(s.t[g])
		s.push(s.t[g+1])
	}
}

// rearrange applies the move l.
func (s *search) rearrange(l *layout) {
	lo, hi := l.lo, l.hi
	n := 0
	for _, p := range l.p[:l.n] {
		if p.to >= p.from {
			n += copy(s.buf[n:], s.t[p.from:p.to+1])
			continue
		}
		for q := p.from; q >= p.to; q-- {
			s.buf[n] = s.t[q]
			n++
		}
	}
	copy(s.t[lo:hi+1], s.buf[:n])
	for q := lo; q <= hi; q++ {
		s.pos[s.t[q]] = int32(q)
	}
	s.work += int64(hi - lo + 1)
}

// reverse reverses positions lo..hi in place.
func (s *search) reverse(lo, hi int) {
	s.work += int64(hi - lo + 1)
	for i, j := lo, hi; i < j; i, j = i+1, j-1 {
		s.t[i], s.t[j] = s.t[j], s.t[i]
		s.pos[s.t[i]], s.pos[s.t[j]] = int32(i), int32(j)
	}
	if lo == hi {
		s.pos[s.t[lo]] = int32(lo)
	}
}

// twoOptDelta is the change of cost if gaps a < b are removed and positions
// a+1..b reversed.
func (s *search) twoOptDelta(a, b int) float64 {
	t := s.t
	s.work++
	d := s.d(t[a], t[b]) + s.d(t[a+1], t[b+1]) - s.d(t[a], t[a+1]) - s.d(t[b], t[b+1])
	if len(s.bGaps) == 0 {
		return d
	}
	l := newLayout(a+1, b, piece{int32(b), int32(a + 1)})
	return d + s.boundaryDelta(&l)
}

// try2opt looks for an improving 2-opt move that removes a link (u, t2)
// of u and links u to one of its neighbours t3 closer than t2 (Bentley
// 1992): the other new link joins t2 to t3's neighbour t4 on the same side.
// It applies the first it finds.
func (s *search) try2opt(u int32) bool {
	p := int(s.pos[u])
	o := int(u) * s.k
	for dir := 0; dir < 2; dir++ {
		gap := p
		if dir == 1 {
			gap = p - 1
		}
		g1 := s.gapCost(gap)
		if g1 <= s.eps {
			continue
		}
		for i, t3 := range s.nb[o : o+s.k] {
			if s.nbd[o+i] >= g1 {
				break
			}
			var a, b int
			if dir == 0 { // t2 after u, t4 after t3: remove gaps p and pos(t3)
				a, b = p, s.posAfter(t3)
			} else { // t2 before u, t4 before t3: remove gaps p-1 and pos(t3)-1
				a, b = p-1, s.posBefore(t3)-1
			}
			if a > b {
				a, b = b, a
			}
			if b-a < 2 || s.crossings(a+1, b) > maxCross {
				continue
			}
			if delta := s.twoOptDelta(a, b); delta < -s.eps {
				s.reverse(a+1, b)
				s.cost += delta
				s.push(s.t[a])
				s.push(s.t[a+1])
				s.push(s.t[b])
				s.push(s.t[b+1])
				s.pushBoundaries(a+1, b)
				return true
			}
		}
	}
	return false
}

// orMove describes moving the chain at positions sp..ep into gap c,
// reversed or not, and prices it.
func (s *search) orMove(sp, ep, c int, rev bool) (delta float64, l layout) {
	t := s.t
	x, y := t[sp], t[ep]
	chain := piece{int32(sp), int32(ep)}
	if rev {
		x, y = y, x
		chain = piece{int32(ep), int32(sp)}
	}
	s.work++
	delta = s.d(t[sp-1], t[ep+1]) + s.d(t[c], x) + s.d(y, t[c+1]) -
		s.d(t[sp-1], t[sp]) - s.d(t[ep], t[ep+1]) - s.d(t[c], t[c+1])
	if c > ep {
		l = newLayout(sp, c, piece{int32(ep + 1), int32(c)}, chain)
	} else {
		l = newLayout(c+1, ep, chain, piece{int32(c + 1), int32(sp - 1)})
	}
	delta += s.boundaryDelta(&l)
	return delta, l
}

// tryOrOpt looks for an improving Or-opt move: a chain of 1 to 3 nodes with
// u at one end moved, either way round, next to one of u's neighbours. It
// applies the first it finds.
func (s *search) tryOrOpt(u int32) bool {
	p := int(s.pos[u])
	o := int(u) * s.k
	for l := 1; l <= 3; l++ {
		for side := 0; side < 2; side++ {
			if l == 1 && side == 1 {
				break
			}
			sp, ep := p, p+l-1
			if side == 1 {
				sp, ep = p-l+1, p
			}
			if sp < 1 || ep > s.m {
				continue
			}
			g0 := s.gapCost(sp-1) + s.gapCost(ep) - s.d(s.t[sp-1], s.t[ep+1])
			if g0 <= s.eps {
				continue
			}
			for i, v := range s.nb[o : o+s.k] {
				if s.nbd[o+i] >= g0 {
					break
				}
				if int(v) != s.m {
					if q := int(s.pos[v]); q >= sp && q <= ep {
						continue
					}
				}
				for where := 0; where < 2; where++ {
					var c int
					var rev bool
					if where == 0 { // after v, u first in the chain
						c, rev = s.posAfter(v), u != s.t[sp]
					} else { // before v, u last
						c, rev = s.posBefore(v)-1, u != s.t[ep]
					}
					if c >= sp-1 && c <= ep {
						continue
					}
					if s.tryOrMove(sp, ep, c, rev) {
						return true
					}
				}
			}
		}
	}
	return false
}

// tryOrMove applies the Or-opt move (see orMove) if it improves.
func (s *search) tryOrMove(sp, ep, c int, rev bool) bool {
	if (c > ep && s.crossings(sp, c) > maxCross) || (c < sp && s.crossings(c+1, ep) > maxCross) {
		return false
	}
	delta, l := s.orMove(sp, ep, c, rev)
	if delta >= -s.eps {
		return false
	}
	ends := [6]int32{s.t[sp-1], s.t[sp], s.t[ep], s.t[ep+1], s.t[c], s.t[c+1]}
	s.rearrange(&l)
	s.cost += delta
	for _, e := range ends {
		s.push(e)
	}
	s.pushBoundaries(l.lo, l.hi)
	return true
}

// swapDelta is the change of cost if the nodes at positions p < q trade
// places. Only the links beside them change, so it is exact for any matrix.
func (s *search) swapDelta(p, q int) float64 {
	t := s.t
	a, b := t[p], t[q]
	s.work += 4
	if q == p+1 {
		return s.link(p-1, t[p-1], b) + s.link(p, b, a) + s.link(q, a, t[q+1]) -
			s.gapCost(p-1) - s.gapCost(p) - s.gapCost(q)
	}
	return s.link(p-1, t[p-1], b) + s.link(p, b, t[p+1]) + s.link(q-1, t[q-1], a) + s.link(q, a, t[q+1]) -
		s.gapCost(p-1) - s.gapCost(p) - s.gapCost(q-1) - s.gapCost(q)
}

// trySwap looks for an improving exchange of u with the node beside one of
// its neighbours, which puts u next to that neighbour without shifting the
// nodes between them: the move that carries a node across pinned slots
// without disturbing the slots between. It applies the first it finds.
func (s *search) trySwap(u int32) bool {
	p := int(s.pos[u])
	o := int(u) * s.k
	here := s.gapCost(p-1) + s.gapCost(p)
	try := func(q int) bool {
		if q < 1 || q > s.m || q == p {
			return false
		}
		a, b := min(p, q), max(p, q)
		delta := s.swapDelta(a, b)
		if delta >= -s.eps {
			return false
		}
		s.t[a], s.t[b] = s.t[b], s.t[a]
		s.pos[s.t[a]], s.pos[s.t[b]] = int32(a), int32(b)
		s.cost += delta
		s.work += 2
		for _, r := range [6]int{a - 1, a, a + 1, b - 1, b, b + 1} {
			s.push(s.t[r])
		}
		return true
	}
	for i, v := range s.nb[o : o+s.k] {
		if s.nbd[o+i] >= here {
			break
		}
		if try(s.posAfter(v)+1) || try(s.posBefore(v)-1) {
			return true
		}
	}
	for i, q := range s.pinNb[u] {
		if s.pinNbd[u][i] >= here {
			break
		}
		if try(int(q)) {
			return true
		}
	}
	return false
}

// localSearch applies improving moves until no node in the queue has one.
func (s *search) localSearch() {
	for s.qn > 0 {
		u := s.pop()
		if s.work >= s.maxWork {
			continue // out of budget: empty the queue
		}
		if s.try2opt(u) || s.tryOrOpt(u) || (len(s.bGaps) > 0 && s.trySwap(u)) {
			s.push(u)
		}
	}
}

// intn returns a pseudo-random integer in [0, n), n > 0.
func (s *search) intn(n int) int {
	return int((s.rng.Uint64() >> 32) * uint64(n) >> 32)
}

// kick applies a random double bridge (Martin, Otto & Felten 1991): two
// adjacent chains B and C, each at most maxLen long, trade places, a change
// that 2-opt and Or-opt cannot undo in one move. The nodes at its six ends
// go into the queue.
func (s *search) kick(maxLen int) {
	m := s.m
	p1 := 1 + s.intn(m-1)
	p2 := p1 + 1 + s.intn(min(maxLen, m-p1))
	p3 := p2 + 1 + s.intn(min(maxLen, m+1-p2))
	if s.crossings(p1, p3-1) > maxCross {
		s.exchangeKick()
		return
	}
	t := s.t
	delta := s.d(t[p1-1], t[p2]) + s.d(t[p3-1], t[p1]) + s.d(t[p2-1], t[p3]) -
		s.d(t[p1-1], t[p1]) - s.d(t[p2-1], t[p2]) - s.d(t[p3-1], t[p3])
	l := newLayout(p1, p3-1, piece{int32(p2), int32(p3 - 1)}, piece{int32(p1), int32(p2 - 1)})
	delta += s.boundaryDelta(&l)
	ends := [6]int32{t[p1-1], t[p1], t[p2-1], t[p2], t[p3-1], t[p3]}
	s.rearrange(&l)
	s.cost += delta
	for _, e := range ends {
		s.push(e)
	}
	s.pushBoundaries(p1, p3-1)
}

// gapsDelta is the exact change of cost, summed link by link over gaps
// lo..hi, if the move l is made; the links outside must not change.
func (s *search) gapsDelta(lo, hi int, l *layout) float64 {
	var d float64
	for g := lo; g <= hi; g++ {
		d += s.link(g, s.newAt(g, l), s.newAt(g+1, l)) - s.gapCost(g)
	}
	s.work += int64(hi - lo + 1)
	return d
}

// exchangeKick trades two random chains of equal length (1 to 3), each
// either way round, wherever they are. On a route with pins in the middle
// it moves nodes between the stretches that pins separate without shifting
// the nodes in between, which a double bridge cannot.
func (s *search) exchangeKick() {
	m := s.m
	l := 1 + s.intn(min(3, m/2))
	p := 1 + s.intn(m-2*l+1)
	q := p + l + s.intn(m-l+1-(p+l)+1)
	c1, c2 := piece{int32(p), int32(p + l - 1)}, piece{int32(q), int32(q + l - 1)}
	if s.intn(2) == 0 {
		c1 = piece{c1.to, c1.from}
	}
	if s.intn(2) == 0 {
		c2 = piece{c2.to, c2.from}
	}
	lay := newLayout(p, q+l-1, c2, c1)
	if q > p+l {
		lay = newLayout(p, q+l-1, c2, piece{int32(p + l), int32(q - 1)}, c1)
	}
	// the chains' own links and the four beside them change; the nodes
	// between keep their positions
	delta := s.gapsDelta(p-1, p+l-1, &lay) + s.gapsDelta(max(q-1, p+l), q+l-1, &lay)
	ends := [4]int32{s.t[p-1], s.t[p+l], s.t[q-1], s.t[q+l]}
	s.rearrange(&lay)
	s.cost += delta
	for _, e := range ends {
		s.push(e)
	}
	for r := range l {
		s.push(s.t[p+r])
		s.push(s.t[q+r])
	}
}

// nearestNeighbour builds a sequence slot by slot, each time taking the
// unused node closest to the point before the slot (the start, a pinned
// point or the previous node).
func (in *instance) nearestNeighbour() []int32 {
	used := make([]bool, in.m)
	seq := make([]int32, 0, in.m)
	prev := int32(in.m)
	for g := 0; g < in.m; g++ {
		best, bestD := int32(-1), 0.0
		for v := int32(0); int(v) < in.m; v++ {
			if used[v] {
				continue
			}
			if d := in.link(g, prev, v); best < 0 || d < bestD {
				best, bestD = v, d
			}
		}
		used[best] = true
		seq = append(seq, best)
		prev = best
	}
	return seq
}

// Default budget of the iterated local search.
const (
	kicksPerNode = 50 // kicks = kicksPerNode × m
	// workPerKick caps the search's work (candidate evaluations and array
	// writes) at this much per kick on average; a kick takes 200–400 on
	// TSPLIB and random days, so the cap only stops pathological inputs.
	workPerKick = 500
	kickMaxLenX = 30 // longest chain a double bridge moves
)

// heuristic returns a good sequence: nearest neighbour, then 2-opt and
// Or-opt, then iterated local search.
func (in *instance) heuristic(opt Options) []int32 {
	if in.m < 2 {
		return in.nearestNeighbour()
	}
	kicks := opt.Kicks
	if kicks == 0 {
		kicks = kicksPerNode * in.m
	}
	kicks = max(kicks, 0)
	s := newSearch(in.symmetric(), opt.Seed)
	s.maxWork = workPerKick * int64(kicks+in.m)
	s.setSeq(in.nearestNeighbour())
	for p := 1; p <= in.m; p++ {
		s.push(s.t[p])
	}
	s.localSearch()
	best, bestCost := s.seq(), s.cost
	saved := make([]int32, len(s.t))
	maxLen := max(1, in.m/3) // longest chain a double bridge moves
	for k := 0; k < kicks && s.work < s.maxWork; k++ {
		copy(saved, s.t)
		before := s.cost
		if len(in.bGaps) > 0 && s.intn(2) == 0 {
			s.exchangeKick()
		} else {
			s.kick(maxLen)
		}
		s.localSearch()
		if s.cost < bestCost-s.eps {
			best, bestCost = s.seq(), s.cost
		}
		if s.cost > before+s.eps {
			copy(s.t, saved)
			for p := 1; p <= in.m; p++ {
				s.pos[s.t[p]] = int32(p)
			}
			s.cost = before
		}
	}
	return best
}
