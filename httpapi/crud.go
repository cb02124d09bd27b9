package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/salesmania/salesmania"
)

// The handlers below serve the create, read, update, delete and tombstone
// endpoints that customers and products share; each resource supplies its
// domain and store functions.

// withPrincipal adapts a handler that needs the caller of an AuthTeam route.
func (s *Server) withPrincipal(h func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := principal(r)
		if err == nil {
			err = h(w, r, p)
		}
		if err != nil {
			s.error(w, r, err)
		}
	})
}

// fields is a POST/PATCH body type that records which fields were null.
type fields interface{ SetNulls(map[string]bool) }

// handleCreate decodes a body of type F, builds the new row with newRow and
// stores it with create.
func handleCreate[F any, PF interface {
	*F
	fields
}, T any](s *Server, newRow func(PF) (*T, error), create func(ctx context.Context, dbID int64, row *T) error) http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		f := PF(new(F))
		nulls, err := decodeFields(r, f)
		if err != nil {
			return err
		}
		f.SetNulls(nulls)
		row, err := newRow(f)
		if err != nil {
			return err
		}
		if err := create(r.Context(), p.DBID, row); err != nil {
			return err
		}
		encode(w, http.StatusOK, row)
		return nil
	})
}

// handleUpdate decodes a PATCH body of type F and applies it with update.
// The handlers of a row by id give the store method the principal: its
// database, and for team-owned rows its TeamScope.
func handleUpdate[F any, PF interface {
	*F
	fields
}, T any](s *Server, what string, update func(ctx context.Context, p salesmania.Principal, id int64, f PF) (*T, error)) http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		id, err := pathID(r, what)
		if err != nil {
			return err
		}
		if err := newParams(r).err(); err != nil {
			return err
		}
		f := PF(new(F))
		nulls, err := decodeFields(r, f)
		if err != nil {
			return err
		}
		f.SetNulls(nulls)
		row, err := update(r.Context(), p, id, f)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, row)
		return nil
	})
}

// handleGet returns the row with the path's id.
func handleGet[T any](s *Server, what string, find func(ctx context.Context, p salesmania.Principal, id int64) (*T, error)) http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		id, err := pathID(r, what)
		if err != nil {
			return err
		}
		if err := newParams(r).err(); err != nil {
			return err
		}
		row, err := find(r.Context(), p, id)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, row)
		return nil
	})
}

// handleDelete deletes the row with the path's id and answers {}.
func (s *Server) handleDelete(what string, del func(ctx context.Context, p salesmania.Principal, id int64) error) http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		id, err := pathID(r, what)
		if err != nil {
			return err
		}
		if err := newParams(r).err(); err != nil {
			return err
		}
		if err := del(r.Context(), p, id); err != nil {
			return err
		}
		encode(w, http.StatusOK, struct{}{})
		return nil
	})
}

// handleDeletedList lists tombstones: GET …/deleted?since= (§1.3).
func (s *Server) handleDeletedList(list func(ctx context.Context, dbID int64, since time.Time, lp salesmania.ListParams) (*salesmania.Page[salesmania.Tombstone], error)) http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		q := newParams(r, "since", "limit", "cursor", "include_total")
		lp := q.list()
		var since time.Time
		if t := q.time("since"); t != nil {
			since = *t
		}
		if err := q.err(); err != nil {
			return err
		}
		page, err := list(r.Context(), p.DBID, since, lp)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, page)
		return nil
	})
}
