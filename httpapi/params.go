package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salesmania/salesmania"
)

// params reads a request's query parameters, collecting every bad one, so a
// client learns of all its mistakes at once. Parameters the endpoint does
// not know are refused, and so is a parameter given with an empty or blank
// value: neither may silently widen a list (`?ext_cust_no=` must not answer
// every customer).
type params struct {
	values url.Values
	known  map[string]bool
	blank  map[string]bool // known parameters refused for an empty value
	p      salesmania.Problems
}

// alwaysKnown are the parameters every endpoint takes. They are credentials,
// checked by authenticate (an empty team_token is 403 there), so params
// leaves their values alone.
var alwaysKnown = []string{"team_token"}

// newParams reads the query of r for an endpoint taking the known
// parameters. A known parameter given with an empty or blank value is
// refused here, once for every endpoint, and then reads as absent, so that
// the readers below report nothing more about it.
func newParams(r *http.Request, known ...string) *params {
	q := &params{values: r.URL.Query(), known: map[string]bool{}, blank: map[string]bool{}, p: salesmania.Problems{Code: salesmania.EBADREQUEST}}
	for _, k := range known {
		q.known[k] = true
	}
	var blank []string
	for name, vs := range q.values {
		if q.known[name] && slices.ContainsFunc(vs, isBlank) {
			blank = append(blank, name)
		}
	}
	slices.Sort(blank)
	for _, name := range blank {
		q.p.Add(name, "must not be empty; leave the parameter out instead")
		delete(q.values, name)
		q.blank[name] = true
	}
	for _, k := range alwaysKnown {
		q.known[k] = true
	}
	return q
}

// isBlank reports whether a query value is empty or only whitespace.
func isBlank(v string) bool { return salesmania.CleanString(v) == "" }

// one returns the single value of name, "" when absent.
func (q *params) one(name string) string {
	vs := q.values[name]
	if len(vs) > 1 {
		q.p.Add(name, "must be given once")
		return ""
	}
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// string returns a trimmed text parameter of at most max characters.
func (q *params) string(name string, max int) string {
	s := salesmania.CleanString(q.one(name))
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		q.p.Add(name, "must be UTF-8 text without NUL characters")
		return ""
	}
	if len([]rune(s)) > max {
		q.p.Add(name, "must be at most "+strconv.Itoa(max)+" characters")
		return ""
	}
	return s
}

// bool returns a true/false parameter, nil when absent.
func (q *params) bool(name string) *bool {
	switch q.one(name) {
	case "":
		return nil
	case "true":
		t := true
		return &t
	case "false":
		f := false
		return &f
	}
	q.p.Add(name, "must be true or false")
	return nil
}

// id returns a positive integer parameter, 0 when absent.
func (q *params) id(name string) int64 {
	s := q.one(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		q.p.Add(name, "must be a positive integer")
		return 0
	}
	return n
}

// requiredID is id for a parameter that must be given.
func (q *params) requiredID(name string) int64 {
	if len(q.values[name]) == 0 {
		if !q.blank[name] {
			q.p.Add(name, "is required")
		}
		return 0
	}
	return q.id(name)
}

// date returns a YYYY-MM-DD parameter, "" when absent.
func (q *params) date(name string) string {
	s := salesmania.CleanString(q.one(name))
	if s == "" {
		return ""
	}
	d, ok := salesmania.ParseDate(s)
	if !ok {
		q.p.Add(name, "must be a date as YYYY-MM-DD between "+salesmania.MinDate+" and "+salesmania.MaxDate)
	}
	return d
}

// time returns an RFC 3339 timestamp parameter, nil when absent.
func (q *params) time(name string) *time.Time {
	s := q.one(name)
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		q.p.Add(name, "must be an RFC 3339 timestamp such as 2024-01-01T00:00:00Z")
		return nil
	}
	t = t.UTC()
	return &t
}

// list returns the paging parameters of §1.3: limit, cursor,
// include_total and updated_since.
func (q *params) list() salesmania.ListParams {
	lp := salesmania.ListParams{Limit: salesmania.DefaultListLimit}
	if s := q.one("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > salesmania.MaxListLimit {
			q.p.Add("limit", "must be an integer from 1 to "+strconv.Itoa(salesmania.MaxListLimit))
		} else {
			lp.Limit = n
		}
	}
	if s := q.one("cursor"); s != "" {
		c, err := salesmania.ParseCursor(s)
		if err != nil {
			q.p.Add("cursor", "is not a cursor this list gave out; start again without it")
		}
		lp.After = c
	}
	if b := q.bool("include_total"); b != nil {
		lp.IncludeTotal = *b
	}
	lp.UpdatedSince = q.time("updated_since")
	return lp
}

// err returns EBADREQUEST listing every bad or unknown parameter, or nil.
func (q *params) err() error {
	var unknown []string
	for name := range q.values {
		if !q.known[name] {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	for _, name := range unknown {
		q.p.Add(name, "is not a parameter of this endpoint")
	}
	return q.p.Err()
}

// pathID returns the {id} of the path; a path id that is not a positive
// integer names nothing, so it is ENOTFOUND (§1).
func pathID(r *http.Request, what string) (int64, error) {
	s := r.PathValue("id")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, salesmania.Errorf(salesmania.ENOTFOUND, "%s %s not found.", what, strconv.Quote(s))
	}
	return n, nil
}
