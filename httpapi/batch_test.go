package httpapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

const (
	customersBatch = "/extapi/v1.0/customers/batch"
	productsBatch  = "/extapi/v1.0/products/batch"
)

// batchResult is one result of a batch answer, for either kind.
type batchResult struct {
	ID             int64  `json:"id"`
	ExtCustNo      string `json:"ext_cust_no"`
	ExtProductCode string `json:"ext_product_code"`
	Result         string `json:"result"`
}

func mustBatch(t *testing.T, tn tenant, path, body string) []batchResult {
	t.Helper()
	r := tn.call("POST", path, body)
	mustOK(t, r)
	var out struct{ Data []batchResult }
	r.json(t, &out)
	return out.Data
}

// customerBatchItem is a full create body with code no.
func customerBatchItem(no string, i int) string {
	return fmt.Sprintf(`{"name":"Toko %d","address":"Jl. Pemuda %d","city":"Semarang","phone":"0812-555-%04d","ext_cust_no":%q,`+
		`"location":{"lat":-7.%06d,"lon":110.473812},"tags":["grosir","semarang"]}`, i, i, i, no, i)
}

func customerBatchBody(n int, prefix string) string {
	items := make([]string, n)
	for i := range items {
		items[i] = customerBatchItem(fmt.Sprintf("%s-%04d", prefix, i), i)
	}
	return `{"items":[` + strings.Join(items, ",") + `]}`
}

// dbState is what a refused request must leave as it was: every customer
// and product with its updated_at, the kept row counts and the feed.
type dbState struct {
	customers, products []string
	counts              [2]int64
	feed                int
}

func stateOf(t *testing.T, e *env, dbID int64) dbState {
	t.Helper()
	ctx := context.Background()
	var s dbState
	all := salesmania.ListParams{Limit: salesmania.MaxListLimit, IncludeTotal: true}
	for {
		page, err := e.store.ListCustomers(ctx, dbID, salesmania.CustomerFilter{ListParams: all})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page.Data {
			s.customers = append(s.customers, fmt.Sprintf("%d %s %s %v", c.ID, c.ExtCustNo, c.Name, c.UpdatedAt.UnixMicro()))
		}
		s.counts[0] = *page.Total
		if page.NextCursor == nil {
			break
		}
		if all.After, err = salesmania.ParseCursor(*page.NextCursor); err != nil {
			t.Fatal(err)
		}
	}
	all.After = salesmania.Cursor{}
	page, err := e.store.ListProducts(ctx, dbID, salesmania.ProductFilter{ListParams: all})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Data {
		s.products = append(s.products, fmt.Sprintf("%d %s %s %v", p.ID, p.ExtProductCode, p.QtyOnHand, p.UpdatedAt.UnixMicro()))
	}
	s.counts[1] = *page.Total
	f := salesmania.FeedFilter{Limit: salesmania.MaxFeedLimit, Teams: salesmania.AllTeams()}
	for {
		page, err := e.store.ListChanges(ctx, dbID, f)
		if err != nil {
			t.Fatal(err)
		}
		s.feed += len(page.Data)
		if !page.HasMore {
			break
		}
		f.After = page.Next
	}
	return s
}

func wantState(t *testing.T, what string, got, want dbState) {
	t.Helper()
	if !slices.Equal(got.customers, want.customers) || !slices.Equal(got.products, want.products) || got.counts != want.counts || got.feed != want.feed {
		t.Fatalf("%s changed the database: %d customers, %d products, counts %v, feed %d; want %d, %d, %v, %d",
			what, len(got.customers), len(got.products), got.counts, got.feed, len(want.customers), len(want.products), want.counts, want.feed)
	}
}

