package salesmania

import (
	"context"
	"math"
	"slices"
	"strconv"

	"github.com/salesmania/salesmania/routeopt"
)

// Route optimisation of a team's day (§11). The solver is package
// routeopt, which knows nothing of visits: this file turns a day into its
// problem (which visits move, which keep their place, where the route
// starts and ends) and its answer back into the day's new order, legs and
// times.

// Bounds of an optimisation (§11).
const (
	MaxOptimizeVisits = 200
	DefaultSpeedKmh   = 25
	MaxSpeedKmh       = 200
	DefaultDepartAt   = "08:00"
)

// OptimizeFields is the body of POST /visits/optimize (§11).
type OptimizeFields struct {
	Date     *string        `json:"date"`
	TeamID   *int64         `json:"team_id"`
	Start    *LocationInput `json:"start"`
	End      *LocationInput `json:"end"`
	Apply    *bool          `json:"apply"`
	DepartAt *string        `json:"depart_at"`
	SpeedKmh *float64       `json:"speed_kmh"`
}

// OptimizeRequest is a checked OptimizeFields.
type OptimizeRequest struct {
	Date       string
	TeamID     int64
	Start, End *Location
	Apply      bool
	DepartAt   int // seconds after midnight
	SpeedKmh   float64
}

// Check returns the request for principal p: EINVALID for bad fields,
// EFORBIDDEN when a member names another team.
func (f *OptimizeFields) Check(p Principal) (*OptimizeRequest, error) {
	req := &OptimizeRequest{SpeedKmh: DefaultSpeedKmh, DepartAt: 8 * 3600}
	var pr Problems
	req.Date = requiredDate(&pr, "date", f.Date)
	team := requestedTeam(&pr, f.TeamID)
	if f.Start != nil {
		req.Start = checkLocation(&pr, "start", f.Start)
	}
	if f.End != nil {
		req.End = checkLocation(&pr, "end", f.End)
	}
	if f.Apply != nil {
		req.Apply = *f.Apply
	}
	if f.DepartAt != nil {
		if secs, ok := parseClock(CleanString(*f.DepartAt)); ok {
			req.DepartAt = secs
		} else {
			pr.Add("depart_at", "must be a time of day as HH:MM, 00:00 to 23:59")
		}
	}
	if f.SpeedKmh != nil {
		if v := *f.SpeedKmh; !(v >= 1 && v <= MaxSpeedKmh) {
			pr.Add("speed_kmh", "must be from 1 to "+itoa(MaxSpeedKmh)+" km/h")
		} else {
			req.SpeedKmh = v
		}
	}
	if err := pr.Err(); err != nil {
		return nil, err
	}
	var err error
	if req.TeamID, err = p.TeamFor(team); err != nil {
		return nil, err
	}
	return req, nil
}

// parseClock reads HH:MM of a day as seconds after midnight.
func parseClock(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || s[0] == '+' || s[3] == '+' {
		return 0, false
	}
	return h*3600 + m*60, true
}

// formatClock writes seconds after midnight as HH:MM, rounded to the
// nearest minute (half a minute up); past midnight the hours go on (25:10).
func formatClock(secs float64) string {
	minutes := int64(math.Floor(secs/60 + 0.5))
	h, m := minutes/60, minutes%60
	b := make([]byte, 0, 6)
	if h < 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, h, 10)
	b = append(b, ':', byte('0'+m/10), byte('0'+m%10))
	return string(b)
}

// OptimizeStop is one visit of the proposed route (§11).
type OptimizeStop struct {
	VisitID int64   `json:"visit_id"`
	Seq     int64   `json:"seq"`
	LegM    *int64  `json:"leg_m"`
	Arrive  *string `json:"arrive"`
	Depart  *string `json:"depart"`
}

// OptimizeResult answers POST /visits/optimize (§11).
type OptimizeResult struct {
	Date            string         `json:"date"`
	TeamID          int64          `json:"team_id"`
	Applied         bool           `json:"applied"`
	VisitIDs        []int64        `json:"visit_ids"`
	DistanceMBefore int64          `json:"distance_m_before"`
	DistanceMAfter  int64          `json:"distance_m_after"`
	Stops           []OptimizeStop `json:"stops"`
	Fixed           []int64        `json:"fixed"`
	Unlocated       []int64        `json:"unlocated"`
}

// ErrTooManyToOptimize is the answer for a day of more than
// MaxOptimizeVisits visits.
var ErrTooManyToOptimize = &Error{Code: EINVALID, Message: "The day has too many visits to optimise at once.",
	Fields: []FieldError{{Field: "date", Message: "too many visits to optimise: at most " + itoa(MaxOptimizeVisits) + " a day"}}}

