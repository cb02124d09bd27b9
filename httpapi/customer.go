package httpapi

import (
	"context"
	"net/http"

	"github.com/salesmania/salesmania"
)

// handleCustomerList lists customers (§3, §1.3).
func (s *Server) handleCustomerList() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		q := newParams(r, "limit", "cursor", "include_total", "updated_since", "q", "status", "tag", "ext_cust_no")
		f := salesmania.CustomerFilter{
			ListParams: q.list(),
			Q:          q.string("q", 200),
			Status:     q.bool("status"),
			Tag:        q.string("tag", salesmania.MaxTagLength),
			ExtCustNo:  q.string("ext_cust_no", 100),
		}
		if err := q.err(); err != nil {
			return err
		}
		page, err := s.store.ListCustomers(r.Context(), p.DBID, f)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, page)
		return nil
	})
}

func (s *Server) handleCustomerCreate() http.Handler {
	return handleCreate(s, (*salesmania.CustomerFields).NewCustomer, s.store.CreateCustomer)
}

func (s *Server) handleCustomerGet() http.Handler {
	return handleGet(s, "Customer", func(ctx context.Context, p salesmania.Principal, id int64) (*salesmania.Customer, error) {
		return s.store.FindCustomer(ctx, p.DBID, id)
	})
}

func (s *Server) handleCustomerUpdate() http.Handler {
	return handleUpdate(s, "Customer", func(ctx context.Context, p salesmania.Principal, id int64, f *salesmania.CustomerFields) (*salesmania.Customer, error) {
		return s.store.UpdateCustomer(ctx, p.DBID, id, f)
	})
}

func (s *Server) handleCustomerDelete() http.Handler {
	return s.handleDelete("Customer", func(ctx context.Context, p salesmania.Principal, id int64) error {
		return s.store.DeleteCustomer(ctx, p.DBID, id)
	})
}

func (s *Server) handleCustomerDeleted() http.Handler {
	return s.handleDeletedList(s.store.ListDeletedCustomers)
}
