package console_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/demo"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

func TestSignIn(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)

		t.Run("PageAtRoot", func(t *testing.T) {
			res, body := e.newClient().get("/")
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, "<h1>Sign in</h1>") || !strings.Contains(body, `action="/console/signin"`) {
				t.Fatalf("GET / is not the sign-in page:\n%s", body)
			}
			res, _ = e.newClient().get("/console/today")
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/?next=") {
				t.Fatalf("signed-out /console/today: %d %s, want a redirect to sign in", res.StatusCode, res.Header.Get("Location"))
			}
		})

		t.Run("WrongPassword", func(t *testing.T) {
			c := e.newClient()
			res, body := c.post("/console/signin", url.Values{"email": {demo.AdminEmail}, "password": {"wrong-password"}})
			wantStatus(t, res, body, http.StatusUnauthorized)
			if !strings.Contains(body, "The email or password is wrong.") || res.Header.Get("Set-Cookie") != "" {
				t.Fatalf("wrong password: cookie %q\n%s", res.Header.Get("Set-Cookie"), body)
			}
			res, body = c.post("/console/signin", url.Values{"email": {"nobody@majujaya.example"}, "password": {"wrong-password"}})
			wantStatus(t, res, body, http.StatusUnauthorized)
			res, body = c.post("/console/signin", url.Values{"email": {demo.AdminEmail}})
			wantStatus(t, res, body, http.StatusUnprocessableEntity)
		})

		t.Run("OK", func(t *testing.T) {
			c := e.newClient()
			res, body := c.post("/console/signin", url.Values{"email": {" Admin@MajuJaya.example "}, "password": {demo.Password}})
			wantStatus(t, res, body, http.StatusSeeOther)
			if loc := res.Header.Get("Location"); loc != "/console/today" {
				t.Fatalf("after sign-in: Location %q", loc)
			}
			ck := res.Cookies()
			if len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteLaxMode || ck[0].Secure || ck[0].Path != "/" {
				t.Fatalf("session cookie: %+v", ck)
			}
			// Only the hash of the secret is stored: the store finds the
			// session by the hash, not by the secret.
			db, secret, _ := strings.Cut(ck[0].Value, ".")
			raw, err := base64.RawURLEncoding.DecodeString(secret)
			if err != nil || len(raw) != 32 || db != id(e.db.ID) {
				t.Fatalf("cookie value %q", ck[0].Value)
			}
			h := sha256.Sum256(raw)
			if _, err := e.store.FindConsoleSession(t.Context(), e.db.ID, h[:]); err != nil {
				t.Fatalf("session by hash: %v", err)
			}
			if _, err := e.store.FindConsoleSession(t.Context(), e.db.ID, raw); err == nil {
				t.Fatal("the session is stored under its secret")
			}
			if strings.Contains(e.logs.String(), secret) {
				t.Fatal("the session secret is in the log")
			}
			res, body = c.get("/")
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/today" {
				t.Fatalf("GET / signed in: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
		})

		t.Run("Next", func(t *testing.T) {
			c := e.newClient()
			res, _ := c.post("/console/signin", url.Values{"email": {demo.AdminEmail}, "password": {demo.Password}, "next": {"/console/orders?status=Baru"}})
			if loc := res.Header.Get("Location"); loc != "/console/orders?status=Baru" {
				t.Fatalf("next: Location %q", loc)
			}
			for _, next := range []string{"https://evil.example/", "//evil.example/", "/console//evil.example", "/extapi/v1.0/token"} {
				res, _ := e.newClient().post("/console/signin", url.Values{"email": {demo.AdminEmail}, "password": {demo.Password}, "next": {next}})
				if loc := res.Header.Get("Location"); loc != "/console/today" {
					t.Fatalf("next %q: Location %q, want the console's own page", next, loc)
				}
			}
		})

		t.Run("SharedLockout", func(t *testing.T) {
			c := e.newClient()
			for range auth.MaxLoginFailuresPerEmail {
				c.post("/console/signin", url.Values{"email": {multiEmail}, "password": {"not-it"}})
			}
			res, body := c.post("/console/signin", url.Values{"email": {multiEmail}, "password": {password}})
			wantStatus(t, res, body, http.StatusTooManyRequests)
			if res.Header.Get("Retry-After") == "" || !strings.Contains(body, "Too many failed logins") {
				t.Fatalf("locked sign-in: Retry-After %q\n%s", res.Header.Get("Retry-After"), body)
			}
			// The API's Basic login is locked by the same failures.
			req, _ := http.NewRequest("GET", e.URL+"/extapi/v1.0/token", nil)
			req.SetBasicAuth(multiEmail, password)
			api, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			api.Body.Close()
			if api.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("API login after console failures: %d, want 429", api.StatusCode)
			}
			e.skew.Store(int64(auth.LoginWindow + time.Second))
			defer e.skew.Store(0)
			e.signIn(multiEmail, password)
		})
	})
}

