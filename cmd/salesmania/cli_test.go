package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/client"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// The tests of the client commands run them through run, as a person would
// from a shell, against a real server (the HTTP API over a fresh SQLite or
// PostgreSQL store, on a real port) with a configuration directory of
// their own.

const (
	cliAdminEmail  = "budi@majujaya.example"
	cliMemberEmail = "sari@majujaya.example"
	cliPassword    = "Rahasia-Budi-9"
)

var cliPasswordHash = sync.OnceValue(func() string {
	h, err := auth.HashPassword(cliPassword)
	if err != nil {
		panic(err)
	}
	return h
})

// cliFixture is a server with PT Maju Jaya (teams Budi and Sari), an admin
// in team Budi and a member in team Sari, and the environment of a user of
// the CLI whose configuration lives in a temporary directory.
type cliFixture struct {
	URL    string
	store  *sqlstore.Store
	dbID   int64
	teams  [2]int64
	admin  salesmania.User
	env    map[string]string
	config string // XDG_CONFIG_HOME
}

func newCLIFixture(t testing.TB, kind string) *cliFixture {
	t.Helper()
	ctx := context.Background()
	store := sqlstoretest.MustOpen(t, kind)
	key, err := store.Secret(ctx, "team_token_key", auth.NewSecret)
	must(t, err)
	signer, err := auth.NewTeamTokenSigner(key)
	must(t, err)
	api, err := httpapi.NewServer(httpapi.Config{Store: store, TeamTokens: signer, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	must(t, err)
	ts := httptest.NewServer(api)
	t.Cleanup(ts.Close)

	f := &cliFixture{URL: ts.URL, store: store, config: t.TempDir()}
	f.env = map[string]string{"XDG_CONFIG_HOME": f.config, "HOME": t.TempDir()}
	db := salesmania.Database{Name: "PT Maju Jaya"}
	must(t, store.CreateDatabase(ctx, &db))
	f.dbID = db.ID
	for i, name := range []string{"Budi", "Sari"} {
		team := salesmania.Team{Name: name, Status: true}
		must(t, store.CreateTeam(ctx, db.ID, &team))
		f.teams[i] = team.ID
	}
	f.admin = f.mustUser(t, cliAdminEmail, f.teams[0], salesmania.RoleAdmin)
	f.mustUser(t, cliMemberEmail, f.teams[1], salesmania.RoleMember)
	return f
}

func (f *cliFixture) mustUser(t testing.TB, email string, team int64, role salesmania.Role) salesmania.User {
	t.Helper()
	ctx := context.Background()
	u := salesmania.User{Email: email, PasswordHash: cliPasswordHash()}
	must(t, f.store.CreateUser(ctx, &u))
	must(t, f.store.PutMember(ctx, &salesmania.Membership{DBID: f.dbID, UserID: u.ID, TeamID: team, Role: role}))
	return u
}

// exec runs "salesmania args…" with the fixture's environment (and the
// extra variables given as name=value strings in args before the command
// name, if any) and stdin.
func (f *cliFixture) exec(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	return f.execContext(t, context.Background(), stdin, args...)
}

func (f *cliFixture) execContext(t testing.TB, ctx context.Context, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	env := map[string]string{}
	for k, v := range f.env {
		env[k] = v
	}
	for len(args) > 0 && strings.Contains(args[0], "=") {
		k, v, _ := strings.Cut(args[0], "=")
		env[k] = v
		args = args[1:]
	}
	var stdout, stderr bytes.Buffer
	err := run(ctx, append([]string{"salesmania"}, args...), envFrom(env), strings.NewReader(stdin), &stdout, &stderr)
	return result{err: err, stdout: stdout.String(), stderr: stderr.String()}
}

// mustExec is exec that fails the test unless the command succeeds; it
// returns stdout.
func (f *cliFixture) mustExec(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	r := f.exec(t, stdin, args...)
	if r.err != nil {
		t.Fatalf("salesmania %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.err, r.stdout, r.stderr)
	}
	return r.stdout
}

// login logs the admin in, storing the default profile.
func (f *cliFixture) login(t testing.TB) {
	t.Helper()
	f.mustExec(t, cliPassword+"\n", "login", "--url", f.URL, "--email", cliAdminEmail, "--password-stdin")
}

// customers returns every customer of the database, by id.
func (f *cliFixture) customers(t *testing.T) []salesmania.Customer {
	t.Helper()
	var out []salesmania.Customer
	var after salesmania.Cursor
	for {
		page, err := f.store.ListCustomers(context.Background(), f.dbID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 1000, After: after}})
		must(t, err)
		out = append(out, page.Data...)
		if page.NextCursor == nil {
			return out
		}
		after, err = salesmania.ParseCursor(*page.NextCursor)
		must(t, err)
	}
}

// customersByExt returns the customers by ext_cust_no, failing the test if
// one number is taken twice.
func (f *cliFixture) customersByExt(t *testing.T) map[string]salesmania.Customer {
	t.Helper()
	m := map[string]salesmania.Customer{}
	for _, c := range f.customers(t) {
		if _, dup := m[c.ExtCustNo]; dup && c.ExtCustNo != "" {
			t.Fatalf("ext_cust_no %q is taken twice", c.ExtCustNo)
		}
		m[c.ExtCustNo] = c
	}
	return m
}

func (f *cliFixture) products(t *testing.T) []salesmania.Product {
	t.Helper()
	page, err := f.store.ListProducts(context.Background(), f.dbID, salesmania.ProductFilter{ListParams: salesmania.ListParams{Limit: 1000}})
	must(t, err)
	return page.Data
}

// productsByExt returns the products by ext_product_code.
func (f *cliFixture) productsByExt(t *testing.T) map[string]salesmania.Product {
	t.Helper()
	m := map[string]salesmania.Product{}
	for _, p := range f.products(t) {
		m[p.ExtProductCode] = p
	}
	return m
}

// writeFile writes a file of the test's temporary directory.
func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	must(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// jsonLines decodes stdout of a list command, one JSON object per line.
func jsonLines[T any](t *testing.T, out string) []T {
	t.Helper()
	var rows []T
	for line := range strings.Lines(out) {
		var v T
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		rows = append(rows, v)
	}
	return rows
}

func wantUsageError(t *testing.T, r result, want string) {
	t.Helper()
	if r.err == nil || exitCode(r.err) != 2 {
		t.Fatalf("err = %v (exit code %d); want a usage error (exit 2)\nstderr:\n%s", r.err, exitCode(r.err), r.stderr)
	}
	if !strings.Contains(r.err.Error(), want) {
		t.Errorf("err = %q; want it to say %q", r.err, want)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q; want nothing", r.stdout)
	}
}

// TestCLIBadFlags checks that a command line the user must fix is refused
// with exit code 2 and a message naming the problem, before any request.
func TestCLIBadFlags(t *testing.T) {
	t.Parallel()
	// No server: a usage error must come before the command connects.
	f := &cliFixture{env: map[string]string{"XDG_CONFIG_HOME": t.TempDir()}}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"customers"}, "customers needs a verb: export, get, import, list"},
		{[]string{"customers", "frob"}, `unknown command "customers frob"`},
		{[]string{"customers", "list", "--status", "maybe"}, `--status must be true or false, not "maybe"`},
		{[]string{"customers", "list", "--limit", "-1"}, "--limit must be 0 (all) or more"},
		{[]string{"customers", "list", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"customers", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"customers", "get"}, "missing ID"},
		{[]string{"customers", "get", "abc"}, `the customer ID must be a positive id, not "abc"`},
		{[]string{"customers", "get", "1", "2"}, `unexpected argument "2"`},
		{[]string{"products", "get", "-5"}, "flag provided but not defined: -5"},
		{[]string{"customers", "import"}, "missing FILE"},
		{[]string{"customers", "import", "customers.txt"}, "give --format csv or --format jsonl"},
		{[]string{"customers", "import", "customers.csv", "--format", "xml"}, `--format must be csv or jsonl, not "xml"`},
		{[]string{"customers", "import", "--workers", "0", "customers.csv"}, "--workers must be 1 to 64, not 0"},
		{[]string{"customers", "import", "--resume", "--format", "csv", "-"}, "--resume of standard input needs the --state file"},
		{[]string{"products", "export", "--format", "xlsx"}, `--format must be csv or jsonl, not "xlsx"`},
		{[]string{"visits", "list", "--from", "2026-01-01"}, "--from and --to go together"},
		{[]string{"visits", "list", "--date", "2026-01-01", "--from", "2026-01-01", "--to", "2026-01-02"}, "give --date, or --from and --to, not both"},
		{[]string{"visits", "list", "--date", "1/2/2026"}, `--date must be a date as YYYY-MM-DD, not "1/2/2026"`},
		{[]string{"visits", "add", "--date", "2026-01-01"}, "missing required flag --customer-id"},
		{[]string{"orders", "list", "--status", "Open"}, `--status must be Baru, Diproses, Terkirim, Lunas or Batal, not "Open"`},
		{[]string{"orders", "list", "--to", "2026-13-01"}, `--to must be a date as YYYY-MM-DD, not "2026-13-01"`},
		{[]string{"orders", "get", "0"}, `the order ID must be a positive id, not "0"`},
		{[]string{"login", "--url", "http://127.0.0.1:1"}, "missing required flag --email"},
		{[]string{"login", "--url", "ftp://x", "--email", "a@b.c"}, `--url "ftp://x" must be an http:// or https:// URL`},
		{[]string{"login", "--url", "http://127.0.0.1:1", "--email", "a@b.c"}, "no terminal to ask the password on; give it on standard input with --password-stdin"},
		{[]string{"login", "--url", "http://127.0.0.1:1", "--email", "a@b.c", "--password-stdin", "--db-id", "-3"}, "--db-id must be a positive id"},
	} {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			wantUsageError(t, f.exec(t, "", tc.args...), tc.want)
		})
	}
	t.Run("OKHelp", func(t *testing.T) {
		r := f.exec(t, "", "customers", "import", "-h")
		if r.err != nil {
			t.Fatalf("err = %v; want nil", r.err)
		}
		for _, want := range []string{"location.lat, location.lon", "--skip-bad", "Rows without ext_cust_no are always created", "--resume"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("customers import -h does not say %q:\n%s", want, r.stderr)
			}
		}
		r = f.exec(t, "", "orders", "help")
		if r.err != nil || !strings.Contains(r.stdout, "salesmania orders get ID") || !strings.Contains(r.stdout, "salesmania orders list [--status") {
			t.Errorf("orders help: err %v, stdout:\n%s", r.err, r.stdout)
		}
	})
}

