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

// goal is a target of the performance issue: a workload's throughput as a
// fraction of the ceiling of its kind.
type goal struct {
	Workload string
	Min      float64
}

// goals are the targets.
var goals = []goal{
	{"get-customer", 0.60},
	{"list-customers", 0.15},
	{"list-customers-total", 0.15},
}

// goalResult is a goal and how the run fared.
type goalResult struct {
	Workload string  `json:"workload"`
	Min      float64 `json:"min_ratio"`
	Ratio    float64 `json:"ratio,omitempty"`
	Verdict  string  `json:"verdict"` // PASS, FAIL, NOT RUN, or N/A
}

// report is the whole output of a run.
type report struct {
	DB               string        `json:"db"`
	DSN              string        `json:"dsn"`
	Conns            int           `json:"connections"`
	Duration         time.Duration `json:"-"`
	Warmup           time.Duration `json:"-"`
	DurationS        float64       `json:"duration_s"`
	WarmupS          float64       `json:"warmup_s"`
	Rate             float64       `json:"rate,omitempty"`
	Seed             seedReport    `json:"seed"`
	Results          []*result     `json:"workloads"`
	Ceiling          []*result     `json:"ceiling"`
	Goals            []goalResult  `json:"targets"`
	ServerPeakRSS    int64         `json:"server_peak_rss_bytes"`
	CeilingPeakRSS   int64         `json:"ceiling_peak_rss_bytes"`
	ServerLogErrors  uint64        `json:"server_log_errors"`
	ServerLogSamples []string      `json:"server_log_samples,omitempty"`
	Machine          machineInfo   `json:"machine"`
	Notes            []string      `json:"notes,omitempty"`
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
	for _, g := range goals {
		gr := goalResult{Workload: g.Workload, Min: g.Min, Verdict: "NOT RUN"}
		for _, res := range r.Results {
			if res.Name != g.Workload {
				continue
			}
			gr.Ratio = res.Ratio
			switch {
			case r.Rate > 0:
				gr.Verdict = "N/A"
			case res.Errors > 0:
				gr.Verdict = "FAIL (errors)"
			case res.Ratio >= g.Min:
				gr.Verdict = "PASS"
			default:
				gr.Verdict = "FAIL"
			}
		}
		r.Goals = append(r.Goals, gr)
	}
	if r.Rate > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("Constant-rate run (%g requests/s offered): the workloads' req/s is what was offered and answered, so the targets, which compare capacities, are not judged. The ceiling is always measured closed loop.", r.Rate))
	}
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

	fmt.Fprintln(w, "\ntargets (throughput as a fraction of the ceiling of its kind):")
	for _, g := range r.Goals {
		got := "-"
		if g.Ratio > 0 {
			got = fmt.Sprintf("%.1f%%", 100*g.Ratio)
		}
		fmt.Fprintf(w, "  %-22s ≥ %3.0f%%   got %-7s %s\n", g.Workload, 100*g.Min, got, g.Verdict)
	}

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
