package httpapi

import (
	"context"
	"net/http"

	"github.com/salesmania/salesmania"
)

// handleOrderCreate creates an order (§6).
func (s *Server) handleOrderCreate() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		if err := newParams(r).err(); err != nil {
			return err
		}
		var f salesmania.OrderFields
		nulls, err := decodeFields(r, &f)
		if err != nil {
			return err
		}
		f.SetNulls(nulls)
		o, err := f.NewOrder(p)
		if err != nil {
			return err
		}
		if err := s.store.CreateOrder(r.Context(), p.DBID, o); err != nil {
			return err
		}
		encode(w, http.StatusOK, o)
		return nil
	})
}

// handleOrderGet returns one order with its lines (§6.2); another team's
// order is not found to a member.
func (s *Server) handleOrderGet() http.Handler {
	return handleGet(s, "Order", func(ctx context.Context, p salesmania.Principal, id int64) (*salesmania.Order, error) {
		return s.store.FindOrder(ctx, p.DBID, p.Teams(), id)
	})
}

// handleOrderUpdate changes an order (§6.2).
func (s *Server) handleOrderUpdate() http.Handler {
	return handleUpdate(s, "Order", func(ctx context.Context, p salesmania.Principal, id int64, f *salesmania.OrderFields) (*salesmania.Order, error) {
		return s.store.UpdateOrder(ctx, p.DBID, p.Teams(), id, f)
	})
}

// handleOrderList lists orders (§6.2). A member sees its own team's only.
func (s *Server) handleOrderList() http.Handler {
	return s.withPrincipal(func(w http.ResponseWriter, r *http.Request, p salesmania.Principal) error {
		q := newParams(r, "limit", "cursor", "include_total", "updated_since", "date_from", "date_to", "status", "customer_id", "team_id", "ext_order_no")
		f := salesmania.OrderFilter{
			ListParams: q.list(),
			DateFrom:   q.date("date_from"),
			DateTo:     q.date("date_to"),
			Status:     q.one("status"),
			CustomerID: q.id("customer_id"),
			ExtOrderNo: q.string("ext_order_no", 100),
		}
		team := q.id("team_id")
		if f.Status != "" && !salesmania.ValidOrderStatus(f.Status) {
			q.p.Add("status", "must be one of Baru, Diproses, Terkirim, Lunas, Batal")
		}
		if f.DateFrom != "" && f.DateTo != "" && f.DateTo < f.DateFrom {
			q.p.Add("date_to", "must not be before date_from")
		}
		if err := q.err(); err != nil {
			return err
		}
		var err error
		if f.Teams, err = p.Teams().Narrow(team); err != nil {
			return err
		}
		page, err := s.store.ListOrders(r.Context(), p.DBID, f)
		if err != nil {
			return err
		}
		encode(w, http.StatusOK, page)
		return nil
	})
}