func TestSessions(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)

		t.Run("SignOut", func(t *testing.T) {
			c := e.signIn(demo.AdminEmail, demo.Password)
			old := c.http.Jar.Cookies(mustURL(e.URL))
			res, body := c.post("/console/signout", nil)
			wantStatus(t, res, body, http.StatusSeeOther)
			if res.Header.Get("Location") != "/" {
				t.Fatalf("sign-out goes to %q", res.Header.Get("Location"))
			}
			if res, _ := c.get("/console/today"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("after sign-out: %d", res.StatusCode)
			}
			// The old cookie, replayed, is no session any more.
			replay := e.newClient()
			replay.http.Jar.SetCookies(mustURL(e.URL), old)
			if res, _ := replay.get("/console/today"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("replayed cookie after sign-out: %d", res.StatusCode)
			}
		})

		t.Run("IdleExpiry", func(t *testing.T) {
			c := e.signIn(demo.AdminEmail, demo.Password)
			e.skew.Store(int64(11 * time.Hour))
			if res, body := c.get("/console/today"); res.StatusCode != http.StatusOK {
				t.Fatalf("after 11 h: %d\n%s", res.StatusCode, body)
			}
			// That use moved the idle clock: 11 h more is still in time.
			e.skew.Store(int64(22 * time.Hour))
			if res, _ := c.get("/console/today"); res.StatusCode != http.StatusOK {
				t.Fatalf("11 h after the last use: %d", res.StatusCode)
			}
			e.skew.Store(int64(34*time.Hour + time.Minute))
			defer e.skew.Store(0)
			if res, _ := c.get("/console/today"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("12 h after the last use: %d, want signed out", res.StatusCode)
			}
		})

		t.Run("ForgedCookie", func(t *testing.T) {
			for _, v := range []string{"", "x", "1.abc", id(e.db.ID) + "." + strings.Repeat("A", 43), "-1." + strings.Repeat("A", 43), "01." + strings.Repeat("A", 43)} {
				c := e.newClient()
				c.http.Jar.SetCookies(mustURL(e.URL), []*http.Cookie{{Name: "salesmania_console", Value: v}})
				if res, _ := c.get("/console/today"); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("cookie %q: %d", v, res.StatusCode)
				}
			}
			// A real secret under another database's id is no session.
			c := e.signIn(demo.AdminEmail, demo.Password)
			ck := c.http.Jar.Cookies(mustURL(e.URL))[0]
			_, secret, _ := strings.Cut(ck.Value, ".")
			moved := e.newClient()
			moved.http.Jar.SetCookies(mustURL(e.URL), []*http.Cookie{{Name: ck.Name, Value: id(e.other.db.ID) + "." + secret}})
			if res, _ := moved.get("/console/today"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("secret moved to another database: %d", res.StatusCode)
			}
		})

		t.Run("MemberRemoved", func(t *testing.T) {
			c := e.signIn(multiEmail, password)
			res, body := c.post("/console/databases", url.Values{"db_id": {id(e.db.ID)}})
			wantStatus(t, res, body, http.StatusSeeOther)
			user, _ := e.store.FindUserByEmail(t.Context(), multiEmail)
			must(t, e.store.RemoveMember(t.Context(), e.db.ID, user.ID))
			defer func() {
				must(t, e.store.PutMember(context.Background(), &salesmania.Membership{DBID: e.db.ID, UserID: user.ID, TeamID: e.teams[2].ID, Role: salesmania.RoleMember}))
			}()
			if res, _ := c.get("/console/today"); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("a removed member's session: %d", res.StatusCode)
			}
		})

		t.Run("PickDatabase", func(t *testing.T) {
			c := e.newClient()
			res, _ := c.post("/console/signin", url.Values{"email": {multiEmail}, "password": {password}})
			if res.Header.Get("Location") != "/console/databases" {
				t.Fatalf("a member of two databases goes to %q", res.Header.Get("Location"))
			}
			if res, _ := c.get("/console/today"); res.Header.Get("Location") != "/console/databases" {
				t.Fatalf("before choosing, /console/today goes to %q", res.Header.Get("Location"))
			}
			res, body := c.get("/console/databases")
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, "PT Maju Jaya") || !strings.Contains(body, "CV Sentosa") {
				t.Fatalf("databases page:\n%s", body)
			}
			res, body = c.post("/console/databases", url.Values{"db_id": {"999999"}})
			wantStatus(t, res, body, http.StatusNotFound)
			res, body = c.post("/console/databases", url.Values{"db_id": {id(e.other.db.ID)}})
			wantStatus(t, res, body, http.StatusSeeOther)
			res, body = c.get("/console/today")
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, e.other.team.Name) || strings.Contains(body, e.teams[2].Name) {
				t.Fatalf("today of the other company shows the wrong teams:\n%s", body)
			}
			// The old session (no database) ended with the switch.
			if !strings.Contains(body, "switch") {
				t.Fatal("no database switch in the menu of a member of two")
			}
		})
	})
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func TestCSRF(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		c := e.signIn(demo.AdminEmail, demo.Password)
		count := func() int64 {
			p, err := e.store.ListCustomers(t.Context(), e.db.ID, salesmania.CustomerFilter{ListParams: salesmania.ListParams{Limit: 1, IncludeTotal: true}})
			must(t, err)
			return *p.Total
		}
		before := count()
		form := func(csrf string) url.Values {
			return url.Values{"csrf": {csrf}, "name": {"Toko Palsu"}, "status": {"on"}}
		}
		for name, f := range map[string]url.Values{"Missing": {"name": {"Toko Palsu"}}, "Wrong": form("AAAA"), "Empty": form("")} {
			t.Run(name, func(t *testing.T) {
				req, _ := http.NewRequest("POST", e.URL+"/console/customers", strings.NewReader(f.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				res, body := c.do(req)
				wantStatus(t, res, body, http.StatusForbidden)
				if !strings.Contains(body, "CSRF token") {
					t.Fatalf("refusal does not say why:\n%s", body)
				}
			})
		}
		// A form on another site, posted by the victim's browser with its
		// cookie and even the right token, is refused for its origin.
		for name, h := range map[string][2]string{
			"OriginOtherSite":    {"Origin", "https://evil.example"},
			"FetchSiteCrossSite": {"Sec-Fetch-Site", "cross-site"},
			"FetchSiteSameSite":  {"Sec-Fetch-Site", "same-site"},
		} {
			t.Run(name, func(t *testing.T) {
				req, _ := http.NewRequest("POST", e.URL+"/console/customers", strings.NewReader(form(c.csrf).Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set(h[0], h[1])
				res, body := c.do(req)
				wantStatus(t, res, body, http.StatusForbidden)
			})
		}
		t.Run("JSONCallWithoutToken", func(t *testing.T) {
			day := e.day(t, e.member.TeamID, e.today)
			slices.Reverse(day)
			saved := c.csrf
			c.csrf = ""
			res, body := c.postJSON("/console/today/sequence", map[string]any{"date": e.today, "team_id": e.member.TeamID, "visit_ids": ids(day)})
			c.csrf = saved
			wantStatus(t, res, body, http.StatusForbidden)
			if got := ids(e.day(t, e.member.TeamID, e.today)); slices.Equal(got, ids(day)) {
				t.Fatal("a call without its token reordered the day")
			}
		})
		t.Run("SignOutWithoutToken", func(t *testing.T) {
			res, body := c.post("/console/signout", url.Values{"csrf": {"nope"}})
			wantStatus(t, res, body, http.StatusForbidden)
			if res, _ := c.get("/console/today"); res.StatusCode != http.StatusOK {
				t.Fatal("a forged sign-out ended the session")
			}
		})
		if got := count(); got != before {
			t.Fatalf("forged posts made customers: %d → %d", before, got)
		}
		t.Run("SameOriginOK", func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.URL+"/console/customers", strings.NewReader(form(c.csrf).Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", e.URL)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			res, body := c.do(req)
			wantStatus(t, res, body, http.StatusSeeOther)
			if got := count(); got != before+1 {
				t.Fatalf("customers %d → %d", before, got)
			}
		})
	})
}

// TestPages checks every page for the headers and markup the CSP and the
// test hooks promise: no inline script or handler or style, one <h1>.
func TestPages(t *testing.T) {
	e := newEnv(t, "sqlite")
	c := e.signIn(demo.AdminEmail, demo.Password)
	order := firstOrder(t, e)
	inlineScript := regexp.MustCompile(`<script(?:\s[^>]*)?>`)
	handler := regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	style := regexp.MustCompile(`(?i)<style|\sstyle\s*=`)
	h1 := regexp.MustCompile(`<h1[ >]`)
	titles := map[string]bool{}
	for _, path := range []string{"/", "/console/today", "/console/today?date=" + e.today + "&team=" + id(e.member.TeamID), "/console/orders",
		"/console/orders/" + id(order.ID), "/console/customers", "/console/customers/new", "/console/customers/1", "/console/products",
		"/console/products/new", "/console/products/" + id(e.product.ID), "/console/plans", "/console/databases", "/console/nothing-here"} {
		t.Run(strings.ReplaceAll(path, "/", "_"), func(t *testing.T) {
			cl := c
			if path == "/" {
				cl = e.newClient()
			}
			res, body := cl.get(path)
			if res.StatusCode != http.StatusOK && !(path == "/console/nothing-here" && res.StatusCode == http.StatusNotFound) {
				t.Fatalf("%s: %d\n%s", path, res.StatusCode, body)
			}
			csp := res.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") ||
				!strings.Contains(csp, "frame-ancestors 'none'") {
				t.Fatalf("CSP %q", csp)
			}
			if res.Header.Get("X-Frame-Options") != "DENY" || res.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("headers %v", res.Header)
			}
			for _, tag := range inlineScript.FindAllString(body, -1) {
				if !strings.Contains(tag, ` src="/console/static/`) {
					t.Fatalf("inline or foreign script %s", tag)
				}
			}
			if m := handler.FindString(body); m != "" {
				t.Fatalf("inline event handler %q", m)
			}
			if m := style.FindString(body); m != "" {
				t.Fatalf("inline style %q", m)
			}
			if n := len(h1.FindAllString(body, -1)); n != 1 {
				t.Fatalf("%d <h1>s", n)
			}
			title := regexp.MustCompile(`<h1>([^<]*)</h1>`).FindStringSubmatch(body)[1]
			if titles[title] && path != "/console/today?date="+e.today+"&team="+id(e.member.TeamID) {
				t.Fatalf("<h1>%s</h1> is on two pages", title)
			}
			titles[title] = true
		})
	}
}

// firstOrder returns the oldest order that is still Baru, so every status
// move is open to it.
func firstOrder(t testing.TB, e *env) salesmania.Order {
	t.Helper()
	p, err := e.store.ListOrders(context.Background(), e.db.ID, salesmania.OrderFilter{Teams: salesmania.AllTeams(), Status: salesmania.OrderBaru,
		ListParams: salesmania.ListParams{Limit: 1}})
	if err != nil || len(p.Data) == 0 {
		t.Fatalf("no order: %v", err)
	}
	return p.Data[0]
}

var (
	assetRef   = regexp.MustCompile(`(?:src|href)="(/console/static/[^"]+)"`)
	visitRow   = regexp.MustCompile(`<li class="stop status-([a-z_]+)" data-visit-id="(\d+)" data-seq="(\d+)"`)
	teamHeader = regexp.MustCompile(`<section class="team" id="team-(\d+)"`)
)

// TestPageWeight adds up the Today page and its own assets, tiles aside:
// under 300 KB.
func TestPageWeight(t *testing.T) {
	e := newEnv(t, "sqlite")
	c := e.signIn(demo.AdminEmail, demo.Password)
	for _, path := range []string{"/console/today", "/console/customers/new", "/console/orders"} {
		res, body := c.get(path)
		wantStatus(t, res, body, http.StatusOK)
		total := len(body)
		refs := assetRef.FindAllStringSubmatch(body, -1)
		if len(refs) < 2 {
			t.Fatalf("%s: assets %v", path, refs)
		}
		for _, m := range refs {
			res, asset := c.get(strings.ReplaceAll(m[1], "&amp;", "&"))
			wantStatus(t, res, asset, http.StatusOK)
			if !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
				t.Fatalf("%s: Cache-Control %q", m[1], res.Header.Get("Cache-Control"))
			}
			total += len(asset)
		}
		t.Logf("%s: %d bytes with its %d assets", path, total, len(refs))
		if total >= 300_000 {
			t.Fatalf("%s weighs %d bytes with its assets, over 300 KB", path, total)
		}
	}
}

