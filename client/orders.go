package client

import (
	"time"

	"github.com/salesmania/salesmania"
)

const ordersPath = "/extapi/v1.0/orders"

// OrderService calls the order endpoints (§6). Get it as Client.Orders.
// Orders come with their lines and computed money. Create needs date,
// customer_id and ordered_products. Update changes status,
// ext_order_status_name, ext_order_no, description, total_paid,
// visit_status, and ordered_products while the order is Baru; its 409
// *Error means the status cannot move that way, or the lines can no longer
// be replaced. The API deletes no order: status Batal cancels one.
type OrderService struct {
	resource[salesmania.Order, salesmania.OrderFields, *OrderListOptions]
	creator[salesmania.Order, salesmania.OrderFields]
}

// OrderListOptions filter and page the order list. Zero fields do not
// filter. A member sees its own team's orders only.
type OrderListOptions struct {
	// DateFrom and DateTo keep orders dated in that range, YYYY-MM-DD, both
	// included; either may be given alone.
	DateFrom string `query:"date_from"`
	DateTo   string `query:"date_to"`
	// Status keeps orders in one status: salesmania.OrderBaru, …
	Status string `query:"status"`
	// CustomerID keeps the orders of one customer.
	CustomerID int64 `query:"customer_id"`
	// TeamID keeps one team's orders; a member may name only its own.
	TeamID int64 `query:"team_id"`
	// ExtOrderNo keeps the order with this ERP order number (exact).
	ExtOrderNo string `query:"ext_order_no"`
	// UpdatedSince keeps orders changed after it and orders the list by
	// (updated_at, id), for delta sync.
	UpdatedSince *time.Time `query:"updated_since"`
	Limit        int        `query:"limit"`
	Cursor       string     `query:"cursor"`
	IncludeTotal bool       `query:"include_total"`
}
