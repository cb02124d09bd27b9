package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// result is one workload's line of the report. Latencies are in
// milliseconds.
type result struct {
	Name      string  `json:"name"`
	Kind      string  `json:"kind"`
	Desc      string  `json:"description"`
	Mode      string  `json:"mode"` // "closed" or "rate N/s"
	ReqPerSec float64 `json:"req_per_sec"`
	// Ratio is ReqPerSec over the ceiling of the same kind: the better of
	// the two ceiling runs.
	Ratio            float64           `json:"ratio_to_ceiling,omitempty"`
	OK               uint64            `json:"ok"`
	Errors           uint64            `json:"errors"`
	Non2xx           map[string]uint64 `json:"non_2xx,omitempty"` // by status
	Transport        uint64            `json:"transport_errors,omitempty"`
	Unsent           uint64            `json:"unsent,omitempty"`
	ErrorDetail      string            `json:"error_detail,omitempty"`
	ErrorSamples     []string          `json:"error_samples,omitempty"`
	P50ms            float64           `json:"p50_ms"`
	P90ms            float64           `json:"p90_ms"`
	P99ms            float64           `json:"p99_ms"`
	MaxMs            float64           `json:"max_ms"`
	MeanMs           float64           `json:"mean_ms"`
	ServerCPUSeconds float64           `json:"server_cpu_s"`
	ServerCPUPercent float64           `json:"server_cpu_percent"` // of one CPU; up to 100 × nproc
	ClientCPUPercent float64           `json:"client_cpu_percent"`
	ServerRSS        int64             `json:"server_rss_bytes"` // at the end of the window
}

func newResult(w workload, opts loadOptions, lr *loadResult, before, after, selfBefore, selfAfter procStats) *result {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	r := &result{
		Name: w.Name, Kind: w.Kind, Desc: w.Desc, Mode: "closed",
		ReqPerSec: float64(lr.OK) / lr.Elapsed.Seconds(),
		OK:        lr.OK, Errors: lr.Errors(), ErrorDetail: lr.ErrorSummary(), ErrorSamples: lr.Samples,
		P50ms: ms(lr.Hist.Quantile(0.50)), P90ms: ms(lr.Hist.Quantile(0.90)), P99ms: ms(lr.Hist.Quantile(0.99)),
		MaxMs: ms(lr.Hist.Max()), MeanMs: ms(lr.Hist.Mean()),
		ServerRSS: after.RSS, Transport: lr.Transport, Unsent: lr.Unsent,
	}
	for status, n := range lr.Non2xx {
		if r.Non2xx == nil {
			r.Non2xx = map[string]uint64{}
		}
		r.Non2xx[strconv.Itoa(status)] = n
	}
	if opts.Rate > 0 {
		r.Mode = fmt.Sprintf("rate %g/s", opts.Rate)
	}
	if wall := after.At.Sub(before.At).Seconds(); wall > 0 {
		cpu := (after.CPU - before.CPU).Seconds()
		r.ServerCPUSeconds = cpu
		r.ServerCPUPercent = 100 * cpu / wall
		r.ClientCPUPercent = 100 * (selfAfter.CPU - selfBefore.CPU).Seconds() / wall
	}
	return r
}

// seedReport says what was seeded and how long it took.
type seedReport struct {
	Customers int     `json:"customers"`
	Products  int     `json:"products"`
	Teams     int     `json:"teams"`
	Seconds   float64 `json:"seconds"`
}

