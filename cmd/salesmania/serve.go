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
	"time"

	"github.com/salesmania/salesmania/auth"
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
}

func (c *serveConfig) register(fs *flag.FlagSet, getenv func(string) string, defaultLogFormat string) {
	fs.StringVar(&c.addr, "addr", envOr(getenv, "SALESMANIA_ADDR", "127.0.0.1:8080"), "address to listen on (env SALESMANIA_ADDR)")
	fs.StringVar(&c.logFormat, "log-format", envOr(getenv, "SALESMANIA_LOG_FORMAT", defaultLogFormat), "access log format: json or text (env SALESMANIA_LOG_FORMAT)")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 30*time.Second, "how long SIGINT/SIGTERM waits for requests in flight")
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	var cfg serveConfig
	cfg.register(fs, getenv, "json")
	fs.StringVar(&cfg.dsn, "db", envOr(getenv, "SALESMANIA_DB", "salesmania.db"), "SQLite file or postgres:// URL (env SALESMANIA_DB)")
	if err := parseFlags(fs, args); err != nil {
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
	key, err := store.Secret(ctx, "team_token_key", auth.NewSecret)
	if err != nil {
		return fmt.Errorf("read the team token key: %w", err)
	}
	signer, err := auth.NewTeamTokenSigner(key)
	if err != nil {
		return err
	}
	api, err := httpapi.NewServer(httpapi.Config{Store: store, TeamTokens: signer, Logger: logger})
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
		(&webhook.Dispatcher{Outbox: store, Logger: logger}).Run(dctx)
	}()
	defer func() { stopDispatch(); <-dispatched }()

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
