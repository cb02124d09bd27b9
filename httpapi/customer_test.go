package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// tenant is one user acting in one database through the API: a bearer
// token and a team token for that database.
type tenant struct {
	e         *env
	DBID      int64
	bearer    string
	teamToken string
}

// newCustomerEnv starts a server on a fresh database of the given kind and
// makes one user a member of one new database per name. Every database
// starts without customers, so subtests that count rows use one of their own.
func newCustomerEnv(t *testing.T, kind string, databases ...string) (*env, []tenant) {
	t.Helper()
	e := newEnv(t, kind)
	u := e.mustUser("budi@majujaya.example")
	bearer := e.login(u.Email)
	var out []tenant
	for _, name := range databases {
		out = append(out, e.mustTenant(u, bearer, name))
	}
	return e, out
}

// mustTenant makes u, logged in as bearer, a member of a new database.
func (e *env) mustTenant(u salesmania.User, bearer, name string) tenant {
	e.t.Helper()
	c := e.mustCompany(name, "Budi")
	e.mustMember(c.DB.ID, u.ID, c.Teams[0].ID, salesmania.RoleMember)
	return tenant{e: e, DBID: c.DB.ID, bearer: bearer, teamToken: e.teamToken(bearer, c.DB.ID)}
}

// call sends a request that must match the OpenAPI document.
func (tn tenant) call(method, path, body string) response {
	tn.e.t.Helper()
	return tn.e.do(request{method: method, path: path, bearer: tn.bearer, teamToken: tn.teamToken, body: body})
}

// callBad sends a request that breaks the document on purpose (a bad
// parameter or body); the answer is still checked against it.
func (tn tenant) callBad(method, path, body string, header map[string]string) response {
	tn.e.t.Helper()
	return tn.e.do(request{method: method, path: path, bearer: tn.bearer, teamToken: tn.teamToken, body: body, header: header, skipRequest: true})
}

type customerPage struct {
	Data       []salesmania.Customer `json:"data"`
	NextCursor *string               `json:"next_cursor"`
	Total      *int64                `json:"total"`
}

type tombstonePage struct {
	Data       []salesmania.Tombstone `json:"data"`
	NextCursor *string                `json:"next_cursor"`
	Total      *int64                 `json:"total"`
}

func mustOK(t *testing.T, r response) {
	t.Helper()
	if r.StatusCode != 200 {
		t.Fatalf("%s %s: status %d; want 200; body %s", r.Request.Method, r.Request.URL.Path, r.StatusCode, r.body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type = %q; want application/json", ct)
	}
}

func (tn tenant) mustCreate(t *testing.T, body string) salesmania.Customer {
	t.Helper()
	r := tn.call("POST", "/extapi/v1.0/customers", body)
	mustOK(t, r)
	var c salesmania.Customer
	r.json(t, &c)
	return c
}

func (tn tenant) mustGet(t *testing.T, id int64) salesmania.Customer {
	t.Helper()
	r := tn.call("GET", "/extapi/v1.0/customers/"+itoa(id), "")
	mustOK(t, r)
	var c salesmania.Customer
	r.json(t, &c)
	return c
}

func (tn tenant) mustPatch(t *testing.T, id int64, body string) salesmania.Customer {
	t.Helper()
	r := tn.call("PATCH", "/extapi/v1.0/customers/"+itoa(id), body)
	mustOK(t, r)
	var c salesmania.Customer
	r.json(t, &c)
	return c
}

// mustList gets one page of /customers with the query (without "?").
func (tn tenant) mustList(t *testing.T, query string) customerPage {
	t.Helper()
	r := tn.call("GET", "/extapi/v1.0/customers?"+query, "")
	mustOK(t, r)
	var p customerPage
	r.json(t, &p)
	return p
}

// mustListAll walks every page of /customers with the query.
func (tn tenant) mustListAll(t *testing.T, query string) []salesmania.Customer {
	t.Helper()
	var out []salesmania.Customer
	cursor := ""
	for range 1000 {
		q := query
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		p := tn.mustList(t, q)
		out = append(out, p.Data...)
		if p.NextCursor == nil {
			return out
		}
		cursor = *p.NextCursor
	}
	t.Fatalf("list %q does not end", query)
	return nil
}

// count returns the number of customers of the database.
func (tn tenant) count(t *testing.T) int64 {
	t.Helper()
	p := tn.mustList(t, "include_total=true&limit=1")
	if p.Total == nil {
		t.Fatal("include_total=true without total")
	}
	return *p.Total
}

func (tn tenant) mustDeleted(t *testing.T, query string) tombstonePage {
	t.Helper()
	r := tn.call("GET", "/extapi/v1.0/customers/deleted?"+query, "")
	mustOK(t, r)
	var p tombstonePage
	r.json(t, &p)
	return p
}

// mustStoreCustomers creates n customers straight in the store, for speed.
func mustStoreCustomers(t *testing.T, e *env, dbID int64, n int, customer func(i int) salesmania.Customer) []salesmania.Customer {
	t.Helper()
	out := make([]salesmania.Customer, n)
	for i := range n {
		c := customer(i)
		if err := e.store.CreateCustomer(context.Background(), dbID, &c); err != nil {
			t.Fatal(err)
		}
		out[i] = c
	}
	return out
}

func ids(cs []salesmania.Customer) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// wantIDs checks that a list answered exactly these customers, in order.
func wantIDs(t *testing.T, got []salesmania.Customer, want ...salesmania.Customer) {
	t.Helper()
	if g, w := ids(got), ids(want); !slices.Equal(g, w) {
		t.Fatalf("ids = %v; want %v", g, w)
	}
}

// sameCustomer checks that two answers are the same customer, field by field.
func sameCustomer(t *testing.T, got, want salesmania.Customer) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Fatalf("customer =\n%s\nwant\n%s", g, w)
	}
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// join joins query strings, skipping empty ones.
func join(queries ...string) string {
	return strings.Join(slices.DeleteFunc(queries, func(q string) bool { return q == "" }), "&")
}

func stamp(t time.Time) string { return url.QueryEscape(t.Format(time.RFC3339Nano)) }

