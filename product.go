package salesmania

import (
	"slices"
	"strings"
	"time"
)

// ProductUnit is a unit a product is sold in: its name, its price, and how
// many of the base unit (ratio 1) it holds (§4).
type ProductUnit struct {
	Name  string  `json:"name"`
	Price Decimal `json:"price"`
	Ratio int64   `json:"ratio"`
}

// Product is an item the teams sell (§4). Its JSON form is the contract's
// product object.
type Product struct {
	ID             int64         `json:"id"`
	DBID           int64         `json:"-"`
	Name           string        `json:"name"`
	Description    string        `json:"description"`
	SKU            string        `json:"sku"`
	Tags           []string      `json:"tags"`
	Status         bool          `json:"status"`
	ExtProductCode string        `json:"ext_product_code"`
	DefaultDisc    string        `json:"default_disc"`
	QtyOnHand      Decimal       `json:"qty_on_hand"`
	ProductUnits   []ProductUnit `json:"product_units"`
	CreatedAt      time.Time     `json:"created_at"`
	UpdatedAt      time.Time     `json:"updated_at"`
}

// Unit returns the product's unit with that name, compared
// case-insensitively, as unit names are unique that way.
func (p *Product) Unit(name string) (ProductUnit, bool) {
	for _, u := range p.ProductUnits {
		if strings.EqualFold(u.Name, name) {
			return u, true
		}
	}
	return ProductUnit{}, false
}

// Limits of a product's numbers and units.
const (
	MaxProductUnits = 20
	// MaxAmountPlaces is the most decimal places of a price or quantity (§9).
	MaxAmountPlaces = 4
	// MaxAmountDigits bounds the integer digits of a price, quantity or
	// amount of money a client sends, so that with MaxAmountPlaces it has at
	// most MaxSignificantDigits digits: at most 99 999 999 999.9999.
	MaxAmountDigits = 11
	// MaxSignificantDigits is the most significant digits of any amount the
	// API accepts or computes. A decimal of up to 15 significant digits
	// survives a round trip through a binary float64 unchanged (it is read
	// as the nearest float64, which prints back as the same digits), so
	// clients that read JSON numbers as floats (JavaScript, Python's json,
	// jq, a Go float64) see every amount exactly; the server itself never
	// uses floats for them.
	MaxSignificantDigits = 15
	// MaxLineGrossDigits bounds the integer digits of an order line's
	// gross (qty × price), so that the subtotal of MaxOrderLines lines stays
	// below 5 000 000 000 000 and, with 2 decimals, within
	// MaxSignificantDigits.
	MaxLineGrossDigits = 10
)

// ProductUnitInput is a unit as a client sends it; nil fields were not sent.
// Ratio is a Decimal so 1.5 can be refused with a clear message.
type ProductUnitInput struct {
	Name  *string  `json:"name"`
	Price *Decimal `json:"price"`
	Ratio *Decimal `json:"ratio"`
}

// ProductFields is the body of POST and PATCH /products. A nil field was not
// sent; Nulls names the top-level fields sent as JSON null, which no product
// field accepts.
type ProductFields struct {
	Name           *string             `json:"name"`
	Description    *string             `json:"description"`
	SKU            *string             `json:"sku"`
	Tags           *[]string           `json:"tags"`
	Status         *bool               `json:"status"`
	ExtProductCode *string             `json:"ext_product_code"`
	DefaultDisc    *string             `json:"default_disc"`
	QtyOnHand      *Decimal            `json:"qty_on_hand"`
	ProductUnits   *[]ProductUnitInput `json:"product_units"`
	Nulls          map[string]bool     `json:"-"`
}

// SetNulls records the top-level fields the body sent as JSON null.
func (f *ProductFields) SetNulls(nulls map[string]bool) { f.Nulls = nulls }

// NewProduct returns the product a POST body describes, or EINVALID listing
// every bad field.
func (f *ProductFields) NewProduct() (*Product, error) {
	pr := &Product{Status: true, Tags: []string{}, ProductUnits: []ProductUnit{}}
	var p Problems
	for _, req := range []struct {
		name string
		sent bool
	}{{"name", f.Name != nil}, {"qty_on_hand", f.QtyOnHand != nil}, {"product_units", f.ProductUnits != nil}} {
		if !req.sent && !f.Nulls[req.name] {
			p.Add(req.name, "is required")
		}
	}
	f.apply(pr, &p)
	return pr, p.Err()
}

// ApplyTo changes pr by the fields sent (PATCH: only sent fields change;
// tags and product_units replace the whole list) and reports whether any
// stored value changed; amounts compare as numbers (1.50 is 1.5). On error
// (EINVALID listing every bad field) pr is left as it was.
func (f *ProductFields) ApplyTo(pr *Product) (changed bool, err error) {
	next := *pr
	var p Problems
	f.apply(&next, &p)
	if err := p.Err(); err != nil {
		return false, err
	}
	changed = !sameProduct(pr, &next)
	*pr = next
	return changed, nil
}