func TestToday(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)

		t.Run("AdminSeesEveryTeamInSeqOrder", func(t *testing.T) {
			c := e.signIn(demo.AdminEmail, demo.Password)
			res, body := c.get("/console/today")
			wantStatus(t, res, body, http.StatusOK)
			var shown []string
			for _, m := range teamHeader.FindAllStringSubmatch(body, -1) {
				shown = append(shown, m[1])
			}
			var want []string
			for _, team := range e.teams {
				want = append(want, id(team.ID))
			}
			if !slices.Equal(shown, want) {
				t.Fatalf("teams shown %v, want %v", shown, want)
			}
			rows := visitRow.FindAllStringSubmatch(body, -1)
			var got []string
			for _, team := range e.teams[1:] {
				for _, v := range e.day(t, team.ID, e.today) {
					got = append(got, v.Status+" "+id(v.ID)+" "+id(v.Seq))
				}
			}
			var page []string
			for _, m := range rows {
				page = append(page, m[1]+" "+m[2]+" "+m[3])
			}
			if !slices.Equal(page, got) {
				t.Fatalf("rows\n%v\nwant (store, seq order)\n%v", page, got)
			}
			todays, err := e.store.ListOrders(t.Context(), e.db.ID, salesmania.OrderFilter{Teams: salesmania.AllTeams(), DateFrom: e.today, DateTo: e.today,
				ListParams: salesmania.ListParams{Limit: 1000}})
			must(t, err)
			orders := `data-total="orders">` + strconv.Itoa(len(todays.Data)) + `<`
			for _, s := range []string{`data-verification="verified"`, `data-verification="unverified"`, "m away", `status-skipped`, orders} {
				if !strings.Contains(body, s) {
					t.Fatalf("today lacks %q", s)
				}
			}
			if strings.Contains(body, e.other.customer.Name) {
				t.Fatal("today shows another company's visit")
			}
		})

		t.Run("MemberSeesOwnTeam", func(t *testing.T) {
			c := e.signIn(demo.MemberEmail, demo.Password)
			res, body := c.get("/console/today")
			wantStatus(t, res, body, http.StatusOK)
			teams := teamHeader.FindAllStringSubmatch(body, -1)
			if len(teams) != 1 || teams[0][1] != id(e.member.TeamID) {
				t.Fatalf("a member sees teams %v", teams)
			}
			if strings.Contains(body, e.teams[2].Name) {
				t.Fatal("a member's page names another team")
			}
			res, body = c.get("/console/today?team=" + id(e.teams[2].ID))
			wantStatus(t, res, body, http.StatusForbidden)
		})

		t.Run("BadInput", func(t *testing.T) {
			c := e.signIn(demo.AdminEmail, demo.Password)
			for _, q := range []string{"date=2026-02-30", "date=tomorrow", "team=abc", "team=-1", "team=" + id(e.other.team.ID), "date=1&date=2"} {
				res, body := c.get("/console/today?" + q)
				wantStatus(t, res, body, http.StatusBadRequest)
			}
		})

		t.Run("OtherDay", func(t *testing.T) {
			c := e.signIn(demo.AdminEmail, demo.Password)
			res, body := c.get("/console/today?date=2001-01-01")
			wantStatus(t, res, body, http.StatusOK)
			if !strings.Contains(body, "<h1>Visits of 2001-01-01</h1>") || strings.Contains(body, "data-visit-id") {
				t.Fatalf("an empty day:\n%s", body)
			}
		})
	})
}

