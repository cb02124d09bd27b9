package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
)

// TestAppendCustomer holds appendCustomer and appendPage to the bytes
// encoding/json writes.
func TestAppendCustomer(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "Toko Sumber Rejeki", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\r\x00\x1f", "émoji 🛒 ünïcode",
		"line\u2028sep\u2029", string([]byte{0xff, 'a', 0xc3}), "\x7f"}
	floats := []float64{0, -7.110383, 110.473812, 90, -180, 1e-7, -1e-9, 12.5, 0.000001}
	now := time.Date(2026, 11, 27, 7, 0, 0, 123456000, time.UTC)
	var page salesmania.Page[salesmania.Customer]
	for i := range 200 {
		c := salesmania.Customer{
			ID: int64(rng.IntN(1 << 40)), Name: strs[rng.IntN(len(strs))], Address: strs[rng.IntN(len(strs))], City: strs[rng.IntN(len(strs))],
			Phone: strs[rng.IntN(len(strs))], ExtCustNo: strs[rng.IntN(len(strs))], Status: i%2 == 0,
			CreatedAt: now.Add(time.Duration(i) * time.Second), UpdatedAt: now.Add(time.Duration(i) * time.Microsecond),
		}
		if i%3 != 0 {
			c.Location = &salesmania.Location{Lat: floats[rng.IntN(len(floats))], Lon: floats[rng.IntN(len(floats))]}
		}
		switch i % 4 {
		case 0:
			c.Tags = []string{}
		case 1:
			c.Tags = []string{strs[rng.IntN(len(strs))], "grosir"}
		case 2:
			c.Tags = nil
		}
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendCustomer(nil, &c); !bytes.Equal(got, want) {
			t.Fatalf("appendCustomer\n got %s\nwant %s", got, want)
		}
		page.Data = append(page.Data, c)
	}
	next, total := "eyJpIjoxfQ", int64(12345)
	for _, p := range []salesmania.Page[salesmania.Customer]{page, {Data: []salesmania.Customer{}}, {Data: page.Data[:3], NextCursor: &next, Total: &total}} {
		want, _ := json.Marshal(p)
		if got := appendPage(nil, &p, appendCustomer); !bytes.Equal(got, want) {
			t.Fatalf("appendPage\n got %s\nwant %s", got, want)
		}
	}
}

// TestEncode checks that encode writes what encoding/json writes, with a
// newline, for the values it has encoders for (so its type switch sends each
// to the right one) and for those it has not, which go through
// encoding/json.
func TestEncode(t *testing.T) {
	now := time.Date(2026, 11, 27, 7, 0, 0, 123456000, time.UTC)
	next, total := "eyJpIjoxfQ", int64(2)
	customer := salesmania.Customer{ID: 1, Name: "Toko <Sumber>", Tags: []string{"grosir"}, CreatedAt: now, UpdatedAt: now}
	visit := salesmania.Visit{ID: 2, Date: "2026-11-27", Status: salesmania.VisitStatusPlanned, CreatedAt: now, UpdatedAt: now}
	order := *benchOrder()
	product := salesmania.Product{ID: 4, Name: "Indomie", Tags: []string{}, QtyOnHand: salesmania.MustDecimal("1.50"),
		ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Price: salesmania.MustDecimal("3100"), Ratio: 1}}, CreatedAt: now, UpdatedAt: now}
	for _, v := range []any{
		&customer, &visit, &order, &product,
		&salesmania.Page[salesmania.Customer]{Data: []salesmania.Customer{customer, customer}, NextCursor: &next, Total: &total},
		&salesmania.Page[salesmania.Visit]{Data: []salesmania.Visit{visit}},
		&salesmania.Page[salesmania.Order]{Data: []salesmania.Order{order}},
		&salesmania.Page[salesmania.Product]{Data: []salesmania.Product{}},
		// No encoder of their own: encoding/json.
		&salesmania.Page[salesmania.Tombstone]{Data: []salesmania.Tombstone{{ID: 5, DeletedAt: now}}, NextCursor: &next},
		customer, map[string]string{"status": "ok"}, struct{}{},
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		encode(w, 200, v)
		if got := w.Body.Bytes(); !bytes.Equal(got, append(want, '\n')) {
			t.Errorf("encode(%T)\n got %s\nwant %s", v, got, want)
		}
	}
}

