package console_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/demo"
)

// The tests below drive the console in a real, headless Chromium (Debian's
// chromium package) with chromedp. Without a browser they skip, unless
// SALESMANIA_REQUIRE_BROWSER=1 (as in CI) makes that a failure.
// SALESMANIA_BROWSER names the browser's binary when it is not on the
// PATH as chromium; SALESMANIA_SCREENSHOT=path makes TestBrowserToday save
// its screenshot of the Today page there (docs/console-today.png).

func browserPath() string {
	if p := os.Getenv("SALESMANIA_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a fresh browser, with a user data folder of its own,
// for the test; it stops with the test.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := browserPath()
	if path == "" {
		if os.Getenv("SALESMANIA_REQUIRE_BROWSER") == "1" {
			t.Fatal("a browser is required (SALESMANIA_REQUIRE_BROWSER=1) but none was found: apt-get install chromium, or set SALESMANIA_BROWSER")
		}
		t.Skip("no browser found (apt-get install chromium, or set SALESMANIA_BROWSER); SALESMANIA_REQUIRE_BROWSER=1 makes this a failure")
	}
	// The flags this machine's closed network and root user need: no
	// sandbox, no GPU, no background connections (they are refused here).
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// step runs browser actions with a time limit.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a script in the page.
func eval[T any](t *testing.T, ctx context.Context, script string) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](script))
	if err != nil {
		t.Fatalf("evaluate %s: %v", script, err)
	}
	return v
}

func text(t *testing.T, ctx context.Context, css string) string {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(v)
}

func (e *env) browserSignIn(t *testing.T, ctx context.Context, email, pw string) {
	t.Helper()
	step(t, ctx, "sign in as "+email,
		chromedp.Navigate(e.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), pw),
		chromedp.Click(chromedp.CSS(`form.signin button[type=submit]`)),
	)
}

func TestBrowserSignIn(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")

	e.browserSignIn(t, ctx, demo.AdminEmail, "not-the-password")
	step(t, ctx, "wait for the refusal", chromedp.WaitVisible(chromedp.CSS(`#message`)))
	if got := text(t, ctx, "#message"); got != "The email or password is wrong." {
		t.Fatalf("wrong password: %q", got)
	}
	if got := text(t, ctx, "h1"); got != "Sign in" {
		t.Fatalf("after a wrong password: h1 %q", got)
	}

	e.browserSignIn(t, ctx, demo.AdminEmail, demo.Password)
	step(t, ctx, "wait for today", chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)))
	if got := text(t, ctx, "h1"); got != "Today" {
		t.Fatalf("after sign-in: h1 %q", got)
	}
	// The session cookie is out of the page's reach.
	if c := eval[string](t, ctx, `document.cookie`); strings.Contains(c, "salesmania_console") {
		t.Fatalf("document.cookie shows the session: %q", c)
	}

	step(t, ctx, "sign out", chromedp.Click(chromedp.CSS(`form.signout button`)), chromedp.WaitVisible(chromedp.CSS(`form.signin`)))
	if got := text(t, ctx, "h1"); got != "Sign in" {
		t.Fatalf("after sign-out: h1 %q", got)
	}
	step(t, ctx, "today signed out", chromedp.Navigate(e.URL+"/console/today"), chromedp.WaitVisible(chromedp.CSS(`form.signin`)))
	if loc := eval[string](t, ctx, `location.pathname + location.search`); !strings.HasPrefix(loc, "/?next=") {
		t.Fatalf("signed out, /console/today lands on %s", loc)
	}
}

type shownStop struct {
	ID  int64 `json:"id"`
	Seq int64 `json:"seq"`
}

// rows and markers read a team's list and map from the page.
func rows(t *testing.T, ctx context.Context, team int64) []shownStop {
	return eval[[]shownStop](t, ctx, `Array.from(document.querySelectorAll('section.team[data-team-id="`+strconv.FormatInt(team, 10)+
		`"] li.stop')).map(li => ({id: +li.dataset.visitId, seq: +li.dataset.seq}))`)
}

func markers(t *testing.T, ctx context.Context, team int64) []shownStop {
	return eval[[]shownStop](t, ctx, `Array.from(document.querySelectorAll('section.team[data-team-id="`+strconv.FormatInt(team, 10)+
		`"] .stop-marker')).map(m => ({id: +m.dataset.visitId, seq: +m.querySelector('span').textContent}))`)
}

