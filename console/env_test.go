package console_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/console"
	"github.com/salesmania/salesmania/demo"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// env is the whole server — the API with the console mounted, as serve
// wires them — over real HTTP on a fresh real database holding the demo
// company, a day of visits played out, and a second company whose rows
// the first must never see.
type env struct {
	t     testing.TB
	URL   string
	store *sqlstore.Store
	logs  *syncBuffer
	skew  atomic.Int64 // added to the server's clock, in nanoseconds

	db      salesmania.Database // the demo company
	teams   []salesmania.Team   // its teams; teams[0] is the admin's, teams[1] the member's
	today   string              // in its time zone
	admin   salesmania.Principal
	member  salesmania.Principal
	product *salesmania.Product

	other otherDB
}

// otherDB is the second company: one of everything.
type otherDB struct {
	db       salesmania.Database
	team     salesmania.Team
	customer salesmania.Customer
	product  salesmania.Product
	visit    salesmania.Visit
	order    salesmania.Order
	plan     salesmania.VisitPlan
}

// Logins besides the demo's.
const (
	otherEmail = "owner@sentosa.example"
	multiEmail = "dua@majujaya.example" // a member of both companies
	password   = "rahasia-123"
)

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

var passwordHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(password)
	if err != nil {
		panic(err)
	}
	return h
})

