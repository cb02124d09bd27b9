package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// isoCompany is one database of the isolation matrix with a row of every
// kind: two teams, an admin and a member (of the second team), a customer, a
// product, a visit and an order of the first team, and a webhook.
type isoCompany struct {
	company
	adminBearer, adminTT   string
	memberBearer, memberTT string
	customer               salesmania.Customer
	product                salesmania.Product
	visit                  salesmania.Visit // reached by the v1.1 routes of a visit by id
	visitV10               salesmania.Visit // by the v1.0 ones, each on a visit of its own
	plan                   salesmania.VisitPlan
	order                  salesmania.Order
	webhook                salesmania.Webhook
}

// fill replaces the placeholders of a query or body template with the
// company's ids: {db}, {team}, {customer}, {product}, {visit}, {order} and
// {webhook}.
func (c *isoCompany) fill(s string) string {
	return strings.NewReplacer(
		"{db}", itoa(c.DB.ID), "{team}", itoa(c.Teams[0].ID), "{customer}", itoa(c.customer.ID),
		"{product}", itoa(c.product.ID), "{visit}", itoa(c.visit.ID), "{visit10}", itoa(c.visitV10.ID), "{order}", itoa(c.order.ID),
		"{webhook}", itoa(c.webhook.ID), "{plan}", itoa(c.plan.ID),
	).Replace(s)
}

// id returns the company's row of a resource kind named by an isolation
// entry.
func (c *isoCompany) id(t *testing.T, kind string) int64 {
	t.Helper()
	switch kind {
	case "customer":
		return c.customer.ID
	case "product":
		return c.product.ID
	case "order":
		return c.order.ID
	case "visit":
		return c.visit.ID
	case "visit-v1.0":
		return c.visitV10.ID
	case "plan":
		return c.plan.ID
	case "webhook":
		return c.webhook.ID
	}
	t.Fatalf("isolation entry names unknown resource kind %q", kind)
	return 0
}

// isoWorld is the two databases of the matrix: A, whose admin attacks, and
// B, whose rows must stay out of reach.
type isoWorld struct {
	e    *env
	a, b *isoCompany
}