// sameProduct reports whether a and b hold the same values in every field
// a client can set.
func sameProduct(a, b *Product) bool {
	return a.Name == b.Name && a.Description == b.Description && a.SKU == b.SKU && slices.Equal(a.Tags, b.Tags) &&
		a.Status == b.Status && a.ExtProductCode == b.ExtProductCode && a.DefaultDisc == b.DefaultDisc &&
		a.QtyOnHand.Cmp(b.QtyOnHand) == 0 &&
		slices.EqualFunc(a.ProductUnits, b.ProductUnits, func(x, y ProductUnit) bool {
			return x.Name == y.Name && x.Price.Cmp(y.Price) == 0 && x.Ratio == y.Ratio
		})
}

func (f *ProductFields) apply(pr *Product, p *Problems) {
	for _, name := range []string{"name", "description", "sku", "tags", "status", "ext_product_code", "default_disc", "qty_on_hand", "product_units"} {
		if f.Nulls[name] {
			p.Add(name, "must not be null")
		}
	}
	setString(p, "name", f.Name, &pr.Name, 1, 200)
	setString(p, "description", f.Description, &pr.Description, 0, 2000)
	setString(p, "sku", f.SKU, &pr.SKU, 0, 100)
	setString(p, "ext_product_code", f.ExtProductCode, &pr.ExtProductCode, 0, 100)
	if f.Status != nil {
		pr.Status = *f.Status
	}
	if f.Tags != nil {
		pr.Tags = cleanTags(p, "tags", *f.Tags)
	}
	if f.DefaultDisc != nil {
		pr.DefaultDisc = ValidateDiscountExpr(p, "default_disc", *f.DefaultDisc)
	}
	if f.QtyOnHand != nil {
		if checkAmount(p, "qty_on_hand", *f.QtyOnHand, true) {
			pr.QtyOnHand = *f.QtyOnHand
		}
	}
	if f.ProductUnits != nil {
		pr.ProductUnits = checkUnits(p, "product_units", *f.ProductUnits)
	}
}

// checkAmount checks a price or quantity: at most MaxAmountPlaces decimal
// places and MaxAmountDigits integer digits, and not negative unless
// negativeOK. It reports whether the amount is good.
func checkAmount(p *Problems, field string, d Decimal, negativeOK bool) bool {
	switch {
	case !negativeOK && d.IsNegative():
		p.Add(field, "must be 0 or more")
	case d.Places() > MaxAmountPlaces:
		p.Add(field, "must have at most "+itoa(MaxAmountPlaces)+" decimal places")
	case d.integerDigits() > MaxAmountDigits:
		p.Add(field, "must have at most "+itoa(MaxAmountDigits)+" digits before the decimal point")
	default:
		return true
	}
	return false
}

func checkUnits(p *Problems, field string, in []ProductUnitInput) []ProductUnit {
	if len(in) == 0 || len(in) > MaxProductUnits {
		p.Add(field, "must have 1 to "+itoa(MaxProductUnits)+" units")
		return nil
	}
	out := make([]ProductUnit, 0, len(in))
	seen := map[string]bool{}
	hasBase := false
	for i, u := range in {
		at := field + "[" + itoa(i) + "]"
		var unit ProductUnit
		if u.Name == nil {
			p.Add(at+".name", "is required")
		} else {
			setString(p, at+".name", u.Name, &unit.Name, 1, 50)
			key := strings.ToLower(unit.Name)
			if unit.Name != "" && seen[key] {
				p.Add(at+".name", "repeats another unit's name (names are compared ignoring case)")
			}
			seen[key] = true
		}
		if u.Price == nil {
			p.Add(at+".price", "is required")
		} else if checkAmount(p, at+".price", *u.Price, false) {
			unit.Price = *u.Price
		}
		switch {
		case u.Ratio == nil:
			p.Add(at+".ratio", "is required")
		case !u.Ratio.IsInteger() || u.Ratio.Sign() < 1 || u.Ratio.integerDigits() > 9:
			p.Add(at+".ratio", "must be a whole number from 1 to 999999999")
		default:
			unit.Ratio = u.Ratio.d.IntPart()
			hasBase = hasBase || unit.Ratio == 1
		}
		out = append(out, unit)
	}
	if !hasBase {
		p.Add(field, "must have a unit with ratio 1 (the base unit)")
	}
	return out
}

// ProductFilter selects products to list (§4). Empty fields do not filter.
type ProductFilter struct {
	ListParams
	// Q is a case-insensitive substring of name, sku, ext_product_code or
	// description.
	Q              string
	Status         *bool
	Tag            string
	SKU            string
	ExtProductCode string
}
