package salesmania

import (
	"time"
)

// Order statuses (§6) — the Indonesian words of the published API.
const (
	OrderBaru     = "Baru"     // new
	OrderDiproses = "Diproses" // processing
	OrderTerkirim = "Terkirim" // shipped
	OrderLunas    = "Lunas"    // paid
	OrderBatal    = "Batal"    // cancelled
)

// MaxOrderLines bounds the lines of one order (§6).
const MaxOrderLines = 500

// orderStep is the place of each status on the forward path; Batal is off it.
var orderStep = map[string]int{OrderBaru: 1, OrderDiproses: 2, OrderTerkirim: 3, OrderLunas: 4, OrderBatal: 0}

// ValidOrderStatus reports whether s is one of the five statuses.
func ValidOrderStatus(s string) bool { _, ok := orderStep[s]; return ok }

// CanMoveOrder reports whether an order may go from status from to status
// to (§6.2): forward along Baru → Diproses → Terkirim → Lunas, skipping steps
// if need be; to Batal from any status but Lunas; Lunas and Batal are final.
// Staying put is allowed.
func CanMoveOrder(from, to string) bool {
	switch {
	case from == to:
		return true
	case from == OrderLunas || from == OrderBatal:
		return false
	case to == OrderBatal:
		return true
	}
	return orderStep[to] > orderStep[from]
}

// OrderLine is one ordered product of an order, with its computed money.
type OrderLine struct {
	ID              int64   `json:"id"`
	ProductID       int64   `json:"product_id"`
	Qty             Decimal `json:"qty"`
	Unit            string  `json:"unit"`
	Price           Decimal `json:"price"`
	ItemDiscPercent string  `json:"item_disc_percent"`
	ItemDiscAmount  Decimal `json:"item_disc_amount"`
	Description     string  `json:"description"`
	ExtOrderLineID  *int64  `json:"ext_order_line_id"`
	// Gross is qty × price; Discount what the line's discount takes off,
	// so that Net = Gross − Discount is rounded to 2 decimals (§9).
	Gross    Decimal `json:"gross"`
	Discount Decimal `json:"discount"`
	Net      Decimal `json:"net"`
	// UnitRatio is the ratio of Unit to the product's base unit, kept for
	// the webhook payload.
	UnitRatio int64 `json:"-"`
}

// Order is a sale to a customer by a team (§6), with its lines and money.
type Order struct {
	ID                 int64       `json:"id"`
	DBID               int64       `json:"-"`
	Date               string      `json:"date"`
	CustomerID         int64       `json:"customer_id"`
	TeamID             int64       `json:"team_id"`
	Description        string      `json:"description"`
	OrderedProducts    []OrderLine `json:"ordered_products"`
	DiscPercent        string      `json:"disc_percent"`
	DiscAmount         Decimal     `json:"disc_amount"`
	TotalPaid          Decimal     `json:"total_paid"`
	Status             string      `json:"status"`
	VisitStatus        string      `json:"visit_status"`
	ExtOrderNo         string      `json:"ext_order_no"`
	ExtOrderStatusName string      `json:"ext_order_status_name"`
	Subtotal           Decimal     `json:"subtotal"`
	Discount           Decimal     `json:"discount"`
	Total              Decimal     `json:"total"`
	CreatedAt          time.Time   `json:"created_at"`
	UpdatedAt          time.Time   `json:"updated_at"`
}

// Compute sets the money of every line and of the order from the inputs
// (§6.1, §9), exactly, rounding half away from zero to 2 decimals where the
// contract says:
//
//	line gross    = qty × price
//	line net      = round2(gross − (item_disc_amount, or the cascade of item_disc_percent on gross))
//	line discount = gross − net
//	subtotal      = Σ line net
//	discount      = round2(disc_amount, or the cascade of disc_percent on subtotal)
//	total         = subtotal − discount
//
// The discount expressions must be valid (see ValidateOrder); a discount
// larger than what it applies to is the validator's to refuse.
func (o *Order) Compute() {
	var subtotal Decimal
	for i := range o.OrderedProducts {
		l := &o.OrderedProducts[i]
		l.Gross = l.Qty.Mul(l.Price)
		off := l.ItemDiscAmount
		if off.IsZero() {
			d, _ := ParseDiscount(l.ItemDiscPercent)
			off = d.Apply(l.Gross)
		}
		l.Net = l.Gross.Sub(off).Round2()
		l.Discount = l.Gross.Sub(l.Net)
		subtotal = subtotal.Add(l.Net)
	}
	o.Subtotal = subtotal
	off := o.DiscAmount
	if off.IsZero() {
		d, _ := ParseDiscount(o.DiscPercent)
		off = d.Apply(subtotal)
	}
	o.Discount = off.Round2()
	o.Total = subtotal.Sub(o.Discount)
}

