package httpapi

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// FuzzVisitBody decodes arbitrary POST /visits bodies as the server does
// and builds the visit for an admin and a member: only bad input (or, for
// the member naming another team, EFORBIDDEN) is refused, and every visit
// accepted has a valid date, a positive customer and the right team (§5).
func FuzzVisitBody(f *testing.F) {
	for _, s := range []string{
		`{"date":"2024-01-01","customer_id":101,"team_id":24728}`, `{"date":"2024-01-01","customer_id":101,"team_id":0}`,
		`{"date":" 2024-02-29 ","customer_id":1,"team_id":null}`, `{"date":"2023-02-29","customer_id":1}`,
		`{"date":"1899-12-31","customer_id":1}`, `{"date":"2024-01-01","customer_id":1,"team_id":555}`,
		`{"date":"2024-1-1","customer_id":-1,"team_id":-2}`, `{"date":null,"customer_id":null}`, `{"customer_id":1.5}`,
		`{"customer_id":"1"}`, `{"customer_id":9223372036854775808}`, `{"date":"2024-01-01","customer_id":1,"seq":1}`, `{}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in salesmania.VisitCreate
		err := decodeJSON(body, &in)
		if !badInput(err) {
			t.Fatalf("decode: %v", err)
		}
		if err != nil {
			return
		}
		for _, p := range []salesmania.Principal{fuzzOrderAdmin, fuzzOrderMember} {
			v, err := in.NewVisit(p)
			if code := salesmania.ErrorCode(err); !badInput(err) && !(code == salesmania.EFORBIDDEN && p.Role == salesmania.RoleMember) {
				t.Fatalf("NewVisit as %s: %v", p.Role, err)
			}
			if err != nil {
				if v != nil {
					t.Fatalf("NewVisit as %s: a visit with error %v", p.Role, err)
				}
				continue
			}
			if d, ok := salesmania.ParseDate(v.Date); !ok || d != v.Date {
				t.Fatalf("accepted date %q", v.Date)
			}
			if v.CustomerID <= 0 || in.CustomerID == nil || v.CustomerID != *in.CustomerID {
				t.Fatalf("accepted customer_id %d from %s", v.CustomerID, body)
			}
			wantTeam := p.TeamID
			if in.TeamID != nil && *in.TeamID != 0 {
				wantTeam = *in.TeamID
			}
			if v.TeamID <= 0 || v.TeamID != wantTeam {
				t.Fatalf("accepted team_id %d from %s as %s; want %d", v.TeamID, body, p.Role, wantTeam)
			}
			if p.Role == salesmania.RoleMember && v.TeamID != p.TeamID {
				t.Fatalf("member's visit for team %d", v.TeamID)
			}
			if v.Status != salesmania.VisitStatusPlanned || v.ID != 0 || v.Seq != 0 {
				t.Fatalf("new visit %+v: want status planned, no id and no seq", v)
			}
		}
	})
}

// FuzzWebhookBody decodes arbitrary POST /webhooks bodies: every webhook
// accepted has an absolute http(s) URL with a host and no credentials, a
// secret of 16 to 256 characters, and a non-empty set of known events
// (§6.3, §9).
func FuzzWebhookBody(f *testing.F) {
	for _, s := range []string{
		`{"url":"https://erp.example/orders","secret":"0123456789abcdef"}`,
		`{"url":" http://10.0.0.1:8080/hook?x=1 ","secret":"0123456789abcdef","events":["order.created","order.created"]}`,
		`{"url":"ftp://erp.example/","secret":"short","events":[]}`, `{"url":"https://user:pw@erp.example/","secret":"0123456789abcdef"}`,
		`{"url":"/relative","secret":"0123456789abcdef","events":["order.deleted"]}`, `{"url":"https://[::1]/","secret":"ééééééééééééééééé"}`,
		`{"url":"http://:8080/hook","secret":"0123456789abcdef"}`, `{"url":null,"secret":null,"events":null}`, `{"events":[1]}`, `{"url":"https://erp.example/","secret":"0123456789abcdef","x":1}`,
		`{"url":"http://[::ffff:7f00:1]:5432/","secret":"0123456789abcdef"}`, `{"url":"http://[fe80::1%25en0]/","secret":"0123456789abcdef"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in salesmania.WebhookCreate
		err := decodeJSON(body, &in)
		if !badInput(err) {
			t.Fatalf("decode: %v", err)
		}
		if err != nil {
			return
		}
		w, err := in.NewWebhook(false)
		if !badInput(err) {
			t.Fatalf("NewWebhook: %v", err)
		}
		if err != nil {
			return
		}
		u, err := url.Parse(w.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || len(w.URL) > 2000 || w.URL != salesmania.CleanString(w.URL) {
			t.Fatalf("accepted url %q", w.URL)
		}
		if a, err := netip.ParseAddr(u.Hostname()); err == nil && salesmania.SpecialAddress(a) != "" {
			t.Fatalf("accepted url %q, whose host is a %s address", w.URL, salesmania.SpecialAddress(a))
		}
		if u.Hostname() == "" {
			t.Fatalf("accepted url %q, whose host has a port but no name", w.URL)
		}
		if n := utf8.RuneCountInString(w.Secret); !utf8.ValidString(w.Secret) || strings.ContainsRune(w.Secret, 0) ||
			n < salesmania.MinWebhookSecret || n > salesmania.MaxWebhookSecret {
			t.Fatalf("accepted secret %q", w.Secret)
		}
		if len(w.Events) == 0 {
			t.Fatalf("accepted no events from %s", body)
		}
		for i, e := range w.Events {
			if !slices.Contains(salesmania.Events, e) || slices.Contains(w.Events[:i], e) {
				t.Fatalf("accepted events %q", w.Events)
			}
		}
		if in.Events == nil && !slices.Equal(w.Events, salesmania.Events) {
			t.Fatalf("default events %q; want %q", w.Events, salesmania.Events)
		}
	})
}

// fuzzPassword is the password of fuzzServer's user.
const fuzzPassword = "rahasia-123"

// fuzzServer is a Server over a fresh SQLite database with one database,
// one team, an admin with a bearer token and a team token, and a row of
// each kind that has a path id.
type fuzzServer struct {
	*Server
	signer                            *auth.TeamTokenSigner
	email, bearer, teamToken          string
	dbID, teamID                      int64
	customer, product, order, webhook int64
	remote                            atomic.Int64
}

func newFuzzServer(tb testing.TB) *fuzzServer {
	tb.Helper()
	ctx := context.Background()
	st := sqlstoretest.MustOpen(tb, "sqlite")
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	key, err := st.Secret(ctx, "team_token_key", auth.NewSecret)
	must(err)
	fs := &fuzzServer{email: "admin@majujaya.example"}
	fs.signer, err = auth.NewTeamTokenSigner(key)
	must(err)
	fs.Server, err = NewServer(Config{Store: st, TeamTokens: fs.signer, Logger: slog.New(slog.DiscardHandler)})
	must(err)

	db := salesmania.Database{Name: "PT Maju Jaya"}
	must(st.CreateDatabase(ctx, &db))
	team := salesmania.Team{Name: "Budi", Status: true}
	must(st.CreateTeam(ctx, db.ID, &team))
	hash, err := auth.HashPassword(fuzzPassword)
	must(err)
	u := salesmania.User{Email: fs.email, PasswordHash: hash}
	must(st.CreateUser(ctx, &u))
	must(st.PutMember(ctx, &salesmania.Membership{DBID: db.ID, UserID: u.ID, TeamID: team.ID, Role: salesmania.RoleAdmin}))
	token, tokenHash, err := auth.NewBearerToken()
	must(err)
	must(st.CreateToken(ctx, u.ID, tokenHash, salesmania.Now().Add(time.Hour)))
	fs.dbID, fs.teamID, fs.bearer = db.ID, team.ID, token
	fs.teamToken = fs.signer.Sign(auth.TeamToken{DBID: db.ID, TeamID: team.ID})

	c, err := (&salesmania.CustomerFields{Name: new("Toko")}).NewCustomer()
	must(err)
	must(st.CreateCustomer(ctx, db.ID, c))
	qty, price := salesmania.MustDecimal("1"), salesmania.MustDecimal("3500")
	p, err := (&salesmania.ProductFields{Name: new("Indomie"), QtyOnHand: &qty,
		ProductUnits: &[]salesmania.ProductUnitInput{{Name: new("PCS"), Price: &price, Ratio: &qty}}}).NewProduct()
	must(err)
	must(st.CreateProduct(ctx, db.ID, p))
	o := salesmania.Order{Date: "2024-01-01", CustomerID: c.ID, TeamID: team.ID, Status: salesmania.OrderBaru,
		OrderedProducts: []salesmania.OrderLine{{ProductID: p.ID, Qty: qty, Unit: "PCS", Price: price}}}
	must(st.CreateOrder(ctx, db.ID, &o))
	h, err := (&salesmania.WebhookCreate{URL: new("https://erp.example/orders"), Secret: new("0123456789abcdef")}).NewWebhook(false)
	must(err)
	must(st.CreateWebhook(ctx, db.ID, h))
	fs.customer, fs.product, fs.order, fs.webhook = c.ID, p.ID, o.ID, h.ID
	return fs
}

// serve sends one request through the whole server, from a new client
// address each time, so that the login throttle of one address does not
// answer every later request of the fuzz run.
func (fs *fuzzServer) serve(r *http.Request) *httptest.ResponseRecorder {
	n := fs.remote.Add(1)
	r.RemoteAddr = "10." + strconv.FormatInt(n>>16&255, 10) + "." + strconv.FormatInt(n>>8&255, 10) + "." + strconv.FormatInt(n&255, 10) + ":40000"
	w := httptest.NewRecorder()
	fs.ServeHTTP(w, r)
	return w
}

// fuzzCheckRefusal fails the test unless w is a problem+json answer with one of
// the statuses, and a 401 says how to authenticate.
func fuzzCheckRefusal(t *testing.T, what string, w *httptest.ResponseRecorder, statuses ...int) {
	t.Helper()
	if !slices.Contains(statuses, w.Code) {
		t.Fatalf("%s: status %d; want one of %v; body %s", what, w.Code, statuses, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s: status %d with Content-Type %q", what, w.Code, ct)
	}
	if w.Code == http.StatusUnauthorized && w.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("%s: 401 without WWW-Authenticate", what)
	}
}

// FuzzBearerHeader sends arbitrary Authorization headers and team tokens
// (as the team_token parameter, the X-Team-Token header, or both) to an
// AuthTeam route, an AuthBearer route and the Basic login, through the
// real server on a real database. Every answer is a refusal with 400, 401,
// 403 or 429, or a 200 to the right credentials; never a 500.
func FuzzBearerHeader(f *testing.F) {
	fs := newFuzzServer(f)
	basicOK := "Basic " + base64.StdEncoding.EncodeToString([]byte(fs.email+":"+fuzzPassword))
	for _, s := range []struct {
		authz, teamToken string
		where            uint8
	}{
		{"Bearer " + fs.bearer, fs.teamToken, 0}, {"bearer  " + fs.bearer + " ", fs.teamToken, 1}, {"Bearer " + fs.bearer, fs.teamToken, 2},
		{"Bearer " + fs.bearer, fs.teamToken, 3}, {"Bearer " + fs.bearer[:10], "eyJkYl9pZCI6MSwidGVhbV9pZCI6MX0.AAAA", 0},
		{basicOK, "", 0}, {"Basic " + base64.StdEncoding.EncodeToString([]byte("ADMIN@majujaya.example :"+fuzzPassword)), "", 0},
		{"Basic " + base64.StdEncoding.EncodeToString([]byte("nobody@example.com:x")), "x.y", 1}, {"Basic !!!", ".", 0},
		{"Bearer", "", 0}, {"", "", 0}, {"Token abc", "eyJkYl9pZCI6MCwidGVhbV9pZCI6MH0", 2}, {"Bearer \x00\xff", "\x00", 1},
	} {
		f.Add(s.authz, s.teamToken, s.where)
	}
	// The seeds with the right credentials must get in, or the target
	// proves nothing.
	for _, r := range []*http.Request{fuzzRequest("/extapi/v1.0/teams", "Bearer "+fs.bearer, fs.teamToken, 0), fuzzRequest("/extapi/v1.0/token", basicOK, "", 0)} {
		if w := fs.serve(r); w.Code != http.StatusOK {
			f.Fatalf("%s with the right credentials: %d %s", r.URL.Path, w.Code, w.Body)
		}
	}
	f.Fuzz(func(t *testing.T, authz, teamToken string, where uint8) {
		bearerOK := func() bool {
			scheme, token, ok := strings.Cut(authz, " ")
			return ok && strings.EqualFold(scheme, "Bearer") && strings.TrimSpace(token) == fs.bearer
		}
		teamTokenOK := func() bool {
			tt, err := fs.signer.Verify(teamToken)
			return err == nil && tt.DBID == fs.dbID && tt.TeamID == fs.teamID
		}

		w := fs.serve(fuzzRequest("/extapi/v1.0/teams", authz, teamToken, where))
		if w.Code == http.StatusOK {
			if !bearerOK() || !teamTokenOK() {
				t.Fatalf("GET /teams let in Authorization %q with team token %q", authz, teamToken)
			}
		} else {
			fuzzCheckRefusal(t, "GET /teams", w, 400, 401, 403, 429)
		}

		w = fs.serve(fuzzRequest("/extapi/v1.0/databases", authz, "", 0))
		if w.Code == http.StatusOK {
			if !bearerOK() {
				t.Fatalf("GET /databases let in Authorization %q", authz)
			}
		} else {
			fuzzCheckRefusal(t, "GET /databases", w, 401, 429)
		}

		r := fuzzRequest("/extapi/v1.0/token", authz, "", 0)
		w = fs.serve(r)
		if w.Code == http.StatusOK {
			email, password, ok := r.BasicAuth()
			if !ok || salesmania.NormalizeEmail(email) != fs.email || password != fuzzPassword {
				t.Fatalf("GET /token gave a token to Authorization %q", authz)
			}
		} else {
			fuzzCheckRefusal(t, "GET /token", w, 401, 429)
		}
	})
}

// fuzzRequest is a GET of path with an Authorization header, if not empty,
// and the team token as a parameter (where%4 == 0), a header (1), both (2),
// or the parameter and the header with something else (3).
func fuzzRequest(path, authz, teamToken string, where uint8) *http.Request {
	r := httptest.NewRequest("GET", path, nil)
	if authz != "" {
		r.Header["Authorization"] = []string{authz}
	}
	if teamToken == "" {
		return r
	}
	switch where % 4 {
	case 0:
		r.URL.RawQuery = url.Values{"team_token": {teamToken}}.Encode()
	case 1:
		r.Header["X-Team-Token"] = []string{teamToken}
	case 2:
		r.URL.RawQuery = url.Values{"team_token": {teamToken}}.Encode()
		r.Header["X-Team-Token"] = []string{teamToken}
	case 3:
		r.URL.RawQuery = url.Values{"team_token": {teamToken}}.Encode()
		r.Header["X-Team-Token"] = []string{teamToken + "x"}
	}
	return r
}

// FuzzIdempotencyKey checks the Idempotency-Key rule of §1.2 and §9: 1 to
// 255 printable ASCII characters.
func FuzzIdempotencyKey(f *testing.F) {
	for _, s := range []string{"3f0c2a1e-order-1", "a", "", " ", strings.Repeat("k", 255), strings.Repeat("k", 256), "tab\there", "é", "~!@#$%^&*()"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		if !validIdempotencyKey(key) {
			return
		}
		if len(key) < 1 || len(key) > salesmania.MaxIdempotencyKey {
			t.Fatalf("accepted a key of %d bytes", len(key))
		}
		for i := 0; i < len(key); i++ {
			if key[i] < 0x20 || key[i] > 0x7e {
				t.Fatalf("accepted key %q with byte %#x", key, key[i])
			}
		}
	})
}

