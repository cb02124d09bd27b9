// Package httpapi serves SalesMania's external API over HTTP: routing (every
// route is listed in routes.go), authentication, JSON decoding and encoding,
// the RFC 9457 error body, access logs and Prometheus metrics. It holds no
// business rules (those are in package salesmania) and no SQL (package
// sqlstore).
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
)

// DefaultTokenTTL is how long a bearer token is valid: 30 days.
const DefaultTokenTTL = 30 * 24 * time.Hour

// MaxBodyBytes is the largest request body accepted (413 above it).
const MaxBodyBytes = 1 << 20

// Config holds what the server needs. Store and TeamTokens are required.
type Config struct {
	Store      salesmania.Store
	TeamTokens *auth.TeamTokenSigner
	// Logger receives the access log and internal errors; slog.Default() if
	// nil.
	Logger *slog.Logger
	// Registry receives the server's metrics and is what /metrics serves; a
	// new registry if nil.
	Registry *prometheus.Registry
	// TokenTTL is the lifetime of a new bearer token; DefaultTokenTTL if 0.
	TokenTTL time.Duration
	// Now returns the current time; salesmania.Now if nil. Tests move it.
	Now func() time.Time
	// MaxConcurrentLogins bounds the password checks running at once, each
	// of which takes 19 MiB and a core for tens of milliseconds; 2 per CPU
	// if 0.
	MaxConcurrentLogins int
	// RateLimit is the requests a second each bearer token may make, with
	// bursts of twice as many (§1.2); 0 turns the limit off.
	RateLimit float64
	// MaxConcurrent bounds the requests served at once; more get 503 with
	// Retry-After at once, rather than queue until every client times out.
	// 0 means no bound.
	MaxConcurrent int
	// MaxInFlightPerUser bounds the requests one user, with whatever bearer
	// tokens, may have served at once, so one member cannot take every
	// MaxConcurrent slot; more get 429 with Retry-After. 0 means no bound.
	MaxInFlightPerUser int
	// MaxInFlightPerAddr is the same bound per client address (the TCP
	// peer's; behind a proxy every client shares the proxy's). 0 means no
	// bound.
	MaxInFlightPerAddr int
	// BodyTimeout is how long a request body may take to arrive once its
	// headers are in; a slower one gets 408 and frees its slot.
	// DefaultBodyTimeout if 0.
	BodyTimeout time.Duration
	// WebhookAllowPrivate lets webhooks be registered for loopback,
	// private and link-local addresses (serve --webhook-allow-private), for
	// an ERP inside the network; by default they are refused (422 url).
	WebhookAllowPrivate bool
	// Console, if not nil, serves GET / and every path under /console/
	// (package console). It is not part of the API's route table.
	Console http.Handler
}

// DefaultBodyTimeout is the time a request body may take to arrive.
const DefaultBodyTimeout = 10 * time.Second

// DefaultRateLimit is the requests a second per bearer token of §1.2.
const DefaultRateLimit = 100

// The in-flight bounds serve uses unless told otherwise: of its 1024 slots,
// one user may hold 64 (a sixteenth: an ERP import running 50 requests at
// once passes) and one client address 256.
const (
	DefaultMaxInFlightPerUser = 64
	DefaultMaxInFlightPerAddr = 256
)

// Server is the HTTP API. It implements http.Handler.
type Server struct {
	store      salesmania.Store
	teamTokens *auth.TeamTokenSigner
	logger     *slog.Logger
	registry   *prometheus.Registry
	metrics    *metrics
	tokenTTL   time.Duration
	now        func() time.Time
	loginSlots chan struct{}
	limiter    *rateLimiter
	inFlight   chan struct{}
	perUser    *keyedLimit
	perAddr    *keyedLimit
	bodyTime   time.Duration
	// webhookAllowPrivate is Config.WebhookAllowPrivate.
	webhookAllowPrivate bool
	routes              []route
	// mux routes the API; bodyLimits are the body limits of its patterns
	// whose routes take more than MaxBodyBytes (withBodyLimit).
	mux        *http.ServeMux
	bodyLimits map[string]int64
	handler    http.Handler
}

