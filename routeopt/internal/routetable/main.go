// Command routetable prints the route optimiser's quality and speed table
// that the README shows, and judges the targets:
//
//	go run ./routeopt/internal/routetable            # from the repository root
//	go run ./routeopt/internal/routetable -runs 9    # more timing runs per case
//
// Every case is solved with routeopt.Solve's default options. Beside it, in
// the same run: the route as appended (the input order), plain nearest
// neighbour + 2-opt (full neighbourhood, first improvement, to a local
// optimum), and routeopt without kicks (its construction, 2-opt, Or-opt and
// swaps alone). TSPLIB instances run as closed tours (start = end = the
// first city) on exact Euclidean distances, as the API's great-circle
// metres are, and are judged with TSPLIB's nint distance against the proven
// optimum. Times are the median wall-clock time of -runs solves, and the
// median CPU time of the solving thread beside it: on a shared machine the
// wall-clock time includes waiting for a core.
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/salesmania/salesmania/routeopt"
	"github.com/salesmania/salesmania/routeopt/internal/testcase"
)

func main() {
	dir := flag.String("dir", "routeopt/testdata/tsplib", "the TSPLIB instances and OPTIMA.txt")
	runs := flag.Int("runs", 5, "timed solves per case (the median is shown)")
	flag.Parse()
	if err := run(os.Stdout, *dir, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "routetable:", err)
		os.Exit(1)
	}
}