// OrderLineInput is one ordered product as a client sends it; nil fields
// were not sent.
type OrderLineInput struct {
	ProductID       *int64   `json:"product_id"`
	Qty             *Decimal `json:"qty"`
	Unit            *string  `json:"unit"`
	Price           *Decimal `json:"price"`
	ItemDiscPercent *string  `json:"item_disc_percent"`
	ItemDiscAmount  *Decimal `json:"item_disc_amount"`
	Description     *string  `json:"description"`
	ExtOrderLineID  *int64   `json:"ext_order_line_id"`
}

// OrderFields is the body of POST /orders and of PATCH /orders/{id}. A nil
// field was not sent; Nulls names the top-level fields sent as null, which
// no order field accepts.
type OrderFields struct {
	Date               *string           `json:"date"`
	CustomerID         *int64            `json:"customer_id"`
	TeamID             *int64            `json:"team_id"`
	Description        *string           `json:"description"`
	OrderedProducts    *[]OrderLineInput `json:"ordered_products"`
	DiscPercent        *string           `json:"disc_percent"`
	DiscAmount         *Decimal          `json:"disc_amount"`
	TotalPaid          *Decimal          `json:"total_paid"`
	Status             *string           `json:"status"`
	VisitStatus        *string           `json:"visit_status"`
	ExtOrderNo         *string           `json:"ext_order_no"`
	ExtOrderStatusName *string           `json:"ext_order_status_name"`
	Nulls              map[string]bool   `json:"-"`
}

// SetNulls records the top-level fields the body sent as JSON null.
func (f *OrderFields) SetNulls(nulls map[string]bool) { f.Nulls = nulls }

// NewOrder returns the order a POST body describes for principal p, its
// lines not yet matched to products (the store does that, see
// Order.Finish): EINVALID listing every bad field, EFORBIDDEN when a member
// names another team.
func (f *OrderFields) NewOrder(p Principal) (*Order, error) {
	o := &Order{Status: OrderBaru}
	var pr Problems
	for _, name := range sortedKeys(f.Nulls) {
		if name != "team_id" { // null team_id means the token's team, as for visits
			pr.Add(name, "must not be null")
		}
	}
	if f.Date == nil {
		if !f.Nulls["date"] {
			pr.Add("date", "is required")
		}
	} else if d, ok := ParseDate(CleanString(*f.Date)); !ok {
		pr.Add("date", "must be a date as YYYY-MM-DD")
	} else {
		o.Date = d
	}
	switch {
	case f.CustomerID == nil:
		if !f.Nulls["customer_id"] {
			pr.Add("customer_id", "is required")
		}
	case *f.CustomerID <= 0:
		pr.Add("customer_id", "must be the id of a customer of this database")
	default:
		o.CustomerID = *f.CustomerID
	}
	o.TeamID = requestedTeam(&pr, f.TeamID)
	if f.OrderedProducts == nil && !f.Nulls["ordered_products"] {
		pr.Add("ordered_products", "is required")
	}
	if f.DiscPercent != nil {
		o.DiscPercent = ValidateDiscountExpr(&pr, "disc_percent", *f.DiscPercent)
	}
	if f.DiscAmount != nil && checkAmount(&pr, "disc_amount", *f.DiscAmount, false) {
		o.DiscAmount = *f.DiscAmount
	}
	if pct, _ := ParseDiscount(o.DiscPercent); !pct.IsZero() && !o.DiscAmount.IsZero() {
		pr.Add("disc_amount", "must be 0 when disc_percent is set: give one of them")
	}
	f.applyCommon(o, &pr)
	if err := pr.Err(); err != nil {
		return nil, err
	}
	team, err := p.TeamFor(o.TeamID)
	if err != nil {
		return nil, err
	}
	o.TeamID = team
	return o, nil
}

// patchable are the fields PATCH /orders/{id} may change (§6.2).
var patchable = map[string]bool{"ext_order_status_name": true, "status": true, "ext_order_no": true, "description": true,
	"total_paid": true, "visit_status": true, "ordered_products": true}

