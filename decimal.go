package salesmania

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// The bounds on a number read from JSON. They keep outside input cheap to
// parse and print (no "1e999999" that expands into a megabyte of zeros) while
// leaving room far beyond any real quantity or amount of money.
const (
	// MaxNumberBytes is the longest JSON number token accepted.
	MaxNumberBytes = 40
	// MaxIntegerDigits is the most digits a JSON number may have before the
	// decimal point, once any exponent is applied.
	MaxIntegerDigits = 30
	// MaxDecimalPlaces is the most digits a JSON number may have after the
	// decimal point, once any exponent is applied; trailing zeros do not count.
	MaxDecimalPlaces = 30
)

// Decimal is the exact number type of the project, for money and quantities.
// Values travel from JSON to the database and back without ever passing
// through float64, so 0.1 stays 0.1 and 130000 stays 130000.
//
// The zero value is 0. A Decimal is immutable; every method returns a new
// value. Compare values with Cmp, never with ==, which compares internals.
type Decimal struct{ d decimal.Decimal }

// decimalType is reported in JSON type errors.
var decimalType = reflect.TypeFor[Decimal]()

// DecimalFromInt returns the Decimal equal to n.
func DecimalFromInt(n int64) Decimal { return Decimal{decimal.NewFromInt(n)} }

// ParseDecimal parses the plain notation that String writes and SQL databases
// print: an optional minus sign, ASCII digits, and optionally a point followed
// by more digits ("12", "-3.50", "0.0001"). It rejects exponents, a leading
// plus, spaces, "NaN" and "Infinity", so whatever it accepts is an exact
// finite value. It does not bound the length; callers reading outside input
// should, as UnmarshalJSON does. The error is an EINVALID *Error.
func ParseDecimal(s string) (Decimal, error) {
	if !isPlainDecimal(s) {
		return Decimal{}, Errorf(EINVALID, "must be a decimal number such as 12 or -3.5")
	}
	d, err := decimal.NewFromString(s)
	if err != nil { // unreachable after isPlainDecimal; kept so a library change cannot slip through
		return Decimal{}, Errorf(EINVALID, "must be a decimal number such as 12 or -3.5")
	}
	return Decimal{d}, nil
}

// MustDecimal is ParseDecimal for constants and tests: it panics when s is
// not a plain decimal number.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(fmt.Sprintf("salesmania.MustDecimal(%q): %v", s, err))
	}
	return d
}

// isPlainDecimal reports whether s matches -?[0-9]+(\.[0-9]+)?.
func isPlainDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasPoint := strings.Cut(s, ".")
	return allDigits(intPart) && (!hasPoint || allDigits(frac))
}

// allDigits reports whether s is one or more ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String returns d in plain notation with no exponent and no trailing zeros:
// 3500 is "3500", 1.50 is "1.5", 0 is "0". It ignores the formatting switches
// of the shopspring package, so another package flipping them cannot change
// what the API sends or the database stores.
func (d Decimal) String() string {
	n := d.d.Normalize()
	if e := n.Exponent(); e < 0 {
		return n.StringFixed(-e)
	}
	return n.StringFixed(0)
}

// Append appends the text of String to b: the normalized value in plain
// notation, no exponent and no trailing zeros (3500, 1.5, -0.05, 0), which
// is also d's JSON form. A coefficient of up to 18 digits (every real amount)
// is written straight from its int64, without the big.Int arithmetic and the
// strings of String; a longer one goes through String. The API's own JSON
// encoders use it to write a decimal field without MarshalJSON's copy.
func (d Decimal) Append(b []byte) []byte {
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

// MarshalJSON writes d as a bare JSON number, such as 130000 or 1.5, never as
// a quoted string: the API promises numbers, and clients parse them as such.
func (d Decimal) MarshalJSON() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalJSON reads a JSON number token into d exactly. Anything else is
// rejected, including a quoted number ("5"), a boolean and null (an optional
// field is a pointer, which encoding/json sets to nil without calling this).
// A number longer than MaxNumberBytes, or with more than MaxIntegerDigits
// before or MaxDecimalPlaces after the point once its exponent is applied, is
// rejected too.
//
// Every error is a *json.UnmarshalTypeError whose Type is Decimal, because
// that is the one error type encoding/json fills in with the field's name.
// Its Value says what was found: "string", "bool", "null", "array", "object",
// or "number …" with the reason it is out of range.
func (d *Decimal) UnmarshalJSON(data []byte) error {
	fail := func(value string) error {
		return &json.UnmarshalTypeError{Value: value, Type: decimalType}
	}
	if len(data) == 0 {
		return fail("nothing")
	}
	switch data[0] {
	case '"':
		return fail("string")
	case 't', 'f':
		return fail("bool")
	case 'n':
		return fail("null")
	case '[':
		return fail("array")
	case '{':
		return fail("object")
	}
	if len(data) > MaxNumberBytes {
		return fail(fmt.Sprintf("number longer than %d bytes", MaxNumberBytes))
	}
	s := string(data)
	if !isJSONNumber(s) {
		return fail(fmt.Sprintf("invalid number %q", s))
	}
	v, err := decimal.NewFromString(s)
	if err != nil { // an exponent beyond int32 or shopspring's MaxDecodeExponent
		return fail("number " + s + " (out of range)")
	}
	n := Decimal{v.Normalize()}
	if n.integerDigits() > MaxIntegerDigits {
		return fail(fmt.Sprintf("number %s (over %d digits before the point)", s, MaxIntegerDigits))
	}
	if n.Places() > MaxDecimalPlaces {
		return fail(fmt.Sprintf("number %s (over %d decimal places)", s, MaxDecimalPlaces))
	}
	*d = n
	return nil
}

// isJSONNumber reports whether s is exactly one number token of RFC 8259:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func isJSONNumber(s string) bool {
	i := 0
	digits := func() bool {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case !digits():
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return false
		}
	}
	return i == len(s)
}