func newIsoWorld(t *testing.T, kind string) *isoWorld {
	t.Helper()
	e := newEnv(t, kind)
	w := &isoWorld{e: e, a: newIsoCompany(e, t, "a", "PT Maju Jaya"), b: newIsoCompany(e, t, "b", "CV Sumber Rejeki")}
	// B also has a deleted customer and product, whose tombstones A must
	// not see.
	ctx := context.Background()
	c := mustIsoCustomer(t, e, w.b.DB.ID, `{"name":"Toko Tutup","ext_cust_no":"C-0002"}`)
	if err := e.store.DeleteCustomer(ctx, w.b.DB.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	p := mustIsoProduct(t, e, w.b.DB.ID, `{"name":"Barang Lama","qty_on_hand":0,"product_units":[{"name":"PCS","price":1,"ratio":1}]}`)
	if err := e.store.DeleteProduct(ctx, w.b.DB.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"customer", "product", "order", "webhook", "visit", "visit-v1.0", "plan"} {
		if w.a.id(t, kind) == w.b.id(t, kind) {
			t.Fatalf("A and B share %s id %d: the matrix could not tell them apart", kind, w.a.id(t, kind))
		}
	}
	return w
}

// newIsoCompany makes one company of the matrix, its users logged in and its rows
// stored through the store. Both companies use the same ext_cust_no and
// ext_product_code, so a filter that leaks across databases shows it.
func newIsoCompany(e *env, t *testing.T, slug, name string) *isoCompany {
	t.Helper()
	ctx := context.Background()
	c := &isoCompany{company: e.mustCompany(name, "Budi", "Siti")}
	admin := e.mustUser("admin@" + slug + ".example")
	member := e.mustUser("member@" + slug + ".example")
	e.mustMember(c.DB.ID, admin.ID, c.Teams[0].ID, salesmania.RoleAdmin)
	e.mustMember(c.DB.ID, member.ID, c.Teams[1].ID, salesmania.RoleMember)
	c.adminBearer = e.login(admin.Email)
	c.adminTT = e.teamToken(c.adminBearer, c.DB.ID)
	c.memberBearer = e.login(member.Email)
	c.memberTT = e.teamToken(c.memberBearer, c.DB.ID)

	c.customer = mustIsoCustomer(t, e, c.DB.ID, `{"name":"Toko Sumber Rejeki","city":"Semarang","ext_cust_no":"C-0001","tags":["grosir"],"location":{"lat":-7.11,"lon":110.47}}`)
	c.product = mustIsoProduct(t, e, c.DB.ID, `{"name":"Indomie Goreng","sku":"IDM-G","ext_product_code":"P-0007","qty_on_hand":1200,
		"product_units":[{"name":"PCS","price":3500,"ratio":1},{"name":"DUS","price":130000,"ratio":40}]}`)

	secret := "rahasia-webhook-" + slug + "-0123456789"
	e.keepSecret(secret)
	hook, err := (&salesmania.WebhookCreate{URL: new("https://erp." + slug + ".example/orders"), Secret: &secret}).NewWebhook(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateWebhook(ctx, c.DB.ID, hook); err != nil {
		t.Fatal(err)
	}
	c.webhook = *hook

	c.visit = salesmania.Visit{Date: "2024-01-01", TeamID: c.Teams[0].ID, CustomerID: c.customer.ID, Status: salesmania.VisitStatusPlanned}
	if err := e.store.AppendVisit(ctx, c.DB.ID, &c.visit); err != nil {
		t.Fatal(err)
	}
	c.visitV10 = salesmania.Visit{Date: "2024-01-01", TeamID: c.Teams[0].ID, CustomerID: c.customer.ID, Status: salesmania.VisitStatusPlanned}
	if err := e.store.AppendVisit(ctx, c.DB.ID, &c.visitV10); err != nil {
		t.Fatal(err)
	}
	c.plan = salesmania.VisitPlan{TeamID: c.Teams[0].ID, CustomerID: c.customer.ID, Weekdays: []int{1, 4}, EveryWeeks: 1,
		StartDate: "2024-01-01", DurationMin: 15, Active: true}
	if err := e.store.CreateVisitPlan(ctx, c.DB.ID, &c.plan); err != nil {
		t.Fatal(err)
	}
	c.order = salesmania.Order{Date: "2024-01-01", CustomerID: c.customer.ID, TeamID: c.Teams[0].ID, Status: salesmania.OrderBaru,
		VisitStatus: "Order", ExtOrderNo: "SO-0001", OrderedProducts: []salesmania.OrderLine{
			{ProductID: c.product.ID, Qty: salesmania.MustDecimal("2"), Unit: "DUS", Price: salesmania.MustDecimal("130000"), ItemDiscPercent: "10+5"}}}
	if err := e.store.CreateOrder(ctx, c.DB.ID, &c.order); err != nil {
		t.Fatal(err)
	}
	return c
}

func mustIsoCustomer(t *testing.T, e *env, dbID int64, body string) salesmania.Customer {
	t.Helper()
	var f salesmania.CustomerFields
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	c, err := f.NewCustomer()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateCustomer(context.Background(), dbID, c); err != nil {
		t.Fatal(err)
	}
	return *c
}

func mustIsoProduct(t *testing.T, e *env, dbID int64, body string) salesmania.Product {
	t.Helper()
	var f salesmania.ProductFields
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	p, err := f.NewProduct()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.CreateProduct(context.Background(), dbID, p); err != nil {
		t.Fatal(err)
	}
	return *p
}

// snapshot returns every row of company c, read through the store, as
// JSON: teams, memberships of its users, customers, products, visits,
// orders with their lines, webhooks with their secrets and delivery
// attempts, and tombstones. Two equal snapshots mean nothing changed.
func (w *isoWorld) snapshot(t *testing.T, c *isoCompany) string {
	t.Helper()
	ctx := context.Background()
	st := w.e.store
	all := salesmania.ListParams{Limit: salesmania.MaxListLimit}
	snap := map[string]any{}
	add := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("snapshot of database %d: %s: %v", c.DB.ID, name, err)
		}
		snap[name] = v
	}
	teams, err := st.ListTeams(ctx, c.DB.ID)
	add("teams", teams, err)
	customers, err := st.ListCustomers(ctx, c.DB.ID, salesmania.CustomerFilter{ListParams: all})
	add("customers", customers, err)
	products, err := st.ListProducts(ctx, c.DB.ID, salesmania.ProductFilter{ListParams: all})
	add("products", products, err)
	visits, err := st.ListVisits(ctx, c.DB.ID, salesmania.VisitFilter{Teams: salesmania.AllTeams(), ListParams: all})
	add("visits", visits, err)
	orders, err := st.ListOrders(ctx, c.DB.ID, salesmania.OrderFilter{Teams: salesmania.AllTeams(), ListParams: all})
	add("orders", orders, err)
	deletedCustomers, err := st.ListDeletedCustomers(ctx, c.DB.ID, salesmania.Now().AddDate(-1, 0, 0), all)
	add("deleted customers", deletedCustomers, err)
	deletedProducts, err := st.ListDeletedProducts(ctx, c.DB.ID, salesmania.Now().AddDate(-1, 0, 0), all)
	add("deleted products", deletedProducts, err)
	plans, err := st.ListVisitPlans(ctx, c.DB.ID, salesmania.VisitPlanFilter{Teams: salesmania.AllTeams(), ListParams: all})
	add("visit plans", plans, err)
	settings, err := st.FindSettings(ctx, c.DB.ID)
	add("settings", settings, err)
	hooks, err := st.ListWebhooks(ctx, c.DB.ID)
	add("webhooks", hooks, err)
	for _, h := range hooks {
		snap["webhook "+itoa(h.ID)+" secret"] = h.Secret
		attempts, err := st.ListWebhookAttempts(ctx, c.DB.ID, h.ID, all)
		add("webhook "+itoa(h.ID)+" attempts", attempts, err)
	}
	b, err := json.Marshal(snap)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// unchanged runs f and fails the test if it changed either database.
func (w *isoWorld) unchanged(t *testing.T, what string, f func()) {
	t.Helper()
	beforeA, beforeB := w.snapshot(t, w.a), w.snapshot(t, w.b)
	f()
	if after := w.snapshot(t, w.a); after != beforeA {
		t.Errorf("%s changed database A:\nbefore %s\nafter  %s", what, beforeA, after)
	}
	if after := w.snapshot(t, w.b); after != beforeB {
		t.Errorf("%s changed database B:\nbefore %s\nafter  %s", what, beforeB, after)
	}
}

// as sends a request with a bearer token and a team token.
func (w *isoWorld) as(bearer, teamToken, method, path, body string) response {
	return w.e.do(request{method: method, path: path, bearer: bearer, teamToken: teamToken, body: body})
}

// isoPageIDs returns the ids of a 200 answer's data array.
func isoPageIDs(t *testing.T, r response) []int64 {
	t.Helper()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: status %d; want 200; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, r.body)
	}
	var page struct {
		Data []struct {
			ID int64 `json:"id"`
		} `json:"data"`
	}
	r.json(t, &page)
	ids := []int64{}
	for _, d := range page.Data {
		ids = append(ids, d.ID)
	}
	return ids
}