// FuzzPathID requests every route with a path id with arbitrary {id}
// values through the real server: 404 for anything that is not the id of a
// row, the row for its id, never a 500 (§1: a path id that is not a
// positive integer is simply not found). pathID itself agrees.
func FuzzPathID(f *testing.F) {
	fs := newFuzzServer(f)
	for _, s := range []string{strconv.FormatInt(fs.customer, 10), "0", "-1", "1.5", "1e3", "abc", "9223372036854775808", "+1", "007", " 1",
		"%", "a/b", "", ".", "..", "\x00", "é", "1 OR 1=1", strings.Repeat("9", 300)} {
		f.Add(s)
	}
	routes := []struct {
		prefix, suffix string
		id             *int64
	}{
		{"/extapi/v1.0/customers/", "", &fs.customer}, {"/extapi/v1.0/products/", "", &fs.product},
		{"/extapi/v1.0/orders/", "", &fs.order}, {"/extapi/v1.0/webhooks/", "/deliveries", &fs.webhook},
	}
	f.Fuzz(func(t *testing.T, id string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetPathValue("id", id)
		n, err := pathID(r, "Customer")
		if code := salesmania.ErrorCode(err); code != "" && code != salesmania.ENOTFOUND {
			t.Fatalf("pathID(%q): %v", id, err)
		}
		if err == nil {
			if m, perr := strconv.ParseInt(id, 10, 64); n <= 0 || perr != nil || m != n {
				t.Fatalf("pathID(%q) = %d", id, n)
			}
		}
		for _, rt := range routes {
			path := rt.prefix + id + rt.suffix
			r := httptest.NewRequest("GET", "/", nil)
			r.URL = &url.URL{Path: path, RawPath: rt.prefix + url.PathEscape(id) + rt.suffix}
			r.RequestURI = r.URL.RequestURI()
			r.Header.Set("Authorization", "Bearer "+fs.bearer)
			r.Header.Set("X-Team-Token", fs.teamToken)
			w := fs.serve(r)
			switch {
			case w.Code == http.StatusOK:
				if m, err := strconv.ParseInt(id, 10, 64); err != nil || m != *rt.id {
					t.Fatalf("GET %s: 200 for id %q", r.URL.EscapedPath(), id)
				}
			case (w.Code == http.StatusMovedPermanently || w.Code == http.StatusTemporaryRedirect) && (id == "." || id == ".." || id == "" && rt.suffix != ""):
				// ServeMux redirects a path with dot segments or an empty
				// segment to its clean form before any route sees it.
			default:
				fuzzCheckRefusal(t, "GET "+r.URL.EscapedPath(), w, http.StatusNotFound)
			}
		}
	})
}
