package testcase

import (
	"math"
	"math/rand/v2"
)

// EarthRadius is the mean Earth radius the API's great-circle distances use
// (§10 of the contract), in metres.
const EarthRadius = 6371008.8

// Semarang is the centre of the random days: Simpang Lima, Semarang.
var Semarang = Point{Lat: -6.990, Lon: 110.423}

// Point is a position in degrees.
type Point struct{ Lat, Lon float64 }

// Haversine is the great-circle distance between a and b in metres.
func Haversine(a, b Point) float64 {
	const rad = math.Pi / 180
	dlat, dlon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	h := math.Sin(dlat/2)*math.Sin(dlat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * EarthRadius * math.Asin(math.Sqrt(min(1, h)))
}

// City returns n stops spread uniformly over the disc of radius r metres
// around centre, from a seeded generator: the same arguments give the same
// stops.
func City(centre Point, r float64, n int, seed uint64) []Point {
	rng := rand.NewPCG(seed, 0x5e3a7a6)
	// uniform in [0, 1) from the generator's bits alone, stable across Go versions
	unit := func() float64 { return float64(rng.Uint64()>>11) / (1 << 53) }
	mPerDegLat := math.Pi / 180 * EarthRadius
	mPerDegLon := mPerDegLat * math.Cos(centre.Lat*math.Pi/180)
	pts := make([]Point, n)
	for i := range pts {
		d := r * math.Sqrt(unit())
		a := 2 * math.Pi * unit()
		pts[i] = Point{
			Lat: centre.Lat + d*math.Sin(a)/mPerDegLat,
			Lon: centre.Lon + d*math.Cos(a)/mPerDegLon,
		}
	}
	return pts
}
