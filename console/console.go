// Package console serves the manager's console: server-rendered pages in
// the same binary as the API, over the same store and the same rules —
// the day's routes on a map with their check-ins, the orders, the
// customers and products, the visit plans.
//
// A user signs in with the email and password of the API's Basic login
// (auth.Login: the same lockout) and gets a server-side session kept in the
// database (only its hash), so every server process knows it. Every page
// acts as the session's salesmania.Principal, exactly as a team token of
// the same membership would: a member sees its own team, an admin every
// team (salesmania.TeamScope). Every state-changing request must carry the
// session's CSRF token and come from the console's own origin.
//
// The pages are html/template; the few scripts and the vendored libraries
// (Leaflet, htmx, SortableJS; see static/vendor/update.sh) are embedded
// files, and the Content-Security-Policy allows no other script.
package console

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/httpapi"
)

//go:embed templates static
var files embed.FS

// DefaultTiles is the map tile URL used unless Config.Tiles says otherwise:
// OpenStreetMap's standard tiles, which ask for the attribution below.
const DefaultTiles = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"

// TilesOff as Config.Tiles draws the maps' markers and lines on a plain
// background, with no tile server: for tests and for offline use.
const TilesOff = "off"

const osmAttribution = `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`

// IdleTimeout is how long a session may go unused before it ends.
const IdleTimeout = 12 * time.Hour

// touchEvery bounds how often a session's last use is written: a page
// view within a minute of the last write writes nothing.
const touchEvery = time.Minute

// Config holds what the console needs. Store is required.
type Config struct {
	Store salesmania.Store
	// Tiles is the map tile URL template ({z}/{x}/{y}, optionally {s});
	// DefaultTiles if "", none if TilesOff.
	Tiles string
	// TilesAttribution is the HTML shown on the maps for Tiles; for
	// OpenStreetMap's own tiles it is theirs.
	TilesAttribution string
	// TrustForwardedProto makes the console take X-Forwarded-Proto: https
	// as proof that the browser came over TLS (so cookies get Secure). Set
	// it only when a TLS-terminating proxy that sets the header is the only
	// way in.
	TrustForwardedProto bool
	// Logger receives internal errors; slog.Default() if nil.
	Logger *slog.Logger
	// Now returns the current time; salesmania.Now if nil.
	Now func() time.Time
	// MaxConcurrentLogins bounds the password checks running at once (19
	// MiB each); 2 per CPU if 0.
	MaxConcurrentLogins int
}

// Console is the console's http.Handler.
type Console struct {
	store       salesmania.Store
	logger      *slog.Logger
	now         func() time.Time
	tiles       string
	attribution string
	trustProto  bool
	csp         string
	loginSlots  chan struct{}
	pages       map[string]*template.Template
	assets      map[string]asset // by path under static/
	handler     http.Handler
}

// New returns the console for cfg.
func New(cfg Config) (*Console, error) {
	if cfg.Store == nil {
		return nil, errors.New("console: Config.Store is required")
	}
	c := &Console{store: cfg.Store, logger: cfg.Logger, now: cfg.Now, tiles: cfg.Tiles, attribution: cfg.TilesAttribution,
		trustProto: cfg.TrustForwardedProto}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.now == nil {
		c.now = salesmania.Now
	}
	switch c.tiles {
	case "":
		c.tiles = DefaultTiles
	case TilesOff:
		c.tiles = ""
	}
	if c.tiles != "" && c.attribution == "" && strings.Contains(c.tiles, "openstreetmap.org") {
		c.attribution = osmAttribution
	}
	tileOrigin, err := tileOrigin(c.tiles)
	if err != nil {
		return nil, err
	}
	c.csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:" + tileOrigin +
		"; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
	n := cfg.MaxConcurrentLogins
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	c.loginSlots = make(chan struct{}, n)
	if c.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if c.pages, err = c.parsePages(); err != nil {
		return nil, err
	}
	c.handler = c.routes()
	return c, nil
}

