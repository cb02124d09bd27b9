package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
)

func orderCommands() map[string]cliCommand {
	return map[string]cliCommand{
		"list": orderResource.listCommand(),
		"get":  orderResource.getCommand(),
	}
}

var orderResource = &resource[salesmania.Order, client.OrderListOptions]{
	service:     func(cl *client.Client) service[salesmania.Order, client.OrderListOptions] { return cl.Orders },
	name:        "order",
	listSummary: "[--status Baru|Diproses|Terkirim|Lunas|Batal] [--from D] [--to D] [--customer-id C] [--team-id T] [--ext-order-no N] [--limit 100]",
	filters: func(fs *flag.FlagSet, o *client.OrderListOptions) (*int, func() error) {
		fs.StringVar(&o.Status, "status", "", "orders in one status: Baru, Diproses, Terkirim, Lunas or Batal")
		fs.StringVar(&o.DateFrom, "from", "", "orders dated on or after this day, YYYY-MM-DD")
		fs.StringVar(&o.DateTo, "to", "", "orders dated on or before this day, YYYY-MM-DD")
		fs.StringVar(&o.ExtOrderNo, "ext-order-no", "", "the order with this number of your ERP")
		ids := teamCustomerFilters(fs, "orders", &o.TeamID, &o.CustomerID)
		return &o.Limit, checkAll(func() error {
			if o.Status != "" && !salesmania.ValidOrderStatus(o.Status) {
				return &usageError{fmt.Sprintf("--status must be Baru, Diproses, Terkirim, Lunas or Batal, not %q", o.Status)}
			}
			return nil
		}, dateFilters([]string{"from", "to"}, &o.DateFrom, &o.DateTo), ids)
	},
	lister: lister[salesmania.Order]{
		header: []string{"ID", "DATE", "EXT_ORDER_NO", "CUSTOMER_ID", "TEAM_ID", "STATUS", "LINES", "TOTAL"},
		cells: func(o salesmania.Order) []string {
			return []string{strconv.FormatInt(o.ID, 10), o.Date, o.ExtOrderNo, strconv.FormatInt(o.CustomerID, 10),
				strconv.FormatInt(o.TeamID, 10), o.Status, strconv.Itoa(len(o.OrderedProducts)), o.Total.String()}
		},
	},
	show: showOrder,
}

// showOrder writes an order as a record and its lines as a table.
func showOrder(w io.Writer, o *salesmania.Order) error {
	if err := printRecord(w, [][2]string{
		{"id", strconv.FormatInt(o.ID, 10)}, {"date", o.Date}, {"ext_order_no", o.ExtOrderNo},
		{"customer_id", strconv.FormatInt(o.CustomerID, 10)}, {"team_id", strconv.FormatInt(o.TeamID, 10)},
		{"status", o.Status}, {"ext_order_status_name", o.ExtOrderStatusName}, {"visit_status", o.VisitStatus},
		{"description", o.Description}, {"subtotal", o.Subtotal.String()}, {"discount", o.Discount.String() + discNote(o)},
		{"total", o.Total.String()}, {"total_paid", o.TotalPaid.String()},
		{"created_at", formatTime(o.CreatedAt)}, {"updated_at", formatTime(o.UpdatedAt)},
	}); err != nil {
		return err
	}
	fmt.Fprintln(w)
	t := newTable(w, "LINE", "PRODUCT_ID", "QTY", "UNIT", "PRICE", "DISC", "GROSS", "DISCOUNT", "NET")
	for _, l := range o.OrderedProducts {
		disc := l.ItemDiscPercent
		if !l.ItemDiscAmount.IsZero() {
			disc = l.ItemDiscAmount.String()
		}
		t.row(strconv.FormatInt(l.ID, 10), strconv.FormatInt(l.ProductID, 10), l.Qty.String(), l.Unit, l.Price.String(),
			disc, l.Gross.String(), l.Discount.String(), l.Net.String())
	}
	return t.flush()
}

// discNote says which percentages an order's discount comes from, if it
// was not given as an amount.
func discNote(o *salesmania.Order) string {
	if o.DiscPercent == "" || !o.DiscAmount.IsZero() {
		return ""
	}
	return " (" + o.DiscPercent + " %)"
}
