package salesmania

import (
	"errors"
	"fmt"
)

// Error codes are the one error vocabulary of the project. Every layer reports
// failures with one of these; the HTTP layer alone turns a code into a status
// and an RFC 9457 body (see httpapi/problem.go).
const (
	EINVALID         = "invalid"         // a field of the input breaks a rule (422)
	EBADREQUEST      = "bad_request"     // malformed JSON or query parameter (400)
	EUNAUTHENTICATED = "unauthenticated" // no or bad credentials (401)
	EFORBIDDEN       = "forbidden"       // authenticated but not allowed (403)
	ENOTFOUND        = "not_found"       // no such row in this database (404)
	EMETHOD          = "method"          // the path exists, the method does not (405)
	ECONFLICT        = "conflict"        // the change clashes with existing state (409)
	ETIMEOUT         = "timeout"         // the request body came too slowly (408)
	ETOOLARGE        = "too_large"       // request body over the limit (413)
	EUNSUPPORTED     = "unsupported"     // request body is not JSON (415)
	ERATELIMIT       = "rate_limited"    // too many requests (429)
	EUNAVAILABLE     = "unavailable"     // the database is busy or down; retry (503)
	ESTORAGEFULL     = "storage_full"    // the database's disk is full; nothing was written (507)
	EINTERNAL        = "internal"        // a bug or an outage; never shown to clients (500)
)

// FieldError names one bad field of a request with a dotted path such as
// "location.lat" or "ordered_products[2].unit".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the error type of the domain. Code is one of the E* constants;
// Message is safe to show to a client; Fields lists every bad field of an
// EINVALID or EBADREQUEST error.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// Challenge, for EUNAUTHENTICATED, is the WWW-Authenticate scheme to
	// offer ("Basic" or "Bearer").
	Challenge string
	// RetryAfter, for ERATELIMIT, EUNAVAILABLE and ESTORAGEFULL, is the
	// number of seconds to wait.
	RetryAfter int
}

// Error implements the error interface.
func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("salesmania: %s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("salesmania: %s: %s %v", e.Code, e.Message, e.Fields)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err: the Code of an *Error in its chain, or
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the client-safe message of err. Errors that are not
// *Error are internal and get a generic text.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Problems collects field errors while validating and turns them into one
// *Error, so a client learns every bad field at once.
type Problems struct {
	Code   string // EINVALID unless set
	Fields []FieldError
}

// Add records that field breaks a rule.
func (p *Problems) Add(field, message string) {
	p.Fields = append(p.Fields, FieldError{Field: field, Message: message})
}

// Has reports whether a problem with field was added.
func (p *Problems) Has(field string) bool {
	for _, f := range p.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns nil when nothing was added, else an *Error listing the fields.
func (p *Problems) Err() error {
	if len(p.Fields) == 0 {
		return nil
	}
	code := p.Code
	if code == "" {
		code = EINVALID
	}
	msg := "1 field is invalid"
	if len(p.Fields) > 1 {
		msg = fmt.Sprintf("%d fields are invalid", len(p.Fields))
	}
	if code == EBADREQUEST {
		msg = "1 parameter is invalid"
		if len(p.Fields) > 1 {
			msg = fmt.Sprintf("%d parameters are invalid", len(p.Fields))
		}
	}
	return &Error{Code: code, Message: msg, Fields: p.Fields}
}
