package main

import (
	"bytes"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
)

// demoURL returns the address the demo printed on stdout once it printed
// all of its text, or "".
func demoURL(p *program) string {
	out := p.stdout.String()
	if !strings.Contains(out, "Stop with Ctrl-C.") {
		return ""
	}
	m := regexp.MustCompile(`is served at (http://\S+)\n`).FindStringSubmatch(out)
	if m == nil {
		return ""
	}
	return m[1]
}

// demoText is what the demo printed, read back.
type demoText struct {
	dbFile   string
	existing bool
	logins   []demoLogin
	// The "Try it" lines: the admin's credentials, the URLs and the sed
	// expressions that cut the tokens out of the answers.
	email, password                  string
	tokenURL, databasesURL, teamsURL string
	teamTokenURL                     string
	tokenSed, teamTokenSed           *regexp.Regexp
	// today is the date of the "Try it" line listing today's visits.
	today string
}

type demoLogin struct{ email, password, role, team string }

func parseDemo(t *testing.T, out string) demoText {
	t.Helper()
	var d demoText
	must := func(re string) []string {
		t.Helper()
		m := regexp.MustCompile(re).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("the demo's text has no match for %s:\n%s", re, out)
		}
		return m
	}
	m := must(`(?m)^database file: (\S+)( \(demo data was there already\))?$`)
	d.dbFile, d.existing = m[1], m[2] != ""
	for _, m := range regexp.MustCompile(`(?m)^  (\S+@\S+) +password (\S+) +role (\S+) +team (.+)$`).FindAllStringSubmatch(out, -1) {
		d.logins = append(d.logins, demoLogin{m[1], m[2], m[3], m[4]})
	}
	m = must(`(?m)^  TOKEN=\$\(curl -s -u '([^:']+):([^']+)' (\S+) \| sed -E 's/(.+)/\\1/'\)$`)
	d.email, d.password, d.tokenURL = m[1], m[2], m[3]
	d.tokenSed = regexp.MustCompile(m[4])
	m = must(`(?m)^  curl -s -H "Authorization: Bearer \$TOKEN" (\S+/databases)$`)
	d.databasesURL = m[1]
	m = must(`(?m)^  TEAM=\$\(curl -s -H "Authorization: Bearer \$TOKEN" '(\S+)' \| sed -E 's/(.+)/\\1/'\)$`)
	d.teamTokenURL = m[1]
	d.teamTokenSed = regexp.MustCompile(m[2])
	m = must(`(?m)^  curl -s -H "Authorization: Bearer \$TOKEN" -H "X-Team-Token: \$TEAM" (\S+)$`)
	d.teamsURL = m[1]
	m = must(`(?m)^  curl .* '\S+/extapi/v1\.1/visits\?date=(\d{4}-\d{2}-\d{2})'$`)
	d.today = m[1]
	return d
}

// path returns the path and query of one of the demo's URLs on p, failing
// the test if the URL is on another server.
func (p *program) path(t *testing.T, url string) string {
	t.Helper()
	path, ok := strings.CutPrefix(url, p.URL)
	if !ok {
		t.Fatalf("the demo printed %s, not on its server %s", url, p.URL)
	}
	return path
}

// sedCut does what the demo's "sed -E 's/RE/\1/'" does to a one-line answer.
func sedCut(t *testing.T, re *regexp.Regexp, body []byte) string {
	t.Helper()
	m := re.FindSubmatch(body)
	if m == nil {
		t.Fatalf("the sed expression %s does not match the answer %s", re, body)
	}
	return string(m[1])
}

