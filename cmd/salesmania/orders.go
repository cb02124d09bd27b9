package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
)

func orderCommands() map[string]cliCommand {
	return map[string]cliCommand{
		"list": {
			summary: "[--status Baru|Diproses|Terkirim|Lunas|Batal] [--from D] [--to D] [--customer-id C] [--team-id T] [--ext-order-no N] [--limit 100]",
			run:     runOrdersList,
		},
		"get": {summary: "ID", run: runOrdersGet},
	}
}

func runOrdersList(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var opts client.OrderListOptions
	var limit int
	fs.StringVar(&opts.Status, "status", "", "orders in one status: Baru, Diproses, Terkirim, Lunas or Batal")
	fs.StringVar(&opts.DateFrom, "from", "", "orders dated on or after this day, YYYY-MM-DD")
	fs.StringVar(&opts.DateTo, "to", "", "orders dated on or before this day, YYYY-MM-DD")
	fs.Int64Var(&opts.CustomerID, "customer-id", 0, "one customer's orders")
	fs.Int64Var(&opts.TeamID, "team-id", 0, "one team's orders (a member sees only its own team's)")
	fs.StringVar(&opts.ExtOrderNo, "ext-order-no", "", "the order with this number of your ERP")
	fs.IntVar(&limit, "limit", 100, "the most rows to show; 0 for all")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if opts.Status != "" && !salesmania.ValidOrderStatus(opts.Status) {
		return &usageError{fmt.Sprintf("--status must be Baru, Diproses, Terkirim, Lunas or Batal, not %q", opts.Status)}
	}
	for _, f := range [][2]string{{"from", opts.DateFrom}, {"to", opts.DateTo}} {
		if err := checkDateFlag(f[0], f[1]); err != nil {
			return err
		}
	}
	if opts.TeamID < 0 || opts.CustomerID < 0 {
		return &usageError{"--team-id and --customer-id must be positive ids"}
	}
	if limit < 0 {
		return &usageError{"--limit must be 0 (all) or more"}
	}
	cl, err := c.connect()
	if err != nil {
		return err
	}
	opts.Limit = pageSize(limit)
	return lister[salesmania.Order]{
		header: []string{"ID", "DATE", "EXT_ORDER_NO", "CUSTOMER_ID", "TEAM_ID", "STATUS", "LINES", "TOTAL"},
		cells: func(o salesmania.Order) []string {
			return []string{strconv.FormatInt(o.ID, 10), o.Date, o.ExtOrderNo, strconv.FormatInt(o.CustomerID, 10),
				strconv.FormatInt(o.TeamID, 10), o.Status, strconv.Itoa(len(o.OrderedProducts)), o.Total.String()}
		},
	}.print(c, cl.Orders.All(ctx, &opts), limit)
}

func runOrdersGet(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	pos, err := parseArgs(fs, args, "ID")
	if err != nil {
		return err
	}
	id, err := parseID("the order ID", pos[0])
	if err != nil {
		return err
	}
	cl, err := c.connect()
	if err != nil {
		return err
	}
	o, err := cl.Orders.Get(ctx, id)
	if err != nil {
		return c.describeClientError(err)
	}
	if !c.tables() {
		return printJSON(c.stdout, o)
	}
	if err := printRecord(c.stdout, [][2]string{
		{"id", strconv.FormatInt(o.ID, 10)}, {"date", o.Date}, {"ext_order_no", o.ExtOrderNo},
		{"customer_id", strconv.FormatInt(o.CustomerID, 10)}, {"team_id", strconv.FormatInt(o.TeamID, 10)},
		{"status", o.Status}, {"ext_order_status_name", o.ExtOrderStatusName}, {"visit_status", o.VisitStatus},
		{"description", o.Description}, {"subtotal", o.Subtotal.String()}, {"discount", o.Discount.String() + discNote(o)},
		{"total", o.Total.String()}, {"total_paid", o.TotalPaid.String()},
		{"created_at", formatTime(o.CreatedAt)}, {"updated_at", formatTime(o.UpdatedAt)},
	}); err != nil {
		return err
	}
	fmt.Fprintln(c.stdout)
	t := newTable(c.stdout, "LINE", "PRODUCT_ID", "QTY", "UNIT", "PRICE", "DISC", "GROSS", "DISCOUNT", "NET")
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
