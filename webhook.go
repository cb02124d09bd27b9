package salesmania

import (
	"net/netip"
	"net/url"
	"slices"
	"strings"
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
// Events (both when omitted). Unless allowPrivate, a URL whose host is an IP
// address inside the network (see SpecialAddress) is refused, so a tenant
// cannot make the server post to its own neighbours; a host name is checked
// where it is resolved, outside the domain (package webhook).
func (in *WebhookCreate) NewWebhook(allowPrivate bool) (*Webhook, error) {
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
		default:
			if msg := checkWebhookHost(u.Hostname(), allowPrivate); msg != "" {
				p.Add("url", msg)
			}
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

// checkWebhookHost says what is wrong with a webhook URL's host, "" when
// nothing is: an IP address that is not public (unless allowPrivate), or a
// host that looks numeric without being a standard IP address ("127.1",
// "2130706433", "0x7f.0.0.1", which some resolvers read as 127.0.0.1).
func checkWebhookHost(host string, allowPrivate bool) string {
	if a, err := netip.ParseAddr(host); err == nil {
		if kind := SpecialAddress(a); kind != "" && !allowPrivate {
			return "must not point to a " + kind + " address (" + host + "); webhooks are delivered to public addresses only"
		}
		return ""
	}
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last != "" && last[0] >= '0' && last[0] <= '9' && strings.Trim(strings.ToLower(last), "0123456789abcdefx") == "" {
		return "must have a host name or a standard IP address, not " + host
	}
	return ""
}

// specialPrefixes are the address blocks a webhook may not reach without
// --webhook-allow-private, with the kind named in errors: RFC 6890's
// special-purpose registries, less the blocks that are globally reachable.
var specialPrefixes = []struct {
	prefix netip.Prefix
	kind   string
}{
	{netip.MustParsePrefix("169.254.169.254/32"), "cloud metadata"},
	{netip.MustParsePrefix("fd00:ec2::254/128"), "cloud metadata"},
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation"},
	{netip.MustParsePrefix("192.88.99.0/24"), "reserved"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "private"},
	{netip.MustParsePrefix("100::/64"), "reserved"},
	{netip.MustParsePrefix("2001::/23"), "reserved"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("fc00::/7"), "private"},
	{netip.MustParsePrefix("fec0::/10"), "private"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// SpecialAddress names the kind of a that webhooks may not be sent to
// unless the server allows private addresses: "loopback", "private",
// "link-local", "cloud metadata", "unspecified", "multicast", "shared
// (carrier-grade NAT)", "documentation", "benchmarking" or "reserved". It
// returns "" for a public address. IPv4 addresses written as IPv6
// (::ffff:a.b.c.d, the NAT64 prefix 64:ff9b::/96, 6to4 2002::/16) are
// judged by the IPv4 address they carry.
func SpecialAddress(a netip.Addr) string {
	a = a.WithZone("")
	if a.Is6() {
		b := a.As16()
		switch {
		case a.Is4In6():
			a = a.Unmap()
		case nat64.Contains(a):
			a = netip.AddrFrom4([4]byte(b[12:16]))
		case sixToFour.Contains(a):
			a = netip.AddrFrom4([4]byte(b[2:6]))
		}
	}
	for _, sp := range specialPrefixes {
		if sp.prefix.Contains(a) {
			return sp.kind
		}
	}
	return ""
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