func TestCustomerBatch(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e, tns := newCustomerEnv(t, kind, "Acme", "Beta")
		a, b := tns[0], tns[1]

		// Another database has the codes first: A creates rows of its own.
		theirs := mustBatch(t, b, customersBatch, customerBatchBody(3, "C"))
		bState := stateOf(t, e, b.DBID)

		first := mustBatch(t, a, customersBatch, customerBatchBody(3, "C"))
		for i, r := range first {
			if r.Result != "created" || r.ExtCustNo != fmt.Sprintf("C-%04d", i) || r.ID == theirs[i].ID {
				t.Fatalf("result %d = %+v; want created, not B's %d", i, r, theirs[i].ID)
			}
			c := a.mustGet(t, r.ID)
			if c.Name != fmt.Sprintf("Toko %d", i) || c.Location == nil || !slices.Equal(c.Tags, []string{"grosir", "semarang"}) || !c.Status {
				t.Fatalf("customer %d = %+v", i, c)
			}
		}
		if n := a.count(t); n != 3 {
			t.Fatalf("count = %d; want 3", n)
		}
		wantState(t, "A's batch, in B", stateOf(t, e, b.DBID), bState)

		// A visit of customer 1 shows its summary: the name change below
		// is a change of the visit too.
		v := salesmania.Visit{Date: "2024-01-01", TeamID: a.teamID(t), CustomerID: first[1].ID, Status: salesmania.VisitStatusPlanned}
		if err := e.store.AppendVisit(context.Background(), a.DBID, &v); err != nil {
			t.Fatal(err)
		}
		_, pos := changesAfter(t, a, "")
		before := a.mustGet(t, first[0].ID)

		// The same items again: unchanged; one renamed, one new, one
		// without a code.
		items := []string{customerBatchItem("C-0000", 0), `{"name":"Toko Satu Baru","ext_cust_no":" C-0001 ","location":null}`,
			customerBatchItem("C-0003", 3), `{"name":"Tanpa Kode"}`}
		got := mustBatch(t, a, customersBatch, `{"items":[`+strings.Join(items, ",")+`]}`)
		want := []batchResult{{ID: first[0].ID, ExtCustNo: "C-0000", Result: "unchanged"}, {ID: first[1].ID, ExtCustNo: "C-0001", Result: "updated"},
			{ID: got[2].ID, ExtCustNo: "C-0003", Result: "created"}, {ID: got[3].ID, ExtCustNo: "", Result: "created"}}
		if !slices.Equal(got, want) {
			t.Fatalf("results = %+v; want %+v", got, want)
		}
		if after := a.mustGet(t, first[0].ID); !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Fatalf("unchanged customer's updated_at %v; want %v kept", after.UpdatedAt, before.UpdatedAt)
		}
		one := a.mustGet(t, first[1].ID)
		if one.Name != "Toko Satu Baru" || one.Location != nil || one.Address != "Jl. Pemuda 1" || !slices.Equal(one.Tags, []string{"grosir", "semarang"}) {
			t.Fatalf("updated customer = %+v; want the item's fields changed and the others kept", one)
		}
		// The feed: the updated customer, its visit and the two new
		// customers; nothing for the unchanged one.
		changed, _ := changesAfter(t, a, pos)
		wantChanges := []string{"customer " + itoa(first[1].ID), "visit " + itoa(v.ID), "customer " + itoa(got[2].ID), "customer " + itoa(got[3].ID)}
		slices.Sort(changed)
		slices.Sort(wantChanges)
		if !slices.Equal(changed, wantChanges) {
			t.Fatalf("feed after the batch: %v; want %v", changed, wantChanges)
		}
		if n := a.count(t); n != 5 {
			t.Fatalf("count = %d; want 5", n)
		}
	})
}

// teamID returns the team of the tenant's team token.
func (tn tenant) teamID(t *testing.T) int64 {
	t.Helper()
	teams, err := tn.e.store.ListTeams(context.Background(), tn.DBID)
	if err != nil || len(teams) == 0 {
		t.Fatalf("teams: %v %v", teams, err)
	}
	return teams[0].ID
}

