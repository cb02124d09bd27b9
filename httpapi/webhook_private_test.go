package httpapi_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/httpapi"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
	"github.com/salesmania/salesmania/webhook"
)

// TestWebhookPrivateAddress: by default a webhook may not point inside the
// server's network, whether by IP address or by a name resolving there
// (here localhost); the answer is 422 naming url and nothing is stored.
func TestWebhookPrivateAddress(t *testing.T) {
	const secret = `"secret":"0123456789abcdef"`
	refused := []struct{ name, url, says string }{
		{"ErrLoopback", "http://127.0.0.1:5432/", "loopback"},
		{"ErrLoopbackIPv6", "http://[::1]:8080/erp", "loopback"},
		{"ErrPrivate", "http://10.0.0.5/erp/orders", "private"},
		{"ErrPrivate172", "https://172.20.1.1/erp/orders", "private"},
		{"ErrUniqueLocal", "https://[fd12::1]/erp", "private"},
		{"ErrLinkLocal", "http://169.254.10.1/", "link-local"},
		{"ErrMetadata", "http://169.254.169.254/latest/meta-data/", "cloud metadata"},
		{"ErrMetadataIPv6", "http://[fd00:ec2::254]/", "cloud metadata"},
		{"ErrUnspecified", "http://0.0.0.0:8080/", "unspecified"},
		{"ErrCGNAT", "http://100.64.0.9/", "carrier-grade NAT"},
		{"ErrMulticast", "http://224.0.0.1/", "multicast"},
		{"ErrShortIPv4", "http://127.1:5432/", "standard IP address"},
		{"ErrNameOfLoopback", "http://localhost:5432/", "loopback"},
	}
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		e := newEnvWith(t, kind, serverOptions{configure: func(c *httpapi.Config) { c.WebhookAllowPrivate = false }})
		c := e.mustCompany("PT Maju Jaya", "Budi")
		u := e.mustUser("ani@majujaya.example")
		e.mustMember(c.DB.ID, u.ID, c.Teams[0].ID, salesmania.RoleAdmin)
		bearer := e.login(u.Email)
		ani := tenant{e: e, DBID: c.DB.ID, bearer: bearer, teamToken: e.teamToken(bearer, c.DB.ID)}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				p := wantProblem(t, ani.call("POST", webhooksPath, `{"url":"`+tt.url+`",`+secret+`}`), 422, "url")
				if !strings.Contains(p.Errors[0].Message, tt.says) {
					t.Fatalf("url error %q; want it to say %q", p.Errors[0].Message, tt.says)
				}
				wantWebhooks(t, mustListWebhooks(t, ani))
			})
		}
		// A public address, and a name that does not resolve (yet): the
		// dispatcher checks it again on every connection.
		pub := mustCreateWebhook(t, ani, "https://203.0.114.9/erp/orders", "whsec-public-0123456789")
		later := mustCreateWebhook(t, ani, "https://erp.not-yet.invalid/orders", "whsec-later-0123456789")
		wantWebhooks(t, mustListWebhooks(t, ani), pub, later)
	})
}

// TestWebhookAllowPrivate: with the server's allow-private option (an
// on-premise ERP), a local receiver is registered and gets the orders.
func TestWebhookAllowPrivate(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind) // WebhookAllowPrivate, as every test server
		recv := newHookReceiver(t, nil)
		viaName := strings.Replace(recv.URL(), "127.0.0.1", "localhost", 1)
		hook := mustCreateWebhook(t, w.ani, viaName, "whsec-local-0123456789", "order.created")
		startDispatcher(t, w.e)
		o, _ := w.mustCreateOrder(t, w.budi, seedOrderBody)
		req := recv.wait(t, 1)[0]
		verifyHookRequest(t, req, "whsec-local-0123456789")
		if got := waitAttempts(t, w.ani, hook.ID, 1)[0]; got.StatusCode != 200 || got.Error != "" || got.OrderID != o.ID {
			t.Fatalf("attempt = %s; want delivered", js(got))
		}
	})
}

// TestWebhookRefusedAtConnect: a webhook that came to point inside (a name
// re-pointed after registration; here one registered while allowed) is not
// sent to by a dispatcher without allow-private, and its admin reads why as
// a category, not the socket's words.
func TestWebhookRefusedAtConnect(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		w := newOrderWorld(t, kind)
		recv := newHookReceiver(t, nil)
		hook := mustCreateWebhook(t, w.ani, strings.Replace(recv.URL(), "127.0.0.1", "localhost", 1), "whsec-moved-0123456789", "order.created")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			(&webhook.Dispatcher{Outbox: w.e.store, PollInterval: 20 * time.Millisecond, Logger: slog.New(slog.NewJSONHandler(w.e.logs, nil))}).Run(ctx)
		}()
		t.Cleanup(func() { cancel(); <-done })
		o, _ := w.mustCreateOrder(t, w.budi, seedOrderBody)
		got := waitAttempts(t, w.ani, hook.ID, 1)[0]
		if got.Error != "refused: private address" || got.StatusCode != 0 || got.OrderID != o.ID || got.NextAttemptAt == nil {
			t.Fatalf("attempt = %s; want refused: private address, to be retried", js(got))
		}
		if n := recv.count(); n != 0 {
			t.Fatalf("the receiver got %d requests; want none", n)
		}
		// The server log keeps the error itself.
		if logs := w.e.logs.String(); !strings.Contains(logs, `"cause":"Post `) || !strings.Contains(logs, "loopback address") {
			t.Fatalf("the log does not give the cause:\n%s", logs)
		}
	})
}
