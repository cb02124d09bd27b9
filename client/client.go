package client

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultUserAgent is the User-Agent header of a Client unless
// WithUserAgent sets another.
const DefaultUserAgent = "salesmania-go-client/1"

// DefaultTimeout is the timeout of the http.Client a Client uses unless
// WithHTTPClient gives one: a little more than the server's own 60 s write
// timeout, so a slow answer is not cut off just before it arrives.
const DefaultTimeout = 65 * time.Second

// maxResponseBytes bounds what the client reads of one answer. The largest
// legitimate answer (a page of 1000 orders of 500 lines) is far below it.
const maxResponseBytes = 256 << 20

// Client calls the SalesMania external API of one server as one user.
// Make it with New. It is safe for concurrent use.
type Client struct {
	// Customers, Products, Visits, VisitPlans, Orders, Webhooks and
	// Settings group the endpoints of each resource.
	Customers  *CustomerService
	Products   *ProductService
	Visits     *VisitService
	VisitPlans *VisitPlanService
	Orders     *OrderService
	Webhooks   *WebhookService
	Settings   *SettingsService

	base      string // scheme://host[/prefix], without a trailing slash
	hc        *http.Client
	userAgent string
	email     string
	password  string
	hasLogin  bool
	retry     RetryPolicy

	// authMu serializes the calls that change the tokens (logging in,
	// fetching a team token), so that goroutines that all see a 401 at once
	// log in once, not once each.
	authMu sync.Mutex
	// mu guards session; it is never held during a request.
	mu      sync.Mutex
	session Session
}

// Session is what a Client holds after logging in: the bearer token and the
// selected database with its team token. Save Bearer to reuse a login with
// WithBearer.
type Session struct {
	// Bearer is the bearer token; "" before the first login.
	Bearer string
	// ExpiresAt is when Bearer expires, if the client obtained it itself.
	ExpiresAt time.Time
	// DBID is the selected database; 0 while none is.
	DBID int64
	// TeamID is the user's team in that database, as the team token names.
	TeamID int64
	// TeamToken is the team token of DBID; "" until fetched.
	TeamToken string
}

// An Option configures a Client made by New.
type Option func(*Client)

// WithHTTPClient makes the Client send its requests with hc, for a proxy,
// custom TLS, a different timeout, or a test transport. Nil keeps the
// default, an http.Client with DefaultTimeout.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.hc = hc
		}
	}
}

// WithCredentials gives the user's email and password. The client then logs
// in by itself (GET /extapi/v1.0/token with HTTP Basic) when it has no bearer
// token, and again whenever its bearer token stops working (401).
func WithCredentials(email, password string) Option {
	return func(c *Client) {
		c.email, c.password, c.hasLogin = email, password, true
	}
}

// WithDatabase selects the database (db_id) whose team token the client
// fetches. Without it, the client uses the user's database if there is only
// one, and otherwise fails with ErrDatabaseNotChosen until SelectDatabase is
// called.
func WithDatabase(dbID int64) Option {
	return func(c *Client) { c.session.DBID = dbID }
}

// WithBearer makes the client use a bearer token obtained earlier (see
// Session) instead of logging in first. With WithCredentials as well, the
// client logs in again when the token no longer works; without, such calls
// fail with a 401 *Error.
func WithBearer(token string) Option {
	return func(c *Client) { c.session.Bearer = token }
}

// WithUserAgent sets the User-Agent header of every request, so the
// server's access log names the application; DefaultUserAgent if not set.
func WithUserAgent(ua string) Option {
	return func(c *Client) {
		if ua != "" {
			c.userAgent = ua
		}
	}
}

// RetryPolicy says how often and how patiently a call is repeated when the
// request fails in transit or the server answers 429 or 503 (see the package
// documentation for which answers are retried for which methods).
type RetryPolicy struct {
	// MaxAttempts is the number of tries of one call, the first included;
	// 1 turns retries off. 0 means the default, 3.
	MaxAttempts int
	// BaseDelay is the wait before the second try; each next try waits
	// twice as long, with random jitter. 0 means the default, 250 ms.
	BaseDelay time.Duration
	// MaxWait is the longest the client waits before a retry: an answer
	// whose Retry-After asks for more (a login locked for 15 minutes, say)
	// is returned at once as an *Error with RetryAfter set. 0 means the
	// default, 10 s.
	MaxWait time.Duration
}

