package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/salesmania/salesmania"
)

const (
	tokenPath     = "/extapi/v1.0/token"
	databasesPath = "/extapi/v1.0/databases"
	teamTokenPath = "/extapi/v1.0/team_token"
	teamsPath     = "/extapi/v1.0/teams"
)

// ErrNoCredentials is returned by Login when the client was made without
// WithCredentials.
var ErrNoCredentials = errors.New("salesmania client: logging in needs the email and password of WithCredentials")

// ErrDatabaseNotChosen is returned (wrapped, with the user's databases in the
// message) when a call needs a team token but the client does not know which
// database to take it for: none was given with WithDatabase or
// SelectDatabase, and the user is a member of several databases, or of none.
var ErrDatabaseNotChosen = errors.New("salesmania client: no database chosen")

// TeamToken is the answer of GET /extapi/v1.0/team_token: the team token of
// the user's team in one database.
type TeamToken struct {
	Token  string `json:"team_token"`
	DBID   int64  `json:"db_id"`
	TeamID int64  `json:"team_id"`
}

// Login logs in with the credentials of WithCredentials: it gets a bearer
// token (GET /extapi/v1.0/token with HTTP Basic), then the team token of the
// chosen database (see WithDatabase), and keeps both for the calls that
// follow. Calling Login is optional, as every call logs in when it needs to;
// it surfaces a wrong password or an unchosen database early.
//
// Login returns ErrNoCredentials without credentials, a 401 *Error for a
// wrong email or password, a 429 *Error (with RetryAfter) when the email is
// locked after failed logins, and an error wrapping ErrDatabaseNotChosen when
// the user has several databases and none was chosen; the bearer token is
// kept then, so Databases and SelectDatabase work.
func (c *Client) Login(ctx context.Context) error {
	if !c.hasLogin {
		return ErrNoCredentials
	}
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if err := c.loginLocked(ctx); err != nil {
		return err
	}
	_, err := c.selectLocked(ctx, c.Session().DBID)
	return err
}

// Logout revokes the client's bearer token (DELETE /extapi/v1.0/token) and
// forgets it and the team token. A token the server no longer knows counts
// as revoked. A client with credentials logs in again on its next call.
func (c *Client) Logout(ctx context.Context) error {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	s := c.Session()
	if s.Bearer == "" {
		return nil
	}
	rq := &request{method: http.MethodDelete, path: tokenPath, auth: authBearer}
	resp, err := c.send(ctx, rq, credentials{bearer: s.Bearer})
	if err != nil {
		return err
	}
	if resp.status != http.StatusUnauthorized {
		if err := resp.decode(rq, nil); err != nil {
			return err
		}
	}
	c.mu.Lock()
	c.session = Session{DBID: c.session.DBID}
	c.mu.Unlock()
	return nil
}

// SelectDatabase makes dbID the client's database: it fetches the team token
// of the user's team in it and uses it for every data call from then on. A
// 403 *Error means the user is not a member of dbID; the client keeps its
// former database then.
func (c *Client) SelectDatabase(ctx context.Context, dbID int64) error {
	if dbID <= 0 {
		return fmt.Errorf("salesmania client: database id %d is not a database id", dbID)
	}
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if c.Session().Bearer == "" && c.hasLogin {
		if err := c.loginLocked(ctx); err != nil {
			return err
		}
	}
	_, err := c.selectLocked(ctx, dbID)
	return err
}