func TestReorderAndOptimise(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		c := e.signIn(demo.MemberEmail, demo.Password)
		team := e.member.TeamID

		t.Run("Sequence", func(t *testing.T) {
			day := ids(e.day(t, team, e.today))
			want := slices.Clone(day)
			slices.Reverse(want)
			res, body := c.postJSON("/console/today/sequence", map[string]any{"date": e.today, "team_id": team, "visit_ids": want})
			wantStatus(t, res, body, http.StatusOK)
			if got := ids(e.day(t, team, e.today)); !slices.Equal(got, want) {
				t.Fatalf("order after save %v, want %v", got, want)
			}
			var ans struct{ Data []struct{ ID, Seq int64 } }
			must(t, json.Unmarshal([]byte(body), &ans))
			if len(ans.Data) != len(want) || ans.Data[0].ID != want[0] || ans.Data[0].Seq != 1 {
				t.Fatalf("answer %s", body)
			}
		})

		t.Run("SequenceBadInput", func(t *testing.T) {
			day := ids(e.day(t, team, e.today))
			for _, tc := range []struct {
				body   any
				status int
			}{
				{map[string]any{"date": e.today, "team_id": team, "visit_ids": day[1:]}, http.StatusUnprocessableEntity},
				{map[string]any{"date": e.today, "team_id": team, "visit_ids": append(slices.Clone(day[1:]), e.other.visit.ID)}, http.StatusUnprocessableEntity},
				{map[string]any{"date": e.today, "team_id": team, "visit_ids": append(day, day[0])}, http.StatusUnprocessableEntity},
				{map[string]any{"date": "nope", "team_id": team, "visit_ids": day}, http.StatusUnprocessableEntity},
				{map[string]any{"date": e.today, "team_id": e.teams[2].ID, "visit_ids": day}, http.StatusForbidden},
				{map[string]any{"date": e.today, "visit_ids": day, "extra": 1}, http.StatusBadRequest},
				{"not an object", http.StatusBadRequest},
			} {
				res, body := c.postJSON("/console/today/sequence", tc.body)
				wantStatus(t, res, body, tc.status)
			}
			if got := ids(e.day(t, team, e.today)); !slices.Equal(got, day) {
				t.Fatalf("bad input changed the order: %v, was %v", got, day)
			}
		})

		t.Run("OptimiseThenApply", func(t *testing.T) {
			day := e.day(t, team, e.today)
			want, err := salesmania.OptimizeDay(day, &salesmania.OptimizeRequest{Date: e.today, TeamID: team, DepartAt: 8 * 3600, SpeedKmh: salesmania.DefaultSpeedKmh})
			must(t, err)
			res, body := c.postJSON("/console/today/optimize", map[string]any{"date": e.today, "team_id": team})
			wantStatus(t, res, body, http.StatusOK)
			var got salesmania.OptimizeResult
			must(t, json.Unmarshal([]byte(body), &got))
			if !slices.Equal(got.VisitIDs, want.VisitIDs) || got.DistanceMBefore != want.DistanceMBefore || got.DistanceMAfter != want.DistanceMAfter || got.Applied {
				t.Fatalf("proposal %+v, want %+v", got, *want)
			}
			if now := ids(e.day(t, team, e.today)); !slices.Equal(now, ids(day)) {
				t.Fatal("a proposal changed the day")
			}
			res, body = c.postJSON("/console/today/optimize", map[string]any{"date": e.today, "team_id": team, "apply": true})
			wantStatus(t, res, body, http.StatusOK)
			if now := ids(e.day(t, team, e.today)); !slices.Equal(now, want.VisitIDs) {
				t.Fatalf("applied order %v, want %v", now, want.VisitIDs)
			}
		})

		t.Run("OptimiseBadInput", func(t *testing.T) {
			for _, tc := range []struct {
				body   any
				status int
			}{
				{map[string]any{"date": "2026-13-01", "team_id": team}, http.StatusUnprocessableEntity},
				{map[string]any{"date": e.today, "team_id": e.other.team.ID}, http.StatusForbidden},
				{map[string]any{"date": e.today, "speed_kmh": 0}, http.StatusUnprocessableEntity},
				{map[string]any{"date": e.today, "apply": "yes"}, http.StatusBadRequest},
			} {
				res, body := c.postJSON("/console/today/optimize", tc.body)
				wantStatus(t, res, body, tc.status)
			}
			admin := e.signIn(demo.AdminEmail, demo.Password)
			res, body := admin.postJSON("/console/today/optimize", map[string]any{"date": e.today, "team_id": e.other.team.ID, "apply": true})
			wantStatus(t, res, body, http.StatusUnprocessableEntity)
			if got := e.otherDay(t); len(got) != 1 || got[0].Seq != 1 {
				t.Fatalf("the other company's day: %+v", got)
			}
		})
	})
}

