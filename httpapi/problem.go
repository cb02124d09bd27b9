package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/salesmania/salesmania"
)

// problem is the RFC 9457 body of every error answer.
type problem struct {
	Type     string                  `json:"type"`
	Title    string                  `json:"title"`
	Status   int                     `json:"status"`
	Detail   string                  `json:"detail"`
	Instance string                  `json:"instance,omitempty"`
	Errors   []salesmania.FieldError `json:"errors,omitempty"`
	// Check names the failed check of a /healthz 503, such as "saturation".
	Check string `json:"check,omitempty"`
}

// statusOf maps an error code to its HTTP status. It is the one place that
// does so.
func statusOf(code string) int {
	switch code {
	case salesmania.EBADREQUEST:
		return http.StatusBadRequest
	case salesmania.EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case salesmania.EFORBIDDEN:
		return http.StatusForbidden
	case salesmania.ENOTFOUND:
		return http.StatusNotFound
	case salesmania.EMETHOD:
		return http.StatusMethodNotAllowed
	case salesmania.ECONFLICT:
		return http.StatusConflict
	case salesmania.ETIMEOUT:
		return http.StatusRequestTimeout
	case salesmania.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case salesmania.EUNSUPPORTED:
		return http.StatusUnsupportedMediaType
	case salesmania.EINVALID:
		return http.StatusUnprocessableEntity
	case salesmania.ERATELIMIT:
		return http.StatusTooManyRequests
	case salesmania.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	case salesmania.ESTORAGEFULL:
		return http.StatusInsufficientStorage
	default:
		return http.StatusInternalServerError
	}
}

// statusClientClosed is the status logged for a request whose client
// hung up before its answer (nginx's 499); no client ever reads it.
const statusClientClosed = 499

// clientGone reports whether err comes of the client hanging up: its
// request's context was cancelled, and err says so.
func clientGone(r *http.Request, err error) bool {
	return errors.Is(r.Context().Err(), context.Canceled) && errors.Is(err, context.Canceled)
}

// error writes err as a problem+json answer. Internal errors are logged with
// the request id and shown only as "Internal error." with that id. An error
// that comes of the client hanging up is no fault of the server: it is
// logged at INFO and answered 499, which only the access log sees.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	s.errorCheck(w, r, err, "")
}

// errorCheck is error for /healthz: the body also names the check that
// failed.
func (s *Server) errorCheck(w http.ResponseWriter, r *http.Request, err error, check string) {
	if clientGone(r, err) {
		s.logger.InfoContext(r.Context(), "client went away", "request_id", requestID(r.Context()), "method", r.Method, "path", r.URL.Path, "error", err.Error())
		w.WriteHeader(statusClientClosed)
		return
	}
	code := salesmania.ErrorCode(err)
	status := statusOf(code)
	id := requestID(r.Context())
	p := problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: salesmania.ErrorMessage(err), Check: check}
	if id != "" {
		p.Instance = "urn:request:" + id
	}
	var se *salesmania.Error
	errors.As(err, &se)
	switch {
	case status == http.StatusInternalServerError:
		s.logger.ErrorContext(r.Context(), "internal error", "request_id", id, "method", r.Method, "path", r.URL.Path, "error", err.Error())
		p.Detail = "Internal error; quote " + p.Instance + " when reporting it."
	case status == http.StatusInsufficientStorage:
		// Not the client's doing, and only an operator can mend it.
		s.logger.ErrorContext(r.Context(), "database disk full", "request_id", id, "method", r.Method, "path", r.URL.Path)
	case se != nil:
		p.Errors = se.Fields
	}
	h := w.Header()
	switch status {
	case http.StatusUnauthorized:
		if se != nil && se.Challenge == "Basic" {
			h.Set("WWW-Authenticate", `Basic realm="salesmania", charset="UTF-8"`)
		} else {
			h.Set("WWW-Authenticate", `Bearer realm="salesmania"`)
		}
	case http.StatusRequestTimeout:
		// The body was cut short: the connection cannot carry another request.
		h.Set("Connection", "close")
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusInsufficientStorage:
		after := 1
		if se != nil && se.RetryAfter > 0 {
			after = se.RetryAfter
		}
		h.Set("Retry-After", strconv.Itoa(after))
	}
	b, _ := json.Marshal(p)
	h.Set("Content-Type", "application/problem+json")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// StatusOf is the HTTP status of an error code, for the console's pages
// (package console), so a kind has the same status everywhere.
func StatusOf(code string) int { return statusOf(code) }
