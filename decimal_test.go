package salesmania_test

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/salesmania/salesmania"
)

func TestParseDecimal(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct{ in, want string }{
			{"0", "0"},
			{"-0", "0"},
			{"-0.000", "0"},
			{"3500", "3500"},
			{"1.50", "1.5"},
			{"100.00", "100"},
			{"0.0001", "0.0001"},
			{"0.000100", "0.0001"},
			{"-12.340", "-12.34"},
			{"007", "7"},
			{"130000", "130000"},
			{"123456789012345678901234567890.123456789", "123456789012345678901234567890.123456789"},
		} {
			t.Run(tt.in, func(t *testing.T) {
				d, err := salesmania.ParseDecimal(tt.in)
				if err != nil {
					t.Fatalf("ParseDecimal(%q): %v", tt.in, err)
				}
				if got := d.String(); got != tt.want {
					t.Errorf("ParseDecimal(%q).String() = %q, want %q", tt.in, got, tt.want)
				}
			})
		}
	})
	t.Run("Err", func(t *testing.T) {
		for _, in := range []string{
			"", "-", ".", "5.", ".5", "+5", "--5", "1e3", "1E3", "1.5e-2", " 5", "5 ", "1,5",
			"NaN", "Infinity", "0x10", "1.2.3", "−5", "١٠", "５",
		} {
			t.Run(in, func(t *testing.T) {
				d, err := salesmania.ParseDecimal(in)
				if err == nil {
					t.Fatalf("ParseDecimal(%q) = %v, want error", in, d)
				}
				if code := salesmania.ErrorCode(err); code != salesmania.EINVALID {
					t.Errorf("ErrorCode = %q, want %q", code, salesmania.EINVALID)
				}
			})
		}
	})
}

func TestMustDecimal(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		if got := salesmania.MustDecimal("2.50").String(); got != "2.5" {
			t.Errorf("MustDecimal(2.50) = %q, want 2.5", got)
		}
	})
	t.Run("ErrPanics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("MustDecimal(1e3) did not panic")
			}
		}()
		salesmania.MustDecimal("1e3")
	})
}

