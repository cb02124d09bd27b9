package testcase

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	in, err := Parse(strings.NewReader("NAME: tri\nTYPE : TSP\nDIMENSION : 3\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 3 4\n3 0 4.5\nEOF\n"))
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "tri" || len(in.X) != 3 || in.Dist(0, 1) != 5 || in.Dist(1, 2) != 3 || in.Dist(0, 2) != 5 || in.TourLength([]int{0, 1, 2}) != 13 {
		t.Fatalf("parsed %+v, distances %d %d %d", in, in.Dist(0, 1), in.Dist(1, 2), in.Dist(0, 2))
	}
	for name, text := range map[string]string{
		"NotEuclidean":   "NAME: x\nDIMENSION: 1\nEDGE_WEIGHT_TYPE: GEO\nNODE_COORD_SECTION\n1 0 0\nEOF\n",
		"WrongDimension": "NAME: x\nDIMENSION: 2\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\nEOF\n",
		"BadCoordinate":  "NAME: x\nDIMENSION: 1\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 zero 0\nEOF\n",
		"BadHeader":      "NAME x\n",
	} {
		if _, err := Parse(strings.NewReader(text)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestLoad(t *testing.T) {
	ins, err := Load("../../testdata/tsplib")
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 10 || ins[0].Name != "berlin52" || len(ins[0].X) != 52 || ins[0].Optimum != 7542 {
		t.Fatalf("loaded %d instances, first %s (%d cities, optimum %d)", len(ins), ins[0].Name, len(ins[0].X), ins[0].Optimum)
	}
}
