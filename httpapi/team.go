package httpapi

import (
	"net/http"

	"github.com/salesmania/salesmania"
)

// handleTeamList lists the teams of the team token's database (§7).
func (s *Server) handleTeamList() http.Handler {
	type response struct {
		Data []salesmania.Team `json:"data"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := principal(r)
		if err == nil {
			err = newParams(r).err()
		}
		if err != nil {
			s.error(w, r, err)
			return
		}
		teams, err := s.store.ListTeams(r.Context(), p.DBID)
		if err != nil {
			s.error(w, r, err)
			return
		}
		encode(w, http.StatusOK, response{Data: teams})
	})
}
