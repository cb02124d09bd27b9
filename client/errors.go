package client

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salesmania/salesmania"
)

// Error is an error answer of the server: the fields of its RFC 9457
// application/problem+json body, with the request it answered. Test for it
// with errors.As, or with IsNotFound, IsConflict and the other helpers.
type Error struct {
	// Method and Path name the request, e.g. GET /extapi/v1.0/customers/7.
	Method string
	Path   string
	// Status is the HTTP status of the answer.
	Status int
	// Type, Title, Detail and Instance are the problem's members. Detail
	// says what went wrong in words meant for people; Instance names the
	// request in the server's log (quote it when reporting a 500).
	Type     string
	Title    string
	Detail   string
	Instance string
	// Fields lists every bad field of a 422 (dotted paths such as
	// ordered_products[2].unit) or bad parameter of a 400.
	Fields []salesmania.FieldError
	// RetryAfter is how long to wait before trying again, from the
	// Retry-After header of a 429 or 503; 0 if none was given.
	RetryAfter time.Duration
}

// Error returns the status, the detail and the bad fields in one line.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("salesmania: ")
	if e.Method != "" {
		b.WriteString(e.Method + " " + e.Path + ": ")
	}
	b.WriteString(strconv.Itoa(e.Status))
	if e.Title != "" {
		b.WriteString(" " + e.Title)
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.Field + ": " + f.Message)
		if i == len(e.Fields)-1 {
			b.WriteString(")")
		}
	}
	if e.Status >= 500 && e.Instance != "" {
		b.WriteString(" [" + e.Instance + "]")
	}
	return b.String()
}

// newError reads an error answer. A body that is not a problem (from a proxy
// in between, say) still gives an *Error, with the start of the body as its
// Detail.
func newError(rq *request, r *response) *Error {
	e := &Error{Method: rq.method, Path: rq.path, Status: r.status}
	if wait, ok := retryAfter(r.header); ok {
		e.RetryAfter = wait
	}
	var p struct {
		Type     string                  `json:"type"`
		Title    string                  `json:"title"`
		Detail   string                  `json:"detail"`
		Instance string                  `json:"instance"`
		Errors   []salesmania.FieldError `json:"errors"`
	}
	mt, _, _ := mime.ParseMediaType(r.header.Get("Content-Type"))
	if (mt == "application/problem+json" || mt == "application/json") && json.Unmarshal(r.body, &p) == nil {
		e.Type, e.Title, e.Detail, e.Instance, e.Fields = p.Type, p.Title, p.Detail, p.Instance, p.Errors
	} else {
		e.Detail = abbreviate(strings.TrimSpace(string(r.body)), 200)
	}
	if e.Title == "" {
		e.Title = http.StatusText(r.status)
	}
	return e
}

func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// StatusCode returns the HTTP status of the *Error in err's chain, or 0 if
// there is none (the request got no answer, or failed before it was sent).
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// IsBadRequest reports whether err is a 400 answer: malformed JSON, a wrong
// JSON type, or a bad query parameter (see Error.Fields).
func IsBadRequest(err error) bool { return StatusCode(err) == http.StatusBadRequest }

// IsUnauthenticated reports whether err is a 401 answer: wrong credentials,
// or a bearer token that is invalid, expired or revoked (and could not be
// renewed, as the client has no credentials or they are wrong).
func IsUnauthenticated(err error) bool { return StatusCode(err) == http.StatusUnauthorized }

// IsForbidden reports whether err is a 403 answer: the user is not (or no
// longer) a member of the database, a member acted for another team, or a
// member used an admin's endpoint.
func IsForbidden(err error) bool { return StatusCode(err) == http.StatusForbidden }

// IsNotFound reports whether err is a 404 answer: no such id in the
// client's database.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// IsConflict reports whether err is a 409 answer: a duplicate ext_cust_no
// or ext_product_code, the delete of a row still referred to, or an order
// status change that is not allowed.
func IsConflict(err error) bool { return StatusCode(err) == http.StatusConflict }

// IsInvalid reports whether err is a 422 answer: fields of the body break
// the rules; Error.Fields lists every one.
func IsInvalid(err error) bool { return StatusCode(err) == http.StatusUnprocessableEntity }

// IsRateLimited reports whether err is a 429 answer that the client did not
// wait out (see RetryPolicy.MaxWait); Error.RetryAfter says how long to
// wait.
func IsRateLimited(err error) bool { return StatusCode(err) == http.StatusTooManyRequests }