func FuzzAppendCustomer(f *testing.F) {
	f.Add("Toko <Sumber> \"Rejeki\"", -7.11, 110.47)
	f.Fuzz(func(t *testing.T, s string, lat, lon float64) {
		c := salesmania.Customer{Name: s, Tags: []string{s}, Location: &salesmania.Location{Lat: lat, Lon: lon}}
		want, err := json.Marshal(c)
		if err != nil {
			return // NaN or infinity: never stored
		}
		if got := appendCustomer(nil, &c); !bytes.Equal(got, want) {
			t.Fatalf("appendCustomer\n got %s\nwant %s", got, want)
		}
	})
}

// jsonStrs are strings that exercise appendJSONString: HTML characters,
// quotes, control characters, U+2028/U+2029, invalid UTF-8 and DEL.
var jsonStrs = []string{"", "Toko Sumber Rejeki", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\r\x00\x1f\b\f",
	"émoji 🛒 ünïcode", "line\u2028sep\u2029", string([]byte{0xff, 'a', 0xc3}), "\x7f", "5+2", "Baru"}

// jsonDecimals returns decimals of every shape String and Decimal.Append
// must agree on: zero (both the zero value and a scaled zero), integers with
// trailing zeros, fractions, negatives, many places, coefficients around
// the 18-digit fast path's edge and far beyond it, and non-normalized
// values as arithmetic leaves them (1.5 × 2 is 30e-1, Round2 of 3 is 300e-2).
func jsonDecimals(t testing.TB) []salesmania.Decimal {
	ds := []salesmania.Decimal{{}, salesmania.DecimalFromInt(0), salesmania.DecimalFromInt(1), salesmania.DecimalFromInt(-1),
		salesmania.DecimalFromInt(130000), salesmania.DecimalFromInt(-9223372036854775808), salesmania.DecimalFromInt(9223372036854775807),
		salesmania.DecimalFromInt(999999999999999999), salesmania.DecimalFromInt(-100000000000000000), salesmania.DecimalFromInt(1000000000000000000)}
	for _, s := range []string{"0.0", "-0.000", "1.50", "3100", "120000", "-3.5", "0.0001", "-0.05", "0.5", "12.3400", "123456789012345.6789",
		"-123456789012345.6789", "0.000000000000000000000000000001", "99999999999999999999999999.123456789", "100000000000000000000",
		"1.000000000000000001", "-0.100000000000000000", "999999999999999999", "99999999999999999.9", "0.999999999999999999", "1234567890123456789"} {
		ds = append(ds, salesmania.MustDecimal(s))
	}
	for _, s := range []string{"1e-30", "-1.5e29", "1E+3", "2.5e-7", "0e5", "-0.0e-5", "123456789e10"} {
		var d salesmania.Decimal
		if err := d.UnmarshalJSON([]byte(s)); err != nil {
			t.Fatalf("UnmarshalJSON(%s): %v", s, err)
		}
		ds = append(ds, d)
	}
	for _, pair := range [][2]string{{"1.5", "2"}, {"1.50", "2.000"}, {"-0.25", "4"}, {"3100", "40"}, {"123456789.123456789", "987654321.987654321"},
		{"0.0001", "0.0001"}, {"-99999999999999999999", "99999999999999999999"}, {"10", "10"}} {
		x, y := salesmania.MustDecimal(pair[0]), salesmania.MustDecimal(pair[1])
		ds = append(ds, x.Mul(y), x.Sub(y), x.Add(y), x.Round2(), x.Mul(y).Round2())
	}
	return ds
}

func TestAppendDecimal(t *testing.T) {
	for _, d := range jsonDecimals(t) {
		checkAppendDecimal(t, d)
	}
}

// checkAppendDecimal checks the decimal, as fields of a product (as the
// encoders write decimals), against encoding/json.
func checkAppendDecimal(t *testing.T, d salesmania.Decimal) {
	t.Helper()
	p := salesmania.Product{QtyOnHand: d, ProductUnits: []salesmania.ProductUnit{{Price: d}}}
	want, err := json.Marshal(&p)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendProduct(nil, &p); !bytes.Equal(got, want) {
		t.Fatalf("decimal %s: appendProduct\n got %s\nwant %s", d, got, want)
	}
}

// checkAppend compares appendRow(v), on an empty buffer and appended after
// other bytes, with json.Marshal(v).
func checkAppend[T any](t *testing.T, v *T, appendRow func([]byte, *T) []byte) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendRow(nil, v); !bytes.Equal(got, want) {
		t.Fatalf("append %T\n got %s\nwant %s", v, got, want)
	}
	if got := appendRow([]byte("x"), v); !bytes.Equal(got[1:], want) || got[0] != 'x' {
		t.Fatalf("append %T after a byte\n got %s\nwant x%s", v, got, want)
	}
}

