package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

func TestServe(t *testing.T) {
	t.Parallel()

	t.Run("OKFromEnvironment", func(t *testing.T) {
		t.Parallel()
		dsn := sqlstoretest.DSN(t, "sqlite")
		p := start(t, map[string]string{"SALESMANIA_DB": dsn, "SALESMANIA_ADDR": "127.0.0.1:0", "SALESMANIA_LOG_FORMAT": "json"}, listeningURL, "serve")
		var rec struct{ DB, Store string }
		for line := range strings.Lines(p.stderr.String()) {
			if strings.Contains(line, `"msg":"listening"`) {
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatal(err)
				}
			}
		}
		if rec.DB != dsn || rec.Store != "sqlite" {
			t.Errorf("listening on db %q, store %q; want %q, sqlite", rec.DB, rec.Store, dsn)
		}
		wantJSON(t, p.mustGet(t, "/healthz"), map[string]string{"status": "ok"})
	})

	t.Run("ErrLogFormat", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "salesmania.db")
		for _, args := range [][]string{
			{"serve", "--log-format", "xml", "--db", path},
			{"demo", "--log-format", "xml", "--db", path},
		} {
			r := execute(t, "", args...)
			if r.err == nil || exitCode(r.err) != 2 || !strings.Contains(r.err.Error(), "--log-format") || !strings.Contains(r.err.Error(), `"xml"`) {
				t.Errorf("%s: err = %v (exit code %d); want a usage error naming --log-format", args[0], r.err, exitCode(r.err))
			}
			if r.stdout != "" {
				t.Errorf("%s: stdout = %q; want nothing", args[0], r.stdout)
			}
		}
		// The command line is checked before the database is touched.
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the database file was created: %v", err)
		}
	})

	t.Run("ErrUsage", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "salesmania.db")
		for _, args := range [][]string{
			{"serve", "--db", path, "now"},
			{"serve", "--db", path, "--port", "8080"},
			{"serve", "--db", path, "--shutdown-timeout", "soon"},
			{"serve", "--db", path, "--auth-recheck", "1s"}, // gone: revocation holds at once everywhere
			{"serve", "--db", path, "--max-in-flight-per-user", "-1"},
			{"serve", "--db", path, "--max-in-flight-per-addr", "many"},
			{"serve", "--db", path, "--body-timeout", "0s"},
			{"serve", "--db", path, "--db-pool", "-1"},
			{"serve", "--db", path, "--db-pool", "1001"},
			{"serve", "--db", path, "--db-pool", "lots"},
			{"demo", "--db-pool", "-3"},
			{"demo", "--db", path, "--sqlite"},
		} {
			r := execute(t, "", args...)
			if r.err == nil || exitCode(r.err) != 2 {
				t.Errorf("%v: err = %v (exit code %d); want a usage error", args, r.err, exitCode(r.err))
			}
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the database file was created: %v", err)
		}
	})

	t.Run("ErrDBPool", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "salesmania.db")
		for _, args := range [][]string{
			{"serve", "--db", path, "--db-pool", "-1"},
			{"serve", "--db", path, "--db-pool", "1001"},
		} {
			r := execute(t, "", args...)
			if r.err == nil || exitCode(r.err) != 2 || !strings.Contains(r.err.Error(), "--db-pool (or SALESMANIA_DB_POOL) must be a whole number from 0") {
				t.Errorf("%v: err = %v (exit code %d); want a usage error naming --db-pool and its range", args, r.err, exitCode(r.err))
			}
		}
		r := execute(t, "", "serve", "--db", path, "--db-pool", "lots")
		if r.err == nil || exitCode(r.err) != 2 || !strings.Contains(r.err.Error()+r.stderr, "db-pool") {
			t.Errorf("--db-pool lots: err = %v (exit code %d); want a usage error naming db-pool", r.err, exitCode(r.err))
		}
	})

	t.Run("OKDBPool", func(t *testing.T) {
		t.Parallel()
		for _, kind := range []string{"sqlite", "postgres"} {
			srv := startServe(t, sqlstoretest.DSN(t, kind), "--db-pool", "2")
			wantJSON(t, srv.mustGet(t, "/healthz"), map[string]string{"status": "ok"})
			if err := srv.stop(t); err != nil {
				t.Errorf("%s: stop: %v", kind, err)
			}
		}
	})

	t.Run("ErrAddrInUse", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		addr := ln.Addr().String()
		r := execute(t, "", "serve", "--addr", addr, "--db", sqlstoretest.DSN(t, "sqlite"))
		if r.err == nil || exitCode(r.err) != 1 {
			t.Fatalf("err = %v (exit code %d); want exit code 1", r.err, exitCode(r.err))
		}
		if !strings.Contains(r.err.Error(), "listen on "+addr) {
			t.Errorf("err = %q; want it to name the address", r.err)
		}
		if strings.Contains(r.stderr, `"msg":"listening"`) {
			t.Errorf("the log says it is listening:\n%s", r.stderr)
		}
	})

	t.Run("ErrDatabaseCannotOpen", func(t *testing.T) {
		t.Parallel()
		r := execute(t, "", "serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"))
		if r.err == nil || exitCode(r.err) != 1 || !strings.Contains(r.err.Error(), "open database") {
			t.Errorf("err = %v (exit code %d); want exit code 1 naming the database", r.err, exitCode(r.err))
		}
	})

	// A stop (SIGTERM, here a cancelled context) closes the listener at
	// once and run returns nil well within the shutdown timeout.
	t.Run("OKStopClosesListener", func(t *testing.T) {
		t.Parallel()
		p := startServe(t, sqlstoretest.DSN(t, "sqlite"), "--shutdown-timeout", "5s")
		p.mustGet(t, "/healthz")
		began := time.Now()
		p.stopped = true
		if err := p.stop(t); err != nil {
			t.Fatalf("run returned %v; want nil", err)
		}
		if d := time.Since(began); d > 5*time.Second {
			t.Errorf("run returned after %s; want within the 5 s shutdown timeout", d)
		}
		if conn, err := net.Dial("tcp", strings.TrimPrefix(p.URL, "http://")); err == nil {
			conn.Close()
			t.Errorf("a new connection was accepted after the stop")
		}
		logs := p.stderr.String()
		for _, msg := range []string{`"msg":"shutting down: draining requests in flight"`, `"msg":"stopped"`} {
			if !strings.Contains(logs, msg) {
				t.Errorf("the log lacks %s:\n%s", msg, logs)
			}
		}
	})

	// Connections kept alive between requests do not hold the stop up:
	// they are closed, run returns nil long before the shutdown timeout,
	// and the client's next request finds no server.
	t.Run("OKStopClosesIdleConnections", func(t *testing.T) {
		t.Parallel()
		p := startServe(t, sqlstoretest.DSN(t, "sqlite"), "--shutdown-timeout", "10s")
		var dials atomic.Int32
		base := &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				dials.Add(1)
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			},
		}
		defer base.CloseIdleConnections()
		client := &http.Client{Transport: openapitest.NewTransport(t, base), Timeout: 10 * time.Second}
		for range 2 {
			resp, err := client.Get(p.URL + "/healthz")
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /healthz: %d", resp.StatusCode)
			}
		}
		if n := dials.Load(); n != 1 {
			t.Fatalf("%d connections for two requests; want one kept alive", n)
		}

		began := time.Now()
		p.stopped = true
		if err := p.stop(t); err != nil {
			t.Fatalf("run returned %v; want nil", err)
		}
		if d := time.Since(began); d > 5*time.Second {
			t.Errorf("run returned after %s; an idle connection held the stop up", d)
		}
		if resp, err := client.Get(p.URL + "/healthz"); err == nil {
			resp.Body.Close()
			t.Errorf("a request after the stop got %d; want no server", resp.StatusCode)
		}
	})
}

