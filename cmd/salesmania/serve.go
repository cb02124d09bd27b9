package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/console"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/webhook"
)

// serveConfig is what serve and demo share.
type serveConfig struct {
	addr            string
	dsn             string
	logFormat       string
	shutdownTimeout time.Duration
	rateLimit       int
	maxConcurrent   int
	maxPerUser      int
	maxPerAddr      int
	bodyTimeout     time.Duration
	webhookPrivate  bool
	// badWebhookPrivate: SALESMANIA_WEBHOOK_ALLOW_PRIVATE is not a boolean.
	badWebhookPrivate bool
	dbPool            int
	tiles             string
	trustProto        bool
	getenv            func(string) string
}

func (c *serveConfig) register(fs *flag.FlagSet, getenv func(string) string, defaultLogFormat string) {
	c.getenv = getenv
	fs.StringVar(&c.addr, "addr", envOr(getenv, "SALESMANIA_ADDR", "127.0.0.1:8080"), "address to listen on (env SALESMANIA_ADDR)")
	fs.StringVar(&c.logFormat, "log-format", envOr(getenv, "SALESMANIA_LOG_FORMAT", defaultLogFormat), "access log format: json or text (env SALESMANIA_LOG_FORMAT)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long SIGINT/SIGTERM waits for requests in flight")
	fs.IntVar(&c.rateLimit, "rate-limit", envInt(getenv, "SALESMANIA_RATE_LIMIT", httpapi.DefaultRateLimit),
		"requests a second per bearer token, bursts of twice that; 0 turns the limit off (env SALESMANIA_RATE_LIMIT)")
	fs.IntVar(&c.maxConcurrent, "max-concurrent", envInt(getenv, "SALESMANIA_MAX_CONCURRENT", 1024),
		"requests served at once before more get 503; 0 means no bound (env SALESMANIA_MAX_CONCURRENT)")
	fs.IntVar(&c.maxPerUser, "max-in-flight-per-user", envInt(getenv, "SALESMANIA_MAX_IN_FLIGHT_PER_USER", httpapi.DefaultMaxInFlightPerUser),
		"requests one user may have served at once before more get 429; 0 means no bound (env SALESMANIA_MAX_IN_FLIGHT_PER_USER)")
	fs.IntVar(&c.maxPerAddr, "max-in-flight-per-addr", envInt(getenv, "SALESMANIA_MAX_IN_FLIGHT_PER_ADDR", httpapi.DefaultMaxInFlightPerAddr),
		"requests one client address may have served at once before more get 429; 0 means no bound, e.g. behind a proxy (env SALESMANIA_MAX_IN_FLIGHT_PER_ADDR)")
	fs.DurationVar(&c.bodyTimeout, "body-timeout", envDuration(getenv, "SALESMANIA_BODY_TIMEOUT", httpapi.DefaultBodyTimeout),
		"how long a request body may take to arrive after its headers before the request gets 408 (env SALESMANIA_BODY_TIMEOUT)")
	fs.BoolVar(&c.webhookPrivate, "webhook-allow-private", envBool(getenv, "SALESMANIA_WEBHOOK_ALLOW_PRIVATE", &c.badWebhookPrivate),
		"allow webhooks to loopback, private and link-local addresses, for an on-premise ERP; refused by default (env SALESMANIA_WEBHOOK_ALLOW_PRIVATE)")
	fs.IntVar(&c.dbPool, "db-pool", envInt(getenv, "SALESMANIA_DB_POOL", 0),
		fmt.Sprintf("database connections this process opens at most: on PostgreSQL all of them, on SQLite the readers; 0: %s (env SALESMANIA_DB_POOL)", sqlstore.DefaultPoolSizeText))
	fs.StringVar(&c.tiles, "tiles", envOr(getenv, "SALESMANIA_TILES", console.DefaultTiles),
		"map tile URL of the console ({z}/{x}/{y}, optionally {s}), or off for plain maps without tiles (env SALESMANIA_TILES)")
	fs.BoolVar(&c.trustProto, "trust-forwarded-proto", getenv("SALESMANIA_TRUST_FORWARDED_PROTO") == "1",
		"take X-Forwarded-Proto: https from the proxy in front as TLS, so console cookies are Secure; only behind such a proxy (env SALESMANIA_TRUST_FORWARDED_PROTO=1)")
}

// envDuration reads a duration setting from the environment; a value that
// is not a duration is reported by validate.
func envDuration(getenv func(string) string, name string, def time.Duration) time.Duration {
	if v := getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
		return -1
	}
	return def
}

// The garbage collector's defaults when the environment does not set them
// (GOGC, GOMEMLIMIT). The server's live heap is small (tens of MB), so the
// Go default of collecting each time the heap doubles spends a lot of CPU
// for little memory: with 200 the load benchmark serves list-customers
// about 25% faster with p99 latency a third lower, for some 20 MB more peak
// RSS (400 was no faster, and took 40 MB more).
// The soft memory limit keeps bursts (argon2 password checks take 19 MiB
// each) from growing the heap five-fold: near it, the collector runs more
// often instead.
const (
	defaultGCPercent   = 200
	defaultMemoryLimit = 512 << 20
)

// tuneGC applies defaultGCPercent and defaultMemoryLimit unless the
// environment sets GOGC or GOMEMLIMIT, which the Go runtime has read itself.
func tuneGC(getenv func(string) string) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// envBool reads a yes/no setting from the environment (1, true, 0, false,
// as strconv.ParseBool reads them); bad is set for any other value, which
// validate reports.
func envBool(getenv func(string) string, name string, bad *bool) bool {
	v := getenv(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	*bad = err != nil
	return b
}

// envInt reads an integer setting from the environment; a value that is
// not an integer is reported by validate.
func envInt(getenv func(string) string, name string, def int) int {
	if v := getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
		return -1
	}
	return def
}

