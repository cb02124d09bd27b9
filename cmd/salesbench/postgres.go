package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
)

// scratchPostgres is a PostgreSQL database made for one run.
type scratchPostgres struct {
	admin *sql.DB // connected to the maintenance database named by -pg
	name  string
	DSN   string // URL of the new database
}

// createScratchPostgres creates an empty database salesbench_<random> on the
// server that adminDSN (a postgres:// URL of an existing database) names.
func createScratchPostgres(ctx context.Context, adminDSN string) (*scratchPostgres, error) {
	u, err := url.Parse(adminDSN)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("-pg must be a postgres:// URL, not %q", adminDSN)
	}
	suffix, err := randomHex(6)
	if err != nil {
		return nil, err
	}
	name := "salesbench_" + suffix
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return nil, err
	}
	admin.SetMaxOpenConns(1)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// name is made of [a-z0-9_] only, so it needs no quoting.
	if _, err := admin.ExecContext(cctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create database %s on %s: %w", name, u.Redacted(), err)
	}
	u.Path = "/" + name
	return &scratchPostgres{admin: admin, name: name, DSN: u.String()}, nil
}

// Drop deletes the database, closing what connections are left to it.
// DROP DATABASE waits for a checkpoint of the whole cluster, which can take
// a while on a server that other work keeps busy, hence the long timeout.
func (p *scratchPostgres) Drop() error {
	defer p.admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := p.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+p.name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w (drop it by hand: psql -c 'DROP DATABASE %s WITH (FORCE)')", p.name, err, p.name)
	}
	return nil
}

// redact hides the password of a postgres:// URL.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}
