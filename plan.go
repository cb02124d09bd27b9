package salesmania

import (
	"math"
	"slices"
	"time"
)

// VisitPlan is a call cycle, "rute kunjungan" (§12): a customer visited by
// a team on some weekdays, every week or every few weeks, from a start date
// and until an end date if it has one. Materialising the plans of a range
// of days turns their occurrences into visits.
type VisitPlan struct {
	ID          int64     `json:"id"`
	DBID        int64     `json:"-"`
	TeamID      int64     `json:"team_id"`
	CustomerID  int64     `json:"customer_id"`
	Weekdays    []int     `json:"weekdays"`
	EveryWeeks  int       `json:"every_weeks"`
	StartDate   string    `json:"start_date"`
	EndDate     *string   `json:"end_date"`
	DurationMin int64     `json:"duration_min"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Bounds of a visit plan (§12).
const (
	MaxEveryWeeks = 8
)

// ISOWeekday returns the ISO weekday of t: 1 for Monday … 7 for Sunday.
func ISOWeekday(t time.Time) int { return (int(t.Weekday())+6)%7 + 1 }

// mondayOf returns the Monday of t's week.
func mondayOf(t time.Time) time.Time { return t.AddDate(0, 0, 1-ISOWeekday(t)) }

// OccursOn reports whether date (YYYY-MM-DD) is an occurrence of the plan:
// its weekday is listed, it is on or after start_date and on or before
// end_date if any, and the whole weeks between the Monday of start_date's
// week and the Monday of its week are a multiple of every_weeks. Whether
// the plan is active is not its concern.
func (p *VisitPlan) OccursOn(date string) bool {
	if date < p.StartDate || (p.EndDate != nil && date > *p.EndDate) {
		return false
	}
	d, err1 := time.Parse(time.DateOnly, date)
	start, err2 := time.Parse(time.DateOnly, p.StartDate)
	if err1 != nil || err2 != nil || !slices.Contains(p.Weekdays, ISOWeekday(d)) {
		return false
	}
	weeks := int(mondayOf(d).Sub(mondayOf(start)).Hours()/24) / 7
	every := max(p.EveryWeeks, 1)
	return weeks%every == 0
}

// VisitPlanFields is the body of POST and PATCH /visit-plans (§12). A nil
// field was not sent.
type VisitPlanFields struct {
	TeamID      *int64          `json:"team_id"`
	CustomerID  *int64          `json:"customer_id"`
	Weekdays    *[]float64      `json:"weekdays"`
	EveryWeeks  *float64        `json:"every_weeks"`
	StartDate   *string         `json:"start_date"`
	EndDate     *string         `json:"end_date"`
	DurationMin *float64        `json:"duration_min"`
	Active      *bool           `json:"active"`
	Nulls       map[string]bool `json:"-"`
}

// SetNulls records the top-level fields the body sent as JSON null.
func (f *VisitPlanFields) SetNulls(nulls map[string]bool) { f.Nulls = nulls }

// NewVisitPlan returns the plan a POST body describes for principal p:
// EINVALID for bad fields, EFORBIDDEN when a member names another team.
// Whether the customer and team are of the database is the store's to
// check.
func (f *VisitPlanFields) NewVisitPlan(p Principal) (*VisitPlan, error) {
	plan := &VisitPlan{EveryWeeks: 1, DurationMin: DefaultVisitDuration, Active: true}
	var pr Problems
	switch {
	case f.CustomerID == nil:
		pr.Add("customer_id", "is required")
	case *f.CustomerID <= 0:
		pr.Add("customer_id", "must be the id of a customer of this database")
	default:
		plan.CustomerID = *f.CustomerID
	}
	if f.Weekdays == nil && !f.Nulls["weekdays"] {
		pr.Add("weekdays", "is required")
	}
	if f.StartDate == nil && !f.Nulls["start_date"] {
		pr.Add("start_date", "is required")
	}
	f.apply(plan, &pr, true)
	if err := pr.Err(); err != nil {
		return nil, err
	}
	team, err := p.TeamFor(plan.TeamID)
	if err != nil {
		return nil, err
	}
	plan.TeamID = team
	return plan, nil
}

// ApplyTo changes plan by a PATCH and reports whether anything changed:
// EINVALID for bad fields (customer_id cannot change), EFORBIDDEN when
// principal p, a member, names another team. On error plan is unchanged.
func (f *VisitPlanFields) ApplyTo(plan *VisitPlan, p Principal) (changed bool, err error) {
	var pr Problems
	if f.CustomerID != nil && *f.CustomerID != plan.CustomerID {
		pr.Add("customer_id", "cannot be changed; delete the plan and make one for the other customer")
	}
	next := *plan
	next.Weekdays = slices.Clone(plan.Weekdays)
	f.apply(&next, &pr, false)
	if err := pr.Err(); err != nil {
		return false, err
	}
	if next.TeamID != plan.TeamID {
		if _, err := p.TeamFor(next.TeamID); err != nil {
			return false, err
		}
	}
	changed = next.TeamID != plan.TeamID || !slices.Equal(next.Weekdays, plan.Weekdays) || next.EveryWeeks != plan.EveryWeeks ||
		next.StartDate != plan.StartDate || !sameDatePtr(next.EndDate, plan.EndDate) || next.DurationMin != plan.DurationMin ||
		next.Active != plan.Active
	*plan = next
	return changed, nil
}

func sameDatePtr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// apply checks and sets the fields POST and PATCH share. end_date may be
// null (no end); every other field may not.
func (f *VisitPlanFields) apply(plan *VisitPlan, pr *Problems, create bool) {
	for _, name := range sortedKeys(f.Nulls) {
		if name != "end_date" && !(create && name == "team_id") {
			pr.Add(name, "must not be null")
		}
	}
	if team := requestedTeam(pr, f.TeamID); team != 0 {
		plan.TeamID = team
	}
	if f.Weekdays != nil {
		plan.Weekdays = checkWeekdays(pr, *f.Weekdays)
	}
	if f.EveryWeeks != nil {
		n := *f.EveryWeeks
		if n != math.Trunc(n) || n < 1 || n > MaxEveryWeeks {
			pr.Add("every_weeks", "must be a whole number from 1 to "+itoa(MaxEveryWeeks))
		} else {
			plan.EveryWeeks = int(n)
		}
	}
	if f.StartDate != nil {
		if d, ok := ParseDate(CleanString(*f.StartDate)); ok {
			plan.StartDate = d
		} else {
			pr.Add("start_date", "must be a date as YYYY-MM-DD between "+MinDate+" and "+MaxDate)
		}
	}
	if f.Nulls["end_date"] {
		plan.EndDate = nil
	} else if f.EndDate != nil {
		if d, ok := ParseDate(CleanString(*f.EndDate)); ok {
			plan.EndDate = &d
		} else {
			pr.Add("end_date", "must be a date as YYYY-MM-DD between "+MinDate+" and "+MaxDate+", or null for no end")
		}
	}
	if plan.EndDate != nil && plan.StartDate != "" && *plan.EndDate < plan.StartDate && !pr.Has("start_date") && !pr.Has("end_date") {
		pr.Add("end_date", "must not be before start_date")
	}
	if f.DurationMin != nil {
		d := *f.DurationMin
		if d != math.Trunc(d) || d < MinVisitDuration || d > MaxVisitDuration {
			pr.Add("duration_min", "must be a whole number of minutes from "+itoa(MinVisitDuration)+" to "+itoa(MaxVisitDuration))
		} else {
			plan.DurationMin = int64(d)
		}
	}
	if f.Active != nil {
		plan.Active = *f.Active
	}
}

// checkWeekdays checks ISO weekday numbers: 1..7 of them, each 1 (Monday)
// to 7 (Sunday), distinct. It returns them sorted.
func checkWeekdays(pr *Problems, in []float64) []int {
	if len(in) == 0 || len(in) > 7 {
		pr.Add("weekdays", "must list 1 to 7 ISO weekdays, 1 (Monday) to 7 (Sunday)")
		return nil
	}
	out := make([]int, 0, len(in))
	for i, d := range in {
		switch {
		case d != math.Trunc(d) || d < 1 || d > 7:
			pr.Add("weekdays["+itoa(i)+"]", "must be an ISO weekday, 1 (Monday) to 7 (Sunday)")
		case slices.Contains(out, int(d)):
			pr.Add("weekdays["+itoa(i)+"]", "repeats weekday "+itoa(int(d)))
		default:
			out = append(out, int(d))
		}
	}
	slices.Sort(out)
	return out
}

// VisitPlanFilter selects visit plans to list (§12).
type VisitPlanFilter struct {
	ListParams
	// Teams is whose plans to list: the caller's scope, narrowed by the
	// list's team_id. The zero scope lists nothing.
	Teams      TeamScope
	CustomerID int64
	Active     *bool
}

// MaterializeFields is the body of POST /visit-plans/materialize (§12).
type MaterializeFields struct {
	DateFrom *string `json:"date_from"`
	DateTo   *string `json:"date_to"`
	TeamID   *int64  `json:"team_id"`
	Optimize *bool   `json:"optimize"`
}

// Check returns the range, the teams whose plans to materialise for
// principal p (an admin without team_id: every team) and whether to
// optimise: EINVALID for bad fields, a reversed range or one over
// MaxVisitRangeDays (naming date_to); EFORBIDDEN when a member names
// another team.
func (f *MaterializeFields) Check(p Principal) (from, to string, teams TeamScope, optimize bool, err error) {
	var pr Problems
	from = requiredDate(&pr, "date_from", f.DateFrom)
	to = requiredDate(&pr, "date_to", f.DateTo)
	if from != "" && to != "" {
		a, _ := time.Parse(time.DateOnly, from)
		b, _ := time.Parse(time.DateOnly, to)
		switch days := int(b.Sub(a).Hours()/24) + 1; {
		case days < 1:
			pr.Add("date_to", "must not be before date_from")
		case days > MaxVisitRangeDays:
			pr.Add("date_to", "must be at most "+itoa(MaxVisitRangeDays)+" days from date_from, both included")
		}
	}
	team := requestedTeam(&pr, f.TeamID)
	if err := pr.Err(); err != nil {
		return "", "", TeamScope{}, false, err
	}
	if teams, err = p.Teams().Narrow(team); err != nil {
		return "", "", TeamScope{}, false, err
	}
	return from, to, teams, f.Optimize != nil && *f.Optimize, nil
}

// Dates returns the days from..to, both included, as YYYY-MM-DD.
func Dates(from, to string) []string {
	a, err1 := time.Parse(time.DateOnly, from)
	b, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// MaterializedDay is one day of one team that got visits from its plans.
type MaterializedDay struct {
	Date    string `json:"date"`
	TeamID  int64  `json:"team_id"`
	Created int    `json:"created"`
}

// MaterializeResult answers POST /visit-plans/materialize.
type MaterializeResult struct {
	Created int               `json:"created"`
	Days    []MaterializedDay `json:"days"`
}