func TestBrowserToday(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	e.browserSignIn(t, ctx, demo.AdminEmail, demo.Password)
	step(t, ctx, "wait for today", chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)))

	for _, team := range e.teams[1:] {
		day := e.day(t, team.ID, e.today)
		var wantRows, wantMarkers []shownStop
		for _, v := range day {
			wantRows = append(wantRows, shownStop{v.ID, v.Seq})
			if v.Customer.Location != nil {
				wantMarkers = append(wantMarkers, shownStop{v.ID, v.Seq})
			}
		}
		if got := rows(t, ctx, team.ID); !slices.Equal(got, wantRows) {
			t.Fatalf("team %s: list %v, want %v", team.Name, got, wantRows)
		}
		if got := markers(t, ctx, team.ID); !slices.Equal(got, wantMarkers) {
			t.Fatalf("team %s: markers %v, want %v", team.Name, got, wantMarkers)
		}
		sel := `section.team[data-team-id="` + strconv.FormatInt(team.ID, 10) + `"]`
		if n := eval[int](t, ctx, `document.querySelectorAll('`+sel+` path.route').length`); n != 1 {
			t.Fatalf("team %s: %d route lines", team.Name, n)
		}
	}
	// The member's day was played: its check-ins are drawn beside their
	// customers, with their verification.
	sel := `section.team[data-team-id="` + strconv.FormatInt(e.member.TeamID, 10) + `"]`
	for _, v := range []string{"verified", "unverified"} {
		if n := eval[int](t, ctx, `document.querySelectorAll('`+sel+` path.checkin-`+v+`').length`); n < 1 {
			t.Fatalf("no %s check-in point on the map", v)
		}
	}
	if got := eval[string](t, ctx, `document.querySelector('`+sel+` .badge.check.unverified').textContent`); !strings.HasSuffix(got, "m away") {
		t.Fatalf("unverified badge %q", got)
	}
	if shot := os.Getenv("SALESMANIA_SCREENSHOT"); shot != "" {
		// The member's team alone: one map, its markers, line and
		// check-ins, and the list beside it.
		step(t, ctx, "today of one team", chromedp.Navigate(e.URL+"/console/today?team="+strconv.FormatInt(e.member.TeamID, 10)),
			chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)), chromedp.Sleep(300*time.Millisecond))
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		must(t, os.MkdirAll(filepath.Dir(shot), 0o755))
		must(t, os.WriteFile(shot, png, 0o644))
		t.Logf("screenshot of the Today page: %s (%d bytes)", shot, len(png))
	}
}

func TestBrowserMemberSeesOwnTeam(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	e.browserSignIn(t, ctx, demo.MemberEmail, demo.Password)
	step(t, ctx, "wait for today", chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)))
	teams := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('section.team')).map(s => s.dataset.teamId)`)
	if len(teams) != 1 || teams[0] != strconv.FormatInt(e.member.TeamID, 10) {
		t.Fatalf("a member sees teams %v", teams)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('select[name=team]').length`); n != 0 {
		t.Fatal("a member is offered a team filter")
	}
	for _, other := range e.teams[2:] {
		if eval[bool](t, ctx, `document.body.textContent.includes(`+strconv.Quote(other.Name)+`)`) {
			t.Fatalf("a member's page names team %s", other.Name)
		}
	}
	step(t, ctx, "another team by URL", chromedp.Navigate(e.URL+"/console/today?team="+strconv.FormatInt(e.teams[2].ID, 10)),
		chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if got := text(t, ctx, "h1"); got != "Forbidden" {
		t.Fatalf("another team's day: h1 %q", got)
	}
}

func TestBrowserDragReorder(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	team := e.member.TeamID
	before := ids(e.day(t, team, e.today))
	e.browserSignIn(t, ctx, demo.MemberEmail, demo.Password)
	step(t, ctx, "wait for today", chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)))
	last := before[len(before)-1]
	step(t, ctx, "drag the last stop to the top",
		chromedp.DragAndDrop(chromedp.CSS(`li.stop[data-visit-id="`+strconv.FormatInt(last, 10)+`"] .handle`), chromedp.CSS(`li.stop[data-seq="1"] .handle`)),
		chromedp.WaitVisible(chromedp.CSS(`section.team[data-saved]`)))
	after := ids(e.day(t, team, e.today))
	want := append([]int64{last}, before[:len(before)-1]...)
	if !slices.Equal(after, want) {
		t.Fatalf("stored order after the drag %v, want %v (was %v)", after, want, before)
	}
	// The page shows what was stored, numbers and markers too.
	var shown []int64
	for i, r := range rows(t, ctx, team) {
		if r.Seq != int64(i+1) {
			t.Fatalf("row %d shows seq %d", i, r.Seq)
		}
		shown = append(shown, r.ID)
	}
	if !slices.Equal(shown, after) {
		t.Fatalf("page order %v, stored %v", shown, after)
	}
	for _, m := range markers(t, ctx, team) {
		if after[m.Seq-1] != m.ID {
			t.Fatalf("marker %d is visit %d, stored there is %d", m.Seq, m.ID, after[m.Seq-1])
		}
	}
	// And a reload shows the same.
	step(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)))
	var reloaded []int64
	for _, r := range rows(t, ctx, team) {
		reloaded = append(reloaded, r.ID)
	}
	if !slices.Equal(reloaded, after) {
		t.Fatalf("after reload %v, stored %v", reloaded, after)
	}
}

