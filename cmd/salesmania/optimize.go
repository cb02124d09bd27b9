package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
)

// "salesmania visits optimize" (§11): the shortest order of a day, shown
// as the route a salesman drives, with each leg and the times of arrival
// and departure; stored with --apply.

// anyAdmin is the principal the commands check fields as before sending
// them: the domain's rules for the values, while who may act for which
// team is the server's to say.
var anyAdmin = salesmania.Principal{Role: salesmania.RoleAdmin}

// pointFlag is a LAT,LON flag: nil until given.
type pointFlag struct{ v *salesmania.LocationInput }

func (f *pointFlag) String() string {
	if f.v == nil {
		return ""
	}
	return formatCoordinate(*f.v.Lat) + "," + formatCoordinate(*f.v.Lon)
}

func (f *pointFlag) Set(s string) error {
	lat, lon, ok := strings.Cut(s, ",")
	if !ok {
		return errors.New("must be LAT,LON in degrees, e.g. -7.110383,110.473812")
	}
	var xs [2]float64
	for i, part := range []string{lat, lon} {
		x, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return errors.New("must be LAT,LON in degrees, e.g. -7.110383,110.473812")
		}
		xs[i] = x
	}
	switch {
	case xs[0] < -90 || xs[0] > 90:
		return errors.New("the latitude must be between -90 and 90")
	case xs[1] < -180 || xs[1] > 180:
		return errors.New("the longitude must be between -180 and 180")
	}
	f.v = &salesmania.LocationInput{Lat: &xs[0], Lon: &xs[1]}
	return nil
}

func runVisitsOptimize(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var date string
	var teamID int64
	var start, end pointFlag
	var departAt stringFlag
	var speed floatFlag
	var apply bool
	fs.StringVar(&date, "date", "", "the day to optimise, YYYY-MM-DD (required)")
	fs.Int64Var(&teamID, "team-id", 0, "the team whose day it is (default your own; an admin may name another)")
	fs.Var(&start, "start", "where the salesman sets out, `LAT,LON` in degrees (default: at the first visit)")
	fs.Var(&end, "end", "where the route ends, `LAT,LON` in degrees (default: at the last visit)")
	fs.Var(&departAt, "depart-at", "when the salesman sets out, `HH:MM` in the database's time zone (default 08:00)")
	fs.Var(&speed, "speed", "the average travel speed in `km/h`, 1 to 200 (default 25)")
	fs.BoolVar(&apply, "apply", false, "store the proposed order (without it the day is left as it is)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := requiredDate(date); err != nil {
		return err
	}
	if teamID < 0 {
		return &usageError{"--team-id must be a positive id"}
	}
	f := &salesmania.OptimizeFields{Date: &date, Start: start.v, End: end.v, DepartAt: departAt.v, SpeedKmh: speed.v}
	if teamID != 0 {
		f.TeamID = &teamID
	}
	if apply {
		f.Apply = &apply
	}
	if _, err := f.Check(anyAdmin); err != nil {
		return checkLocally(err)
	}
	cl, err := c.connect()
	if err != nil {
		return err
	}
	res, err := cl.Visits.Optimize(ctx, f)
	if err != nil {
		return c.describeClientError(err)
	}
	if !c.tables() {
		return printJSON(c.stdout, res)
	}
	// The visits of the day, for their customers' names and whereabouts.
	day := map[int64]salesmania.Visit{}
	for v, err := range cl.Visits.All(ctx, &client.VisitListOptions{Date: res.Date, TeamID: res.TeamID, Limit: salesmania.MaxListLimit}) {
		if err != nil {
			return c.describeClientError(err)
		}
		day[v.ID] = v
	}
	return printRoute(c, res, day, f)
}

// printRoute writes an optimised day as a table: the start, each stop with
// its leg and times, the end; then the distance saved and whether the
// order was stored.
func printRoute(c *cli, res *salesmania.OptimizeResult, day map[int64]salesmania.Visit, f *salesmania.OptimizeFields) error {
	kept := map[int64]string{}
	for _, id := range res.Fixed {
		kept[id] = day[id].Status
	}
	for _, id := range res.Unlocated {
		kept[id] = "no location"
	}
	t := newTable(c.stdout, "SEQ", "VISIT_ID", "CUSTOMER", "LEG_KM", "ARRIVE", "DEPART", "KEPT")
	if f.Start != nil {
		departAt := salesmania.DefaultDepartAt
		if f.DepartAt != nil {
			departAt = strings.TrimSpace(*f.DepartAt)
		}
		t.row("", "", "(start)", "", "", departAt, "")
	}
	var last *salesmania.Location // the last point the route passes
	for _, s := range res.Stops {
		v := day[s.VisitID]
		if s.Arrive != nil && v.Customer.Location != nil { // neither skipped nor unlocated
			last = v.Customer.Location
		}
		t.row(strconv.FormatInt(s.Seq, 10), strconv.FormatInt(s.VisitID, 10), v.Customer.Name,
			optionalKm(s.LegM), optionalText(s.Arrive), optionalText(s.Depart), kept[s.VisitID])
	}
	if f.End != nil {
		leg := ""
		if last != nil {
			m := salesmania.RoundMetres(salesmania.DistanceM(*last, salesmania.Location{Lat: *f.End.Lat, Lon: *f.End.Lon}))
			leg = km(m)
		}
		t.row("", "", "(end)", leg, "", "", "")
	}
	if err := t.flush(); err != nil {
		return err
	}
	saved := res.DistanceMBefore - res.DistanceMAfter
	percent := 0.0
	if res.DistanceMBefore > 0 {
		percent = 100 * float64(saved) / float64(res.DistanceMBefore)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\ndistance: %s km before, %s km after: %s km (%.1f %%) shorter\n",
		km(res.DistanceMBefore), km(res.DistanceMAfter), km(saved), percent)
	if res.Applied {
		fmt.Fprintf(&b, "applied: the visits of %s are in this order now\n", res.Date)
	} else {
		b.WriteString("not applied: run it again with --apply to store this order\n")
	}
	_, err := fmt.Fprint(c.stdout, b.String())
	return err
}

// km writes metres as kilometres with one decimal: "1.2".
func km(m int64) string { return strconv.FormatFloat(float64(m)/1000, 'f', 1, 64) }

func optionalKm(m *int64) string {
	if m == nil {
		return ""
	}
	return km(*m)
}

func optionalText(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