func TestCustomerCreate(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]

		t.Run("OK", func(t *testing.T) {
			before := time.Now().UTC().Truncate(time.Microsecond)
			r := a.call("POST", "/extapi/v1.0/customers", `{"name":"  Toko Sumber Rejeki  ","address":" Jl. Pemuda 12\t","city":"Semarang ",
				"phone":" 0812-555-0101","ext_cust_no":" C-0001 ","location":{"lat":-7.110383,"lon":110.473812},
				"tags":[" grosir","semarang","grosir ","semarang","eceran"]}`)
			mustOK(t, r)
			after := time.Now().UTC()
			var c salesmania.Customer
			r.json(t, &c)
			want := salesmania.Customer{ID: c.ID, Name: "Toko Sumber Rejeki", Address: "Jl. Pemuda 12", City: "Semarang", Phone: "0812-555-0101",
				ExtCustNo: "C-0001", Location: &salesmania.Location{Lat: -7.110383, Lon: 110.473812}, Status: true,
				Tags: []string{"grosir", "semarang", "eceran"}, CreatedAt: c.CreatedAt, UpdatedAt: c.CreatedAt}
			sameCustomer(t, c, want)
			if c.ID <= 0 {
				t.Fatalf("id = %d", c.ID)
			}
			if c.CreatedAt.Before(before) || c.CreatedAt.After(after) {
				t.Fatalf("created_at = %v; want between %v and %v", c.CreatedAt, before, after)
			}
			if !strings.Contains(string(r.body), `"location":{"lat":-7.110383,"lon":110.473812}`) {
				t.Fatalf("body %s does not echo the location exactly", r.body)
			}
			sameCustomer(t, a.mustGet(t, c.ID), c)
		})
		t.Run("OK/Defaults", func(t *testing.T) {
			r := a.call("POST", "/extapi/v1.0/customers", `{"name":"Warung Bu Sri"}`)
			mustOK(t, r)
			var c salesmania.Customer
			r.json(t, &c)
			sameCustomer(t, c, salesmania.Customer{ID: c.ID, Name: "Warung Bu Sri", Status: true, Tags: []string{}, CreatedAt: c.CreatedAt, UpdatedAt: c.CreatedAt})
			for _, want := range []string{`"address":""`, `"city":""`, `"phone":""`, `"ext_cust_no":""`, `"location":null`, `"status":true`, `"tags":[]`} {
				if !bytes.Contains(r.body, []byte(want)) {
					t.Errorf("body %s lacks %s", r.body, want)
				}
			}
		})
		t.Run("OK/StatusFalse", func(t *testing.T) {
			if c := a.mustCreate(t, `{"name":"Toko Tutup","status":false}`); c.Status {
				t.Fatal("status = true; want false")
			}
		})
		t.Run("OK/LocationNull", func(t *testing.T) {
			if c := a.mustCreate(t, `{"name":"Toko Tanpa Peta","location":null}`); c.Location != nil {
				t.Fatalf("location = %+v; want null", c.Location)
			}
		})
		t.Run("OK/Limits", func(t *testing.T) {
			// Lengths count characters, not bytes, after trimming.
			tags := make([]string, 50)
			for i := range tags {
				tags[i] = fmt.Sprintf("%02d", i) + strings.Repeat("é", 48)
			}
			body := js(map[string]any{
				"name": strings.Repeat("日", 200), "address": strings.Repeat("ä", 500), "city": strings.Repeat("c", 100),
				"phone": strings.Repeat("9", 100), "ext_cust_no": strings.Repeat("X", 100), "tags": tags,
				"location": map[string]float64{"lat": 90, "lon": -180},
			})
			c := a.mustCreate(t, body)
			if c.Name != strings.Repeat("日", 200) || len(c.Tags) != 50 || c.Tags[49] != tags[49] || *c.Location != (salesmania.Location{Lat: 90, Lon: -180}) {
				t.Fatalf("customer = %+v", c)
			}
			c = a.mustCreate(t, `{"name":"Kutub","location":{"lat":-90,"lon":180}}`)
			if *c.Location != (salesmania.Location{Lat: -90, Lon: 180}) {
				t.Fatalf("location = %+v", c.Location)
			}
		})
		t.Run("OK/CharsetUTF8", func(t *testing.T) {
			r := a.e.do(request{method: "POST", path: "/extapi/v1.0/customers", bearer: a.bearer, teamToken: a.teamToken,
				body: `{"name":"Toko UTF-8"}`, header: map[string]string{"Content-Type": "application/json; charset=utf-8"}})
			mustOK(t, r)
		})
		t.Run("OK/TeamTokenHeader", func(t *testing.T) {
			r := a.e.do(request{method: "POST", path: "/extapi/v1.0/customers", bearer: a.bearer,
				body: `{"name":"Toko Header"}`, header: map[string]string{"X-Team-Token": a.teamToken}})
			mustOK(t, r)
		})
	})
}