// followDemo follows the "Try it" lines of the demo's text over HTTP, then
// logs the member in, and returns the demo database's id and its teams'
// ids by name.
func followDemo(t *testing.T, p *program, d demoText) (dbID int64, teamIDs map[string]int64) {
	t.Helper()
	wantLogins := []demoLogin{
		{"admin@majujaya.example", "salesmania-demo", "admin", "Kantor Pusat"},
		{"budi@majujaya.example", "salesmania-demo", "member", "Budi Santoso"},
	}
	if len(d.logins) != len(wantLogins) {
		t.Fatalf("logins = %v; want %v", d.logins, wantLogins)
	}
	for i := range wantLogins {
		if d.logins[i] != wantLogins[i] {
			t.Errorf("login %d = %v; want %v", i, d.logins[i], wantLogins[i])
		}
	}
	if d.email != wantLogins[0].email || d.password != wantLogins[0].password {
		t.Errorf("the curl lines log in as %s:%s; want the admin", d.email, d.password)
	}

	tokenBody := p.mustGet(t, p.path(t, d.tokenURL), "Authorization", basicAuth(d.email, d.password))
	bearer := sedCut(t, d.tokenSed, tokenBody)
	var tok struct{ Token string }
	if err := json.Unmarshal(tokenBody, &tok); err != nil || tok.Token != bearer {
		t.Fatalf("sed cut %q out of %s", bearer, tokenBody)
	}

	var dbs struct {
		Data []struct{ ID int64 }
	}
	body := p.mustGet(t, p.path(t, d.databasesURL), "Authorization", "Bearer "+bearer)
	if err := json.Unmarshal(body, &dbs); err != nil || len(dbs.Data) != 1 {
		t.Fatalf("databases = %s; want one", body)
	}
	dbID = dbs.Data[0].ID
	if want := "/extapi/v1.0/team_token?db_id=" + itoa(dbID); p.path(t, d.teamTokenURL) != want {
		t.Errorf("the team token line asks for %s; want %s", d.teamTokenURL, want)
	}

	body = p.mustGet(t, p.path(t, d.teamTokenURL), "Authorization", "Bearer "+bearer)
	teamToken := sedCut(t, d.teamTokenSed, body)

	var teams struct {
		Data []struct {
			ID                int64  `json:"id"`
			Name              string `json:"name"`
			ExtSalesmanNumber string `json:"ext_salesman_number"`
			Status            bool   `json:"status"`
		}
	}
	body = p.mustGet(t, p.path(t, d.teamsURL), "Authorization", "Bearer "+bearer, "X-Team-Token", teamToken)
	if err := json.Unmarshal(body, &teams); err != nil {
		t.Fatal(err)
	}
	teamIDs = map[string]int64{}
	var want []map[string]any
	for i, name := range []string{"Kantor Pusat", "Budi Santoso", "Siti Rahayu", "Agus Wijaya"} {
		if i < len(teams.Data) {
			teamIDs[name] = teams.Data[i].ID
		}
		want = append(want, map[string]any{"id": teamIDs[name], "name": name, "ext_salesman_number": "S-0" + itoa(int64(i)), "status": true})
	}
	wantJSON(t, body, map[string]any{"data": want})
	wantJSON(t, p.mustGet(t, p.path(t, d.databasesURL), "Authorization", "Bearer "+bearer), map[string]any{"data": []map[string]any{
		{"id": dbID, "name": "PT Maju Jaya", "team_id": teamIDs["Kantor Pusat"], "team_name": "Kantor Pusat", "role": "admin"},
	}})

	// The member sees its own membership only, and may act for its team.
	member := wantLogins[1]
	memberBearer := p.login(t, member.email, member.password)
	wantJSON(t, p.mustGet(t, "/extapi/v1.0/databases", "Authorization", "Bearer "+memberBearer), map[string]any{"data": []map[string]any{
		{"id": dbID, "name": "PT Maju Jaya", "team_id": teamIDs["Budi Santoso"], "team_name": "Budi Santoso", "role": "member"},
	}})
	memberTeamToken := p.teamToken(t, memberBearer, dbID, teamIDs["Budi Santoso"])
	wantJSON(t, p.mustGet(t, "/extapi/v1.0/teams", "Authorization", "Bearer "+memberBearer, "X-Team-Token", memberTeamToken), map[string]any{"data": want})

	for _, secret := range []string{bearer, teamToken, memberBearer, memberTeamToken, "argon2id"} {
		if strings.Contains(p.stderr.String(), secret) {
			t.Errorf("the demo's log shows a secret %.8s…", secret)
		}
	}
	return dbID, teamIDs
}