// NewServer returns the API server for cfg.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.TeamTokens == nil {
		return nil, errors.New("httpapi: Config.Store and Config.TeamTokens are required")
	}
	s := &Server{
		store:      cfg.Store,
		teamTokens: cfg.TeamTokens,
		logger:     cfg.Logger,
		registry:   cfg.Registry,
		tokenTTL:   cfg.TokenTTL,
		now:        cfg.Now,
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	if s.tokenTTL == 0 {
		s.tokenTTL = DefaultTokenTTL
	}
	if s.now == nil {
		s.now = salesmania.Now
	}
	n := cfg.MaxConcurrentLogins
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	s.loginSlots = make(chan struct{}, n)
	s.limiter = newRateLimiter(cfg.RateLimit, int(math.Ceil(2*cfg.RateLimit)))
	if cfg.MaxConcurrent > 0 {
		s.inFlight = make(chan struct{}, cfg.MaxConcurrent)
	}
	s.perUser = newKeyedLimit(cfg.MaxInFlightPerUser)
	s.perAddr = newKeyedLimit(cfg.MaxInFlightPerAddr)
	s.bodyTime = cfg.BodyTimeout
	s.webhookAllowPrivate = cfg.WebhookAllowPrivate
	if s.bodyTime <= 0 {
		s.bodyTime = DefaultBodyTimeout
	}
	m, err := newMetrics(s.registry)
	if err != nil {
		return nil, err
	}
	s.metrics = m

	mux := http.NewServeMux()
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		h := rt.Handler
		if rt.Method == http.MethodPost && rt.Auth == AuthTeam {
			h = s.idempotent(h)
		}
		pattern := rt.Method + " " + rt.Path
		mux.Handle(pattern, s.authenticate(rt.Auth, h))
		if max := rt.maxBody(); max != MaxBodyBytes {
			if s.bodyLimits == nil {
				s.bodyLimits = map[string]int64{}
			}
			s.bodyLimits[pattern] = max
		}
	}
	s.mux = mux
	if cfg.Console != nil {
		mux.Handle("GET /{$}", cfg.Console)
		mux.Handle("/console/", cfg.Console)
	}
	mux.Handle("/", s.handleNoRoute(mux))
	// recoverPanics sits inside withRequestID and observe, so that a
	// panic's 500 quotes the request id and still gets its log line.
	s.handler = s.withRequestID(s.securityHeaders(s.observe(s.recoverPanics(s.limitBody(s.limitConcurrency(mux))))))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Route describes one route of the API, for documentation and for tests that
// check every route against the OpenAPI document and the tenancy rules.
type Route struct {
	Method string
	Path   string // in ServeMux and OpenAPI form, e.g. /extapi/v1.0/teams
	Auth   AuthLevel
	// MaxBody is the largest request body the route accepts (413 above).
	MaxBody int64
}

// Routes returns every route the server serves.
func (s *Server) Routes() []Route {
	out := make([]Route, len(s.routes))
	for i, rt := range s.routes {
		out[i] = Route{Method: rt.Method, Path: rt.Path, Auth: rt.Auth, MaxBody: rt.maxBody()}
	}
	return out
}

// handleNoRoute answers requests no route matches: 405 with an Allow header
// when the path exists for other methods, else 404.
func (s *Server) handleNoRoute(mux *http.ServeMux) http.Handler {
	methods := []string{"GET", "POST", "PATCH", "PUT", "DELETE"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range methods {
			probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
			if _, pattern := mux.Handler(probe); pattern != "/" && pattern != "" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			s.error(w, r, salesmania.Errorf(salesmania.EMETHOD, "%s is not allowed on %s; use %s.", r.Method, r.URL.Path, strings.Join(allow, " or ")))
			return
		}
		s.error(w, r, salesmania.Errorf(salesmania.ENOTFOUND, "No such endpoint: %s %s.", r.Method, r.URL.Path))
	})
}

type requestIDKey struct{}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
