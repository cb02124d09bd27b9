package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/salesmania/salesmania"
)

const ordersPath = "/extapi/v1.0/orders"

// OrderService calls the order endpoints (§6). Get it as Client.Orders.
type OrderService struct{ c *Client }

// OrderListOptions filter and page the order list. Zero fields do not
// filter. A member sees its own team's orders only.
type OrderListOptions struct {
	// DateFrom and DateTo keep orders dated in that range, YYYY-MM-DD, both
	// included; either may be given alone.
	DateFrom string
	DateTo   string
	// Status keeps orders in one status: salesmania.OrderBaru, …
	Status string
	// CustomerID keeps the orders of one customer.
	CustomerID int64
	// TeamID keeps one team's orders; a member may name only its own.
	TeamID int64
	// ExtOrderNo keeps the order with this ERP order number (exact).
	ExtOrderNo string
	// UpdatedSince keeps orders changed after it and orders the list by
	// (updated_at, id), for delta sync.
	UpdatedSince *time.Time
	Limit        int
	Cursor       string
	IncludeTotal bool
}

func (o *OrderListOptions) values() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	setString(q, "date_from", o.DateFrom)
	setString(q, "date_to", o.DateTo)
	setString(q, "status", o.Status)
	setID(q, "customer_id", o.CustomerID)
	setID(q, "team_id", o.TeamID)
	setString(q, "ext_order_no", o.ExtOrderNo)
	if o.UpdatedSince != nil {
		setTime(q, "updated_since", *o.UpdatedSince)
	}
	setPaging(q, o.Limit, o.Cursor, o.IncludeTotal)
	return q
}

// List returns one page of orders with their lines (GET
// /extapi/v1.0/orders); opts may be nil.
func (s *OrderService) List(ctx context.Context, opts *OrderListOptions) (*salesmania.Page[salesmania.Order], error) {
	return get[salesmania.Page[salesmania.Order]](ctx, s.c, ordersPath, opts.values())
}

// All returns an iterator over every order matching opts, from opts.Cursor
// on. It ignores opts.IncludeTotal. On an error it yields the error once and
// stops.
func (s *OrderService) All(ctx context.Context, opts *OrderListOptions) iter.Seq2[salesmania.Order, error] {
	o := OrderListOptions{}
	if opts != nil {
		o = *opts
	}
	o.IncludeTotal = false
	return pages(func(cursor string) (*salesmania.Page[salesmania.Order], error) {
		o.Cursor = cursor
		return s.List(ctx, &o)
	}, o.Cursor)
}

// Get returns one order with its lines and computed money; a 404 *Error if
// there is none with that id in the database (or, for a member, in its
// team).
func (s *OrderService) Get(ctx context.Context, id int64) (*salesmania.Order, error) {
	return get[salesmania.Order](ctx, s.c, idPath(ordersPath, id), nil)
}

// Create creates an order (date, customer_id and ordered_products are
// required) and returns it with its computed money. The call is made at most
// once on the server however often the client retries it (see the package
// documentation). A 422 *Error lists every bad field; a 403 means a member
// named another team.
func (s *OrderService) Create(ctx context.Context, f *salesmania.OrderFields) (*salesmania.Order, error) {
	return write[salesmania.Order](ctx, s.c, http.MethodPost, ordersPath, f, orderNulls(f))
}

// Update changes the fields set in f (status, ext_order_status_name,
// ext_order_no, description, total_paid, visit_status, and ordered_products
// while the order is Baru) and returns the order. A 409 *Error means the
// status cannot move that way, or the lines can no longer be replaced.
func (s *OrderService) Update(ctx context.Context, id int64, f *salesmania.OrderFields) (*salesmania.Order, error) {
	return write[salesmania.Order](ctx, s.c, http.MethodPatch, idPath(ordersPath, id), f, orderNulls(f))
}

func orderNulls(f *salesmania.OrderFields) map[string]bool {
	if f == nil {
		return nil
	}
	return f.Nulls
}