// DefaultRetryPolicy is the RetryPolicy of a Client unless WithRetryPolicy
// sets another.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 3, BaseDelay: 250 * time.Millisecond, MaxWait: 10 * time.Second}

// WithRetryPolicy sets how calls are retried; zero fields of p take the
// values of DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *Client) {
		if p.MaxAttempts > 0 {
			c.retry.MaxAttempts = p.MaxAttempts
		}
		if p.BaseDelay > 0 {
			c.retry.BaseDelay = p.BaseDelay
		}
		if p.MaxWait > 0 {
			c.retry.MaxWait = p.MaxWait
		}
	}
}

// New returns a Client of the server at baseURL, such as
// "https://sales.example.com" (the /extapi/… paths are added to it; a path
// prefix in baseURL is kept, for a server behind a proxy). It makes no
// request: the client logs in on its first call, or when Login is called.
func New(baseURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("salesmania client: base URL %q must be an absolute http:// or https:// URL without query", baseURL)
	}
	c := &Client{
		base:      strings.TrimSuffix(u.String(), "/"),
		hc:        &http.Client{Timeout: DefaultTimeout},
		userAgent: DefaultUserAgent,
		retry:     DefaultRetryPolicy,
	}
	for _, opt := range opts {
		opt(c)
	}
	c.Customers = new(CustomerService)
	endpoint{c, customersPath}.bind(&c.Customers.resource, &c.Customers.creator, &c.Customers.deleter, &c.Customers.tombstones)
	c.Products = new(ProductService)
	endpoint{c, productsPath}.bind(&c.Products.resource, &c.Products.creator, &c.Products.deleter, &c.Products.tombstones)
	c.Orders = new(OrderService)
	endpoint{c, ordersPath}.bind(&c.Orders.resource, &c.Orders.creator)
	c.Visits = &VisitService{c: c}
	endpoint{c, visitsPath}.bind(&c.Visits.resource, &c.Visits.deleter)
	c.VisitPlans = &VisitPlanService{c: c}
	endpoint{c, plansPath}.bind(&c.VisitPlans.resource, &c.VisitPlans.creator, &c.VisitPlans.deleter)
	c.Webhooks = &WebhookService{c: c}
	c.Settings = &SettingsService{c: c}
	return c, nil
}

// Session returns the tokens and the database the client holds now.
func (c *Client) Session() Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session
}

type idempotencyKeyCtx struct{}

// ContextWithIdempotencyKey returns a copy of ctx that makes a POST made
// with it send key as its Idempotency-Key instead of a fresh random one; use
// it for one logical call only, since every POST made with it sends the key.
// An app that stores the key with a pending order before sending it can
// resend the order after a crash or restart without risk of a duplicate: the
// server answers a repeat of a key it has seen (for 24 hours) with the first
// answer. The key must be 1 to 255 visible ASCII characters.
func ContextWithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKeyCtx{}, key)
}

// NewIdempotencyKey returns a random 128-bit key in hex, the kind the client
// makes for each POST.
func NewIdempotencyKey() string {
	var b [16]byte
	crand.Read(b[:]) // never fails (crypto/rand, Go ≥ 1.24)
	return hex.EncodeToString(b[:])
}

// authLevel is what credentials a request carries.
type authLevel int

const (
	authBasic  authLevel = iota + 1 // HTTP Basic: email and password
	authBearer                      // the bearer token
	authTeam                        // the bearer token and the team token
)

// request is one logical call: what the client sends, before credentials.
type request struct {
	method string
	path   string // from the root of the API, e.g. /extapi/v1.0/customers
	query  url.Values
	body   []byte // JSON; nil for none
	auth   authLevel
	// idemKey is the Idempotency-Key of a POST, the same on every try.
	idemKey string
}