// checkAppendPage compares appendPage with json.Marshal for the rows as a
// page, an empty page, a page with a cursor and a total and a page whose
// Data is nil.
func checkAppendPage[T any](t *testing.T, rows []T, appendRow func([]byte, *T) []byte) {
	t.Helper()
	next, total := "eyJpIjoxfQ", int64(12345)
	for _, p := range []salesmania.Page[T]{{Data: rows}, {Data: []T{}}, {Data: rows[:min(3, len(rows))], NextCursor: &next, Total: &total}, {}} {
		want, err := json.Marshal(&p)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendPage(nil, &p, appendRow); !bytes.Equal(got, want) {
			t.Fatalf("appendPage[%T]\n got %s\nwant %s", rows[0], got, want)
		}
	}
}

// jsonTimes are times as the store returns them and some it never does:
// the zero time, whole seconds (no fraction), nanoseconds, and offsets.
func jsonTimes() []time.Time {
	now := time.Date(2026, 11, 27, 7, 0, 0, 123456000, time.UTC)
	return []time.Time{{}, now, now.Truncate(time.Second), now.Add(789 * time.Nanosecond), now.Add(100 * time.Millisecond),
		now.In(time.FixedZone("WIB", 7*3600)), now.In(time.FixedZone("", -(3*3600 + 30*60))), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)}
}

func TestAppendVisit(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func() string { return jsonStrs[rng.IntN(len(jsonStrs))] }
	floats := []float64{0, -7.110383, 110.473812, 90, -180, 1e-7, -1e-9, 12.5, 0.000001, 1e21, -1e20}
	times := jsonTimes()
	visits := []salesmania.Visit{{}, {Customer: salesmania.VisitCustomer{Location: &salesmania.Location{}}}}
	for i := range 200 {
		v := salesmania.Visit{
			ID: int64(rng.IntN(1 << 40)), DBID: 77, Date: "2026-11-27", CustomerID: int64(rng.IntN(1 << 20)), TeamID: int64(i % 5), Seq: int64(i + 1),
			Status: salesmania.VisitStatusPlanned, CreatedAt: times[rng.IntN(len(times))], UpdatedAt: times[rng.IntN(len(times))],
			Customer: salesmania.VisitCustomer{ID: int64(rng.IntN(1 << 20)), Name: pick(), Address: pick(), City: pick()},
		}
		switch i % 4 {
		case 0:
			v.Date, v.Status, v.ID, v.Seq = pick(), pick(), -v.ID, -1
		case 1, 2:
			v.Customer.Location = &salesmania.Location{Lat: floats[rng.IntN(len(floats))], Lon: floats[rng.IntN(len(floats))]}
		}
		v.Notes, v.Outcome, v.DurationMin = pick(), pick(), int64(rng.IntN(600))
		if i%3 == 0 {
			plan := int64(rng.IntN(1 << 30))
			v.PlanID = &plan
		}
		if i%5 != 0 {
			lat, lon := floats[rng.IntN(len(floats))], floats[rng.IntN(len(floats))]
			v.CheckIn = fuzzVisitCheck(times[rng.IntN(len(times))], pick(), lat, lon, int64(rng.IntN(100000)))
		}
		if i%5 == 2 {
			v.CheckOut = &salesmania.VisitCheck{At: times[rng.IntN(len(times))]} // a check-out without a position
		}
		visits = append(visits, v)
	}
	for i := range visits {
		checkAppend(t, &visits[i], appendVisit)
	}
	checkAppendPage(t, visits, appendVisit)
}

func TestAppendOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pick := func() string { return jsonStrs[rng.IntN(len(jsonStrs))] }
	decs := jsonDecimals(t)
	dec := func() salesmania.Decimal { return decs[rng.IntN(len(decs))] }
	times := jsonTimes()
	zero, big := int64(0), int64(-1<<63)
	orders := []salesmania.Order{{}, {OrderedProducts: []salesmania.OrderLine{}}, {OrderedProducts: []salesmania.OrderLine{{}}},
		{OrderedProducts: []salesmania.OrderLine{{ExtOrderLineID: &zero, UnitRatio: 40}, {ExtOrderLineID: &big}}}}
	for i := range 200 {
		o := salesmania.Order{
			ID: int64(rng.IntN(1 << 40)), DBID: 9, Date: "2026-11-27", CustomerID: int64(rng.IntN(1 << 20)), TeamID: int64(i % 5),
			Description: pick(), DiscPercent: pick(), DiscAmount: dec(), TotalPaid: dec(), Status: pick(), VisitStatus: pick(),
			ExtOrderNo: pick(), ExtOrderStatusName: pick(), Subtotal: dec(), Discount: dec(), Total: dec(),
			CreatedAt: times[rng.IntN(len(times))], UpdatedAt: times[rng.IntN(len(times))],
		}
		if i%5 != 0 {
			o.OrderedProducts = []salesmania.OrderLine{}
		}
		for range rng.IntN(4) * min(i%5, 1) {
			l := salesmania.OrderLine{ID: int64(rng.IntN(1 << 30)), ProductID: int64(rng.IntN(1 << 30)), Qty: dec(), Unit: pick(), Price: dec(),
				ItemDiscPercent: pick(), ItemDiscAmount: dec(), Description: pick(), Gross: dec(), Discount: dec(), Net: dec(), UnitRatio: 12}
			if rng.IntN(2) == 0 {
				id := int64(rng.IntN(1<<40)) - 1<<39
				l.ExtOrderLineID = &id
			}
			o.OrderedProducts = append(o.OrderedProducts, l)
		}
		if i%3 == 0 {
			o.Compute() // the non-normalized decimals arithmetic leaves
		}
		orders = append(orders, o)
	}
	for i := range orders {
		checkAppend(t, &orders[i], appendOrder)
	}
	checkAppendPage(t, orders, appendOrder)
}

func TestAppendProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	pick := func() string { return jsonStrs[rng.IntN(len(jsonStrs))] }
	decs := jsonDecimals(t)
	dec := func() salesmania.Decimal { return decs[rng.IntN(len(decs))] }
	times := jsonTimes()
	products := []salesmania.Product{{}, {Tags: []string{}, ProductUnits: []salesmania.ProductUnit{}}, {ProductUnits: []salesmania.ProductUnit{{}}}}
	for i := range 200 {
		p := salesmania.Product{
			ID: int64(rng.IntN(1 << 40)), DBID: 3, Name: pick(), Description: pick(), SKU: pick(), Status: i%2 == 0,
			ExtProductCode: pick(), DefaultDisc: pick(), QtyOnHand: dec(),
			CreatedAt: times[rng.IntN(len(times))], UpdatedAt: times[rng.IntN(len(times))],
		}
		switch i % 3 {
		case 0:
			p.Tags = []string{}
		case 1:
			p.Tags = []string{pick(), "grosir"}
		}
		if i%4 != 0 {
			p.ProductUnits = []salesmania.ProductUnit{}
			for range rng.IntN(4) {
				p.ProductUnits = append(p.ProductUnits, salesmania.ProductUnit{Name: pick(), Price: dec(), Ratio: int64(rng.IntN(1<<31)) - 5})
			}
		}
		products = append(products, p)
	}
	for i := range products {
		checkAppend(t, &products[i], appendProduct)
	}
	checkAppendPage(t, products, appendProduct)
}

// fuzzDecimal builds a decimal from fuzz input: s read as a JSON number
// (within Decimal's bounds) or else n, times m places to the right (which
// leaves it non-normalized, and past 18 digits when s was long).
func fuzzDecimal(s string, n int64, scale uint8) salesmania.Decimal {
	var d salesmania.Decimal
	if d.UnmarshalJSON([]byte(s)) != nil {
		d = salesmania.DecimalFromInt(n)
	}
	switch scale % 4 {
	case 1:
		d = d.Mul(salesmania.MustDecimal("1.000"))
	case 2:
		d = d.Round2()
	case 3:
		d = d.Mul(salesmania.DecimalFromInt(n))
	}
	return d
}

// fuzzTime builds a time from fuzz input; encoding/json refuses years
// outside 0-9999 and offsets of a day or more, which callers skip.
func fuzzTime(sec, nsec int64, offset int32) time.Time {
	return time.Unix(sec, nsec).In(time.FixedZone("", int(offset)))
}