func TestDemo(t *testing.T) {
	t.Parallel()

	// Without --db the demo makes a database in a new temporary directory.
	t.Run("OKTemporaryDatabase", func(t *testing.T) {
		t.Parallel()
		started := time.Now()
		p := start(t, nil, demoURL, "demo", "--addr", "127.0.0.1:0")
		d := parseDemo(t, p.stdout.String())
		dir := filepath.Dir(d.dbFile)
		t.Cleanup(func() { os.RemoveAll(dir) }) // after the program stopped
		if !strings.HasPrefix(filepath.Base(dir), "salesmania-demo-") || filepath.Base(d.dbFile) != "salesmania.db" {
			t.Errorf("database file %s; want salesmania.db in a new salesmania-demo-* directory", d.dbFile)
		}
		if _, err := os.Stat(d.dbFile); err != nil {
			t.Errorf("database file: %v", err)
		}
		if d.existing {
			t.Errorf("a new demo database says the data was there already")
		}
		if !strings.Contains(p.stdout.String(), "salesmania demo: PT Maju Jaya is served at "+p.URL+"\n") {
			t.Errorf("stdout:\n%s", p.stdout)
		}
		dbID, teamIDs := followDemo(t, p, d)
		checkDemoDay(t, p, d, dbID, teamIDs, started)
		p.mustStop(t)
		p.stopped = true
	})

	// With --db the demo fills that file; a second run finds the data there,
	// says so, and the same logins reach the same database and teams.
	t.Run("OKGivenDatabaseTwice", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "demo.db")

		p := start(t, nil, demoURL, "demo", "--addr", "127.0.0.1:0", "--db", path)
		d := parseDemo(t, p.stdout.String())
		if d.dbFile != path || d.existing {
			t.Errorf("database file %s (existing %v); want %s, new", d.dbFile, d.existing, path)
		}
		dbID, teamIDs := followDemo(t, p, d)
		p.mustStop(t)
		p.stopped = true

		p = start(t, nil, demoURL, "demo", "--addr", "127.0.0.1:0", "--db", path)
		d = parseDemo(t, p.stdout.String())
		if d.dbFile != path || !d.existing {
			t.Errorf("database file %s (existing %v); want %s, existing", d.dbFile, d.existing, path)
		}
		dbID2, teamIDs2 := followDemo(t, p, d)
		if dbID2 != dbID {
			t.Errorf("the second run serves database %d; want %d", dbID2, dbID)
		}
		for name, id := range teamIDs {
			if teamIDs2[name] != id {
				t.Errorf("team %s has id %d in the second run; want %d", name, teamIDs2[name], id)
			}
		}
		p.mustStop(t)
		p.stopped = true
	})
}

// demoVisit is a visit as the API answers it, with what checkDemoDay reads.
type demoVisit struct {
	ID         int64  `json:"id"`
	TeamID     int64  `json:"team_id"`
	CustomerID int64  `json:"customer_id"`
	Seq        int64  `json:"seq"`
	Status     string `json:"status"`
	Outcome    string `json:"outcome"`
	CheckIn    *struct {
		At           time.Time `json:"at"`
		DeviceTime   *string   `json:"device_time"`
		Lat, Lon     *float64
		AccuracyM    *float64 `json:"accuracy_m"`
		Mocked       bool     `json:"mocked"`
		DistanceM    *int64   `json:"distance_m"`
		Verification *string  `json:"verification"`
	} `json:"check_in"`
	CheckOut *struct {
		At         time.Time `json:"at"`
		DeviceTime *string   `json:"device_time"`
	} `json:"check_out"`
	Customer struct {
		Location *salesmania.Location `json:"location"`
	} `json:"customer"`
}

