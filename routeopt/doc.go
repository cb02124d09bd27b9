// Package routeopt orders a salesman's day: given the day's route as slots,
// some pinned (visits already checked in or done) and the others movable,
// and a distance matrix, it permutes the movable entries among the movable
// slots to make the route as short as it can. It is pure Go with no I/O and
// no geometry: distances in, order out (the caller computes great-circle
// metres, and leaves out of the problem the visits that take no part in the
// route's distance).
//
// # The problem
//
// A route is a sequence of slots; its cost is the sum of the distances
// between consecutive slots, from the first to the last (an open path). A
// fixed start or end is a pinned slot at the beginning or end, a closed
// tour one whose first and last slots are the same pinned point. Pinned
// slots may also stand anywhere in the middle.
//
// # The method
//
// Up to ExactMax movable slots Solve is exact: Held–Karp dynamic
// programming over subsets (Held & Karp 1962), whose state — the set of
// movable entries placed in the first movable slots and the last of them —
// fixes the slot a state ends in (the size of the set), so the link to the
// next entry is priced through whatever pinned points lie between the two
// slots. Pins anywhere are handled exactly; O(2^m·m²) time, ~2 ms at m = 12.
//
// Above, Solve recasts the problem as a path over the movable entries
// between a depot node that stands for the fixed ends (its distances are
// those from the start and to the end, or 0 for a free end: the open path
// through a dummy node). A link between two movable slots that pins
// separate is priced through the pins. It builds a route by nearest
// neighbour, slot by slot, and improves it by local search with
// neighbour lists of the 8 nearest nodes and don't-look bits (Bentley 1992):
// 2-opt (Croes 1958; Lin & Kernighan 1973 for the neighbour-list gain
// criterion), Or-opt (chains of 1–3 moved, either way round, next to a
// neighbour) and, when pins stand in the middle, swaps of two entries, which
// carry an entry across pins without shifting the others. Every move is
// priced in O(1) plus the pins it shifts entries across, and a move may cross
// at most a few. Then iterated local search (Martin, Otto & Felten 1991;
// Johnson & McGeoch 1997): a kick — a double bridge of two adjacent chains
// of up to m/3 entries, or, with pins in the middle, the exchange of two
// random chains of equal length — followed by local search from the kick's
// ends; the result is kept if it is no longer, else undone.
//
// # Guarantees
//
// Solve is deterministic: the same problem and Options give the same
// answer on any machine and under any load. The budget is a number of kicks
// (50 per movable stop by default, Options.Kicks to change it) and a work
// cap counted in candidate evaluations, never a clock; the pseudo-random
// sequence is a PCG seeded by Options.Seed; the search only adds and
// subtracts distances (besides halving them and scaling one tolerance, each
// a lone exact operation), so no platform's fused multiply-add can change
// a comparison. The answer is never longer than the
// input (After ≤ Before, both summed in route order with the real
// distances), the input order is returned unchanged when nothing shorter
// was found, pinned slots never move, and 0 or 1 movable slots keep the
// order. A malformed problem is an error wrapping ErrInvalidProblem, never
// a panic.
//
// On the TSPLIB instances in testdata/tsplib (52–200 cities, closed tours)
// the default finds tours within 0.1 % of the proven optimum on average in
// tens of milliseconds; the README's "Route optimisation" section has the
// table, printed by `go run ./routeopt/internal/routetable`.
//
// References: G. A. Croes, "A method for solving traveling-salesman
// problems", Operations Research 6 (1958); M. Held, R. M. Karp, "A dynamic programming approach to
// sequencing problems", J. SIAM 10 (1962); S. Lin, B. W. Kernighan, "An
// effective heuristic algorithm for the traveling-salesman problem",
// Operations Research 21 (1973); I. Or, "Traveling salesman-type
// combinatorial problems…", PhD thesis, Northwestern University (1976);
// O. Martin, S. W. Otto, E. W. Felten, "Large-step Markov chains for the
// traveling salesman problem", Complex Systems 5 (1991); J. L. Bentley,
// "Fast algorithms for geometric traveling salesman problems", ORSA J. on
// Computing 4 (1992); D. S. Johnson, L. A. McGeoch, "The traveling salesman
// problem: a case study in local optimization" (1997).
package routeopt