func isoWantIDs(t *testing.T, r response, want ...int64) {
	t.Helper()
	if want == nil {
		want = []int64{}
	}
	if got := isoPageIDs(t, r); !slices.Equal(got, want) {
		t.Errorf("%s %s?%s: ids %v; want %v", r.Request.Method, r.Request.URL.Path, isoRedactTeamToken(r.Request.URL.RawQuery), got, want)
	}
}

func isoRedactTeamToken(query string) string {
	before, _, _ := strings.Cut(query, "team_token=")
	return before
}

// isoEntry is what the matrix knows of one route.
type isoEntry struct {
	// auth is the AuthLevel the route must have: a route that loses its
	// authentication fails the matrix.
	auth httpapi.AuthLevel
	// kind names the resource of the route's {id}: customer, product,
	// order or webhook.
	kind string
	// query and body are a valid query (without "?") and body, with the
	// placeholders of isoCompany.fill.
	query, body string
	// ownStatus is what the request answers for A's own row: 200 unless
	// set (a referenced customer or product cannot be deleted: 409).
	ownStatus int
	// cross, for a route without {id} that takes ids in its query or body,
	// sends requests of A's users that name B's rows and checks the
	// answers. The matrix checks that neither database changed.
	cross func(t *testing.T, w *isoWorld)
}

