package salesmania_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
)

// partsString writes the parts of d as "[10 5]" for messages and comparisons.
func partsString(d salesmania.Discount) string {
	s := make([]string, 0, len(d.Parts()))
	for _, p := range d.Parts() {
		s = append(s, p.String())
	}
	return "[" + strings.Join(s, " ") + "]"
}

// equalDiscounts reports whether a and b have equal parts in the same order.
func equalDiscounts(a, b salesmania.Discount) bool {
	pa, pb := a.Parts(), b.Parts()
	if len(pa) != len(pb) {
		return false
	}
	for i := range pa {
		if pa[i].Cmp(pb[i]) != 0 {
			return false
		}
	}
	return true
}

func TestParseDiscount(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			name, in, want, parts string
			zero                  bool
		}{
			{"Empty", "", "", "[]", true},
			{"Blank", " \t ", "", "[]", true},
			{"One", "2", "2", "[2]", false},
			{"Two", "10+5", "10+5", "[10 5]", false},
			{"SeedExample", "55.05+3", "55.05+3", "[55.05 3]", false},
			{"SpacesAroundPlus", " 10 + 5 ", "10+5", "[10 5]", false},
			{"TabsAroundPlus", "\t10\t+\t5\t", "10+5", "[10 5]", false},
			{"Canonicalized", "10.0 + 05", "10+5", "[10 5]", false},
			{"LeadingZeros", "007", "7", "[7]", false},
			{"TrailingZerosBeyondFourPlaces", "5.50000", "5.5", "[5.5]", false},
			{"FourPlaces", "12.3456", "12.3456", "[12.3456]", false},
			{"Smallest", "0.0001", "0.0001", "[0.0001]", false},
			{"Hundred", "100", "100", "[100]", false},
			{"HundredWithPlaces", "100.0000", "100", "[100]", false},
			{"AlmostHundred", "99.9999", "99.9999", "[99.9999]", false},
			{"FiveParts", "1+2+3+4+5", "1+2+3+4+5", "[1 2 3 4 5]", false},
			{"ZeroIsNone", "0", "0", "[0]", true},
			{"ZeroPlusZeroIsNone", "0+0", "0+0", "[0 0]", true},
			{"ZeroWithPlaces", "0.0000+00", "0+0", "[0 0]", true},
			{"ZeroPartKept", "10+0", "10+0", "[10 0]", false},
		} {
			t.Run(tt.name, func(t *testing.T) {
				d, err := salesmania.ParseDiscount(tt.in)
				if err != nil {
					t.Fatalf("ParseDiscount(%q): %v", tt.in, err)
				}
				if got := d.String(); got != tt.want {
					t.Errorf("String() = %q, want %q", got, tt.want)
				}
				if got := partsString(d); got != tt.parts {
					t.Errorf("Parts() = %s, want %s", got, tt.parts)
				}
				if got := d.IsZero(); got != tt.zero {
					t.Errorf("IsZero() = %v, want %v", got, tt.zero)
				}
			})
		}
	})
	const (
		msgSyntax = `must be percentages 0..100 joined by + (like "10+5"), at most 5 parts`
		msgParts  = `must have at most 5 percentages joined by +`
		msgRange  = `must have every percentage between 0 and 100`
		msgPlaces = `must have at most 4 decimal places in every percentage`
	)
	t.Run("Err", func(t *testing.T) {
		for _, tt := range []struct{ name, in, msg string }{
			{"ErrTrailingPlus", "10+", msgSyntax},
			{"ErrLeadingPlus", "+5", msgSyntax},
			{"ErrDoublePlus", "10++5", msgSyntax},
			{"ErrOnlyPlus", "+", msgSyntax},
			{"ErrBlankPart", "10+ +5", msgSyntax},
			{"ErrMinus", "-5", msgSyntax},
			{"ErrMinusInside", "10+-5", msgSyntax},
			{"ErrExponent", "1e1", msgSyntax},
			{"ErrPointOnly", ".", msgSyntax},
			{"ErrTrailingPoint", "5.", msgSyntax},
			{"ErrLeadingPoint", ".5", msgSyntax},
			{"ErrTwoPoints", "1.2.3", msgSyntax},
			{"ErrComma", "10,5", msgSyntax},
			{"ErrPercentSign", "10%", msgSyntax},
			{"ErrSpaceInside", "1 0", msgSyntax},
			{"ErrSpaceSeparated", "10 5", msgSyntax},
			{"ErrLetters", "abc", msgSyntax},
			{"ErrHex", "0x10", msgSyntax},
			{"ErrArabicIndicDigits", "١٠", msgSyntax},
			{"ErrFullwidthDigits", "５", msgSyntax},
			{"ErrUnicodeMinus", "−5", msgSyntax},
			{"ErrMultiplySign", "10*5", msgSyntax},
			{"ErrFivePlaces", "10.12345", msgPlaces},
			{"ErrFivePlacesSecondPart", "10+0.00001", msgPlaces},
			{"ErrOverHundred", "100.0001", msgRange},
			{"ErrHundredOne", "101", msgRange},
			{"ErrThousand", "1000", msgRange},
			{"ErrHugeNumber", "99999999999999999999999999", msgRange},
			{"ErrSixParts", "1+2+3+4+5+6", msgParts},
			{"ErrManyPluses", strings.Repeat("+", 100), msgParts},
		} {
			t.Run(tt.name, func(t *testing.T) {
				d, err := salesmania.ParseDiscount(tt.in)
				if err == nil {
					t.Fatalf("ParseDiscount(%q) = %q, want error", tt.in, d)
				}
				var e *salesmania.Error
				if !errors.As(err, &e) || e.Code != salesmania.EINVALID {
					t.Fatalf("err = %#v, want an EINVALID *Error", err)
				}
				if e.Message != tt.msg {
					t.Errorf("message = %q, want %q", e.Message, tt.msg)
				}
			})
		}
	})
}

