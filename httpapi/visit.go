package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/salesmania/salesmania"
)

// handleVisitCreate appends a visit to a team's route for a date (§5).
func (s *Server) handleVisitCreate() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		var in salesmania.VisitCreate
		if err := decode(r, &in); err != nil {
			return err
		}
		v, err := in.NewVisit(p)
		if err != nil {
			return err
		}
		if err := s.store.AppendVisit(r.Context(), p.DBID, v); err != nil {
			return err
		}
		encode(w, http.StatusOK, v)
		return nil
	})
}

// handleVisitList lists visits (§5): one date or a range of at most 92
// days, a team, a customer. A member sees its own team's visits only.
func (s *Server) handleVisitList() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		q := newParams(r, "limit", "cursor", "include_total", "updated_since", "date", "date_from", "date_to", "team_id", "customer_id")
		f := salesmania.VisitFilter{
			ListParams: q.list(),
			Date:       q.date("date"),
			DateFrom:   q.date("date_from"),
			DateTo:     q.date("date_to"),
			CustomerID: q.id("customer_id"),
		}
		team := q.id("team_id")
		if len(q.p.Fields) == 0 {
			checkDateRange(q, f.Date, f.DateFrom, f.DateTo)
		}
		if err := q.err(); err != nil {
			return err
		}
		var err error
		if f.Teams, err = p.Teams().Narrow(team); err != nil {
			return err
		}
		page, err := s.store.ListVisits(r.Context(), p.DBID, f)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, page)
		return nil
	})
}

// checkDateRange enforces §5 and §9: either date, or both date_from and
// date_to, in order, at most MaxVisitRangeDays days in all.
func checkDateRange(q *params, date, from, to string) {
	switch {
	case date != "" && (from != "" || to != ""):
		q.p.Add("date", "give either date or date_from and date_to, not both")
	case (from == "") != (to == ""):
		if from == "" {
			q.p.Add("date_from", "is required with date_to")
		} else {
			q.p.Add("date_to", "is required with date_from")
		}
	case from != "":
		f, _ := time.Parse(time.DateOnly, from)
		t, _ := time.Parse(time.DateOnly, to)
		if t.Before(f) {
			q.p.Add("date_to", "must not be before date_from")
		} else if days := int(t.Sub(f).Hours()/24) + 1; days > salesmania.MaxVisitRangeDays {
			q.p.Add("date_to", "must be at most 92 days from date_from, both included")
		}
	}
}

// handleVisitGet returns one visit (§10); another team's visit is not found
// to a member.
func (s *Server) handleVisitGet() http.Handler {
	return handleGet(s, "Visit", func(ctx context.Context, p salesmania.Principal, id int64) (*salesmania.Visit, error) {
		return s.store.FindVisit(ctx, p.DBID, p.Teams(), id)
	})
}

// handleVisitUpdate changes a visit's notes, outcome, planned minutes,
// status (planned or skipped) or date (§10).
func (s *Server) handleVisitUpdate() http.Handler {
	return handleUpdate(s, "Visit", func(ctx context.Context, p salesmania.Principal, id int64, f *salesmania.VisitFields) (*salesmania.Visit, error) {
		return s.store.UpdateVisit(ctx, p.DBID, p.Teams(), id, f)
	})
}

// handleVisitDelete deletes a planned or skipped visit (§10).
func (s *Server) handleVisitDelete() http.Handler {
	return s.handleDelete("Visit", func(ctx context.Context, p salesmania.Principal, id int64) error {
		return s.store.DeleteVisit(ctx, p.DBID, p.Teams(), id)
	})
}

// handleVisitCheckIn records that the salesman arrived, with the device's
// position (§10).
func (s *Server) handleVisitCheckIn() http.Handler {
	return s.handleVisitCheck(func(ctx context.Context, p salesmania.Principal, id int64, f *salesmania.CheckFields) (*salesmania.Visit, error) {
		c, err := f.NewCheckIn(s.now())
		if err != nil {
			return nil, err
		}
		return s.store.CheckInVisit(ctx, p.DBID, p.Teams(), id, c)
	})
}

// handleVisitCheckOut records that the visit is done, with a position when
// the device has one, and its outcome and notes (§10).
func (s *Server) handleVisitCheckOut() http.Handler {
	return s.handleVisitCheck(func(ctx context.Context, p salesmania.Principal, id int64, f *salesmania.CheckFields) (*salesmania.Visit, error) {
		c, err := f.NewCheckOut(s.now())
		if err != nil {
			return nil, err
		}
		return s.store.CheckOutVisit(ctx, p.DBID, p.Teams(), id, c, f)
	})
}

// handleVisitCheck is a POST on a visit by id with a CheckFields body: the
// visit must exist for the caller before its body is judged, so another
// team's or database's visit is 404 whatever the body.
func (s *Server) handleVisitCheck(record func(ctx context.Context, p salesmania.Principal, id int64, f *salesmania.CheckFields) (*salesmania.Visit, error)) http.Handler {
	return handleUpdate(s, "Visit", func(ctx context.Context, p salesmania.Principal, id int64, f *salesmania.CheckFields) (*salesmania.Visit, error) {
		if _, err := s.store.FindVisit(ctx, p.DBID, p.Teams(), id); err != nil {
			return nil, err
		}
		return record(ctx, p, id, f)
	})
}

// handleVisitSequence sets the order of a team's day at once (§10).
func (s *Server) handleVisitSequence() http.Handler {
	type response struct {
		Data []salesmania.Visit `json:"data"`
	}
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		var f salesmania.SequenceFields
		if err := decode(r, &f); err != nil {
			return err
		}
		date, team, ids, err := f.Check(p)
		if err != nil {
			return err
		}
		day, err := s.store.ReorderDay(r.Context(), p.DBID, team, date, func([]salesmania.Visit) ([]int64, error) { return ids, nil })
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, response{Data: day})
		return nil
	})
}

// handleVisitOptimize proposes, and with apply stores, the shortest order
// of a team's day (§11).
func (s *Server) handleVisitOptimize() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		var f salesmania.OptimizeFields
		if err := decode(r, &f); err != nil {
			return err
		}
		req, err := f.Check(p)
		if err != nil {
			return err
		}
		res, err := s.optimize(r.Context(), p.DBID, req)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, res)
		return nil
	})
}

// optimize answers an optimisation (salesmania.OptimizeTeamDay).
func (s *Server) optimize(ctx context.Context, dbID int64, req *salesmania.OptimizeRequest) (*salesmania.OptimizeResult, error) {
	return salesmania.OptimizeTeamDay(ctx, s.store, dbID, req)
}

// optimizeDay optimises and stores the order of a day that plans filled
// (§12 materialize with optimize): no start or end, the default speed and
// departure. A day over the limit is left as it is.
func (s *Server) optimizeDay(ctx context.Context, dbID, team int64, date string) error {
	_, err := s.optimize(ctx, dbID, &salesmania.OptimizeRequest{Date: date, TeamID: team, Apply: true,
		DepartAt: 8 * 3600, SpeedKmh: salesmania.DefaultSpeedKmh})
	if salesmania.ErrorCode(err) == salesmania.EINVALID {
		return nil
	}
	return err
}