// isolationTable has an entry for every route of the server, keyed by
// "METHOD PATH" as in routes.go.
func isolationTable() map[string]isoEntry {
	const (
		customerPatch = `{"name":"Diubah oleh A","status":false,"tags":["a"]}`
		productPatch  = `{"name":"Diubah oleh A","qty_on_hand":1,"product_units":[{"name":"PCS","price":1,"ratio":1}]}`
		orderPatch    = `{"status":"Batal","ext_order_status_name":"Dibatalkan oleh A","description":"A"}`
		visitPatch    = `{"notes":"Diubah oleh A","outcome":"Order","duration_min":20}`
		checkInBody   = `{"lat":-7.11,"lon":110.47,"accuracy_m":10,"device_time":"2024-01-01T09:00:00+07:00"}`
		sequenceBody  = `{"date":"2024-01-01","visit_ids":[{visit},{visit10}]}`
		visitBody     = `{"date":"2024-01-02","customer_id":{customer}}`
		orderBody     = `{"date":"2024-01-02","customer_id":{customer},"ordered_products":[{"product_id":{product},"qty":1,"unit":"PCS","price":3500}]}`
	)
	return map[string]isoEntry{
		"GET /healthz":      {auth: httpapi.AuthNone},
		"GET /metrics":      {auth: httpapi.AuthNone},
		"GET /openapi.json": {auth: httpapi.AuthNone},
		"GET /docs":         {auth: httpapi.AuthNone},

		"GET /extapi/v1.0/token":     {auth: httpapi.AuthBasic},
		"DELETE /extapi/v1.0/token":  {auth: httpapi.AuthBearer},
		"GET /extapi/v1.0/databases": {auth: httpapi.AuthBearer, cross: crossDatabases},
		"GET /extapi/v1.0/team_token": {auth: httpapi.AuthBearer, query: "db_id={db}", cross: func(t *testing.T, w *isoWorld) {
			r := w.e.do(request{method: "GET", path: "/extapi/v1.0/team_token?db_id=" + itoa(w.b.DB.ID), bearer: w.a.adminBearer})
			wantProblem(t, r, http.StatusForbidden)
		}},

		"GET /extapi/v1.0/settings":   {auth: httpapi.AuthTeam, cross: crossSettings},
		"PATCH /extapi/v1.0/settings": {auth: httpapi.AuthTeam, body: `{"geofence_radius_m":200}`, cross: crossSettings},
		"GET /extapi/v1.0/teams": {auth: httpapi.AuthTeam, cross: func(t *testing.T, w *isoWorld) {
			isoWantIDs(t, w.as(w.a.adminBearer, w.a.adminTT, "GET", "/extapi/v1.0/teams", ""), w.a.Teams[0].ID, w.a.Teams[1].ID)
		}},

		"GET /extapi/v1.0/customers": {auth: httpapi.AuthTeam, cross: func(t *testing.T, w *isoWorld) {
			for _, q := range []string{"", "?ext_cust_no=C-0001", "?q=toko", "?tag=grosir", "?include_total=true"} {
				isoWantIDs(t, w.as(w.a.adminBearer, w.a.adminTT, "GET", "/extapi/v1.0/customers"+q, ""), w.a.customer.ID)
			}
		}},
		"POST /extapi/v1.0/customers": {auth: httpapi.AuthTeam, body: `{"name":"Toko Baru","ext_cust_no":"C-0002"}`},
		"POST /extapi/v1.0/customers/batch": {auth: httpapi.AuthTeam, body: `{"items":[{"name":"Toko Baru","ext_cust_no":"C-0002"}]}`,
			cross: crossBatch("/extapi/v1.0/customers/batch", `{"name":"Toko Sumber Rejeki","city":"Semarang","ext_cust_no":"C-0001","tags":["grosir"],"location":{"lat":-7.11,"lon":110.47}}`,
				func(c *isoCompany) int64 { return c.customer.ID })},
		"GET /extapi/v1.0/customers/deleted": {auth: httpapi.AuthTeam, query: "since=2000-01-01T00:00:00Z", cross: func(t *testing.T, w *isoWorld) {
			isoWantIDs(t, w.as(w.a.adminBearer, w.a.adminTT, "GET", "/extapi/v1.0/customers/deleted?since=2000-01-01T00:00:00Z", ""))
		}},
		"GET /extapi/v1.0/customers/{id}":    {auth: httpapi.AuthTeam, kind: "customer"},
		"PATCH /extapi/v1.0/customers/{id}":  {auth: httpapi.AuthTeam, kind: "customer", body: customerPatch},
		"DELETE /extapi/v1.0/customers/{id}": {auth: httpapi.AuthTeam, kind: "customer", ownStatus: http.StatusConflict},

		"GET /extapi/v1.0/products": {auth: httpapi.AuthTeam, cross: func(t *testing.T, w *isoWorld) {
			for _, q := range []string{"", "?ext_product_code=P-0007", "?sku=IDM-G", "?q=indomie"} {
				isoWantIDs(t, w.as(w.a.adminBearer, w.a.adminTT, "GET", "/extapi/v1.0/products"+q, ""), w.a.product.ID)
			}
		}},
		"POST /extapi/v1.0/products": {auth: httpapi.AuthTeam, body: `{"name":"Barang Baru","qty_on_hand":1,"product_units":[{"name":"PCS","price":1,"ratio":1}]}`},
		"POST /extapi/v1.0/products/batch": {auth: httpapi.AuthTeam, body: `{"items":[{"name":"Barang Baru","ext_product_code":"P-0008","qty_on_hand":1,"product_units":[{"name":"PCS","price":1,"ratio":1}]}]}`,
			cross: crossBatch("/extapi/v1.0/products/batch", `{"name":"Indomie Goreng","sku":"IDM-G","ext_product_code":"P-0007","qty_on_hand":1200,"product_units":[{"name":"PCS","price":3500,"ratio":1},{"name":"DUS","price":130000,"ratio":40}]}`,
				func(c *isoCompany) int64 { return c.product.ID })},
		"GET /extapi/v1.0/products/deleted": {auth: httpapi.AuthTeam, query: "since=2000-01-01T00:00:00Z", cross: func(t *testing.T, w *isoWorld) {
			isoWantIDs(t, w.as(w.a.adminBearer, w.a.adminTT, "GET", "/extapi/v1.0/products/deleted?since=2000-01-01T00:00:00Z", ""))
		}},
		"GET /extapi/v1.0/products/{id}":    {auth: httpapi.AuthTeam, kind: "product"},
		"PATCH /extapi/v1.0/products/{id}":  {auth: httpapi.AuthTeam, kind: "product", body: productPatch},
		"DELETE /extapi/v1.0/products/{id}": {auth: httpapi.AuthTeam, kind: "product", ownStatus: http.StatusConflict},

		"GET /extapi/v1.1/visits":                 {auth: httpapi.AuthTeam, cross: crossVisitList("/extapi/v1.1/visits")},
		"POST /extapi/v1.1/visits":                {auth: httpapi.AuthTeam, body: visitBody, cross: crossVisitCreate("/extapi/v1.1/visits")},
		"GET /extapi/v1.0/visits":                 {auth: httpapi.AuthTeam, cross: crossVisitList("/extapi/v1.0/visits")},
		"POST /extapi/v1.0/visits":                {auth: httpapi.AuthTeam, body: visitBody, cross: crossVisitCreate("/extapi/v1.0/visits")},
		"POST /extapi/v1.1/visits/optimize":       {auth: httpapi.AuthTeam, body: `{"date":"2024-01-01"}`, cross: crossVisitOptimize("/extapi/v1.1/visits/optimize")},
		"PUT /extapi/v1.1/visits/sequence":        {auth: httpapi.AuthTeam, body: sequenceBody, cross: crossVisitSequence("/extapi/v1.1/visits/sequence")},
		"GET /extapi/v1.1/visits/{id}":            {auth: httpapi.AuthTeam, kind: "visit"},
		"PATCH /extapi/v1.1/visits/{id}":          {auth: httpapi.AuthTeam, kind: "visit", body: visitPatch},
		"DELETE /extapi/v1.1/visits/{id}":         {auth: httpapi.AuthTeam, kind: "visit", ownStatus: http.StatusConflict}, // done by then
		"POST /extapi/v1.1/visits/{id}/check-in":  {auth: httpapi.AuthTeam, kind: "visit", body: checkInBody},
		"POST /extapi/v1.1/visits/{id}/check-out": {auth: httpapi.AuthTeam, kind: "visit", body: `{"outcome":"Order"}`},
		"POST /extapi/v1.0/visits/optimize":       {auth: httpapi.AuthTeam, body: `{"date":"2024-01-01"}`, cross: crossVisitOptimize("/extapi/v1.0/visits/optimize")},
		"PUT /extapi/v1.0/visits/sequence":        {auth: httpapi.AuthTeam, body: sequenceBody, cross: crossVisitSequence("/extapi/v1.0/visits/sequence")},
		"GET /extapi/v1.0/visits/{id}":            {auth: httpapi.AuthTeam, kind: "visit-v1.0"},
		"PATCH /extapi/v1.0/visits/{id}":          {auth: httpapi.AuthTeam, kind: "visit-v1.0", body: visitPatch},
		"DELETE /extapi/v1.0/visits/{id}":         {auth: httpapi.AuthTeam, kind: "visit-v1.0", ownStatus: http.StatusConflict}, // done by then
		"POST /extapi/v1.0/visits/{id}/check-in":  {auth: httpapi.AuthTeam, kind: "visit-v1.0", body: checkInBody},
		"POST /extapi/v1.0/visits/{id}/check-out": {auth: httpapi.AuthTeam, kind: "visit-v1.0", body: `{"outcome":"Order"}`},

		"GET /extapi/v1.1/visit-plans": {auth: httpapi.AuthTeam, cross: crossPlanList},
		"POST /extapi/v1.1/visit-plans": {auth: httpapi.AuthTeam, body: `{"customer_id":{customer},"weekdays":[2],"start_date":"2024-01-01"}`,
			cross: crossPlanCreate},
		"POST /extapi/v1.1/visit-plans/materialize": {auth: httpapi.AuthTeam, body: `{"date_from":"2030-01-01","date_to":"2030-01-01"}`,
			cross: crossPlanMaterialize},
		"GET /extapi/v1.1/visit-plans/{id}":    {auth: httpapi.AuthTeam, kind: "plan"},
		"PATCH /extapi/v1.1/visit-plans/{id}":  {auth: httpapi.AuthTeam, kind: "plan", body: `{"weekdays":[1,3],"duration_min":25}`},
		"DELETE /extapi/v1.1/visit-plans/{id}": {auth: httpapi.AuthTeam, kind: "plan"},

		"GET /extapi/v1.0/orders":        {auth: httpapi.AuthTeam, cross: crossOrderList},
		"POST /extapi/v1.0/orders":       {auth: httpapi.AuthTeam, body: orderBody, cross: crossOrderCreate},
		"GET /extapi/v1.0/orders/{id}":   {auth: httpapi.AuthTeam, kind: "order"},
		"PATCH /extapi/v1.0/orders/{id}": {auth: httpapi.AuthTeam, kind: "order", body: orderPatch},

		"GET /extapi/v1.0/changes": {auth: httpapi.AuthTeam, cross: crossChanges},

		"GET /extapi/v1.0/webhooks": {auth: httpapi.AuthTeam, cross: func(t *testing.T, w *isoWorld) {
			isoWantIDs(t, w.as(w.a.adminBearer, w.a.adminTT, "GET", "/extapi/v1.0/webhooks", ""), w.a.webhook.ID)
		}},
		"POST /extapi/v1.0/webhooks":                {auth: httpapi.AuthTeam, body: `{"url":"https://erp.example/new","secret":"0123456789abcdef-new"}`},
		"DELETE /extapi/v1.0/webhooks/{id}":         {auth: httpapi.AuthTeam, kind: "webhook"},
		"GET /extapi/v1.0/webhooks/{id}/deliveries": {auth: httpapi.AuthTeam, kind: "webhook"},
	}
}