// ApplyTo changes o by a PATCH body: only the fields of §6.2, status only
// along the allowed moves (ECONFLICT otherwise), lines only while o is Baru
// (ECONFLICT otherwise). The new lines are not yet matched to products: the
// store does that, see Order.Finish. It reports whether anything changed:
// sent lines always count as a change (they are replaced and priced anew).
// On error o is unchanged.
func (f *OrderFields) ApplyTo(o *Order) (changed bool, err error) {
	var pr Problems
	for _, name := range sortedKeys(f.Nulls) {
		pr.Add(name, "must not be null")
	}
	for name, sent := range map[string]bool{"date": f.Date != nil, "customer_id": f.CustomerID != nil, "team_id": f.TeamID != nil,
		"disc_percent": f.DiscPercent != nil, "disc_amount": f.DiscAmount != nil} {
		if sent && !patchable[name] {
			pr.Add(name, "cannot be changed after the order is created")
		}
	}
	next := *o
	next.OrderedProducts = append([]OrderLine(nil), o.OrderedProducts...)
	f.applyCommon(&next, &pr)
	if err := pr.Err(); err != nil {
		sortFields(pr.Fields)
		return false, pr.Err()
	}
	if !CanMoveOrder(o.Status, next.Status) {
		return false, &Error{Code: ECONFLICT, Message: "An order cannot move from " + o.Status + " to " + next.Status +
			": statuses go forward along Baru, Diproses, Terkirim, Lunas, or to Batal; Lunas and Batal are final.",
			Fields: []FieldError{{Field: "status", Message: "cannot move from " + o.Status + " to " + next.Status}}}
	}
	if f.OrderedProducts != nil && o.Status != OrderBaru {
		return false, &Error{Code: ECONFLICT, Message: "The lines of an order can be replaced only while it is Baru; this one is " + o.Status + ".",
			Fields: []FieldError{{Field: "ordered_products", Message: "can be replaced only while the order is Baru"}}}
	}
	changed = f.OrderedProducts != nil || next.Description != o.Description || next.TotalPaid.Cmp(o.TotalPaid) != 0 ||
		next.Status != o.Status || next.VisitStatus != o.VisitStatus || next.ExtOrderNo != o.ExtOrderNo ||
		next.ExtOrderStatusName != o.ExtOrderStatusName
	*o = next
	return changed, nil
}

// applyCommon applies and checks the fields that POST and PATCH share.
func (f *OrderFields) applyCommon(o *Order, pr *Problems) {
	setString(pr, "description", f.Description, &o.Description, 0, 2000)
	setString(pr, "visit_status", f.VisitStatus, &o.VisitStatus, 0, 100)
	setString(pr, "ext_order_no", f.ExtOrderNo, &o.ExtOrderNo, 0, 100)
	setString(pr, "ext_order_status_name", f.ExtOrderStatusName, &o.ExtOrderStatusName, 0, 100)
	if f.TotalPaid != nil && checkAmount(pr, "total_paid", *f.TotalPaid, false) {
		o.TotalPaid = *f.TotalPaid
	}
	if f.Status != nil {
		if s := CleanString(*f.Status); ValidOrderStatus(s) {
			o.Status = s
		} else {
			pr.Add("status", "must be one of Baru, Diproses, Terkirim, Lunas, Batal")
		}
	}
	if f.OrderedProducts != nil {
		o.OrderedProducts = checkLines(pr, *f.OrderedProducts)
	}
}

