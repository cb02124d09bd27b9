package salesmania

import (
	"net/url"
	"slices"
	"time"
)

// The events a webhook can receive (§6.3).
const (
	EventOrderCreated = "order.created"
	EventOrderUpdated = "order.updated"
)

// Events lists every event, in the order they are documented.
var Events = []string{EventOrderCreated, EventOrderUpdated}

// Webhook is an HTTP endpoint of a database's ERP that is told of its
// orders. Secret is the key of the HMAC signature of each request; it is
// never shown after the webhook is made.
type Webhook struct {
	ID        int64     `json:"id"`
	DBID      int64     `json:"-"`
	URL       string    `json:"url"`
	Secret    string    `json:"-"`
	Events    []string  `json:"events"`
	CreatedAt time.Time `json:"created_at"`
}

// WebhookCreate is the body of POST /webhooks.
type WebhookCreate struct {
	URL    *string   `json:"url"`
	Secret *string   `json:"secret"`
	Events *[]string `json:"events"`
}

// Webhook secret lengths.
const (
	MinWebhookSecret = 16
	MaxWebhookSecret = 256
)

// NewWebhook checks the body and returns the webhook to store: an absolute
// http or https URL, a secret of 16 to 256 characters, and events among
// Events (both when omitted).
func (in *WebhookCreate) NewWebhook() (*Webhook, error) {
	var p Problems
	w := &Webhook{Events: slices.Clone(Events)}
	if in.URL == nil {
		p.Add("url", "is required")
	} else {
		w.URL = CleanString(*in.URL)
		u, err := url.Parse(w.URL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil:
			p.Add("url", "must be an absolute http:// or https:// URL without credentials")
		case len(w.URL) > 2000:
			p.Add("url", "must be at most 2000 characters")
		}
	}
	if in.Secret == nil {
		p.Add("secret", "is required")
	} else {
		w.Secret = *in.Secret
		checkLength(&p, "secret", w.Secret, MinWebhookSecret, MaxWebhookSecret)
	}
	if in.Events != nil {
		w.Events = nil
		for i, e := range *in.Events {
			switch {
			case !slices.Contains(Events, e):
				p.Add("events["+itoa(i)+"]", "must be order.created or order.updated")
			case !slices.Contains(w.Events, e):
				w.Events = append(w.Events, e)
			}
		}
		if len(*in.Events) == 0 {
			p.Add("events", "must name at least one event")
		}
	}
	return w, p.Err()
}

// Wants reports whether the webhook receives event.
func (w *Webhook) Wants(event string) bool { return slices.Contains(w.Events, event) }

// WebhookAttempt is one attempt to deliver an event, as GET
// /webhooks/{id}/deliveries lists it. ID is the delivery id the receiver
// sees in X-SalesMania-Delivery, the same on every attempt of one event.
type WebhookAttempt struct {
	Row           int64      `json:"-"` // the attempt's own id, for paging
	ID            string     `json:"id"`
	Event         string     `json:"event"`
	OrderID       int64      `json:"order_id"`
	Attempt       int        `json:"attempt"`
	StatusCode    int        `json:"status_code"`
	Error         string     `json:"error"`
	AttemptedAt   time.Time  `json:"attempted_at"`
	NextAttemptAt *time.Time `json:"next_attempt_at"`
}

// ExtOrder is the body a webhook receives (§6.3), with the published field
// names: ordered_product (singular) and unit as an object. disc_amount and
// item_disc_amount carry the computed discount amounts.
type ExtOrder struct {
	ExtCustNo         string            `json:"ext_cust_no"`
	ExtCustID         int64             `json:"ext_cust_id"`
	ExtSalesmanNumber string            `json:"ext_salesman_number"`
	ExtOrderID        string            `json:"ext_order_id"`
	TransDate         string            `json:"trans_date"`
	DiscAmount        Decimal           `json:"disc_amount"`
	DiscPercent       string            `json:"disc_percent"`
	Description       string            `json:"description"`
	SMCompanyID       int64             `json:"sm_company_id"`
	SMCustomerID      int64             `json:"sm_customer_id"`
	SMTeamID          int64             `json:"sm_team_id"`
	SMOrderID         int64             `json:"sm_order_id"`
	SMStatus          string            `json:"sm_status"`
	OrderedProduct    []ExtOrderProduct `json:"ordered_product"`
}

// ExtOrderProduct is one line of an ExtOrder.
type ExtOrderProduct struct {
	ExtProductCode  string       `json:"ext_product_code"`
	ExtProductID    int64        `json:"ext_product_id"`
	Qty             Decimal      `json:"qty"`
	Price           Decimal      `json:"price"`
	ItemDiscPercent string       `json:"item_disc_percent"`
	ItemDiscAmount  Decimal      `json:"item_disc_amount"`
	Unit            ExtOrderUnit `json:"unit"`
	Description     string       `json:"description"`
	SMProductID     int64        `json:"sm_product_id"`
}

// ExtOrderUnit is the unit of an ExtOrderProduct.
type ExtOrderUnit struct {
	Name  string `json:"name"`
	Ratio int64  `json:"ratio"`
}

// NewExtOrder builds the webhook body of order o, given the ERP codes of its
// customer, its team and its products (by product id).
func NewExtOrder(o *Order, extCustNo, extSalesmanNumber string, productCodes map[int64]string) ExtOrder {
	e := ExtOrder{
		ExtCustNo: extCustNo, ExtSalesmanNumber: extSalesmanNumber, ExtOrderID: o.ExtOrderNo, TransDate: o.Date,
		DiscAmount: o.Discount, DiscPercent: o.DiscPercent, Description: o.Description,
		SMCompanyID: o.DBID, SMCustomerID: o.CustomerID, SMTeamID: o.TeamID, SMOrderID: o.ID, SMStatus: o.Status,
		OrderedProduct: make([]ExtOrderProduct, len(o.OrderedProducts)),
	}
	for i, l := range o.OrderedProducts {
		e.OrderedProduct[i] = ExtOrderProduct{
			ExtProductCode: productCodes[l.ProductID], Qty: l.Qty, Price: l.Price,
			ItemDiscPercent: l.ItemDiscPercent, ItemDiscAmount: l.Discount,
			Unit: ExtOrderUnit{Name: l.Unit, Ratio: l.UnitRatio}, Description: l.Description, SMProductID: l.ProductID,
		}
	}
	return e
}

// PendingDelivery is an outbox row claimed for sending: one event for one
// webhook, with what the sender needs.
type PendingDelivery struct {
	DBID       int64
	ID         int64 // the outbox row
	WebhookID  int64
	URL        string
	Secret     string
	Event      string
	DeliveryID string // X-SalesMania-Delivery, the same on every attempt
	OrderID    int64
	Payload    []byte
	Attempts   int // attempts made before this one
	CreatedAt  time.Time
}

// DeliveryResult is the outcome of one attempt. NextAttemptAt is when to try
// again, or nil when the delivery is done: Delivered, or given up.
type DeliveryResult struct {
	StatusCode    int
	Error         string
	AttemptedAt   time.Time
	Delivered     bool
	NextAttemptAt *time.Time
}
