package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"github.com/salesmania/salesmania/client"
)

// The client commands (login, customers, products, visits, orders) are for
// people: they call a running server through package client as the user of
// a profile that "salesmania login" stored. They print tables on a terminal
// and JSON otherwise.

// cliCommand is one "salesmania NOUN VERB" client command.
type cliCommand struct {
	summary string // the usage line after "salesmania NOUN VERB"
	run     func(ctx context.Context, c *cli, args []string) error
}

// cliCommands returns the verbs of each noun.
func cliCommands() map[string]map[string]cliCommand {
	return map[string]map[string]cliCommand{
		"customers": customerCommands(),
		"products":  productCommands(),
		"visits":    visitCommands(),
		"plans":     planCommands(),
		"orders":    orderCommands(),
		"settings":  settingsCommands(),
	}
}

// cli is what a client command runs with: the program's environment and
// streams, and the flags every client command takes.
type cli struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	name           string // "customers list", for messages

	profileName string // --profile
	json        bool   // --json
}

// runClientCommand runs "salesmania NOUN VERB …" for the nouns of
// cliCommands.
func runClientCommand(ctx context.Context, noun string, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	verbs := cliCommands()[noun]
	names := make([]string, 0, len(verbs))
	for v := range verbs {
		names = append(names, v)
	}
	slices.Sort(names)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		var b strings.Builder
		fmt.Fprintf(&b, "Usage:\n")
		for _, v := range names {
			fmt.Fprintln(&b, strings.TrimRight(fmt.Sprintf("  salesmania %s %s %s", noun, v, verbs[v].summary), " "))
		}
		fmt.Fprintf(&b, "Run \"salesmania %s VERB -h\" for a command's flags.\n", noun)
		if len(args) == 0 {
			fmt.Fprint(stderr, b.String())
			return &usageError{fmt.Sprintf("%s needs a verb: %s", noun, strings.Join(names, ", "))}
		}
		fmt.Fprint(stdout, b.String())
		return nil
	}
	cmd, ok := verbs[args[0]]
	if !ok {
		return &usageError{fmt.Sprintf("unknown command %q; %s takes %s", noun+" "+args[0], noun, strings.Join(names, ", "))}
	}
	c := &cli{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, name: noun + " " + args[0]}
	return cmd.run(ctx, c, args[1:])
}

// flags returns the flag set of the command with the flags every client
// command takes.
func (c *cli) flags() *flag.FlagSet {
	fs := c.profileFlags()
	fs.BoolVar(&c.json, "json", false, "print JSON instead of a table, even on a terminal")
	return fs
}

// profileFlags returns the flag set of a command that prints no tables,
// with --profile alone.
func (c *cli) profileFlags() *flag.FlagSet {
	fs := newFlagSet(c.name, c.stderr)
	fs.StringVar(&c.profileName, "profile", "", `the login to use, as stored by "salesmania login" (env SALESMANIA_PROFILE; default "default")`)
	return fs
}

// parseArgs parses args, flags and positional arguments in any order, and
// returns the positional ones; there must be exactly as many as names
// lists (their names, for the message).
func parseArgs(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	pos, err := parsePositionals(fs, args)
	if err != nil {
		return nil, err
	}
	switch {
	case len(pos) < len(names):
		return nil, &usageError{fmt.Sprintf("%s: missing %s", fs.Name(), strings.Join(names[len(pos):], " "))}
	case len(pos) > len(names):
		return nil, &usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), pos[len(names)])}
	}
	return pos, nil
}

// parsePositionals parses args, flags and positional arguments in any
// order, and returns the positional ones, however many.
func parsePositionals(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// floatFlag is a number flag that knows whether it was given: v is nil
// until it is.
type floatFlag struct{ v *float64 }

func (f *floatFlag) String() string {
	if f.v == nil {
		return ""
	}
	return strconv.FormatFloat(*f.v, 'f', -1, 64)
}

func (f *floatFlag) Set(s string) error {
	x, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return errors.New("must be a number")
	}
	f.v = &x
	return nil
}

// stringFlag is a text flag that knows whether it was given, even as "".
type stringFlag struct{ v *string }

func (f *stringFlag) String() string {
	if f.v == nil {
		return ""
	}
	return *f.v
}

func (f *stringFlag) Set(s string) error {
	f.v = &s
	return nil
}

// missingFlags returns a usage error naming the flags, by name, whose value
// is nil, or nil if every one was given.
func missingFlags(flags map[string]*floatFlag) error {
	var missing []string
	for name, f := range flags {
		if f.v == nil {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return &usageError{"missing required flag " + strings.Join(missing, ", ")}
}

// parseID reads a positional id argument.
func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, &usageError{fmt.Sprintf("%s must be a positive id, not %q", what, s)}
	}
	return id, nil
}

// parseBoolFlag reads a three-state boolean filter: "" for no filter.
func parseBoolFlag(name, s string) (*bool, error) {
	if s == "" {
		return nil, nil
	}
	b, ok := parseBool(s)
	if !ok {
		return nil, &usageError{fmt.Sprintf("--%s must be true or false, not %q", name, s)}
	}
	return &b, nil
}

// parseBool reads the booleans of command lines and CSV cells: true and
// false, and the other spellings strconv.ParseBool knows (1, 0, t, f, …),
// in any case.
func parseBool(s string) (bool, bool) {
	b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(s)))
	return b, err == nil
}