// credentials are the tokens one try of a request is sent with.
type credentials struct {
	bearer    string
	teamToken string
}

// response is an answer read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do makes the call rq with the credentials its auth level asks for and
// decodes a 200 answer into out (unless out is nil). It logs in again once on
// a 401 and fetches the team token again once on a 403 (see the package
// documentation). Every other answer but 200 is returned as an *Error.
func (c *Client) do(ctx context.Context, rq *request, out any) error {
	if rq.method == http.MethodPost && rq.idemKey == "" {
		if k, ok := ctx.Value(idempotencyKeyCtx{}).(string); ok {
			rq.idemKey = k
		} else {
			rq.idemKey = NewIdempotencyKey()
		}
	}
	relogged, refreshed := false, false
	for {
		cr, err := c.credentials(ctx, rq.auth)
		if err != nil {
			return err
		}
		resp, err := c.send(ctx, rq, cr)
		if err != nil {
			return err
		}
		switch {
		case resp.status == http.StatusUnauthorized && rq.auth >= authBearer && c.hasLogin && !relogged:
			relogged = true
			if err := c.relogin(ctx, cr.bearer); err != nil {
				return err
			}
			continue
		case resp.status == http.StatusForbidden && rq.auth == authTeam && !refreshed:
			refreshed = true
			changed, err := c.refreshTeamToken(ctx, cr.teamToken)
			if err != nil {
				return err
			}
			if changed {
				continue
			}
		}
		return resp.decode(rq, out)
	}
}

// decode turns the answer into out, or into an *Error.
func (r *response) decode(rq *request, out any) error {
	if r.status != http.StatusOK {
		return newError(rq, r)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		return fmt.Errorf("salesmania client: %s %s: decoding the answer: %w", rq.method, rq.path, err)
	}
	return nil
}

// credentials returns the tokens for a request of the given level, logging
// in and fetching the team token first if the client has none yet.
func (c *Client) credentials(ctx context.Context, level authLevel) (credentials, error) {
	if level == authBasic {
		return credentials{}, nil
	}
	cr, ready := c.current(level)
	if ready {
		return cr, nil
	}
	c.authMu.Lock()
	defer c.authMu.Unlock()
	if cr, ready = c.current(level); ready { // another goroutine did it meanwhile
		return cr, nil
	}
	if cr.bearer == "" && c.hasLogin {
		if err := c.loginLocked(ctx); err != nil {
			return credentials{}, err
		}
	}
	if level == authTeam {
		if _, err := c.selectLocked(ctx, c.Session().DBID); err != nil {
			return credentials{}, err
		}
	}
	cr, _ = c.current(level)
	return cr, nil
}

// current returns the tokens held now and whether they are all that a
// request of the level needs.
func (c *Client) current(level authLevel) (credentials, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cr := credentials{bearer: c.session.Bearer, teamToken: c.session.TeamToken}
	ready := cr.bearer != "" || !c.hasLogin // without credentials, send what there is
	if level == authTeam {
		ready = ready && cr.teamToken != ""
	}
	return cr, ready
}

// send makes the tries of one call with the given credentials: again, up to
// the retry policy's limit, when the request fails in transit or the answer
// says to retry (429, 503, or a 409 for an idempotency key still in flight).
func (c *Client) send(ctx context.Context, rq *request, cr credentials) (*response, error) {
	target := c.base + rq.path
	if len(rq.query) > 0 {
		target += "?" + rq.query.Encode()
	}
	lost := false // an earlier try got no answer: the server may have acted
	for attempt := 1; ; attempt++ {
		resp, err := c.try(ctx, rq, target, cr)
		if err != nil {
			if ctx.Err() != nil || attempt >= c.retry.MaxAttempts {
				return nil, fmt.Errorf("salesmania client: %s %s: %w", rq.method, rq.path, err)
			}
			lost = true
			if err := sleep(ctx, c.backoff(attempt)); err != nil {
				return nil, fmt.Errorf("salesmania client: %s %s: %w", rq.method, rq.path, err)
			}
			continue
		}
		if attempt < c.retry.MaxAttempts {
			if wait, ok := c.retryWait(rq, resp, attempt); ok {
				if err := sleep(ctx, wait); err != nil {
					return nil, fmt.Errorf("salesmania client: %s %s: %w", rq.method, rq.path, err)
				}
				continue
			}
		}
		if lost && rq.method == http.MethodDelete && resp.status == http.StatusNotFound {
			// The try whose answer was lost deleted the row.
			resp = &response{status: http.StatusOK, header: resp.header, body: []byte("{}")}
		}
		return resp, nil
	}
}