// tileOrigin returns the origin (" scheme://host") the CSP must allow
// images from for a tile URL template; a {s} subdomain becomes a wildcard.
func tileOrigin(tiles string) (string, error) {
	if tiles == "" {
		return "", nil
	}
	u, err := url.Parse(strings.ReplaceAll(tiles, "{s}", "a"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		!strings.Contains(tiles, "{z}") || !strings.Contains(tiles, "{x}") || !strings.Contains(tiles, "{y}") {
		return "", fmt.Errorf("console: the tile URL %q must be an http(s) URL with {z}, {x} and {y}, or %q", tiles, TilesOff)
	}
	host := u.Host
	if i := strings.Index(tiles, "{s}"); i >= 0 {
		if !strings.HasPrefix(tiles[i+3:], ".") || !strings.HasSuffix(tiles[:i], "://") {
			return "", fmt.Errorf("console: in the tile URL %q, {s} may only start the host name", tiles)
		}
		host = "*" + host[1:]
	}
	return " " + u.Scheme + "://" + host, nil
}

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

// routes lists every page of the console, one line each.
func (c *Console) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", c.handleHome())
	mux.Handle("GET /console/{$}", c.handleHome())
	mux.Handle("POST /console/signin", c.handleSignIn())
	mux.Handle("POST /console/signout", c.signedIn(c.handleSignOut()))
	mux.Handle("GET /console/databases", c.signedIn(c.handleDatabases()))
	mux.Handle("POST /console/databases", c.signedIn(c.handlePickDatabase()))

	mux.Handle("GET /console/today", c.member(c.handleToday()))
	mux.Handle("POST /console/today/sequence", c.member(c.handleSequence()))
	mux.Handle("POST /console/today/optimize", c.member(c.handleOptimize()))

	mux.Handle("GET /console/orders", c.member(c.handleOrders()))
	mux.Handle("GET /console/orders/{id}", c.member(c.handleOrder()))
	mux.Handle("POST /console/orders/{id}/status", c.member(c.handleOrderStatus()))

	mux.Handle("GET /console/customers", c.member(c.handleCustomers()))
	mux.Handle("GET /console/customers/new", c.member(c.handleCustomerForm()))
	mux.Handle("POST /console/customers", c.member(c.handleCustomerSave()))
	mux.Handle("GET /console/customers/{id}", c.member(c.handleCustomerForm()))
	mux.Handle("POST /console/customers/{id}", c.member(c.handleCustomerSave()))

	mux.Handle("GET /console/products", c.member(c.handleProducts()))
	mux.Handle("GET /console/products/new", c.member(c.handleProductForm()))
	mux.Handle("POST /console/products", c.member(c.handleProductSave()))
	mux.Handle("GET /console/products/{id}", c.member(c.handleProductForm()))
	mux.Handle("POST /console/products/{id}", c.member(c.handleProductSave()))

	mux.Handle("GET /console/plans", c.member(c.handlePlans()))
	mux.Handle("POST /console/plans", c.member(c.handlePlanCreate()))
	mux.Handle("POST /console/plans/{id}/delete", c.member(c.handlePlanDelete()))
	mux.Handle("POST /console/plans/materialize", c.member(c.handleMaterialize()))

	mux.Handle("GET /console/static/{path...}", c.handleStatic())
	mux.Handle("/", c.handleNotFound())

	// Cross-origin state-changing requests are refused before anything
	// else (Sec-Fetch-Site, else Origin against Host): a forged form on
	// another site cannot even try a CSRF token.
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, salesmania.Errorf(salesmania.EFORBIDDEN, "This request came from another site; the console takes changes only from its own pages."))
	}))
	return c.headers(cop.Handler(mux))
}

// headers sets the console's security headers on every answer.
func (c *Console) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", c.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// asset is one embedded static file, with the tag of its content that
// its URL carries, so it can be cached for ever.
type asset struct {
	body        []byte
	contentType string
	tag         string
}

func loadAssets() (map[string]asset, error) {
	out := map[string]asset{}
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		var ct string
		switch path.Ext(p) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		case ".png":
			ct = "image/png"
		case ".svg":
			ct = "image/svg+xml"
		default:
			return nil // licences, the vendoring script: kept in the source, not served
		}
		sum := sha256.Sum256(body)
		out[strings.TrimPrefix(p, "static/")] = asset{body: body, contentType: ct, tag: hex.EncodeToString(sum[:6])}
		return nil
	})
	return out, err
}

// assetURL returns the URL of a static file, tagged with its content.
func (c *Console) assetURL(name string) (string, error) {
	a, ok := c.assets[name]
	if !ok {
		return "", fmt.Errorf("console: no static file %s", name)
	}
	return "/console/static/" + name + "?v=" + a.tag, nil
}