// Databases lists the databases the user is a member of, with the user's
// team and role in each (GET /extapi/v1.0/databases).
func (c *Client) Databases(ctx context.Context) ([]salesmania.UserDatabase, error) {
	var out struct {
		Data []salesmania.UserDatabase `json:"data"`
	}
	if err := c.do(ctx, &request{method: http.MethodGet, path: databasesPath, auth: authBearer}, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// TeamToken fetches the team token of the user's team in database dbID
// (GET /extapi/v1.0/team_token). It does not change the client's database;
// SelectDatabase does. A 403 *Error means the user is not a member of dbID.
func (c *Client) TeamToken(ctx context.Context, dbID int64) (*TeamToken, error) {
	var tt TeamToken
	if err := c.do(ctx, teamTokenRequest(dbID), &tt); err != nil {
		return nil, err
	}
	return &tt, nil
}

// Teams lists the teams of the client's database (GET /extapi/v1.0/teams).
func (c *Client) Teams(ctx context.Context) ([]salesmania.Team, error) {
	var out struct {
		Data []salesmania.Team `json:"data"`
	}
	if err := c.do(ctx, &request{method: http.MethodGet, path: teamsPath, auth: authTeam}, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

func teamTokenRequest(dbID int64) *request {
	return &request{method: http.MethodGet, path: teamTokenPath, auth: authBearer,
		query: url.Values{"db_id": {strconv.FormatInt(dbID, 10)}}}
}

// The methods below change the session; the caller holds c.authMu.

// loginLocked trades the credentials for a new bearer token. The team token
// is kept: it names a database and team, not a login, and stays good for
// the user's new bearer token.
func (c *Client) loginLocked(ctx context.Context) error {
	if !c.hasLogin {
		return ErrNoCredentials
	}
	var out struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	rq := &request{method: http.MethodGet, path: tokenPath, auth: authBasic}
	resp, err := c.send(ctx, rq, credentials{})
	if err != nil {
		return err
	}
	if err := resp.decode(rq, &out); err != nil {
		return err
	}
	c.mu.Lock()
	c.session.Bearer, c.session.ExpiresAt = out.Token, out.ExpiresAt
	c.mu.Unlock()
	return nil
}

// selectLocked fetches the team token of database dbID, or of the user's
// only database when dbID is 0, and makes it the client's.
func (c *Client) selectLocked(ctx context.Context, dbID int64) (*TeamToken, error) {
	if dbID == 0 {
		var dbs struct {
			Data []salesmania.UserDatabase `json:"data"`
		}
		if err := c.bearerCallLocked(ctx, &request{method: http.MethodGet, path: databasesPath, auth: authBearer}, &dbs); err != nil {
			return nil, err
		}
		if len(dbs.Data) != 1 {
			return nil, notChosen(dbs.Data)
		}
		dbID = dbs.Data[0].ID
	}
	var tt TeamToken
	if err := c.bearerCallLocked(ctx, teamTokenRequest(dbID), &tt); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.session.DBID, c.session.TeamID, c.session.TeamToken = tt.DBID, tt.TeamID, tt.Token
	c.mu.Unlock()
	return &tt, nil
}

func notChosen(dbs []salesmania.UserDatabase) error {
	if len(dbs) == 0 {
		return fmt.Errorf("%w: the user is a member of no database", ErrDatabaseNotChosen)
	}
	names := make([]string, len(dbs))
	for i, d := range dbs {
		names[i] = fmt.Sprintf("%d %q", d.ID, d.Name)
	}
	return fmt.Errorf("%w: the user is a member of %d databases (%s); choose one with WithDatabase or SelectDatabase",
		ErrDatabaseNotChosen, len(dbs), strings.Join(names, ", "))
}

// bearerCallLocked is do for the bearer calls of the login flow, which
// already hold c.authMu: on a 401 it logs in again once, itself.
func (c *Client) bearerCallLocked(ctx context.Context, rq *request, out any) error {
	for relogged := false; ; relogged = true {
		cr, _ := c.current(authBearer)
		resp, err := c.send(ctx, rq, cr)
		if err != nil {
			return err
		}
		if resp.status == http.StatusUnauthorized && c.hasLogin && !relogged {
			if err := c.loginLocked(ctx); err != nil {
				return err
			}
			continue
		}
		return resp.decode(rq, out)
	}
}

// relogin logs in again after a request with bearer token used got a 401,
// unless another goroutine has done so since.
func (c *Client) relogin(ctx context.Context, used string) error {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if c.Session().Bearer != used {
		return nil
	}
	return c.loginLocked(ctx)
}

// refreshTeamToken fetches the team token again after a request with team
// token used got a 403, and reports whether the new one differs, that is
// whether repeating the request can help. Team tokens are deterministic: the
// same user, database and team give the same token.
func (c *Client) refreshTeamToken(ctx context.Context, used string) (bool, error) {
	c.authMu.Lock()
	defer c.authMu.Unlock()
	s := c.Session()
	if s.TeamToken != used {
		return true, nil
	}
	if s.DBID == 0 {
		return false, nil
	}
	tt, err := c.selectLocked(ctx, s.DBID)
	if err != nil {
		return false, err
	}
	return tt.Token != used, nil
}
