package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/salesmania/salesmania"
)

const plansPath = "/extapi/v1.1/visit-plans"

// VisitPlanService calls the endpoints of visit plans, the call cycles
// that repeat a customer's visit on weekdays (§12), and materialises them
// into visits. Get it as Client.VisitPlans. A member sees and plans for its
// own team only.
type VisitPlanService struct{ c *Client }

// VisitPlanListOptions filter and page the plan list. Zero fields do not
// filter.
type VisitPlanListOptions struct {
	// TeamID keeps one team's plans; a member may name only its own.
	TeamID int64
	// CustomerID keeps the plans of one customer.
	CustomerID int64
	// Active keeps active (true) or deactivated (false) plans.
	Active *bool
	// UpdatedSince keeps plans changed after it and orders the list by
	// (updated_at, id) instead of by id.
	UpdatedSince *time.Time
	Limit        int
	Cursor       string
	IncludeTotal bool
}

func (o *VisitPlanListOptions) values() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	setID(q, "team_id", o.TeamID)
	setID(q, "customer_id", o.CustomerID)
	setBool(q, "active", o.Active)
	if o.UpdatedSince != nil {
		setTime(q, "updated_since", *o.UpdatedSince)
	}
	setPaging(q, o.Limit, o.Cursor, o.IncludeTotal)
	return q
}

// List returns one page of visit plans (GET /extapi/v1.1/visit-plans);
// opts may be nil.
func (s *VisitPlanService) List(ctx context.Context, opts *VisitPlanListOptions) (*salesmania.Page[salesmania.VisitPlan], error) {
	return get[salesmania.Page[salesmania.VisitPlan]](ctx, s.c, plansPath, opts.values())
}

// All returns an iterator over every plan matching opts, from opts.Cursor
// on. It ignores opts.IncludeTotal. On an error it yields the error once and
// stops.
func (s *VisitPlanService) All(ctx context.Context, opts *VisitPlanListOptions) iter.Seq2[salesmania.VisitPlan, error] {
	o := VisitPlanListOptions{}
	if opts != nil {
		o = *opts
	}
	o.IncludeTotal = false
	return pages(func(cursor string) (*salesmania.Page[salesmania.VisitPlan], error) {
		o.Cursor = cursor
		return s.List(ctx, &o)
	}, o.Cursor)
}

// Get returns one plan; a 404 *Error if there is none with that id in the
// database (or, for a member, in its team).
func (s *VisitPlanService) Get(ctx context.Context, id int64) (*salesmania.VisitPlan, error) {
	return get[salesmania.VisitPlan](ctx, s.c, idPath(plansPath, id), nil)
}

// Create makes a plan from the fields set in f and returns it. CustomerID,
// Weekdays (ISO numbers, 1 for Monday to 7 for Sunday, each once) and
// StartDate are required; EveryWeeks (1 to 8) defaults to 1, DurationMin to
// 15, and TeamID to the client's own team. A 422 *Error names every bad
// field, and a customer or team that is not of the database; a 403 means a
// member named another team.
func (s *VisitPlanService) Create(ctx context.Context, f *salesmania.VisitPlanFields) (*salesmania.VisitPlan, error) {
	return write[salesmania.VisitPlan](ctx, s.c, http.MethodPost, plansPath, f, planNulls(f))
}

// Update changes the fields set in f (f.Nulls["end_date"] removes the end
// date) and returns the plan. Active false stops materialising the plan
// and keeps the visits made from it. The customer cannot change (a 422
// *Error names customer_id); 404, 422 and 403 as for Get and Create.
func (s *VisitPlanService) Update(ctx context.Context, id int64, f *salesmania.VisitPlanFields) (*salesmania.VisitPlan, error) {
	return write[salesmania.VisitPlan](ctx, s.c, http.MethodPatch, idPath(plansPath, id), f, planNulls(f))
}

// Delete deletes a plan; the visits made from it stay.
func (s *VisitPlanService) Delete(ctx context.Context, id int64) error {
	return remove(ctx, s.c, idPath(plansPath, id))
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
	return write[salesmania.MaterializeResult](ctx, s.c, http.MethodPost, plansPath+"/materialize", f, nil)
}

func planNulls(f *salesmania.VisitPlanFields) map[string]bool {
	if f == nil {
		return nil
	}
	return f.Nulls
}
