package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/client"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
	"github.com/salesmania/salesmania/webhook"
)

// The tests drive a real server (httpapi over a fresh SQLite or PostgreSQL
// store, on a real port) through the client, and check every exchange
// against the OpenAPI document.

const password = "rahasia-123"

var passwordHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(password)
	if err != nil {
		panic(err)
	}
	return h
})

// server is a running server over a fresh database.
type server struct {
	URL   string
	store *sqlstore.Store
}

func newServer(t *testing.T, kind string) *server {
	t.Helper()
	store := sqlstoretest.MustOpen(t, kind)
	key, err := store.Secret(context.Background(), "team_token_key", auth.NewSecret)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewTeamTokenSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.NewServer(httpapi.Config{
		Store:      store,
		TeamTokens: signer,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		// The tests' webhook receivers listen on 127.0.0.1.
		WebhookAllowPrivate: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &server{URL: ts.URL, store: store}
}

// company is a database with its teams.
type company struct {
	DB    salesmania.Database
	Teams []salesmania.Team
}

func (s *server) mustCompany(t *testing.T, name string, teams ...string) company {
	t.Helper()
	ctx := context.Background()
	c := company{DB: salesmania.Database{Name: name}}
	if err := s.store.CreateDatabase(ctx, &c.DB); err != nil {
		t.Fatal(err)
	}
	for i, tn := range teams {
		tm := salesmania.Team{Name: tn, ExtSalesmanNumber: "S-0" + string(rune('1'+i)), Status: true}
		if err := s.store.CreateTeam(ctx, c.DB.ID, &tm); err != nil {
			t.Fatal(err)
		}
		c.Teams = append(c.Teams, tm)
	}
	return c
}

func (s *server) mustUser(t *testing.T, email string) salesmania.User {
	t.Helper()
	u := salesmania.User{Email: email, PasswordHash: passwordHash()}
	if err := s.store.CreateUser(context.Background(), &u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (s *server) mustMember(t *testing.T, dbID, userID, teamID int64, role salesmania.Role) {
	t.Helper()
	m := salesmania.Membership{DBID: dbID, UserID: userID, TeamID: teamID, Role: role}
	if err := s.store.PutMember(context.Background(), &m); err != nil {
		t.Fatal(err)
	}
}

// fixture is the usual cast: PT Maju Jaya with teams Budi and Sari, an
// admin in team Budi and a member in team Sari.
type fixture struct {
	*server
	co            company
	admin, member salesmania.User
}

const (
	adminEmail  = "budi@maju.test"
	memberEmail = "sari@maju.test"
)

func newFixture(t *testing.T, kind string) *fixture {
	t.Helper()
	s := newServer(t, kind)
	f := &fixture{server: s, co: s.mustCompany(t, "PT Maju Jaya", "Budi", "Sari")}
	f.admin = s.mustUser(t, adminEmail)
	f.member = s.mustUser(t, memberEmail)
	s.mustMember(t, f.co.DB.ID, f.admin.ID, f.co.Teams[0].ID, salesmania.RoleAdmin)
	s.mustMember(t, f.co.DB.ID, f.member.ID, f.co.Teams[1].ID, salesmania.RoleMember)
	return f
}

// transport sits between the client and the network (through the OpenAPI
// checker), logs every exchange, and can answer a request itself or lose
// the server's answer to one.
type transport struct {
	base http.RoundTripper
	mu   sync.Mutex
	// answer, if set and returning a response, answers the request
	// without sending it.
	answer func(req *http.Request) *http.Response
	// lose, if set and returning true, sends the request, lets the server
	// do its work, then throws the answer away and fails as a broken
	// connection would.
	lose func(req *http.Request) bool
	log  []exchange
}

type exchange struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Status                 int  // 0 when lost
	Replayed               bool // the answer had Idempotent-Replayed: true
}

// String shows an exchange in failure messages without its tokens.
func (x exchange) String() string {
	return fmt.Sprintf("%s %s?%s key=%q team=%.12s… → %d replayed=%v", x.Method, x.Path, x.RawQuery,
		x.Header.Get("Idempotency-Key"), x.Header.Get("X-Team-Token"), x.Status, x.Replayed)
}

// sendAnyway marks a context whose requests break the OpenAPI document on
// purpose, to see the server refuse them; the transport does not check them.
func sendAnyway(ctx context.Context) context.Context {
	return context.WithValue(ctx, sendAnywayKey{}, true)
}

type sendAnywayKey struct{}

func (tr *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Context().Value(sendAnywayKey{}) != nil {
		req = openapitest.SkipRequestValidation(req)
	}
	x := exchange{Method: req.Method, Path: req.URL.Path, RawQuery: req.URL.RawQuery, Header: req.Header.Clone()}
	tr.mu.Lock()
	answer, lose := tr.answer, tr.lose
	tr.mu.Unlock()
	var resp *http.Response
	if answer != nil {
		resp = answer(req)
	}
	if resp == nil {
		var err error
		if resp, err = tr.base.RoundTrip(req); err != nil {
			return nil, err
		}
	}
	lost := lose != nil && lose(req)
	if !lost {
		x.Status = resp.StatusCode
		x.Replayed = resp.Header.Get("Idempotent-Replayed") == "true"
	}
	tr.mu.Lock()
	tr.log = append(tr.log, x)
	tr.mu.Unlock()
	if lost {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errors.New("simulated: connection reset before the answer arrived")
	}
	return resp, nil
}

// exchanges returns the logged exchanges with that method and path ("" for
// any).
func (tr *transport) exchanges(method, path string) []exchange {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []exchange
	for _, x := range tr.log {
		if (method == "" || x.Method == method) && (path == "" || x.Path == path) {
			out = append(out, x)
		}
	}
	return out
}

func (tr *transport) set(answer func(*http.Request) *http.Response, lose func(*http.Request) bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.answer, tr.lose = answer, lose
}

// newClient returns a client of the server logging in as email (without
// credentials if email is ""), and the transport that carries its requests.
// Retries wait 1 ms.
func (s *server) newClient(t *testing.T, email string, opts ...client.Option) (*client.Client, *transport) {
	t.Helper()
	tr := &transport{base: openapitest.NewTransport(t, nil)}
	all := []client.Option{
		client.WithHTTPClient(&http.Client{Transport: tr, Timeout: 30 * time.Second}),
		client.WithRetryPolicy(client.RetryPolicy{BaseDelay: time.Millisecond}),
	}
	if email != "" {
		all = append(all, client.WithCredentials(email, password))
	}
	c, err := client.New(s.URL, append(all, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, tr
}

// firstTime returns a func that is true for the first request matching
// method and path, and false ever after.
func firstTime(method, path string) func(*http.Request) bool {
	var once sync.Once
	return func(r *http.Request) bool {
		hit := false
		if r.Method == method && r.URL.Path == path {
			once.Do(func() { hit = true })
		}
		return hit
	}
}

func wantError(t *testing.T, err error, status int, detail string, fields ...salesmania.FieldError) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v; want a *client.Error with status %d", err, status)
	}
	if e.Status != status || e.Type != "about:blank" || e.Title != http.StatusText(status) || !strings.HasPrefix(e.Instance, "urn:request:") {
		t.Fatalf("err = %+v; want status %d, type about:blank, title and instance", e, status)
	}
	if detail != "" && e.Detail != detail {
		t.Fatalf("detail = %q; want %q", e.Detail, detail)
	}
	if len(fields) > 0 && !slices.Equal(e.Fields, fields) {
		t.Fatalf("fields = %v; want %v", e.Fields, fields)
	}
	return e
}

func mustNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var ctx = context.Background()

func TestLogin(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		budi, sari := f.co.Teams[0], f.co.Teams[1]

		t.Run("OK", func(t *testing.T) {
			c, tr := f.newClient(t, adminEmail)
			mustNoErr(t, c.Login(ctx))
			s := c.Session()
			if s.Bearer == "" || s.TeamToken == "" || s.DBID != f.co.DB.ID || s.TeamID != budi.ID || s.ExpiresAt.Before(time.Now().Add(29*24*time.Hour)) {
				t.Fatalf("session = %+v; want tokens for db %d team %d valid 30 days", s, f.co.DB.ID, budi.ID)
			}
			dbs, err := c.Databases(ctx)
			mustNoErr(t, err)
			want := []salesmania.UserDatabase{{ID: f.co.DB.ID, Name: "PT Maju Jaya", TeamID: budi.ID, TeamName: "Budi", Role: salesmania.RoleAdmin}}
			if !slices.Equal(dbs, want) {
				t.Fatalf("databases = %+v; want %+v", dbs, want)
			}
			teams, err := c.Teams(ctx)
			mustNoErr(t, err)
			wantTeams := []salesmania.Team{
				{ID: budi.ID, Name: "Budi", ExtSalesmanNumber: "S-01", Status: true},
				{ID: sari.ID, Name: "Sari", ExtSalesmanNumber: "S-02", Status: true},
			}
			if !slices.Equal(teams, wantTeams) {
				t.Fatalf("teams = %+v; want %+v", teams, wantTeams)
			}
			tt, err := c.TeamToken(ctx, f.co.DB.ID)
			mustNoErr(t, err)
			if *tt != (client.TeamToken{Token: s.TeamToken, DBID: f.co.DB.ID, TeamID: budi.ID}) {
				t.Fatalf("team token = %+v; want the session's", tt)
			}
			// One login; the team token travels in a header, never in the URL.
			if n := len(tr.exchanges("GET", "/extapi/v1.0/token")); n != 1 {
				t.Fatalf("%d logins; want 1", n)
			}
			for _, x := range tr.exchanges("GET", "/extapi/v1.0/teams") {
				if strings.Contains(x.RawQuery, "team_token") || x.Header.Get("X-Team-Token") != s.TeamToken ||
					x.Header.Get("Authorization") != "Bearer "+s.Bearer || x.Header.Get("User-Agent") != client.DefaultUserAgent {
					t.Fatalf("teams request: query %q, header %v", x.RawQuery, x.Header)
				}
			}
		})

		t.Run("OKLazy", func(t *testing.T) {
			c, tr := f.newClient(t, memberEmail)
			teams, err := c.Teams(ctx)
			mustNoErr(t, err)
			if len(teams) != 2 || c.Session().TeamID != sari.ID {
				t.Fatalf("teams = %+v, session %+v", teams, c.Session())
			}
			var paths []string
			for _, x := range tr.exchanges("", "") {
				paths = append(paths, x.Method+" "+x.Path)
			}
			want := []string{"GET /extapi/v1.0/token", "GET /extapi/v1.0/databases", "GET /extapi/v1.0/team_token", "GET /extapi/v1.0/teams"}
			if !slices.Equal(paths, want) {
				t.Fatalf("requests = %q; want %q", paths, want)
			}
		})

		t.Run("ErrWrongPassword", func(t *testing.T) {
			c, _ := f.newClient(t, adminEmail, client.WithCredentials(adminEmail, "wrong-password"))
			err := c.Login(ctx)
			wantError(t, err, 401, "The email or password is wrong.")
			if !client.IsUnauthenticated(err) || c.Session().Bearer != "" {
				t.Fatalf("IsUnauthenticated = false or a bearer is kept: %+v", c.Session())
			}
			_, err = c.Customers.List(ctx, nil)
			wantError(t, err, 401, "The email or password is wrong.")
		})

		t.Run("ErrNoCredentials", func(t *testing.T) {
			c, _ := f.newClient(t, "")
			if err := c.Login(ctx); !errors.Is(err, client.ErrNoCredentials) {
				t.Fatalf("Login = %v; want ErrNoCredentials", err)
			}
			_, err := c.Teams(sendAnyway(ctx))
			wantError(t, err, 401, "A bearer token is required: send Authorization: Bearer <token> from GET /extapi/v1.0/token.")
		})

		t.Run("ErrDatabaseNotChosen", func(t *testing.T) {
			other := f.mustCompany(t, "CV Sumber Rejeki", "Andi")
			u := f.mustUser(t, "dua@maju.test")
			f.mustMember(t, f.co.DB.ID, u.ID, budi.ID, salesmania.RoleMember)
			f.mustMember(t, other.DB.ID, u.ID, other.Teams[0].ID, salesmania.RoleAdmin)

			c, _ := f.newClient(t, "dua@maju.test")
			err := c.Login(ctx)
			if !errors.Is(err, client.ErrDatabaseNotChosen) || !strings.Contains(err.Error(), `"CV Sumber Rejeki"`) {
				t.Fatalf("Login = %v; want ErrDatabaseNotChosen naming the databases", err)
			}
			if _, err := c.Teams(ctx); !errors.Is(err, client.ErrDatabaseNotChosen) {
				t.Fatalf("Teams = %v; want ErrDatabaseNotChosen", err)
			}
			dbs, err := c.Databases(ctx)
			mustNoErr(t, err)
			if len(dbs) != 2 || dbs[1].ID != other.DB.ID || dbs[1].Role != salesmania.RoleAdmin {
				t.Fatalf("databases = %+v", dbs)
			}
			mustNoErr(t, c.SelectDatabase(ctx, other.DB.ID))
			teams, err := c.Teams(ctx)
			mustNoErr(t, err)
			if len(teams) != 1 || teams[0].ID != other.Teams[0].ID {
				t.Fatalf("teams = %+v; want the other company's", teams)
			}

			// WithDatabase chooses up front.
			c2, _ := f.newClient(t, "dua@maju.test", client.WithDatabase(other.DB.ID))
			teams, err = c2.Teams(ctx)
			mustNoErr(t, err)
			if len(teams) != 1 || teams[0].Name != "Andi" {
				t.Fatalf("teams = %+v; want Andi", teams)
			}

			// Not a member: 403, and the former choice stays.
			err = c2.SelectDatabase(ctx, other.DB.ID+1000)
			wantError(t, err, 403, "")
			if !client.IsForbidden(err) || c2.Session().DBID != other.DB.ID {
				t.Fatalf("session after a refused SelectDatabase = %+v", c2.Session())
			}
		})

		t.Run("Logout", func(t *testing.T) {
			c, _ := f.newClient(t, adminEmail)
			mustNoErr(t, c.Login(ctx))
			old := c.Session().Bearer
			mustNoErr(t, c.Logout(ctx))
			if s := c.Session(); s.Bearer != "" || s.TeamToken != "" || s.DBID != f.co.DB.ID {
				t.Fatalf("session after Logout = %+v; want no tokens, same database", s)
			}
			stale, _ := f.newClient(t, "", client.WithBearer(old))
			_, err := stale.Databases(ctx)
			wantError(t, err, 401, "The bearer token is invalid, expired or revoked.")
			mustNoErr(t, c.Logout(ctx)) // nothing to revoke
		})
	})
}

func TestCustomers(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		c, tr := f.newClient(t, memberEmail)
		start := time.Now().Add(-time.Second)

		created, err := c.Customers.Create(ctx, &salesmania.CustomerFields{
			Name:      new("  Toko Sumber Rejeki "),
			Address:   new("Jl. Pemuda 12"),
			City:      new("Semarang"),
			Phone:     new("0812-555-0101"),
			ExtCustNo: new("C-0001"),
			Location:  &salesmania.LocationInput{Lat: new(-7.110383), Lon: new(110.473812)},
			Tags:      &[]string{"grosir", "semarang", "grosir"},
		})
		mustNoErr(t, err)
		want := salesmania.Customer{ID: created.ID, Name: "Toko Sumber Rejeki", Address: "Jl. Pemuda 12", City: "Semarang",
			Phone: "0812-555-0101", ExtCustNo: "C-0001", Location: &salesmania.Location{Lat: -7.110383, Lon: 110.473812},
			Status: true, Tags: []string{"grosir", "semarang"}, CreatedAt: created.CreatedAt, UpdatedAt: created.UpdatedAt}
		wantCustomer(t, created, &want)
		if created.ID <= 0 || created.CreatedAt.Before(start) {
			t.Fatalf("created = %+v", created)
		}
		posts := tr.exchanges("POST", "/extapi/v1.0/customers")
		if len(posts) != 1 || !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(posts[0].Header.Get("Idempotency-Key")) {
			t.Fatalf("POST sent Idempotency-Key %q; want 128 random bits in hex", posts[0].Header.Get("Idempotency-Key"))
		}

		got, err := c.Customers.Get(ctx, created.ID)
		mustNoErr(t, err)
		wantCustomer(t, got, &want)

		t.Run("Update", func(t *testing.T) {
			up, err := c.Customers.Update(ctx, created.ID, &salesmania.CustomerFields{
				Status: new(false),
				Nulls:  map[string]bool{"location": true},
			})
			mustNoErr(t, err)
			w := want
			w.Status, w.Location, w.UpdatedAt = false, nil, up.UpdatedAt
			wantCustomer(t, up, &w)
			if !up.UpdatedAt.After(created.UpdatedAt) {
				t.Fatalf("updated_at %v not after %v", up.UpdatedAt, created.UpdatedAt)
			}
			want = w
		})

		t.Run("List", func(t *testing.T) {
			other, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Warung Bu Tini"), Tags: &[]string{"eceran"}})
			mustNoErr(t, err)
			page, err := c.Customers.List(ctx, &client.CustomerListOptions{Q: "rejeki", IncludeTotal: true})
			mustNoErr(t, err)
			if len(page.Data) != 1 || page.Data[0].ID != created.ID || page.NextCursor != nil || page.Total == nil || *page.Total != 1 {
				t.Fatalf("q=rejeki: %+v", page)
			}
			page, err = c.Customers.List(ctx, &client.CustomerListOptions{Status: new(true), Tag: "eceran"})
			mustNoErr(t, err)
			if len(page.Data) != 1 || page.Data[0].ID != other.ID || page.Total != nil {
				t.Fatalf("status=true&tag=eceran: %+v", page)
			}
			page, err = c.Customers.List(ctx, &client.CustomerListOptions{ExtCustNo: "C-0001"})
			mustNoErr(t, err)
			if len(page.Data) != 1 || page.Data[0].ID != created.ID {
				t.Fatalf("ext_cust_no=C-0001: %+v", page)
			}
			since := other.UpdatedAt.Add(-time.Microsecond)
			page, err = c.Customers.List(ctx, &client.CustomerListOptions{UpdatedSince: &since})
			mustNoErr(t, err)
			if len(page.Data) != 1 || page.Data[0].ID != other.ID {
				t.Fatalf("updated_since: %+v", page)
			}
		})

		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := c.Customers.Get(ctx, 999999)
			e := wantError(t, err, 404, "Customer 999999 not found.")
			if !client.IsNotFound(err) || client.IsConflict(err) || e.Method != "GET" || e.Path != "/extapi/v1.0/customers/999999" {
				t.Fatalf("err = %+v", e)
			}
			if got := err.Error(); got != "salesmania: GET /extapi/v1.0/customers/999999: 404 Not Found: Customer 999999 not found." {
				t.Fatalf("Error() = %q", got)
			}
		})

		t.Run("ErrInvalid", func(t *testing.T) {
			_, err := c.Customers.Create(sendAnyway(ctx), &salesmania.CustomerFields{
				Location: &salesmania.LocationInput{Lat: new(91.0), Lon: new(0.0)},
				Tags:     &[]string{"ok", " "},
			})
			wantError(t, err, 422, "3 fields are invalid",
				salesmania.FieldError{Field: "name", Message: "is required"},
				salesmania.FieldError{Field: "tags[1]", Message: "is required"},
				salesmania.FieldError{Field: "location.lat", Message: "must be between -90 and 90"})
			if !client.IsInvalid(err) {
				t.Fatal("IsInvalid = false")
			}
		})

		t.Run("ErrConflict", func(t *testing.T) {
			_, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Duplikat"), ExtCustNo: new("C-0001")})
			wantError(t, err, 409, "")
			if !client.IsConflict(err) {
				t.Fatal("IsConflict = false")
			}
		})

		t.Run("Delete", func(t *testing.T) {
			before := time.Now().Add(-time.Second)
			mustNoErr(t, c.Customers.Delete(ctx, created.ID))
			_, err := c.Customers.Get(ctx, created.ID)
			wantError(t, err, 404, "")
			err = c.Customers.Delete(ctx, created.ID)
			wantError(t, err, 404, "")
			page, err := c.Customers.ListDeleted(ctx, &client.DeletedListOptions{Since: before})
			mustNoErr(t, err)
			if len(page.Data) != 1 || page.Data[0].ID != created.ID || page.Data[0].DeletedAt.Before(before) {
				t.Fatalf("deleted = %+v; want customer %d", page.Data, created.ID)
			}
			var ids []int64
			for ts, err := range c.Customers.AllDeleted(ctx, nil) {
				mustNoErr(t, err)
				ids = append(ids, ts.ID)
			}
			if !slices.Equal(ids, []int64{created.ID}) {
				t.Fatalf("all deleted = %v", ids)
			}
		})
	})
}

