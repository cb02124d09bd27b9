package httpapi_test

import (
	"context"
	"fmt"
	"net"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// panickyContext is a server's base context that, while armed, panics when
// asked for the request's idempotency claim. Only the store asks for it,
// inside the transaction that creates a resource: on SQLite on the
// group-commit goroutine, outside every HTTP recovery. It stands for any
// bug of a write, without a hook in the production code.
type panickyContext struct {
	context.Context
	armed *atomic.Bool
}

func (c panickyContext) Value(key any) any {
	if c.armed.Load() && fmt.Sprintf("%T", key) == "salesmania.idempotencyKey" {
		panic("test: a bug inside a write")
	}
	return c.Context.Value(key)
}

// TestWritePanic checks that a write that panics answers its request 500
// with the request id, logs the panic as an internal error, changes nothing,
// and leaves the server answering, writes included.
func TestWritePanic(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e, tns := newCustomerEnv(t, kind, "PT Maju Jaya")
		a := tns[0]
		var armed atomic.Bool
		ts := httptest.NewUnstartedServer(e.server)
		ts.Config.BaseContext = func(net.Listener) context.Context {
			return panickyContext{Context: context.Background(), armed: &armed}
		}
		ts.Start()
		t.Cleanup(ts.Close)
		e.URL = ts.URL

		before := a.count(t)
		armed.Store(true)
		r := a.call("POST", "/extapi/v1.0/customers", `{"name":"Toko Sumber Rejeki"}`)
		armed.Store(false)
		p := wantProblem(t, r, 500)
		if strings.Contains(p.Detail, "panic") || strings.Contains(string(r.body), "bug inside") {
			t.Fatalf("the answer shows internals: %s", r.body)
		}
		// SQLite recovers the panic on its writer goroutine and returns an
		// error; PostgreSQL runs the write on the handler's goroutine, whose
		// recovery answers.
		recoveredBy := map[string]string{"sqlite": "sqlstore: a write panicked", "postgres": "panic: "}[kind]
		id := r.Header.Get("X-Request-Id")
		var logged bool
		for _, line := range strings.Split(e.logs.String(), "\n") {
			if strings.Contains(line, `"msg":"internal error"`) && strings.Contains(line, `"request_id":"`+id+`"`) &&
				strings.Contains(line, recoveredBy) && strings.Contains(line, "test: a bug inside a write") && strings.Contains(line, "goroutine") {
				logged = true
			}
		}
		if !logged {
			t.Fatalf("no internal error with the panic and its stack logged for request %s:\n%s", id, e.logs.String())
		}
		if line := e.accessLogLine(t, r); line["status"] != float64(500) || line["db_id"] != float64(a.DBID) {
			t.Fatalf("access log line %v; want status 500 and the database", line)
		}
		if n := a.count(t); n != before {
			t.Fatalf("%d customers after the panicking create; want %d", n, before)
		}

		// The server, and its writer, still serve.
		c := a.mustCreate(t, `{"name":"Toko Sumber Rejeki"}`)
		if got := a.mustGet(t, c.ID); got.Name != "Toko Sumber Rejeki" {
			t.Fatalf("customer %+v", got)
		}
		if n := a.count(t); n != before+1 {
			t.Fatalf("%d customers; want %d", n, before+1)
		}
	})
}
