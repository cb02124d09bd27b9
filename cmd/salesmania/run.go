package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/sqlstore"
)

const usage = `salesmania: a self-hostable server of SalesMania's external API.

Usage:
  salesmania serve  [--addr 127.0.0.1:8080] [--db salesmania.db | --db postgres://…]
  salesmania demo   [--addr 127.0.0.1:8080] [--db FILE]   fresh demo data, then serve
  salesmania admin db create     --name NAME
  salesmania admin db set        --db-id ID [--geofence-radius M] [--timezone TZ]
  salesmania admin team create   --db-id ID --name NAME [--salesman-no S]
  salesmania admin user create   --email E (--password P | --password-stdin)
  salesmania admin member add    --user-id U --db-id ID --team-id T [--role admin|member]
  salesmania admin member remove --user-id U --db-id ID
  salesmania admin webhook add   --db-id ID --url URL --secret S [--events order.created,order.updated] [--allow-private]
  salesmania admin backup        --to FILE   a consistent copy of the SQLite database, while it serves

Client commands, for people, against a running server:
  salesmania login     --url URL --email E [--password-stdin] [--db-id ID] [--profile NAME]
  salesmania customers list [--q TEXT] | get ID | import FILE [--skip-bad] [--resume] | export [--out FILE]
  salesmania products  list [--q TEXT] | get ID | import FILE [--skip-bad] [--resume] | export [--out FILE]
  salesmania visits    list [--date D | --from D --to D] | add --customer-id C [--date D] [--team-id T]
  salesmania visits    show ID | check-in ID --lat L --lon L --accuracy M | check-out ID | skip ID | unskip ID
  salesmania visits    move ID --date D | rm ID | reorder --date D [--team-id T] ID…
  salesmania visits    optimize --date D [--team-id T] [--start LAT,LON] [--end LAT,LON] [--apply]
  salesmania plans     list [--team-id T] [--customer-id C] [--active true|false] | rm ID
  salesmania plans     add --customer-id C --weekdays 1,4 --start-date D [--every-weeks 2] [--end-date D] [--duration 30]
  salesmania plans     materialize --from D --to D [--team-id T] [--optimize]
  salesmania settings  show | set [--geofence-radius M] [--timezone TZ]
  salesmania orders    list [--status S] [--from D] [--to D] | get ID
  salesmania sync      --out DIR [--interval 30s] [--once]   a copy of the database in DIR, kept up to date

serve, demo and admin take --db (env SALESMANIA_DB, default salesmania.db):
an SQLite file path, or a postgres:// URL. serve and demo take --addr (env
SALESMANIA_ADDR). admin commands print the created row as JSON on stdout.
login stores a profile (the server, the database and a bearer token, never
the password) that the client commands use; they print tables on a terminal
and JSON lines otherwise or with --json.
Run "salesmania COMMAND -h" for a command's flags.
`

// usageError marks a command line the user must fix; it exits with 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var ue *usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// run is the whole program; main only wires it to the process. Tests call it
// directly with their own arguments, environment and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	err := runCommand(ctx, args, getenv, stdin, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		// "COMMAND -h": the flag set has shown the command's flags, as asked.
		return nil
	}
	return err
}

// runCommand runs the command named by args[1].
func runCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return &usageError{"a command is required"}
	}
	switch cmd, rest := args[1], args[2:]; cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "demo":
		return runDemo(ctx, rest, getenv, stdout, stderr)
	case "admin":
		return runAdmin(ctx, rest, getenv, stdin, stdout, stderr)
	case "login":
		return runLogin(ctx, rest, getenv, stdin, stdout, stderr)
	case "sync":
		return runSync(ctx, rest, getenv, stdin, stdout, stderr)
	case "customers", "products", "visits", "plans", "orders", "settings":
		return runClientCommand(ctx, cmd, rest, getenv, stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return &usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and refuses positional leftovers.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

func openStore(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	s, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", redactDSN(dsn), err)
	}
	return s, nil
}

// redactDSN hides the password of a PostgreSQL URL.
func redactDSN(dsn string) string {
	if !sqlstore.IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable)"
	}
	return u.Redacted()
}

// flagOfField names the flags that are not their field's name with dashes.
var flagOfField = map[string]string{"ext_salesman_number": "salesman-no", "accuracy_m": "accuracy", "geofence_radius_m": "geofence-radius",
	"speed_kmh": "speed", "duration_min": "duration", "date_from": "from", "date_to": "to"}

// describeError renders an error of the domain for a terminal: its message
// and each bad field.
func describeError(err error) error {
	var se *salesmania.Error
	if !errors.As(err, &se) {
		return err
	}
	if len(se.Fields) == 0 {
		return errors.New(strings.TrimSuffix(se.Message, "."))
	}
	parts := make([]string, len(se.Fields))
	for i, f := range se.Fields {
		field, _, _ := strings.Cut(f.Field, "[") // events[1] is a value of --events
		name, ok := flagOfField[field]
		if !ok {
			name = strings.ReplaceAll(field, "_", "-")
		}
		parts[i] = "--" + name + ": " + f.Message
	}
	return errors.New(strings.Join(parts, "; "))
}