func newEnv(t testing.TB, kind string) *env {
	e := &env{t: t, logs: &syncBuffer{}}
	e.store = sqlstoretest.MustOpen(t, kind)
	e.seed(t)
	key, err := e.store.Secret(context.Background(), "team_token_key", auth.NewSecret)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := auth.NewTeamTokenSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewJSONHandler(e.logs, nil))
	now := func() time.Time { return salesmania.Now().Add(time.Duration(e.skew.Load())) }
	con, err := console.New(console.Config{Store: e.store, Tiles: console.TilesOff, Logger: logger, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	api, err := httpapi.NewServer(httpapi.Config{Store: e.store, TeamTokens: signer, Logger: logger, Now: now, Console: con})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(api)
	t.Cleanup(ts.Close)
	e.URL = ts.URL
	t.Cleanup(func() {
		logs := e.logs.String()
		for _, s := range []string{password, demo.Password, "argon2id"} {
			if strings.Contains(logs, s) {
				t.Errorf("the log holds a password or hash (%q)", s)
			}
		}
	})
	return e
}

// seed makes the two companies and plays out part of today.
func (e *env) seed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	s := e.store
	info, err := demo.Seed(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	e.db, e.teams = info.Database, info.Teams
	settings, err := s.FindSettings(ctx, e.db.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.today = settings.Today(salesmania.Now())
	admin, err := s.FindUserByEmail(ctx, demo.AdminEmail)
	if err != nil {
		t.Fatal(err)
	}
	member, err := s.FindUserByEmail(ctx, demo.MemberEmail)
	if err != nil {
		t.Fatal(err)
	}
	e.admin = salesmania.Principal{UserID: admin.ID, DBID: e.db.ID, TeamID: e.teams[0].ID, Role: salesmania.RoleAdmin}
	e.member = salesmania.Principal{UserID: member.ID, DBID: e.db.ID, TeamID: e.teams[1].ID, Role: salesmania.RoleMember}
	products, err := s.ListProducts(ctx, e.db.ID, salesmania.ProductFilter{ListParams: salesmania.ListParams{Limit: 1}})
	if err != nil || len(products.Data) == 0 {
		t.Fatalf("demo products: %v", err)
	}
	e.product = &products.Data[0]
	e.playToday(t)

	// The other company.
	o := &e.other
	o.db = salesmania.Database{Name: "CV Sentosa"}
	must(t, s.CreateDatabase(ctx, &o.db))
	o.team = salesmania.Team{Name: "Joko", Status: true}
	must(t, s.CreateTeam(ctx, o.db.ID, &o.team))
	owner := &salesmania.User{Email: otherEmail, PasswordHash: passwordHash()}
	must(t, s.CreateUser(ctx, owner))
	must(t, s.PutMember(ctx, &salesmania.Membership{DBID: o.db.ID, UserID: owner.ID, TeamID: o.team.ID, Role: salesmania.RoleAdmin}))
	multi := &salesmania.User{Email: multiEmail, PasswordHash: passwordHash()}
	must(t, s.CreateUser(ctx, multi))
	must(t, s.PutMember(ctx, &salesmania.Membership{DBID: e.db.ID, UserID: multi.ID, TeamID: e.teams[2].ID, Role: salesmania.RoleMember}))
	must(t, s.PutMember(ctx, &salesmania.Membership{DBID: o.db.ID, UserID: multi.ID, TeamID: o.team.ID, Role: salesmania.RoleMember}))
	o.customer = salesmania.Customer{Name: "Toko Rahasia Sentosa", City: "Solo", Status: true, Tags: []string{},
		Location: &salesmania.Location{Lat: -7.5666, Lon: 110.8166}}
	must(t, s.CreateCustomer(ctx, o.db.ID, &o.customer))
	o.product = salesmania.Product{Name: "Produk Rahasia", Status: true, Tags: []string{}, QtyOnHand: salesmania.DecimalFromInt(1),
		ProductUnits: []salesmania.ProductUnit{{Name: "PCS", Price: salesmania.DecimalFromInt(1000), Ratio: 1}}}
	must(t, s.CreateProduct(ctx, o.db.ID, &o.product))
	o.visit = salesmania.Visit{Date: e.today, TeamID: o.team.ID, CustomerID: o.customer.ID, Status: salesmania.VisitPlanned, DurationMin: 15}
	must(t, s.AppendVisit(ctx, o.db.ID, &o.visit))
	o.order = salesmania.Order{Date: e.today, CustomerID: o.customer.ID, TeamID: o.team.ID, Status: salesmania.OrderBaru,
		OrderedProducts: []salesmania.OrderLine{{ProductID: o.product.ID, Qty: salesmania.DecimalFromInt(3), Unit: "PCS", Price: salesmania.DecimalFromInt(1000)}}}
	must(t, s.CreateOrder(ctx, o.db.ID, &o.order))
	o.plan = salesmania.VisitPlan{TeamID: o.team.ID, CustomerID: o.customer.ID, Weekdays: []int{1}, EveryWeeks: 1, StartDate: e.today, DurationMin: 15, Active: true}
	must(t, s.CreateVisitPlan(ctx, o.db.ID, &o.plan))
}

// playToday gives each salesman team a day of at least six visits today
// and plays part of the member's: a verified check-in and check-out, an
// unverified check-in 1.4 km off, a skipped shop, and an order. It works
// on whatever the demo seeds for today, so it holds when the demo grows.
func (e *env) playToday(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	s := e.store
	custs, err := s.ListCustomers(ctx, e.db.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	for _, team := range e.teams[1:] {
		day := e.day(t, team.ID, e.today)
		for n := len(day); n < 6; n++ {
			c := custs.Data[next%len(custs.Data)]
			next++
			v := salesmania.Visit{Date: e.today, TeamID: team.ID, CustomerID: c.ID, Status: salesmania.VisitPlanned, DurationMin: 15}
			must(t, s.AppendVisit(ctx, e.db.ID, &v))
		}
	}
	var planned []salesmania.Visit
	for _, v := range e.day(t, e.member.TeamID, e.today) {
		if v.Status == salesmania.VisitPlanned && v.Customer.Location != nil {
			planned = append(planned, v)
		}
	}
	if len(planned) < 4 {
		return // the demo played the day already
	}
	now := salesmania.Now()
	scope := e.member.Teams()
	checkIn := func(v salesmania.Visit, dLat float64) {
		lat, lon, acc := v.Customer.Location.Lat+dLat, v.Customer.Location.Lon, 12.0
		c, err := (&salesmania.CheckFields{Lat: &lat, Lon: &lon, AccuracyM: &acc}).NewCheckIn(now)
		must(t, err)
		_, err = s.CheckInVisit(ctx, e.db.ID, scope, v.ID, c)
		must(t, err)
	}
	checkIn(planned[0], 0.00003) // about 3 m
	out, err := (&salesmania.CheckFields{}).NewCheckOut(now)
	must(t, err)
	_, err = s.CheckOutVisit(ctx, e.db.ID, scope, planned[0].ID, out, &salesmania.CheckFields{})
	must(t, err)
	checkIn(planned[1], 0.0126) // about 1.4 km
	skipped := salesmania.VisitSkipped
	_, err = s.UpdateVisit(ctx, e.db.ID, scope, planned[2].ID, &salesmania.VisitFields{Status: &skipped})
	must(t, err)
	unit := e.product.ProductUnits[0]
	o := salesmania.Order{Date: e.today, CustomerID: planned[0].CustomerID, TeamID: e.member.TeamID, Status: salesmania.OrderBaru,
		OrderedProducts: []salesmania.OrderLine{{ProductID: e.product.ID, Qty: salesmania.DecimalFromInt(2), Unit: unit.Name, Price: unit.Price}}}
	must(t, s.CreateOrder(ctx, e.db.ID, &o))
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// day returns a team's visits of a date in seq order, from the store.
func (e *env) day(t testing.TB, team int64, date string) []salesmania.Visit {
	t.Helper()
	page, err := e.store.ListVisits(context.Background(), e.db.ID, salesmania.VisitFilter{Teams: salesmania.OnlyTeam(team), Date: date,
		ListParams: salesmania.ListParams{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Data
}

func ids(day []salesmania.Visit) []int64 {
	out := make([]int64, len(day))
	for i, v := range day {
		out[i] = v.ID
	}
	return out
}

// client is a browser without a browser: a cookie jar, no redirects
// followed, and the CSRF token of the last page it read.
type client struct {
	e    *env
	http *http.Client
	csrf string
}

func (e *env) newClient() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfAttr = regexp.MustCompile(`data-csrf="([^"]+)"`)

func (c *client) do(req *http.Request) (*http.Response, string) {
	c.e.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if m := csrfAttr.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return res, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	c.e.t.Helper()
	req, _ := http.NewRequest("GET", c.e.URL+path, nil)
	return c.do(req)
}

// post sends a form with the client's CSRF token (unless the form names
// its own csrf).
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest("POST", c.e.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// postJSON is one of the page script's calls.
func (c *client) postJSON(path string, body any) (*http.Response, string) {
	c.e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.e.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	return c.do(req)
}

// signIn signs a new client in and reads its first page.
func (e *env) signIn(email, pw string) *client {
	e.t.Helper()
	c := e.newClient()
	res, body := c.post("/console/signin", url.Values{"email": {email}, "password": {pw}})
	if res.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("sign in as %s: %d %s", email, res.StatusCode, body)
	}
	res, body = c.get(res.Header.Get("Location"))
	if res.StatusCode != http.StatusOK || c.csrf == "" {
		e.t.Fatalf("first page after sign-in: %d, csrf %q\n%s", res.StatusCode, c.csrf, body)
	}
	return c
}

func wantStatus(t testing.TB, res *http.Response, body string, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, body)
	}
}

func id(n int64) string { return fmt.Sprint(n) }

// zigzag appends to a team's day visits that go back and forth across the
// city, far west, far east, near west, near east, so the day has a planned
// route worth optimising whatever the demo played out already.
func (e *env) zigzag(t testing.TB, team int64) {
	t.Helper()
	ctx := context.Background()
	custs, err := e.store.ListCustomers(ctx, e.db.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 1000}})
	must(t, err)
	var located []salesmania.Customer
	for _, c := range custs.Data {
		if c.Location != nil && c.Status {
			located = append(located, c)
		}
	}
	slices.SortFunc(located, func(a, b salesmania.Customer) int { return cmp.Compare(a.Location.Lon, b.Location.Lon) })
	for i := 0; i < 3 && i < len(located)/2; i++ {
		for _, c := range []salesmania.Customer{located[i], located[len(located)-1-i]} {
			v := salesmania.Visit{Date: e.today, TeamID: team, CustomerID: c.ID, Status: salesmania.VisitPlanned, DurationMin: 15}
			must(t, e.store.AppendVisit(ctx, e.db.ID, &v))
		}
	}
}
