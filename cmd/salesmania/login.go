package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/salesmania/salesmania/client"
)

// defaultProfile is the profile of commands that name none.
const defaultProfile = "default"

// profile is a stored login: the server, the user, the chosen database and
// the bearer token with its expiry. The password is never stored; when the
// token expires the user logs in again.
type profile struct {
	URL       string    `json:"url"`
	Email     string    `json:"email"`
	DBID      int64     `json:"db_id"`
	DBName    string    `json:"db_name,omitempty"`
	TeamID    int64     `json:"team_id"`
	TeamName  string    `json:"team_name,omitempty"`
	Role      string    `json:"role,omitempty"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`

	name string // the profile's name in the file
}

// profileFile is the file of profiles, profiles.json in the configuration
// directory.
type profileFile struct {
	Profiles map[string]profile `json:"profiles"`
}

// profilesPath returns $XDG_CONFIG_HOME/salesmania/profiles.json, or
// ~/.config/salesmania/profiles.json when XDG_CONFIG_HOME is not set.
func profilesPath(getenv func(string) string) (string, error) {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("cannot tell where to keep logins: set HOME or XDG_CONFIG_HOME")
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "salesmania", "profiles.json"), nil
}

// loadProfiles reads the profiles at path; a missing file has none.
func loadProfiles(path string) (*profileFile, error) {
	pf := &profileFile{Profiles: map[string]profile{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return pf, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the logins: %w", err)
	}
	if err := json.Unmarshal(b, pf); err != nil {
		return nil, fmt.Errorf("read the logins in %s: %v (fix or delete the file, then log in again)", path, err)
	}
	if pf.Profiles == nil {
		pf.Profiles = map[string]profile{}
	}
	return pf, nil
}

// saveProfiles writes the profiles to path, readable by the user alone
// (0600, in a 0700 directory): they hold bearer tokens. The file is
// replaced whole by a rename, so it is never seen half written.
func saveProfiles(path string, pf *profileFile) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save the login: %w", err)
	}
	b, err := json.MarshalIndent(pf, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".profiles-*.json")
	if err != nil {
		return fmt.Errorf("save the login: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("save the login: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save the login: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save the login: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save the login: %w", err)
	}
	return nil
}

// runLogin is "salesmania login": it logs in with email and password,
// chooses the database, and stores the bearer token as a profile.
func runLogin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := &cli{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, name: "login"}
	fs := c.flags()
	var url, email string
	var dbID int64
	var fromStdin bool
	fs.StringVar(&url, "url", getenv("SALESMANIA_URL"), "the server, e.g. https://sales.example.com (env SALESMANIA_URL; default: the profile's, or http://127.0.0.1:8080)")
	fs.StringVar(&email, "email", "", "login email (default: the profile's)")
	fs.Int64Var(&dbID, "db-id", 0, "the database to work in; needed when the user is a member of several")
	fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input instead of asking")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: salesmania login --url URL --email EMAIL [--password-stdin] [--db-id ID] [--profile NAME]\n\n"+
			"Logs in and stores the server, the database and a bearer token (valid 30 days, never the\n"+
			"password) as a profile in $XDG_CONFIG_HOME/salesmania/profiles.json (default\n"+
			"~/.config/salesmania), readable by you alone. The other commands use it.\n\n")
		fs.PrintDefaults()
	}
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if dbID < 0 {
		return &usageError{"--db-id must be a positive id"}
	}
	name := c.profileName
	if name == "" {
		name = envOr(getenv, "SALESMANIA_PROFILE", defaultProfile)
	}
	path, err := profilesPath(getenv)
	if err != nil {
		return err
	}
	pf, err := loadProfiles(path)
	if err != nil {
		return err
	}
	old := pf.Profiles[name]
	if url == "" {
		url = old.URL
	}
	if url == "" {
		url = "http://127.0.0.1:8080"
	}
	if email == "" {
		email = old.Email
	}
	if strings.TrimSpace(email) == "" {
		return &usageError{"login: missing required flag --email"}
	}
	if _, err := client.New(url); err != nil {
		return &usageError{fmt.Sprintf("--url %q must be an http:// or https:// URL such as http://127.0.0.1:8080", url)}
	}
	password, err := readPassword(ctx, stdin, stderr, email, fromStdin)
	if err != nil {
		return err
	}
	opts := []client.Option{client.WithCredentials(email, password), client.WithUserAgent(cliUserAgent)}
	if dbID != 0 {
		opts = append(opts, client.WithDatabase(dbID))
	}
	cl, err := client.New(url, opts...)
	if err != nil {
		return err
	}
	p, err := login(ctx, cl, dbID)
	if err != nil {
		return err
	}
	p.URL, p.Email, p.name = url, email, name
	pf.Profiles[name] = p
	if err := saveProfiles(path, pf); err != nil {
		return err
	}
	if c.json {
		return printJSON(stdout, map[string]any{"profile": name, "file": path, "url": p.URL, "email": p.Email,
			"db_id": p.DBID, "db_name": p.DBName, "team_id": p.TeamID, "team_name": p.TeamName, "role": p.Role, "expires_at": p.ExpiresAt})
	}
	fmt.Fprintf(stdout, "Logged in to %s as %s: database %d %q, team %q (%s).\nSaved as profile %q in %s; it works until %s.\n",
		p.URL, p.Email, p.DBID, p.DBName, p.TeamName, p.Role, name, path, p.ExpiresAt.Local().Format("2006-01-02 15:04"))
	return nil
}

