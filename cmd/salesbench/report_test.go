package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// passingReport is a closed-loop run in which every target is met.
func passingReport() *report {
	res := func(name, kind string, rps, p99 float64) *result {
		return &result{Name: name, Kind: kind, Mode: "closed", ReqPerSec: rps, P99ms: p99}
	}
	return &report{
		Conns: 32,
		Results: []*result{
			res("get-customer", kindRead, 6500, 5),
			res("list-customers", kindRead, 2000, 20),
			res("list-customers-total", kindRead, 1600, 24.9),
			res("create-customer", kindWrite, 460, 12),
			res("list-page-1@1M", kindRead, 2000, 10),
			res("list-page-1000@1M", kindRead, 1800, 11),
		},
		Ceiling: []*result{
			res("ceiling-read #1", kindRead, 10000, 3),
			res("ceiling-write #1", kindWrite, 1000, 3),
			res("ceiling-read #2", kindRead, 9000, 3),
		},
		ServerPeakRSS: 149_999_999,
		Scale: &scaleReport{Customers: 1_000_000, StartToReadyMs: []float64{250, 299, 200}, StartMedianMs: 250,
			Page1Workload: "list-page-1@1M", DeepPageWorkload: "list-page-1000@1M", CostRatio: 2000.0 / 1800, PeakRSS: 60e6},
	}
}

func verdicts(r *report) map[string]string {
	out := map[string]string{}
	for _, t := range r.Targets {
		out[t.Name] = t.Verdict
	}
	return out
}

