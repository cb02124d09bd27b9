package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salesmania/salesmania"
)

// query reads a page's query parameters; a bad value is EBADREQUEST
// naming the parameter (a page of 400 with the message beside it).
type query struct {
	v url.Values
	p salesmania.Problems
}

func newQuery(r *http.Request, names ...string) *query {
	q := &query{v: r.URL.Query(), p: salesmania.Problems{Code: salesmania.EBADREQUEST}}
	for _, n := range names {
		if len(q.v[n]) > 1 {
			q.p.Add(n, "is given more than once")
		}
	}
	return q
}

func (q *query) get(name string) string { return strings.TrimSpace(q.v.Get(name)) }

// date reads a YYYY-MM-DD date; "" when not given.
func (q *query) date(name string) string {
	s := q.get(name)
	if s == "" {
		return ""
	}
	d, ok := salesmania.ParseDate(s)
	if !ok {
		q.p.Add(name, "must be a date as YYYY-MM-DD")
	}
	return d
}

// id reads a positive id; 0 when not given (or given as 0: every one).
func (q *query) id(name string) int64 {
	s := q.get(name)
	if s == "" || s == "0" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		q.p.Add(name, "must be a positive whole number")
		return 0
	}
	return n
}

// text reads free text of at most max characters.
func (q *query) text(name string, max int) string {
	s := q.get(name)
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || utf8.RuneCountInString(s) > max {
		q.p.Add(name, "must be text of at most "+strconv.Itoa(max)+" characters")
		return ""
	}
	return s
}

// oneOf reads a value that must be one of choices ("" when not given).
func (q *query) oneOf(name string, choices ...string) string {
	s := q.get(name)
	if s == "" {
		return ""
	}
	for _, c := range choices {
		if s == c {
			return s
		}
	}
	q.p.Add(name, "must be one of "+strings.Join(choices, ", "))
	return ""
}

// cursor reads the page cursor a list gave out.
func (q *query) cursor() salesmania.Cursor {
	s := q.get("cursor")
	if s == "" {
		return salesmania.Cursor{}
	}
	c, err := salesmania.ParseCursor(s)
	if err != nil {
		q.p.Add("cursor", "is not a page of this list; start again from the first page")
	}
	return c
}

func (q *query) err() error { return q.p.Err() }

// formText returns a pointer to a form field's value, or nil when the form
// did not have the field: the domain's "not sent".
func formText(r *http.Request, name string) *string {
	vs, ok := r.PostForm[name]
	if !ok || len(vs) == 0 {
		return nil
	}
	s := vs[0]
	return &s
}

// formNumber reads a number field for the domain (nil when empty); a
// value that is no number is a field error, as the API's decoder makes.
func formNumber(r *http.Request, p *salesmania.Problems, name string) *float64 {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		p.Add(name, "must be a number")
		return nil
	}
	return &f
}

// formDecimal reads an exact amount for the domain (nil when empty).
func formDecimal(r *http.Request, p *salesmania.Problems, name string) *salesmania.Decimal {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return nil
	}
	d, err := salesmania.ParseDecimal(s)
	if err != nil {
		p.Add(name, "must be a number such as 3500 or 12.5")
		return nil
	}
	return &d
}

// formTags splits a comma-separated tag field.
func formTags(r *http.Request, name string) *[]string {
	s := formText(r, name)
	if s == nil {
		return nil
	}
	tags := []string{}
	for _, t := range strings.Split(*s, ",") {
		if strings.TrimSpace(t) != "" {
			tags = append(tags, t)
		}
	}
	return &tags
}

// merge joins the console's own parse errors and the domain's, field by
// field, into one EINVALID.
func merge(parse salesmania.Problems, err error) error {
	if len(parse.Fields) == 0 {
		return err
	}
	if e, ok := err.(*salesmania.Error); ok && e.Code == salesmania.EINVALID {
		for _, f := range e.Fields {
			if !parse.Has(f.Field) {
				parse.Fields = append(parse.Fields, f)
			}
		}
	}
	return parse.Err()
}

// formatMoney writes an amount with thousands separators and at most its
// own decimals: 217854 → "217,854", 1234.5 → "1,234.50".
func formatMoney(d salesmania.Decimal) string {
	s := d.String()
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if frac != "" {
		if len(frac) == 1 {
			frac += "0"
		}
		b.WriteString("." + frac)
	}
	return b.String()
}

// formatKm writes metres as kilometres with one decimal.
func formatKm(m int64) string { return strconv.FormatFloat(float64(m)/1000, 'f', 1, 64) + " km" }

func weekdayName(d int) string {
	if d < 1 || d > 7 {
		return "?"
	}
	return time.Weekday(d % 7).String()[:3]
}