// login logs cl in, in database dbID or the user's only one, and returns
// the profile to store (without URL, email and name).
func login(ctx context.Context, cl *client.Client, dbID int64) (profile, error) {
	err := cl.Login(ctx)
	switch {
	case client.IsUnauthenticated(err):
		return profile{}, errors.New("wrong email or password")
	case client.IsRateLimited(err):
		var ce *client.Error
		errors.As(err, &ce)
		return profile{}, fmt.Errorf("too many failed logins for this email; try again in %s", ce.RetryAfter.Round(time.Second))
	case errors.Is(err, client.ErrDatabaseNotChosen), client.IsForbidden(err):
		dbs, lerr := cl.Databases(ctx)
		if lerr != nil {
			return profile{}, lerr
		}
		if len(dbs) == 0 {
			return profile{}, errors.New("this user is a member of no database yet; ask an admin to add you (salesmania admin member add)")
		}
		var b strings.Builder
		if dbID != 0 {
			fmt.Fprintf(&b, "you are not a member of database %d; choose one of yours with --db-id:", dbID)
		} else {
			fmt.Fprintf(&b, "you are a member of %d databases; choose one with --db-id:", len(dbs))
		}
		for _, d := range dbs {
			fmt.Fprintf(&b, "\n  --db-id %-6d %s (team %s, %s)", d.ID, d.Name, d.TeamName, d.Role)
		}
		return profile{}, &usageError{b.String()}
	case err != nil:
		return profile{}, err
	}
	s := cl.Session()
	p := profile{DBID: s.DBID, TeamID: s.TeamID, Token: s.Bearer, ExpiresAt: s.ExpiresAt}
	dbs, err := cl.Databases(ctx)
	if err != nil {
		return profile{}, err
	}
	for _, d := range dbs {
		if d.ID == s.DBID {
			p.DBName, p.TeamName, p.Role = d.Name, d.TeamName, string(d.Role)
		}
	}
	return p, nil
}

// readPassword reads the password: the first line of stdin with
// --password-stdin, otherwise asked for on the terminal that stdin is, with
// its echo off (golang.org/x/term), so it is never shown. Without
// --password-stdin, a stdin that is not a terminal (a pipe, a file,
// /dev/null) is refused rather than read. Ctrl-C (ctx done) gives up
// waiting, with the terminal's echo back on.
func readPassword(ctx context.Context, stdin io.Reader, stderr io.Writer, email string, fromStdin bool) (string, error) {
	type read struct {
		line string
		err  error
	}
	got := make(chan read, 1)
	var restore func() // the terminal's state before the prompt
	if fromStdin {
		go func() {
			line, err := bufio.NewReader(stdin).ReadString('\n')
			got <- read{strings.TrimRight(line, "\r\n"), err}
		}()
	} else {
		tty, ok := stdin.(*os.File)
		if !ok || !isTerminal(tty) {
			return "", &usageError{"login: no terminal to ask the password on; give it on standard input with --password-stdin"}
		}
		fd := int(tty.Fd())
		state, err := term.GetState(fd)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		restore = func() { term.Restore(fd, state) }
		fmt.Fprintf(stderr, "Password for %s: ", email)
		defer fmt.Fprintln(stderr) // the Enter typed was not echoed either
		go func() {
			b, err := term.ReadPassword(fd)
			got <- read{string(b), err}
		}()
	}
	var r read
	select {
	case r = <-got:
	case <-ctx.Done():
		if restore != nil {
			// ReadPassword, still waiting, has the echo off.
			restore()
		}
		return "", errors.New("interrupted")
	}
	if r.err != nil && r.line == "" {
		return "", fmt.Errorf("read the password: %w", r.err)
	}
	if r.line == "" {
		return "", &usageError{"login: the password is empty"}
	}
	return r.line, nil
}