// demoOrder is an order as the API answers it, its money as numbers.
type demoOrder struct {
	TeamID          int64  `json:"team_id"`
	CustomerID      int64  `json:"customer_id"`
	Status          string `json:"status"`
	VisitStatus     string `json:"visit_status"`
	OrderedProducts []struct {
		ProductID       int64       `json:"product_id"`
		Qty             json.Number `json:"qty"`
		Unit            string      `json:"unit"`
		Price           json.Number `json:"price"`
		ItemDiscPercent string      `json:"item_disc_percent"`
		ItemDiscAmount  json.Number `json:"item_disc_amount"`
		Gross           json.Number `json:"gross"`
		Discount        json.Number `json:"discount"`
		Net             json.Number `json:"net"`
	} `json:"ordered_products"`
	DiscPercent string      `json:"disc_percent"`
	DiscAmount  json.Number `json:"disc_amount"`
	TotalPaid   json.Number `json:"total_paid"`
	Subtotal    json.Number `json:"subtotal"`
	Discount    json.Number `json:"discount"`
	Total       json.Number `json:"total"`
}

// checkDemoDay reads today's visits and orders of the demo through the API
// and checks the day it promises: today in the database's time zone; per
// salesman the first visit done with a verified check-in a few metres off
// the shop, exactly one check-in 1.2–1.6 km off (unverified), one visit
// skipped with an outcome, the rest planned, seqs 1..n; orders taken at done
// visits, in Baru, Diproses and Lunas, at the catalogue's prices, their
// money as §6.1 computes it.
func checkDemoDay(t *testing.T, p *program, d demoText, dbID int64, teamIDs map[string]int64, started time.Time) {
	t.Helper()
	bearer := p.login(t, d.email, d.password)
	auth := []string{"Authorization", "Bearer " + bearer, "X-Team-Token", p.teamToken(t, bearer, dbID, teamIDs["Kantor Pusat"])}
	getJSON := func(path string, v any) {
		t.Helper()
		dec := json.NewDecoder(bytes.NewReader(p.mustGet(t, path, auth...)))
		dec.UseNumber()
		if err := dec.Decode(v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}

	var set salesmania.Settings
	getJSON("/extapi/v1.0/settings", &set)
	if set != salesmania.DefaultSettings() {
		t.Errorf("settings = %+v; want the defaults", set)
	}
	loc, err := time.LoadLocation(set.Timezone)
	if err != nil {
		t.Fatal(err)
	}
	if d.today != started.In(loc).Format(time.DateOnly) && d.today != time.Now().In(loc).Format(time.DateOnly) {
		t.Fatalf("the demo's today is %s; want the date in %s, %s", d.today, set.Timezone, time.Now().In(loc).Format(time.DateOnly))
	}

	var products struct {
		Data []salesmania.Product `json:"data"`
	}
	getJSON("/extapi/v1.0/products?limit=100", &products)
	prices := map[int64]map[string]string{} // product → unit → price
	for _, pr := range products.Data {
		prices[pr.ID] = map[string]string{}
		for _, u := range pr.ProductUnits {
			prices[pr.ID][u.Name] = u.Price.String()
		}
	}

	orderVisits := map[[2]int64]bool{} // (team, customer) of a done visit whose outcome is Order
	for _, name := range []string{"Budi Santoso", "Siti Rahayu", "Agus Wijaya"} {
		team := teamIDs[name]
		var day struct{ Data []demoVisit }
		getJSON("/extapi/v1.1/visits?date="+d.today+"&team_id="+itoa(team), &day)
		if len(day.Data) < 4 {
			t.Fatalf("%s has %d visits today; want a day of at least 4", name, len(day.Data))
		}
		var verified, unverified, skipped int
		var lastCheck time.Time
		for i, v := range day.Data {
			at := name + "'s visit " + itoa(v.ID)
			if v.Seq != int64(i+1) {
				t.Errorf("%s has seq %d at place %d; want seqs 1..n", at, v.Seq, i+1)
			}
			if l := v.Customer.Location; l == nil || l.Lat < -7.08 || l.Lat > -6.955 || l.Lon < 110.33 || l.Lon > 110.50 {
				t.Errorf("%s: customer location %v; want a place in Semarang, south of the coast", at, l)
			}
			switch {
			case v.CheckIn != nil:
				c := v.CheckIn
				if c.Lat == nil || c.Lon == nil || c.AccuracyM == nil || c.DistanceM == nil || c.Verification == nil || c.DeviceTime == nil || c.Mocked {
					t.Fatalf("%s: check-in without a full position and device time", at)
				}
				if want := salesmania.RoundMetres(salesmania.DistanceM(salesmania.Location{Lat: *c.Lat, Lon: *c.Lon}, *v.Customer.Location)); *c.DistanceM != want {
					t.Errorf("%s: distance_m %d; want %d", at, *c.DistanceM, want)
				}
				dt, err := time.Parse(time.RFC3339, *c.DeviceTime)
				if err != nil || dt.In(loc).Format(time.RFC3339) != *c.DeviceTime || dt.In(loc).Format(time.DateOnly) != d.today {
					t.Errorf("%s: device_time %s; want a time of today as a phone in %s sends it", at, *c.DeviceTime, set.Timezone)
				}
				if !dt.After(lastCheck) || c.At.Before(dt) || c.At.Location() != time.UTC {
					t.Errorf("%s: device_time %s, at %s; want later than the visit before, and at in UTC, no earlier", at, dt, c.At)
				}
				lastCheck = dt
				switch {
				case *c.Verification == salesmania.Verified && *c.DistanceM <= 25 && *c.AccuracyM <= float64(set.GeofenceRadiusM):
					if v.Status == salesmania.VisitDone && v.CheckOut != nil {
						verified++
					} else {
						t.Errorf("%s: a verified check-in is %s; want done", at, v.Status)
					}
				case *c.Verification == salesmania.Unverified && *c.DistanceM >= 1200 && *c.DistanceM <= 1600:
					unverified++
				default:
					t.Errorf("%s: check-in %s at %d m (accuracy %g); want verified a few metres off, or unverified about 1.4 km off", at, *c.Verification, *c.DistanceM, *c.AccuracyM)
				}
				if v.Status == salesmania.VisitDone {
					out := v.CheckOut
					if out == nil || out.DeviceTime == nil || out.At.Before(c.At) {
						t.Fatalf("%s: done without a check-out after the check-in", at)
					}
					odt, err := time.Parse(time.RFC3339, *out.DeviceTime)
					if err != nil || !odt.After(dt) {
						t.Errorf("%s: check-out device_time %s; want after the check-in's %s", at, *out.DeviceTime, *c.DeviceTime)
					}
					lastCheck = odt
					if v.Outcome == "Order" {
						orderVisits[[2]int64{team, v.CustomerID}] = true
					}
				}
			case v.Status == salesmania.VisitSkipped:
				skipped++
				if v.Outcome == "" || v.CheckOut != nil {
					t.Errorf("%s: skipped with outcome %q and check-out %v; want an outcome and no check-out", at, v.Outcome, v.CheckOut)
				}
			default:
				if v.Status != salesmania.VisitPlanned || v.CheckOut != nil || v.Outcome != "" {
					t.Errorf("%s: %s, outcome %q; want the rest of the day planned", at, v.Status, v.Outcome)
				}
			}
		}
		if first := day.Data[0]; first.Status != salesmania.VisitDone || first.CheckIn == nil || *first.CheckIn.Verification != salesmania.Verified {
			t.Errorf("%s's first visit is %s; want done and verified", name, first.Status)
		}
		if verified < 1 || unverified != 1 || skipped != 1 {
			t.Errorf("%s's day: %d done and verified, %d unverified check-ins, %d skipped; want at least 1, exactly 1, exactly 1", name, verified, unverified, skipped)
		}
	}

	var orders struct{ Data []demoOrder }
	getJSON("/extapi/v1.0/orders?limit=100&date_from="+d.today+"&date_to="+d.today, &orders)
	statuses, teams, promo := map[string]int{}, map[int64]int{}, 0
	for i, o := range orders.Data {
		at := "order " + itoa(int64(i))
		statuses[o.Status]++
		teams[o.TeamID]++
		if !orderVisits[[2]int64{o.TeamID, o.CustomerID}] || o.VisitStatus != "Order" {
			t.Errorf("%s: team %d, customer %d, visit_status %q; want taken at a done visit whose outcome is Order", at, o.TeamID, o.CustomerID, o.VisitStatus)
		}
		subtotal := new(big.Rat)
		for j, l := range o.OrderedProducts {
			if want, ok := prices[l.ProductID][l.Unit]; !ok || num(t, json.Number(want)).Cmp(num(t, l.Price)) != 0 {
				t.Errorf("%s line %d: %s of product %d at %s; want a unit of the product at its price %q", at, j, l.Unit, l.ProductID, l.Price, want)
			}
			if l.ItemDiscPercent == "10+5" {
				promo++
			}
			gross := new(big.Rat).Mul(num(t, l.Qty), num(t, l.Price))
			off := num(t, l.ItemDiscAmount)
			if off.Sign() == 0 {
				off = new(big.Rat).Sub(gross, new(big.Rat).Mul(gross, cascade(t, l.ItemDiscPercent)))
			}
			net := round2(new(big.Rat).Sub(gross, off))
			wantMoney(t, at+" line "+itoa(int64(j)), map[string][2]*big.Rat{
				"gross":    {num(t, l.Gross), gross},
				"net":      {num(t, l.Net), net},
				"discount": {num(t, l.Discount), new(big.Rat).Sub(gross, net)},
			})
			subtotal.Add(subtotal, net)
		}
		off := num(t, o.DiscAmount)
		if off.Sign() == 0 {
			off = new(big.Rat).Sub(subtotal, new(big.Rat).Mul(subtotal, cascade(t, o.DiscPercent)))
		}
		discount := round2(off)
		total := new(big.Rat).Sub(subtotal, discount)
		paid := new(big.Rat)
		if o.Status == salesmania.OrderLunas {
			paid = total
		}
		wantMoney(t, at, map[string][2]*big.Rat{
			"subtotal":   {num(t, o.Subtotal), subtotal},
			"discount":   {num(t, o.Discount), discount},
			"total":      {num(t, o.Total), total},
			"total_paid": {num(t, o.TotalPaid), paid},
		})
	}
	for _, name := range []string{"Budi Santoso", "Siti Rahayu", "Agus Wijaya"} {
		if teams[teamIDs[name]] == 0 {
			t.Errorf("%s took no order today", name)
		}
	}
	if len(statuses) != 3 || statuses[salesmania.OrderBaru] == 0 || statuses[salesmania.OrderDiproses] == 0 || statuses[salesmania.OrderLunas] == 0 || promo == 0 {
		t.Errorf("orders by status %v, %d lines at 10+5; want Baru, Diproses and Lunas only, and the promotion", statuses, promo)
	}
}

// num parses a JSON number exactly.
func num(t *testing.T, n json.Number) *big.Rat {
	t.Helper()
	if n == "" {
		return new(big.Rat)
	}
	r, ok := new(big.Rat).SetString(string(n))
	if !ok {
		t.Fatalf("not a number: %q", n)
	}
	return r
}

// cascade is what remains of 1 after a discount expression such as "10+5"
// (§6.1): (1 − 10/100) × (1 − 5/100).
func cascade(t *testing.T, expr string) *big.Rat {
	t.Helper()
	left := big.NewRat(1, 1)
	if expr == "" {
		return left
	}
	for _, part := range strings.Split(expr, "+") {
		p := num(t, json.Number(part))
		left.Mul(left, new(big.Rat).Sub(big.NewRat(1, 1), p.Quo(p, big.NewRat(100, 1))))
	}
	return left
}

// round2 rounds to 2 decimals, half away from zero (§9).
func round2(r *big.Rat) *big.Rat {
	x := new(big.Rat).Mul(new(big.Rat).Abs(r), big.NewRat(100, 1))
	x.Add(x, big.NewRat(1, 2))
	out := new(big.Rat).SetFrac(new(big.Int).Quo(x.Num(), x.Denom()), big.NewInt(100))
	if r.Sign() < 0 {
		out.Neg(out)
	}
	return out
}

// wantMoney fails the test for each field whose answer [0] is not the
// amount computed [1].
func wantMoney(t *testing.T, at string, fields map[string][2]*big.Rat) {
	t.Helper()
	for name, f := range fields {
		if f[0].Cmp(f[1]) != 0 {
			t.Errorf("%s: %s = %s; want %s", at, name, f[0].FloatString(2), f[1].FloatString(2))
		}
	}
}
