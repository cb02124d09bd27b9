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
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
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
// other non-2xx (§6.3), and a receiver cannot send the signed body elsewhere.
func NewClient() *http.Client {
	return &http.Client{
		Timeout:       Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
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
}

// Run sends deliveries until ctx is done. Attempts under way finish first.
func (d *Dispatcher) Run(ctx context.Context) {
	client := d.Client
	if client == nil {
		client = NewClient()
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
					r := send(context.WithoutCancel(ctx), client, del, now)
					if !r.Delivered {
						r.NextAttemptAt = NextAttempt(del.CreatedAt, r.AttemptedAt, del.Attempts+1)
					}
					if err := d.Outbox.RecordAttempt(context.WithoutCancel(ctx), del, r); err != nil {
						logger.Error("webhook: record attempt", "delivery", del.DeliveryID, "error", err.Error())
					}
					logger.Info("webhook attempt", "delivery", del.DeliveryID, "event", del.Event, "order_id", del.OrderID,
						"attempt", del.Attempts+1, "status_code", r.StatusCode, "delivered", r.Delivered, "error", r.Error)
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

// send makes one attempt of a delivery.
func send(ctx context.Context, client *http.Client, del salesmania.PendingDelivery, now func() time.Time) salesmania.DeliveryResult {
	at := now().UTC()
	r := salesmania.DeliveryResult{AttemptedAt: at.Truncate(time.Microsecond)}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, del.URL, bytes.NewReader(del.Payload))
	if err != nil {
		r.Error = err.Error()
		return r
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "salesmania-webhook/1")
	req.Header.Set("X-SalesMania-Event", del.Event)
	req.Header.Set("X-SalesMania-Delivery", del.DeliveryID)
	req.Header.Set("X-SalesMania-Signature", Sign(del.Secret, at.Unix(), del.Payload))
	resp, err := client.Do(req)
	if err != nil {
		r.Error = truncate(err.Error(), 500)
		return r
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	r.StatusCode = resp.StatusCode
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		r.Delivered = true
	} else {
		r.Error = fmt.Sprintf("receiver answered %d", resp.StatusCode)
	}
	return r
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
