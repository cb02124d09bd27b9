package httpapi

import (
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