func wantCustomer(t *testing.T, got, want *salesmania.Customer) {
	t.Helper()
	g, w := *got, *want
	if (g.Location == nil) != (w.Location == nil) || g.Location != nil && *g.Location != *w.Location ||
		!slices.Equal(g.Tags, w.Tags) || !g.CreatedAt.Equal(w.CreatedAt) || !g.UpdatedAt.Equal(w.UpdatedAt) {
		t.Fatalf("customer = %+v (location %v); want %+v (location %v)", g, g.Location, w, w.Location)
	}
	if g.ID != w.ID || g.Name != w.Name || g.Address != w.Address || g.City != w.City || g.Phone != w.Phone ||
		g.ExtCustNo != w.ExtCustNo || g.Status != w.Status {
		t.Fatalf("customer = %+v; want %+v", g, w)
	}
}

func TestProducts(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		c, _ := f.newClient(t, adminEmail)
		dec := salesmania.MustDecimal

		p, err := c.Products.Create(ctx, &salesmania.ProductFields{
			Name:           new("Indomie Goreng"),
			SKU:            new("IDM-G"),
			Tags:           &[]string{"mie"},
			ExtProductCode: new("P-0007"),
			DefaultDisc:    new("5+2"),
			QtyOnHand:      new(dec("1200.5")),
			ProductUnits: &[]salesmania.ProductUnitInput{
				{Name: new("PCS"), Price: new(dec("3500.25")), Ratio: new(dec("1"))},
				{Name: new("DUS"), Price: new(dec("130000")), Ratio: new(dec("40"))},
			},
		})
		mustNoErr(t, err)
		if p.Name != "Indomie Goreng" || p.SKU != "IDM-G" || p.ExtProductCode != "P-0007" || p.DefaultDisc != "5+2" || !p.Status ||
			p.QtyOnHand.String() != "1200.5" || len(p.ProductUnits) != 2 ||
			p.ProductUnits[0] != (salesmania.ProductUnit{Name: "PCS", Price: p.ProductUnits[0].Price, Ratio: 1}) || p.ProductUnits[0].Price.String() != "3500.25" ||
			p.ProductUnits[1].Name != "DUS" || p.ProductUnits[1].Price.String() != "130000" || p.ProductUnits[1].Ratio != 40 {
			t.Fatalf("product = %+v", p)
		}
		got, err := c.Products.Get(ctx, p.ID)
		mustNoErr(t, err)
		if got.ID != p.ID || got.QtyOnHand.String() != "1200.5" || len(got.ProductUnits) != 2 || got.ProductUnits[0].Price.String() != "3500.25" {
			t.Fatalf("get = %+v", got)
		}

		up, err := c.Products.Update(ctx, p.ID, &salesmania.ProductFields{
			ProductUnits: &[]salesmania.ProductUnitInput{{Name: new("PCS"), Price: new(dec("3600")), Ratio: new(dec("1"))}},
		})
		mustNoErr(t, err)
		if len(up.ProductUnits) != 1 || up.ProductUnits[0].Price.String() != "3600" || up.Name != "Indomie Goreng" || up.QtyOnHand.String() != "1200.5" {
			t.Fatalf("updated = %+v", up)
		}

		page, err := c.Products.List(ctx, &client.ProductListOptions{SKU: "IDM-G", ExtProductCode: "P-0007", Tag: "mie", Q: "indomie", Status: new(true)})
		mustNoErr(t, err)
		if len(page.Data) != 1 || page.Data[0].ID != p.ID {
			t.Fatalf("list = %+v", page)
		}

		_, err = c.Products.Create(ctx, &salesmania.ProductFields{Name: new("Lain"), ExtProductCode: new("P-0007"), QtyOnHand: new(dec("0")),
			ProductUnits: &[]salesmania.ProductUnitInput{{Name: new("PCS"), Price: new(dec("1")), Ratio: new(dec("1"))}}})
		wantError(t, err, 409, "")

		_, err = c.Products.Update(sendAnyway(ctx), p.ID, &salesmania.ProductFields{
			ProductUnits: &[]salesmania.ProductUnitInput{{Name: new("DUS"), Price: new(dec("-1")), Ratio: new(dec("1.5"))}},
		})
		wantError(t, err, 422, "", salesmania.FieldError{Field: "product_units[0].price", Message: "must be 0 or more"},
			salesmania.FieldError{Field: "product_units[0].ratio", Message: "must be a whole number from 1 to 999999999"},
			salesmania.FieldError{Field: "product_units", Message: "must have a unit with ratio 1 (the base unit)"})

		mustNoErr(t, c.Products.Delete(ctx, p.ID))
		_, err = c.Products.Get(ctx, p.ID)
		wantError(t, err, 404, "Product "+itoa(p.ID)+" not found.")
		var deleted []int64
		for ts, err := range c.Products.AllDeleted(ctx, &client.DeletedListOptions{Limit: 1}) {
			mustNoErr(t, err)
			deleted = append(deleted, ts.ID)
		}
		if !slices.Equal(deleted, []int64{p.ID}) {
			t.Fatalf("deleted products = %v", deleted)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCustomersAll(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		var want []int64
		for i := range 250 {
			cu := salesmania.Customer{Name: "Toko " + itoa(int64(i)), Status: true, Tags: []string{}}
			if err := f.store.CreateCustomer(ctx, f.co.DB.ID, &cu); err != nil {
				t.Fatal(err)
			}
			want = append(want, cu.ID)
		}
		c, tr := f.newClient(t, memberEmail)

		var got []int64
		for cu, err := range c.Customers.All(ctx, &client.CustomerListOptions{Limit: 100, IncludeTotal: true}) {
			mustNoErr(t, err)
			got = append(got, cu.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("All gave %d customers %v…; want the 250 seeded, each once, by id", len(got), got[:min(len(got), 5)])
		}
		lists := tr.exchanges("GET", "/extapi/v1.0/customers")
		if len(lists) != 3 {
			t.Fatalf("%d list requests; want 3 pages of at most 100", len(lists))
		}
		for i, x := range lists {
			if strings.Contains(x.RawQuery, "include_total") || !strings.Contains(x.RawQuery, "limit=100") || (i == 0) == strings.Contains(x.RawQuery, "cursor=") {
				t.Fatalf("request %d query %q", i, x.RawQuery)
			}
		}

		// Stopping early fetches no further page.
		n := 0
		for _, err := range c.Customers.All(ctx, &client.CustomerListOptions{Limit: 100}) {
			mustNoErr(t, err)
			if n++; n == 5 {
				break
			}
		}
		if got := len(tr.exchanges("GET", "/extapi/v1.0/customers")); got != 4 {
			t.Fatalf("%d list requests after a loop stopped at 5; want 4", got)
		}

		// An error is yielded once, then the loop ends.
		errs := 0
		for _, err := range c.Customers.All(ctx, &client.CustomerListOptions{Cursor: "not-a-cursor"}) {
			wantError(t, err, 400, "", salesmania.FieldError{Field: "cursor", Message: "is not a cursor this list gave out; start again without it"})
			errs++
		}
		if errs != 1 {
			t.Fatalf("%d errors yielded; want 1", errs)
		}
	})
}

func TestVisits(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		budi, sari := f.co.Teams[0], f.co.Teams[1]
		admin, _ := f.newClient(t, adminEmail)
		member, _ := f.newClient(t, memberEmail)
		cu, err := admin.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Toko Sumber Rejeki"), City: new("Semarang"),
			Location: &salesmania.LocationInput{Lat: new(-7.11), Lon: new(110.47)}})
		mustNoErr(t, err)

		v1, err := admin.Visits.Append(ctx, &salesmania.VisitCreate{Date: new("2024-01-01"), CustomerID: &cu.ID})
		mustNoErr(t, err)
		v2, err := admin.Visits.Append(ctx, &salesmania.VisitCreate{Date: new("2024-01-01"), CustomerID: &cu.ID})
		mustNoErr(t, err)
		v3, err := admin.Visits.Append(ctx, &salesmania.VisitCreate{Date: new("2024-01-01"), CustomerID: &cu.ID, TeamID: &sari.ID})
		mustNoErr(t, err)
		for _, c := range []struct {
			v         *salesmania.Visit
			team, seq int64
		}{{v1, budi.ID, 1}, {v2, budi.ID, 2}, {v3, sari.ID, 1}} {
			if c.v.TeamID != c.team || c.v.Seq != c.seq || c.v.Date != "2024-01-01" || c.v.Status != salesmania.VisitStatusPlanned ||
				c.v.Customer.ID != cu.ID || c.v.Customer.Name != "Toko Sumber Rejeki" || c.v.Customer.City != "Semarang" ||
				c.v.Customer.Location == nil || *c.v.Customer.Location != (salesmania.Location{Lat: -7.11, Lon: 110.47}) {
				t.Fatalf("visit = %+v; want team %d seq %d", c.v, c.team, c.seq)
			}
		}

		var ids []int64
		for v, err := range admin.Visits.All(ctx, &client.VisitListOptions{Date: "2024-01-01", Limit: 2}) {
			mustNoErr(t, err)
			ids = append(ids, v.ID)
		}
		if want := []int64{v1.ID, v2.ID, v3.ID}; !slices.Equal(ids, want) {
			t.Fatalf("visits = %v; want %v in (date, team, seq) order", ids, want)
		}
		page, err := member.Visits.List(ctx, &client.VisitListOptions{DateFrom: "2024-01-01", DateTo: "2024-01-31", CustomerID: cu.ID})
		mustNoErr(t, err)
		if len(page.Data) != 1 || page.Data[0].ID != v3.ID {
			t.Fatalf("member's visits = %+v; want only team Sari's", page.Data)
		}

		_, err = member.Visits.Append(ctx, &salesmania.VisitCreate{Date: new("2024-01-02"), CustomerID: &cu.ID, TeamID: &budi.ID})
		wantError(t, err, 403, salesmania.ErrOtherTeam.Message)
		_, err = member.Visits.Append(sendAnyway(ctx), &salesmania.VisitCreate{Date: new("2024-02-30"), CustomerID: new(int64(999999))})
		wantError(t, err, 422, "", salesmania.FieldError{Field: "date", Message: "must be a date as YYYY-MM-DD"})
		_, err = admin.Visits.List(ctx, &client.VisitListOptions{DateFrom: "2024-01-01", DateTo: "2024-06-01"})
		wantError(t, err, 400, "", salesmania.FieldError{Field: "date_to", Message: "must be at most 92 days from date_from, both included"})

		err = admin.Customers.Delete(ctx, cu.ID)
		wantError(t, err, 409, "")
	})
}

