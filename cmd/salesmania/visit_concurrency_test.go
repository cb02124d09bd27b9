package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/auth"
	"github.com/salesmania/salesmania/openapi/openapitest"
	"github.com/salesmania/salesmania/sqlstore"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// childProcess is "salesmania serve" running as a real OS process: the test
// binary itself, which TestMain turns into the program.
type childProcess struct {
	cmd    *exec.Cmd
	URL    string
	stderr *syncBuffer
	exited chan struct{} // closed when the process has ended; then err is set
	err    error
	// checked is set once stop has checked how the process ended.
	checked bool
	// signalled is set once terminate has sent SIGTERM.
	signalled bool
}

// startProcesses starts n processes of "salesmania serve" on free ports of
// 127.0.0.1 over the database dsn, all at once, and returns once each has
// announced its address and answers GET /healthz with 200. Unless the test
// stops them first (stop), they are stopped, and must exit 0, when the test
// ends. env adds to the processes' environment.
func startProcesses(t *testing.T, n int, dsn string, env ...string) []*childProcess {
	t.Helper()
	ps := make([]*childProcess, n)
	for i := range ps {
		ps[i] = spawnProcess(t, dsn, env...)
	}
	t.Cleanup(func() {
		for _, p := range ps {
			p.terminate(t)
		}
		for _, p := range ps {
			p.stop(t)
		}
	})
	for _, p := range ps {
		p.waitReady(t)
	}
	return ps
}

// spawnProcess starts the process without waiting for it to serve.
func spawnProcess(t *testing.T, dsn string, env ...string) *childProcess {
	t.Helper()
	p := &childProcess{stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], "-test.run=^$")
	p.cmd.Env = append(append(os.Environ(),
		"SALESMANIA_TEST_RUN_SERVER=1",
		"SALESMANIA_WEBHOOK_ALLOW_PRIVATE=true", // the tests' webhook receivers listen on 127.0.0.1
		"SALESMANIA_TEST_ARGS=serve --addr 127.0.0.1:0 --log-format json --db "+dsn), env...)
	p.cmd.Stdout = io.Discard
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	return p
}

// waitReady returns once p announced its address and GET /healthz answers
// 200; it fails the test if p ends first or takes over 30 s.
func (p *childProcess) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for p.URL == "" {
		for line := range strings.Lines(p.stderr.String()) {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				p.URL = rec.Addr
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("the server process ended (%v) before it served\nstderr:\n%s", p.err, p.stderr)
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server process announced no address within 30 s\nstderr:\n%s", p.stderr)
		}
	}
	client := openapitest.NewClient(t)
	for {
		resp, err := client.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /healthz did not answer 200 within 30 s: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// terminate sends SIGTERM, once, unless the process has ended. Once: a
// second SIGTERM arriving after the first was handled, while the process
// exits, would kill it (the signal's default action is back by then).
func (p *childProcess) terminate(t *testing.T) {
	t.Helper()
	if p.signalled {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	p.signalled = true
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("SIGTERM: %v", err)
	}
}

// stop terminates the process and fails the test unless it exits 0 within
// 15 s. Once it has been checked, stop does nothing.
func (p *childProcess) stop(t *testing.T) {
	t.Helper()
	if p.checked {
		return
	}
	p.checked = true
	p.terminate(t)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
		t.Errorf("the server process did not exit within 15 s of SIGTERM\nstderr:\n%s", p.stderr)
		return
	}
	if p.err != nil {
		t.Errorf("the server process exited with %v after SIGTERM; want 0\nstderr:\n%s", p.err, p.stderr)
	}
}

// api returns the HTTP helpers of run_test.go for the process's address.
func (p *childProcess) api() *program { return &program{URL: p.URL} }

// exchange is the answer to one request.
type exchange struct {
	status int
	body   []byte
	err    error
}

