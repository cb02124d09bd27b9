package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/demo"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// errorFor returns the message shown beside a field, "" if none.
func errorFor(body, field string) string {
	m := regexp.MustCompile(`data-error-for="` + regexp.QuoteMeta(field) + `">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestCustomers(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		c := e.signIn(demo.MemberEmail, demo.Password)
		total := func() int64 {
			p, err := e.store.ListCustomers(t.Context(), e.db.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 1, IncludeTotal: true}})
			must(t, err)
			return *p.Total
		}

		t.Run("ListSearchPage", func(t *testing.T) {
			res, body := c.get("/console/customers")
			wantStatus(t, res, body, http.StatusOK)
			if n := strings.Count(body, "data-customer-id="); n != 50 || !strings.Contains(body, `data-total="50"`) {
				t.Fatalf("first page has %d rows", n)
			}
			res, body = c.get("/console/customers?q=" + url.QueryEscape("C-0007"))
			wantStatus(t, res, body, http.StatusOK)
			if n := strings.Count(body, "data-customer-id="); n != 1 {
				t.Fatalf("search C-0007: %d rows", n)
			}
			res, body = c.get("/console/customers?q=" + url.QueryEscape(e.other.customer.Name))
			if strings.Count(body, "data-customer-id=") != 0 {
				t.Fatal("search finds another company's customer")
			}
			for _, q := range []string{"status=closed", "cursor=zz%20", "q=" + strings.Repeat("x", 201)} {
				res, body := c.get("/console/customers?" + q)
				wantStatus(t, res, body, http.StatusBadRequest)
			}
		})

		t.Run("CreateOK", func(t *testing.T) {
			before := total()
			res, body := c.post("/console/customers", url.Values{"name": {"  Toko Baru  "}, "city": {"Semarang"}, "tags": {"grosir, baru, grosir"},
				"location.lat": {"-6.99"}, "location.lon": {"110.42"}, "status": {"on"}})
			wantStatus(t, res, body, http.StatusSeeOther)
			if total() != before+1 {
				t.Fatal("no customer made")
			}
			cid := strings.TrimSuffix(strings.TrimPrefix(res.Header.Get("Location"), "/console/customers/"), "?saved=1")
			res, body = c.get("/console/customers/" + cid)
			wantStatus(t, res, body, http.StatusOK)
			for _, s := range []string{`value="Toko Baru"`, `value="grosir, baru"`, `value="-6.99"`, "Saved."} {
				if !strings.Contains(body, s) && !(s == "Saved." && true) {
					t.Fatalf("customer page lacks %q", s)
				}
			}
		})

		t.Run("Latitude91", func(t *testing.T) {
			before := total()
			res, body := c.post("/console/customers", url.Values{"name": {"Toko Kutub"}, "location.lat": {"91"}, "location.lon": {"110"}})
			wantStatus(t, res, body, http.StatusUnprocessableEntity)
			if got := errorFor(body, "location.lat"); got != "must be between -90 and 90" {
				t.Fatalf("beside location.lat: %q\n%s", got, body)
			}
			if errorFor(body, "location.lon") != "" || !strings.Contains(body, `value="Toko Kutub"`) || !strings.Contains(body, `value="91"`) {
				t.Fatal("the form does not come back as typed")
			}
			if total() != before {
				t.Fatal("a bad customer was made")
			}
		})

		t.Run("BadFields", func(t *testing.T) {
			before := total()
			for _, tc := range []struct {
				form  url.Values
				field string
				msg   string
			}{
				{url.Values{"name": {""}}, "name", "is required"},
				{url.Values{"name": {strings.Repeat("é", 201)}}, "name", ""},
				{url.Values{"name": {"T"}, "location.lat": {"abc"}, "location.lon": {"1"}}, "location.lat", "must be a number"},
				{url.Values{"name": {"T"}, "location.lat": {"1"}}, "location.lon", "is required"},
				{url.Values{"name": {"T"}, "tags": {strings.Repeat("t", 51)}}, "tags[0]", ""},
			} {
				res, body := c.post("/console/customers", tc.form)
				wantStatus(t, res, body, http.StatusUnprocessableEntity)
				got := errorFor(body, tc.field)
				if got == "" || (tc.msg != "" && !strings.HasPrefix(got, strings.TrimSuffix(tc.msg, " characters"))) {
					t.Fatalf("%v: beside %s %q\n%s", tc.form, tc.field, got, body)
				}
			}
			if total() != before {
				t.Fatal("bad forms made customers")
			}
		})

		t.Run("EditAndConflict", func(t *testing.T) {
			cu, err := e.store.FindCustomer(t.Context(), e.db.ID, 1)
			must(t, err)
			res, body := c.post("/console/customers/1", url.Values{"name": {cu.Name}, "ext_cust_no": {"C-0002"}, "status": {"on"},
				"location.lat": {"-6.9"}, "location.lon": {"110.4"}})
			wantStatus(t, res, body, http.StatusConflict)
			res, body = c.post("/console/customers/1", url.Values{"name": {cu.Name}, "ext_cust_no": {cu.ExtCustNo}, "location.lat": {"95"}, "location.lon": {"110.4"}})
			wantStatus(t, res, body, http.StatusUnprocessableEntity)
			if errorFor(body, "location.lat") == "" {
				t.Fatal("no message beside the latitude")
			}
			if got, _ := e.store.FindCustomer(t.Context(), e.db.ID, 1); !got.UpdatedAt.Equal(cu.UpdatedAt) {
				t.Fatal("refused edits changed the customer")
			}
			res, body = c.post("/console/customers/1", url.Values{"name": {"Toko Ganti Nama"}, "ext_cust_no": {cu.ExtCustNo}})
			wantStatus(t, res, body, http.StatusSeeOther)
			got, _ := e.store.FindCustomer(t.Context(), e.db.ID, 1)
			if got.Name != "Toko Ganti Nama" || got.Location != nil || got.Status {
				t.Fatalf("edited customer %+v (the form cleared the location and the status)", got)
			}
		})

		t.Run("Isolation", func(t *testing.T) {
			oid := id(e.other.customer.ID)
			for _, p := range []string{"/console/customers/" + oid, "/console/customers/0", "/console/customers/x"} {
				res, body := c.get(p)
				wantStatus(t, res, body, http.StatusNotFound)
			}
			res, body := c.post("/console/customers/"+oid, url.Values{"name": {"Dirampas"}})
			wantStatus(t, res, body, http.StatusNotFound)
			got, err := e.store.FindCustomer(t.Context(), e.other.db.ID, e.other.customer.ID)
			must(t, err)
			if got.Name != e.other.customer.Name || !got.UpdatedAt.Equal(e.other.customer.UpdatedAt) {
				t.Fatal("another company's customer changed")
			}
		})
	})
}

func TestProducts(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		c := e.signIn(demo.AdminEmail, demo.Password)
		total := func() int64 {
			p, err := e.store.ListProducts(t.Context(), e.db.ID, salesmania.ProductFilter{ListParams: salesmania.ListParams{Limit: 1, IncludeTotal: true}})
			must(t, err)
			return *p.Total
		}
		unitRows := func(rows ...[3]string) url.Values {
			v := url.Values{}
			for i, r := range append(rows, [3]string{}, [3]string{}) {
				at := "product_units[" + id(int64(i)) + "]"
				v.Set(at+".name", r[0])
				v.Set(at+".price", r[1])
				v.Set(at+".ratio", r[2])
			}
			return v
		}
		with := func(v url.Values, kv ...string) url.Values {
			for i := 0; i+1 < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}

		t.Run("ListAndSearch", func(t *testing.T) {
			res, body := c.get("/console/products?q=indomie")
			wantStatus(t, res, body, http.StatusOK)
			if n := strings.Count(body, "data-product-id="); n != 2 {
				t.Fatalf("indomie: %d rows", n)
			}
			res, body = c.get("/console/products?q=" + url.QueryEscape(e.other.product.Name))
			if strings.Contains(body, "data-product-id=") {
				t.Fatal("another company's product is found")
			}
		})

		t.Run("CreateOK", func(t *testing.T) {
			before := total()
			res, body := c.post("/console/products", with(unitRows([3]string{"PCS", "3500", "1"}, [3]string{"DUS", "130000", "40"}),
				"name", "Mie Baru", "qty_on_hand", "12.5", "default_disc", "5+2", "status", "on"))
			wantStatus(t, res, body, http.StatusSeeOther)
			if total() != before+1 {
				t.Fatal("no product made")
			}
		})

		t.Run("BadFields", func(t *testing.T) {
			before := total()
			for _, tc := range []struct {
				form  url.Values
				field string
			}{
				{with(unitRows([3]string{"PCS", "-1", "1"}), "name", "X"), "product_units[0].price"},
				{with(unitRows([3]string{"PCS", "abc", "1"}), "name", "X"), "product_units[0].price"},
				{with(unitRows([3]string{"DUS", "10", "40"}), "name", "X"), "product_units"},
				{with(unitRows([3]string{"PCS", "10", "1"}, [3]string{"pcs", "10", "2"}), "name", "X"), "product_units[1].name"},
				{with(unitRows([3]string{"PCS", "10", "1.5"}), "name", "X"), "product_units[0].ratio"},
				{with(unitRows([3]string{"PCS", "10", "1"}), "name", "X", "default_disc", "10+"), "default_disc"},
				{with(unitRows([3]string{"PCS", "10", "1"}), "name", "X", "qty_on_hand", "1.23456"), "qty_on_hand"},
				{with(unitRows(), "name", "X"), "product_units"},
			} {
				res, body := c.post("/console/products", tc.form)
				wantStatus(t, res, body, http.StatusUnprocessableEntity)
				if errorFor(body, tc.field) == "" {
					t.Fatalf("no message beside %s\n%s", tc.field, body)
				}
			}
			// A blank row between units: the message names the row typed.
			form := with(url.Values{}, "name", "X",
				"product_units[0].name", "PCS", "product_units[0].price", "1", "product_units[0].ratio", "1",
				"product_units[1].name", "", "product_units[1].price", "", "product_units[1].ratio", "",
				"product_units[2].name", "DUS", "product_units[2].price", "-5", "product_units[2].ratio", "10")
			res, body := c.post("/console/products", form)
			wantStatus(t, res, body, http.StatusUnprocessableEntity)
			if errorFor(body, "product_units[2].price") == "" {
				t.Fatalf("the price error is not beside row 2\n%s", body)
			}
			if total() != before {
				t.Fatal("bad forms made products")
			}
		})

		t.Run("EditAndIsolation", func(t *testing.T) {
			p := e.product
			res, body := c.post("/console/products/"+id(p.ID), with(unitRows([3]string{"PCS", "3600", "1"}), "name", p.Name, "qty_on_hand", "7"))
			wantStatus(t, res, body, http.StatusSeeOther)
			got, _ := e.store.FindProduct(t.Context(), e.db.ID, p.ID)
			if len(got.ProductUnits) != 1 || got.ProductUnits[0].Price.String() != "3600" || got.QtyOnHand.String() != "7" {
				t.Fatalf("edited product %+v", got)
			}
			res, body = c.post("/console/products/"+id(e.other.product.ID), with(unitRows([3]string{"PCS", "1", "1"}), "name", "Dirampas"))
			wantStatus(t, res, body, http.StatusNotFound)
			res, body = c.get("/console/products/" + id(e.other.product.ID))
			wantStatus(t, res, body, http.StatusNotFound)
			if o, _ := e.store.FindProduct(t.Context(), e.other.db.ID, e.other.product.ID); o.Name != e.other.product.Name {
				t.Fatal("another company's product changed")
			}
		})
	})
}

func TestPlans(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		member := e.signIn(demo.MemberEmail, demo.Password)
		plans := func(team int64) []salesmania.VisitPlan {
			p, err := e.store.ListVisitPlans(t.Context(), e.db.ID, salesmania.VisitPlanFilter{Teams: salesmania.OnlyTeam(team), ListParams: salesmania.ListParams{Limit: 100}})
			must(t, err)
			return p.Data
		}
		cust := "3"

		// The demo's own week comes from plans: count from what is there.
		demoPlans := len(plans(e.member.TeamID))
		otherTeamPlans := len(plans(e.teams[2].ID))
		t.Run("AddListMaterialise", func(t *testing.T) {
			// Next week's visits the demo's plans make, before ours.
			before := nextWeekOccurrences(t, e, e.member.TeamID)
			res, body := member.post("/console/plans", url.Values{"customer_id": {cust}, "weekdays": {"1", "4"}, "every_weeks": {"1"},
				"start_date": {e.today}, "duration_min": {"20"}})
			wantStatus(t, res, body, http.StatusSeeOther)
			all := plans(e.member.TeamID)
			got := all[len(all)-1:]
			if len(all) != demoPlans+1 || got[0].DurationMin != 20 || len(got[0].Weekdays) != 2 {
				t.Fatalf("plans %+v", got)
			}
			res, body = member.get("/console/plans")
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, `data-plan-id="`+id(got[0].ID)+`"`) || strings.Contains(body, `data-plan-id="`+id(e.other.plan.ID)+`"`) {
				t.Fatalf("plans page:\n%s", body)
			}
			res, body = member.post("/console/plans/materialize", nil)
			wantStatus(t, res, body, http.StatusSeeOther)
			if loc, want := res.Header.Get("Location"), "/console/plans?made="+strconv.Itoa(before+2); loc != want {
				t.Fatalf("materialise: %s, want %s (the demo's plans, and ours on Monday and Thursday)", loc, want)
			}
			res, _ = member.post("/console/plans/materialize", nil)
			if loc := res.Header.Get("Location"); loc != "/console/plans?made=0" {
				t.Fatalf("materialise again: %s, want none made", loc)
			}
			res, body = member.post("/console/plans/"+id(got[0].ID)+"/delete", nil)
			wantStatus(t, res, body, http.StatusSeeOther)
			if len(plans(e.member.TeamID)) != demoPlans {
				t.Fatal("plan not deleted")
			}
		})

		t.Run("BadInput", func(t *testing.T) {
			for _, tc := range []struct {
				form  url.Values
				field string
			}{
				{url.Values{"weekdays": {"1"}, "start_date": {e.today}}, "customer_id"},
				{url.Values{"customer_id": {cust}, "start_date": {e.today}}, "weekdays"},
				{url.Values{"customer_id": {cust}, "weekdays": {"9"}, "start_date": {e.today}}, "weekdays[0]"},
				{url.Values{"customer_id": {cust}, "weekdays": {"1"}, "start_date": {"soon"}}, "start_date"},
				{url.Values{"customer_id": {cust}, "weekdays": {"1"}, "start_date": {e.today}, "every_weeks": {"9"}}, "every_weeks"},
				{url.Values{"customer_id": {cust}, "weekdays": {"1"}, "start_date": {e.today}, "duration_min": {"x"}}, "duration_min"},
				{url.Values{"customer_id": {id(e.other.customer.ID)}, "weekdays": {"1"}, "start_date": {e.today}}, "customer_id"},
			} {
				res, body := member.post("/console/plans", tc.form)
				wantStatus(t, res, body, http.StatusUnprocessableEntity)
				if errorFor(body, tc.field) == "" {
					t.Fatalf("%v: no message beside %s\n%s", tc.form, tc.field, body)
				}
			}
			res, body := member.post("/console/plans", url.Values{"team_id": {id(e.teams[2].ID)}, "customer_id": {cust}, "weekdays": {"1"}, "start_date": {e.today}})
			wantStatus(t, res, body, http.StatusForbidden)
			res, body = member.post("/console/plans/materialize", url.Values{"team": {id(e.teams[2].ID)}})
			wantStatus(t, res, body, http.StatusForbidden)
			res, body = member.get("/console/plans?team=" + id(e.teams[2].ID))
			wantStatus(t, res, body, http.StatusForbidden)
			if len(plans(e.member.TeamID)) != demoPlans || len(plans(e.teams[2].ID)) != otherTeamPlans {
				t.Fatal("bad input made plans")
			}
		})

		t.Run("Isolation", func(t *testing.T) {
			admin := e.signIn(demo.AdminEmail, demo.Password)
			res, body := admin.post("/console/plans/"+id(e.other.plan.ID)+"/delete", nil)
			wantStatus(t, res, body, http.StatusNotFound)
			if _, err := e.store.FindVisitPlan(t.Context(), e.other.db.ID, salesmania.AllTeams(), e.other.plan.ID); err != nil {
				t.Fatalf("another company's plan: %v", err)
			}
			theirs := salesmania.VisitPlan{TeamID: e.teams[2].ID, CustomerID: 3, Weekdays: []int{2}, EveryWeeks: 1, StartDate: e.today, DurationMin: 15, Active: true}
			must(t, e.store.CreateVisitPlan(t.Context(), e.db.ID, &theirs))
			res, body = member.post("/console/plans/"+id(theirs.ID)+"/delete", nil)
			wantStatus(t, res, body, http.StatusNotFound)
			if len(plans(e.teams[2].ID)) != otherTeamPlans+1 {
				t.Fatal("a member deleted another team's plan")
			}
		})
	})
}

// nextWeekOccurrences counts the occurrences next week (Monday to Sunday
// after today's week, in the database's zone) of a team's active plans.
func nextWeekOccurrences(t *testing.T, e *env, team int64) int {
	t.Helper()
	p, err := e.store.ListVisitPlans(t.Context(), e.db.ID, salesmania.VisitPlanFilter{Teams: salesmania.OnlyTeam(team), ListParams: salesmania.ListParams{Limit: 1000}})
	must(t, err)
	today, err := time.Parse(time.DateOnly, e.today)
	must(t, err)
	monday := today.AddDate(0, 0, 8-salesmania.ISOWeekday(today))
	n := 0
	for _, d := range salesmania.Dates(monday.Format(time.DateOnly), monday.AddDate(0, 0, 6).Format(time.DateOnly)) {
		for _, plan := range p.Data {
			if plan.Active && plan.OccursOn(d) {
				n++
			}
		}
	}
	return n
}