func checkLines(pr *Problems, in []OrderLineInput) []OrderLine {
	if len(in) == 0 || len(in) > MaxOrderLines {
		pr.Add("ordered_products", "must have 1 to "+itoa(MaxOrderLines)+" lines")
		return nil
	}
	out := make([]OrderLine, len(in))
	for i, l := range in {
		at := "ordered_products[" + itoa(i) + "]"
		line := &out[i]
		switch {
		case l.ProductID == nil:
			pr.Add(at+".product_id", "is required")
		case *l.ProductID <= 0:
			pr.Add(at+".product_id", "must be the id of a product of this database")
		default:
			line.ProductID = *l.ProductID
		}
		qtyOK, priceOK := false, false
		if l.Qty == nil {
			pr.Add(at+".qty", "is required")
		} else if l.Qty.Sign() <= 0 {
			pr.Add(at+".qty", "must be more than 0")
		} else if checkAmount(pr, at+".qty", *l.Qty, false) {
			line.Qty, qtyOK = *l.Qty, true
		}
		if l.Unit == nil {
			pr.Add(at+".unit", "is required")
		} else {
			setString(pr, at+".unit", l.Unit, &line.Unit, 1, 50)
		}
		if l.Price == nil {
			pr.Add(at+".price", "is required")
		} else if checkAmount(pr, at+".price", *l.Price, false) {
			line.Price, priceOK = *l.Price, true
		}
		if qtyOK && priceOK && !checkGross(line.Qty.Mul(line.Price)) {
			pr.Add(at+".qty", msgGross)
		}
		if l.ItemDiscPercent != nil {
			line.ItemDiscPercent = ValidateDiscountExpr(pr, at+".item_disc_percent", *l.ItemDiscPercent)
		}
		if l.ItemDiscAmount != nil && checkAmount(pr, at+".item_disc_amount", *l.ItemDiscAmount, false) {
			line.ItemDiscAmount = *l.ItemDiscAmount
		}
		if pct, _ := ParseDiscount(line.ItemDiscPercent); !pct.IsZero() && !line.ItemDiscAmount.IsZero() {
			pr.Add(at+".item_disc_amount", "must be 0 when item_disc_percent is set: give one of them")
		}
		setString(pr, at+".description", l.Description, &line.Description, 0, 500)
		if l.ExtOrderLineID != nil {
			if *l.ExtOrderLineID < 0 {
				pr.Add(at+".ext_order_line_id", "must be 0 or more")
			}
			id := *l.ExtOrderLineID
			line.ExtOrderLineID = &id
		}
	}
	return out
}

// msgGross says why a line's qty × price is refused.
const msgGross = "qty × price must be less than 10000000000 and have at most 15 significant digits"

// checkGross reports whether a line's gross (qty × price, exact) is within
// the bounds that keep every amount the order computes from it within
// MaxSignificantDigits: below 10^MaxLineGrossDigits, and itself of at most
// MaxSignificantDigits digits (gross has up to 8 decimals). The line's
// discount then has no more digits than its gross, its net at most 13, and
// the subtotal of MaxOrderLines lines at most 15.
func checkGross(gross Decimal) bool {
	return gross.integerDigits() <= MaxLineGrossDigits && gross.SignificantDigits() <= MaxSignificantDigits
}

// Finish matches each line to its product (products maps id to product;
// a product missing from it is not in the database), takes the unit's
// canonical name and ratio, computes the money, and refuses discounts
// larger than what they apply to. EINVALID lists every bad line field.
func (o *Order) Finish(products map[int64]*Product) error {
	var pr Problems
	for i := range o.OrderedProducts {
		l := &o.OrderedProducts[i]
		at := "ordered_products[" + itoa(i) + "]"
		p, ok := products[l.ProductID]
		if !ok {
			pr.Add(at+".product_id", "is not a product of this database")
			continue
		}
		u, ok := p.Unit(l.Unit)
		if !ok {
			pr.Add(at+".unit", "must be one of the product's units ("+unitNames(p)+")")
			continue
		}
		l.Unit, l.UnitRatio = u.Name, u.Ratio
	}
	o.Compute()
	lineErrors := len(pr.Fields)
	for i, l := range o.OrderedProducts {
		if l.ItemDiscAmount.Cmp(l.Gross) > 0 {
			pr.Add("ordered_products["+itoa(i)+"].item_disc_amount", "must not be more than the line's gross (qty × price)")
			lineErrors++
		}
	}
	// The subtotal means something only when every line is right.
	if lineErrors == 0 && o.DiscAmount.Cmp(o.Subtotal) > 0 {
		pr.Add("disc_amount", "must not be more than the subtotal")
	}
	return pr.Err()
}

func unitNames(p *Product) string {
	s := ""
	for i, u := range p.ProductUnits {
		if i > 0 {
			s += ", "
		}
		s += u.Name
	}
	return s
}

// OrderFilter selects orders to list (§6.2). Empty fields do not filter.
type OrderFilter struct {
	ListParams
	// Teams is whose orders to list: the caller's scope, narrowed by the
	// list's team_id (TeamScope.Narrow). The zero scope lists nothing.
	Teams            TeamScope
	DateFrom, DateTo string
	Status           string
	CustomerID       int64
	ExtOrderNo       string
}
