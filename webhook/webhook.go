// Package webhook delivers the outbox of order events to the ERPs' webhooks
// (§6.3): an HTTP POST of the Ext Order body, signed with HMAC-SHA256, retried
// after 1 s, then doubling up to 1 h between attempts, for 24 h.
//
// Deliveries are claimed from the store with a lease, so several server
// processes on one PostgreSQL each send different events, and an event whose
// sender died is sent again once its lease runs out: delivery is at least
// once. Receivers tell repeats apart by X-SalesMania-Delivery.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/salesmania/salesmania"
)

// Outbox is what the dispatcher needs of the store.
type Outbox interface {
	ClaimDueDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]salesmania.PendingDelivery, error)
	RecordAttempt(ctx context.Context, d salesmania.PendingDelivery, r salesmania.DeliveryResult) error
}

// Retry schedule (§6.3).
const (
	FirstRetry  = time.Second
	MaxInterval = time.Hour
	GiveUpAfter = 24 * time.Hour
	// Timeout is how long a receiver has to answer.
	Timeout = 10 * time.Second
)

// NextAttempt returns when to try a delivery again after its attempt-th
// failed attempt at attemptedAt, or nil when 24 hours since the event have
// passed and the delivery is given up.
func NextAttempt(created, attemptedAt time.Time, attempt int) *time.Time {
	delay := MaxInterval
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 12 { // 1 s << 12 is past an hour already
		delay = min(FirstRetry<<(attempt-1), MaxInterval)
	}
	next := attemptedAt.Add(delay)
	if next.Sub(created) > GiveUpAfter {
		return nil
	}
	return &next
}

// Sign returns the X-SalesMania-Signature value for body sent at unix time
// t: "t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>".
func Sign(secret string, t int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	ts := strconv.FormatInt(t, 10)
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// NewClient returns the HTTP client deliveries are sent with: Timeout per
// attempt, and no redirects followed — a 3xx is a failed attempt like any
// other non-2xx (§6.3), and a receiver cannot send the signed body
// elsewhere. Unless allowPrivate, it connects only to public addresses: the
// check runs on each address a name resolves to, just before connecting, so
// a name registered while it pointed outside cannot be re-pointed inside
// later (see salesmania.SpecialAddress). It uses no HTTP proxy, which would
// resolve names itself.
func NewClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: Timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = refusePrivate
	}
	return &http.Client{
		Timeout: Timeout,
		Transport: &http.Transport{
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   Timeout,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// privateAddressError is a connection refused by the client itself: the
// address is not public.
type privateAddressError struct {
	addr netip.Addr
	kind string
}

func (e *privateAddressError) Error() string {
	return "webhook: not connecting to " + e.addr.String() + ", a " + e.kind + " address"
}

// refusePrivate is the net.Dialer Control of NewClient: it runs after DNS
// resolution, for each address about to be connected to.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook: dial address %q: %w", address, err)
	}
	if kind := salesmania.SpecialAddress(ap.Addr()); kind != "" {
		return &privateAddressError{addr: ap.Addr(), kind: kind}
	}
	return nil
}

// CheckURL refuses, as an invalid url field, a webhook URL whose host name
// resolves only to addresses that are not public (an IP address host is the
// domain's to check, in WebhookCreate.NewWebhook). A name that does not
// resolve now is let through: deliveries to it fail until it does, and
// NewClient refuses it then if it points inside.
func CheckURL(ctx context.Context, rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil // NewWebhook has refused it already
	}
	host := u.Hostname()
	if _, err := netip.ParseAddr(host); err == nil || host == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return nil
	}
	for _, a := range addrs {
		if salesmania.SpecialAddress(a) == "" {
			return nil
		}
	}
	kind := salesmania.SpecialAddress(addrs[0])
	return &salesmania.Error{Code: salesmania.EINVALID, Message: "1 field is invalid", Fields: []salesmania.FieldError{{Field: "url",
		Message: "must not point to a " + kind + " address (" + host + " is " + addrs[0].WithZone("").String() + "); webhooks are delivered to public addresses only"}}}
}

