package httpapi

import (
	"context"
	"net/http"

	"github.com/salesmania/salesmania"
)

// handlePlanList lists visit plans (§12); a member sees its own team's.
func (s *Server) handlePlanList() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		q := newParams(r, "limit", "cursor", "include_total", "updated_since", "team_id", "customer_id", "active")
		f := salesmania.VisitPlanFilter{ListParams: q.list(), CustomerID: q.id("customer_id"), Active: q.bool("active")}
		team := q.id("team_id")
		if err := q.err(); err != nil {
			return err
		}
		var err error
		if f.Teams, err = p.Teams().Narrow(team); err != nil {
			return err
		}
		page, err := s.store.ListVisitPlans(r.Context(), p.DBID, f)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, page)
		return nil
	})
}

// handlePlanCreate stores a new visit plan (§12).
func (s *Server) handlePlanCreate() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		var f salesmania.VisitPlanFields
		nulls, err := decodeFields(r, &f)
		if err != nil {
			return err
		}
		f.SetNulls(nulls)
		plan, err := f.NewVisitPlan(p)
		if err != nil {
			return err
		}
		if err := s.store.CreateVisitPlan(r.Context(), p.DBID, plan); err != nil {
			return err
		}
		encode(w, http.StatusOK, plan)
		return nil
	})
}

// handlePlanGet returns one visit plan.
func (s *Server) handlePlanGet() http.Handler {
	return handleGet(s, "Visit plan", func(ctx context.Context, p salesmania.Principal, id int64) (*salesmania.VisitPlan, error) {
		return s.store.FindVisitPlan(ctx, p.DBID, p.Teams(), id)
	})
}

// handlePlanUpdate changes a visit plan.
func (s *Server) handlePlanUpdate() http.Handler {
	return handleUpdate(s, "Visit plan", func(ctx context.Context, p salesmania.Principal, id int64, f *salesmania.VisitPlanFields) (*salesmania.VisitPlan, error) {
		return s.store.UpdateVisitPlan(ctx, p.DBID, p, id, f)
	})
}

// handlePlanDelete deletes a visit plan; its visits stay.
func (s *Server) handlePlanDelete() http.Handler {
	return s.handleDelete("Visit plan", func(ctx context.Context, p salesmania.Principal, id int64) error {
		return s.store.DeleteVisitPlan(ctx, p.DBID, p.Teams(), id)
	})
}

// handlePlanMaterialize turns the plans' occurrences in a range of days
// into visits (§12), and optimises each day that got some when asked.
func (s *Server) handlePlanMaterialize() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		var f salesmania.MaterializeFields
		if err := decode(r, &f); err != nil {
			return err
		}
		from, to, teams, optimize, err := f.Check(p)
		if err != nil {
			return err
		}
		res, err := s.store.MaterializeVisitPlans(r.Context(), p.DBID, teams, from, to)
		if err != nil {
			return err
		}
		if optimize {
			for _, d := range res.Days {
				if err := s.optimizeDay(r.Context(), p.DBID, d.TeamID, d.Date); err != nil {
					return err
				}
			}
		}
		encode(w, http.StatusOK, res)
		return nil
	})
}