// checkDateFlag checks that a flag holds a YYYY-MM-DD date, if given.
func checkDateFlag(name, v string) error {
	if v == "" {
		return nil
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil || len(v) != len(time.DateOnly) {
		return &usageError{fmt.Sprintf("--%s must be a date as YYYY-MM-DD, not %q", name, v)}
	}
	return nil
}

// cliUserAgent names the CLI in the server's access log.
const cliUserAgent = "salesmania-cli/1"

// connect returns a client of the server of the command's profile, logged
// in with the profile's bearer token. SALESMANIA_URL and SALESMANIA_TOKEN
// override the profile's URL and token (a token alone needs no profile);
// SALESMANIA_DB_ID its database. A profile whose token has expired is
// refused with a request to log in again.
func (c *cli) connect(opts ...client.Option) (*client.Client, error) {
	sess, err := c.session()
	if err != nil {
		return nil, err
	}
	all := append([]client.Option{
		client.WithBearer(sess.Token),
		client.WithDatabase(sess.DBID),
		client.WithUserAgent(cliUserAgent),
	}, opts...)
	return client.New(sess.URL, all...)
}

// session returns the server, token and database the command uses.
func (c *cli) session() (profile, error) {
	name := c.profileName
	if name == "" {
		name = envOr(c.getenv, "SALESMANIA_PROFILE", defaultProfile)
	}
	envURL, envToken := c.getenv("SALESMANIA_URL"), c.getenv("SALESMANIA_TOKEN")
	var p profile
	if envToken == "" || envURL == "" || c.profileName != "" {
		path, err := profilesPath(c.getenv)
		if err != nil {
			return profile{}, err
		}
		pf, err := loadProfiles(path)
		if err != nil {
			return profile{}, err
		}
		found, ok := pf.Profiles[name]
		switch {
		case ok:
			p = found
		case envToken != "" && c.profileName == "":
			// SALESMANIA_TOKEN without SALESMANIA_URL and no profile.
			return profile{}, errors.New("SALESMANIA_TOKEN needs SALESMANIA_URL (or a profile) to say which server it is for")
		default:
			return profile{}, noProfileError(name, path, pf)
		}
		if envToken == "" && !p.ExpiresAt.IsZero() && time.Now().After(p.ExpiresAt) {
			return profile{}, fmt.Errorf("the login of profile %q expired on %s; run \"salesmania login%s\" again",
				name, p.ExpiresAt.Local().Format("2006-01-02 15:04"), profileFlag(name))
		}
	}
	p.name = name
	if envURL != "" {
		p.URL = envURL
	}
	if envToken != "" {
		p.Token = envToken
	}
	if v := c.getenv("SALESMANIA_DB_ID"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return profile{}, &usageError{fmt.Sprintf("SALESMANIA_DB_ID must be a positive id, not %q", v)}
		}
		p.DBID = id
	}
	return p, nil
}

func noProfileError(name, path string, pf *profileFile) error {
	if len(pf.Profiles) == 0 {
		return fmt.Errorf("not logged in: run \"salesmania login --url URL --email EMAIL%s\" first (no profiles in %s)", profileFlag(name), path)
	}
	names := make([]string, 0, len(pf.Profiles))
	for n := range pf.Profiles {
		names = append(names, strconv.Quote(n))
	}
	slices.Sort(names)
	return fmt.Errorf("no profile %q in %s (there are %s); run \"salesmania login%s\" or choose one with --profile",
		name, path, strings.Join(names, ", "), profileFlag(name))
}

// profileFlag is the --profile argument to repeat in advice, if any.
func profileFlag(name string) string {
	if name == defaultProfile {
		return ""
	}
	return " --profile " + name
}

// describeClientError turns an error of a client call into a message for
// people: what the server said and each bad field, or what to do about a
// login that stopped working.
func (c *cli) describeClientError(err error) error {
	var ce *client.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, client.ErrDatabaseNotChosen):
		return fmt.Errorf("%v; run \"salesmania login\" with --db-id", strings.TrimPrefix(err.Error(), "salesmania client: "))
	case client.IsUnauthenticated(err):
		name := c.profileName
		if name == "" {
			name = envOr(c.getenv, "SALESMANIA_PROFILE", defaultProfile)
		}
		return fmt.Errorf("the server refused the login (its token expired or was revoked); run \"salesmania login%s\" again", profileFlag(name))
	case errors.As(err, &ce):
		msg := strings.TrimSuffix(ce.Detail, ".")
		if msg == "" {
			msg = ce.Title
		}
		var fields []string
		for _, f := range ce.Fields {
			fields = append(fields, f.Field+": "+f.Message)
		}
		if len(fields) > 0 {
			msg += " (" + strings.Join(fields, "; ") + ")"
		}
		if ce.Status >= 500 && ce.Instance != "" {
			msg += " [request " + ce.Instance + "]"
		}
		return errors.New(msg)
	}
	return err
}

// isTerminal reports whether w is a terminal, where people rather than
// programs read the output. It asks the terminal driver (golang.org/x/term):
// /dev/null is a character device but no terminal.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// tables reports whether the command prints tables: on a terminal, unless
// --json asks for JSON.
func (c *cli) tables() bool { return !c.json && isTerminal(c.stdout) }

// printJSON writes v as one line of JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// countingTransport counts the answers the server rate limited (429), which
// the client waits out, so a long import can say it was slowed down.
type countingTransport struct {
	next      http.RoundTripper
	throttled atomic.Int64
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusTooManyRequests {
		t.throttled.Add(1)
	}
	return resp, err
}

// pooledTransport returns an HTTP transport that keeps a connection per
// worker alive, so that a long import does not open (and leave in
// TIME_WAIT) a connection per row.
func pooledTransport(workers int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = workers + 2
	return t
}
