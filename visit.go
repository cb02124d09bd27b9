package salesmania

import (
	"time"
)

// The statuses of a visit (§10). A visit moves planned → checked_in → done,
// or planned → skipped and back; done is final.
const (
	VisitPlanned   = "planned"
	VisitCheckedIn = "checked_in"
	VisitDone      = "done"
	VisitSkipped   = "skipped"
)

// VisitStatusPlanned is the status of a new visit (§9).
const VisitStatusPlanned = VisitPlanned

// DefaultVisitDuration is the planned minutes at a customer of a new visit.
const DefaultVisitDuration = 15

// Visit is a planned call of a team on a customer on a date (§5), and what
// happened there (§10). The visits of one team on one date form its route
// for the day, in Seq order: their seqs are exactly 1..n.
type Visit struct {
	ID          int64         `json:"id"`
	DBID        int64         `json:"-"`
	Date        string        `json:"date"`
	CustomerID  int64         `json:"customer_id"`
	TeamID      int64         `json:"team_id"`
	Seq         int64         `json:"seq"`
	Status      string        `json:"status"`
	PlanID      *int64        `json:"plan_id"`
	Notes       string        `json:"notes"`
	Outcome     string        `json:"outcome"`
	DurationMin int64         `json:"duration_min"`
	CheckIn     *VisitCheck   `json:"check_in"`
	CheckOut    *VisitCheck   `json:"check_out"`
	Customer    VisitCustomer `json:"customer"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// VisitCustomer is the summary of the visited customer embedded in a visit,
// so a phone can draw the day's route from the visit list alone.
type VisitCustomer struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	Address  string    `json:"address"`
	City     string    `json:"city"`
	Location *Location `json:"location"`
}

// VisitCreate is the body of POST /visits (§5). A team_id of 0 or null, like
// an omitted one, means the team of the team token: the published example
// body sends 0 there.
type VisitCreate struct {
	Date       *string `json:"date"`
	CustomerID *int64  `json:"customer_id"`
	TeamID     *int64  `json:"team_id"`
}

// NewVisit checks the body and returns the visit to append for principal p:
// EINVALID for bad fields, EFORBIDDEN when a member names another team.
// Whether the customer and team exist is the store's to check.
func (in *VisitCreate) NewVisit(p Principal) (*Visit, error) {
	var pr Problems
	v := &Visit{Status: VisitPlanned, DurationMin: DefaultVisitDuration}
	v.Date = requiredDate(&pr, "date", in.Date)
	switch {
	case in.CustomerID == nil:
		pr.Add("customer_id", "is required")
	case *in.CustomerID <= 0:
		pr.Add("customer_id", "must be the id of a customer of this database")
	default:
		v.CustomerID = *in.CustomerID
	}
	v.TeamID = requestedTeam(&pr, in.TeamID)
	if err := pr.Err(); err != nil {
		return nil, err
	}
	team, err := p.TeamFor(v.TeamID)
	if err != nil {
		return nil, err
	}
	v.TeamID = team
	return v, nil
}

// requiredDate checks a required YYYY-MM-DD field and returns it, "" with
// a problem added when it is missing or bad.
func requiredDate(p *Problems, field string, in *string) string {
	if in == nil {
		p.Add(field, "is required")
		return ""
	}
	d, ok := ParseDate(CleanString(*in))
	if !ok {
		p.Add(field, "must be a date as YYYY-MM-DD")
	}
	return d
}

// requestedTeam reads an optional team_id of a body: omitted, null and 0
// mean the team of the team token (returned as 0, for Principal.TeamFor);
// below 0 is a problem.
func requestedTeam(p *Problems, in *int64) int64 {
	if in == nil {
		return 0
	}
	if *in < 0 {
		p.Add("team_id", "must be the id of a team of this database")
	}
	return *in
}

// ErrOtherTeam is returned when a member acts for a team not its own.
var ErrOtherTeam = &Error{Code: EFORBIDDEN, Message: "A member may only act for its own team; only an admin may name another team_id."}

// MinDate and MaxDate bound the dates the API takes.
const (
	MinDate = "1900-01-01"
	MaxDate = "2999-12-31"
)

// ParseDate checks a YYYY-MM-DD calendar date between MinDate and MaxDate
// and returns it in that form.
func ParseDate(s string) (string, bool) {
	if len(s) != 10 {
		return "", false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || s < MinDate || s > MaxDate {
		return "", false
	}
	return t.Format(time.DateOnly), true
}

// MaxVisitRangeDays is the longest date_from..date_to range of a visit
// list, both ends included (§5).
const MaxVisitRangeDays = 92

// VisitFilter selects visits to list. Without UpdatedSince the list is
// ordered by (date, team_id, seq).
type VisitFilter struct {
	ListParams
	// Teams is whose visits to list: the caller's scope, narrowed by the
	// list's team_id (TeamScope.Narrow). The zero scope lists nothing.
	Teams      TeamScope
	Date       string // one day; or
	DateFrom   string // a range, both ends included
	DateTo     string
	CustomerID int64
}
