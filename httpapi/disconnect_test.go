package httpapi_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// The tests of this file cover clients that go away in the middle of a
// request, as a flaky mobile network does: what they asked for either
// happened or did not, a retry learns which at once, and the log says what
// happened without raising an alarm.

// sendAndLeave sends the request over a connection of its own and closes
// the connection after wait, without reading a byte of the answer. The
// request carries X-Request-Id id, so the test can find its log lines.
func (e *env) sendAndLeave(t *testing.T, req *http.Request, id string, wait time.Duration) {
	t.Helper()
	req.Header.Set("X-Request-Id", id)
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(conn)
	if err := req.Write(w); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(wait)
	conn.Close()
}

// newRequest builds a request of tn to path on e's server, as a client
// would send it.
func (tn tenant) newRequest(t *testing.T, method, path, body string, header map[string]string) *http.Request {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	req, err := http.NewRequest(method, tn.e.URL+path+sep+"team_token="+tn.teamToken, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tn.bearer)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

// logLines returns the server's log lines about request id, in order.
func (e *env) logLines(t *testing.T, id string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if !strings.Contains(line, id) {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if m["request_id"] == id {
			out = append(out, m)
		}
	}
	return out
}

// waitServed waits until the server has written the access log line of
// request id, which comes after everything the request did, and returns the
// request's log lines.
func (e *env) waitServed(t *testing.T, id string) []map[string]any {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		lines := e.logLines(t, id)
		for _, m := range lines {
			if m["msg"] == "request" {
				return lines
			}
		}
	}
	t.Fatalf("request %s: no access log line after 20 s; log:\n%s", id, e.logs.String())
	return nil
}

// wantNoErrorLogged fails the test if request id logged anything at ERROR.
func wantNoErrorLogged(t *testing.T, lines []map[string]any) {
	t.Helper()
	for _, m := range lines {
		if m["level"] == "ERROR" {
			t.Errorf("logged at ERROR: %v", m)
		}
	}
}

// TestIdempotencyKeyClientGone cuts the connection of a keyed POST at
// moments spread over the time the server takes to answer it, commit
// included. Whenever the server is done with it, a retry with the same key
// must be answered at once with the order (made then, or made before and
// replayed), never 409 "still being processed" or a 5xx, and each key must
// end with exactly one order.
func TestIdempotencyKeyClientGone(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		const trials = 30
		body := func(i int) string {
			return w.body(strings.Replace(seedOrderBody, "SO-2024-0001", fmt.Sprintf("SO-GONE-%02d", i), 1))
		}
		// How long the server takes for one such POST, to spread the cuts
		// over it.
		start := time.Now()
		const warmups = 5
		for i := range warmups {
			mustOK(t, w.ani.postKeyed(w.ordersPath, fmt.Sprintf("warm-%d", i), body(100+i)))
		}
		took := time.Since(start) / warmups
		served := map[string]int{} // the statuses of the cut requests, as logged
		defer func() { t.Logf("cut requests, by status logged: %v", served) }()
		for i := range trials {
			key := fmt.Sprintf("gone-%02d", i)
			id := fmt.Sprintf("gone-%s-%02d", kind, i)
			req := w.ani.newRequest(t, "POST", w.ordersPath, body(i), map[string]string{"Idempotency-Key": key})
			w.e.sendAndLeave(t, req, id, took*time.Duration(2*i)/trials)
			lines := w.e.waitServed(t, id)
			wantNoErrorLogged(t, lines)
			for _, m := range lines {
				if m["msg"] == "request" {
					served[fmt.Sprint(m["status"])]++
				}
			}

			r := w.ani.postKeyed(w.ordersPath, key, body(i))
			if r.StatusCode != 200 {
				t.Fatalf("trial %d (cut after %v of %v): retry got %d %s; want 200 at once", i, took*time.Duration(2*i)/trials, took, r.StatusCode, r.body)
			}
		}
		n := map[string]int{}
		for _, o := range w.storedOrders(t) {
			n[o.ExtOrderNo]++
		}
		for i := range trials {
			if no := fmt.Sprintf("SO-GONE-%02d", i); n[no] != 1 {
				t.Errorf("%d orders %s; want exactly 1", n[no], no)
			}
		}
	})
}

// holdDatabase makes the database hold requests up until release is
// called: on SQLite another connection takes the write lock, so writes
// queue behind the one waiting for it; on PostgreSQL another connection
// locks the customers table, so even reads of it wait.
func holdDatabase(t *testing.T, kind, dsn string) (release func()) {
	t.Helper()
	driver, name := "pgx", dsn
	if kind == "sqlite" {
		driver, name = "sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")+"?_pragma=busy_timeout(10000)"
	}
	db, err := sql.Open(driver, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	hold := "BEGIN IMMEDIATE"
	if kind == "postgres" {
		hold = "BEGIN; LOCK TABLE customers IN ACCESS EXCLUSIVE MODE"
	}
	if _, err := conn.ExecContext(context.Background(), hold); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
			t.Fatal(err)
		}
		conn.Close()
	}
}

// TestClientGoneLogged hangs up on a request while the database holds it.
// That is no fault of the server: it is logged as a client gone away, at
// INFO with status 499 as proxies log it, not as an internal error.
func TestClientGoneLogged(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		dsn := sqlstoretest.DSN(t, kind)
		e := newEnvWith(t, kind, serverOptions{store: sqlstoretest.MustOpenDSN(t, dsn)})
		u := e.mustUser("budi@majujaya.example")
		tn := e.mustTenant(u, e.login(u.Email), "PT Maju Jaya")
		c := tn.mustCreate(t, `{"name":"Toko Sumber Rejeki"}`)

		release := holdDatabase(t, kind, dsn)
		// SQLite: one write waits for the lock, the one that hangs up
		// queues behind it. PostgreSQL: the read that hangs up waits.
		req := tn.newRequest(t, "GET", customersPath+"/"+itoa(c.ID), "", nil)
		var first chan response
		if kind == "sqlite" {
			first = make(chan response, 1)
			go func() { first <- tn.call("POST", customersPath, `{"name":"Warung Bu Sri"}`) }()
			time.Sleep(200 * time.Millisecond)
			req = tn.newRequest(t, "POST", customersPath, `{"name":"Toko Pergi"}`, nil)
		}
		id := "gone-" + kind
		e.sendAndLeave(t, req, id, 200*time.Millisecond)
		time.Sleep(100 * time.Millisecond)
		release()
		if first != nil {
			mustOK(t, <-first)
		}

		lines := e.waitServed(t, id)
		wantNoErrorLogged(t, lines)
		var gone, access map[string]any
		for _, m := range lines {
			switch m["msg"] {
			case "client went away":
				gone = m
			case "request":
				access = m
			}
		}
		if gone == nil || gone["level"] != "INFO" || gone["error"] != "context canceled" {
			t.Errorf("log lines %v; want an INFO \"client went away\" with the error", lines)
		}
		if access["status"] != float64(499) {
			t.Errorf("access log %v; want status 499", access)
		}
		if _, ok := gone["stack"]; ok {
			t.Errorf("a stack in %v", gone)
		}
		if kind == "sqlite" && tn.count(t) != 2 {
			t.Errorf("%d customers; want 2: the write of the client gone was not started", tn.count(t))
		}
	})
}
