package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// env is a real server over real HTTP on a fresh real database, with a
// client that checks every exchange against the OpenAPI document.
type env struct {
	t      *testing.T
	URL    string
	store  *sqlstore.Store
	server *httpapi.Server
	client *http.Client // validates against the OpenAPI document
	raw    *http.Client // does not: for paths the document does not have
	logs   *syncBuffer
	skew   atomic.Int64 // added to the server's clock, in nanoseconds
	// secrets are strings that must never appear in a log line or in a
	// response body other than the one that hands them out.
	secretsMu sync.Mutex
	secrets   []string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

const testPassword = "rahasia-123"

var testHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		panic(err)
	}
	return h
})

func newEnv(t *testing.T, kind string) *env {
	t.Helper()
	e := &env{t: t, logs: &syncBuffer{}}
	e.store = sqlstoretest.MustOpen(t, kind)
	key, err := e.store.Secret(context.Background(), "team_token_key", auth.NewSecret)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewTeamTokenSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	e.server, err = httpapi.NewServer(httpapi.Config{
		Store:      e.store,
		TeamTokens: signer,
		Logger:     slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:        func() time.Time { return salesmania.Now().Add(time.Duration(e.skew.Load())) },
		// The tests' webhook receivers listen on 127.0.0.1.
		WebhookAllowPrivate: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(e.server)
	t.Cleanup(ts.Close)
	e.URL = ts.URL
	e.client = openapitest.NewClient(t)
	e.raw = &http.Client{Timeout: 30 * time.Second}
	t.Cleanup(e.checkNoSecretsLeaked)
	return e
}

func (e *env) keepSecret(s string) {
	e.secretsMu.Lock()
	defer e.secretsMu.Unlock()
	e.secrets = append(e.secrets, s)
}

// checkNoSecretsLeaked fails the test if a token, password or password hash
// appears in the server's log.
func (e *env) checkNoSecretsLeaked() {
	logs := e.logs.String()
	if strings.Contains(logs, "argon2id") {
		e.t.Error("a password hash appears in the log")
	}
	if strings.Contains(logs, testPassword) {
		e.t.Error("a password appears in the log")
	}
	e.secretsMu.Lock()
	defer e.secretsMu.Unlock()
	for _, s := range e.secrets {
		if strings.Contains(logs, s) {
			e.t.Errorf("secret %.8s… appears in the log", s)
		}
	}
}

// company is a database with two teams.
type company struct {
	DB    salesmania.Database
	Teams []salesmania.Team
}

func (e *env) mustCompany(name string, teams ...string) company {
	e.t.Helper()
	ctx := context.Background()
	c := company{DB: salesmania.Database{Name: name}}
	if err := e.store.CreateDatabase(ctx, &c.DB); err != nil {
		e.t.Fatal(err)
	}
	for i, tn := range teams {
		tm := salesmania.Team{Name: tn, ExtSalesmanNumber: "S-0" + string(rune('1'+i)), Status: true}
		if err := e.store.CreateTeam(ctx, c.DB.ID, &tm); err != nil {
			e.t.Fatal(err)
		}
		c.Teams = append(c.Teams, tm)
	}
	return c
}

func (e *env) mustUser(email string) salesmania.User {
	e.t.Helper()
	u := salesmania.User{Email: email, PasswordHash: testHash()}
	if err := e.store.CreateUser(context.Background(), &u); err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *env) mustMember(dbID, userID, teamID int64, role salesmania.Role) {
	e.t.Helper()
	m := salesmania.Membership{DBID: dbID, UserID: userID, TeamID: teamID, Role: role}
	if err := e.store.PutMember(context.Background(), &m); err != nil {
		e.t.Fatal(err)
	}
}

// request is one call: method, path (with query), credentials and body.
type request struct {
	method, path string
	bearer       string
	teamToken    string // sent as the team_token query parameter
	header       map[string]string
	body         string
	skipRequest  bool // do not validate the request against the document
	raw          bool // use the client that validates nothing
}

type response struct {
	*http.Response
	body []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (e *env) do(rq request) response {
	e.t.Helper()
	path := rq.path
	if rq.teamToken != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "team_token=" + rq.teamToken
	}
	var body io.Reader
	if rq.body != "" {
		body = strings.NewReader(rq.body)
	}
	req, err := http.NewRequest(rq.method, e.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if rq.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if rq.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+rq.bearer)
	}
	for k, v := range rq.header {
		req.Header.Set(k, v)
	}
	if rq.skipRequest {
		req = openapitest.SkipRequestValidation(req)
	}
	c := e.client
	if rq.raw {
		c = e.raw
	}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	// The two endpoints that hand credentials out may show them; no other.
	issuing := strings.HasPrefix(rq.path, "/extapi/v1.0/team_token") || rq.method == "GET" && rq.path == "/extapi/v1.0/token"
	e.secretsMu.Lock()
	defer e.secretsMu.Unlock()
	for _, s := range e.secrets {
		if !issuing && bytes.Contains(b, []byte(s)) {
			e.t.Errorf("%s %s: the body shows secret %.8s…", rq.method, rq.path, s)
		}
	}
	if bytes.Contains(b, []byte("argon2id")) {
		e.t.Errorf("%s %s: the body shows a password hash", rq.method, rq.path)
	}
	return response{resp, b}
}

func basic(email, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+password))
}