func crossDatabases(t *testing.T, w *isoWorld) {
	r := w.e.do(request{method: "GET", path: "/extapi/v1.0/databases", bearer: w.a.adminBearer})
	isoWantIDs(t, r, w.a.DB.ID)
}

// crossVisitList lists visits as A's admin and member with B's team and
// customer as filters: no B rows for the admin, 403 for the member naming
// another team (§9).
func crossVisitList(path string) func(t *testing.T, w *isoWorld) {
	return func(t *testing.T, w *isoWorld) {
		a, b := w.a, w.b
		isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "GET", path, ""), a.visit.ID, a.visitV10.ID)
		isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "GET", path+"?date=2024-01-01", ""), a.visit.ID, a.visitV10.ID)
		isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "GET", path+"?team_id="+itoa(b.Teams[0].ID), ""))
		isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "GET", path+"?customer_id="+itoa(b.customer.ID), ""))
		isoWantIDs(t, w.as(a.memberBearer, a.memberTT, "GET", path+"?customer_id="+itoa(b.customer.ID), ""))
		wantProblem(t, w.as(a.memberBearer, a.memberTT, "GET", path+"?team_id="+itoa(b.Teams[0].ID), ""), http.StatusForbidden)
	}
}

// crossVisitCreate appends visits as A's users naming B's customer or
// team: 422 naming the field (403 for a member naming another team).
func crossVisitCreate(path string) func(t *testing.T, w *isoWorld) {
	return func(t *testing.T, w *isoWorld) {
		a, b := w.a, w.b
		r := w.as(a.adminBearer, a.adminTT, "POST", path, `{"date":"2024-01-02","customer_id":`+itoa(b.customer.ID)+`}`)
		wantProblem(t, r, http.StatusUnprocessableEntity, "customer_id")
		r = w.as(a.adminBearer, a.adminTT, "POST", path, `{"date":"2024-01-02","customer_id":`+itoa(a.customer.ID)+`,"team_id":`+itoa(b.Teams[0].ID)+`}`)
		wantProblem(t, r, http.StatusUnprocessableEntity, "team_id")
		r = w.as(a.memberBearer, a.memberTT, "POST", path, `{"date":"2024-01-02","customer_id":`+itoa(b.customer.ID)+`}`)
		wantProblem(t, r, http.StatusUnprocessableEntity, "customer_id")
		r = w.as(a.memberBearer, a.memberTT, "POST", path, `{"date":"2024-01-02","customer_id":`+itoa(a.customer.ID)+`,"team_id":`+itoa(b.Teams[0].ID)+`}`)
		wantProblem(t, r, http.StatusForbidden)
	}
}

// crossVisitSequence reorders A's day naming B's visits or team: 422
// naming the field, 403 for a member naming another team; A's own day in
// its own order is 200 and changes nothing.
func crossVisitSequence(path string) func(t *testing.T, w *isoWorld) {
	return func(t *testing.T, w *isoWorld) {
		a, b := w.a, w.b
		seq := func(team int64, ids ...int64) string {
			body := map[string]any{"date": "2024-01-01", "visit_ids": ids}
			if team != 0 {
				body["team_id"] = team
			}
			return js(body)
		}
		wantProblem(t, w.as(a.adminBearer, a.adminTT, "PUT", path, seq(0, b.visit.ID, b.visitV10.ID)), http.StatusUnprocessableEntity, "visit_ids")
		wantProblem(t, w.as(a.adminBearer, a.adminTT, "PUT", path, seq(0, a.visit.ID, b.visit.ID)), http.StatusUnprocessableEntity, "visit_ids")
		wantProblem(t, w.as(a.adminBearer, a.adminTT, "PUT", path, seq(b.Teams[0].ID, b.visit.ID, b.visitV10.ID)), http.StatusUnprocessableEntity, "team_id")
		wantProblem(t, w.as(a.memberBearer, a.memberTT, "PUT", path, seq(b.Teams[0].ID, b.visit.ID, b.visitV10.ID)), http.StatusForbidden)
		wantProblem(t, w.as(a.memberBearer, a.memberTT, "PUT", path, seq(a.Teams[0].ID, a.visit.ID, a.visitV10.ID)), http.StatusForbidden)
		isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "PUT", path, seq(0, a.visit.ID, a.visitV10.ID)), a.visit.ID, a.visitV10.ID)
	}
}