// integerDigits returns how many digits d has before the decimal point when
// written out, without leading zeros (0.5 has none), computed from the
// coefficient and exponent so a huge exponent is never expanded.
func (d Decimal) integerDigits() int64 {
	n := d.d.Normalize()
	if n.IsZero() {
		return 0
	}
	return max(int64(n.NumDigits())+int64(n.Exponent()), 0)
}

// SignificantDigits returns how many significant digits d has, leading and
// trailing zeros not counted: 0 for 0, 1 for 1000 and 0.001, 3 for 1.25,
// 8 for 1234.5678. A decimal with at most 15 of them survives a float64
// round trip unchanged (see MaxSignificantDigits).
func (d Decimal) SignificantDigits() int {
	n := d.d.Normalize() // 1000 is 1e3 and 1.50 is 15e-1: no zero is left at the end
	if n.IsZero() {
		return 0
	}
	return n.NumDigits()
}

// Scan implements sql.Scanner. It accepts the text a store wrote with Value
// (string or []byte) and int64, which SQLite returns for integral values in a
// column with numeric affinity. It refuses float64, which cannot hold most
// decimals exactly: such a column must be declared TEXT. NULL is refused as
// well; a nullable column scans into a pointer or sql.Null[Decimal]. The
// error is a plain error, since a bad stored value is an internal fault.
func (d *Decimal) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case int64:
		*d = DecimalFromInt(v)
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
		return errors.New("salesmania: cannot scan NULL into Decimal")
	default:
		return fmt.Errorf("salesmania: cannot scan %T into Decimal exactly; store decimals as TEXT", src)
	}
	v, err := ParseDecimal(s)
	if err != nil {
		return fmt.Errorf("salesmania: cannot scan %q into Decimal: not a plain decimal number", s)
	}
	*d = v
	return nil
}

// Value implements driver.Valuer. It returns the String form, so both SQLite
// and PostgreSQL store the exact value as text or NUMERIC.
func (d Decimal) Value() (driver.Value, error) {
	return d.String(), nil
}

// Add returns d + e, exactly.
func (d Decimal) Add(e Decimal) Decimal { return Decimal{d.d.Add(e.d)} }

// Sub returns d − e, exactly.
func (d Decimal) Sub(e Decimal) Decimal { return Decimal{d.d.Sub(e.d)} }

// Mul returns d × e, exactly: the result has as many decimal places as d and
// e together, so no digit is ever lost.
func (d Decimal) Mul(e Decimal) Decimal { return Decimal{d.d.Mul(e.d)} }

// Cmp returns -1, 0 or +1 as d is less than, equal to or greater than e.
// 1.5 and 1.50 are equal.
func (d Decimal) Cmp(e Decimal) int { return d.d.Cmp(e.d) }

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.d.IsZero() }

// IsNegative reports whether d is below 0.
func (d Decimal) IsNegative() bool { return d.d.IsNegative() }

// Sign returns -1, 0 or +1 as d is negative, zero or positive.
func (d Decimal) Sign() int { return d.d.Sign() }

// Round2 rounds d to 2 decimal places, half away from zero, the rounding the
// API promises for money: 0.005 becomes 0.01 and -0.005 becomes -0.01.
//
// shopspring's Round already rounds half away from zero (it truncates to 3
// places, adds ±0.005 by the sign and truncates toward zero; its RoundBank is
// the half-even one). The tests pin that behaviour, negatives included, so a
// change in the library cannot pass unnoticed.
func (d Decimal) Round2() Decimal { return Decimal{d.d.Round(2)} }

// Places returns the number of decimal places d needs: 0 for 3500 and 1.000,
// 1 for 1.50, 4 for 0.0001. Validators use it for rules such as "up to 4
// decimal places", where trailing zeros do not count.
func (d Decimal) Places() int32 {
	return max(-d.d.Normalize().Exponent(), 0)
}

// IsInteger reports whether d has no fractional part, as 2 and 2.00 have.
func (d Decimal) IsInteger() bool { return d.d.IsInteger() }
