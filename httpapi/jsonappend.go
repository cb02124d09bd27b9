package httpapi

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/salesmania/salesmania"
)

// The API's most-read bodies are customers, visits, orders and products, and
// pages of them, so encode writes their JSON with the functions below
// instead of going through encoding/json's reflection (and, for Decimal, its
// MarshalJSON and the compaction encoding/json runs on every MarshalJSON
// result). The bytes are exactly what encoding/json writes (tests and fuzz
// targets in jsonappend_test.go hold them to it), so a new field on one of
// these types must be added here too: the tests fail until it is. The wire
// format is HTTP's concern, so these live here and not on the domain types.

// appendCustomer appends the JSON form of c, as encoding/json would write it.
func appendCustomer(b []byte, c *salesmania.Customer) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, c.Name)
	b = append(b, `,"address":`...)
	b = appendJSONString(b, c.Address)
	b = append(b, `,"city":`...)
	b = appendJSONString(b, c.City)
	b = append(b, `,"phone":`...)
	b = appendJSONString(b, c.Phone)
	b = append(b, `,"ext_cust_no":`...)
	b = appendJSONString(b, c.ExtCustNo)
	b = append(b, `,"location":`...)
	b = appendJSONLocation(b, c.Location)
	b = append(b, `,"status":`...)
	b = strconv.AppendBool(b, c.Status)
	b = append(b, `,"tags":`...)
	b = appendJSONStrings(b, c.Tags)
	b = append(b, `,"created_at":`...)
	b = appendJSONTime(b, c.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, c.UpdatedAt)
	return append(b, '}')
}

// appendVisit appends the JSON form of v, as encoding/json would write it.
func appendVisit(b []byte, v *salesmania.Visit) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, v.ID, 10)
	b = append(b, `,"date":`...)
	b = appendJSONString(b, v.Date)
	b = append(b, `,"customer_id":`...)
	b = strconv.AppendInt(b, v.CustomerID, 10)
	b = append(b, `,"team_id":`...)
	b = strconv.AppendInt(b, v.TeamID, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, v.Seq, 10)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, v.Status)
	b = append(b, `,"plan_id":`...)
	if v.PlanID == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *v.PlanID, 10)
	}
	b = append(b, `,"notes":`...)
	b = appendJSONString(b, v.Notes)
	b = append(b, `,"outcome":`...)
	b = appendJSONString(b, v.Outcome)
	b = append(b, `,"duration_min":`...)
	b = strconv.AppendInt(b, v.DurationMin, 10)
	b = append(b, `,"check_in":`...)
	b = appendJSONCheck(b, v.CheckIn)
	b = append(b, `,"check_out":`...)
	b = appendJSONCheck(b, v.CheckOut)
	c := &v.Customer
	b = append(b, `,"customer":{"id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, c.Name)
	b = append(b, `,"address":`...)
	b = appendJSONString(b, c.Address)
	b = append(b, `,"city":`...)
	b = appendJSONString(b, c.City)
	b = append(b, `,"location":`...)
	b = appendJSONLocation(b, c.Location)
	b = append(b, `},"created_at":`...)
	b = appendJSONTime(b, v.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, v.UpdatedAt)
	return append(b, '}')
}

// appendOrder appends the JSON form of o, as encoding/json would write it.
func appendOrder(b []byte, o *salesmania.Order) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, o.ID, 10)
	b = append(b, `,"date":`...)
	b = appendJSONString(b, o.Date)
	b = append(b, `,"customer_id":`...)
	b = strconv.AppendInt(b, o.CustomerID, 10)
	b = append(b, `,"team_id":`...)
	b = strconv.AppendInt(b, o.TeamID, 10)
	b = append(b, `,"description":`...)
	b = appendJSONString(b, o.Description)
	b = append(b, `,"ordered_products":`...)
	if o.OrderedProducts == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range o.OrderedProducts {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendOrderLine(b, &o.OrderedProducts[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"disc_percent":`...)
	b = appendJSONString(b, o.DiscPercent)
	b = append(b, `,"disc_amount":`...)
	b = o.DiscAmount.Append(b)
	b = append(b, `,"total_paid":`...)
	b = o.TotalPaid.Append(b)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, o.Status)
	b = append(b, `,"visit_status":`...)
	b = appendJSONString(b, o.VisitStatus)
	b = append(b, `,"ext_order_no":`...)
	b = appendJSONString(b, o.ExtOrderNo)
	b = append(b, `,"ext_order_status_name":`...)
	b = appendJSONString(b, o.ExtOrderStatusName)
	b = append(b, `,"subtotal":`...)
	b = o.Subtotal.Append(b)
	b = append(b, `,"discount":`...)
	b = o.Discount.Append(b)
	b = append(b, `,"total":`...)
	b = o.Total.Append(b)
	b = append(b, `,"created_at":`...)
	b = appendJSONTime(b, o.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, o.UpdatedAt)
	return append(b, '}')
}