// changesAfter returns the changes of the tenant's database after
// position after ("": from the start) as "kind id", and the position of
// the last.
func changesAfter(t *testing.T, tn tenant, after string) ([]string, string) {
	t.Helper()
	q := "?limit=1000"
	if after != "" {
		q += "&after=" + after
	}
	r := tn.call("GET", "/extapi/v1.0/changes"+q, "")
	mustOK(t, r)
	var page struct {
		Data []struct {
			Kind string
			ID   int64
		}
		Next string
	}
	r.json(t, &page)
	var out []string
	for _, c := range page.Data {
		out = append(out, c.Kind+" "+itoa(c.ID))
	}
	return out, page.Next
}

func TestCustomerBatchInvalid(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e, tns := newCustomerEnv(t, kind, "Acme")
		a := tns[0]
		mustBatch(t, a, customersBatch, customerBatchBody(20, "C"))
		state := stateOf(t, e, a.DBID)

		// 1000 items renaming the 20, one of them bad: none renamed.
		oneBad := strings.Replace(customerBatchBody(1000, "C"), `"lat":-7.000512`, `"lat":91`, 1)
		if !strings.Contains(oneBad, `"lat":91`) {
			t.Fatal("the bad item is not in the body")
		}
		oneBad = strings.ReplaceAll(oneBad, `"Toko `, `"Toko Baru `)
		item := func(s string) string { return `{"items":[` + s + `]}` }

		for _, tc := range []struct {
			name   string
			body   string
			status int
			fields []string
		}{
			{"OneBadAmong1000", oneBad, 422, []string{"items[512].location.lat"}},
			{"TooMany", customerBatchBody(1001, "N"), 422, []string{"items"}},
			{"Empty", `{"items":[]}`, 422, []string{"items"}},
			{"NoItems", `{}`, 422, []string{"items"}},
			{"NullItems", `{"items":null}`, 422, []string{"items"}},
			{"DuplicateCode", item(customerBatchItem("C-0001", 1) + "," + customerBatchItem("X", 2) + "," + customerBatchItem("C-0001 ", 3)), 422,
				[]string{"items[2].ext_cust_no", "items[0].ext_cust_no"}},
			{"EveryBadItem", item(`{"city":"x"},{"name":"ok"},{"name":"y","tags":[""],"location":{"lat":1}}`), 422,
				[]string{"items[0].name", "items[2].tags[0]", "items[2].location.lon"}},
			{"NullName", item(`{"name":null}`), 422, []string{"items[0].name"}},
			{"UnknownField", item(`{"name":"a","nmae":"b"}`), 422, []string{"items[0].nmae"}},
			{"UnknownTopField", `{"items":[{"name":"a"}],"upsert":true}`, 422, []string{"upsert"}},
			{"WrongType", item(`{"name":"a"},{"name":5,"location":{"lat":"1","lon":2}}`), 400, []string{"items[1].location.lat", "items[1].name"}},
			{"ItemsNotArray", `{"items":{"name":"a"}}`, 400, []string{"items"}},
			{"NotJSON", `{"items":[`, 400, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := a.callBad("POST", customersBatch, tc.body, nil)
				p := wantProblem(t, r, tc.status)
				var got []string
				for _, f := range p.Errors {
					got = append(got, f.Field)
				}
				if tc.status == 400 {
					slices.Sort(got)
				}
				if !slices.Equal(got, tc.fields) {
					t.Fatalf("fields %v; want %v (body %s)", got, tc.fields, r.body)
				}
				wantState(t, tc.name, stateOf(t, e, a.DBID), state)
			})
		}

		t.Run("TooLarge", func(t *testing.T) {
			// 17 MiB: one item with a long address (the size is checked
			// before the rules).
			big := item(`{"name":"a","address":"` + strings.Repeat("x", 17<<20) + `"}`)
			for _, chunked := range []bool{false, true} {
				var body io.Reader = strings.NewReader(big)
				if chunked {
					body = io.MultiReader(body) // no length: sent chunked
				}
				req, err := http.NewRequest("POST", e.URL+customersBatch+"?team_token="+a.teamToken, body)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+a.bearer)
				resp, err := e.raw.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusRequestEntityTooLarge || !bytes.Contains(b, []byte(fmt.Sprint(httpapi.MaxBatchBodyBytes))) {
					t.Fatalf("chunked %t: %d %s; want 413 naming the limit", chunked, resp.StatusCode, b)
				}
			}
			wantState(t, "a 17 MiB batch", stateOf(t, e, a.DBID), state)
		})

		t.Run("OverOneMiBIsFine", func(t *testing.T) {
			// 1000 items of about 1.1 KiB: above the 1 MiB of other routes.
			items := make([]string, 1000)
			for i := range items {
				tags := make([]string, 15)
				for k := range tags {
					tags[k] = fmt.Sprintf("%q", fmt.Sprintf("tag-%02d-%s", k, strings.Repeat("t", 33)))
				}
				items[i] = fmt.Sprintf(`{"name":"Besar %d","ext_cust_no":"B-%04d","address":"%s","tags":[%s]}`, i, i, strings.Repeat("y", 490), strings.Join(tags, ","))
			}
			body := `{"items":[` + strings.Join(items, ",") + `]}`
			if len(body) <= httpapi.MaxBodyBytes {
				t.Fatalf("body of %d bytes is not over 1 MiB", len(body))
			}
			if got := mustBatch(t, a, customersBatch, body); len(got) != 1000 || got[999].Result != "created" {
				t.Fatalf("%d results, last %+v", len(got), got[len(got)-1])
			}
			// The single create keeps its 1 MiB.
			r := a.callBad("POST", "/extapi/v1.0/customers", `{"name":"a","address":"`+strings.Repeat("x", httpapi.MaxBodyBytes)+`"}`, nil)
			wantProblem(t, r, http.StatusRequestEntityTooLarge)
		})
	})
}

