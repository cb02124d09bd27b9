package salesmania

import "math"

// EarthRadiusM is the mean Earth radius (IUGG) the contract measures every
// distance with (§10), in metres.
const EarthRadiusM = 6371008.8

// DistanceM returns the great-circle distance between a and b in metres, by
// the haversine formula on a sphere of EarthRadiusM: the distance of a
// check-in from its customer (§10) and of a route's legs (§11).
func DistanceM(a, b Location) float64 {
	const rad = math.Pi / 180
	lat1, lat2 := a.Lat*rad, b.Lat*rad
	dLat, dLon := (b.Lat-a.Lat)*rad, (b.Lon-a.Lon)*rad
	sinLat, sinLon := math.Sin(dLat/2), math.Sin(dLon/2)
	h := sinLat*sinLat + math.Cos(lat1)*math.Cos(lat2)*sinLon*sinLon
	return 2 * EarthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// RoundMetres rounds a distance to a whole metre, half away from zero, as
// the API shows distances.
func RoundMetres(m float64) int64 { return int64(math.Round(m)) }