// appendOrderLine appends the JSON form of l, as encoding/json would write
// it (UnitRatio is json:"-"). No answer is a bare line or a page of them:
// encode never writes one on its own.
func appendOrderLine(b []byte, l *salesmania.OrderLine) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, l.ID, 10)
	b = append(b, `,"product_id":`...)
	b = strconv.AppendInt(b, l.ProductID, 10)
	b = append(b, `,"qty":`...)
	b = l.Qty.Append(b)
	b = append(b, `,"unit":`...)
	b = appendJSONString(b, l.Unit)
	b = append(b, `,"price":`...)
	b = l.Price.Append(b)
	b = append(b, `,"item_disc_percent":`...)
	b = appendJSONString(b, l.ItemDiscPercent)
	b = append(b, `,"item_disc_amount":`...)
	b = l.ItemDiscAmount.Append(b)
	b = append(b, `,"description":`...)
	b = appendJSONString(b, l.Description)
	b = append(b, `,"ext_order_line_id":`...)
	if l.ExtOrderLineID == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *l.ExtOrderLineID, 10)
	}
	b = append(b, `,"gross":`...)
	b = l.Gross.Append(b)
	b = append(b, `,"discount":`...)
	b = l.Discount.Append(b)
	b = append(b, `,"net":`...)
	b = l.Net.Append(b)
	return append(b, '}')
}

// appendProduct appends the JSON form of p, as encoding/json would write it.
func appendProduct(b []byte, p *salesmania.Product) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, p.ID, 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, p.Name)
	b = append(b, `,"description":`...)
	b = appendJSONString(b, p.Description)
	b = append(b, `,"sku":`...)
	b = appendJSONString(b, p.SKU)
	b = append(b, `,"tags":`...)
	b = appendJSONStrings(b, p.Tags)
	b = append(b, `,"status":`...)
	b = strconv.AppendBool(b, p.Status)
	b = append(b, `,"ext_product_code":`...)
	b = appendJSONString(b, p.ExtProductCode)
	b = append(b, `,"default_disc":`...)
	b = appendJSONString(b, p.DefaultDisc)
	b = append(b, `,"qty_on_hand":`...)
	b = p.QtyOnHand.Append(b)
	b = append(b, `,"product_units":`...)
	if p.ProductUnits == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range p.ProductUnits {
			u := &p.ProductUnits[i]
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendJSONString(b, u.Name)
			b = append(b, `,"price":`...)
			b = u.Price.Append(b)
			b = append(b, `,"ratio":`...)
			b = strconv.AppendInt(b, u.Ratio, 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"created_at":`...)
	b = appendJSONTime(b, p.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, p.UpdatedAt)
	return append(b, '}')
}

// appendPage appends the JSON form of the page, each row written by
// appendRow. A nil Data is null, as encoding/json writes it (the store
// always returns a non-nil slice).
func appendPage[T any](b []byte, p *salesmania.Page[T], appendRow func([]byte, *T) []byte) []byte {
	if p.Data == nil {
		b = append(b, `{"data":null`...)
	} else {
		b = append(b, `{"data":[`...)
		for i := range p.Data {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendRow(b, &p.Data[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"next_cursor":`...)
	if p.NextCursor == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *p.NextCursor)
	}
	if p.Total != nil {
		b = append(b, `,"total":`...)
		b = strconv.AppendInt(b, *p.Total, 10)
	}
	return append(b, '}')
}

// appendJSONCheck writes a visit's check-in or check-out as encoding/json
// does: null when nil.
func appendJSONCheck(b []byte, c *salesmania.VisitCheck) []byte {
	if c == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"at":`...)
	b = appendJSONTime(b, c.At)
	b = append(b, `,"device_time":`...)
	if c.DeviceTime == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *c.DeviceTime)
	}
	for _, f := range [...]struct {
		name string
		v    *float64
	}{{`,"lat":`, c.Lat}, {`,"lon":`, c.Lon}, {`,"accuracy_m":`, c.AccuracyM}} {
		b = append(b, f.name...)
		if f.v == nil {
			b = append(b, "null"...)
		} else {
			b = appendJSONFloat(b, *f.v)
		}
	}
	b = append(b, `,"mocked":`...)
	b = strconv.AppendBool(b, c.Mocked)
	b = append(b, `,"distance_m":`...)
	if c.DistanceM == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *c.DistanceM, 10)
	}
	b = append(b, `,"verification":`...)
	if c.Verification == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *c.Verification)
	}
	return append(b, '}')
}

// appendJSONLocation writes l as encoding/json does: null when nil.
func appendJSONLocation(b []byte, l *salesmania.Location) []byte {
	if l == nil {
		return append(b, "null"...)
	}
	b = append(b, `{"lat":`...)
	b = appendJSONFloat(b, l.Lat)
	b = append(b, `,"lon":`...)
	b = appendJSONFloat(b, l.Lon)
	return append(b, '}')
}

// appendJSONStrings writes ss as encoding/json does: null when nil, [] when
// empty.
func appendJSONStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

func appendJSONTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendJSONFloat writes f as encoding/json does.
func appendJSONFloat(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return append(b, "null"...) // never stored: coordinates are checked
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string the way encoding/json does,
// HTML-safe: <, > and & as \u003c, \u003e and \u0026, U+2028 and U+2029
// escaped, invalid UTF-8 as U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