func TestDecimalFromInt(t *testing.T) {
	for _, tt := range []struct {
		in   int64
		want string
	}{
		{0, "0"},
		{-42, "-42"},
		{130000, "130000"},
		{9223372036854775807, "9223372036854775807"},
		{-9223372036854775808, "-9223372036854775808"},
	} {
		if got := salesmania.DecimalFromInt(tt.in).String(); got != tt.want {
			t.Errorf("DecimalFromInt(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecimalZeroValue(t *testing.T) {
	var d salesmania.Decimal
	if !d.IsZero() || d.String() != "0" || d.Sign() != 0 || d.Places() != 0 || !d.IsInteger() {
		t.Errorf("zero Decimal = %q (IsZero %v, Sign %d, Places %d)", d.String(), d.IsZero(), d.Sign(), d.Places())
	}
	if got := d.Add(salesmania.MustDecimal("1.5")).String(); got != "1.5" {
		t.Errorf("0 + 1.5 = %q", got)
	}
}

// TestDecimalStringIgnoresLibrarySwitches makes sure the API's numbers do not
// change when some package flips shopspring's global formatting switches.
// It must not run in parallel with other tests of this package.
func TestDecimalStringIgnoresLibrarySwitches(t *testing.T) {
	sci, trim := decimal.UseScientificNotation, decimal.TrimTrailingZeros
	t.Cleanup(func() { decimal.UseScientificNotation, decimal.TrimTrailingZeros = sci, trim })
	decimal.UseScientificNotation, decimal.TrimTrailingZeros = true, false

	for _, tt := range []struct{ in, want string }{
		{"1500", "1500"},
		{"1.50", "1.5"},
		{"130000.000", "130000"},
		{"0.0001", "0.0001"},
	} {
		d := salesmania.MustDecimal(tt.in)
		if got := d.String(); got != tt.want {
			t.Errorf("String(%s) = %q, want %q", tt.in, got, tt.want)
		}
		if got, _ := d.MarshalJSON(); string(got) != tt.want {
			t.Errorf("MarshalJSON(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if got := salesmania.MustDecimal("1500").Mul(salesmania.MustDecimal("1000")).String(); got != "1500000" {
		t.Errorf("1500 × 1000 = %q, want 1500000", got)
	}
}

// TestDecimalAppend checks that Append writes String's text, on the fast
// path (up to 18 digits) and past it, for normalized values and for those
// arithmetic leaves unnormalized.
func TestDecimalAppend(t *testing.T) {
	var ds []salesmania.Decimal
	for _, s := range []string{"0", "0.000", "1", "-1", "130000", "1.50", "-0.05", "0.0001", "12.3400", "999999999999999999",
		"-999999999999999999", "1000000000000000000", "99999999999999999.9", "0.999999999999999999", "123456789012345678901234567890.123"} {
		d := salesmania.MustDecimal(s)
		ds = append(ds, d, d.Mul(salesmania.MustDecimal("1.000")), d.Round2(), d.Mul(salesmania.DecimalFromInt(10)))
	}
	ds = append(ds, salesmania.Decimal{}, salesmania.DecimalFromInt(-9223372036854775808), salesmania.DecimalFromInt(9223372036854775807))
	for _, d := range ds {
		if got, want := string(d.Append([]byte("x="))), "x="+d.String(); got != want {
			t.Errorf("Append = %q; want %q", got, want)
		}
	}
}

func TestDecimalUnmarshalJSON(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct{ in, want string }{
			{"130000", "130000"},
			{"0.1", "0.1"},
			{"1.5", "1.5"},
			{"1.50", "1.5"},
			{"0", "0"},
			{"-0", "0"},
			{"-0.0e5", "0"},
			{"-7.25", "-7.25"},
			{"1e3", "1000"},
			{"1.5E+2", "150"},
			{"25e-1", "2.5"},
			{"1e-30", "0.000000000000000000000000000001"},
			{"1e29", "100000000000000000000000000000"},
			{"123456789012345678901234567890", "123456789012345678901234567890"},
			{"-123456789012345678901234567890", "-123456789012345678901234567890"},
			{"0.123456789012345678901234567890", "0.12345678901234567890123456789"},
			{"1.000000000000000000000000000000000000", "1"},                                          // 36 places, all trailing zeros
			{"1234567890.12345678901234567890123456789", "1234567890.12345678901234567890123456789"}, // 40 bytes
			{"0e30", "0"},
			{"0e-31", "0"},
		} {
			t.Run(tt.in, func(t *testing.T) {
				var d salesmania.Decimal
				if err := d.UnmarshalJSON([]byte(tt.in)); err != nil {
					t.Fatalf("UnmarshalJSON(%s): %v", tt.in, err)
				}
				if got := d.String(); got != tt.want {
					t.Errorf("UnmarshalJSON(%s) = %q, want %q", tt.in, got, tt.want)
				}
			})
		}
	})
	t.Run("Err", func(t *testing.T) {
		for _, tt := range []struct{ name, in, value string }{
			{"ErrQuoted", `"5"`, "string"},
			{"ErrEmptyString", `""`, "string"},
			{"ErrTrue", `true`, "bool"},
			{"ErrFalse", `false`, "bool"},
			{"ErrNull", `null`, "null"},
			{"ErrArray", `[1]`, "array"},
			{"ErrObject", `{}`, "object"},
			{"ErrEmpty", ``, "nothing"},
			{"ErrTooLong", "1." + strings.Repeat("0", 38) + "1", "number longer than 40 bytes"},
			{"ErrTooManyIntegerDigits", "1234567890123456789012345678901", "number 1234567890123456789012345678901 (over 30 digits before the point)"},
			{"ErrExponentTooLarge", "1e30", "number 1e30 (over 30 digits before the point)"},
			{"ErrExponentHuge", "1e999999", "number 1e999999 (out of range)"},
			{"ErrZeroExponentHuge", "0e999999", "number 0e999999 (out of range)"},
			{"ErrExponentOverflow", "1e99999999999999999999", "number 1e99999999999999999999 (out of range)"},
			{"ErrTooManyPlaces", "1e-31", "number 1e-31 (over 30 decimal places)"},
			{"ErrTooManyPlacesPlain", "0.1234567890123456789012345678901", "number 0.1234567890123456789012345678901 (over 30 decimal places)"},
			{"ErrLeadingZero", "01", `invalid number "01"`},
			{"ErrLeadingPoint", ".5", `invalid number ".5"`},
			{"ErrTrailingPoint", "5.", `invalid number "5."`},
			{"ErrPlus", "+5", `invalid number "+5"`},
			{"ErrBareExponent", "1e", `invalid number "1e"`},
			{"ErrDoubleMinus", "--1", `invalid number "--1"`},
			{"ErrSpace", " 5", `invalid number " 5"`},
			{"ErrNaN", "NaN", `invalid number "NaN"`},
			{"ErrInfinity", "-Infinity", `invalid number "-Infinity"`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				d := salesmania.MustDecimal("42")
				err := d.UnmarshalJSON([]byte(tt.in))
				var typ *json.UnmarshalTypeError
				if !errors.As(err, &typ) {
					t.Fatalf("UnmarshalJSON(%s) = %v, want *json.UnmarshalTypeError", tt.in, err)
				}
				if typ.Value != tt.value {
					t.Errorf("Value = %q, want %q", typ.Value, tt.value)
				}
				if typ.Type != reflect.TypeFor[salesmania.Decimal]() {
					t.Errorf("Type = %v, want salesmania.Decimal", typ.Type)
				}
				if d.String() != "42" {
					t.Errorf("failed UnmarshalJSON changed the value to %s", d)
				}
			})
		}
	})
}

func TestDecimalJSON(t *testing.T) {
	type line struct {
		Qty   salesmania.Decimal  `json:"qty"`
		Price salesmania.Decimal  `json:"price"`
		Paid  *salesmania.Decimal `json:"paid"`
	}
	t.Run("OKRoundTrip", func(t *testing.T) {
		in := `{"qty":2,"price":130000,"paid":0.1}`
		var l line
		if err := json.Unmarshal([]byte(in), &l); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != in {
			t.Errorf("round trip = %s, want %s", out, in)
		}
	})
	t.Run("OKNullPointer", func(t *testing.T) {
		var l line
		if err := json.Unmarshal([]byte(`{"qty":1.50,"price":0,"paid":null}`), &l); err != nil {
			t.Fatal(err)
		}
		if l.Paid != nil || l.Qty.String() != "1.5" {
			t.Errorf("got qty %s paid %v, want 1.5 and nil", l.Qty, l.Paid)
		}
		out, _ := json.Marshal(l)
		if want := `{"qty":1.5,"price":0,"paid":null}`; string(out) != want {
			t.Errorf("Marshal = %s, want %s", out, want)
		}
	})
	t.Run("ErrQuotedNamesField", func(t *testing.T) {
		var l line
		err := json.Unmarshal([]byte(`{"qty":2,"price":"5"}`), &l)
		var typ *json.UnmarshalTypeError
		if !errors.As(err, &typ) {
			t.Fatalf("err = %v, want *json.UnmarshalTypeError", err)
		}
		if typ.Field != "price" || typ.Value != "string" {
			t.Errorf("Field %q Value %q, want price and string", typ.Field, typ.Value)
		}
	})
	t.Run("ErrNullNonPointer", func(t *testing.T) {
		var l line
		err := json.Unmarshal([]byte(`{"qty":null}`), &l)
		var typ *json.UnmarshalTypeError
		if !errors.As(err, &typ) || typ.Field != "qty" || typ.Value != "null" {
			t.Errorf("err = %v, want a type error for qty with Value null", err)
		}
	})
	t.Run("ErrTooLargeNamesField", func(t *testing.T) {
		var l line
		err := json.Unmarshal([]byte(`{"qty":1e40}`), &l)
		var typ *json.UnmarshalTypeError
		if !errors.As(err, &typ) || typ.Field != "qty" {
			t.Errorf("err = %v, want a type error for qty", err)
		}
	})
}

func TestDecimalScan(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			src  any
			want string
		}{
			{"String", "130000.50", "130000.5"},
			{"Bytes", []byte("-0.0001"), "-0.0001"},
			{"Int64", int64(3500), "3500"},
			{"PostgresNumeric", "222300.0000", "222300"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var d salesmania.Decimal
				if err := d.Scan(tt.src); err != nil {
					t.Fatalf("Scan(%v): %v", tt.src, err)
				}
				if got := d.String(); got != tt.want {
					t.Errorf("Scan(%v) = %q, want %q", tt.src, got, tt.want)
				}
			})
		}
	})
	t.Run("Err", func(t *testing.T) {
		for _, tt := range []struct {
			name string
			src  any
		}{
			{"ErrFloat64", 0.1},
			{"ErrNull", nil},
			{"ErrBool", true},
			{"ErrNaN", "NaN"},
			{"ErrExponent", "1e3"},
			{"ErrText", "abc"},
			{"ErrEmpty", []byte{}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var d salesmania.Decimal
				err := d.Scan(tt.src)
				if err == nil {
					t.Fatalf("Scan(%v) = %s, want error", tt.src, d)
				}
				if code := salesmania.ErrorCode(err); code != salesmania.EINTERNAL {
					t.Errorf("ErrorCode = %q, want %q: a bad stored value is internal", code, salesmania.EINTERNAL)
				}
			})
		}
	})
}