// send makes one request with the bearer and team token, checked against
// the OpenAPI document. It may run off the test's goroutine.
func send(client *http.Client, method, url, bearer, teamToken, body string) exchange {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return exchange{err: err}
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("X-Team-Token", teamToken)
	resp, err := client.Do(req)
	if err != nil {
		return exchange{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return exchange{status: resp.StatusCode, body: b, err: err}
}

// TestVisitConcurrentAppends is the acceptance test of §5's append: 50
// visits appended at once for one team and date, through two server
// processes sharing one PostgreSQL database, and through one process on
// SQLite, get exactly the seqs 1..50, and every request succeeds.
func TestVisitConcurrentAppends(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		kind      string
		processes int
	}{
		{"postgres", 2},
		{"sqlite", 1},
	} {
		t.Run(tt.kind, func(t *testing.T) {
			t.Parallel()
			const (
				n    = 50
				date = "2024-01-01"
			)
			w := newRouteWorld(t, tt.kind, tt.processes)
			db, teams, c, servers := w.db, w.teams, w.customer, w.servers
			// Another team's route on the same date, which must not count.
			other := salesmania.Visit{Date: date, TeamID: teams[1].ID, CustomerID: c.ID, Status: salesmania.VisitStatusPlanned}
			if err := w.store.AppendVisit(context.Background(), db.ID, &other); err != nil {
				t.Fatal(err)
			}

			client := &http.Client{Transport: openapitest.NewTransport(t, &http.Transport{MaxIdleConnsPerHost: n}), Timeout: 30 * time.Second}
			body := mustJSON(map[string]any{"date": date, "customer_id": c.ID})
			answers := make([]exchange, n)
			begin := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				s := servers[i%len(servers)]
				wg.Go(func() {
					<-begin
					answers[i] = send(client, "POST", s.p.URL+"/extapi/v1.1/visits", s.bearer, s.teamToken, body)
				})
			}
			close(begin)
			wg.Wait()

			seqOf := map[int64]int64{} // visit id → seq, as the appends answered
			for i, a := range answers {
				if a.err != nil || a.status != http.StatusOK {
					t.Errorf("append %d (server %d): %v, status %d: %s", i, i%len(servers)+1, a.err, a.status, a.body)
					continue
				}
				var v salesmania.Visit
				if err := json.Unmarshal(a.body, &v); err != nil {
					t.Fatalf("append %d: %v: %s", i, err, a.body)
				}
				if v.Date != date || v.TeamID != teams[0].ID || v.CustomerID != c.ID || v.Status != "planned" {
					t.Errorf("append %d answered %s", i, a.body)
				}
				seqOf[v.ID] = v.Seq
			}
			if t.Failed() {
				for i, s := range servers {
					t.Logf("server %d stderr:\n%s", i+1, s.p.stderr)
				}
				t.FailNow()
			}
			if len(seqOf) != n {
				t.Fatalf("%d distinct visit ids; want %d", len(seqOf), n)
			}

			// The route as every server lists it: seqs exactly 1..n.
			var listed []byte
			for i, s := range servers {
				a := send(client, "GET", s.p.URL+"/extapi/v1.1/visits?date="+date+"&team_id="+itoa(teams[0].ID)+"&include_total=true", s.bearer, s.teamToken, "")
				if a.err != nil || a.status != http.StatusOK {
					t.Fatalf("list on server %d: %v, status %d: %s", i+1, a.err, a.status, a.body)
				}
				if i > 0 && !bytes.Equal(a.body, listed) {
					t.Fatalf("server %d lists\n%s\nserver 1\n%s", i+1, a.body, listed)
				}
				listed = a.body
			}
			var page struct {
				Data       []salesmania.Visit `json:"data"`
				NextCursor *string            `json:"next_cursor"`
				Total      int64              `json:"total"`
			}
			if err := json.Unmarshal(listed, &page); err != nil {
				t.Fatal(err)
			}
			if page.Total != n || len(page.Data) != n || page.NextCursor != nil {
				t.Fatalf("listed %d visits (total %d, next_cursor %v); want %d on one page", len(page.Data), page.Total, page.NextCursor, n)
			}
			var seqs []int64
			for _, v := range page.Data {
				seqs = append(seqs, v.Seq)
				if seq, ok := seqOf[v.ID]; !ok || seq != v.Seq {
					t.Errorf("visit %d listed with seq %d; its append answered seq %d (known: %v)", v.ID, v.Seq, seq, ok)
				}
			}
			want := make([]int64, n)
			for i := range want {
				want[i] = int64(i + 1)
			}
			if !slices.Equal(seqs, want) {
				t.Fatalf("seqs %v; want 1..%d", seqs, n)
			}

			// Stopped with SIGTERM, each process exits 0.
			for _, s := range servers {
				s.p.terminate(t)
			}
			for _, s := range servers {
				s.p.stop(t)
			}
		})
	}
}

// routeWorld is one database served by one or more server processes: two
// teams, a member of the first logged in on every process, and a customer
// with a location.
type routeWorld struct {
	dsn      string
	store    *sqlstore.Store
	db       salesmania.Database
	teams    []salesmania.Team
	customer salesmania.Customer
	servers  []routeServer
}

// routeServer is one process with the member's credentials on it.
type routeServer struct {
	p                 *childProcess
	bearer, teamToken string
}

func newRouteWorld(t *testing.T, kind string, processes int) *routeWorld {
	t.Helper()
	const (
		email    = "budi@majujaya.example"
		password = "Rahasia Budi 8"
	)
	dsn := sqlstoretest.DSN(t, kind)
	// The test's own store migrates the database before the processes
	// start, and sets up the data they serve.
	w := &routeWorld{dsn: dsn, store: sqlstoretest.MustOpenDSN(t, dsn), db: salesmania.Database{Name: "PT Maju Jaya"}}
	ctx := context.Background()
	if err := w.store.CreateDatabase(ctx, &w.db); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Budi", "Siti"} {
		tm := salesmania.Team{Name: name, Status: true}
		if err := w.store.CreateTeam(ctx, w.db.ID, &tm); err != nil {
			t.Fatal(err)
		}
		w.teams = append(w.teams, tm)
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	u := salesmania.User{Email: email, PasswordHash: hash}
	if err := w.store.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if err := w.store.PutMember(ctx, &salesmania.Membership{DBID: w.db.ID, UserID: u.ID, TeamID: w.teams[0].ID, Role: salesmania.RoleMember}); err != nil {
		t.Fatal(err)
	}
	w.customer = salesmania.Customer{Name: "Toko Sumber Rejeki", Status: true, Tags: []string{}, Location: &salesmania.Location{Lat: -7.110383, Lon: 110.473812}}
	if err := w.store.CreateCustomer(ctx, w.db.ID, &w.customer); err != nil {
		t.Fatal(err)
	}
	// Many requests at once from one member: no rate limit here.
	for _, p := range startProcesses(t, processes, dsn, "SALESMANIA_RATE_LIMIT=0") {
		bearer := p.api().login(t, email, password)
		w.servers = append(w.servers, routeServer{p, bearer, p.api().teamToken(t, bearer, w.db.ID, w.teams[0].ID)})
	}
	return w
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
