package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/openapi"
)

// handleHealthz answers 200 when the database answers within 2 seconds and
// can write (see Store.CanWrite), else 503 naming the check that failed, for
// load balancers, process supervisors and monitoring. It also answers 503,
// naming the check "saturation", while every MaxConcurrent slot is taken: a
// load balancer then sends new requests elsewhere until the process drains.
func (s *Server) handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.saturated() {
			s.errorCheck(w, r, &salesmania.Error{Code: salesmania.EUNAVAILABLE, RetryAfter: 1,
				Message: "Saturated: all " + strconv.Itoa(cap(s.inFlight)) + " request slots are in use; new requests get 503."}, "saturation")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.store.Ping(ctx); err != nil {
			s.logger.WarnContext(r.Context(), "health check failed", "request_id", requestID(r.Context()), "error", err.Error())
			s.errorCheck(w, r, &salesmania.Error{Code: salesmania.EUNAVAILABLE, Message: "The database does not answer.", RetryAfter: 5}, "database")
			return
		}
		if err := s.store.CanWrite(ctx); err != nil {
			s.logger.WarnContext(r.Context(), "health check failed", "request_id", requestID(r.Context()), "check", "database_write", "error", err.Error())
			msg := "Health check database_write failed: the database cannot write."
			if salesmania.ErrorCode(err) == salesmania.ESTORAGEFULL {
				msg = "Health check database_write failed: the database cannot write, its disk is full."
			}
			s.errorCheck(w, r, &salesmania.Error{Code: salesmania.EUNAVAILABLE, Message: msg, RetryAfter: 30}, "database_write")
			return
		}
		encode(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleMetrics serves the Prometheus metrics of the server's registry.
func (s *Server) handleMetrics() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
}

// handleOpenAPI serves the embedded OpenAPI document.
func (s *Server) handleOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", strconv.Itoa(len(openapi.Document())))
		h.Set("Cache-Control", "public, max-age=300")
		w.Write(openapi.Document())
	})
}