func (e *env) otherDay(t testing.TB) []salesmania.Visit {
	page, err := e.store.ListVisits(context.Background(), e.other.db.ID, salesmania.VisitFilter{Teams: salesmania.AllTeams(), Date: e.today,
		ListParams: salesmania.ListParams{Limit: 10}})
	must(t, err)
	return page.Data
}

func TestOrders(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnv(t, kind)
		admin := e.signIn(demo.AdminEmail, demo.Password)
		order := firstOrder(t, e)

		t.Run("ListAndSum", func(t *testing.T) {
			res, body := admin.get("/console/orders?date_from=" + e.today + "&date_to=" + e.today)
			wantStatus(t, res, body, http.StatusOK)
			var sum salesmania.Decimal
			n := 0
			p, err := e.store.ListOrders(t.Context(), e.db.ID, salesmania.OrderFilter{Teams: salesmania.AllTeams(), DateFrom: e.today, DateTo: e.today,
				ListParams: salesmania.ListParams{Limit: 1000}})
			must(t, err)
			for _, o := range p.Data {
				sum = sum.Add(o.Total)
				n++
				if !strings.Contains(body, `data-order-id="`+id(o.ID)+`"`) {
					t.Fatalf("order %d not listed", o.ID)
				}
			}
			if !strings.Contains(body, `data-count="`+strconv.Itoa(n)+`"`) || !strings.Contains(body, `data-sum="`+sum.String()+`"`) {
				t.Fatalf("want %d orders summing to %s:\n%s", n, sum, body)
			}
			if strings.Contains(body, `data-order-id="`+id(e.other.order.ID)+`"`) {
				t.Fatal("another company's order is listed")
			}
		})

		t.Run("Paging", func(t *testing.T) {
			for range 55 {
				o := salesmania.Order{Date: "2020-01-01", CustomerID: order.CustomerID, TeamID: e.teams[3].ID, Status: salesmania.OrderBaru,
					OrderedProducts: []salesmania.OrderLine{{ProductID: e.product.ID, Qty: salesmania.DecimalFromInt(1), Unit: e.product.ProductUnits[0].Name, Price: salesmania.DecimalFromInt(10)}}}
				must(t, e.store.CreateOrder(t.Context(), e.db.ID, &o))
			}
			res, body := admin.get("/console/orders?date_from=2020-01-01&date_to=2020-01-01")
			wantStatus(t, res, body, http.StatusOK)
			if n := strings.Count(body, "data-order-id="); n != 50 || !strings.Contains(body, `data-count="55"`) || !strings.Contains(body, `data-sum="550"`) {
				t.Fatalf("first page: %d rows\n%s", n, body)
			}
			next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(body)
			if next == nil {
				t.Fatal("no next page")
			}
			res, body = admin.get(strings.ReplaceAll(next[1], "&amp;", "&"))
			wantStatus(t, res, body, http.StatusOK)
			if n := strings.Count(body, "data-order-id="); n != 5 || strings.Contains(body, `rel="next"`) {
				t.Fatalf("second page: %d rows", n)
			}
			member := e.signIn(demo.MemberEmail, demo.Password)
			res, body = member.get("/console/orders?date_from=2020-01-01&date_to=2020-01-01")
			wantStatus(t, res, body, http.StatusOK)
			if strings.Contains(body, "data-order-id=") {
				t.Fatal("a member sees another team's orders")
			}
		})

		t.Run("BadInput", func(t *testing.T) {
			for _, q := range []string{"status=Nope", "date_from=2026-02-30", "date_from=2026-03-02&date_to=2026-03-01", "cursor=%21%21", "team=x", "customer=-3"} {
				res, body := admin.get("/console/orders?" + q)
				wantStatus(t, res, body, http.StatusBadRequest)
			}
			member := e.signIn(demo.MemberEmail, demo.Password)
			res, body := member.get("/console/orders?team=" + id(e.teams[2].ID))
			wantStatus(t, res, body, http.StatusForbidden)
		})

		t.Run("OrderPage", func(t *testing.T) {
			res, body := admin.get("/console/orders/" + id(order.ID))
			wantStatus(t, res, body, http.StatusOK)
			for _, s := range []string{`data-money="total">` + fmtMoney(order.Total), `data-move="Diproses"`, `data-move="Lunas"`, `data-move="Batal"`} {
				if !strings.Contains(body, s) {
					t.Fatalf("order page lacks %q", s)
				}
			}
			if strings.Contains(body, `data-move="Baru"`) {
				t.Fatal("a Baru order offers Baru")
			}
		})

		t.Run("StatusMoves", func(t *testing.T) {
			res, body := admin.post("/console/orders/"+id(order.ID)+"/status", url.Values{"status": {"Lunas"}})
			wantStatus(t, res, body, http.StatusSeeOther)
			o, err := e.store.FindOrder(t.Context(), e.db.ID, salesmania.AllTeams(), order.ID)
			must(t, err)
			if o.Status != salesmania.OrderLunas {
				t.Fatalf("status %s", o.Status)
			}
			res, body = admin.get("/console/orders/" + id(order.ID) + "?moved=1")
			if strings.Contains(body, "data-move=") || !strings.Contains(body, "Lunas is final") {
				t.Fatalf("a Lunas order offers moves:\n%s", body)
			}
			for _, st := range []string{"Baru", "Batal", "Nope", ""} {
				res, body = admin.post("/console/orders/"+id(order.ID)+"/status", url.Values{"status": {st}})
				want := http.StatusConflict
				if st == "Nope" || st == "" {
					want = http.StatusUnprocessableEntity
				}
				wantStatus(t, res, body, want)
			}
			if o, _ := e.store.FindOrder(t.Context(), e.db.ID, salesmania.AllTeams(), order.ID); o.Status != salesmania.OrderLunas || !o.UpdatedAt.Equal(o.UpdatedAt) {
				t.Fatalf("refused moves changed the order: %s", o.Status)
			}
		})

		t.Run("Isolation", func(t *testing.T) {
			for _, p := range []string{"/console/orders/" + id(e.other.order.ID), "/console/orders/0", "/console/orders/abc", "/console/orders/99999999999999999999"} {
				res, body := admin.get(p)
				wantStatus(t, res, body, http.StatusNotFound)
			}
			res, body := admin.post("/console/orders/"+id(e.other.order.ID)+"/status", url.Values{"status": {"Diproses"}})
			wantStatus(t, res, body, http.StatusNotFound)
			o, err := e.store.FindOrder(t.Context(), e.other.db.ID, salesmania.AllTeams(), e.other.order.ID)
			must(t, err)
			if o.Status != salesmania.OrderBaru || !o.UpdatedAt.Equal(e.other.order.UpdatedAt) {
				t.Fatalf("another company's order changed: %+v", o)
			}
			member := e.signIn(demo.MemberEmail, demo.Password)
			mine := salesmania.Order{Date: e.today, CustomerID: order.CustomerID, TeamID: e.teams[2].ID, Status: salesmania.OrderBaru,
				OrderedProducts: []salesmania.OrderLine{{ProductID: e.product.ID, Qty: salesmania.DecimalFromInt(1), Unit: e.product.ProductUnits[0].Name, Price: salesmania.DecimalFromInt(10)}}}
			must(t, e.store.CreateOrder(t.Context(), e.db.ID, &mine))
			res, body = member.get("/console/orders/" + id(mine.ID))
			wantStatus(t, res, body, http.StatusNotFound)
			res, body = member.post("/console/orders/"+id(mine.ID)+"/status", url.Values{"status": {"Batal"}})
			wantStatus(t, res, body, http.StatusNotFound)
		})
	})
}

func fmtMoney(d salesmania.Decimal) string {
	s := d.String()
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if frac != "" {
		b.WriteString("." + (frac + "0")[:2])
	}
	return b.String()
}
