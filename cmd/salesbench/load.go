package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// newHTTPClient returns the one client every request goes through, with a
// connection pool of exactly conns connections to the server.
func newHTTPClient(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns
	tr.MaxIdleConnsPerHost = conns
	tr.MaxConnsPerHost = conns
	tr.IdleConnTimeout = 5 * time.Minute
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// request is one HTTP request of a workload, before it is sent.
type request struct {
	Method string
	Path   string // with the query
	Body   []byte // JSON; nil for none
}

// target sends requests to one server, with the headers a logged-in client
// sends.
type target struct {
	client  *http.Client
	base    string // http://host:port
	headers http.Header
	query   string // added to every request's query, e.g. the team token
}

// do sends r and returns the status; the body is read to the end (so the
// connection is reused) and kept only if keep is true or the status is not
// 2xx, up to 2 KiB.
func (t *target) do(ctx context.Context, r request, keep bool) (int, []byte, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	u := t.base + r.Path
	if t.query != "" {
		if strings.Contains(r.Path, "?") {
			u += "&" + t.query
		} else {
			u += "?" + t.query
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u, body)
	if err != nil {
		return 0, nil, err
	}
	for k, v := range t.headers {
		req.Header[k] = v
	}
	if r.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if keep || resp.StatusCode/100 != 2 {
		var buf bytes.Buffer
		_, err = io.Copy(&buf, resp.Body)
		b := buf.Bytes()
		if !keep && len(b) > 2048 {
			b = b[:2048]
		}
		return resp.StatusCode, b, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil, err
}

// loadOptions say how hard and how long to drive a workload.
type loadOptions struct {
	Conns    int
	Warmup   time.Duration
	Duration time.Duration
	// Rate, when above 0, sends requests at this constant rate (per
	// second) instead of each connection sending its next as soon as the
	// last is answered.
	Rate float64
}

// loadResult is what one workload's run measured on the client side.
type loadResult struct {
	Hist      histogram
	OK        uint64         // 2xx answers
	Non2xx    map[int]uint64 // other answers, by status
	Transport uint64         // requests that got no answer
	Unsent    uint64         // constant rate: requests due that were never sent
	Samples   []string       // the first few errors, for the report
	Elapsed   time.Duration  // the measured window
}

// Errors counts the requests that failed in any way.
func (r *loadResult) Errors() uint64 {
	n := r.Transport + r.Unsent
	for _, c := range r.Non2xx {
		n += c
	}
	return n
}

// ErrorSummary lists the error counts, e.g. "422×3 transport×1".
func (r *loadResult) ErrorSummary() string {
	var parts []string
	statuses := make([]int, 0, len(r.Non2xx))
	for s := range r.Non2xx {
		statuses = append(statuses, s)
	}
	sort.Ints(statuses)
	for _, s := range statuses {
		parts = append(parts, fmt.Sprintf("%d×%d", s, r.Non2xx[s]))
	}
	if r.Transport > 0 {
		parts = append(parts, fmt.Sprintf("transport×%d", r.Transport))
	}
	if r.Unsent > 0 {
		parts = append(parts, fmt.Sprintf("unsent×%d", r.Unsent))
	}
	return strings.Join(parts, " ")
}

// workerResult is one worker's share of a loadResult, merged at the end so
// workers never contend on a lock while measuring.
type workerResult struct {
	hist      histogram
	ok        uint64
	non2xx    map[int]uint64
	transport uint64
}

const maxErrorSamples = 5

// runLoad drives t with requests made by next for opts.Warmup, which is not
// measured, then opts.Duration, which is, and returns the measurements.
// onMeasure, if not nil, is called at the start and at the end of the
// measured window (for the server's CPU time).
//
// Closed loop (Rate 0): opts.Conns workers each send a request, wait for the
// answer, and send the next. Latency is from send to answer.
//
// Constant rate: request k is due at start + k/Rate, whatever happened to
// the earlier ones; opts.Conns workers take the due requests in turn. A
// request sent late because every connection was busy is measured from the
// time it was due, not from when it went out, so a stall of the server shows
// in the latency of every request it delayed: no coordinated omission.
// Requests still not sent 2 s after the window count as unsent errors.
func runLoad(ctx context.Context, t *target, opts loadOptions, next func(rng *rand.Rand) request, onMeasure func(start bool)) *loadResult {
	var (
		start        = time.Now()
		measureStart = start.Add(opts.Warmup)
		end          = measureStart.Add(opts.Duration)
		ticket       atomic.Int64
		samplesMu    sync.Mutex
		samples      []string
		results      = make([]*workerResult, opts.Conns)
		wg           sync.WaitGroup
	)
	addSample := func(s string) {
		samplesMu.Lock()
		if len(samples) < maxErrorSamples {
			samples = append(samples, s)
		}
		samplesMu.Unlock()
	}
	var interval float64 // ns between due times
	if opts.Rate > 0 {
		interval = float64(time.Second) / opts.Rate
	}
	for w := range opts.Conns {
		res := &workerResult{non2xx: map[int]uint64{}}
		results[w] = res
		rng := rand.New(rand.NewPCG(uint64(start.UnixNano()), uint64(w)))
		wg.Go(func() {
			for ctx.Err() == nil {
				r := next(rng)     // made first, so its making is not timed
				var sent time.Time // what latency is measured from
				if opts.Rate > 0 {
					k := ticket.Add(1) - 1
					due := start.Add(time.Duration(float64(k) * interval))
					if !due.Before(end) {
						return
					}
					if now := time.Now(); due.After(now) {
						time.Sleep(due.Sub(now))
					} else if now.Sub(end) > 2*time.Second {
						return
					}
					sent = due
				} else {
					sent = time.Now()
					if !sent.Before(end) {
						return
					}
				}
				status, body, err := t.do(ctx, r, false)
				done := time.Now()
				if sent.Before(measureStart) || (opts.Rate == 0 && done.After(end)) {
					continue
				}
				switch {
				case err != nil:
					if ctx.Err() != nil {
						return
					}
					res.transport++
					addSample(fmt.Sprintf("%s %s: %v", r.Method, r.Path, err))
					continue
				case status/100 == 2:
					res.ok++
				default:
					res.non2xx[status]++
					addSample(fmt.Sprintf("%s %s → %d %s", r.Method, r.Path, status, bytes.TrimSpace(body)))
				}
				res.hist.Record(done.Sub(sent))
			}
		})
	}
	measured := make(chan struct{})
	go func() {
		defer close(measured)
		if onMeasure != nil {
			sleepUntil(ctx, measureStart)
			onMeasure(true)
			sleepUntil(ctx, end)
			onMeasure(false)
		}
	}()
	wg.Wait()
	<-measured
	out := &loadResult{Non2xx: map[int]uint64{}, Samples: samples, Elapsed: opts.Duration}
	for _, r := range results {
		out.Hist.Merge(&r.hist)
		out.OK += r.ok
		out.Transport += r.transport
		for s, c := range r.non2xx {
			out.Non2xx[s] += c
		}
	}
	if opts.Rate > 0 {
		// Every request due in the window should have been sent.
		due := dueInWindow(opts.Warmup, opts.Duration, interval)
		if got := out.OK + out.Transport + sum(out.Non2xx); got < due {
			out.Unsent = due - got
		}
	}
	return out
}

func sum(m map[int]uint64) uint64 {
	var n uint64
	for _, c := range m {
		n += c
	}
	return n
}

func sleepUntil(ctx context.Context, t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		return
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// dueInWindow counts the k ≥ 0 whose due time, as runLoad computes it, falls
// in [warmup, warmup+d).
func dueInWindow(warmup, d time.Duration, interval float64) uint64 {
	first := func(from time.Duration) int64 { // the least k due at or after from
		k := int64(float64(from) / interval)
		for k > 0 && time.Duration(float64(k-1)*interval) >= from {
			k--
		}
		for time.Duration(float64(k)*interval) < from {
			k++
		}
		return k
	}
	return uint64(first(warmup+d) - first(warmup))
}