// TestCustomerCreateInvalid sends every kind of bad body of §3 and §1.1 and
// checks the status, the named fields, and that nothing was stored.
func TestCustomerCreateInvalid(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tags51 := make([]string, 51)
	for i := range tags51 {
		tags51[i] = fmt.Sprint("t", i)
	}
	tests := []struct {
		name   string
		body   string
		ctype  string // Content-Type if not application/json
		status int
		fields []string
	}{
		{"ErrNameMissing", `{"city":"Solo"}`, "", 422, []string{"name"}},
		{"ErrNameEmpty", `{"name":""}`, "", 422, []string{"name"}},
		{"ErrNameWhitespace", `{"name":" \t\n "}`, "", 422, []string{"name"}},
		{"ErrName201", js(map[string]string{"name": long(201)}), "", 422, []string{"name"}},
		{"ErrName201Multibyte", js(map[string]string{"name": strings.Repeat("日", 201)}), "", 422, []string{"name"}},
		{"ErrNameNull", `{"name":null}`, "", 422, []string{"name"}},
		{"ErrAddress501", js(map[string]string{"name": "a", "address": long(501)}), "", 422, []string{"address"}},
		{"ErrCity101", js(map[string]string{"name": "a", "city": long(101)}), "", 422, []string{"city"}},
		{"ErrPhone101", js(map[string]string{"name": "a", "phone": long(101)}), "", 422, []string{"phone"}},
		{"ErrExtCustNo101", js(map[string]string{"name": "a", "ext_cust_no": long(101)}), "", 422, []string{"ext_cust_no"}},
		{"ErrAddressNull", `{"name":"a","address":null}`, "", 422, []string{"address"}},
		{"ErrLatMissing", `{"name":"a","location":{"lon":110.4}}`, "", 422, []string{"location.lat"}},
		{"ErrLonMissing", `{"name":"a","location":{"lat":-7.1}}`, "", 422, []string{"location.lon"}},
		{"ErrLocationEmpty", `{"name":"a","location":{}}`, "", 422, []string{"location.lat", "location.lon"}},
		{"ErrLatNull", `{"name":"a","location":{"lat":null,"lon":110.4}}`, "", 422, []string{"location.lat"}},
		{"ErrLatOver90", `{"name":"a","location":{"lat":90.0001,"lon":110.4}}`, "", 422, []string{"location.lat"}},
		{"ErrLatUnderMinus90", `{"name":"a","location":{"lat":-90.0001,"lon":110.4}}`, "", 422, []string{"location.lat"}},
		{"ErrLonUnderMinus180", `{"name":"a","location":{"lat":-7.1,"lon":-180.5}}`, "", 422, []string{"location.lon"}},
		{"ErrLonOver180", `{"name":"a","location":{"lat":-7.1,"lon":180.0001}}`, "", 422, []string{"location.lon"}},
		{"ErrTags51", js(map[string]any{"name": "a", "tags": tags51}), "", 422, []string{"tags"}},
		{"ErrTagEmpty", `{"name":"a","tags":["grosir",""]}`, "", 422, []string{"tags[1]"}},
		{"ErrTagWhitespace", `{"name":"a","tags":["  "]}`, "", 422, []string{"tags[0]"}},
		{"ErrTag51Chars", js(map[string]any{"name": "a", "tags": []string{"ok", long(51)}}), "", 422, []string{"tags[1]"}},
		{"ErrTagsNull", `{"name":"a","tags":null}`, "", 422, []string{"tags"}},
		{"ErrStatusNull", `{"name":"a","status":null}`, "", 422, []string{"status"}},
		{"ErrEveryField", js(map[string]any{"name": "", "address": long(501), "city": long(101), "phone": long(101), "ext_cust_no": long(101),
			"location": map[string]float64{"lat": 91}, "tags": []string{"", long(51)}}), "", 422,
			[]string{"name", "address", "city", "phone", "ext_cust_no", "tags[0]", "tags[1]", "location.lat", "location.lon"}},
		{"ErrEveryMissing", `{"location":{}}`, "", 422, []string{"name", "location.lat", "location.lon"}},
		{"ErrUnknownField", `{"name":"a","nmae":"b"}`, "", 422, []string{"nmae"}},
		{"ErrTagNotString", `{"name":"a","tags":["grosir",1]}`, "", 400, []string{"tags[1]"}},
		{"ErrTagsNotArray", `{"name":"a","tags":"grosir"}`, "", 400, []string{"tags"}},
		{"ErrNameNotString", `{"name":5}`, "", 400, []string{"name"}},
		{"ErrNameObject", `{"name":{"first":"Toko"}}`, "", 400, []string{"name"}},
		{"ErrAddressNotString", `{"name":"a","address":12}`, "", 400, []string{"address"}},
		{"ErrStatusNotBoolean", `{"name":"a","status":"yes"}`, "", 400, []string{"status"}},
		{"ErrStatusNumber", `{"name":"a","status":1}`, "", 400, []string{"status"}},
		{"ErrLocationNotObject", `{"name":"a","location":"-7.1,110.4"}`, "", 400, []string{"location"}},
		{"ErrLocationArray", `{"name":"a","location":[-7.1,110.4]}`, "", 400, []string{"location"}},
		{"ErrLatNotNumber", `{"name":"a","location":{"lat":"-7.1","lon":110.4}}`, "", 400, []string{"location.lat"}},
		{"ErrArrayBody", `[{"name":"a"}]`, "", 400, nil},
		{"ErrStringBody", `"Toko"`, "", 400, nil},
		{"ErrMalformed", `{"name":"a"`, "", 400, nil},
		{"ErrTrailingData", `{"name":"a"} {"name":"b"}`, "", 400, nil},
		{"ErrContentTypeText", `{"name":"a"}`, "text/plain", 415, nil},
		{"ErrContentTypeForm", `name=a`, "application/x-www-form-urlencoded", 415, nil},
		{"ErrContentTypeMissing", `{"name":"a"}`, "none", 415, nil},
		{"ErrCharsetLatin1", `{"name":"a"}`, "application/json; charset=latin1", 415, nil},
		{"ErrTooLarge", `{"name":"a","address":"` + long(1<<20) + `"}`, "", 413, nil},
	}
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		a.mustCreate(t, `{"name":"Toko Lama"}`)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var header map[string]string
				switch tt.ctype {
				case "":
				case "none":
					header = map[string]string{"Content-Type": ""}
				default:
					header = map[string]string{"Content-Type": tt.ctype}
				}
				r := a.callBad("POST", "/extapi/v1.0/customers", tt.body, header)
				wantProblem(t, r, tt.status, tt.fields...)
				if n := a.count(t); n != 1 {
					t.Fatalf("%d customers after a refused create; want 1", n)
				}
			})
		}
		t.Run("ErrEmptyBody", func(t *testing.T) {
			r := a.callBad("POST", "/extapi/v1.0/customers", "", map[string]string{"Content-Type": "application/json"})
			wantProblem(t, r, 400)
		})
		t.Run("ErrTooLargeChunked", func(t *testing.T) {
			// Without Content-Length the limit is found while reading.
			body := io.MultiReader(strings.NewReader(`{"name":"a","address":"`), strings.NewReader(long(1<<20)), strings.NewReader(`"}`))
			req, err := http.NewRequest("POST", a.e.URL+"/extapi/v1.0/customers?team_token="+a.teamToken, io.NopCloser(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+a.bearer)
			resp, err := a.e.client.Do(openapitest.SkipRequestValidation(req))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			wantProblem(t, response{resp, b}, 413)
			if n := a.count(t); n != 1 {
				t.Fatalf("%d customers after a refused create; want 1", n)
			}
		})
	})
}

// TestCustomerBodyFieldNames checks that only the documented field names,
// spelt exactly, are accepted.
func TestCustomerBodyFieldNames(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		c := a.mustCreate(t, `{"name":"Toko","location":{"lat":-7.1,"lon":110.4},"tags":["grosir"]}`)
		t.Run("ErrUnknownNestedField", func(t *testing.T) {
			r := a.callBad("POST", "/extapi/v1.0/customers", `{"name":"a","location":{"lat":1,"lon":2,"alt":3}}`, nil)
			wantProblem(t, r, 422, "location.alt")
		})
		t.Run("ErrFieldNameCase", func(t *testing.T) {
			r := a.callBad("POST", "/extapi/v1.0/customers", `{"Name":"Toko Besar"}`, nil)
			wantProblem(t, r, 422, "Name")
			r = a.callBad("PATCH", "/extapi/v1.0/customers/"+itoa(c.ID), `{"Location":null}`, nil)
			wantProblem(t, r, 422, "Location")
			sameCustomer(t, a.mustGet(t, c.ID), c)
		})
	})
}