// TestCLIVisitsAndOrders adds visits and lists them, and reads orders made
// through the Go client.
func TestCLIVisitsAndOrders(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		f := newCLIFixture(t, kind)
		f.login(t)
		ctx := context.Background()
		shop := salesmania.Customer{Name: "Toko Sumber Rejeki", City: "Semarang", ExtCustNo: "C-0001", Status: true, Tags: []string{}}
		must(t, f.store.CreateCustomer(ctx, f.dbID, &shop))
		const date = "2026-03-02"

		var visits []salesmania.Visit
		for _, args := range [][]string{
			{"visits", "add", "--customer-id", itoa(shop.ID), "--date", date},
			{"visits", "add", "--customer-id", itoa(shop.ID), "--date", date, "--team-id", itoa(f.teams[1])},
			{"visits", "add", "--customer-id", itoa(shop.ID), "--date", date},
		} {
			out := f.mustExec(t, "", args...)
			visits = append(visits, jsonLines[salesmania.Visit](t, out)...)
		}
		type stop struct {
			Team, Seq int64
			Customer  string
		}
		for i, want := range []stop{{f.teams[0], 1, shop.Name}, {f.teams[1], 1, shop.Name}, {f.teams[0], 2, shop.Name}} {
			v := visits[i]
			if (stop{v.TeamID, v.Seq, v.Customer.Name}) != want || v.Date != date || v.Status != "planned" {
				t.Errorf("visit %d = %+v; want %+v on %s", i, v, want, date)
			}
		}
		listed := jsonLines[salesmania.Visit](t, f.mustExec(t, "", "visits", "list", "--date", date))
		if len(listed) != 3 || listed[0].ID != visits[0].ID || listed[1].ID != visits[2].ID || listed[2].ID != visits[1].ID {
			t.Errorf("visits list = %+v; want the 3 visits by team and seq", listed)
		}
		listed = jsonLines[salesmania.Visit](t, f.mustExec(t, "", "visits", "list", "--from", "2026-03-01", "--to", "2026-03-31", "--team-id", itoa(f.teams[1])))
		if len(listed) != 1 || listed[0].ID != visits[1].ID {
			t.Errorf("visits list of team Sari = %+v; want visit %d", listed, visits[1].ID)
		}
		if out := f.mustExec(t, "", "visits", "list", "--date", "2026-03-03"); out != "" {
			t.Errorf("visits list of an empty day = %q; want nothing", out)
		}
		r := f.exec(t, "", "visits", "add", "--customer-id", "999999", "--date", date)
		if r.err == nil || !strings.Contains(r.err.Error(), "customer_id") {
			t.Errorf("visits add of an unknown customer: err = %v; want the server's complaint about customer_id", r.err)
		}

		// Orders come from phones; the CLI reads them.
		p := salesmania.Product{Name: "Indomie Goreng", ExtProductCode: "P-0007", Status: true, Tags: []string{},
			QtyOnHand: salesmania.DecimalFromInt(100), ProductUnits: []salesmania.ProductUnit{
				{Name: "PCS", Price: salesmania.DecimalFromInt(3500), Ratio: 1}, {Name: "DUS", Price: salesmania.DecimalFromInt(130000), Ratio: 40}}}
		must(t, f.store.CreateProduct(ctx, f.dbID, &p))
		cl, err := client.New(f.URL, client.WithCredentials(cliAdminEmail, cliPassword))
		must(t, err)
		newOrder := func(no string) *salesmania.Order {
			qty, price := salesmania.DecimalFromInt(2), salesmania.DecimalFromInt(130000)
			unit, disc, orderDisc := "DUS", "10+5", "2"
			o, err := cl.Orders.Create(ctx, &salesmania.OrderFields{Date: new(date), CustomerID: &shop.ID, ExtOrderNo: &no, DiscPercent: &orderDisc,
				OrderedProducts: &[]salesmania.OrderLineInput{{ProductID: &p.ID, Qty: &qty, Unit: &unit, Price: &price, ItemDiscPercent: &disc}}})
			must(t, err)
			return o
		}
		first, second := newOrder("SO-1"), newOrder("SO-2")
		if _, err := cl.Orders.Update(ctx, second.ID, &salesmania.OrderFields{Status: new(salesmania.OrderDiproses)}); err != nil {
			t.Fatal(err)
		}
		orders := jsonLines[salesmania.Order](t, f.mustExec(t, "", "orders", "list", "--status", "Baru"))
		if len(orders) != 1 || orders[0].ID != first.ID || orders[0].Total.String() != "217854" {
			t.Errorf("orders list --status Baru = %+v; want order %d with total 217854", orders, first.ID)
		}
		orders = jsonLines[salesmania.Order](t, f.mustExec(t, "", "orders", "list", "--from", date, "--to", date))
		if len(orders) != 2 {
			t.Errorf("orders list of %s has %d orders; want 2", date, len(orders))
		}
		got := jsonLines[salesmania.Order](t, f.mustExec(t, "", "orders", "get", itoa(second.ID)))
		if len(got) != 1 || got[0].ExtOrderNo != "SO-2" || got[0].Status != "Diproses" || len(got[0].OrderedProducts) != 1 ||
			got[0].OrderedProducts[0].Net.String() != "222300" || got[0].Discount.String() != "4446" {
			t.Errorf("orders get %d = %+v", second.ID, got)
		}
		r = f.exec(t, "", "orders", "get", "999999")
		if r.err == nil || exitCode(r.err) != 1 || !strings.Contains(r.err.Error(), "not found") || r.stdout != "" {
			t.Errorf("orders get of an unknown id: err = %v, stdout %q; want a not-found error", r.err, r.stdout)
		}
	})
}

// TestTable checks the terminal output: aligned columns and cells cut to
// one short line.
func TestTable(t *testing.T) {
	var b bytes.Buffer
	tb := newTable(&b, "ID", "NAME", "CITY")
	tb.row("1", "Toko Sumber Rejeki", "Semarang")
	tb.row("1234", "UD\tMaju\nJaya", "")
	tb.row("7", strings.Repeat("x", 50), "Kudus")
	must(t, tb.flush())
	want := "ID    NAME                                      CITY\n" +
		"1     Toko Sumber Rejeki                        Semarang\n" +
		"1234  UD Maju Jaya                              \n" +
		"7     " + strings.Repeat("x", 39) + "…  Kudus\n"
	if b.String() != want {
		t.Errorf("table =\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	must(t, printRecord(&b, [][2]string{{"id", "7"}, {"ext_cust_no", "C-0001"}}))
	if want := "id:           7\next_cust_no:  C-0001\n"; b.String() != want {
		t.Errorf("record = %q; want %q", b.String(), want)
	}
}
