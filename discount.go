package salesmania

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// The limits of a discount expression (API §6.1).
const (
	MaxDiscountParts  = 5 // percentages in one expression
	MaxDiscountPlaces = 4 // decimal places of one percentage
)

// The messages of a bad discount expression. The caller names the field.
const (
	msgDiscountSyntax = `must be percentages 0..100 joined by + (like "10+5"), at most 5 parts`
	msgDiscountParts  = `must have at most 5 percentages joined by +`
	msgDiscountRange  = `must have every percentage between 0 and 100`
	msgDiscountPlaces = `must have at most 4 decimal places in every percentage`
)

// Discount is a parsed discount expression such as "10+5": percentages applied
// one after another, so "10+5" takes 10% off and then 5% off what is left
// (14.5% in all, not 15%). The zero value is no discount.
type Discount struct {
	parts []Decimal
	// rate is 1 − Π(1 − p/100), the exact fraction of a gross the whole
	// cascade takes off, computed once so Apply is one multiplication.
	rate Decimal
}

// ParseDiscount parses a discount expression (API §6.1): one to
// MaxDiscountParts percentages joined by "+", each from 0 to 100 with at most
// MaxDiscountPlaces decimal places. Surrounding whitespace is ignored, around
// the whole expression and around each "+", so " 10 + 5 " is "10+5". The
// empty expression is no discount; so are "0" and "0+0" (IsZero).
//
// A percentage is ASCII digits, optionally a point and more digits: "5." and
// ".5" are errors, as are signs ("-5", "+5"), exponents ("1e1"), empty parts
// ("10+", "10++5") and spaces inside a number ("1 0"). Leading zeros and
// trailing zeros after the point are harmless and dropped ("05.50" is 5.5), so
// they do not count towards the decimal places either.
//
// The error is an EINVALID *Error whose message suits a field, such as
// `must be percentages 0..100 joined by + (like "10+5"), at most 5 parts`.
func ParseDiscount(expr string) (Discount, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return Discount{}, nil
	}
	n := strings.Count(expr, "+") + 1
	if n > MaxDiscountParts {
		return Discount{}, Errorf(EINVALID, msgDiscountParts)
	}
	parts := make([]Decimal, 0, n)
	one := decimal.NewFromInt(1)
	keep := one // Π(1 − p/100), exact: p/100 is a shift of the point
	for s := range strings.SplitSeq(expr, "+") {
		p, msg := parsePercent(strings.TrimSpace(s))
		if msg != "" {
			return Discount{}, Errorf(EINVALID, "%s", msg)
		}
		parts = append(parts, p)
		keep = keep.Mul(one.Sub(p.d.Shift(-2)))
	}
	return Discount{parts: parts, rate: Decimal{one.Sub(keep).Normalize()}}, nil
}

// parsePercent parses one percentage of an expression, or returns the message
// saying why it is not one.
func parsePercent(s string) (Decimal, string) {
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if !allDigits(intPart) || hasPoint && !allDigits(frac) {
		return Decimal{}, msgDiscountSyntax
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > MaxDiscountPlaces {
		return Decimal{}, msgDiscountPlaces
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > 3 { // over 999, and it cannot overflow below
		return Decimal{}, msgDiscountRange
	}
	// units counts ten-thousandths of a percent, so 12.5 is 125000.
	var units int64
	for _, c := range []byte(intPart + frac + strings.Repeat("0", MaxDiscountPlaces-len(frac))) {
		units = units*10 + int64(c-'0')
	}
	if units > 100*10_000 {
		return Decimal{}, msgDiscountRange
	}
	return Decimal{decimal.New(units, -MaxDiscountPlaces).Normalize()}, ""
}

// String returns the canonical form of the expression: each percentage in
// Decimal's plain notation joined by "+" without spaces, so " 10.0 + 05 " is
// "10+5". The zero value is "". Zero percentages are kept ("0+0" stays
// "0+0"), so a client gets back the parts it sent.
func (d Discount) String() string {
	s := make([]string, len(d.parts))
	for i, p := range d.parts {
		s[i] = p.String()
	}
	return strings.Join(s, "+")
}

// IsZero reports whether d takes nothing off: the empty expression and any
// expression whose percentages are all 0, such as "0+0". The API treats those
// as "no discount" when a percentage and an amount must not both be set.
func (d Discount) IsZero() bool {
	// The rate is 0 exactly when every part is, since each part below 100
	// multiplies what is kept by less than 1.
	return d.rate.IsZero()
}

// Parts returns the percentages of d in order, as numbers from 0 to 100. The
// slice is a copy the caller may change.
func (d Discount) Parts() []Decimal { return slices.Clone(d.parts) }

// Apply returns the exact, unrounded amount the cascade takes off gross:
// gross − gross × (1 − p1/100) × (1 − p2/100) …. Rounding is the caller's,
// at the point API §9 states. For gross ≥ 0 the result is between 0 and gross.
func (d Discount) Apply(gross Decimal) Decimal {
	return gross.Mul(d.rate)
}

// ValidateDiscountExpr checks the discount expression of field: it trims and
// parses expr and returns its canonical String. When expr is not a valid
// expression it adds the reason to p under field and returns "".
func ValidateDiscountExpr(p *Problems, field, expr string) string {
	d, err := ParseDiscount(expr)
	if err != nil {
		p.Add(field, ErrorMessage(err))
		return ""
	}
	return d.String()
}