func TestCustomerUpdate(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		orig := a.mustCreate(t, `{"name":"Toko Sumber Rejeki","address":"Jl. Pemuda 12","city":"Semarang","phone":"0812-555-0101",
			"ext_cust_no":"C-0001","location":{"lat":-7.110383,"lon":110.473812},"tags":["grosir","semarang"]}`)
		cur := orig
		path := "/extapi/v1.0/customers/" + itoa(orig.ID)

		// patch applies body and checks that exactly the fields change
		// sets change, with a new updated_at.
		patch := func(t *testing.T, body string, change func(c *salesmania.Customer)) {
			t.Helper()
			got := a.mustPatch(t, orig.ID, body)
			want := cur
			change(&want)
			if !got.UpdatedAt.After(cur.UpdatedAt) {
				t.Fatalf("updated_at = %v; want after %v", got.UpdatedAt, cur.UpdatedAt)
			}
			want.UpdatedAt = got.UpdatedAt
			sameCustomer(t, got, want)
			sameCustomer(t, a.mustGet(t, orig.ID), got)
			cur = got
		}
		t.Run("OK/Name", func(t *testing.T) {
			patch(t, `{"name":"  Toko Sumber Rejeki Baru "}`, func(c *salesmania.Customer) { c.Name = "Toko Sumber Rejeki Baru" })
		})
		t.Run("OK/SeveralFields", func(t *testing.T) {
			patch(t, `{"address":"Jl. Pandanaran 1","city":" Semarang Tengah","phone":"","ext_cust_no":"C-0001-B"}`, func(c *salesmania.Customer) {
				c.Address, c.City, c.Phone, c.ExtCustNo = "Jl. Pandanaran 1", "Semarang Tengah", "", "C-0001-B"
			})
		})
		t.Run("OK/TagsReplace", func(t *testing.T) {
			patch(t, `{"tags":["eceran"," grosir","eceran"]}`, func(c *salesmania.Customer) { c.Tags = []string{"eceran", "grosir"} })
			wantIDs(t, a.mustList(t, "tag=eceran").Data, cur)
			wantIDs(t, a.mustList(t, "tag=semarang").Data)
		})
		t.Run("OK/TagsOrder", func(t *testing.T) {
			// Tags keep the order given, so a new order is a change.
			patch(t, `{"tags":["grosir","eceran"]}`, func(c *salesmania.Customer) { c.Tags = []string{"grosir", "eceran"} })
		})
		t.Run("OK/TagsEmpty", func(t *testing.T) {
			patch(t, `{"tags":[]}`, func(c *salesmania.Customer) { c.Tags = []string{} })
			wantIDs(t, a.mustList(t, "tag=grosir").Data)
			// Tags back, so that the PATCHes below do not meet the bug of
			// TestCustomerUpdateKeepsEmptyTags.
			patch(t, `{"tags":["grosir"]}`, func(c *salesmania.Customer) { c.Tags = []string{"grosir"} })
		})
		t.Run("OK/Location", func(t *testing.T) {
			patch(t, `{"location":{"lat":-6.2,"lon":106.816666}}`, func(c *salesmania.Customer) {
				c.Location = &salesmania.Location{Lat: -6.2, Lon: 106.816666}
			})
		})
		t.Run("OK/LocationNullClears", func(t *testing.T) {
			patch(t, `{"location":null}`, func(c *salesmania.Customer) { c.Location = nil })
			if r := a.call("GET", path, ""); !bytes.Contains(r.body, []byte(`"location":null`)) {
				t.Fatalf("body %s; want location null", r.body)
			}
		})
		t.Run("OK/StatusFalse", func(t *testing.T) {
			patch(t, `{"status":false}`, func(c *salesmania.Customer) { c.Status = false })
			wantIDs(t, a.mustList(t, "status=false").Data, cur)
			wantIDs(t, a.mustList(t, "status=true").Data)
			patch(t, `{"status":true}`, func(c *salesmania.Customer) { c.Status = true })
		})
		t.Run("OK/NoChangeKeepsUpdatedAt", func(t *testing.T) {
			patch(t, `{"location":{"lat":1.5,"lon":2.5},"tags":["a","b"]}`, func(c *salesmania.Customer) {
				c.Location, c.Tags = &salesmania.Location{Lat: 1.5, Lon: 2.5}, []string{"a", "b"}
			})
			for _, body := range []string{
				`{}`,
				js(map[string]any{"name": cur.Name, "address": cur.Address, "city": cur.City, "phone": cur.Phone, "ext_cust_no": cur.ExtCustNo,
					"status": cur.Status, "tags": cur.Tags, "location": cur.Location}),
				`{"name":"  ` + cur.Name + `  "}`,
				`{"tags":["a","b","a"," b "]}`,
				`{"location":{"lat":1.5,"lon":2.5}}`,
			} {
				got := a.mustPatch(t, orig.ID, body)
				sameCustomer(t, got, cur)
			}
			// Nor does it show up in a sync.
			wantIDs(t, a.mustList(t, "updated_since="+stamp(cur.UpdatedAt)).Data)
			patch(t, `{"location":null}`, func(c *salesmania.Customer) { c.Location = nil })
			sameCustomer(t, a.mustPatch(t, orig.ID, `{"location":null}`), cur)
		})
		t.Run("OK/TeamTokenHeader", func(t *testing.T) {
			r := a.e.do(request{method: "PATCH", path: path, bearer: a.bearer, body: `{"city":"Kudus"}`, header: map[string]string{"X-Team-Token": a.teamToken}})
			mustOK(t, r)
			cur = a.mustGet(t, orig.ID)
			if cur.City != "Kudus" {
				t.Fatalf("city = %q", cur.City)
			}
		})
		// A refused PATCH changes nothing.
		for _, tt := range []struct {
			name   string
			body   string
			status int
			fields []string
		}{
			{"ErrNameEmpty", `{"name":" "}`, 422, []string{"name"}},
			{"ErrNameNull", `{"name":null}`, 422, []string{"name"}},
			{"ErrName201", js(map[string]string{"name": strings.Repeat("x", 201)}), 422, []string{"name"}},
			{"ErrTagsNull", `{"tags":null,"city":"Solo"}`, 422, []string{"tags"}},
			{"ErrStatusNull", `{"status":null}`, 422, []string{"status"}},
			{"ErrLatMissing", `{"location":{"lon":110.4},"city":"Solo"}`, 422, []string{"location.lat"}},
			{"ErrLonRange", `{"location":{"lat":1,"lon":181}}`, 422, []string{"location.lon"}},
			{"ErrTagEmpty", `{"tags":["a",""],"name":"Toko Lain"}`, 422, []string{"tags[1]"}},
			{"ErrSeveral", `{"name":"","city":"` + strings.Repeat("c", 101) + `","location":{}}`, 422, []string{"name", "city", "location.lat", "location.lon"}},
			{"ErrUnknownField", `{"city":"Solo","kota":"Solo"}`, 422, []string{"kota"}},
			{"ErrWrongType", `{"city":"Solo","status":"false"}`, 400, []string{"status"}},
			{"ErrArrayBody", `[]`, 400, nil},
			{"ErrMalformed", `{`, 400, nil},
		} {
			t.Run(tt.name, func(t *testing.T) {
				wantProblem(t, a.callBad("PATCH", path, tt.body, nil), tt.status, tt.fields...)
				sameCustomer(t, a.mustGet(t, orig.ID), cur)
			})
		}
		t.Run("ErrContentType", func(t *testing.T) {
			wantProblem(t, a.callBad("PATCH", path, `{"city":"Solo"}`, map[string]string{"Content-Type": "text/plain"}), 415)
			sameCustomer(t, a.mustGet(t, orig.ID), cur)
		})
		t.Run("ErrTooLarge", func(t *testing.T) {
			wantProblem(t, a.callBad("PATCH", path, `{"city":"`+strings.Repeat("c", 1<<20)+`"}`, nil), 413)
			sameCustomer(t, a.mustGet(t, orig.ID), cur)
		})
		t.Run("ErrUnknownParameter", func(t *testing.T) {
			wantProblem(t, a.callBad("PATCH", path+"?dry_run=true", `{"city":"Solo"}`, nil), 400, "dry_run")
			sameCustomer(t, a.mustGet(t, orig.ID), cur)
			wantProblem(t, a.callBad("GET", path+"?fields=name", "", nil), 400, "fields")
		})
	})
}

// TestCustomerUpdateKeepsEmptyTags patches a customer without tags and
// leaves its tags alone.
func TestCustomerUpdateKeepsEmptyTags(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		c := a.mustCreate(t, `{"name":"Toko Tanpa Tag"}`)
		for _, body := range []string{`{"city":"Solo"}`, `{}`} {
			r := a.call("PATCH", "/extapi/v1.0/customers/"+itoa(c.ID), body)
			mustOK(t, r)
			if !bytes.Contains(r.body, []byte(`"tags":[]`)) {
				t.Fatalf("PATCH %s answered %s; want tags []", body, r.body)
			}
		}
	})
}