// crossVisitOptimize optimises A's day naming B's team: 422 (403 for a
// member); A's own day, as it is, is 200 and lists A's visits only.
func crossVisitOptimize(path string) func(t *testing.T, w *isoWorld) {
	return func(t *testing.T, w *isoWorld) {
		a, b := w.a, w.b
		for _, apply := range []bool{false, true} {
			body := js(map[string]any{"date": "2024-01-01", "team_id": b.Teams[0].ID, "apply": apply})
			wantProblem(t, w.as(a.adminBearer, a.adminTT, "POST", path, body), http.StatusUnprocessableEntity, "team_id")
			wantProblem(t, w.as(a.memberBearer, a.memberTT, "POST", path, body), http.StatusForbidden)
		}
		r := w.as(a.adminBearer, a.adminTT, "POST", path, `{"date":"2024-01-01"}`)
		mustOK(t, r)
		var res salesmania.OptimizeResult
		r.json(t, &res)
		if !slices.Equal(res.VisitIDs, []int64{a.visit.ID, a.visitV10.ID}) {
			t.Errorf("A's day optimised as %v", res.VisitIDs)
		}
	}
}

// crossPlanList lists plans as A's users with B's team and customer.
func crossPlanList(t *testing.T, w *isoWorld) {
	const path = "/extapi/v1.1/visit-plans"
	a, b := w.a, w.b
	isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "GET", path, ""), a.plan.ID)
	isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "GET", path+"?team_id="+itoa(b.Teams[0].ID), ""))
	isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "GET", path+"?customer_id="+itoa(b.customer.ID), ""))
	isoWantIDs(t, w.as(a.memberBearer, a.memberTT, "GET", path, ""))
	wantProblem(t, w.as(a.memberBearer, a.memberTT, "GET", path+"?team_id="+itoa(b.Teams[0].ID), ""), http.StatusForbidden)
}

// crossPlanCreate makes plans naming B's customer or team: 422 naming the
// field, 403 for a member naming another team.
func crossPlanCreate(t *testing.T, w *isoWorld) {
	const path = "/extapi/v1.1/visit-plans"
	a, b := w.a, w.b
	body := func(customer, team int64) string {
		return js(map[string]any{"customer_id": customer, "team_id": team, "weekdays": []int{1}, "start_date": "2024-01-01"})
	}
	wantProblem(t, w.as(a.adminBearer, a.adminTT, "POST", path, body(b.customer.ID, a.Teams[0].ID)), http.StatusUnprocessableEntity, "customer_id")
	wantProblem(t, w.as(a.adminBearer, a.adminTT, "POST", path, body(a.customer.ID, b.Teams[0].ID)), http.StatusUnprocessableEntity, "team_id")
	wantProblem(t, w.as(a.memberBearer, a.memberTT, "POST", path, body(a.customer.ID, b.Teams[0].ID)), http.StatusForbidden)
}

// crossPlanMaterialize materialises as A naming B's team: nothing of B's
// plans (422 for an admin, 403 for a member).
func crossPlanMaterialize(t *testing.T, w *isoWorld) {
	const path = "/extapi/v1.1/visit-plans/materialize"
	a, b := w.a, w.b
	body := js(map[string]any{"date_from": "2030-01-07", "date_to": "2030-01-07", "team_id": b.Teams[0].ID})
	r := w.as(a.adminBearer, a.adminTT, "POST", path, body)
	mustOK(t, r)
	if strings.TrimSpace(string(r.body)) != `{"created":0,"days":[]}` {
		t.Errorf("A materialising with B's team: %s", r.body)
	}
	wantProblem(t, w.as(a.memberBearer, a.memberTT, "POST", path, body), http.StatusForbidden)
}

// crossChanges walks A's feed: only A's rows, a member's without the other
// team's; B's positions are 400 to A.
func crossChanges(t *testing.T, w *isoWorld) {
	a, b := w.a, w.b
	walk := func(bearer, teamToken string) map[string][]int64 {
		r := w.as(bearer, teamToken, "GET", "/extapi/v1.0/changes?limit=1000", "")
		mustOK(t, r)
		var page struct {
			Data []struct {
				Kind string
				ID   int64
			}
			Next string
		}
		r.json(t, &page)
		out := map[string][]int64{}
		for _, c := range page.Data {
			out[c.Kind] = append(out[c.Kind], c.ID)
		}
		return out
	}
	got := walk(a.adminBearer, a.adminTT)
	for kind, want := range map[string][]int64{"customer": {a.customer.ID}, "product": {a.product.ID}, "visit": {a.visit.ID, a.visitV10.ID},
		"visit_plan": {a.plan.ID}, "order": {a.order.ID}} {
		if g := got[kind]; !slices.Equal(g, want) {
			t.Errorf("A's admin sees %s changes %v; want %v", kind, g, want)
		}
	}
	member := walk(a.memberBearer, a.memberTT)
	if len(member["visit"])+len(member["order"])+len(member["visit_plan"]) != 0 || len(member["customer"]) != 1 {
		t.Errorf("A's member (another team) sees %v", member)
	}
	r := w.as(b.adminBearer, b.adminTT, "GET", "/extapi/v1.0/changes?limit=1", "")
	mustOK(t, r)
	var bPage struct{ Next string }
	r.json(t, &bPage)
	wantProblem(t, w.as(a.adminBearer, a.adminTT, "GET", "/extapi/v1.0/changes?after="+bPage.Next, ""), http.StatusBadRequest, "after")
}

