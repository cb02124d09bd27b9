package httpapi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/salesmania/salesmania"
)

// keyedLimit counts the requests in flight per key (a user, a client
// address) and refuses one more than max. A nil *keyedLimit has no bound.
type keyedLimit struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

func newKeyedLimit(max int) *keyedLimit {
	if max <= 0 {
		return nil
	}
	return &keyedLimit{max: max, n: map[string]int{}}
}

// acquire takes a place for key, or reports false when key holds max
// already. Every true must be followed by one release.
func (l *keyedLimit) acquire(key string) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[key] >= l.max {
		return false
	}
	l.n[key]++
	return true
}

// release gives back a place acquire took; a key at zero is forgotten, so
// the map holds only keys with requests in flight.
func (l *keyedLimit) release(key string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[key] <= 1 {
		delete(l.n, key)
		return
	}
	l.n[key]--
}

// tooManyInFlight is the 429 of a user or address over its limit. Its
// requests are slow, not many a second, so the retry comes after a while.
func tooManyInFlight(who string, max int) error {
	return &salesmania.Error{Code: salesmania.ERATELIMIT, RetryAfter: 1,
		Message: "Too many requests in flight at once from " + who + " (at most " + strconv.Itoa(max) + "); wait for an answer before sending more."}
}

// saturated reports whether every one of the MaxConcurrent slots is taken,
// so that more requests get 503 now.
func (s *Server) saturated() bool {
	return s.inFlight != nil && len(s.inFlight) >= cap(s.inFlight)
}

// deadlineBody reads a request body under the connection's read deadline,
// which limitBody set, and reports a read past it as 408. (The server lifts
// the deadline itself once the body has been read, so a handler may work
// on past it.)
type deadlineBody struct {
	io.ReadCloser
	timeout time.Duration
	ended   bool // read to its end or to an error
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.ended = true
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return n, salesmania.Errorf(salesmania.ETIMEOUT, "The body did not arrive within %s of the request's headers; send it again, faster.", b.timeout)
		}
	}
	return n, err
}

// unreadBodyWriter closes the connection after an answer given before the
// body was read (401, 429, 503…). HTTP/1 would otherwise read the rest of
// the body before sending the answer: a client trickling its body would get
// a refusal only at the deadline, and keep its connection meanwhile.
type unreadBodyWriter struct {
	http.ResponseWriter
	body    *deadlineBody
	started bool
}

func (w *unreadBodyWriter) WriteHeader(status int) {
	if !w.started {
		w.started = true
		if !w.body.ended {
			w.Header().Set("Connection", "close")
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *unreadBodyWriter) Write(b []byte) (int, error) {
	if !w.started {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *unreadBodyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// bodyReadError is the answer to a failed read of a request body: 413 over
// the route's limit, 408 when it came too slowly, else 400.
func bodyReadError(err error) error {
	var mbe *http.MaxBytesError
	var se *salesmania.Error
	switch {
	case errors.As(err, &mbe):
		return tooLarge(mbe.Limit)
	case errors.As(err, &se):
		return se
	}
	return salesmania.Errorf(salesmania.EBADREQUEST, "The body could not be read.")
}