// validate checks the settings that flag parsing cannot.
func (c *serveConfig) validate() error {
	if c.rateLimit < 0 {
		return &usageError{"--rate-limit (or SALESMANIA_RATE_LIMIT) must be a whole number, 0 or more"}
	}
	if c.maxConcurrent < 0 {
		return &usageError{"--max-concurrent (or SALESMANIA_MAX_CONCURRENT) must be a whole number, 0 or more"}
	}
	if c.maxPerUser < 0 {
		return &usageError{"--max-in-flight-per-user (or SALESMANIA_MAX_IN_FLIGHT_PER_USER) must be a whole number, 0 or more"}
	}
	if c.maxPerAddr < 0 {
		return &usageError{"--max-in-flight-per-addr (or SALESMANIA_MAX_IN_FLIGHT_PER_ADDR) must be a whole number, 0 or more"}
	}
	if c.bodyTimeout <= 0 || c.bodyTimeout > time.Hour {
		return &usageError{"--body-timeout (or SALESMANIA_BODY_TIMEOUT) must be a duration from 1ms to 1h, such as 10s"}
	}
	if c.badWebhookPrivate {
		return &usageError{"SALESMANIA_WEBHOOK_ALLOW_PRIVATE must be true or false (or 1 or 0)"}
	}
	if c.dbPool < 0 || c.dbPool > sqlstore.MaxPoolSize {
		return &usageError{fmt.Sprintf("--db-pool (or SALESMANIA_DB_POOL) must be a whole number from 0 (the default size) to %d", sqlstore.MaxPoolSize)}
	}
	if c.shutdownTimeout < 0 {
		return &usageError{"--shutdown-timeout must not be negative"}
	}
	return nil
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	var cfg serveConfig
	cfg.register(fs, getenv, "json")
	fs.StringVar(&cfg.dsn, "db", envOr(getenv, "SALESMANIA_DB", "salesmania.db"), "SQLite file or postgres:// URL (env SALESMANIA_DB)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	logger, err := newLogger(cfg.logFormat, stderr)
	if err != nil {
		return err
	}
	store, err := openStore(ctx, cfg.dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	return serve(ctx, cfg, store, logger, nil)
}

func newLogger(format string, w io.Writer) (*slog.Logger, error) {
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	}
	return nil, &usageError{fmt.Sprintf("--log-format must be json or text, not %q", format)}
}

// serve runs the HTTP API on cfg.addr until ctx is done, then drains
// requests in flight for up to cfg.shutdownTimeout. ready, if not nil, is
// called with the listening address once connections are accepted.
func serve(ctx context.Context, cfg serveConfig, store *sqlstore.Store, logger *slog.Logger, ready func(addr string)) error {
	if cfg.dbPool > 0 {
		store.SetPoolSize(cfg.dbPool)
	}
	tuneGC(cfg.getenv)
	key, err := store.Secret(ctx, "team_token_key", auth.NewSecret)
	if err != nil {
		return fmt.Errorf("read the team token key: %w", err)
	}
	signer, err := auth.NewTeamTokenSigner(key)
	if err != nil {
		return err
	}
	// /metrics serves the process's own figures too: memory, GC, CPU,
	// goroutines, open files.
	registry := prometheus.NewRegistry()
	registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	con, err := console.New(console.Config{Store: store, Tiles: cfg.tiles, TrustForwardedProto: cfg.trustProto, Logger: logger})
	if err != nil {
		return &usageError{"--tiles (or SALESMANIA_TILES): " + strings.TrimPrefix(err.Error(), "console: ")}
	}
	api, err := httpapi.NewServer(httpapi.Config{Store: store, TeamTokens: signer, Logger: logger, Registry: registry,
		RateLimit: float64(cfg.rateLimit), MaxConcurrent: cfg.maxConcurrent,
		MaxInFlightPerUser: cfg.maxPerUser, MaxInFlightPerAddr: cfg.maxPerAddr, BodyTimeout: cfg.bodyTimeout,
		WebhookAllowPrivate: cfg.webhookPrivate, Console: con})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	addr := "http://" + ln.Addr().String()
	logger.Info("listening", "addr", addr, "db", redactDSN(cfg.dsn), "store", store.Dialect())
	if ready != nil {
		ready(addr)
	}
	// The webhook dispatcher sends the outbox until the server has drained.
	dctx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		(&webhook.Dispatcher{Outbox: store, Logger: logger, AllowPrivate: cfg.webhookPrivate}).Run(dctx)
	}()
	defer func() { stopDispatch(); <-dispatched }()
	go sweepIdempotencyKeys(dctx, store, logger)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining requests in flight", "timeout", cfg.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// sweepIdempotencyKeys deletes expired idempotency keys, and login failures
// that no longer count, every 10 minutes.
func sweepIdempotencyKeys(ctx context.Context, store *sqlstore.Store, logger *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := store.DeleteExpiredIdempotencyKeys(ctx, time.Now()); err != nil && ctx.Err() == nil {
				logger.Error("delete expired idempotency keys", "error", err.Error())
			} else if n > 0 {
				logger.Info("deleted expired idempotency keys", "count", n)
			}
			if _, err := store.DeleteStaleLoginFailures(ctx, httpapi.LoginWindow, time.Now()); err != nil && ctx.Err() == nil {
				logger.Error("delete stale login failures", "error", err.Error())
			}
			if _, err := store.DeleteIdleConsoleSessions(ctx, time.Now().Add(-console.IdleTimeout)); err != nil && ctx.Err() == nil {
				logger.Error("delete idle console sessions", "error", err.Error())
			}
		}
	}
}
