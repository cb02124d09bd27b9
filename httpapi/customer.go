package httpapi

import (
	"net/http"
	"time"

	"github.com/salesmania/salesmania"
)

// handleCustomerList lists customers (§3, §1.3).
func (s *Server) handleCustomerList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := principal(r)
		if err != nil {
			s.error(w, r, err)
			return
		}
		q := newParams(r, "limit", "cursor", "include_total", "updated_since", "q", "status", "tag", "ext_cust_no")
		f := salesmania.CustomerFilter{
			ListParams: q.list(),
			Q:          q.string("q", 200),
			Status:     q.bool("status"),
			Tag:        q.string("tag", salesmania.MaxTagLength),
			ExtCustNo:  q.string("ext_cust_no", 100),
		}
		if err := q.err(); err != nil {
			s.error(w, r, err)
			return
		}
		page, err := s.store.ListCustomers(r.Context(), p.DBID, f)
		if err != nil {
			s.error(w, r, err)
			return
		}
		encode(w, http.StatusOK, page)
	})
}

// handleCustomerCreate creates a customer (§3).
func (s *Server) handleCustomerCreate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := principal(r)
		if err != nil {
			s.error(w, r, err)
			return
		}
		var f salesmania.CustomerFields
		if f.Nulls, err = decodeFields(r, &f); err != nil {
			s.error(w, r, err)
			return
		}
		c, err := f.NewCustomer()
		if err != nil {
			s.error(w, r, err)
			return
		}
		if err := s.store.CreateCustomer(r.Context(), p.DBID, c); err != nil {
			s.error(w, r, err)
			return
		}
		encode(w, http.StatusOK, c)
	})
}

// handleCustomerGet returns one customer (§3).
func (s *Server) handleCustomerGet() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := principal(r)
		if err != nil {
			s.error(w, r, err)
			return
		}
		id, err := pathID(r, "Customer")
		if err == nil {
			err = newParams(r).err()
		}
		if err != nil {
			s.error(w, r, err)
			return
		}
		c, err := s.store.FindCustomer(r.Context(), p.DBID, id)
		if err != nil {
			s.error(w, r, err)
			return
		}
		encode(w, http.StatusOK, c)
	})
}

// handleCustomerUpdate changes the fields sent (§3).
func (s *Server) handleCustomerUpdate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := principal(r)
		if err != nil {
			s.error(w, r, err)
			return
		}
		id, err := pathID(r, "Customer")
		if err != nil {
			s.error(w, r, err)
			return
		}
		var f salesmania.CustomerFields
		if f.Nulls, err = decodeFields(r, &f); err != nil {
			s.error(w, r, err)
			return
		}
		c, err := s.store.UpdateCustomer(r.Context(), p.DBID, id, &f)
		if err != nil {
			s.error(w, r, err)
			return
		}
		encode(w, http.StatusOK, c)
	})
}

// handleCustomerDelete deletes a customer (§3).
func (s *Server) handleCustomerDelete() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := principal(r)
		if err != nil {
			s.error(w, r, err)
			return
		}
		id, err := pathID(r, "Customer")
		if err != nil {
			s.error(w, r, err)
			return
		}
		if err := s.store.DeleteCustomer(r.Context(), p.DBID, id); err != nil {
			s.error(w, r, err)
			return
		}
		encode(w, http.StatusOK, struct{}{})
	})
}

// handleCustomerDeleted lists tombstones of deleted customers (§1.3).
func (s *Server) handleCustomerDeleted() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := principal(r)
		if err != nil {
			s.error(w, r, err)
			return
		}
		q := newParams(r, "since", "limit", "cursor", "include_total")
		lp := q.list()
		var since time.Time
		if t := q.time("since"); t != nil {
			since = *t
		}
		if err := q.err(); err != nil {
			s.error(w, r, err)
			return
		}
		page, err := s.store.ListDeletedCustomers(r.Context(), p.DBID, since, lp)
		if err != nil {
			s.error(w, r, err)
			return
		}
		encode(w, http.StatusOK, page)
	})
}