func FuzzAppendDecimal(f *testing.F) {
	f.Add("1.5", int64(0), uint8(0))
	f.Add("-0.000000000000000000000000000001", int64(7), uint8(3))
	f.Add("123456789012345678901234567890", int64(-1), uint8(1))
	f.Add("x", int64(-9223372036854775808), uint8(2))
	f.Fuzz(func(t *testing.T, s string, n int64, scale uint8) {
		checkAppendDecimal(t, fuzzDecimal(s, n, scale))
	})
}

// fuzzVisitCheck is a check with every field set from the fuzzer's values.
func fuzzVisitCheck(at time.Time, s string, lat, lon float64, n int64) *salesmania.VisitCheck {
	verification := s + "v"
	return &salesmania.VisitCheck{At: at, DeviceTime: &s, Lat: &lat, Lon: &lon, AccuracyM: &lon, Mocked: n%2 == 0, DistanceM: &n, Verification: &verification}
}

func FuzzAppendVisit(f *testing.F) {
	f.Add("Toko <Sumber> \"Rejeki\"", int64(42), int64(1795676400), int64(123456000), int32(7*3600), -7.11, 110.47, true)
	f.Add("\u2028\xff", int64(-1), int64(0), int64(0), int32(0), 0.0, 0.0, false)
	f.Fuzz(func(t *testing.T, s string, id, sec, nsec int64, offset int32, lat, lon float64, hasLocation bool) {
		ts := fuzzTime(sec, nsec, offset)
		v := salesmania.Visit{ID: id, DBID: id, Date: s, CustomerID: id, TeamID: -id, Seq: sec, Status: s, CreatedAt: ts, UpdatedAt: ts.Add(time.Duration(nsec)),
			Customer: salesmania.VisitCustomer{ID: id, Name: s, Address: s + s, City: s}}
		if hasLocation {
			v.Customer.Location = &salesmania.Location{Lat: lat, Lon: lon}
			v.PlanID, v.Notes, v.Outcome, v.DurationMin = &id, s, s+s, nsec
			v.CheckIn = fuzzVisitCheck(ts, s, lat, lon, id)
		} else {
			v.CheckOut = &salesmania.VisitCheck{At: ts, Mocked: true}
		}
		want, err := json.Marshal(&v)
		if err != nil {
			return // NaN, infinity or a time RFC 3339 cannot hold: never stored
		}
		if got := appendVisit(nil, &v); !bytes.Equal(got, want) {
			t.Fatalf("appendVisit\n got %s\nwant %s", got, want)
		}
	})
}

func FuzzAppendOrder(f *testing.F) {
	f.Add("Toko <Sumber> & \"Rejeki\"", "1.5", "-0.05", int64(3), uint8(5), int64(1795676400), int64(123456000), int32(7*3600))
	f.Add("", "", "x", int64(-1), uint8(0), int64(0), int64(0), int32(0))
	f.Add("\u2028", "99999999999999999999999999.9999", "1e-30", int64(1<<62), uint8(255), int64(-62135596800), int64(0), int32(-3600))
	f.Fuzz(func(t *testing.T, s, d1, d2 string, n int64, shape uint8, sec, nsec int64, offset int32) {
		ts := fuzzTime(sec, nsec, offset)
		x, y := fuzzDecimal(d1, n, shape), fuzzDecimal(d2, -n, shape>>2)
		o := salesmania.Order{ID: n, DBID: n, Date: s, CustomerID: n, TeamID: n, Description: s, DiscPercent: s, DiscAmount: x, TotalPaid: y,
			Status: s, VisitStatus: s, ExtOrderNo: s, ExtOrderStatusName: s, Subtotal: x.Add(y), Discount: x.Sub(y), Total: x.Mul(y),
			CreatedAt: ts, UpdatedAt: ts.Add(time.Duration(n))}
		switch shape % 4 {
		case 1:
			o.OrderedProducts = []salesmania.OrderLine{}
		case 2, 3:
			id := n
			for i := range int(shape%4) - 1 {
				l := salesmania.OrderLine{ID: n, ProductID: -n, Qty: x, Unit: s, Price: y, ItemDiscPercent: s, ItemDiscAmount: y, Description: s, UnitRatio: n}
				if i == 0 || shape&16 != 0 {
					l.ExtOrderLineID = &id
				}
				o.OrderedProducts = append(o.OrderedProducts, l)
			}
			if shape&32 != 0 {
				o.Compute()
			}
		}
		want, err := json.Marshal(&o)
		if err != nil {
			return // a time RFC 3339 cannot hold: never stored
		}
		if got := appendOrder(nil, &o); !bytes.Equal(got, want) {
			t.Fatalf("appendOrder\n got %s\nwant %s", got, want)
		}
	})
}