func TestOrders(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		budi := f.co.Teams[0]
		c, _ := f.newClient(t, adminEmail)
		dec := salesmania.MustDecimal
		cu, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Toko Sumber Rejeki"), ExtCustNo: new("C-0001")})
		mustNoErr(t, err)
		p, err := c.Products.Create(ctx, &salesmania.ProductFields{Name: new("Indomie Goreng"), QtyOnHand: new(dec("1200")),
			ProductUnits: &[]salesmania.ProductUnitInput{
				{Name: new("PCS"), Price: new(dec("3500")), Ratio: new(dec("1"))},
				{Name: new("DUS"), Price: new(dec("130000")), Ratio: new(dec("40"))},
			}})
		mustNoErr(t, err)

		// The worked example of §6.1.
		o, err := c.Orders.Create(ctx, &salesmania.OrderFields{
			Date:       new("2024-01-01"),
			CustomerID: &cu.ID,
			TeamID:     &budi.ID,
			OrderedProducts: &[]salesmania.OrderLineInput{{
				ProductID: &p.ID, Qty: new(dec("2")), Unit: new("dus"), Price: new(dec("130000")),
				ItemDiscPercent: new("10+5"), ExtOrderLineID: new(int64(9001)),
			}},
			DiscPercent: new("2"),
			VisitStatus: new("Order"),
			ExtOrderNo:  new("SO-2024-0001"),
		})
		mustNoErr(t, err)
		wantMoney := func(o *salesmania.Order) {
			t.Helper()
			if len(o.OrderedProducts) != 1 {
				t.Fatalf("lines = %+v", o.OrderedProducts)
			}
			l := o.OrderedProducts[0]
			for _, m := range []struct {
				name string
				got  salesmania.Decimal
				want string
			}{
				{"qty", l.Qty, "2"}, {"price", l.Price, "130000"}, {"gross", l.Gross, "260000"}, {"line discount", l.Discount, "37700"},
				{"net", l.Net, "222300"}, {"subtotal", o.Subtotal, "222300"}, {"discount", o.Discount, "4446"}, {"total", o.Total, "217854"},
				{"total_paid", o.TotalPaid, "0"}, {"disc_amount", o.DiscAmount, "0"},
			} {
				if m.got.String() != m.want {
					t.Errorf("%s = %s; want %s", m.name, m.got, m.want)
				}
			}
			if l.ID <= 0 || l.Unit != "DUS" || l.ItemDiscPercent != "10+5" || l.ExtOrderLineID == nil || *l.ExtOrderLineID != 9001 ||
				o.Status != salesmania.OrderBaru || o.TeamID != budi.ID || o.CustomerID != cu.ID || o.DiscPercent != "2" || o.ExtOrderNo != "SO-2024-0001" {
				t.Fatalf("order = %+v, line %+v", o, l)
			}
		}
		wantMoney(o)
		got, err := c.Orders.Get(ctx, o.ID)
		mustNoErr(t, err)
		wantMoney(got)

		up, err := c.Orders.Update(ctx, o.ID, &salesmania.OrderFields{Status: new(salesmania.OrderDiproses),
			ExtOrderStatusName: new("Packing"), TotalPaid: new(dec("100000.5"))})
		mustNoErr(t, err)
		if up.Status != salesmania.OrderDiproses || up.ExtOrderStatusName != "Packing" || up.TotalPaid.String() != "100000.5" || up.Total.String() != "217854" {
			t.Fatalf("updated = %+v", up)
		}

		_, err = c.Orders.Update(ctx, o.ID, &salesmania.OrderFields{Status: new(salesmania.OrderBaru)})
		wantError(t, err, 409, "", salesmania.FieldError{Field: "status", Message: "cannot move from Diproses to Baru"})
		_, err = c.Orders.Update(sendAnyway(ctx), o.ID, &salesmania.OrderFields{Date: new("2024-02-01")})
		wantError(t, err, 422, "", salesmania.FieldError{Field: "date", Message: "cannot be changed after the order is created"})
		_, err = c.Orders.Get(ctx, o.ID+1000)
		wantError(t, err, 404, "")

		page, err := c.Orders.List(ctx, &client.OrderListOptions{Status: salesmania.OrderDiproses, DateFrom: "2024-01-01", DateTo: "2024-01-01",
			CustomerID: cu.ID, TeamID: budi.ID, ExtOrderNo: "SO-2024-0001", IncludeTotal: true})
		mustNoErr(t, err)
		if len(page.Data) != 1 || page.Data[0].ID != o.ID || page.Total == nil || *page.Total != 1 {
			t.Fatalf("list = %+v", page)
		}
		n := 0
		for o, err := range c.Orders.All(ctx, &client.OrderListOptions{Status: salesmania.OrderBaru}) {
			mustNoErr(t, err)
			t.Fatalf("Baru orders include %d", o.ID)
		}
		for range c.Orders.All(ctx, nil) {
			n++
		}
		if n != 1 {
			t.Fatalf("All orders = %d; want 1", n)
		}
	})
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		received := make(chan http.Header, 10)
		erp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			received <- r.Header.Clone()
		}))
		t.Cleanup(erp.Close)
		dctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			(&webhook.Dispatcher{Outbox: f.store, AllowPrivate: true, PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Run(dctx)
		}()
		t.Cleanup(func() { cancel(); <-done })

		c, _ := f.newClient(t, adminEmail)
		hook, err := c.Webhooks.Create(ctx, &salesmania.WebhookCreate{URL: new(erp.URL + "/erp/orders"), Secret: new("a-secret-of-16-chars-or-more")})
		mustNoErr(t, err)
		if hook.ID <= 0 || hook.URL != erp.URL+"/erp/orders" || !slices.Equal(hook.Events, salesmania.Events) || hook.Secret != "" {
			t.Fatalf("webhook = %+v", hook)
		}
		hooks, err := c.Webhooks.List(ctx)
		mustNoErr(t, err)
		if len(hooks) != 1 || hooks[0].ID != hook.ID || !slices.Equal(hooks[0].Events, salesmania.Events) {
			t.Fatalf("webhooks = %+v", hooks)
		}

		cu, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Toko")})
		mustNoErr(t, err)
		p, err := c.Products.Create(ctx, &salesmania.ProductFields{Name: new("Mie"), QtyOnHand: new(salesmania.DecimalFromInt(1)),
			ProductUnits: &[]salesmania.ProductUnitInput{{Name: new("PCS"), Price: new(salesmania.DecimalFromInt(3500)), Ratio: new(salesmania.DecimalFromInt(1))}}})
		mustNoErr(t, err)
		o, err := c.Orders.Create(ctx, &salesmania.OrderFields{Date: new("2024-01-01"), CustomerID: &cu.ID,
			OrderedProducts: &[]salesmania.OrderLineInput{{ProductID: &p.ID, Qty: new(salesmania.DecimalFromInt(1)), Unit: new("PCS"), Price: new(salesmania.DecimalFromInt(3500))}}})
		mustNoErr(t, err)
		var h http.Header
		select {
		case h = <-received:
		case <-time.After(15 * time.Second):
			t.Fatal("no delivery within 15 s")
		}
		if h.Get("X-SalesMania-Event") != salesmania.EventOrderCreated {
			t.Fatalf("delivery headers = %v", h)
		}
		var attempts []salesmania.WebhookAttempt
		deadline := time.Now().Add(15 * time.Second)
		for len(attempts) == 0 && time.Now().Before(deadline) {
			page, err := c.Webhooks.Deliveries(ctx, hook.ID, &client.ListOptions{Limit: 10})
			mustNoErr(t, err)
			attempts = page.Data
			time.Sleep(20 * time.Millisecond)
		}
		if len(attempts) != 1 {
			t.Fatalf("deliveries = %+v; want 1", attempts)
		}
		a := attempts[0]
		if a.ID != h.Get("X-SalesMania-Delivery") || a.Event != salesmania.EventOrderCreated || a.OrderID != o.ID || a.Attempt != 1 ||
			a.StatusCode != 200 || a.Error != "" || a.NextAttemptAt != nil {
			t.Fatalf("delivery = %+v", a)
		}
		n := 0
		for range c.Webhooks.AllDeliveries(ctx, hook.ID, nil) {
			n++
		}
		if n != 1 {
			t.Fatalf("AllDeliveries = %d; want 1", n)
		}

		member, _ := f.newClient(t, memberEmail)
		_, err = member.Webhooks.List(ctx)
		wantError(t, err, 403, "Only an admin of the database manages its webhooks.")

		mustNoErr(t, c.Webhooks.Delete(ctx, hook.ID))
		hooks, err = c.Webhooks.List(ctx)
		mustNoErr(t, err)
		if len(hooks) != 0 {
			t.Fatalf("webhooks after delete = %+v", hooks)
		}
		err = c.Webhooks.Delete(ctx, hook.ID)
		wantError(t, err, 404, "")
		_, err = c.Webhooks.Create(sendAnyway(ctx), &salesmania.WebhookCreate{URL: new("ftp://erp"), Secret: new("short"), Events: &[]string{"order.deleted"}})
		wantError(t, err, 422, "")
	})
}