// try sends one HTTP request and reads its answer in full.
func (c *Client) try(ctx context.Context, rq *request, target string, cr credentials) (*response, error) {
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, target, body)
	if err != nil {
		return nil, err
	}
	h := req.Header
	h.Set("Accept", "application/json")
	h.Set("User-Agent", c.userAgent)
	if rq.body != nil {
		h.Set("Content-Type", "application/json")
	}
	if rq.idemKey != "" {
		h.Set("Idempotency-Key", rq.idemKey)
	}
	switch {
	case rq.auth == authBasic:
		req.SetBasicAuth(c.email, c.password)
	case cr.bearer != "":
		h.Set("Authorization", "Bearer "+cr.bearer)
	}
	if rq.auth == authTeam && cr.teamToken != "" {
		h.Set("X-Team-Token", cr.teamToken)
	}
	hr, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer hr.Body.Close()
	b, err := io.ReadAll(io.LimitReader(hr.Body, maxResponseBytes))
	if err != nil {
		return nil, err
	}
	return &response{status: hr.StatusCode, header: hr.Header, body: b}, nil
}

// retryWait reports whether the answer to try number attempt calls for
// another try, and after how long.
func (c *Client) retryWait(rq *request, r *response, attempt int) (time.Duration, bool) {
	switch {
	case r.status == http.StatusTooManyRequests || r.status == http.StatusServiceUnavailable:
		wait, ok := retryAfter(r.header)
		if !ok {
			wait = c.backoff(attempt)
		}
		return wait, wait <= c.retry.MaxWait
	case r.status == http.StatusConflict && rq.method == http.MethodPost && attempt > 1 &&
		r.header.Get("Idempotent-Replayed") == "":
		// An earlier try with this key may still be running on the server
		// (409 "in flight"). Had it finished, this answer would be its
		// replay; a plain conflict comes back as a replay next time.
		return c.backoff(attempt), true
	}
	return 0, false
}

// backoff is the wait after try number attempt when the server gives none:
// BaseDelay doubled for each try, between half and all of it at random.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retry.BaseDelay << min(attempt-1, 20)
	d = min(d, c.retry.MaxWait)
	return d/2 + rand.N(d/2+1)
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// encodeBody returns the JSON body of v, one of the request types of package
// salesmania. Their pointer fields say what to send, so members that encode
// as null (nil pointers) are left out, at every depth, except the top-level
// fields named in nulls, which are sent as null. The body is made once per
// call, so every try sends the same bytes (the server compares a repeated
// POST with the first byte for byte).
func encodeBody(v any, nulls map[string]bool) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("salesmania client: encoding the body: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // numbers pass through exactly, never as float64
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("salesmania client: encoding the body: %w", err)
	}
	fields, ok := dropNulls(doc).(map[string]any)
	if !ok {
		if doc != nil {
			return nil, fmt.Errorf("salesmania client: the body must encode as a JSON object, not %s", b)
		}
		fields = map[string]any{}
	}
	for k, null := range nulls {
		if null {
			fields[k] = nil
		}
	}
	return json.Marshal(fields)
}

// dropNulls removes the null members of the objects in v, at every depth.
func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if e == nil {
				delete(v, k)
			} else {
				v[k] = dropNulls(e)
			}
		}
	case []any:
		for i, e := range v {
			v[i] = dropNulls(e)
		}
	}
	return v
}