func TestCustomerDelete(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		keep := a.mustCreate(t, `{"name":"Toko Tetap"}`)
		gone := a.mustCreate(t, `{"name":"Toko Tutup","ext_cust_no":"C-9"}`)
		since := time.Now().UTC().Truncate(time.Microsecond).Add(-time.Microsecond)
		path := "/extapi/v1.0/customers/" + itoa(gone.ID)

		t.Run("ErrUnknownParameter", func(t *testing.T) {
			wantProblem(t, a.callBad("DELETE", path+"?dry_run=true", "", nil), 400, "dry_run")
			a.mustGet(t, gone.ID)
		})
		t.Run("OK", func(t *testing.T) {
			r := a.call("DELETE", path, "")
			mustOK(t, r)
			if strings.TrimSpace(string(r.body)) != "{}" {
				t.Fatalf("body %s; want {}", r.body)
			}
			after := time.Now().UTC()
			wantProblem(t, a.call("GET", path, ""), 404)
			wantProblem(t, a.call("PATCH", path, `{"name":"Toko Buka"}`), 404)
			wantProblem(t, a.call("DELETE", path, ""), 404)
			wantIDs(t, a.mustListAll(t, "limit=1"), keep)
			if n := a.count(t); n != 1 {
				t.Fatalf("total = %d; want 1", n)
			}
			// The tombstone, for syncing clients.
			p := a.mustDeleted(t, "since="+stamp(since))
			if len(p.Data) != 1 || p.Data[0].ID != gone.ID || p.NextCursor != nil {
				t.Fatalf("deleted = %+v; want customer %d", p, gone.ID)
			}
			at := p.Data[0].DeletedAt
			if !at.After(since) || at.After(after) || !at.After(gone.UpdatedAt) {
				t.Fatalf("deleted_at = %v; want after %v and %v, not after %v", at, since, gone.UpdatedAt, after)
			}
			if p := a.mustDeleted(t, ""); len(p.Data) != 1 {
				t.Fatalf("deleted without since = %+v; want every tombstone", p)
			}
			// since is exclusive.
			if p := a.mustDeleted(t, "since="+stamp(at)); len(p.Data) != 0 {
				t.Fatalf("deleted since its own deleted_at = %+v; want none", p)
			}
			if p := a.mustDeleted(t, "since="+stamp(at.Add(-time.Microsecond))); len(p.Data) != 1 {
				t.Fatalf("deleted since 1µs before = %+v; want it", p)
			}
			// Its ext_cust_no is free again.
			a.mustCreate(t, `{"name":"Toko Baru","ext_cust_no":"C-9"}`)
		})
		t.Run("OK/Paged", func(t *testing.T) {
			var want []int64
			want = append(want, gone.ID)
			for i := range 4 {
				c := a.mustCreate(t, fmt.Sprintf(`{"name":"Toko %d"}`, i))
				mustOK(t, a.call("DELETE", "/extapi/v1.0/customers/"+itoa(c.ID), ""))
				want = append(want, c.ID)
			}
			var got []int64
			var last time.Time
			cursor := ""
			for pages := 1; ; pages++ {
				q := "limit=2&include_total=true&since=" + stamp(since)
				if cursor != "" {
					q += "&cursor=" + url.QueryEscape(cursor)
				}
				p := a.mustDeleted(t, q)
				if p.Total == nil || *p.Total != 5 {
					t.Fatalf("total = %v; want 5", p.Total)
				}
				for _, ts := range p.Data {
					if ts.DeletedAt.Before(last) {
						t.Fatalf("tombstones not ordered by deleted_at: %v", p.Data)
					}
					last = ts.DeletedAt
					got = append(got, ts.ID)
				}
				if p.NextCursor == nil {
					if pages != 3 {
						t.Fatalf("%d pages; want 3", pages)
					}
					break
				}
				cursor = *p.NextCursor
			}
			if !slices.Equal(got, want) {
				t.Fatalf("tombstones %v; want %v", got, want)
			}
		})
		t.Run("ErrBadParameters", func(t *testing.T) {
			idCursor := *a.mustList(t, "limit=1").NextCursor
			for _, tt := range []struct{ query, field string }{
				{"since=yesterday", "since"},
				{"since=2024-01-01", "since"},
				{"limit=0", "limit"},
				{"limit=1001", "limit"},
				{"cursor=abc", "cursor"},
				{"cursor=" + url.QueryEscape(idCursor), "cursor"},
				{"include_total=1", "include_total"},
				{"updated_since=2024-01-01T00:00:00Z", "updated_since"},
				{"q=toko", "q"},
			} {
				t.Run(tt.query, func(t *testing.T) {
					wantProblem(t, a.callBad("GET", "/extapi/v1.0/customers/deleted?"+tt.query, "", nil), 400, tt.field)
				})
			}
		})
	})
}

func TestCustomerConflict(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newCustomerEnv(t, kind, "PT Maju Jaya", "CV Sinar Abadi")
		a, b := tns[0], tns[1]
		first := a.mustCreate(t, `{"name":"Toko Satu","ext_cust_no":"C-1","tags":["satu"]}`)

		t.Run("ErrCreate", func(t *testing.T) {
			for _, no := range []string{"C-1", "  C-1 "} {
				p := wantProblem(t, a.call("POST", "/extapi/v1.0/customers", js(map[string]string{"name": "Toko Dua", "ext_cust_no": no})), 409, "ext_cust_no")
				if !strings.Contains(p.Detail, "C-1") {
					t.Errorf("detail %q does not name the ext_cust_no", p.Detail)
				}
			}
			if n := a.count(t); n != 1 {
				t.Fatalf("%d customers after refused creates; want 1", n)
			}
		})
		t.Run("OK/EmptyIsNotUnique", func(t *testing.T) {
			a.mustCreate(t, `{"name":"Tanpa Nomor 1","ext_cust_no":""}`)
			a.mustCreate(t, `{"name":"Tanpa Nomor 2","ext_cust_no":"  "}`)
			a.mustCreate(t, `{"name":"Tanpa Nomor 3"}`)
		})
		t.Run("OK/CaseSensitive", func(t *testing.T) {
			if c := a.mustCreate(t, `{"name":"Toko Kecil","ext_cust_no":"c-1"}`); c.ExtCustNo != "c-1" {
				t.Fatalf("ext_cust_no = %q", c.ExtCustNo)
			}
		})
		t.Run("OK/OtherDatabase", func(t *testing.T) {
			b.mustCreate(t, `{"name":"Toko Satu","ext_cust_no":"C-1"}`)
		})
		t.Run("ErrPatch", func(t *testing.T) {
			second := a.mustCreate(t, `{"name":"Toko Dua","ext_cust_no":"C-2","tags":["dua"]}`)
			wantProblem(t, a.call("PATCH", "/extapi/v1.0/customers/"+itoa(second.ID), `{"name":"Toko Dua Baru","ext_cust_no":" C-1"}`), 409, "ext_cust_no")
			sameCustomer(t, a.mustGet(t, second.ID), second)
			// Its own number again is no change at all.
			sameCustomer(t, a.mustPatch(t, first.ID, `{"ext_cust_no":"C-1"}`), first)
			// A number given up is free.
			a.mustPatch(t, first.ID, `{"ext_cust_no":"C-1-OLD"}`)
			if c := a.mustPatch(t, second.ID, `{"ext_cust_no":"C-1"}`); c.ExtCustNo != "C-1" {
				t.Fatalf("ext_cust_no = %q", c.ExtCustNo)
			}
		})
		t.Run("ErrConcurrentCreates", func(t *testing.T) {
			// Racing creates with one number: one wins, the others get 409, never 500.
			const n = 8
			var wg sync.WaitGroup
			statuses := make([]int, n)
			for i := range n {
				wg.Go(func() {
					r := a.call("POST", "/extapi/v1.0/customers", fmt.Sprintf(`{"name":"Balapan %d","ext_cust_no":"C-RACE"}`, i))
					statuses[i] = r.StatusCode
				})
			}
			wg.Wait()
			slices.Sort(statuses)
			want := []int{200, 409, 409, 409, 409, 409, 409, 409}
			if !slices.Equal(statuses, want) {
				t.Fatalf("statuses %v; want %v", statuses, want)
			}
			if got := a.mustList(t, "ext_cust_no=C-RACE").Data; len(got) != 1 {
				t.Fatalf("%d customers with C-RACE; want 1", len(got))
			}
		})
	})
}

