package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/webhook"
)

// adminCommand is one "salesmania admin NOUN VERB" command. flags registers
// its flags; do runs it on an open store and returns the row to print.
type adminCommand struct {
	flags func(fs *flag.FlagSet) func() error // returns a check of the parsed values
	do    func(ctx context.Context, store *sqlstore.Store, stdin io.Reader) (any, error)
}

func runAdmin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var name string
	var rest []string
	switch {
	case len(args) > 0 && adminCommands()[args[0]].do != nil: // a command of one word: admin backup
		name, rest = args[0], args[1:]
	case len(args) < 2:
		fmt.Fprint(stderr, usage)
		return &usageError{"admin needs a noun and a verb, e.g. admin db create"}
	default:
		name, rest = args[0]+" "+args[1], args[2:]
	}
	cmd, ok := adminCommands()[name]
	if !ok {
		fmt.Fprint(stderr, usage)
		return &usageError{fmt.Sprintf("unknown admin command %q", name)}
	}
	fs := newFlagSet("admin "+name, stderr)
	var dsn string
	fs.StringVar(&dsn, "db", envOr(getenv, "SALESMANIA_DB", "salesmania.db"), "SQLite file or postgres:// URL (env SALESMANIA_DB)")
	check := cmd.flags(fs)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if err := check(); err != nil {
		return &usageError{err.Error()}
	}
	// Only "db create" may make a new SQLite file: elsewhere a mistyped
	// --db would quietly create an empty database.
	if path := strings.TrimPrefix(dsn, "sqlite:"); !sqlstore.IsPostgres(dsn) && name != "db create" {
		if _, err := os.Stat(path); err != nil {
			return &usageError{fmt.Sprintf("--db %s: no database there (check the path; \"admin db create\" or \"serve\" makes a new one)", path)}
		}
	}
	store, err := openStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	out, err := cmd.do(ctx, store, stdin)
	if err != nil {
		return describeError(err)
	}
	enc := json.NewEncoder(stdout)
	return enc.Encode(out)
}