func TestBatchIdempotency(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		u := e.mustUser("budi@majujaya.example")
		a := e.mustTenant(u, e.login(u.Email), "Acme")
		body := `{"items":[{"name":"Tanpa Kode"},` + customerBatchItem("C-1", 1) + `]}`
		key := map[string]string{"Idempotency-Key": "nightly-2026-12-03-batch-1"}

		first := a.e.do(request{method: "POST", path: customersBatch, bearer: a.bearer, teamToken: a.teamToken, body: body, header: key})
		mustOK(t, first)
		state := stateOf(t, e, a.DBID)
		again := a.e.do(request{method: "POST", path: customersBatch, bearer: a.bearer, teamToken: a.teamToken, body: body, header: key})
		mustOK(t, again)
		if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.body, first.body) {
			t.Fatalf("replay: %q %s; want the first answer %s", again.Header.Get("Idempotent-Replayed"), again.body, first.body)
		}
		wantState(t, "a replay", stateOf(t, e, a.DBID), state) // the item without a code is not made twice
		other := a.e.do(request{method: "POST", path: customersBatch, bearer: a.bearer, teamToken: a.teamToken, body: `{"items":[{"name":"Lain"}]}`, header: key})
		wantProblem(t, other, http.StatusUnprocessableEntity, "Idempotency-Key")
		wantState(t, "a key reused", stateOf(t, e, a.DBID), state)

		// The batch committed but its answer was lost (the process died
		// before recording it): the retry answers with the results the
		// batch recorded in its own transaction, and writes nothing.
		lostBody := `{"items":[{"name":"Hilang"},` + customerBatchItem("C-2", 2) + `]}`
		h := sha256.New()
		io.WriteString(h, "POST "+customersBatch+"\n"+lostBody)
		claim := &salesmania.IdempotencyClaim{DBID: a.DBID, UserID: u.ID, Key: "lost-answer", RequestHash: h.Sum(nil), Owner: "died"}
		ctx := context.Background()
		if out, err := e.store.ReserveIdempotencyKey(ctx, claim, salesmania.Now(), httpapi.IdempotencyLease); err != nil || out.State != salesmania.IdempotencyReserved {
			t.Fatalf("reserve: %+v %v", out, err)
		}
		var fields []salesmania.CustomerFields
		for _, it := range []string{`{"name":"Hilang"}`, customerBatchItem("C-2", 2)} {
			var f salesmania.CustomerFields
			mustUnmarshalFields(t, it, &f)
			fields = append(fields, f)
		}
		results, err := e.store.UpsertCustomers(salesmania.NewContextWithIdempotency(ctx, claim), a.DBID, fields)
		if err != nil {
			t.Fatal(err)
		}
		state = stateOf(t, e, a.DBID)
		retry := a.e.do(request{method: "POST", path: customersBatch, bearer: a.bearer, teamToken: a.teamToken, body: lostBody,
			header: map[string]string{"Idempotency-Key": "lost-answer"}})
		mustOK(t, retry)
		var out struct {
			Data []salesmania.CustomerBatchResult
		}
		retry.json(t, &out)
		if retry.Header.Get("Idempotent-Replayed") != "true" || !slices.Equal(out.Data, results) {
			t.Fatalf("retry after a lost answer: %s; want replayed %+v", retry.body, results)
		}
		wantState(t, "the retry of a committed batch", stateOf(t, e, a.DBID), state)
	})
}