// TestCustomerTenancy checks that another database's customers are not
// found, not changed and not listed, whatever the caller tries.
func TestCustomerTenancy(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		agus := e.mustUser("agus@sinarabadi.example")
		b := e.mustTenant(agus, e.login(agus.Email), "CV Sinar Abadi")

		body := `{"name":"Toko Bersama","city":"Solo","ext_cust_no":"C-1","tags":["grosir"],"location":{"lat":-7.5,"lon":110.8}}`
		mine := a.mustCreate(t, body)
		theirs := b.mustCreate(t, body)
		theirsGone := b.mustCreate(t, `{"name":"Toko Hilang"}`)
		mustOK(t, b.call("DELETE", "/extapi/v1.0/customers/"+itoa(theirsGone.ID), ""))

		for _, id := range []int64{theirs.ID, theirsGone.ID} {
			path := "/extapi/v1.0/customers/" + itoa(id)
			t.Run("ErrNotFound/"+itoa(id), func(t *testing.T) {
				wantProblem(t, a.call("GET", path, ""), 404)
				wantProblem(t, a.call("PATCH", path, `{"name":"Diambil Alih","status":false}`), 404)
				wantProblem(t, a.call("PATCH", path, `{"location":null}`), 404)
				wantProblem(t, a.call("DELETE", path, ""), 404)
			})
		}
		t.Run("UnchangedForOwner", func(t *testing.T) {
			sameCustomer(t, b.mustGet(t, theirs.ID), theirs)
			wantIDs(t, b.mustListAll(t, ""), theirs)
			if p := b.mustDeleted(t, ""); len(p.Data) != 1 || p.Data[0].ID != theirsGone.ID {
				t.Fatalf("owner's tombstones = %+v", p)
			}
		})
		t.Run("ListsShowOwnRowsOnly", func(t *testing.T) {
			for _, q := range []string{"", "include_total=true", "q=bersama", "q=solo", "tag=grosir", "ext_cust_no=C-1", "status=true",
				"updated_since=2000-01-01T00:00:00Z", "limit=1"} {
				p := a.mustList(t, q)
				wantIDs(t, p.Data, mine)
				if p.NextCursor != nil {
					t.Fatalf("%s: next_cursor %q; want null", q, *p.NextCursor)
				}
			}
			if p := a.mustList(t, "include_total=true"); *p.Total != 1 {
				t.Fatalf("total = %d; want 1", *p.Total)
			}
			if p := a.mustDeleted(t, "include_total=true"); len(p.Data) != 0 || *p.Total != 0 {
				t.Fatalf("tombstones = %+v; want none", p)
			}
		})
		t.Run("ErrOtherDatabasesTeamToken", func(t *testing.T) {
			// Budi is not a member of Agus's database.
			r := e.do(request{method: "GET", path: "/extapi/v1.0/customers/" + itoa(theirs.ID), bearer: a.bearer, teamToken: b.teamToken})
			wantProblem(t, r, 403)
		})
	})
}

func TestCustomerJunkIDs(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		c := a.mustCreate(t, `{"name":"Toko"}`)
		for _, id := range []string{"abc", "0", "-1", "99999999999999999999", "1.5", "1e3", "0x1", "987654321"} {
			t.Run(id, func(t *testing.T) {
				path := "/extapi/v1.0/customers/" + id
				wantProblem(t, a.call("GET", path, ""), 404)
				wantProblem(t, a.call("PATCH", path, `{"name":"Toko Lain"}`), 404)
				wantProblem(t, a.call("DELETE", path, ""), 404)
			})
		}
		sameCustomer(t, a.mustGet(t, c.ID), c)
	})
}

func TestCustomerListFilters(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		rejeki := a.mustCreate(t, `{"name":"Toko Sumber Rejeki","address":"Jl. Pemuda 12","city":"Semarang","phone":"0812-555-0101",
			"ext_cust_no":"C-0001","tags":["grosir","semarang"]}`)
		sri := a.mustCreate(t, `{"name":"Warung Bu Sri","address":"Jl. Merdeka 5","city":"Solo","phone":"0813-777-0202",
			"ext_cust_no":"C-0002","tags":["eceran"],"status":false}`)
		apotek := a.mustCreate(t, `{"name":"Apotek Sehat","address":"Jl. Kaliurang 7","city":"Yogyakarta","phone":"0274-123456",
			"ext_cust_no":"AP-77","tags":["apotek","grosir"]}`)
		diskon := a.mustCreate(t, `{"name":"Diskon 50% Mart","city":"Kafé Kota","tags":["Grosir"]}`)

		for _, tt := range []struct {
			query string
			want  []salesmania.Customer
		}{
			{"", []salesmania.Customer{rejeki, sri, apotek, diskon}},
			// q: each of the five fields, any case.
			{"q=rejeki", []salesmania.Customer{rejeki}},
			{"q=SUMBER", []salesmania.Customer{rejeki}},
			{"q=wArUnG", []salesmania.Customer{sri}},
			{"q=pemuda", []salesmania.Customer{rejeki}},
			{"q=MERDEKA%205", []salesmania.Customer{sri}},
			{"q=solo", []salesmania.Customer{sri}},
			{"q=YOGYA", []salesmania.Customer{apotek}},
			{"q=555-01", []salesmania.Customer{rejeki}},
			{"q=0274", []salesmania.Customer{apotek}},
			{"q=c-000", []salesmania.Customer{rejeki, sri}},
			{"q=ap-7", []salesmania.Customer{apotek}},
			{"q=jl.", []salesmania.Customer{rejeki, sri, apotek}},
			{"q=%20%20rejeki%20", []salesmania.Customer{rejeki}},
			{"q=Kaf%C3%A9", []salesmania.Customer{diskon}},
			{"q=nowhere", nil},
			// LIKE wildcards match themselves.
			{"q=%25", []salesmania.Customer{diskon}},
			{"q=50%25", []salesmania.Customer{diskon}},
			{"q=_", nil},
			{"q=Jl%25Pemuda", nil},
			// q does not search tags.
			{"q=eceran", nil},
			{"status=true", []salesmania.Customer{rejeki, apotek, diskon}},
			{"status=false", []salesmania.Customer{sri}},
			// tag and ext_cust_no are exact.
			{"tag=grosir", []salesmania.Customer{rejeki, apotek}},
			{"tag=Grosir", []salesmania.Customer{diskon}},
			{"tag=gros", nil},
			{"tag=%20eceran%20", []salesmania.Customer{sri}},
			{"ext_cust_no=C-0001", []salesmania.Customer{rejeki}},
			{"ext_cust_no=c-0001", nil},
			{"ext_cust_no=C-000", nil},
			// Filters combine with AND.
			{"q=jl&status=true&tag=grosir", []salesmania.Customer{rejeki, apotek}},
			{"q=semarang&tag=grosir", []salesmania.Customer{rejeki}},
			{"status=false&tag=grosir", nil},
			{"q=c-000&status=false", []salesmania.Customer{sri}},
			{"ext_cust_no=AP-77&tag=apotek&q=sehat&status=true", []salesmania.Customer{apotek}},
			{"ext_cust_no=AP-77&status=false", nil},
		} {
			t.Run(tt.query, func(t *testing.T) {
				wantIDs(t, a.mustListAll(t, join(tt.query, "limit=1")), tt.want...)
				p := a.mustList(t, join(tt.query, "include_total=true"))
				wantIDs(t, p.Data, tt.want...)
				if p.Total == nil || *p.Total != int64(len(tt.want)) || p.NextCursor != nil {
					t.Fatalf("total %v, next_cursor %v; want %d and null", p.Total, p.NextCursor, len(tt.want))
				}
			})
		}
		t.Run("IncludeTotal", func(t *testing.T) {
			r := a.call("GET", "/extapi/v1.0/customers?limit=2", "")
			if bytes.Contains(r.body, []byte(`"total"`)) {
				t.Fatalf("total without include_total: %s", r.body)
			}
			if r := a.call("GET", "/extapi/v1.0/customers?include_total=false", ""); bytes.Contains(r.body, []byte(`"total"`)) {
				t.Fatalf("total with include_total=false: %s", r.body)
			}
			p := a.mustList(t, "limit=2&include_total=true")
			wantIDs(t, p.Data, rejeki, sri)
			if *p.Total != 4 || p.NextCursor == nil {
				t.Fatalf("total %d, next_cursor %v; want 4 and more", *p.Total, p.NextCursor)
			}
			// The total counts every page, not what is left.
			p = a.mustList(t, "limit=2&include_total=true&cursor="+url.QueryEscape(*p.NextCursor))
			wantIDs(t, p.Data, apotek, diskon)
			if *p.Total != 4 || p.NextCursor != nil {
				t.Fatalf("total %d, next_cursor %v; want 4 and null", *p.Total, p.NextCursor)
			}
			if p := a.mustList(t, "include_total=true&updated_since="+stamp(sri.UpdatedAt)); *p.Total != 2 {
				t.Fatalf("total since the second customer = %d; want 2", *p.Total)
			}
		})
		t.Run("Limit", func(t *testing.T) {
			p := a.mustList(t, "limit=3")
			wantIDs(t, p.Data, rejeki, sri, apotek)
			// A page that ends exactly at the last row still says so.
			p = a.mustList(t, "limit=1&cursor="+url.QueryEscape(*p.NextCursor))
			wantIDs(t, p.Data, diskon)
			if p.NextCursor != nil {
				t.Fatalf("next_cursor %q after the last row", *p.NextCursor)
			}
			if p := a.mustList(t, "limit=1000"); len(p.Data) != 4 || p.NextCursor != nil {
				t.Fatalf("limit=1000: %d rows, next_cursor %v", len(p.Data), p.NextCursor)
			}
		})
	})
}

