package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/salesmania/salesmania"
)

// statusWriter records the status and size of an answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recoverPanics turns a panic in a handler into a logged 500, so one bad
// request cannot take the process down.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				err := fmt.Errorf("panic: %v\n%s", v, debug.Stack())
				if sw.status == 0 {
					s.error(sw, r, err)
				} else {
					s.logger.ErrorContext(r.Context(), "panic after answer started", "request_id", requestID(r.Context()), "error", err.Error())
				}
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// withRequestID gives every request an id: the client's X-Request-Id when it
// is short and plain, else a fresh random one. The id is echoed in the
// answer, logged, and quoted in error bodies.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !plainID(id) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

func plainID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// securityHeaders sets the headers a security review expects on every
// answer. API answers carry user data and tokens: nobody may cache them.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if len(r.URL.Path) >= 8 && r.URL.Path[:8] == "/extapi/" {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// limitConcurrency answers 503 when MaxConcurrent requests are being served
// already, and 429 when the client address has MaxInFlightPerAddr of them.
// Health checks and metrics scrapes always pass, so a busy process is
// neither taken for a dead one nor hidden from its monitoring.
func (s *Server) limitConcurrency(next http.Handler) http.Handler {
	if s.inFlight == nil && s.perAddr == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" || r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r)
			return
		}
		addr := clientAddr(r)
		if !s.perAddr.acquire(addr) {
			s.error(w, r, tooManyInFlight("this client address", s.perAddr.max))
			return
		}
		defer s.perAddr.release(addr)
		if s.inFlight == nil {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case s.inFlight <- struct{}{}:
			defer func() { <-s.inFlight }()
			next.ServeHTTP(w, r)
		default:
			s.error(w, r, &salesmania.Error{Code: salesmania.EUNAVAILABLE, RetryAfter: 1,
				Message: "The server is at its limit of requests served at once; retry shortly."})
		}
	})
}

// limitBody refuses bodies over the route's limit (MaxBodyBytes unless the
// route table sets another): at once when Content-Length says so, else when
// reading passes the limit. A body must arrive within
// BodyTimeout of the headers, else its read fails and the answer is 408,
// so a client trickling bytes cannot hold a slot for long. It runs before
// limitConcurrency, so that a refusal for want of a slot is sent at once
// too (see unreadBodyWriter).
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.bodyLimit(r)
		if r.ContentLength > limit {
			s.error(w, r, tooLarge(limit))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			if http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.bodyTime)) == nil {
				body := &deadlineBody{ReadCloser: r.Body, timeout: s.bodyTime}
				r.Body = body
				w = &unreadBodyWriter{ResponseWriter: w, body: body}
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// bodyLimit returns the most bytes the body of r may have: its route's
// MaxBody, or MaxBodyBytes. Only a body that may be larger than
// MaxBodyBytes (by its Content-Length, or without one) needs its route
// looked up, as every route takes that much.
func (s *Server) bodyLimit(r *http.Request) int64 {
	if len(s.bodyLimits) == 0 || (r.ContentLength >= 0 && r.ContentLength <= MaxBodyBytes) {
		return MaxBodyBytes
	}
	if _, pattern := s.mux.Handler(r); s.bodyLimits[pattern] > 0 {
		return s.bodyLimits[pattern]
	}
	return MaxBodyBytes
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salesmania_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "salesmania_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern and method.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "salesmania_http_requests_in_flight",
			Help: "HTTP requests being served now.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.inFlight} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// loggedCaller is who a request's access log line names. observe puts an
// empty one in the request's context and authenticate fills it in: the
// caller is attached to a copy of the request further in, which observe
// never sees, so it learns of the caller through this record. Ids only,
// never a token.
type loggedCaller struct {
	userID, dbID int64
}

type loggedCallerKey struct{}

// logCaller records, for the access log, the user (and the database, when
// dbID is not 0) a request acts as. Outside observe it does nothing.
func logCaller(ctx context.Context, userID, dbID int64) {
	if c, ok := ctx.Value(loggedCallerKey{}).(*loggedCaller); ok {
		c.userID, c.dbID = userID, dbID
	}
}

// observe writes the access log line and the metrics of each request. The
// log names the path without its query (team tokens may travel there), the
// user and database the request acted as once authenticated, and never a
// header.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		s.metrics.inFlight.Inc()
		defer s.metrics.inFlight.Dec()
		caller := &loggedCaller{}
		r = r.WithContext(context.WithValue(r.Context(), loggedCallerKey{}, caller))
		next.ServeHTTP(sw, r)
		elapsed := time.Since(start)
		status := sw.status
		if status == 0 {
			status = http.StatusOK
		}
		routeName := r.Pattern
		if routeName == "" || routeName == "/" {
			routeName = "unmatched"
		}
		s.metrics.requests.WithLabelValues(routeName, r.Method, strconv.Itoa(status)).Inc()
		s.metrics.duration.WithLabelValues(routeName, r.Method).Observe(elapsed.Seconds())
		attrs := []slog.Attr{
			slog.String("request_id", requestID(r.Context())),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", routeName),
			slog.Int("status", status),
			slog.Int64("bytes", sw.bytes),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
			slog.String("remote", r.RemoteAddr),
		}
		if caller.userID != 0 {
			attrs = append(attrs, slog.Int64("user_id", caller.userID))
		}
		if caller.dbID != 0 {
			attrs = append(attrs, slog.Int64("db_id", caller.dbID))
		}
		s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}