func (c *Console) handleStatic() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := c.assets[r.PathValue("path")]
		if !ok {
			c.handleNotFound().ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		if r.URL.Query().Get("v") == a.tag {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "no-cache")
		}
		h.Set("ETag", `"`+a.tag+`"`)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
	})
}

func (c *Console) handleNotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, salesmania.Errorf(salesmania.ENOTFOUND, "There is no page at %s.", r.URL.Path))
	})
}

// page is what every page template gets.
type page struct {
	Title   string // the <title> and the page's one <h1>
	Nav     string // the menu entry to mark
	Session *session
	// Databases lists the user's databases when there are several, for
	// switching.
	Databases []salesmania.UserDatabase
	DBName    string
	// Message and Errors are a failure to show; FieldErrors the bad
	// fields of a form, by field name.
	Message string
	Errors  fieldErrors
	Notice  string
	Data    any
}

// fieldErrors are a form's bad fields as the domain named them.
type fieldErrors []salesmania.FieldError

// For returns the errors of a field and of everything inside it
// ("product_units" has those of "product_units[1].price").
func (fe fieldErrors) For(field string) []salesmania.FieldError {
	var out []salesmania.FieldError
	for _, f := range fe {
		if f.Field == field || strings.HasPrefix(f.Field, field+"[") || strings.HasPrefix(f.Field, field+".") {
			out = append(out, f)
		}
	}
	return out
}

// Exactly returns the errors of exactly that field.
func (fe fieldErrors) Exactly(field string) []salesmania.FieldError {
	var out []salesmania.FieldError
	for _, f := range fe {
		if f.Field == field {
			out = append(out, f)
		}
	}
	return out
}

// parsePages parses each page template with the layout.
func (c *Console) parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset":    c.assetURL,
		"money":    formatMoney,
		"km":       formatKm,
		"tiles":    func() string { return c.tiles },
		"tilesAtt": func() template.HTML { return template.HTML(c.attribution) }, // operator's configuration, not user input
		"weekday":  weekdayName,
		"add":      func(a, b int) int { return a + b },
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(files, n)
		if err != nil {
			return nil, err
		}
		out[strings.TrimSuffix(name, ".html")] = t
	}
	return out, nil
}

// render writes a page with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := c.pages[name]
	if !ok {
		c.fail(w, r, p.Session, fmt.Errorf("console: no page template %s", name))
		return
	}
	if p.Session != nil && p.DBName == "" {
		c.fillDatabases(r.Context(), p)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout.html", p); err != nil {
		c.logger.ErrorContext(r.Context(), "console: render", "page", name, "error", err.Error())
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func (c *Console) fillDatabases(ctx context.Context, p *page) {
	dbs, err := c.store.ListUserDatabases(ctx, p.Session.UserID)
	if err != nil {
		return // the menu does without
	}
	for _, d := range dbs {
		if d.ID == p.Session.DBID {
			p.DBName = d.Name
		}
	}
	if len(dbs) > 1 {
		p.Databases = dbs
	}
}

// fail answers err as a page (or, for the console's fetch calls, as JSON)
// with the status of its kind. Internal errors are logged and shown only
// with the request id.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	if errors.Is(r.Context().Err(), context.Canceled) && errors.Is(err, context.Canceled) {
		c.logger.InfoContext(r.Context(), "console: client went away", "path", r.URL.Path)
		return
	}
	code := salesmania.ErrorCode(err)
	status := httpapi.StatusOf(code)
	msg := salesmania.ErrorMessage(err)
	if code == salesmania.EINTERNAL {
		id := w.Header().Get("X-Request-Id")
		c.logger.ErrorContext(r.Context(), "console: internal error", "request_id", id, "method", r.Method, "path", r.URL.Path, "error", err.Error())
		msg = "Something went wrong on the server."
		if id != "" {
			msg += " Error id: " + id + "."
		}
	}
	var e *salesmania.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	var fields fieldErrors
	if e != nil {
		fields = e.Fields
	}
	if wantsJSON(r) {
		writeJSON(w, status, jsonError{Message: msg, Errors: fields})
		return
	}
	c.render(w, r, status, "error", &page{Title: http.StatusText(status), Session: s, Message: msg, Errors: fields})
}

func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") || strings.Contains(r.Header.Get("Accept"), "application/json")
}

type jsonError struct {
	Message string      `json:"message"`
	Errors  fieldErrors `json:"errors,omitempty"`
}

// redirect sends the browser to target after a POST (303 See Other).
func redirect(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}