// crossSettings reads and changes A's settings: B's never move, and a
// member of A may read but not change them.
func crossSettings(t *testing.T, w *isoWorld) {
	a := w.a
	const path = "/extapi/v1.0/settings"
	for _, body := range []string{`{"geofence_radius_m":350,"timezone":"Asia/Makassar"}`, `{"geofence_radius_m":200,"timezone":"Asia/Jakarta"}`} {
		mustOK(t, w.as(a.adminBearer, a.adminTT, "PATCH", path, body))
	}
	mustOK(t, w.as(a.memberBearer, a.memberTT, "GET", path, ""))
	wantProblem(t, w.as(a.memberBearer, a.memberTT, "PATCH", path, `{"geofence_radius_m":300}`), http.StatusForbidden)
}

func crossOrderList(t *testing.T, w *isoWorld) {
	const path = "/extapi/v1.0/orders"
	a, b := w.a, w.b
	isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "GET", path, ""), a.order.ID)
	isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "GET", path+"?ext_order_no=SO-0001", ""), a.order.ID)
	isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "GET", path+"?team_id="+itoa(b.Teams[0].ID), ""))
	isoWantIDs(t, w.as(a.adminBearer, a.adminTT, "GET", path+"?customer_id="+itoa(b.customer.ID), ""))
	isoWantIDs(t, w.as(a.memberBearer, a.memberTT, "GET", path+"?customer_id="+itoa(b.customer.ID), ""))
	wantProblem(t, w.as(a.memberBearer, a.memberTT, "GET", path+"?team_id="+itoa(b.Teams[0].ID), ""), http.StatusForbidden)
}

// crossOrderCreate creates orders as A's admin naming, one at a time, B's
// customer, team and product: 422 naming that field.
func crossOrderCreate(t *testing.T, w *isoWorld) {
	a, b := w.a, w.b
	body := func(customer, team, product int64) string {
		return `{"date":"2024-01-02","customer_id":` + itoa(customer) + `,"team_id":` + itoa(team) +
			`,"ordered_products":[{"product_id":` + itoa(product) + `,"qty":1,"unit":"PCS","price":3500}]}`
	}
	for _, tc := range []struct {
		body, field string
	}{
		{body(b.customer.ID, a.Teams[0].ID, a.product.ID), "customer_id"},
		{body(a.customer.ID, b.Teams[0].ID, a.product.ID), "team_id"},
		{body(a.customer.ID, a.Teams[0].ID, b.product.ID), "ordered_products[0].product_id"},
	} {
		wantProblem(t, w.as(a.adminBearer, a.adminTT, "POST", "/extapi/v1.0/orders", tc.body), http.StatusUnprocessableEntity, tc.field)
	}
}

// crossBatch sends, as A's admin and member, a batch whose one item holds
// exactly the values of the row both databases have under the same code:
// it matches A's row, unchanged, never B's.
func crossBatch(path, item string, row func(*isoCompany) int64) func(t *testing.T, w *isoWorld) {
	return func(t *testing.T, w *isoWorld) {
		a := w.a
		for _, tt := range [][2]string{{a.adminBearer, a.adminTT}, {a.memberBearer, a.memberTT}} {
			r := w.as(tt[0], tt[1], "POST", path, `{"items":[`+item+`]}`)
			mustOK(t, r)
			var out struct {
				Data []struct {
					ID     int64
					Result string
				}
			}
			r.json(t, &out)
			if len(out.Data) != 1 || out.Data[0].ID != row(a) || out.Data[0].Result != "unchanged" {
				t.Errorf("batch of A's own row: %s; want A's id %d unchanged (B's is %d)", r.body, row(a), row(w.b))
			}
		}
	}
}

func isoAuthName(l httpapi.AuthLevel) string {
	switch l {
	case httpapi.AuthNone:
		return "AuthNone"
	case httpapi.AuthBasic:
		return "AuthBasic"
	case httpapi.AuthBearer:
		return "AuthBearer"
	case httpapi.AuthTeam:
		return "AuthTeam"
	}
	return "AuthLevel(" + itoa(int64(l)) + ")"
}

// target is the path and query of a route's request for company c's row
// with the given id (0: c's own row of the entry's kind).
func (en isoEntry) target(t *testing.T, rt httpapi.Route, c *isoCompany, id int64) string {
	t.Helper()
	path := rt.Path
	if strings.Contains(path, "{id}") {
		if id == 0 {
			id = c.id(t, en.kind)
		}
		path = strings.ReplaceAll(path, "{id}", itoa(id))
	}
	if en.query != "" {
		path += "?" + c.fill(en.query)
	}
	return path
}