// The server collects garbage less often than Go's default (GOGC=200, a
// 512 MiB soft limit) unless the environment says otherwise; /metrics shows
// what is in force.
func TestGCDefaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name              string
		env               []string
		gogc, memoryLimit string
	}{
		{"Defaults", []string{"GOGC=", "GOMEMLIMIT="}, "200", "5.36870912e+08"},
		{"FromEnvironment", []string{"GOGC=150", "GOMEMLIMIT=1GiB"}, "150", "1.073741824e+09"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := spawnProcess(t, sqlstoretest.DSN(t, "sqlite"), tc.env...)
			p.waitReady(t)
			defer p.stop(t)
			resp, body := p.api().get(t, "/metrics")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET /metrics: %d", resp.StatusCode)
			}
			for name, want := range map[string]string{"go_gc_gogc_percent": tc.gogc, "go_gc_gomemlimit_bytes": tc.memoryLimit} {
				var got string
				for line := range strings.Lines(string(body)) {
					if f := strings.Fields(line); len(f) == 2 && f[0] == name {
						got = f[1]
					}
				}
				if got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			for _, name := range []string{"process_resident_memory_bytes", "go_goroutines"} {
				if !strings.Contains(string(body), "\n"+name+" ") {
					t.Errorf("/metrics has no %s", name)
				}
			}
		})
	}
}