func TestRelogin(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)

		t.Run("OKAfterLogout", func(t *testing.T) {
			c, tr := f.newClient(t, adminEmail)
			mustNoErr(t, c.Login(ctx))
			old := c.Session()
			// Another client revokes the same bearer token.
			other, _ := f.newClient(t, adminEmail, client.WithBearer(old.Bearer))
			mustNoErr(t, other.Logout(ctx))

			cu, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Setelah logout")})
			mustNoErr(t, err)
			s := c.Session()
			if s.Bearer == old.Bearer || s.Bearer == "" || s.TeamToken != old.TeamToken {
				t.Fatalf("session = %+v; want a new bearer, the same team token", s)
			}
			posts := tr.exchanges("POST", "/extapi/v1.0/customers")
			if len(posts) != 2 || posts[0].Status != 401 || posts[1].Status != 200 ||
				posts[0].Header.Get("Idempotency-Key") != posts[1].Header.Get("Idempotency-Key") {
				t.Fatalf("POSTs = %+v; want a 401 then a 200 with the same key", posts)
			}
			got, err := c.Customers.Get(ctx, cu.ID)
			mustNoErr(t, err)
			if got.Name != "Setelah logout" {
				t.Fatalf("customer = %+v", got)
			}
		})

		t.Run("OKConcurrent", func(t *testing.T) {
			c, tr := f.newClient(t, adminEmail)
			mustNoErr(t, c.Login(ctx))
			if err := f.store.RevokeToken(ctx, auth.HashBearerToken(c.Session().Bearer)); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Go(func() {
					_, err := c.Customers.List(ctx, nil)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				mustNoErr(t, err)
			}
			if n := len(tr.exchanges("GET", "/extapi/v1.0/token")); n != 2 {
				t.Fatalf("%d logins; want 2 (the first and one after the revocation)", n)
			}
		})

		t.Run("ErrNoCredentials", func(t *testing.T) {
			c, _ := f.newClient(t, adminEmail)
			mustNoErr(t, c.Login(ctx))
			s := c.Session()
			bare, _ := f.newClient(t, "", client.WithBearer(s.Bearer), client.WithDatabase(s.DBID))
			_, err := bare.Teams(ctx)
			mustNoErr(t, err)
			mustNoErr(t, c.Logout(ctx))
			_, err = bare.Teams(ctx)
			wantError(t, err, 401, "The bearer token is invalid, expired or revoked.")
		})
	})
}

