package client

import (
	"context"
	"net/http"
	"time"

	"github.com/salesmania/salesmania"
)

const plansPath = "/extapi/v1.1/visit-plans"

// VisitPlanService calls the endpoints of visit plans, the call cycles
// that repeat a customer's visit on weekdays (§12), and materialises them
// into visits. Get it as Client.VisitPlans. A member sees and plans for its
// own team only.
//
// Create needs CustomerID, Weekdays (ISO numbers, 1 for Monday to 7 for
// Sunday, each once) and StartDate; EveryWeeks (1 to 8) defaults to 1,
// DurationMin to 15, and TeamID to the client's own team. Its 422 *Error
// names every bad field, and a customer or team that is not of the
// database. Update's f.Nulls["end_date"] removes the end date; Active false
// stops materialising the plan and keeps the visits made from it; the
// customer cannot change (a 422 *Error names customer_id). Delete deletes
// a plan; the visits made from it stay.
type VisitPlanService struct {
	resource[salesmania.VisitPlan, salesmania.VisitPlanFields, *VisitPlanListOptions]
	creator[salesmania.VisitPlan, salesmania.VisitPlanFields]
	deleter
	c *Client
}

// VisitPlanListOptions filter and page the plan list. Zero fields do not
// filter.
type VisitPlanListOptions struct {
	// TeamID keeps one team's plans; a member may name only its own.
	TeamID int64 `query:"team_id"`
	// CustomerID keeps the plans of one customer.
	CustomerID int64 `query:"customer_id"`
	// Active keeps active (true) or deactivated (false) plans.
	Active *bool `query:"active"`
	// UpdatedSince keeps plans changed after it and orders the list by
	// (updated_at, id) instead of by id.
	UpdatedSince *time.Time `query:"updated_since"`
	Limit        int        `query:"limit"`
	Cursor       string     `query:"cursor"`
	IncludeTotal bool       `query:"include_total"`
}

// Materialize makes a visit for every occurrence of every active plan (of
// f.TeamID, or the client's team; an admin without TeamID: every team) from
// f.DateFrom to f.DateTo, both included, that was never materialised
// before, appended after each day's visits in plan id order; with
// f.Optimize each day that got visits is optimised and stored (§11).
// Calling it again, or for overlapping ranges at once, makes no visit twice.
// It answers how many visits it made, by day and team. A 422 *Error names
// date_to for a reversed range or one of over 92 days.
func (s *VisitPlanService) Materialize(ctx context.Context, f *salesmania.MaterializeFields) (*salesmania.MaterializeResult, error) {
	return write[salesmania.MaterializeResult](ctx, s.c, http.MethodPost, plansPath+"/materialize", f)
}
