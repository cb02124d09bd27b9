// Package sqlstoretest gives tests fresh, real databases: an SQLite file in a
// temporary directory always, and a PostgreSQL schema of its own whenever the
// server is reachable.
//
// PostgreSQL is found at $SALESMANIA_TEST_POSTGRES (default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable). When
// SALESMANIA_REQUIRE_POSTGRES=1, as in CI, an unreachable server fails the
// test instead of skipping its PostgreSQL half.
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/salesmania/salesmania/sqlstore"
)

// DefaultPostgresDSN is used when SALESMANIA_TEST_POSTGRES is not set.
const DefaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Kinds are the database kinds every store test runs against.
var Kinds = []string{"sqlite", "postgres"}

// DSN returns the DSN of a fresh, empty database of the given kind ("sqlite"
// or "postgres"), removed when the test ends. For PostgreSQL it skips the
// test when the server is unreachable, unless PostgreSQL is required.
func DSN(tb testing.TB, kind string) string {
	tb.Helper()
	switch kind {
	case "sqlite":
		return "sqlite:" + filepath.Join(tb.TempDir(), "salesmania.db")
	case "postgres":
		return postgresSchema(tb)
	}
	tb.Fatalf("unknown database kind %q", kind)
	return ""
}

// MustOpen opens a fresh store of the given kind, closed when the test ends.
func MustOpen(tb testing.TB, kind string) *sqlstore.Store {
	tb.Helper()
	return MustOpenDSN(tb, DSN(tb, kind))
}

// MustOpenDSN opens the store at dsn, closed when the test ends.
func MustOpenDSN(tb testing.TB, dsn string) *sqlstore.Store {
	tb.Helper()
	s, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// Each runs f as a subtest once per database kind.
func Each(t *testing.T, f func(t *testing.T, kind string)) {
	t.Helper()
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) { f(t, kind) })
	}
}

// Required reports whether PostgreSQL tests must run (not skip).
func Required() bool { return os.Getenv("SALESMANIA_REQUIRE_POSTGRES") == "1" }

func postgresSchema(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("SALESMANIA_TEST_POSTGRES")
	if base == "" {
		base = DefaultPostgresDSN
	}
	admin, err := sql.Open("pgx", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if admin != nil {
			admin.Close()
		}
		if Required() {
			tb.Fatalf("PostgreSQL is required (SALESMANIA_REQUIRE_POSTGRES=1) but unreachable at %s: %v", redact(base), err)
		}
		tb.Skipf("PostgreSQL unreachable at %s (set SALESMANIA_TEST_POSTGRES): %v", redact(base), err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "salesmania_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		defer admin.Close()
		// Connections of the test may linger a moment; CASCADE drops all.
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Logf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", redact(base), err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	return u.Redacted()
}