// TestTenantIsolationMatrix checks, for every route of the server, that
// the caller's database is the only one it reaches (§1.1, §2.3, §9):
//
//   - every AuthTeam route refuses a request without a bearer token (401),
//     without a team token, with a forged team token, or with the team
//     token of a database the user is not a member of (403);
//   - every AuthBearer route refuses a request without a bearer token (401);
//   - every route with {id} answers 404 for another database's id, exactly
//     as for an id that does not exist, and changes nothing;
//   - routes that take ids in the query or body do not reach another
//     database's rows through them;
//   - and the same requests with the caller's own ids do reach its rows, so
//     the 404s above are not the answer to a broken request.
//
// The table must name every route: a new route without an entry fails.
func TestTenantIsolationMatrix(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newIsoWorld(t, kind)
		e, a, b := w.e, w.a, w.b
		table := isolationTable()
		routes := e.server.Routes()

		seen := map[string]bool{}
		for _, rt := range routes {
			key := rt.Method + " " + rt.Path
			seen[key] = true
			en, ok := table[key]
			switch {
			case !ok:
				t.Errorf("new route %s has no isolation entry: add one to isolationTable in httpapi/isolation_test.go "+
					"(its AuthLevel, the resource of its {id}, a valid query and body, and a cross check for ids it takes in the query or body)", key)
			case en.auth != rt.Auth:
				t.Errorf("route %s is %s in routes.go but its isolation entry says %s; change the entry only if that is deliberate",
					key, isoAuthName(rt.Auth), isoAuthName(en.auth))
			case strings.Contains(rt.Path, "{id}") && en.kind == "":
				t.Errorf("route %s has an {id} but its isolation entry names no resource kind", key)
			}
		}
		for key := range table {
			if !seen[key] {
				t.Errorf("isolation entry %s names no route of the server; remove it", key)
			}
		}
		if t.Failed() {
			return
		}

		// Forged team tokens: B's payload under A's signature, and A's
		// payload signed with a key the server does not have.
		bPayload, _, _ := strings.Cut(b.adminTT, ".")
		_, aSignature, _ := strings.Cut(a.adminTT, ".")
		spliced := bPayload + "." + aSignature
		otherKey, err := auth.NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		otherSigner, err := auth.NewTeamTokenSigner(otherKey)
		if err != nil {
			t.Fatal(err)
		}
		foreignKey := otherSigner.Sign(auth.TeamToken{DBID: a.DB.ID, TeamID: a.Teams[0].ID})

		for _, rt := range routes {
			key := rt.Method + " " + rt.Path
			en := table[key]
			t.Run("Auth/"+key, func(t *testing.T) {
				w.unchanged(t, key+" without valid credentials", func() {
					switch rt.Auth {
					case httpapi.AuthBasic:
						r := e.do(request{method: rt.Method, path: en.target(t, rt, a, 0), skipRequest: true})
						wantProblem(t, r, http.StatusUnauthorized)
						if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
							t.Errorf("no credentials: WWW-Authenticate = %q; want Basic", got)
						}
					case httpapi.AuthBearer:
						for _, bearer := range []string{"", "not-a-token"} {
							r := e.do(request{method: rt.Method, path: en.target(t, rt, a, 0), bearer: bearer, skipRequest: true})
							wantProblem(t, r, http.StatusUnauthorized)
							if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
								t.Errorf("bearer %q: WWW-Authenticate = %q; want Bearer", bearer, got)
							}
						}
					case httpapi.AuthTeam:
						do := func(bearer, teamToken string, c *isoCompany, skip bool) response {
							return e.do(request{method: rt.Method, path: en.target(t, rt, c, 0), bearer: bearer, teamToken: teamToken,
								body: c.fill(en.body), skipRequest: skip})
						}
						r := do("", a.adminTT, a, true)
						wantProblem(t, r, http.StatusUnauthorized)
						if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
							t.Errorf("no bearer: WWW-Authenticate = %q; want Bearer", got)
						}
						wantProblem(t, do(a.adminBearer, "", a, true), http.StatusForbidden)
						// B's admin is a member of B: only the signature
						// stands between this token and B's rows.
						wantProblem(t, do(b.adminBearer, spliced, b, false), http.StatusForbidden)
						wantProblem(t, do(a.adminBearer, foreignKey, a, false), http.StatusForbidden)
						// A's admin is not a member of B.
						wantProblem(t, do(a.adminBearer, b.adminTT, b, false), http.StatusForbidden)
					}
				})
			})
		}

		for _, rt := range routes {
			key := rt.Method + " " + rt.Path
			en := table[key]
			if !strings.Contains(rt.Path, "{id}") && en.cross == nil {
				continue
			}
			t.Run("Cross/"+key, func(t *testing.T) {
				w.unchanged(t, key+" with B's ids", func() {
					if en.cross != nil {
						en.cross(t, w)
					}
					if !strings.Contains(rt.Path, "{id}") {
						return
					}
					// A row of B and a row of no database must get the
					// same answer, but for the id itself.
					bID := b.id(t, en.kind)
					r := w.as(a.adminBearer, a.adminTT, rt.Method, en.target(t, rt, a, bID), a.fill(en.body))
					got := wantProblem(t, r, http.StatusNotFound)
					const missing = 987654321987
					r = w.as(a.adminBearer, a.adminTT, rt.Method, en.target(t, rt, a, missing), a.fill(en.body))
					want := wantProblem(t, r, http.StatusNotFound)
					if strings.ReplaceAll(got.Detail, itoa(bID), "N") != strings.ReplaceAll(want.Detail, itoa(missing), "N") {
						t.Errorf("another database's id answers %q; an id of no database %q: the answer tells them apart", got.Detail, want.Detail)
					}
				})
			})
		}

		// The same requests for A's own rows reach them; deletes go last,
		// so that every other route still finds its row.
		var own []httpapi.Route
		for _, rt := range routes {
			if strings.Contains(rt.Path, "{id}") && rt.Method != "DELETE" {
				own = append(own, rt)
			}
		}
		for _, rt := range routes {
			if strings.Contains(rt.Path, "{id}") && rt.Method == "DELETE" {
				own = append(own, rt)
			}
		}
		for _, rt := range own {
			key := rt.Method + " " + rt.Path
			en := table[key]
			t.Run("Own/"+key, func(t *testing.T) {
				before := w.snapshot(t, b)
				r := w.as(a.adminBearer, a.adminTT, rt.Method, en.target(t, rt, a, 0), a.fill(en.body))
				want := en.ownStatus
				if want == 0 {
					want = http.StatusOK
				}
				if r.StatusCode != want {
					t.Errorf("A's own row: status %d; want %d; body %s", r.StatusCode, want, r.body)
				}
				if after := w.snapshot(t, b); after != before {
					t.Errorf("A's request on its own row changed database B:\nbefore %s\nafter  %s", before, after)
				}
			})
		}
	})
}