func TestCustomerListBadParameters(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		_, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		for i := range 3 {
			a.mustCreate(t, fmt.Sprintf(`{"name":"Toko %d"}`, i))
		}
		idCursor := *a.mustList(t, "limit=1").NextCursor
		timeCursor := *a.mustList(t, "limit=1&updated_since=2000-01-01T00:00:00Z").NextCursor
		for _, tt := range []struct{ query, field string }{
			{"limit=0", "limit"},
			{"limit=1001", "limit"},
			{"limit=-1", "limit"},
			{"limit=abc", "limit"},
			{"limit=1.5", "limit"},
			{"limit=10&limit=20", "limit"},
			{"cursor=junk", "cursor"},
			{"cursor=" + url.QueryEscape(idCursor+"x"), "cursor"},
			{"cursor=eyJpIjowfQ", "cursor"},  // {"i":0}
			{"cursor=eyJpIjotNX0", "cursor"}, // {"i":-5}
			{"cursor=" + strings.Repeat("A", 200), "cursor"},
			{"cursor=" + url.QueryEscape(timeCursor), "cursor"},
			{"cursor=" + url.QueryEscape(idCursor) + "&updated_since=2000-01-01T00:00:00Z", "cursor"},
			{"include_total=yes", "include_total"},
			{"status=yes", "status"},
			{"status=1", "status"},
			{"status=TRUE", "status"},
			{"status=true&status=false", "status"},
			{"updated_since=yesterday", "updated_since"},
			{"updated_since=2024-01-01", "updated_since"},
			{"updated_since=1704067200", "updated_since"},
			{"updated_since=2024-01-01T00:00:00+07:00", "updated_since"}, // an unescaped + is a space
			{"q=" + strings.Repeat("q", 201), "q"},
			{"tag=" + strings.Repeat("t", 51), "tag"},
			{"ext_cust_no=" + strings.Repeat("e", 101), "ext_cust_no"},
			{"name=Toko", "name"},
			{"sort=name", "sort"},
			{"since=2024-01-01T00:00:00Z", "since"},
			{"Limit=10", "Limit"},
		} {
			t.Run(tt.query, func(t *testing.T) {
				wantProblem(t, a.callBad("GET", "/extapi/v1.0/customers?"+tt.query, "", nil), 400, tt.field)
			})
		}
		t.Run("EveryBadParameterNamed", func(t *testing.T) {
			r := a.callBad("GET", "/extapi/v1.0/customers?limit=0&cursor=junk&status=yes&updated_since=yesterday&foo=1&bar=2", "", nil)
			p := wantProblem(t, r, 400)
			var got []string
			for _, f := range p.Errors {
				got = append(got, f.Field)
			}
			slices.Sort(got)
			if want := []string{"bar", "cursor", "foo", "limit", "status", "updated_since"}; !slices.Equal(got, want) {
				t.Fatalf("fields %v; want %v", got, want)
			}
		})
		t.Run("OK/UpdatedSinceOffset", func(t *testing.T) {
			// The same instant with an escaped + offset.
			all := a.mustList(t, "")
			since := all.Data[0].UpdatedAt
			z := a.mustList(t, "updated_since="+stamp(since))
			plus7 := a.mustList(t, "updated_since="+stamp(since.In(time.FixedZone("WIB", 7*3600))))
			wantIDs(t, plus7.Data, z.Data...)
			wantIDs(t, z.Data, all.Data[1:]...)
		})
	})
}