func TestDiscountApply(t *testing.T) {
	d := salesmania.MustDecimal
	for _, tt := range []struct{ expr, gross, want string }{
		{"10+5", "260000", "37700"},
		{"2", "222300", "4446"},
		{"55.05+3", "1000", "563.985"},
		{"50+50", "100", "75"},
		{"100", "123.45", "123.45"},
		{"100+50", "80", "80"},
		{"10", "0.01", "0.001"},
		{"0.0001", "1", "0.000001"},
		{"12.3456+7.8901", "1000", "192.616198144"},
		{"1+2+3+4+5", "1000000", "141722.272"},
		{"99.9999+99.9999+99.9999+99.9999+99.9999", "1", "0.999999999999999999999999999999"},
		{"0+0", "500", "0"},
		{"", "500", "0"},
		{"10", "0", "0"},
		{"10", "-100", "-10"},
		{"10+5", "1000000000000000", "145000000000000"},
	} {
		t.Run(tt.expr+"/"+tt.gross, func(t *testing.T) {
			disc, err := salesmania.ParseDiscount(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if got := disc.Apply(d(tt.gross)).String(); got != tt.want {
				t.Errorf("ParseDiscount(%q).Apply(%s) = %s, want %s", tt.expr, tt.gross, got, tt.want)
			}
		})
	}
	t.Run("OKZeroValue", func(t *testing.T) {
		var none salesmania.Discount
		if got := none.Apply(d("130000")); !got.IsZero() || !none.IsZero() || none.String() != "" {
			t.Errorf("zero Discount: Apply = %s, IsZero %v, String %q", got, none.IsZero(), none.String())
		}
	})
}

// TestWorkedExample is the example of API §6.1 and the rounding rule of §9:
// line net = round2(gross − exact cascade discount), stored line discount =
// gross − net; order discount = round2(exact cascade on subtotal).
func TestWorkedExample(t *testing.T) {
	d := salesmania.MustDecimal
	lineDisc, err := salesmania.ParseDiscount("10+5")
	if err != nil {
		t.Fatal(err)
	}
	orderDisc, err := salesmania.ParseDiscount("2")
	if err != nil {
		t.Fatal(err)
	}

	gross := d("2").Mul(d("130000"))
	exact := lineDisc.Apply(gross)
	net := gross.Sub(exact).Round2()
	discount := gross.Sub(net)
	subtotal := net
	orderDiscount := orderDisc.Apply(subtotal).Round2()
	total := subtotal.Sub(orderDiscount)

	for _, tt := range []struct {
		name string
		got  salesmania.Decimal
		want string
	}{
		{"gross", gross, "260000"},
		{"exact line discount", exact, "37700"},
		{"net", net, "222300"},
		{"line discount", discount, "37700"},
		{"order discount", orderDiscount, "4446"},
		{"total", total, "217854"},
	} {
		out, err := tt.got.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, out, tt.want)
		}
	}
}

// TestRoundingAfterCascade checks the order of §9: the exact discount is
// subtracted first and the net rounded once, so the stored discount and net
// add up to the gross to the cent.
func TestRoundingAfterCascade(t *testing.T) {
	d := salesmania.MustDecimal
	disc, err := salesmania.ParseDiscount("55.05+3")
	if err != nil {
		t.Fatal(err)
	}
	gross := d("3").Mul(d("333.3333")) // 999.9999
	exact := disc.Apply(gross)         // 563.9849436015
	net := gross.Sub(exact).Round2()   // 436.0149563985 → 436.01
	if got := exact.String(); got != "563.9849436015" {
		t.Errorf("exact discount = %s, want 563.9849436015", got)
	}
	if got := net.String(); got != "436.01" {
		t.Errorf("net = %s, want 436.01", got)
	}
	if got := gross.Sub(net).String(); got != "563.9899" {
		t.Errorf("stored discount = %s, want 563.9899", got)
	}
}

func TestDiscountParts(t *testing.T) {
	disc, err := salesmania.ParseDiscount("10+5")
	if err != nil {
		t.Fatal(err)
	}
	parts := disc.Parts()
	parts[0] = salesmania.DecimalFromInt(99)
	if got := disc.String(); got != "10+5" {
		t.Errorf("changing Parts() changed the discount to %q", got)
	}
}