// machineInfo names the machine the numbers are of.
type machineInfo struct {
	CPUs      int    `json:"cpus"`
	Model     string `json:"cpu_model"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
}

func machine() machineInfo {
	m := machineInfo{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if name, value, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
				m.Model = strings.TrimSpace(value)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS += ", Linux " + strings.TrimSpace(string(b))
	}
	return m
}

// The targets of the performance issue (issue 8), judged in one closed-loop
// run: throughput as a fraction of the ceiling of its kind (ratioGoals),
// every workload's p99, the server's peak memory, and, with -scale, the
// server's start to ready and the cost of a deep page on a database of a
// million customers.
const (
	maxP99Ms = 25.0 // every workload's p99, strictly below
	// maxPeakRSS bounds the server's peak resident set, strictly below:
	// 150 MB, with MB = 10^6 bytes (143 MiB).
	maxPeakRSS        = 150e6
	maxStartToReadyMs = 300.0 // the median start to ready, strictly below
	maxDeepPageCost   = 1.2   // cost of page 1000 over page 1, at most
	// scaleTargetCustomers is the size of database the start-to-ready and
	// deep-paging targets are defined on; a smaller -scale measures them
	// but does not judge them.
	scaleTargetCustomers = 1_000_000
)

// ratioGoal is a throughput target: a workload's req/s at least Min times
// the ceiling of its kind.
type ratioGoal struct {
	Workload string
	Kind     string
	Min      float64
}

var ratioGoals = []ratioGoal{
	{"get-customer", kindRead, 0.60},
	{"list-customers", kindRead, 0.15},
	{"list-customers-total", kindRead, 0.15},
	{"create-customer", kindWrite, 0.45},
}

// Verdicts of a target. Only PASS counts as met.
const (
	verdictPass   = "PASS"
	verdictFail   = "FAIL"
	verdictErrors = "FAIL (errors)" // the figure passes, but some requests failed
	verdictNotRun = "NOT RUN"
	verdictNA     = "N/A"
)

// targetResult is a target and how the run fared.
type targetResult struct {
	Name      string   `json:"name"`
	Workload  string   `json:"workload,omitempty"`
	Limit     string   `json:"limit"`     // as printed, e.g. "≥ 60% of read ceiling"
	Op        string   `json:"op"`        // how got compares with threshold: ">=", "<" or "<="
	Threshold float64  `json:"threshold"` // in unit
	Unit      string   `json:"unit"`      // "ratio", "ms", "bytes" or "x" (a cost ratio)
	Got       *float64 `json:"got,omitempty"`
	Verdict   string   `json:"verdict"` // PASS, FAIL, FAIL (errors), NOT RUN, or N/A
	Why       string   `json:"why,omitempty"`
}

// judge sets t's verdict from got; errors > 0 fails a figure that passes.
func (t *targetResult) judge(got float64, errors uint64) {
	t.Got = &got
	var ok bool
	switch t.Op {
	case ">=":
		ok = got >= t.Threshold
	case "<":
		ok = got < t.Threshold
	case "<=":
		ok = got <= t.Threshold
	default:
		panic("salesbench: unknown target op " + t.Op)
	}
	switch {
	case !ok:
		t.Verdict = verdictFail
	case errors > 0:
		t.Verdict, t.Why = verdictErrors, fmt.Sprintf("%d requests failed", errors)
	default:
		t.Verdict = verdictPass
	}
}

// report is the whole output of a run.
type report struct {
	DB               string         `json:"db"`
	DSN              string         `json:"dsn"`
	Conns            int            `json:"connections"`
	Duration         time.Duration  `json:"-"`
	Warmup           time.Duration  `json:"-"`
	DurationS        float64        `json:"duration_s"`
	WarmupS          float64        `json:"warmup_s"`
	Rate             float64        `json:"rate,omitempty"`
	Seed             seedReport     `json:"seed"`
	Results          []*result      `json:"workloads"`
	Ceiling          []*result      `json:"ceiling"`
	Scale            *scaleReport   `json:"scale,omitempty"`
	Targets          []targetResult `json:"targets"`
	TargetsNotMet    int            `json:"targets_not_met"`
	AllTargetsMet    bool           `json:"all_targets_met"`
	ServerPeakRSS    int64          `json:"server_peak_rss_bytes"`
	CeilingPeakRSS   int64          `json:"ceiling_peak_rss_bytes"`
	ServerLogErrors  uint64         `json:"server_log_errors"`
	ServerLogSamples []string       `json:"server_log_samples,omitempty"`
	Machine          machineInfo    `json:"machine"`
	Notes            []string       `json:"notes,omitempty"`
	ceilings         map[string]float64
}

// finish computes the ratios and the verdicts.
func (r *report) finish() {
	r.DurationS, r.WarmupS = r.Duration.Seconds(), r.Warmup.Seconds()
	r.ceilings = map[string]float64{}
	for _, c := range r.Ceiling {
		r.ceilings[c.Kind] = max(r.ceilings[c.Kind], c.ReqPerSec)
	}
	for _, res := range append(append([]*result{}, r.Results...), r.Ceiling...) {
		if c := r.ceilings[res.Kind]; c > 0 {
			res.Ratio = res.ReqPerSec / c
		}
	}
	r.Targets = r.judgeTargets()
	r.TargetsNotMet = 0
	for _, t := range r.Targets {
		if t.Verdict != verdictPass {
			r.TargetsNotMet++
		}
	}
	r.AllTargetsMet = r.TargetsNotMet == 0
	if r.Rate > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("Constant-rate run (%g requests/s offered): the workloads' req/s is what was offered and answered, so the targets on them (capacities, and p99 and memory at capacity) are not judged. The ceiling and the -scale measurement always run closed loop.", r.Rate))
	}
}

const constantRateWhy = "constant-rate run: judged in closed loop only"

// judgeTargets returns every target of the issue with its verdict.
func (r *report) judgeTargets() []targetResult {
	var out []targetResult
	find := func(name string) *result {
		for _, res := range r.Results {
			if res.Name == name {
				return res
			}
		}
		return nil
	}
	for _, g := range ratioGoals {
		t := targetResult{Name: g.Workload, Workload: g.Workload, Limit: fmt.Sprintf("≥ %.0f%% of %s ceiling", 100*g.Min, g.Kind),
			Op: ">=", Threshold: g.Min, Unit: "ratio"}
		switch res := find(g.Workload); {
		case res == nil:
			t.Verdict = verdictNotRun
		case res.Mode != "closed":
			t.Verdict, t.Why = verdictNA, constantRateWhy
		case r.ceilings[g.Kind] <= 0:
			t.Verdict, t.Why = verdictNotRun, "the "+g.Kind+" ceiling was not measured"
		default:
			t.judge(res.Ratio, res.Errors)
		}
		out = append(out, t)
	}

	p99 := func(name string) targetResult {
		return targetResult{Name: "p99 " + name, Workload: name, Limit: fmt.Sprintf("< %g ms", maxP99Ms), Op: "<", Threshold: maxP99Ms, Unit: "ms"}
	}
	for _, res := range r.Results {
		t := p99(res.Name)
		if res.Mode != "closed" {
			t.Verdict, t.Why = verdictNA, constantRateWhy
		} else {
			t.judge(res.P99ms, res.Errors)
		}
		out = append(out, t)
	}
	if len(r.Results) == 0 {
		t := p99("of every workload")
		t.Workload, t.Verdict = "", verdictNotRun
		out = append(out, t)
	}

	rss := targetResult{Name: "server peak RSS", Limit: fmt.Sprintf("< %.0f MB", maxPeakRSS/1e6), Op: "<", Threshold: maxPeakRSS, Unit: "bytes"}
	peak := r.ServerPeakRSS
	if r.Scale != nil {
		peak = max(peak, r.Scale.PeakRSS)
	}
	switch {
	case r.Rate > 0:
		rss.Verdict, rss.Why = verdictNA, constantRateWhy
	case peak <= 0:
		rss.Verdict = verdictNotRun
	default:
		rss.judge(float64(peak), 0)
		if r.Scale != nil {
			rss.Why = fmt.Sprintf("the larger of the workloads' server, %.1f MB, and the -scale servers, %.1f MB", float64(r.ServerPeakRSS)/1e6, float64(r.Scale.PeakRSS)/1e6)
		}
	}
	out = append(out, rss)

	scaleName := fmtCount(scaleTargetCustomers)
	if r.Scale != nil {
		scaleName = fmtCount(r.Scale.Customers)
	}
	ready := targetResult{Name: "start to ready, " + scaleName + " customers", Limit: fmt.Sprintf("< %g ms median", maxStartToReadyMs),
		Op: "<", Threshold: maxStartToReadyMs, Unit: "ms"}
	paging := targetResult{Name: fmt.Sprintf("page %d / page 1 cost, %s", deepPage, scaleName), Limit: fmt.Sprintf("≤ %g×", maxDeepPageCost),
		Op: "<=", Threshold: maxDeepPageCost, Unit: "x"}
	switch s := r.Scale; {
	case s == nil:
		why := fmt.Sprintf("run with -scale %d", scaleTargetCustomers)
		ready.Verdict, ready.Why = verdictNotRun, why
		paging.Verdict, paging.Why = verdictNotRun, why
	default:
		if len(s.StartToReadyMs) > 0 {
			ready.judge(s.StartMedianMs, 0)
		} else {
			ready.Verdict = verdictNotRun
		}
		if p1, pd := find(s.Page1Workload), find(s.DeepPageWorkload); p1 != nil && pd != nil && s.CostRatio > 0 {
			paging.judge(s.CostRatio, p1.Errors+pd.Errors)
		} else {
			paging.Verdict = verdictNotRun
		}
		if s.Customers < scaleTargetCustomers {
			why := fmt.Sprintf("measured on %d customers; the target is on %d", s.Customers, scaleTargetCustomers)
			if ready.Got != nil {
				ready.Verdict, ready.Why = verdictNA, why
			}
			if paging.Got != nil {
				paging.Verdict, paging.Why = verdictNA, why
			}
		}
	}
	return append(out, ready, paging)
}

// gotText prints what a target got, in its unit.
func (t *targetResult) gotText() string {
	if t.Got == nil {
		return "-"
	}
	switch g := *t.Got; t.Unit {
	case "ratio":
		return fmt.Sprintf("%.1f%%", 100*g)
	case "ms":
		return fmtMs(g)
	case "bytes":
		return fmt.Sprintf("%.1f MB", g/1e6)
	case "x":
		return fmt.Sprintf("%.3f×", g)
	default:
		return fmt.Sprint(g)
	}
}

// summary is the last line of the text report.
func (r *report) summary() string {
	if r.AllTargetsMet {
		return "all targets met"
	}
	counts := map[string]int{}
	var order []string
	for _, t := range r.Targets {
		if t.Verdict == verdictPass {
			continue
		}
		v := t.Verdict
		if v == verdictErrors {
			v = verdictFail
		}
		if counts[v] == 0 {
			order = append(order, v)
		}
		counts[v]++
	}
	var parts []string
	for _, v := range order {
		parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
	}
	noun := "targets"
	if r.TargetsNotMet == 1 {
		noun = "target"
	}
	return fmt.Sprintf("%d %s not met (%s)", r.TargetsNotMet, noun, strings.Join(parts, ", "))
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (r *report) writeText(w io.Writer) {
	mode := "closed loop"
	if r.Rate > 0 {
		mode = fmt.Sprintf("constant rate %g req/s (latency from intended send time)", r.Rate)
	}
	fmt.Fprintf(w, "\nsalesbench: %s (%s), %d connections, %s measured per workload after %s warm-up, %s\n",
		r.DB, r.DSN, r.Conns, r.Duration, r.Warmup, mode)
	fmt.Fprintf(w, "seeded %d customers, %d products, %d teams in %.1f s\n\n",
		r.Seed.Customers, r.Seed.Products, r.Seed.Teams, r.Seed.Seconds)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\treq/s\tof ceiling\tp50\tp90\tp99\tmax\terrors\tsrv CPU s\tsrv CPU\tclient CPU\tsrv RSS\t")
	row := func(res *result, ratio string) {
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%d\t%.2f\t%.0f%%\t%.0f%%\t%s\t\n",
			res.Name, res.ReqPerSec, ratio, fmtMs(res.P50ms), fmtMs(res.P90ms), fmtMs(res.P99ms), fmtMs(res.MaxMs),
			res.Errors, res.ServerCPUSeconds, res.ServerCPUPercent, res.ClientCPUPercent, fmtBytes(res.ServerRSS))
	}
	for _, res := range r.Results {
		ratio := "-"
		if res.Ratio > 0 {
			ratio = fmt.Sprintf("%.1f%% %s", 100*res.Ratio, res.Kind[:1])
		}
		row(res, ratio)
	}
	fmt.Fprintln(tw, "\t\t\t\t\t\t\t\t\t\t\t\t")
	for _, res := range r.Ceiling {
		row(res, fmt.Sprintf("%.0f%% %s", 100*res.Ratio, res.Kind[:1]))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nof ceiling: req/s over the read (r) or write (w) ceiling, the better of its runs before (#1) and after (#2) the workloads;\nsrv CPU: of one CPU (max %d%%); srv RSS: at the end of the window\n", 100*r.Machine.CPUs)
	fmt.Fprintf(w, "server peak RSS %s; ceiling server peak RSS %s\n", fmtBytes(r.ServerPeakRSS), fmtBytes(r.CeilingPeakRSS))
	fmt.Fprintf(w, "machine: %d CPUs, %s, %s, %s\n", r.Machine.CPUs, r.Machine.Model, r.Machine.GoVersion, r.Machine.OS)

	if r.Scale != nil {
		r.Scale.writeText(w)
	}

	fmt.Fprintf(w, "\ntargets (issue 8; closed loop, %d connections; MB = 10^6 bytes):\n", r.Conns)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range r.Targets {
		why := ""
		if t.Why != "" {
			why = "  (" + t.Why + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\tgot %s\t%s%s\n", t.Name, t.Limit, t.gotText(), t.Verdict, why)
	}
	tw.Flush()

	for _, res := range append(append([]*result{}, r.Results...), r.Ceiling...) {
		if res.Errors == 0 {
			continue
		}
		fmt.Fprintf(w, "\nerrors of %s: %s\n", res.Name, res.ErrorDetail)
		for _, s := range res.ErrorSamples {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	if r.ServerLogErrors > 0 {
		fmt.Fprintf(w, "\nthe server logged %d WARN/ERROR lines; the first:\n", r.ServerLogErrors)
		for _, s := range r.ServerLogSamples {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "\nnote: %s\n", n)
	}
	fmt.Fprintf(w, "\n%s\n", r.summary())
}

// fmtMs prints a latency in milliseconds with three significant digits.
func fmtMs(ms float64) string {
	switch {
	case ms >= 100:
		return fmt.Sprintf("%.0fms", ms)
	case ms >= 10:
		return fmt.Sprintf("%.1fms", ms)
	default:
		return fmt.Sprintf("%.2fms", ms)
	}
}

func fmtBytes(n int64) string {
	if n <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}