// describe turns a failed attempt's error into what the tenant's admin is
// shown: a category, never the socket's own words, which would tell an open
// port from a closed one. The server log keeps the error itself.
func describe(err error) string {
	var private *privateAddressError
	var dns *net.DNSError
	var ne net.Error
	var tlsRecord tls.RecordHeaderError
	var tlsAlert tls.AlertError
	var tlsVerify *tls.CertificateVerificationError
	var x509Host x509.HostnameError
	var x509Authority x509.UnknownAuthorityError
	var x509Invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &private):
		return "refused: private address"
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return "no such host"
		}
		if dns.IsTimeout {
			return "timeout"
		}
		return "dns error"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &tlsRecord), errors.As(err, &tlsAlert), errors.As(err, &tlsVerify),
		errors.As(err, &x509Host), errors.As(err, &x509Authority), errors.As(err, &x509Invalid):
		return "tls error"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	return "network error"
}

// Dispatcher sends due deliveries until its context ends.
type Dispatcher struct {
	Outbox Outbox
	// Client sends the requests; one with Timeout if nil.
	Client *http.Client
	Logger *slog.Logger
	// Now is the clock; time.Now if nil.
	Now func() time.Time
	// PollInterval is the pause when nothing is due; 500 ms if 0.
	PollInterval time.Duration
	// Concurrency is how many deliveries are sent at once; 4 if 0.
	Concurrency int
	// Lease is how long a claimed delivery is kept from other processes;
	// it must exceed Timeout. 1 minute if 0.
	Lease time.Duration
	// AllowPrivate lets the client made when Client is nil connect to
	// loopback, private and link-local addresses (serve
	// --webhook-allow-private), for an ERP inside the network.
	AllowPrivate bool
}

// Run sends deliveries until ctx is done. Attempts under way finish first.
func (d *Dispatcher) Run(ctx context.Context) {
	client := d.Client
	if client == nil {
		client = NewClient(d.AllowPrivate)
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	poll, conc, lease := d.PollInterval, d.Concurrency, d.Lease
	if poll == 0 {
		poll = 500 * time.Millisecond
	}
	if conc == 0 {
		conc = 4
	}
	if lease == 0 {
		lease = time.Minute
	}
	logger := d.Logger
	if logger == nil {
		logger = slog.Default()
	}
	for {
		batch, err := d.Outbox.ClaimDueDeliveries(ctx, now(), 4*conc, lease)
		if err != nil && ctx.Err() == nil {
			logger.Error("webhook: claim deliveries", "error", err.Error())
		}
		if len(batch) > 0 {
			var wg sync.WaitGroup
			slots := make(chan struct{}, conc)
			for _, del := range batch {
				slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer func() { <-slots; wg.Done() }()
					r, cause := send(context.WithoutCancel(ctx), client, del, now)
					if !r.Delivered {
						r.NextAttemptAt = NextAttempt(del.CreatedAt, r.AttemptedAt, del.Attempts+1)
					}
					if err := d.Outbox.RecordAttempt(context.WithoutCancel(ctx), del, r); err != nil {
						logger.Error("webhook: record attempt", "delivery", del.DeliveryID, "error", err.Error())
					}
					logger.Info("webhook attempt", "delivery", del.DeliveryID, "event", del.Event, "order_id", del.OrderID,
						"attempt", del.Attempts+1, "status_code", r.StatusCode, "delivered", r.Delivered, "error", r.Error, "cause", cause)
				}()
			}
			wg.Wait()
			if len(batch) == 4*conc {
				continue // more may be due
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
}

// send makes one attempt of a delivery. The result's Error is for the
// tenant (see describe); cause is the error itself, for the server log.
func send(ctx context.Context, client *http.Client, del salesmania.PendingDelivery, now func() time.Time) (r salesmania.DeliveryResult, cause string) {
	at := now().UTC()
	r.AttemptedAt = at.Truncate(time.Microsecond)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, del.URL, bytes.NewReader(del.Payload))
	if err != nil {
		r.Error = "invalid url"
		return r, err.Error()
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "salesmania-webhook/1")
	req.Header.Set("X-SalesMania-Event", del.Event)
	req.Header.Set("X-SalesMania-Delivery", del.DeliveryID)
	req.Header.Set("X-SalesMania-Signature", Sign(del.Secret, at.Unix(), del.Payload))
	resp, err := client.Do(req)
	if err != nil {
		r.Error = describe(err)
		return r, truncate(err.Error(), 500)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	r.StatusCode = resp.StatusCode
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		r.Delivered = true
	} else {
		r.Error = fmt.Sprintf("receiver answered %d", resp.StatusCode)
	}
	return r, ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