func TestBrowserOptimiseApply(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	team := e.member.TeamID
	e.zigzag(t, team)
	day := e.day(t, team, e.today)
	want, err := salesmania.OptimizeDay(day, &salesmania.OptimizeRequest{Date: e.today, TeamID: team, DepartAt: 8 * 3600, SpeedKmh: salesmania.DefaultSpeedKmh})
	must(t, err)
	if want.DistanceMAfter >= want.DistanceMBefore {
		t.Fatalf("the seeded day is already optimal (%d m): nothing to show", want.DistanceMBefore)
	}
	e.browserSignIn(t, ctx, demo.MemberEmail, demo.Password)
	step(t, ctx, "optimise",
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)),
		chromedp.Click(chromedp.CSS(`button.optimise`)),
		chromedp.WaitVisible(chromedp.CSS(`.proposal .apply`)))
	if got := eval[[]string](t, ctx, `[document.querySelector('.proposal').dataset.before, document.querySelector('.proposal').dataset.after]`); got[0] != strconv.FormatInt(want.DistanceMBefore, 10) || got[1] != strconv.FormatInt(want.DistanceMAfter, 10) {
		t.Fatalf("proposal distances %v, want %d → %d", got, want.DistanceMBefore, want.DistanceMAfter)
	}
	if txt := text(t, ctx, ".proposal-text"); !strings.Contains(txt, "→") || !strings.Contains(txt, "shorter") {
		t.Fatalf("proposal text %q", txt)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('path.route-proposed').length`); n != 1 {
		t.Fatalf("%d dashed proposed routes", n)
	}
	if got := ids(e.day(t, team, e.today)); !slices.Equal(got, ids(day)) {
		t.Fatal("the proposal changed the day")
	}
	step(t, ctx, "apply",
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.ready = "0"`),
		chromedp.Click(chromedp.CSS(`.proposal .apply`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)))
	if got := ids(e.day(t, team, e.today)); !slices.Equal(got, want.VisitIDs) {
		t.Fatalf("applied order %v, want %v", got, want.VisitIDs)
	}
	var shown []int64
	for _, r := range rows(t, ctx, team) {
		shown = append(shown, r.ID)
	}
	if !slices.Equal(shown, want.VisitIDs) {
		t.Fatalf("page after apply %v, want %v", shown, want.VisitIDs)
	}
}

func TestBrowserCustomerLatitude91(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t, "sqlite")
	e.browserSignIn(t, ctx, demo.AdminEmail, demo.Password)
	step(t, ctx, "new customer with latitude 91",
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)),
		chromedp.Navigate(e.URL+"/console/customers/new"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="1"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "Toko Kutub Utara"),
		chromedp.SendKeys(chromedp.CSS(`input[name="location.lat"]`), "91"),
		chromedp.SendKeys(chromedp.CSS(`input[name="location.lon"]`), "110.4"),
		chromedp.Click(chromedp.CSS(`form.edit button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-error-for="location.lat"]`)))
	if got := text(t, ctx, `[data-error-for="location.lat"]`); got != "must be between -90 and 90" {
		t.Fatalf("beside the latitude: %q", got)
	}
	// The message sits right after the latitude's field.
	if !eval[bool](t, ctx, `document.querySelector('input[name="location.lat"]').closest('label').nextElementSibling.dataset.errorFor === "location.lat"`) {
		t.Fatal("the message is not beside its field")
	}
	p, err := e.store.ListCustomers(t.Context(), e.db.ID, salesmania.CustomerFilter{Q: "Kutub", ListParams: salesmania.ListParams{Limit: 1}})
	must(t, err)
	if len(p.Data) != 0 {
		t.Fatal("the customer was made")
	}
	// A click on the map puts the location in the fields; then it saves.
	step(t, ctx, "place by a click",
		chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name="location.lat"]').value = ""`),
		chromedp.Click(chromedp.CSS(`#location-map`)),
	)
	lat := eval[string](t, ctx, `document.querySelector('input[name="location.lat"]').value`)
	if f, err := strconv.ParseFloat(lat, 64); err != nil || f < -90 || f > 90 {
		t.Fatalf("a click on the map set latitude %q", lat)
	}
	step(t, ctx, "save", chromedp.Click(chromedp.CSS(`form.edit button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`#notice`)))
	p, err = e.store.ListCustomers(t.Context(), e.db.ID, salesmania.CustomerFilter{Q: "Kutub", ListParams: salesmania.ListParams{Limit: 1}})
	must(t, err)
	if len(p.Data) != 1 || p.Data[0].Location == nil || strconv.FormatFloat(p.Data[0].Location.Lat, 'f', -1, 64) != strings.TrimRight(strings.TrimRight(lat, "0"), ".") {
		t.Fatalf("saved %+v, latitude field %s", p.Data, lat)
	}
}