func TestValidateDiscountExpr(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var p salesmania.Problems
		if got := salesmania.ValidateDiscountExpr(&p, "default_disc", " 10.0 + 05 "); got != "10+5" {
			t.Errorf("ValidateDiscountExpr = %q, want 10+5", got)
		}
		if got := salesmania.ValidateDiscountExpr(&p, "disc_percent", ""); got != "" {
			t.Errorf("ValidateDiscountExpr(\"\") = %q, want \"\"", got)
		}
		if err := p.Err(); err != nil {
			t.Errorf("Problems = %v, want none", err)
		}
	})
	t.Run("ErrAddsProblem", func(t *testing.T) {
		var p salesmania.Problems
		got := salesmania.ValidateDiscountExpr(&p, "ordered_products[1].item_disc_percent", "10+")
		if got != "" {
			t.Errorf("ValidateDiscountExpr = %q, want \"\"", got)
		}
		want := salesmania.FieldError{
			Field:   "ordered_products[1].item_disc_percent",
			Message: `must be percentages 0..100 joined by + (like "10+5"), at most 5 parts`,
		}
		if len(p.Fields) != 1 || p.Fields[0] != want {
			t.Errorf("Problems = %+v, want [%+v]", p.Fields, want)
		}
		if code := salesmania.ErrorCode(p.Err()); code != salesmania.EINVALID {
			t.Errorf("code = %q, want %q", code, salesmania.EINVALID)
		}
	})
}

// FuzzParseDiscount checks that ParseDiscount never panics, that what it
// accepts obeys the rules and survives a round trip through String, and that
// Apply agrees with multiplying the factors one after another and stays
// between 0 and the gross.
func FuzzParseDiscount(f *testing.F) {
	for _, s := range []string{
		"", "0", "0+0", "10+5", "55.05+3", " 10 + 5 ", "10.0 + 05", "100", "100.0001", "101",
		"1+2+3+4+5", "1+2+3+4+5+6", "10+", "+5", "10++5", "-5", "1e1", "5.", ".5", ".",
		"10.12345", "5.50000", "١٠", "99.9999+99.9999",
	} {
		f.Add(s, uint64(26000000))
	}
	hundredth := salesmania.MustDecimal("0.01")
	one := salesmania.DecimalFromInt(1)
	f.Fuzz(func(t *testing.T, expr string, cents uint64) {
		disc, err := salesmania.ParseDiscount(expr)
		if err != nil {
			var e *salesmania.Error
			if !errors.As(err, &e) || e.Code != salesmania.EINVALID || e.Message == "" {
				t.Fatalf("ParseDiscount(%q) error %#v, want an EINVALID *Error", expr, err)
			}
			return
		}
		parts := disc.Parts()
		if len(parts) > salesmania.MaxDiscountParts {
			t.Fatalf("ParseDiscount(%q) has %d parts", expr, len(parts))
		}
		allZero := true
		for _, p := range parts {
			if p.IsNegative() || p.Cmp(salesmania.DecimalFromInt(100)) > 0 || p.Places() > salesmania.MaxDiscountPlaces {
				t.Fatalf("ParseDiscount(%q) has part %s", expr, p)
			}
			allZero = allZero && p.IsZero()
		}
		if disc.IsZero() != allZero {
			t.Fatalf("ParseDiscount(%q).IsZero() = %v with parts %s", expr, disc.IsZero(), partsString(disc))
		}

		canon := disc.String()
		again, err := salesmania.ParseDiscount(canon)
		if err != nil {
			t.Fatalf("ParseDiscount(String() = %q) of %q: %v", canon, expr, err)
		}
		if !equalDiscounts(disc, again) || again.String() != canon {
			t.Fatalf("%q → %q → %q %s", expr, canon, again.String(), partsString(again))
		}

		gross := salesmania.DecimalFromInt(int64(cents >> 1)).Mul(hundredth)
		got := disc.Apply(gross)
		if got.IsNegative() || got.Cmp(gross) > 0 {
			t.Fatalf("ParseDiscount(%q).Apply(%s) = %s, outside 0..gross", expr, gross, got)
		}
		net := gross
		for _, p := range parts {
			net = net.Mul(one.Sub(p.Mul(hundredth)))
		}
		if want := gross.Sub(net); got.Cmp(want) != 0 {
			t.Fatalf("ParseDiscount(%q).Apply(%s) = %s, want %s", expr, gross, got, want)
		}
	})
}

func BenchmarkParseDiscount(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := salesmania.ParseDiscount("55.05+3+2.5"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkApplyDiscount(b *testing.B) {
	disc, err := salesmania.ParseDiscount("55.05+3+2.5")
	if err != nil {
		b.Fatal(err)
	}
	gross := salesmania.MustDecimal("2").Mul(salesmania.MustDecimal("130000.25"))
	b.ReportAllocs()
	for b.Loop() {
		_ = disc.Apply(gross).Round2()
	}
}