func FuzzAppendProduct(f *testing.F) {
	f.Add("Indomie <Goreng> & \"Rasa\"", "grosir", "120000", int64(40), uint8(5), int64(1795676400), int64(123456000), int32(7*3600))
	f.Add("", "", "x", int64(-1), uint8(0), int64(0), int64(0), int32(0))
	f.Add("\xc3", "\u2029", "-1.5e-29", int64(1<<62), uint8(255), int64(-62135596800), int64(0), int32(-3600))
	f.Fuzz(func(t *testing.T, s, tag, d string, n int64, shape uint8, sec, nsec int64, offset int32) {
		ts := fuzzTime(sec, nsec, offset)
		q := fuzzDecimal(d, n, shape)
		p := salesmania.Product{ID: n, DBID: n, Name: s, Description: s, SKU: tag, Status: shape&1 != 0, ExtProductCode: s, DefaultDisc: tag,
			QtyOnHand: q, CreatedAt: ts, UpdatedAt: ts.Add(time.Duration(n))}
		switch shape % 3 {
		case 1:
			p.Tags = []string{}
		case 2:
			p.Tags = []string{tag, s}
		}
		switch shape >> 2 % 3 {
		case 1:
			p.ProductUnits = []salesmania.ProductUnit{}
		case 2:
			p.ProductUnits = []salesmania.ProductUnit{{Name: s, Price: q, Ratio: n}, {Name: tag, Price: q.Mul(q), Ratio: 1}}
		}
		want, err := json.Marshal(&p)
		if err != nil {
			return // a time RFC 3339 cannot hold: never stored
		}
		if got := appendProduct(nil, &p); !bytes.Equal(got, want) {
			t.Fatalf("appendProduct\n got %s\nwant %s", got, want)
		}
	})
}

// benchVisitPage is a page of 100 visits like GET /v1.1/visits answers.
func benchVisitPage() *salesmania.Page[salesmania.Visit] {
	now := time.Date(2026, 11, 27, 7, 0, 0, 123456000, time.UTC)
	next := "eyJpIjoxMDB9"
	p := &salesmania.Page[salesmania.Visit]{NextCursor: &next}
	for i := range 100 {
		p.Data = append(p.Data, salesmania.Visit{ID: int64(i + 1), Date: "2026-11-27", CustomerID: int64(i + 1), TeamID: 1, Seq: int64(i + 1),
			Status: salesmania.VisitStatusPlanned, CreatedAt: now, UpdatedAt: now,
			Customer: salesmania.VisitCustomer{ID: int64(i + 1), Name: fmt.Sprintf("Toko Sumber Rejeki %d", i), Address: "Jl. Pemuda 12",
				City: "Semarang", Location: &salesmania.Location{Lat: -6.99, Lon: 110.42}}})
	}
	return p
}

// benchOrder is a 3-line order like GET /orders/{id} and POST /orders answer.
func benchOrder() *salesmania.Order {
	now := time.Date(2026, 11, 27, 7, 0, 0, 123456000, time.UTC)
	ext := int64(5001)
	o := &salesmania.Order{ID: 1, Date: "2026-11-27", CustomerID: 7, TeamID: 1, Description: "Kirim pagi", DiscPercent: "5+2",
		TotalPaid: salesmania.MustDecimal("100000"), Status: salesmania.OrderBaru, VisitStatus: "visited", ExtOrderNo: "SO-2026-0001",
		CreatedAt: now, UpdatedAt: now}
	for i := range 3 {
		o.OrderedProducts = append(o.OrderedProducts, salesmania.OrderLine{ID: int64(i + 1), ProductID: int64(i + 1),
			Qty: salesmania.MustDecimal("12.5"), Unit: "PCS", Price: salesmania.MustDecimal("3100"), ItemDiscPercent: "10",
			Description: "Indomie Goreng", ExtOrderLineID: &ext, UnitRatio: 1})
	}
	o.Compute()
	return o
}

func BenchmarkVisitPageJSON(b *testing.B) {
	p := benchVisitPage()
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("appendPage", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendPage(buf[:0], p, appendVisit) // reused, as encode's buffer pool does
		}
	})
}

func BenchmarkOrderJSON(b *testing.B) {
	o := benchOrder()
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(o); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("appendOrder", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			buf = appendOrder(buf[:0], o)
		}
	})
}
