package salesmania

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// The API's most-read bodies are customers, visits, orders and products, and
// pages of them, so those types write their own JSON instead of going
// through encoding/json's reflection (and, for Decimal, its MarshalJSON and
// the compaction encoding/json runs on every MarshalJSON result). The bytes
// are exactly what encoding/json writes (tests and fuzz targets in
// jsonappend_test.go hold them to it), so a new field on one of these types
// must be added here too: the tests fail until it is.

// JSONAppender is a value that appends its JSON form to a buffer.
type JSONAppender interface {
	AppendJSON(b []byte) []byte
}

// AppendJSON appends the JSON form of c, as encoding/json would write it.
func (c *Customer) AppendJSON(b []byte) []byte {
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

// AppendJSON appends the JSON form of v, as encoding/json would write it.
func (v *Visit) AppendJSON(b []byte) []byte {
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

// AppendJSON appends the JSON form of o, as encoding/json would write it.
func (o *Order) AppendJSON(b []byte) []byte {
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
			b = o.OrderedProducts[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"disc_percent":`...)
	b = appendJSONString(b, o.DiscPercent)
	b = append(b, `,"disc_amount":`...)
	b = appendJSONDecimal(b, o.DiscAmount)
	b = append(b, `,"total_paid":`...)
	b = appendJSONDecimal(b, o.TotalPaid)
	b = append(b, `,"status":`...)
	b = appendJSONString(b, o.Status)
	b = append(b, `,"visit_status":`...)
	b = appendJSONString(b, o.VisitStatus)
	b = append(b, `,"ext_order_no":`...)
	b = appendJSONString(b, o.ExtOrderNo)
	b = append(b, `,"ext_order_status_name":`...)
	b = appendJSONString(b, o.ExtOrderStatusName)
	b = append(b, `,"subtotal":`...)
	b = appendJSONDecimal(b, o.Subtotal)
	b = append(b, `,"discount":`...)
	b = appendJSONDecimal(b, o.Discount)
	b = append(b, `,"total":`...)
	b = appendJSONDecimal(b, o.Total)
	b = append(b, `,"created_at":`...)
	b = appendJSONTime(b, o.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, o.UpdatedAt)
	return append(b, '}')
}

// appendJSON appends the JSON form of l, as encoding/json would write it
// (UnitRatio is json:"-"). OrderLine is not a JSONAppender of its own: no
// answer is a bare line or a page of them.
func (l *OrderLine) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, l.ID, 10)
	b = append(b, `,"product_id":`...)
	b = strconv.AppendInt(b, l.ProductID, 10)
	b = append(b, `,"qty":`...)
	b = appendJSONDecimal(b, l.Qty)
	b = append(b, `,"unit":`...)
	b = appendJSONString(b, l.Unit)
	b = append(b, `,"price":`...)
	b = appendJSONDecimal(b, l.Price)
	b = append(b, `,"item_disc_percent":`...)
	b = appendJSONString(b, l.ItemDiscPercent)
	b = append(b, `,"item_disc_amount":`...)
	b = appendJSONDecimal(b, l.ItemDiscAmount)
	b = append(b, `,"description":`...)
	b = appendJSONString(b, l.Description)
	b = append(b, `,"ext_order_line_id":`...)
	if l.ExtOrderLineID == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *l.ExtOrderLineID, 10)
	}
	b = append(b, `,"gross":`...)
	b = appendJSONDecimal(b, l.Gross)
	b = append(b, `,"discount":`...)
	b = appendJSONDecimal(b, l.Discount)
	b = append(b, `,"net":`...)
	b = appendJSONDecimal(b, l.Net)
	return append(b, '}')
}

// AppendJSON appends the JSON form of p, as encoding/json would write it.
func (p *Product) AppendJSON(b []byte) []byte {
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
	b = appendJSONDecimal(b, p.QtyOnHand)
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
			b = appendJSONDecimal(b, u.Price)
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

// AppendJSON appends the JSON form of the page when its rows can append
// their own; ok is false when they cannot. A nil Data is null, as
// encoding/json writes it (the store always returns a non-nil slice).
func (p *Page[T]) AppendJSON(b []byte) (out []byte, ok bool) {
	if p.Data == nil {
		b = append(b, `{"data":null`...)
		return p.appendRest(b), true
	}
	b = append(b, `{"data":[`...)
	for i := range p.Data {
		a, isAppender := any(&p.Data[i]).(JSONAppender)
		if !isAppender {
			return b, false
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = a.AppendJSON(b)
	}
	b = append(b, ']')
	return p.appendRest(b), true
}

// appendRest appends the page's fields after data, and its closing brace.
func (p *Page[T]) appendRest(b []byte) []byte {
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
func appendJSONCheck(b []byte, c *VisitCheck) []byte {
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
func appendJSONLocation(b []byte, l *Location) []byte {
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

// appendJSONDecimal writes d as encoding/json does, that is d.MarshalJSON,
// which is d.String(): the normalized value in plain notation, no exponent
// and no trailing zeros (3500, 1.5, -0.05, 0). That is always a valid JSON
// number with nothing to escape, so encoding/json's compaction of it leaves
// it as it is. A coefficient of up to 18 digits (every real amount) is
// written straight from its int64, without the big.Int arithmetic and the
// strings of String; a longer one goes through String.
func appendJSONDecimal(b []byte, d Decimal) []byte {
	if d.d.NumDigits() > 18 {
		return append(b, d.String()...)
	}
	c, e := d.d.CoefficientInt64(), d.d.Exponent()
	if c == 0 {
		return append(b, '0')
	}
	// Normalize: strip the coefficient's trailing zeros into the exponent,
	// stopping where shopspring's Normalize does.
	for c%10 == 0 && e < math.MaxInt32 {
		c /= 10
		e++
	}
	if c < 0 {
		b = append(b, '-')
		c = -c // |c| < 10^18: no overflow
	}
	var buf [20]byte
	digits := strconv.AppendInt(buf[:0], c, 10)
	if e >= 0 {
		b = append(b, digits...)
		for ; e > 0; e-- {
			b = append(b, '0')
		}
		return b
	}
	places := -int64(e)
	if n := int64(len(digits)); n > places {
		b = append(b, digits[:n-places]...)
		b = append(b, '.')
		return append(b, digits[n-places:]...)
	}
	b = append(b, '0', '.')
	for z := places - int64(len(digits)); z > 0; z-- {
		b = append(b, '0')
	}
	return append(b, digits...)
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
