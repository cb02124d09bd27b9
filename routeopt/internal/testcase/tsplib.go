// Package testcase provides the problems routeopt is measured on, for its
// tests, benchmarks and table: the TSPLIB95 instances kept in
// routeopt/testdata/tsplib (symmetric, EDGE_WEIGHT_TYPE EUC_2D) with their
// proven optima and TSPLIB's own distance, and random days of stops around
// a city with great-circle distances. It does not import routeopt, so that
// routeopt's own tests can use it.
package testcase

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Instance is one TSPLIB instance: city i at (X[i], Y[i]), cities numbered
// from 0 here (from 1 in the file).
type Instance struct {
	Name    string
	X, Y    []float64
	Optimum int // the proven optimal tour length, from OPTIMA.txt
}

// Parse reads an instance in TSPLIB format: a header of "KEY : value" lines,
// then NODE_COORD_SECTION with one "index x y" line per city, then EOF. Only
// EUC_2D instances are accepted.
func Parse(r io.Reader) (*Instance, error) {
	in := &Instance{}
	sc := bufio.NewScanner(r)
	coords, dim := false, -1
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case line == "EOF":
			coords = false
			continue
		case line == "NODE_COORD_SECTION":
			coords = true
			continue
		}
		if coords {
			f := strings.Fields(line)
			if len(f) != 3 {
				return nil, fmt.Errorf("tsplib: coordinate line %q", line)
			}
			x, err1 := strconv.ParseFloat(f[1], 64)
			y, err2 := strconv.ParseFloat(f[2], 64)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("tsplib: coordinate line %q", line)
			}
			in.X, in.Y = append(in.X, x), append(in.Y, y)
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("tsplib: header line %q", line)
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		switch key {
		case "NAME":
			in.Name = value
		case "DIMENSION":
			n, err := strconv.Atoi(value)
			if err != nil {
				return nil, fmt.Errorf("tsplib: DIMENSION %q", value)
			}
			dim = n
		case "EDGE_WEIGHT_TYPE":
			if value != "EUC_2D" {
				return nil, fmt.Errorf("tsplib: EDGE_WEIGHT_TYPE %s, want EUC_2D", value)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if dim != len(in.X) {
		return nil, fmt.Errorf("tsplib: %s: DIMENSION %d but %d cities", in.Name, dim, len(in.X))
	}
	return in, nil
}

// Load reads every instance named in dir/OPTIMA.txt (lines "name length",
// # comments), in that file's order, from dir/<name>.tsp.
func Load(dir string) ([]*Instance, error) {
	f, err := os.Open(filepath.Join(dir, "OPTIMA.txt"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*Instance
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) != 2 {
			return nil, fmt.Errorf("tsplib: OPTIMA.txt line %q", line)
		}
		opt, err := strconv.Atoi(fs[1])
		if err != nil {
			return nil, fmt.Errorf("tsplib: OPTIMA.txt line %q", line)
		}
		in, err := loadFile(filepath.Join(dir, fs[0]+".tsp"))
		if err != nil {
			return nil, err
		}
		in.Optimum = opt
		out = append(out, in)
	}
	return out, sc.Err()
}

func loadFile(path string) (*Instance, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f)
}

// Euclid is the exact Euclidean distance between cities i and j.
func (in *Instance) Euclid(i, j int) float64 {
	return math.Hypot(in.X[i]-in.X[j], in.Y[i]-in.Y[j])
}

// Dist is TSPLIB's EUC_2D distance: the Euclidean distance rounded to the
// nearest integer, nint(x) = (int)(x + 0.5).
func (in *Instance) Dist(i, j int) int {
	dx, dy := in.X[i]-in.X[j], in.Y[i]-in.Y[j]
	return int(math.Sqrt(dx*dx+dy*dy) + 0.5)
}

// TourLength is the TSPLIB length of the closed tour visiting the cities in
// the order given (each once), back to the first.
func (in *Instance) TourLength(tour []int) int {
	sum := 0
	for k := range tour {
		sum += in.Dist(tour[k], tour[(k+1)%len(tour)])
	}
	return sum
}

// Gap is how much longer than the optimum a tour of the given length is, in
// per cent.
func (in *Instance) Gap(length int) float64 {
	return 100 * float64(length-in.Optimum) / float64(in.Optimum)
}
