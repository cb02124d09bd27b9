package httpapi

import (
	"net/http"

	"github.com/salesmania/salesmania"
)

// handleSettingsGet returns the database's settings (§10.1) to any member.
func (s *Server) handleSettingsGet() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		set, err := s.store.FindSettings(r.Context(), p.DBID)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, set)
		return nil
	})
}

// handleSettingsUpdate changes the database's settings; only an admin may.
func (s *Server) handleSettingsUpdate() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		if err := p.RequireAdmin("changes its settings"); err != nil {
			return err
		}
		var f salesmania.SettingsFields
		nulls, err := decodeFields(r, &f)
		if err != nil {
			return err
		}
		f.SetNulls(nulls)
		set, err := s.store.UpdateSettings(r.Context(), p.DBID, &f)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, set)
		return nil
	})
}