func TestTeamTokenRefresh(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)
		budi, sari := f.co.Teams[0], f.co.Teams[1]
		c, tr := f.newClient(t, adminEmail)
		cu, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Toko")})
		mustNoErr(t, err)
		if c.Session().TeamID != budi.ID {
			t.Fatalf("session = %+v; want team Budi", c.Session())
		}

		// The admin moves to team Sari: the old team token answers 403.
		f.mustMember(t, f.co.DB.ID, f.admin.ID, sari.ID, salesmania.RoleAdmin)
		v, err := c.Visits.Append(ctx, &salesmania.VisitCreate{Date: new("2024-03-01"), CustomerID: &cu.ID})
		mustNoErr(t, err)
		if v.TeamID != sari.ID || c.Session().TeamID != sari.ID {
			t.Fatalf("visit team %d, session %+v; want team Sari %d", v.TeamID, c.Session(), sari.ID)
		}
		posts := tr.exchanges("POST", "/extapi/v1.1/visits")
		if len(posts) != 2 || posts[0].Status != 403 || posts[1].Status != 200 || posts[0].Header.Get("X-Team-Token") == posts[1].Header.Get("X-Team-Token") {
			t.Fatalf("visit POSTs = %+v; want a 403 with the old token, then a 200 with a new one", posts)
		}

		// A 403 that a new team token does not cure is returned at once.
		member, mtr := f.newClient(t, memberEmail)
		_, err = member.Webhooks.List(ctx)
		wantError(t, err, 403, "")
		if n := len(mtr.exchanges("GET", "/extapi/v1.0/webhooks")); n != 1 {
			t.Fatalf("%d webhook list requests; want 1", n)
		}

		// Removed from the database: the refresh itself is refused.
		if err := f.store.RemoveMember(ctx, f.co.DB.ID, f.admin.ID); err != nil {
			t.Fatal(err)
		}
		_, err = c.Teams(ctx)
		wantError(t, err, 403, "You are not a member of database "+itoa(f.co.DB.ID)+".")
	})
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		f := newFixture(t, kind)

		t.Run("OKLostAnswer", func(t *testing.T) {
			c, tr := f.newClient(t, memberEmail)
			mustNoErr(t, c.Login(ctx))
			tr.set(nil, firstTime("POST", "/extapi/v1.0/customers"))
			cu, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Toko Hilang Jawaban")})
			mustNoErr(t, err)
			posts := tr.exchanges("POST", "/extapi/v1.0/customers")
			key := posts[0].Header.Get("Idempotency-Key")
			if len(posts) != 2 || posts[0].Status != 0 || posts[1].Status != 200 || !posts[1].Replayed || key == "" || posts[1].Header.Get("Idempotency-Key") != key {
				t.Fatalf("POSTs = %+v; want a lost one, then a replay with the same key", posts)
			}
			page, err := c.Customers.List(ctx, &client.CustomerListOptions{Q: "Hilang Jawaban", IncludeTotal: true})
			mustNoErr(t, err)
			if *page.Total != 1 || page.Data[0].ID != cu.ID || page.Data[0].Name != "Toko Hilang Jawaban" {
				t.Fatalf("customers = %+v (total %d); want exactly customer %d", page.Data, *page.Total, cu.ID)
			}

			// The next call has a key of its own.
			_, err = c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Toko Hilang Jawaban")})
			mustNoErr(t, err)
			posts = tr.exchanges("POST", "/extapi/v1.0/customers")
			if len(posts) != 3 || posts[2].Header.Get("Idempotency-Key") == key || posts[2].Replayed {
				t.Fatalf("a second call reused key %s: %+v", key, posts[2])
			}
		})

		t.Run("OKLostAnswerOrder", func(t *testing.T) {
			c, tr := f.newClient(t, adminEmail)
			cu, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Toko Order")})
			mustNoErr(t, err)
			p, err := c.Products.Create(ctx, &salesmania.ProductFields{Name: new("Mie"), QtyOnHand: new(salesmania.DecimalFromInt(1)),
				ProductUnits: &[]salesmania.ProductUnitInput{{Name: new("PCS"), Price: new(salesmania.DecimalFromInt(3500)), Ratio: new(salesmania.DecimalFromInt(1))}}})
			mustNoErr(t, err)
			tr.set(nil, firstTime("POST", "/extapi/v1.0/orders"))
			o, err := c.Orders.Create(ctx, &salesmania.OrderFields{Date: new("2024-01-01"), CustomerID: &cu.ID,
				OrderedProducts: &[]salesmania.OrderLineInput{{ProductID: &p.ID, Qty: new(salesmania.DecimalFromInt(3)), Unit: new("PCS"), Price: new(salesmania.DecimalFromInt(3500))}}})
			mustNoErr(t, err)
			page, err := c.Orders.List(ctx, &client.OrderListOptions{CustomerID: cu.ID})
			mustNoErr(t, err)
			if len(page.Data) != 1 || page.Data[0].ID != o.ID || o.Total.String() != "10500" {
				t.Fatalf("orders = %+v; want exactly order %d", page.Data, o.ID)
			}
		})

		t.Run("OKLostAnswerDelete", func(t *testing.T) {
			c, tr := f.newClient(t, memberEmail)
			cu, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Hapus")})
			mustNoErr(t, err)
			path := "/extapi/v1.0/customers/" + itoa(cu.ID)
			tr.set(nil, firstTime("DELETE", path))
			mustNoErr(t, c.Customers.Delete(ctx, cu.ID))
			if dels := tr.exchanges("DELETE", path); len(dels) != 2 || dels[0].Status != 0 || dels[1].Status != 404 {
				t.Fatalf("DELETEs = %+v; want a lost one, then a 404 taken as done", dels)
			}
		})

		t.Run("OKOwnKey", func(t *testing.T) {
			c, _ := f.newClient(t, memberEmail)
			kctx := client.ContextWithIdempotencyKey(ctx, "order-from-phone-42")
			a, err := c.Customers.Create(kctx, &salesmania.CustomerFields{Name: new("Kunci Sendiri")})
			mustNoErr(t, err)
			b, err := c.Customers.Create(kctx, &salesmania.CustomerFields{Name: new("Kunci Sendiri")})
			mustNoErr(t, err)
			if a.ID != b.ID {
				t.Fatalf("the same key created customers %d and %d", a.ID, b.ID)
			}
			_, err = c.Customers.Create(kctx, &salesmania.CustomerFields{Name: new("Lain")})
			wantError(t, err, 422, "", salesmania.FieldError{Field: "Idempotency-Key", Message: "was used with a different request"})
		})

		t.Run("ErrAnswerLostEveryTime", func(t *testing.T) {
			c, tr := f.newClient(t, memberEmail)
			mustNoErr(t, c.Login(ctx))
			tr.set(nil, func(r *http.Request) bool { return r.Method == "POST" })
			_, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Tiga Kali")})
			if err == nil || client.StatusCode(err) != 0 || !strings.Contains(err.Error(), "simulated") {
				t.Fatalf("err = %v; want the transport's error", err)
			}
			if n := len(tr.exchanges("POST", "")); n != 3 {
				t.Fatalf("%d tries; want 3", n)
			}
			tr.set(nil, nil)
			page, err := c.Customers.List(ctx, &client.CustomerListOptions{Q: "Tiga Kali", IncludeTotal: true})
			mustNoErr(t, err)
			if *page.Total != 1 {
				t.Fatalf("%d customers; want 1 from three tries with one key", *page.Total)
			}
		})
	})
}