func TestTargets(t *testing.T) {
	t.Run("OK_AllMet", func(t *testing.T) {
		r := passingReport()
		r.finish()
		for _, tg := range r.Targets {
			if tg.Verdict != verdictPass {
				t.Errorf("%s: %s (got %s, limit %s), want PASS", tg.Name, tg.Verdict, tg.gotText(), tg.Limit)
			}
		}
		// 4 ratios, 6 p99s, RSS, start to ready, deep paging.
		if len(r.Targets) != 13 || !r.AllTargetsMet || r.TargetsNotMet != 0 {
			t.Fatalf("%d targets, all met %v, %d not met; want 13, true, 0", len(r.Targets), r.AllTargetsMet, r.TargetsNotMet)
		}
		var buf bytes.Buffer
		r.writeText(&buf)
		if out := buf.String(); !strings.HasSuffix(out, "\nall targets met\n") || !strings.Contains(out, "\ntargets") {
			t.Errorf("text report does not end with the summary line:\n%s", out)
		}
	})

	// Each case breaks exactly one target, just past its limit.
	fails := []struct {
		target  string
		breakIt func(r *report)
	}{
		{"get-customer", func(r *report) { r.Results[0].ReqPerSec = 5999 }},
		{"list-customers", func(r *report) { r.Results[1].ReqPerSec = 1499 }},
		{"list-customers-total", func(r *report) { r.Results[2].ReqPerSec = 1499 }},
		{"create-customer", func(r *report) { r.Results[3].ReqPerSec = 449 }},
		{"p99 list-customers-total", func(r *report) { r.Results[2].P99ms = 25 }},
		{"p99 list-page-1000@1M", func(r *report) { r.Results[5].P99ms = 30 }},
		{"server peak RSS", func(r *report) { r.ServerPeakRSS = 150_000_000 }},
		{"server peak RSS", func(r *report) { r.Scale.PeakRSS = 151e6 }},
		{"start to ready, 1M customers", func(r *report) { r.Scale.StartMedianMs = 300 }},
		{"page 1000 / page 1 cost, 1M", func(r *report) { r.Scale.CostRatio = 1.21 }},
	}
	for _, c := range fails {
		t.Run("Fail_"+c.target, func(t *testing.T) {
			r := passingReport()
			c.breakIt(r)
			r.finish()
			for name, v := range verdicts(r) {
				want := verdictPass
				if name == c.target {
					want = verdictFail
				}
				if v != want {
					t.Errorf("%s: %s, want %s", name, v, want)
				}
			}
			if r.AllTargetsMet || r.TargetsNotMet != 1 || r.summary() != "1 target not met (1 FAIL)" {
				t.Errorf("all met %v, %d not met, summary %q; want false, 1, 1 target not met (1 FAIL)", r.AllTargetsMet, r.TargetsNotMet, r.summary())
			}
		})
	}

	t.Run("Fail_Errors", func(t *testing.T) {
		r := passingReport()
		r.Results[0].Errors = 3
		r.Results[4].Errors = 1
		r.finish()
		v := verdicts(r)
		for _, name := range []string{"get-customer", "p99 get-customer", "p99 list-page-1@1M", "page 1000 / page 1 cost, 1M"} {
			if v[name] != verdictErrors {
				t.Errorf("%s: %s, want %s", name, v[name], verdictErrors)
			}
		}
		if r.TargetsNotMet != 4 {
			t.Errorf("%d not met, want 4", r.TargetsNotMet)
		}
	})

	t.Run("NotRun_NoScaleNoWorkloads", func(t *testing.T) {
		r := passingReport()
		r.Results, r.Scale, r.ServerPeakRSS = nil, nil, 0
		r.finish()
		for _, tg := range r.Targets {
			if tg.Verdict != verdictNotRun {
				t.Errorf("%s: %s, want NOT RUN", tg.Name, tg.Verdict)
			}
		}
		// 4 ratios, one p99 line, RSS, start to ready, deep paging.
		if len(r.Targets) != 8 || r.summary() != "8 targets not met (8 NOT RUN)" {
			t.Errorf("%d targets, summary %q", len(r.Targets), r.summary())
		}
	})

	t.Run("NA_ConstantRate", func(t *testing.T) {
		r := passingReport()
		r.Rate = 500
		for _, res := range r.Results[:4] {
			res.Mode = "rate 500/s"
		}
		r.finish()
		v := verdicts(r)
		for _, name := range []string{"get-customer", "create-customer", "p99 get-customer", "p99 create-customer", "server peak RSS"} {
			if v[name] != verdictNA {
				t.Errorf("%s: %s, want N/A", name, v[name])
			}
		}
		// The scale measurement runs closed loop whatever -rate is.
		for _, name := range []string{"p99 list-page-1@1M", "start to ready, 1M customers", "page 1000 / page 1 cost, 1M"} {
			if v[name] != verdictPass {
				t.Errorf("%s: %s, want PASS", name, v[name])
			}
		}
	})

	t.Run("NA_SmallScale", func(t *testing.T) {
		r := passingReport()
		r.Scale.Customers = 60_000
		r.finish()
		v := verdicts(r)
		for _, name := range []string{"start to ready, 60k customers", "page 1000 / page 1 cost, 60k"} {
			if v[name] != verdictNA {
				t.Errorf("%s: %s, want N/A", name, v[name])
			}
		}
	})

	t.Run("OK_JSON", func(t *testing.T) {
		r := passingReport()
		r.Scale.StartMedianMs = 301
		r.finish()
		var buf bytes.Buffer
		if err := r.writeJSON(&buf); err != nil {
			t.Fatal(err)
		}
		var out struct {
			Targets []struct {
				Name    string   `json:"name"`
				Got     *float64 `json:"got"`
				Verdict string   `json:"verdict"`
			} `json:"targets"`
			NotMet int  `json:"targets_not_met"`
			AllMet bool `json:"all_targets_met"`
			Scale  *struct {
				Median float64 `json:"start_to_ready_median_ms"`
			} `json:"scale"`
		}
		if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Targets) != 13 || out.NotMet != 1 || out.AllMet || out.Scale == nil || out.Scale.Median != 301 {
			t.Fatalf("JSON: %d targets, %d not met, all met %v, scale %+v", len(out.Targets), out.NotMet, out.AllMet, out.Scale)
		}
		for _, tg := range out.Targets {
			if tg.Got == nil {
				t.Errorf("%s: no got", tg.Name)
			}
			if want := verdictPass; tg.Name == "start to ready, 1M customers" {
				if tg.Verdict != verdictFail || *tg.Got != 301 {
					t.Errorf("%s: %s got %v, want FAIL 301", tg.Name, tg.Verdict, *tg.Got)
				}
			} else if tg.Verdict != want {
				t.Errorf("%s: %s, want %s", tg.Name, tg.Verdict, want)
			}
		}
	})
}

func TestFmtCount(t *testing.T) {
	for n, want := range map[int]string{1_000_000: "1M", 2_500_000: "2.5M", 50_000: "50k", 60_500: "60.5k", 123_457: "123457", 999: "999"} {
		if got := fmtCount(n); got != want {
			t.Errorf("fmtCount(%d) = %q, want %q", n, got, want)
		}
	}
}
