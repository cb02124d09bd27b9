package main

import (
	"encoding/json"
	"fmt"
	"io"
)

// comparison is one workload of a -db both run: PostgreSQL's figures over
// SQLite's, both measured in that run.
type comparison struct {
	Name            string  `json:"name"`
	SQLiteReqPerS   float64 `json:"sqlite_req_per_sec"`
	PostgresReqPerS float64 `json:"postgres_req_per_sec"`
	Ratio           float64 `json:"ratio"`
	SQLiteP99ms     float64 `json:"sqlite_p99_ms"`
	PostgresP99ms   float64 `json:"postgres_p99_ms"`
}

// compareReports pairs the workloads the two runs have in common, in the
// SQLite run's order.
func compareReports(lite, pg *report) []comparison {
	byName := map[string]*result{}
	for _, r := range pg.Results {
		byName[r.Name] = r
	}
	var out []comparison
	for _, l := range lite.Results {
		p := byName[l.Name]
		if p == nil {
			continue
		}
		c := comparison{Name: l.Name, SQLiteReqPerS: l.ReqPerSec, PostgresReqPerS: p.ReqPerSec, SQLiteP99ms: l.P99ms, PostgresP99ms: p.P99ms}
		if l.ReqPerSec > 0 {
			c.Ratio = p.ReqPerSec / l.ReqPerSec
		}
		out = append(out, c)
	}
	return out
}

// writeComparison prints the ratio table of a -db both run.
func writeComparison(w io.Writer, cs []comparison) {
	fmt.Fprintln(w, "PostgreSQL over SQLite, req/s of this run:")
	fmt.Fprintf(w, "%22s  %7s  %7s  %6s  %10s  %10s\n", "workload", "SQLite", "PG", "PG/SQ", "SQLite p99", "PG p99")
	for _, c := range cs {
		fmt.Fprintf(w, "%22s  %7.0f  %7.0f  %5.2f×  %10s  %10s\n", c.Name, c.SQLiteReqPerS, c.PostgresReqPerS, c.Ratio, fmtMs(c.SQLiteP99ms), fmtMs(c.PostgresP99ms))
	}
}

func writeJSONValue(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
