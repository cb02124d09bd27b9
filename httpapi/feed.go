package httpapi

import (
	"net/http"
	"strconv"

	"github.com/salesmania/salesmania"
)

// handleChanges serves the change feed (§14): a member sees customers and
// products, and only its own team's visits, visit plans and orders.
func (s *Server) handleChanges() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		q := newParams(r, "after", "limit")
		f := salesmania.FeedFilter{Limit: salesmania.DefaultFeedLimit, After: salesmania.FeedPosition{DBID: p.DBID}, Teams: p.Teams()}
		if v := q.one("after"); v != "" {
			pos, err := salesmania.ParseFeedPosition(v, p.DBID)
			if err != nil {
				q.p.Fields = append(q.p.Fields, err.(*salesmania.Error).Fields...)
			}
			f.After = pos
		}
		if v := q.one("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > salesmania.MaxFeedLimit {
				q.p.Add("limit", "must be an integer from 1 to "+strconv.Itoa(salesmania.MaxFeedLimit))
			} else {
				f.Limit = n
			}
		}
		if err := q.err(); err != nil {
			return err
		}
		page, err := s.store.ListChanges(r.Context(), p.DBID, f)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, page)
		return nil
	})
}