func mustUnmarshalFields(t *testing.T, body string, f any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), f); err != nil {
		t.Fatal(err)
	}
}

func TestProductBatch(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e, tns := newCustomerEnv(t, kind, "Acme", "Beta")
		a, b := tns[0], tns[1]
		item := func(code, qty, price string) string {
			return `{"name":"Indomie ` + code + `","sku":"IDM","ext_product_code":"` + code + `","qty_on_hand":` + qty +
				`,"tags":["mie"],"product_units":[{"name":"PCS","price":` + price + `,"ratio":1},{"name":"DUS","price":130000,"ratio":40}]}`
		}
		theirs := mustBatch(t, b, productsBatch, `{"items":[`+item("P-1", "5", "3500")+`]}`)
		first := mustBatch(t, a, productsBatch, `{"items":[`+item("P-1", "1200", "3500")+`,`+item("P-2", "1", "3500")+`]}`)
		if first[0].Result != "created" || first[0].ID == theirs[0].ID || first[0].ExtProductCode != "P-1" || first[1].Result != "created" {
			t.Fatalf("first = %+v; B has %+v", first, theirs)
		}
		// 1200.00 and 3500.0 are the numbers stored: unchanged. A new qty
		// updates, keeping the fields the item leaves out.
		got := mustBatch(t, a, productsBatch, `{"items":[`+item("P-1", "1200.00", "3500.0")+`,{"name":"Indomie P-2","ext_product_code":"P-2","qty_on_hand":7,"product_units":[{"name":"PCS","price":3500,"ratio":1}]}]}`)
		want := []batchResult{{ID: first[0].ID, ExtProductCode: "P-1", Result: "unchanged"}, {ID: first[1].ID, ExtProductCode: "P-2", Result: "updated"}}
		if !slices.Equal(got, want) {
			t.Fatalf("results = %+v; want %+v", got, want)
		}
		p, err := e.store.FindProduct(context.Background(), a.DBID, first[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.QtyOnHand.String() != "7" || len(p.ProductUnits) != 1 || p.SKU != "IDM" || !slices.Equal(p.Tags, []string{"mie"}) {
			t.Fatalf("updated product = %+v", p)
		}
		state := stateOf(t, e, a.DBID)
		bad := `{"items":[` + item("P-1", "1", "3500") + `,{"name":"x","qty_on_hand":1,"product_units":[{"name":"PCS","price":-1,"ratio":1.5}]},` + item("P-1", "2", "1") + `]}`
		wantProblem(t, a.callBad("POST", productsBatch, bad, nil), http.StatusUnprocessableEntity,
			"items[1].product_units[0].price", "items[1].product_units[0].ratio", "items[1].product_units", "items[2].ext_product_code", "items[0].ext_product_code")
		wantState(t, "a refused product batch", stateOf(t, e, a.DBID), state)
	})
}
