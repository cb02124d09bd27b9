package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress shows how far a long job has come, on stderr: on a terminal a
// bar redrawn in place at most 10 times a second,
//
//	[=============>                ]  42% 42000/100000  1234 rows/s  ETA 47s
//
// and elsewhere (a log file, CI) a plain line every 10% or 5 s.
type progress struct {
	w        io.Writer
	terminal bool
	label    string // "import customers"
	base     int64  // rows done before this run (a resumed import)
	total    int64  // rows in all, base included
	done     atomic.Int64
	start    time.Time

	mu        sync.Mutex
	lastDraw  time.Time
	lastTenth int64 // the 10% step of the last plain line
	lastWidth int   // of the bar line drawn last, to blank what is left
	stop      chan struct{}
	stopped   chan struct{}
}

const (
	barWidth         = 30
	terminalInterval = 100 * time.Millisecond
	plainInterval    = 5 * time.Second
)

// newProgress returns the progress of a job of total rows of which base
// were done before. Call start to show it and finish at the end.
func newProgress(w io.Writer, terminal bool, label string, base, total int64) *progress {
	return &progress{w: w, terminal: terminal, label: label, base: base, total: total}
}

// begin starts the clock and the redrawing.
func (p *progress) begin() {
	p.reset(time.Now())
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(terminalInterval)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case now := <-t.C:
				p.tick(now)
			}
		}
	}()
}

// reset starts the clock at now.
func (p *progress) reset(now time.Time) {
	p.start, p.lastDraw = now, now
	p.lastTenth = p.base * 10 / max(p.total, 1)
}

// add records n more rows done.
func (p *progress) add(n int64) { p.done.Add(n) }

// tick draws the progress if it is time to.
func (p *progress) tick(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done := p.done.Load()
	elapsed := now.Sub(p.start)
	if p.terminal {
		p.draw(p.bar(done, elapsed, false))
		p.lastDraw = now
		return
	}
	tenth := (p.base + done) * 10 / max(p.total, 1)
	if tenth > p.lastTenth || now.Sub(p.lastDraw) >= plainInterval {
		fmt.Fprintln(p.w, p.plain(done, elapsed, false))
		p.lastTenth, p.lastDraw = tenth, now
	}
}

// finish stops the redrawing and shows the final count, ending the line.
func (p *progress) finish() {
	if p.stop == nil {
		return
	}
	close(p.stop)
	<-p.stopped
	p.stop = nil
	p.end(time.Now())
}

// end shows the final count at now, ending the line.
func (p *progress) end(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done, elapsed := p.done.Load(), now.Sub(p.start)
	if p.terminal {
		p.draw(p.bar(done, elapsed, true))
		fmt.Fprintln(p.w)
		return
	}
	fmt.Fprintln(p.w, p.plain(done, elapsed, true))
}

// draw redraws the terminal line in place.
func (p *progress) draw(line string) {
	pad := max(p.lastWidth-len(line), 0)
	fmt.Fprint(p.w, "\r"+line+strings.Repeat(" ", pad))
	p.lastWidth = len(line)
}

// bar is the terminal line after done rows of this run in elapsed time.
func (p *progress) bar(done int64, elapsed time.Duration, final bool) string {
	all := p.base + done
	filled := int(int64(barWidth) * all / max(p.total, 1))
	filled = min(filled, barWidth)
	var b strings.Builder
	b.WriteString("[")
	switch {
	case filled == barWidth:
		b.WriteString(strings.Repeat("=", barWidth))
	case filled > 0:
		b.WriteString(strings.Repeat("=", filled-1) + ">" + strings.Repeat(" ", barWidth-filled))
	default:
		b.WriteString(strings.Repeat(" ", barWidth))
	}
	fmt.Fprintf(&b, "] %3d%% %d/%d  %s", percent(all, p.total), all, p.total, rate(done, elapsed))
	if final {
		fmt.Fprintf(&b, "  in %s", formatDuration(elapsed))
	} else {
		fmt.Fprintf(&b, "  ETA %s", eta(p.total-all, done, elapsed))
	}
	return b.String()
}

// plain is the line printed when stderr is not a terminal.
func (p *progress) plain(done int64, elapsed time.Duration, final bool) string {
	all := p.base + done
	s := fmt.Sprintf("%s: %d%% %d/%d rows, %s", p.label, percent(all, p.total), all, p.total, rate(done, elapsed))
	if final {
		return s + ", in " + formatDuration(elapsed)
	}
	return s + ", ETA " + eta(p.total-all, done, elapsed)
}

func percent(n, total int64) int64 {
	if total <= 0 {
		return 100
	}
	return n * 100 / total
}

// rate is done rows over elapsed time, once there is enough to tell.
func rate(done int64, elapsed time.Duration) string {
	if done == 0 || elapsed < 200*time.Millisecond {
		return "- rows/s"
	}
	return fmt.Sprintf("%.0f rows/s", float64(done)/elapsed.Seconds())
}

// eta estimates the time left for left rows at the rate so far.
func eta(left, done int64, elapsed time.Duration) string {
	if left <= 0 {
		return "0s"
	}
	if done == 0 || elapsed < 200*time.Millisecond {
		return "--"
	}
	return formatDuration(time.Duration(float64(elapsed) * float64(left) / float64(done)))
}

// formatDuration writes d shortly: 47s, 3m05s, 1h02m; under a minute with
// a tenth of a second when short.
func formatDuration(d time.Duration) string {
	switch {
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second).Seconds()))
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
