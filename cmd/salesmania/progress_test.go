package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
)

func TestProgressBar(t *testing.T) {
	p := newProgress(nil, true, "import customers", 0, 100000)
	for _, tc := range []struct {
		done    int64
		elapsed time.Duration
		final   bool
		want    string
	}{
		{0, 0, false, "[                              ]   0% 0/100000  - rows/s  ETA --"},
		{42000, 34 * time.Second, false, "[===========>                  ]  42% 42000/100000  1235 rows/s  ETA 47s"},
		{99999, 81 * time.Second, false, "[============================> ]  99% 99999/100000  1235 rows/s  ETA 0.0s"},
		{100000, 81 * time.Second, true, "[==============================] 100% 100000/100000  1235 rows/s  in 1m21s"},
	} {
		if got := p.bar(tc.done, tc.elapsed, tc.final); got != tc.want {
			t.Errorf("bar(%d, %s) =\n%q; want\n%q", tc.done, tc.elapsed, got, tc.want)
		}
	}
	// A resumed import counts from where the last one stopped, and rates
	// only this run's rows.
	p = newProgress(nil, false, "import customers", 50, 100)
	if got, want := p.plain(10, 2*time.Second, false), "import customers: 60% 60/100 rows, 5 rows/s, ETA 8.0s"; got != want {
		t.Errorf("plain = %q; want %q", got, want)
	}
}

// TestProgressOutput checks what reaches the stream: in place on a
// terminal, throttled lines elsewhere.
func TestProgressOutput(t *testing.T) {
	var term bytes.Buffer
	t0 := time.Now()
	p := newProgress(&term, true, "import customers", 0, 10)
	p.reset(t0)
	p.add(5)
	p.tick(t0.Add(time.Second))
	p.add(5)
	p.end(t0.Add(2 * time.Second))
	out := term.String()
	if !strings.HasPrefix(out, "\r[==============>               ]  50% 5/10") || !strings.HasSuffix(out, "\n") ||
		!strings.Contains(out, "\r[==============================] 100% 10/10") || strings.Count(out, "\n") != 1 {
		t.Errorf("terminal output = %q", out)
	}

	var plain bytes.Buffer
	p = newProgress(&plain, false, "import customers", 0, 100)
	p.reset(t0)
	for i, elapsed := range []time.Duration{1, 2, 3, 4, 10, 11, 12} {
		p.add([]int64{3, 3, 10, 1, 0, 1, 40}[i])
		p.tick(t0.Add(elapsed * time.Second))
	}
	p.end(t0.Add(13 * time.Second))
	lines := strings.Split(strings.TrimSuffix(plain.String(), "\n"), "\n")
	var pcts []string
	for _, l := range lines {
		pcts = append(pcts, strings.Fields(l)[2])
	}
	// 16% (a step of 10% crossed), 17% (5 s without a line), 58%, and the end.
	if want := []string{"16%", "17%", "58%", "58%"}; !slices.Equal(pcts, want) {
		t.Errorf("plain lines:\n%s\nwant the percentages %v", plain.String(), want)
	}
	if !strings.Contains(lines[len(lines)-1], ", in ") {
		t.Errorf("the last line does not give the time: %q", lines[len(lines)-1])
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		1500 * time.Millisecond: "1.5s",
		47 * time.Second:        "47s",
		185 * time.Second:       "3m05s",
		3720 * time.Second:      "1h02m",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%s) = %q; want %q", d, got, want)
		}
	}
}

func TestSplitEscaped(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", []string{""}},
		{"a;b", []string{"a", "b"}},
		{`a\;b;c`, []string{`a\;b`, "c"}},
		{`a\\;b`, []string{`a\\`, "b"}},
		{`a\`, []string{`a\`}},
	} {
		if got := splitEscaped(tc.in, ';'); !slices.Equal(got, tc.want) {
			t.Errorf("splitEscaped(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
	if got := unescape(`a\;b\\c\`); got != `a;b\c\` {
		t.Errorf("unescape = %q", got)
	}
}

// FuzzListCell checks that a list written by joinEscaped reads back the
// same, whatever its items hold.
func FuzzListCell(f *testing.F) {
	f.Add("a;b", `c\d`, "e:f")
	f.Add("", ";", `\`)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		items := []string{a, b, c}
		var got []string
		for _, part := range splitEscaped(joinEscaped(items, ';', ":"), ';') {
			got = append(got, unescape(part))
		}
		if !slices.Equal(got, items) {
			t.Errorf("%q → %q → %q", items, joinEscaped(items, ';', ":"), got)
		}
		units := []salesmania.ProductUnit{{Name: a, Price: salesmania.DecimalFromInt(1), Ratio: 1}, {Name: b, Price: salesmania.MustDecimal("2.5"), Ratio: 40}}
		if strings.TrimSpace(a) != a || strings.TrimSpace(b) != b || a == "" || b == "" {
			return // the domain trims names and refuses empty ones
		}
		var p salesmania.Problems
		in := parseUnits(formatUnits(units), &p)
		if len(p.Fields) > 0 || len(*in) != 2 || *(*in)[0].Name != a || *(*in)[1].Name != b || (*in)[1].Price.String() != "2.5" || (*in)[1].Ratio.String() != "40" {
			t.Errorf("units %+v → %q → %+v %v", units, formatUnits(units), *in, p.Fields)
		}
	})
}

// FuzzImportParse feeds the readers of import files arbitrary input: they
// must not panic, and every row they report has a line in the file.
func FuzzImportParse(f *testing.F) {
	f.Add([]byte("ext_cust_no,name,location.lat,location.lon,tags\nC-1,Toko,1,2,a;b\n"))
	f.Add([]byte("name\n\"a\nb\"\n\"unterminated\n"))
	f.Add([]byte(`{"name":"x","location":{"lat":1,"lon":2}}` + "\n[1]\n{\"tags\":[1]}\n"))
	cs, ps := customerSpec(), productSpec()
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		check := func(lineOf func(int) int, n int) {
			for i := range n {
				if l := lineOf(i); l < 1 || l > lines {
					t.Fatalf("row %d at line %d of a %d-line file", i, l, lines)
				}
			}
		}
		if rows, err := cs.parseCSV(data); err == nil {
			check(func(i int) int { return rows[i].line }, len(rows))
		}
		rows, _ := cs.parseJSONLines(data)
		check(func(i int) int { return rows[i].line }, len(rows))
		prows, _ := ps.parseCSV(data)
		check(func(i int) int { return prows[i].line }, len(prows))
	})
}
