package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/salesmania/salesmania/demo"
)

func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", stderr)
	var cfg serveConfig
	cfg.register(fs, getenv, "text")
	fs.StringVar(&cfg.dsn, "db", "", "database for the demo (default: a new SQLite file in a temporary directory)")
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
	if cfg.dsn == "" {
		dir, err := os.MkdirTemp("", "salesmania-demo-")
		if err != nil {
			return err
		}
		// The demo database lives as long as the demo.
		defer os.RemoveAll(dir)
		cfg.dsn = filepath.Join(dir, "salesmania.db")
	}
	store, err := openStore(ctx, cfg.dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	info, err := demo.Seed(ctx, store)
	if err != nil {
		return fmt.Errorf("seed the demo data: %w", err)
	}
	return serve(ctx, cfg, store, logger, func(addr string) {
		printDemo(stdout, addr, redactDSN(cfg.dsn), info)
	})
}

func printDemo(w io.Writer, addr, dsn string, info *demo.Info) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nsalesmania demo: %s is served at %s\n", info.Database.Name, addr)
	fmt.Fprintf(&b, "database file: %s", dsn)
	if info.Existing {
		b.WriteString(" (demo data was there already)")
	}
	if !info.Existing {
		fmt.Fprintf(&b, "\nseeded: %d teams, %d customers, %d products, %d visits this week, today (%s) under way with %d orders",
			len(info.Teams), info.Customers, info.Products, info.Visits, info.Today, info.Orders)
	}
	b.WriteString("\n\nLogins (HTTP Basic on GET /extapi/v1.0/token):\n")
	for _, l := range info.Logins {
		fmt.Fprintf(&b, "  %-24s password %s   role %-6s team %s\n", l.Email, l.Password, l.Role, l.TeamName)
	}
	admin := info.Logins[0]
	fmt.Fprintf(&b, `
Try it:
  TOKEN=$(curl -s -u '%[2]s:%[3]s' %[1]s/extapi/v1.0/token | sed -E 's/.*"token":"([^"]+)".*/\1/')
  curl -s -H "Authorization: Bearer $TOKEN" %[1]s/extapi/v1.0/databases
  TEAM=$(curl -s -H "Authorization: Bearer $TOKEN" '%[1]s/extapi/v1.0/team_token?db_id=%[4]d' | sed -E 's/.*"team_token":"([^"]+)".*/\1/')
  curl -s -H "Authorization: Bearer $TOKEN" -H "X-Team-Token: $TEAM" %[1]s/extapi/v1.0/teams
  curl -s -H "Authorization: Bearer $TOKEN" -H "X-Team-Token: $TEAM" '%[1]s/extapi/v1.0/customers?limit=5&q=toko'
  curl -s -H "Authorization: Bearer $TOKEN" -H "X-Team-Token: $TEAM" '%[1]s/extapi/v1.0/products?tag=mie'
  curl -s -H "Authorization: Bearer $TOKEN" -H "X-Team-Token: $TEAM" '%[1]s/extapi/v1.1/visits?date=%[5]s'
  curl -s -H "Authorization: Bearer $TOKEN" -H "X-Team-Token: $TEAM" '%[1]s/extapi/v1.0/orders?date_from=%[5]s&date_to=%[5]s'

Manager's console: %[1]s/  (sign in with a login above)
API document: %[1]s/openapi.json   Stop with Ctrl-C.

`, addr, admin.Email, admin.Password, info.Database.ID, info.Today)
	io.WriteString(w, b.String())
}