func TestDecimalValue(t *testing.T) {
	var _ sql.Scanner = (*salesmania.Decimal)(nil)
	var _ driver.Valuer = salesmania.Decimal{}
	for _, tt := range []struct{ in, want string }{
		{"130000", "130000"},
		{"1.50", "1.5"},
		{"-0.0001", "-0.0001"},
	} {
		v, err := salesmania.MustDecimal(tt.in).Value()
		if err != nil {
			t.Fatal(err)
		}
		if v != tt.want {
			t.Errorf("Value(%s) = %#v, want %q", tt.in, v, tt.want)
		}
		var back salesmania.Decimal
		if err := back.Scan(v); err != nil || back.Cmp(salesmania.MustDecimal(tt.in)) != 0 {
			t.Errorf("Scan(Value(%s)) = %s, %v", tt.in, back, err)
		}
	}
}

func TestDecimalArithmetic(t *testing.T) {
	d := salesmania.MustDecimal
	for _, tt := range []struct {
		name string
		got  salesmania.Decimal
		want string
	}{
		{"AddExact", d("0.1").Add(d("0.2")), "0.3"},
		{"AddNegative", d("5").Add(d("-7.5")), "-2.5"},
		{"SubExact", d("1").Sub(d("0.9")), "0.1"},
		{"SubToZero", d("1.50").Sub(d("1.5")), "0"},
		{"MulExact", d("1.1").Mul(d("1.1")), "1.21"},
		{"MulQtyPrice", d("2").Mul(d("130000")), "260000"},
		{"MulFourPlaces", d("1.2345").Mul(d("9.8765")), "12.19253925"},
		{"MulLarge", d("1000000000").Mul(d("1000000")), "1000000000000000"},
		{"MulLargeFractions", d("999999999999.9999").Mul(d("999999.9999")), "999999999899999900.00000001"},
		{"MulBeyondInt64", d("9223372036854775807").Mul(d("9223372036854775807")), "85070591730234615847396907784232501249"},
		{"AddBeyondInt64", d("9223372036854775807").Add(d("1")), "9223372036854775808"},
	} {
		if got := tt.got.String(); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDecimalCompare(t *testing.T) {
	d := salesmania.MustDecimal
	for _, tt := range []struct {
		a, b string
		cmp  int
	}{
		{"1.5", "1.50", 0},
		{"0", "-0", 0},
		{"1", "2", -1},
		{"-1", "-2", 1},
		{"0.0001", "0", 1},
		{"100000000000000000000000000001", "100000000000000000000000000000", 1},
	} {
		if got := d(tt.a).Cmp(d(tt.b)); got != tt.cmp {
			t.Errorf("Cmp(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.cmp)
		}
	}
	for _, tt := range []struct {
		in       string
		sign     int
		zero     bool
		negative bool
	}{
		{"0", 0, true, false},
		{"-0.00", 0, true, false},
		{"0.0001", 1, false, false},
		{"-0.0001", -1, false, true},
		{"130000", 1, false, false},
	} {
		v := d(tt.in)
		if v.Sign() != tt.sign || v.IsZero() != tt.zero || v.IsNegative() != tt.negative {
			t.Errorf("%s: Sign %d IsZero %v IsNegative %v, want %d %v %v",
				tt.in, v.Sign(), v.IsZero(), v.IsNegative(), tt.sign, tt.zero, tt.negative)
		}
	}
}

func TestDecimalRound2(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"0.005", "0.01"},
		{"-0.005", "-0.01"},
		{"1.234999", "1.23"},
		{"-1.234999", "-1.23"},
		{"2.675", "2.68"},
		{"-2.675", "-2.68"},
		{"0.125", "0.13"}, // half-even would give 0.12
		{"-0.125", "-0.13"},
		{"1.005", "1.01"},
		{"0.0049999", "0"},
		{"-0.0049999", "0"},
		{"2.5", "2.5"},
		{"12", "12"},
		{"1.994", "1.99"},
		{"1.995", "2"},
		{"-1.995", "-2"},
		{"999999999999999999999999999999.995", "1000000000000000000000000000000"},
		{"0.563985", "0.56"},
	} {
		if got := salesmania.MustDecimal(tt.in).Round2().String(); got != tt.want {
			t.Errorf("Round2(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecimalPlaces(t *testing.T) {
	for _, tt := range []struct {
		in      string
		places  int32
		integer bool
	}{
		{"0", 0, true},
		{"3500", 0, true},
		{"1.000", 0, true},
		{"2.00", 0, true},
		{"-3", 0, true},
		{"1.50", 1, false},
		{"0.0001", 4, false},
		{"12.3456", 4, false},
		{"-0.12345", 5, false},
		{"100000000000000000000000000000.5", 1, false},
	} {
		d := salesmania.MustDecimal(tt.in)
		if got := d.Places(); got != tt.places {
			t.Errorf("Places(%s) = %d, want %d", tt.in, got, tt.places)
		}
		if got := d.IsInteger(); got != tt.integer {
			t.Errorf("IsInteger(%s) = %v, want %v", tt.in, got, tt.integer)
		}
	}
	if got := salesmania.DecimalFromInt(100000).Places(); got != 0 {
		t.Errorf("Places(100000) = %d, want 0", got)
	}
}

// FuzzDecimalJSON checks that UnmarshalJSON never panics, accepts only valid
// JSON numbers, and that what it accepts marshals to a number it reads back
// to the same value in the same canonical form.
func FuzzDecimalJSON(f *testing.F) {
	for _, s := range []string{
		"0", "-0", "130000", "0.1", "1.50", "1e3", "1.5E+2", "25e-1", "1e-30", "1e29", "1e30",
		`"5"`, "true", "null", "[]", "01", ".5", "5.", "+5", "1e", "1e99999999999",
		"123456789012345678901234567890", "-9.99999999999999999999999999999e29",
		"0.000000000000000000000000000000000001e10",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var d salesmania.Decimal
		if err := d.UnmarshalJSON(data); err != nil {
			var typ *json.UnmarshalTypeError
			if !errors.As(err, &typ) {
				t.Fatalf("UnmarshalJSON(%q) error %T, want *json.UnmarshalTypeError", data, err)
			}
			return
		}
		if !json.Valid(data) || len(data) > salesmania.MaxNumberBytes {
			t.Fatalf("UnmarshalJSON accepted %q, which is not a JSON number within bounds", data)
		}
		if d.Places() > salesmania.MaxDecimalPlaces {
			t.Fatalf("UnmarshalJSON(%q) has %d places", data, d.Places())
		}
		out, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != d.String() || !json.Valid(out) {
			t.Fatalf("MarshalJSON(%q) = %q, String %q", data, out, d.String())
		}
		var back salesmania.Decimal
		if err := back.UnmarshalJSON(out); err != nil {
			t.Fatalf("UnmarshalJSON(MarshalJSON(%q) = %q): %v", data, out, err)
		}
		if back.Cmp(d) != 0 || back.String() != d.String() {
			t.Fatalf("round trip of %q: %s, want %s", data, back, d)
		}
		if p, err := salesmania.ParseDecimal(string(out)); err != nil || p.Cmp(d) != 0 {
			t.Fatalf("ParseDecimal(%q) = %s, %v", out, p, err)
		}
	})
}

func TestDecimalSignificantDigits(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"0", 0}, {"0.000", 0}, {"1", 1}, {"1000", 1}, {"0.001", 1}, {"1.25", 3}, {"1.2500", 3}, {"-1200", 2},
		{"1234.5678", 8}, {"10.10", 3}, {"99999999999.9999", 15}, {"9999999.99999999", 15}, {"100000000000000000000.5", 22},
	} {
		if got := salesmania.MustDecimal(tt.in).SignificantDigits(); got != tt.want {
			t.Errorf("%s: %d significant digits, want %d", tt.in, got, tt.want)
		}
	}
}
