package salesmania

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// The API's most-read bodies are customers and pages of them, so Customer
// writes its own JSON instead of going through encoding/json's reflection.
// The bytes are exactly what encoding/json writes (a test holds them to it).

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
	if c.Location == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"lat":`...)
		b = appendJSONFloat(b, c.Location.Lat)
		b = append(b, `,"lon":`...)
		b = appendJSONFloat(b, c.Location.Lon)
		b = append(b, '}')
	}
	b = append(b, `,"status":`...)
	b = strconv.AppendBool(b, c.Status)
	b = append(b, `,"tags":`...)
	if c.Tags == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, t := range c.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, t)
		}
		b = append(b, ']')
	}
	b = append(b, `,"created_at":`...)
	b = appendJSONTime(b, c.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b = appendJSONTime(b, c.UpdatedAt)
	return append(b, '}')
}

// AppendJSON appends the JSON form of the page when its rows can append
// their own; ok is false when they cannot.
func (p *Page[T]) AppendJSON(b []byte) (out []byte, ok bool) {
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
	b = append(b, `],"next_cursor":`...)
	if p.NextCursor == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *p.NextCursor)
	}
	if p.Total != nil {
		b = append(b, `,"total":`...)
		b = strconv.AppendInt(b, *p.Total, 10)
	}
	return append(b, '}'), true
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