// timing is the median wall-clock and CPU time of solving p runs times, and
// the (deterministic) result.
func timing(p routeopt.Problem, opt routeopt.Options, runs int) (routeopt.Result, time.Duration, time.Duration, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var walls, cpus []time.Duration
	var res routeopt.Result
	for range max(runs, 1) {
		runtime.GC()
		c0, t0 := threadCPU(), time.Now()
		r, err := routeopt.Solve(p, opt)
		wall, cpu := time.Since(t0), threadCPU()-c0
		if err != nil {
			return res, 0, 0, err
		}
		if res.Order != nil && !slices.Equal(res.Order, r.Order) {
			return res, 0, 0, fmt.Errorf("two solves of one problem differ")
		}
		res = r
		walls, cpus = append(walls, wall), append(cpus, cpu)
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	return res, walls[len(walls)/2], cpus[len(cpus)/2], nil
}

// closedDay is a closed tour over the n points of d as a day: the depot
// point as pinned start and end, the points stops as movable slots in the
// order given.
func closedDay(dist [][]float64, depot int, stops []int) routeopt.Problem {
	p := routeopt.Problem{Dist: dist}
	p.Slots = append(p.Slots, routeopt.Slot{Point: depot, Pinned: true})
	for _, s := range stops {
		p.Slots = append(p.Slots, routeopt.Slot{Point: s})
	}
	p.Slots = append(p.Slots, routeopt.Slot{Point: depot, Pinned: true})
	return p
}

// points is the sequence of movable points of p in the order res gives.
func points(p routeopt.Problem, order []int) []int {
	var out []int
	for k, i := range order {
		if !p.Slots[k].Pinned {
			out = append(out, p.Slots[i].Point)
		}
	}
	return out
}

// nn2opt is the baseline: a closed tour from start (a point of tour) by
// nearest neighbour over the other points of tour, then 2-opt with the
// full neighbourhood and first improvement until no move improves.
func nn2opt(dist [][]float64, start int, others []int) []int {
	left := slices.Clone(others)
	tour := []int{start}
	for len(left) > 0 {
		prev, best := tour[len(tour)-1], 0
		for i, v := range left {
			if dist[prev][v] < dist[prev][left[best]] {
				best = i
			}
		}
		tour = append(tour, left[best])
		left = slices.Delete(left, best, best+1)
	}
	n := len(tour)
	for improved := true; improved; {
		improved = false
		for i := 0; i < n-2; i++ {
			for j := i + 2; j < n; j++ {
				a, b, c, d := tour[i], tour[i+1], tour[j], tour[(j+1)%n]
				if dist[a][c]+dist[b][d] < dist[a][b]+dist[c][d]-1e-9 {
					slices.Reverse(tour[i+1 : j+1])
					improved = true
				}
			}
		}
	}
	return tour
}

// closedLength is the length of the closed tour under dist.
func closedLength(tour []int, dist func(i, j int) float64) float64 {
	var sum float64
	for k := range tour {
		sum += dist(tour[k], tour[(k+1)%len(tour)])
	}
	return sum
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }

func run(w io.Writer, dir string, runs int) error {
	ins, err := testcase.Load(dir)
	if err != nil {
		return err
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(w, "routeopt table: %s/%s, %d CPUs, Go %s, load average %s\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "))
	fmt.Fprintf(w, "TSPLIB, closed tours, gap to the proven optimum (TSPLIB nint distance); time: median of %d solves, wall / CPU\n\n", runs)
	fmt.Fprintf(w, "%-9s %4s %8s %10s %10s %10s %10s %17s\n", "instance", "n", "optimum", "appended", "NN+2-opt", "no kicks", "routeopt", "ms (wall / CPU)")
	var sumGap, worstGap float64
	var slowest time.Duration
	for _, in := range ins {
		n := len(in.X)
		dist := routeopt.Matrix(n, in.Euclid)
		stops := make([]int, n)
		for i := range stops {
			stops[i] = i
		}
		p := closedDay(dist, 0, stops)
		nint := func(i, j int) float64 { return float64(in.Dist(i, j)) }
		gap := func(tour []int) float64 { return in.Gap(int(closedLength(tour, nint))) }
		plain, err := routeopt.Solve(p, routeopt.Options{Kicks: -1})
		if err != nil {
			return err
		}
		res, wall, cpu, err := timing(p, routeopt.Options{}, runs)
		if err != nil {
			return err
		}
		g := gap(points(p, res.Order))
		sumGap, worstGap, slowest = sumGap+g, max(worstGap, g), max(slowest, wall)
		fmt.Fprintf(w, "%-9s %4d %8d %9.2f%% %9.2f%% %9.2f%% %9.2f%% %8s / %6s\n", in.Name, n, in.Optimum,
			gap(stops), gap(nn2opt(dist, 0, stops[1:])), gap(points(p, plain.Order)), g, ms(wall), ms(cpu))
	}
	mean := sumGap / float64(len(ins))
	fmt.Fprintf(w, "%-9s %48s %9.2f%%   (worst %.2f%%, slowest %s ms)\n\n", "mean", "", mean, worstGap, ms(slowest))

	fmt.Fprintf(w, "Random days around Semarang: stops uniform within 15 km, depot at the centre as start and end, great-circle metres\n\n")
	fmt.Fprintf(w, "%-28s %12s %10s %10s %12s %17s\n", "day", "appended m", "NN+2-opt", "no kicks", "routeopt m", "ms (wall / CPU)")
	cityWall := map[int]time.Duration{}
	for _, c := range []struct{ n, pins int }{{25, 0}, {100, 0}, {200, 0}, {200, 10}} {
		pts := append(testcase.City(testcase.Semarang, 15000, c.n, 1), testcase.Semarang)
		hav := func(i, j int) float64 { return testcase.Haversine(pts[i], pts[j]) }
		dist := routeopt.Matrix(c.n+1, hav)
		stops := make([]int, c.n)
		for i := range stops {
			stops[i] = i
		}
		p := closedDay(dist, c.n, stops)
		name := fmt.Sprintf("%d stops", c.n)
		if c.pins > 0 {
			for k := 1; k <= c.n; k++ {
				p.Slots[k].Pinned = k%c.pins == 0
			}
			name += fmt.Sprintf(", every %dth pinned", c.pins)
		}
		plain, err := routeopt.Solve(p, routeopt.Options{Kicks: -1})
		if err != nil {
			return err
		}
		res, wall, cpu, err := timing(p, routeopt.Options{}, runs)
		if err != nil {
			return err
		}
		above := func(v float64) string { return fmt.Sprintf("%+.2f%%", 100*(v-res.After)/res.After) }
		baseline := "-" // NN+2-opt knows nothing of pins
		if c.pins == 0 {
			baseline = above(closedLength(nn2opt(dist, c.n, stops), hav))
		}
		fmt.Fprintf(w, "%-28s %12.0f %10s %10s %12.0f %8s / %6s\n", name, res.Before, baseline, above(plain.After), res.After, ms(wall), ms(cpu))
		if c.pins == 0 {
			cityWall[c.n] = wall
		}
	}
	fmt.Fprintln(w, "(NN+2-opt and no kicks: how much longer than routeopt's route)")

	rng := uint64(1)
	exact := routeopt.Problem{Dist: routeopt.Matrix(routeopt.ExactMax+6, func(i, j int) float64 {
		rng = rng*6364136223846793005 + 1442695040888963407
		return float64(rng>>40) + math.Abs(float64(i-j))
	})}
	for i := range routeopt.ExactMax + 6 {
		exact.Slots = append(exact.Slots, routeopt.Slot{Point: i, Pinned: i%3 == 0})
	}
	_, ewall, ecpu, err := timing(exact, routeopt.Options{}, runs)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nexact, %d movable among %d slots (dynamic programming): %s / %s ms\n\n", routeopt.ExactMax, len(exact.Slots), ms(ewall), ms(ecpu))

	verdict := func(ok bool, what string) {
		mark := "MET   "
		if !ok {
			mark = "MISSED"
		}
		fmt.Fprintf(w, "%s %s\n", mark, what)
	}
	verdict(mean <= 0.5, fmt.Sprintf("TSPLIB mean gap %.2f%% ≤ 0.5%%", mean))
	verdict(worstGap <= 1.5, fmt.Sprintf("TSPLIB worst gap %.2f%% ≤ 1.5%%", worstGap))
	verdict(slowest < 300*time.Millisecond, fmt.Sprintf("TSPLIB slowest %s ms < 300 ms", ms(slowest)))
	verdict(cityWall[100] <= 60*time.Millisecond, fmt.Sprintf("100 stops %s ms ≤ 60 ms", ms(cityWall[100])))
	verdict(cityWall[200] <= 300*time.Millisecond, fmt.Sprintf("200 stops %s ms ≤ 300 ms", ms(cityWall[200])))
	return nil
}