// TestCustomerListWalk is the acceptance test of keyset paging: walking
// every page sees each row that existed at the start exactly once, however
// rows are inserted, changed and deleted between page requests.
func TestCustomerListWalk(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e, tns := newCustomerEnv(t, kind, "PT Maju Jaya", "CV Sinar Abadi")
		a, b := tns[0], tns[1]
		mustStoreCustomers(t, e, a.DBID, 250, func(i int) salesmania.Customer {
			// A tag each: see TestCustomerUpdateKeepsEmptyTags.
			return salesmania.Customer{Name: fmt.Sprintf("Toko %03d", i), Status: true, Tags: []string{"walk"}}
		})
		// Another database's rows interleave by id and must never show.
		others := map[int64]bool{}
		for i := range 10 {
			others[b.mustCreate(t, fmt.Sprintf(`{"name":"Toko %03d"}`, i)).ID] = true
			mustStoreCustomers(t, e, a.DBID, 1, func(int) salesmania.Customer {
				return salesmania.Customer{Name: fmt.Sprintf("Toko Tengah %d", i), Status: true, Tags: []string{"walk"}}
			})
		}
		startIDs := map[int64]bool{}
		for _, c := range a.mustListAll(t, "limit=1000") {
			startIDs[c.ID] = true
		}
		if len(startIDs) != 260 {
			t.Fatalf("%d customers at the start; want 260", len(startIDs))
		}
		seen := map[int64]int{}
		latest := map[int64]string{} // id → the name it was last patched to
		created := map[int64]bool{}
		deleted := map[int64]bool{}
		var order []int64
		cursor := ""
		pages := 0
		for {
			q := "limit=100"
			if cursor == "" {
				q += "&include_total=true"
			} else {
				q += "&cursor=" + url.QueryEscape(cursor)
			}
			p := a.mustList(t, q)
			pages++
			if len(p.Data) > 100 {
				t.Fatalf("page %d has %d rows", pages, len(p.Data))
			}
			if pages == 1 && (p.Total == nil || *p.Total != 260) {
				t.Fatalf("total %v; want 260", p.Total)
			}
			for _, c := range p.Data {
				seen[c.ID]++
				order = append(order, c.ID)
				if others[c.ID] {
					t.Fatalf("customer %d of another database listed", c.ID)
				}
				if want, ok := latest[c.ID]; ok && c.Name != want {
					t.Errorf("customer %d listed as %q; want its latest name %q", c.ID, c.Name, want)
				}
			}
			if p.NextCursor == nil {
				break
			}
			cursor = *p.NextCursor
			// Between pages: new rows, changes to rows already seen and
			// not yet seen, and a deletion ahead of the cursor.
			last := p.Data[len(p.Data)-1].ID
			var ahead []int64
			for id := range startIDs {
				if id > last && !deleted[id] {
					ahead = append(ahead, id)
				}
			}
			slices.Sort(ahead)
			if len(ahead) < 2 {
				t.Fatalf("only %d rows ahead of page %d; the walk should go on", len(ahead), pages)
			}
			for i := range 5 {
				c := a.mustCreate(t, fmt.Sprintf(`{"name":"Toko Baru %d-%d"}`, pages, i))
				created[c.ID] = true
			}
			for _, id := range []int64{p.Data[0].ID, last, ahead[0], ahead[len(ahead)/2], ahead[len(ahead)-1]} {
				name := fmt.Sprintf("Diubah %d di halaman %d", id, pages)
				a.mustPatch(t, id, js(map[string]string{"name": name}))
				latest[id] = name
			}
			gone := ahead[1]
			mustOK(t, a.call("DELETE", "/extapi/v1.0/customers/"+itoa(gone), ""))
			deleted[gone] = true
		}
		if pages < 3 {
			t.Fatalf("%d pages; want at least 3", pages)
		}
		if !slices.IsSorted(order) {
			t.Fatal("ids not ascending across pages")
		}
		for id := range startIDs {
			switch {
			case deleted[id] && seen[id] != 0:
				t.Errorf("customer %d deleted ahead of the cursor was listed", id)
			case !deleted[id] && seen[id] != 1:
				t.Errorf("customer %d seen %d times; want once", id, seen[id])
			}
		}
		for id, n := range seen {
			if !startIDs[id] && !created[id] {
				t.Errorf("customer %d listed but never created", id)
			}
			if created[id] && n > 1 {
				t.Errorf("new customer %d seen %d times", id, n)
			}
		}
	})
}

// TestCustomerSync walks an updated_since list the way a phone syncs.
func TestCustomerSync(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		mustStoreCustomers(t, e, a.DBID, 30, func(i int) salesmania.Customer {
			return salesmania.Customer{Name: fmt.Sprintf("Toko %02d", i), Status: true, Tags: []string{"sync"}}
		})
		all := a.mustListAll(t, "")
		since := "2000-01-01T00:00:00Z"

		t.Run("Walk", func(t *testing.T) {
			var got []salesmania.Customer
			cursor := ""
			var movedSeen, movedAhead, noop int64
			for pages := 1; ; pages++ {
				q := "limit=10&updated_since=" + since
				if cursor != "" {
					q += "&cursor=" + url.QueryEscape(cursor)
				} else {
					q += "&include_total=true"
				}
				p := a.mustList(t, q)
				if pages == 1 && *p.Total != 30 {
					t.Fatalf("total = %d; want 30", *p.Total)
				}
				got = append(got, p.Data...)
				if p.NextCursor == nil {
					break
				}
				cursor = *p.NextCursor
				if pages == 1 {
					// A row already read changes: it comes again at the end.
					movedSeen = p.Data[3].ID
					a.mustPatch(t, movedSeen, `{"city":"Kudus"}`)
					// A row not yet read changes: it comes once, at the end.
					movedAhead = all[15].ID
					a.mustPatch(t, movedAhead, `{"city":"Pati"}`)
					// A PATCH that changes nothing moves nothing.
					noop = all[20].ID
					a.mustPatch(t, noop, `{"name":"`+all[20].Name+`"}`)
				}
			}
			count := map[int64]int{}
			for i, c := range got {
				count[c.ID]++
				if i > 0 {
					prev := got[i-1]
					if !(c.UpdatedAt.After(prev.UpdatedAt) || c.UpdatedAt.Equal(prev.UpdatedAt) && c.ID > prev.ID) {
						t.Fatalf("row %d (%v, %d) does not follow (%v, %d)", i, c.UpdatedAt, c.ID, prev.UpdatedAt, prev.ID)
					}
				}
			}
			for _, c := range all {
				want := 1
				if c.ID == movedSeen {
					want = 2
				}
				if count[c.ID] != want {
					t.Errorf("customer %d listed %d times; want %d", c.ID, count[c.ID], want)
				}
			}
			if n := len(got); n != 31 {
				t.Fatalf("%d rows; want 31", n)
			}
			// The last two are the changed rows, in the order they changed, as they now are.
			tail := got[len(got)-2:]
			if tail[0].ID != movedSeen || tail[0].City != "Kudus" || tail[1].ID != movedAhead || tail[1].City != "Pati" {
				t.Fatalf("walk ends with %+v; want customers %d (Kudus) then %d (Pati)", tail, movedSeen, movedAhead)
			}
			// The next sync, from the largest updated_at seen, finds nothing.
			wantIDs(t, a.mustList(t, "updated_since="+stamp(tail[1].UpdatedAt)).Data)
		})
		t.Run("StrictlyAfter", func(t *testing.T) {
			all := a.mustListAll(t, "updated_since="+since)
			pivot := all[10]
			var want []salesmania.Customer
			for _, c := range all {
				if c.UpdatedAt.After(pivot.UpdatedAt) {
					want = append(want, c)
				}
			}
			wantIDs(t, a.mustListAll(t, "limit=7&updated_since="+stamp(pivot.UpdatedAt)), want...)
			// Sub-microsecond instants: half a microsecond later still
			// excludes the pivot, half a microsecond earlier includes it.
			wantIDs(t, a.mustListAll(t, "updated_since="+stamp(pivot.UpdatedAt.Add(500*time.Nanosecond))), want...)
			earlier := a.mustListAll(t, "updated_since="+stamp(pivot.UpdatedAt.Add(-500*time.Nanosecond)))
			if len(earlier) == 0 || !slices.Contains(ids(earlier), pivot.ID) {
				t.Fatalf("updated_since half a µs before customer %d does not list it", pivot.ID)
			}
			if p := a.mustList(t, "updated_since="+stamp(time.Now().Add(time.Hour))); len(p.Data) != 0 || p.NextCursor != nil {
				t.Fatalf("future updated_since: %+v", p)
			}
		})
	})
}