func TestRetry(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "sqlite")
	answer := func(status int, retryAfter string) func(*http.Request) *http.Response {
		var once sync.Once
		return func(r *http.Request) *http.Response {
			var resp *http.Response
			if r.URL.Path == "/extapi/v1.0/customers" {
				once.Do(func() {
					body := `{"type":"about:blank","title":"` + http.StatusText(status) + `","status":` + itoa(int64(status)) + `,"detail":"slow down"}`
					resp = &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/problem+json"}, "Retry-After": {retryAfter}},
						Body: io.NopCloser(strings.NewReader(body)), Request: r}
				})
			}
			return resp
		}
	}

	t.Run("OK503", func(t *testing.T) {
		c, tr := f.newClient(t, memberEmail)
		tr.set(answer(503, "0"), nil)
		_, err := c.Customers.List(ctx, nil)
		mustNoErr(t, err)
		if xs := tr.exchanges("GET", "/extapi/v1.0/customers"); len(xs) != 2 || xs[0].Status != 503 || xs[1].Status != 200 {
			t.Fatalf("exchanges = %+v", xs)
		}
	})

	t.Run("OK429POST", func(t *testing.T) {
		c, tr := f.newClient(t, memberEmail)
		tr.set(answer(429, "0"), nil)
		_, err := c.Customers.Create(ctx, &salesmania.CustomerFields{Name: new("Sabar")})
		mustNoErr(t, err)
		xs := tr.exchanges("POST", "/extapi/v1.0/customers")
		if len(xs) != 2 || xs[0].Status != 429 || xs[1].Status != 200 || xs[0].Header.Get("Idempotency-Key") != xs[1].Header.Get("Idempotency-Key") {
			t.Fatalf("exchanges = %+v", xs)
		}
	})

	t.Run("ErrRetryAfterTooLong", func(t *testing.T) {
		c, tr := f.newClient(t, memberEmail)
		tr.set(answer(429, "3600"), nil)
		_, err := c.Customers.List(ctx, nil)
		var e *client.Error
		if !errors.As(err, &e) || !client.IsRateLimited(err) || e.RetryAfter != time.Hour || e.Detail != "slow down" {
			t.Fatalf("err = %#v; want a 429 with RetryAfter 1h", err)
		}
		if n := len(tr.exchanges("GET", "/extapi/v1.0/customers")); n != 1 {
			t.Fatalf("%d tries; want 1", n)
		}
	})

	t.Run("ErrNotProblem", func(t *testing.T) {
		c, tr := f.newClient(t, memberEmail, client.WithRetryPolicy(client.RetryPolicy{MaxAttempts: 1}))
		tr.set(func(r *http.Request) *http.Response {
			return &http.Response{StatusCode: 502, Header: http.Header{"Content-Type": {"text/html"}},
				Body: io.NopCloser(strings.NewReader("<html>Bad Gateway</html>")), Request: r}
		}, nil)
		_, err := c.Customers.List(ctx, nil)
		var e *client.Error
		if !errors.As(err, &e) || e.Status != 502 || e.Title != "Bad Gateway" || e.Detail != "<html>Bad Gateway</html>" {
			t.Fatalf("err = %#v", err)
		}
	})
}

func TestNew(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "localhost:8080", "ftp://x", "http://", "http://x/?q=1"} {
		if _, err := client.New(bad); err == nil {
			t.Errorf("New(%q) = nil error", bad)
		}
	}
	c, err := client.New("http://127.0.0.1:1/prefix/")
	mustNoErr(t, err)
	if c.Customers == nil || c.Products == nil || c.Visits == nil || c.Orders == nil || c.Webhooks == nil {
		t.Fatal("a service is nil")
	}
}
