package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
	"github.com/salesmania/salesmania/sqlstore/sqlstoretest"
)

// withLine returns the CSV data with data line n (1 is the first row after
// the header; the file's line n+1) replaced by row.
func withLine(data string, n int, row string) string {
	lines := strings.Split(data, "\n")
	lines[n] = row
	return strings.Join(lines, "\n")
}

// TestCLIImportBadLineAmongMany imports 2 500 customers, three batches, of
// which one line is bad: the import names that line and writes nothing;
// --dry-run counts and writes nothing; --skip-bad writes the 2 499 others
// and reports the line as skipped; importing the file again changes
// nothing.
func TestCLIImportBadLineAmongMany(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		const rows, bad = 2500, 1513 // bad is in the second batch
		f := newCLIFixture(t, kind)
		f.login(t)
		data := withLine(customerCSV(rows, "M"), bad, "M-001513,Toko Salah,Jl. Pemuda,Semarang,0812,-91,110.4,true,")
		path := writeFile(t, "customers.csv", data)

		r := f.exec(t, "", "customers", "import", path)
		if r.err == nil || !strings.Contains(r.err.Error(), "1 of the 2500 rows") || !strings.Contains(r.err.Error(), "nothing was written") {
			t.Fatalf("err = %v; want 1 bad row and nothing written", r.err)
		}
		if got := badLines(r.stderr); !slices.Equal(got, []int{bad + 1}) {
			t.Errorf("bad lines %v; want [%d]\n%s", got, bad+1, r.stderr)
		}
		if !strings.Contains(r.stderr, fmt.Sprintf("line %d: location.lat: ", bad+1)) {
			t.Errorf("stderr does not name location.lat of line %d:\n%s", bad+1, r.stderr)
		}
		if n := len(f.customers(t)); n != 0 {
			t.Fatalf("%d customers after a refused import; want none", n)
		}
		if _, err := os.Stat(path + ".progress"); !os.IsNotExist(err) {
			t.Errorf("a refused import left a state file: %v", err)
		}

		s := importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--dry-run", "--json"))
		if countsOf(s) != (counts{Created: rows - 1, Skipped: 1}) || s.Written {
			t.Errorf("dry run summary = %+v; want %d to create, 1 bad, nothing written", s, rows-1)
		}
		if n := len(f.customers(t)); n != 0 {
			t.Fatalf("%d customers after a dry run; want none", n)
		}

		s = importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--skip-bad", "--json"))
		if countsOf(s) != (counts{Created: rows - 1, Skipped: 1}) || len(s.BadRows) != 1 || s.BadRows[0].Line != bad+1 {
			t.Errorf("--skip-bad summary = %+v; want %d created, line %d skipped", s, rows-1, bad+1)
		}
		byExt := f.customersByExt(t)
		if _, ok := byExt["M-001513"]; ok || len(byExt) != rows-1 {
			t.Errorf("%d customers, M-001513 among them: %t; want the %d good ones", len(byExt), ok, rows-1)
		}
		before := f.customers(t)

		s = importSummaryOf(t, f.mustExec(t, "", "customers", "import", path, "--skip-bad", "--json"))
		if countsOf(s) != (counts{Unchanged: rows - 1, Skipped: 1}) || s.Written {
			t.Errorf("second import summary = %+v; want %d unchanged, nothing written", s, rows-1)
		}
		if after := f.customers(t); !slices.EqualFunc(before, after, func(a, b salesmania.Customer) bool {
			return a.ID == b.ID && a.UpdatedAt.Equal(b.UpdatedAt)
		}) {
			t.Error("the second import changed customers' updated_at")
		}
	})
}

// TestImportRefusedBatchLines sends a batch of 1 000 customers with one bad
// item to the real server, which refuses it whole (422 naming
// items[512].location.lat), and checks that the import reports that at the
// item's line, with the batch's lines, and that nothing was written.
func TestImportRefusedBatchLines(t *testing.T) {
	t.Parallel()
	sqlstoretest.Each(t, func(t *testing.T, kind string) {
		t.Parallel()
		f := newCLIFixture(t, kind)
		cl, err := client.New(f.URL, client.WithCredentials(cliAdminEmail, cliPassword), client.WithDatabase(f.dbID))
		must(t, err)
		rows := make([]importRow[salesmania.CustomerFields], salesmania.MaxBatchItems)
		items := make([]salesmania.CustomerFields, len(rows))
		batch := make([]int, len(rows))
		for i := range rows {
			lat, lon := -7.0, 110.4
			if i == 512 {
				lat = 95
			}
			items[i] = salesmania.CustomerFields{Name: new(fmt.Sprintf("Toko %d", i)), ExtCustNo: new(fmt.Sprintf("B-%04d", i)),
				Location: &salesmania.LocationInput{Lat: &lat, Lon: &lon}}
			rows[i] = importRow[salesmania.CustomerFields]{line: i + 2, fields: &items[i], action: actionCreate}
			batch[i] = i
		}
		_, err = cl.UpsertCustomers(context.Background(), items)
		if client.StatusCode(err) != 422 {
			t.Fatalf("batch with a bad item: err = %v; want a 422", err)
		}
		reps := refusedBatch(&cli{getenv: func(string) string { return "" }}, rows, batch, err)
		if len(reps) != 1 || reps[0].Line != 514 || reps[0].Errors[0].Field != "location.lat" {
			t.Fatalf("reports = %+v; want line 514, location.lat", reps)
		}
		if note := reps[0].Errors[len(reps[0].Errors)-1].Message; !strings.Contains(note, "lines 2 to 1001") {
			t.Errorf("the report does not name the batch's lines: %q", note)
		}
		if n := len(f.customers(t)); n != 0 {
			t.Errorf("%d customers after a refused batch; want none", n)
		}
	})
}

// BenchmarkCLIImport100k imports 100 000 customers from a CSV file through
// the CLI into a real server on a fresh database (SQLite, then
// PostgreSQL), then the same file again, which finds every row unchanged
// and writes nothing. It reports the seconds of each, end to end (reading
// the file, matching the database's rows, the batches). The targets
// (issue 18, on SQLite): ≤ 10 s and ≤ 5 s.
//
//	go test ./cmd/salesmania -run '^$' -bench CLIImport100k -benchtime 1x
func BenchmarkCLIImport100k(b *testing.B) {
	const rows = 100_000
	path := writeFile(b, "customers.csv", customerCSV(rows, "P"))
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			var first, second float64
			for b.Loop() {
				f := newCLIFixture(b, kind)
				f.login(b)
				s := importSummaryOf(b, f.mustExec(b, "", "customers", "import", path, "--json"))
				if s.Created != rows {
					b.Fatalf("first import: %+v; want %d created", s, rows)
				}
				first += s.Seconds
				s = importSummaryOf(b, f.mustExec(b, "", "customers", "import", path, "--json"))
				if s.Unchanged != rows || s.Written {
					b.Fatalf("second import: %+v; want %d unchanged", s, rows)
				}
				second += s.Seconds
			}
			b.ReportMetric(first/float64(b.N), "first-s")
			b.ReportMetric(second/float64(b.N), "second-s")
		})
	}
}