// login gets a bearer token with Basic credentials.
func (e *env) login(email string) string {
	e.t.Helper()
	r := e.do(request{method: "GET", path: "/extapi/v1.0/token", header: map[string]string{"Authorization": basic(email, testPassword)}})
	if r.StatusCode != 200 {
		e.t.Fatalf("login %s: %d %s", email, r.StatusCode, r.body)
	}
	var out struct{ Token string }
	r.json(e.t, &out)
	e.keepSecret(out.Token)
	return out.Token
}

// teamToken gets the team token of the bearer's user in dbID.
func (e *env) teamToken(bearer string, dbID int64) string {
	e.t.Helper()
	r := e.do(request{method: "GET", path: "/extapi/v1.0/team_token?db_id=" + itoa(dbID), bearer: bearer})
	if r.StatusCode != 200 {
		e.t.Fatalf("team token of db %d: %d %s", dbID, r.StatusCode, r.body)
	}
	var out struct {
		TeamToken string `json:"team_token"`
	}
	r.json(e.t, &out)
	e.keepSecret(out.TeamToken)
	return out.TeamToken
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

type problem struct {
	Type     string                  `json:"type"`
	Title    string                  `json:"title"`
	Status   int                     `json:"status"`
	Detail   string                  `json:"detail"`
	Instance string                  `json:"instance"`
	Errors   []salesmania.FieldError `json:"errors"`
}

// wantProblem checks that r is a problem+json answer with the status and,
// if given, exactly these bad fields.
func wantProblem(t *testing.T, r response, status int, fields ...string) problem {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status = %d; want %d; body %s", r.StatusCode, status, r.body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q; want application/problem+json", ct)
	}
	var p problem
	r.json(t, &p)
	if p.Status != status || p.Type != "about:blank" || p.Title != http.StatusText(status) || p.Detail == "" {
		t.Fatalf("problem = %+v; want status %d with title and detail", p, status)
	}
	if want := "urn:request:" + r.Header.Get("X-Request-Id"); p.Instance != want {
		t.Fatalf("instance = %q; want %q", p.Instance, want)
	}
	var got []string
	for _, f := range p.Errors {
		got = append(got, f.Field)
		if f.Message == "" {
			t.Errorf("field %s has no message", f.Field)
		}
	}
	if len(fields) > 0 && !slices.Equal(got, fields) {
		t.Fatalf("error fields = %v; want %v (body %s)", got, fields, r.body)
	}
	return p
}