// required returns a check that every named string flag was given.
func required(values map[string]*string) func() error {
	return func() error {
		var missing []string
		for name, v := range values {
			if strings.TrimSpace(*v) == "" {
				missing = append(missing, "--"+name)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			return fmt.Errorf("missing required flag %s", strings.Join(missing, ", "))
		}
		return nil
	}
}

// positive returns a check that every named integer flag is a positive id.
func positive(values map[string]*int64) func() error {
	return func() error {
		var missing, bad []string
		for name, v := range values {
			switch {
			case *v == 0:
				missing = append(missing, "--"+name)
			case *v < 0:
				bad = append(bad, "--"+name)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			return fmt.Errorf("missing required flag %s", strings.Join(missing, ", "))
		}
		if len(bad) > 0 {
			slices.Sort(bad)
			return fmt.Errorf("%s must be a positive id", strings.Join(bad, ", "))
		}
		return nil
	}
}

func all(checks ...func() error) func() error {
	return func() error {
		for _, c := range checks {
			if err := c(); err != nil {
				return err
			}
		}
		return nil
	}
}

// teamRow is a team as the admin CLI prints it: the contract's team object
// plus its database.
type teamRow struct {
	ID                int64     `json:"id"`
	DBID              int64     `json:"db_id"`
	Name              string    `json:"name"`
	ExtSalesmanNumber string    `json:"ext_salesman_number"`
	Status            bool      `json:"status"`
	CreatedAt         time.Time `json:"created_at"`
}

func adminCommands() map[string]adminCommand {
	return map[string]adminCommand{
		"backup": backupCommand(),
		"db create": func() adminCommand {
			var name string
			return adminCommand{
				flags: func(fs *flag.FlagSet) func() error {
					fs.StringVar(&name, "name", "", "name of the company (required)")
					return required(map[string]*string{"name": &name})
				},
				do: func(ctx context.Context, store *sqlstore.Store, _ io.Reader) (any, error) {
					d := salesmania.Database{Name: name}
					return d, store.CreateDatabase(ctx, &d)
				},
			}
		}(),
		"db set": func() adminCommand {
			var dbID int64
			var radius floatFlag
			var timezone stringFlag
			return adminCommand{
				flags: func(fs *flag.FlagSet) func() error {
					fs.Int64Var(&dbID, "db-id", 0, "database id (required)")
					fs.Var(&radius, "geofence-radius", "how near its customer, in `metres`, a check-in must be, and how accurate, to be verified (10 to 5000)")
					fs.Var(&timezone, "timezone", "the IANA time `zone` in which the database's dates are days, e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura")
					return all(positive(map[string]*int64{"db-id": &dbID}), func() error {
						if radius.v == nil && timezone.v == nil {
							return fmt.Errorf("give --geofence-radius or --timezone, or both")
						}
						return nil
					})
				},
				do: func(ctx context.Context, store *sqlstore.Store, _ io.Reader) (any, error) {
					set, err := store.UpdateSettings(ctx, dbID, &salesmania.SettingsFields{GeofenceRadiusM: radius.v, Timezone: timezone.v})
					if err != nil {
						return nil, err
					}
					return struct {
						DBID int64 `json:"db_id"`
						*salesmania.Settings
					}{dbID, set}, nil
				},
			}
		}(),
		"team create": func() adminCommand {
			var dbID int64
			var name, salesmanNo string
			return adminCommand{
				flags: func(fs *flag.FlagSet) func() error {
					fs.Int64Var(&dbID, "db-id", 0, "database id (required)")
					fs.StringVar(&name, "name", "", "team name (required)")
					fs.StringVar(&salesmanNo, "salesman-no", "", "ext_salesman_number: the salesman's number in your ERP")
					return all(positive(map[string]*int64{"db-id": &dbID}), required(map[string]*string{"name": &name}))
				},
				do: func(ctx context.Context, store *sqlstore.Store, _ io.Reader) (any, error) {
					t := salesmania.Team{Name: name, ExtSalesmanNumber: salesmanNo, Status: true}
					if err := store.CreateTeam(ctx, dbID, &t); err != nil {
						return nil, err
					}
					return teamRow{ID: t.ID, DBID: t.DBID, Name: t.Name, ExtSalesmanNumber: t.ExtSalesmanNumber, Status: t.Status, CreatedAt: t.CreatedAt}, nil
				},
			}
		}(),
		"user create": func() adminCommand {
			var email, password string
			var fromStdin bool
			return adminCommand{
				flags: func(fs *flag.FlagSet) func() error {
					fs.StringVar(&email, "email", "", "login email (required)")
					fs.StringVar(&password, "password", "", "password, at least 8 characters (or use --password-stdin)")
					fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input")
					return func() error {
						if err := required(map[string]*string{"email": &email})(); err != nil {
							return err
						}
						if fromStdin == (password != "") {
							return fmt.Errorf("give exactly one of --password and --password-stdin")
						}
						return nil
					}
				},
				do: func(ctx context.Context, store *sqlstore.Store, stdin io.Reader) (any, error) {
					if fromStdin {
						line, err := bufio.NewReader(stdin).ReadString('\n')
						if err != nil && line == "" {
							return nil, fmt.Errorf("read the password from standard input: %w", err)
						}
						password = strings.TrimRight(line, "\r\n")
					}
					normalized, err := salesmania.ValidateNewUser(email, password)
					if err != nil {
						return nil, err
					}
					hash, err := auth.HashPassword(password)
					if err != nil {
						return nil, err
					}
					u := salesmania.User{Email: normalized, PasswordHash: hash}
					return u, store.CreateUser(ctx, &u)
				},
			}
		}(),
		"member add": func() adminCommand {
			var userID, dbID, teamID int64
			var role string
			return adminCommand{
				flags: func(fs *flag.FlagSet) func() error {
					fs.Int64Var(&userID, "user-id", 0, "user id (required)")
					fs.Int64Var(&dbID, "db-id", 0, "database id (required)")
					fs.Int64Var(&teamID, "team-id", 0, "the user's team in the database (required)")
					fs.StringVar(&role, "role", "member", "admin (acts for every team) or member (its own team only)")
					return all(positive(map[string]*int64{"user-id": &userID, "db-id": &dbID, "team-id": &teamID}), func() error {
						if !salesmania.Role(role).Valid() {
							return fmt.Errorf("--role must be admin or member, not %q", role)
						}
						return nil
					})
				},
				do: func(ctx context.Context, store *sqlstore.Store, _ io.Reader) (any, error) {
					m := salesmania.Membership{DBID: dbID, UserID: userID, TeamID: teamID, Role: salesmania.Role(role)}
					return m, store.PutMember(ctx, &m)
				},
			}
		}(),
		"webhook add": func() adminCommand {
			var dbID int64
			var url, secret, events string
			var allowPrivate bool
			return adminCommand{
				flags: func(fs *flag.FlagSet) func() error {
					fs.Int64Var(&dbID, "db-id", 0, "database id (required)")
					fs.StringVar(&url, "url", "", "the receiver's http:// or https:// URL (required)")
					fs.StringVar(&secret, "secret", "", "the HMAC key the receiver checks signatures with, 16 to 256 characters (required)")
					fs.StringVar(&events, "events", "order.created,order.updated", "comma-separated events to send")
					fs.BoolVar(&allowPrivate, "allow-private", false, "allow a URL inside the network (loopback, private, link-local), for an on-premise ERP; serve must run with --webhook-allow-private to deliver there")
					return all(positive(map[string]*int64{"db-id": &dbID}), required(map[string]*string{"url": &url, "secret": &secret}))
				},
				do: func(ctx context.Context, store *sqlstore.Store, _ io.Reader) (any, error) {
					evs := strings.Split(events, ",")
					for i := range evs {
						evs[i] = strings.TrimSpace(evs[i])
					}
					in := salesmania.WebhookCreate{URL: &url, Secret: &secret, Events: &evs}
					hook, err := in.NewWebhook(allowPrivate)
					if err != nil {
						return nil, err
					}
					if !allowPrivate {
						if err := webhook.CheckURL(ctx, hook.URL); err != nil {
							return nil, err
						}
					}
					if err := store.CreateWebhook(ctx, dbID, hook); err != nil {
						return nil, err
					}
					return struct {
						DBID int64 `json:"db_id"`
						*salesmania.Webhook
					}{dbID, hook}, nil
				},
			}
		}(),
		"member remove": func() adminCommand {
			var userID, dbID int64
			return adminCommand{
				flags: func(fs *flag.FlagSet) func() error {
					fs.Int64Var(&userID, "user-id", 0, "user id (required)")
					fs.Int64Var(&dbID, "db-id", 0, "database id (required)")
					return positive(map[string]*int64{"user-id": &userID, "db-id": &dbID})
				},
				do: func(ctx context.Context, store *sqlstore.Store, _ io.Reader) (any, error) {
					if err := store.RemoveMember(ctx, dbID, userID); err != nil {
						return nil, err
					}
					return map[string]any{"db_id": dbID, "user_id": userID, "removed": true}, nil
				},
			}
		}(),
	}
}