// OptimizeDay proposes a new order of a team's day, given in seq order:
// planned visits whose customer has a location move among the places they
// hold, every other visit keeps its place. The answer is deterministic.
func OptimizeDay(day []Visit, req *OptimizeRequest) (*OptimizeResult, error) {
	if len(day) > MaxOptimizeVisits {
		return nil, ErrTooManyToOptimize
	}
	res := &OptimizeResult{Date: req.Date, TeamID: req.TeamID, VisitIDs: []int64{}, Stops: []OptimizeStop{}, Fixed: []int64{}, Unlocated: []int64{}}
	// The points of the route: start, the located visits that are not
	// skipped, end. visitPoint maps a day index to its point, -1 if none.
	var points []Location
	var slots []routeopt.Slot
	visitPoint := make([]int, len(day))
	if req.Start != nil {
		points = append(points, *req.Start)
		slots = append(slots, routeopt.Slot{Point: 0, Pinned: true})
	}
	for i, v := range day {
		visitPoint[i] = -1
		movable := v.Status == VisitPlanned && v.Customer.Location != nil
		switch {
		case v.Status != VisitPlanned:
			res.Fixed = append(res.Fixed, v.ID)
		case v.Customer.Location == nil:
			res.Unlocated = append(res.Unlocated, v.ID)
		}
		if v.Customer.Location == nil || v.Status == VisitSkipped {
			continue
		}
		visitPoint[i] = len(points)
		points = append(points, *v.Customer.Location)
		slots = append(slots, routeopt.Slot{Point: visitPoint[i], Pinned: !movable})
	}
	if req.End != nil {
		points = append(points, *req.End)
		slots = append(slots, routeopt.Slot{Point: len(points) - 1, Pinned: true})
	}
	dist := routeopt.Matrix(len(points), func(i, j int) float64 { return DistanceM(points[i], points[j]) })
	sol, err := routeopt.Solve(routeopt.Problem{Dist: dist, Slots: slots}, routeopt.Options{Seed: 1})
	if err != nil {
		return nil, err // the problem is built from checked values: a bug
	}
	res.DistanceMBefore, res.DistanceMAfter = RoundMetres(sol.Before), RoundMetres(sol.After)
	// The movable visits in their new order, from the solver's slots.
	pointVisit := map[int]int{}
	for i, p := range visitPoint {
		if p >= 0 {
			pointVisit[p] = i
		}
	}
	var moved []int
	for k, from := range sol.Order {
		if !slots[k].Pinned {
			moved = append(moved, pointVisit[slots[from].Point])
		}
	}
	order := make([]int, 0, len(day)) // day indexes in the new order
	next := 0
	for i, v := range day {
		if v.Status == VisitPlanned && v.Customer.Location != nil {
			order = append(order, moved[next])
			next++
		} else {
			order = append(order, i)
		}
	}
	// Legs and times along the new order.
	clock := float64(req.DepartAt)
	var prev *Location = req.Start
	speed := req.SpeedKmh / 3.6 // metres a second
	for k, i := range order {
		v := day[i]
		res.VisitIDs = append(res.VisitIDs, v.ID)
		stop := OptimizeStop{VisitID: v.ID, Seq: int64(k + 1)}
		switch {
		case v.Status == VisitSkipped:
		case v.Customer.Location == nil:
			stop.Arrive = clockPtr(clock)
			clock += float64(v.DurationMin) * 60
			stop.Depart = clockPtr(clock)
		default:
			if prev != nil {
				leg := RoundMetres(DistanceM(*prev, *v.Customer.Location))
				stop.LegM = &leg
				clock += float64(leg) / speed
			}
			stop.Arrive = clockPtr(clock)
			clock += float64(v.DurationMin) * 60
			stop.Depart = clockPtr(clock)
			prev = v.Customer.Location
		}
		res.Stops = append(res.Stops, stop)
	}
	return res, nil
}

func clockPtr(secs float64) *string {
	s := formatClock(secs)
	return &s
}

// DayStore is what OptimizeTeamDay needs of the store.
type DayStore interface {
	ListTeams(ctx context.Context, dbID int64) ([]Team, error)
	ListVisits(ctx context.Context, dbID int64, f VisitFilter) (*Page[Visit], error)
	ReorderDay(ctx context.Context, dbID, team int64, date string, order func(day []Visit) ([]int64, error)) ([]Visit, error)
}

// OptimizeTeamDay answers an optimisation of a team's day in database dbID
// (§11): the API's POST /visits/optimize and the console's Optimise and
// Apply buttons. With Apply it runs on the day as it is under the team's
// lock and stores the new order in the same transaction (ReorderDay), so a
// visit checked in meanwhile keeps its place. EINVALID (team_id) when the
// team is not of the database, (date) when the day has more than
// MaxOptimizeVisits visits.
func OptimizeTeamDay(ctx context.Context, s DayStore, dbID int64, req *OptimizeRequest) (*OptimizeResult, error) {
	if req.Apply {
		var res *OptimizeResult
		_, err := s.ReorderDay(ctx, dbID, req.TeamID, req.Date, func(day []Visit) ([]int64, error) {
			var err error
			res, err = OptimizeDay(day, req)
			if err != nil {
				return nil, err
			}
			return res.VisitIDs, nil
		})
		if err != nil {
			return nil, err
		}
		res.Applied = true
		return res, nil
	}
	teams, err := s.ListTeams(ctx, dbID)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(teams, func(t Team) bool { return t.ID == req.TeamID }) {
		return nil, &Error{Code: EINVALID, Message: "team_id is not a team of this database.",
			Fields: []FieldError{{Field: "team_id", Message: "is not a team of this database"}}}
	}
	page, err := s.ListVisits(ctx, dbID, VisitFilter{Teams: OnlyTeam(req.TeamID), Date: req.Date,
		ListParams: ListParams{Limit: MaxOptimizeVisits + 1}})
	if err != nil {
		return nil, err
	}
	return OptimizeDay(page.Data, req)
}

// RouteDistanceM is the distance of a day's route in seq order as §11
// measures it, without start or end: the great-circle legs between
// consecutive visits that have a location and are not skipped, rounded to
// a whole metre.
func RouteDistanceM(day []Visit) int64 {
	var total float64
	var prev *Location
	for _, v := range day {
		if v.Customer.Location == nil || v.Status == VisitSkipped {
			continue
		}
		if prev != nil {
			total += DistanceM(*prev, *v.Customer.Location)
		}
		prev = v.Customer.Location
	}
	return RoundMetres(total)
}
