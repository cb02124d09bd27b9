package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func (s *resourceSpec[F, T]) exportCommand() cliCommand {
	return cliCommand{
		summary: "[--format csv|jsonl] [--out FILE]",
		run:     s.runExport,
	}
}

// runExport writes every row of the resource as CSV or JSON lines, in the
// columns and members that import reads, so an export imports back
// unchanged.
func (s *resourceSpec[F, T]) runExport(ctx context.Context, c *cli, args []string) error {
	began := time.Now()
	fs := c.flags()
	var format, out string
	fs.StringVar(&format, "format", "", "csv, or jsonl for JSON lines (default: from --out's extension, else csv)")
	fs.StringVar(&out, "out", "-", `the file to write; "-" for standard output`)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `Usage: salesmania %[1]s export [--format csv|jsonl] [--out FILE]

Writes every one of the database's %[1]s, in the columns (CSV) or members
(JSON lines) that "salesmania %[1]s import" reads, so an export imports back
unchanged. The CSV columns: %[2]s.

Flags:
`, s.plural, strings.Join(s.columns, ","))
		fs.PrintDefaults()
	}
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if format == "" {
		format = "csv"
		if ext := strings.ToLower(filepath.Ext(out)); ext == ".jsonl" || ext == ".ndjson" || ext == ".json" {
			format = "jsonl"
		}
	}
	if format != "csv" && format != "jsonl" {
		return &usageError{fmt.Sprintf("--format must be csv or jsonl, not %q", format)}
	}
	cl, err := c.connect()
	if err != nil {
		return err
	}

	// A file is written beside its place and renamed into it at the end,
	// so an export that fails halfway leaves no file that looks complete.
	// It is readable by the user alone (0600): it holds customers' data.
	var w io.Writer = c.stdout
	var tmp *os.File
	if out != "-" {
		tmp, err = os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		w = tmp
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var cw *csv.Writer
	if format == "csv" {
		cw = csv.NewWriter(bw)
		if err := cw.Write(s.columns); err != nil {
			return err
		}
	}
	n := 0
	for row, err := range s.all(ctx, cl) {
		if err != nil {
			return c.describeClientError(err)
		}
		if cw != nil {
			err = cw.Write(s.toCSV(&row))
		} else {
			err = printJSON(bw, s.toJSON(&row))
		}
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		n++
	}
	if cw != nil {
		if cw.Flush(); cw.Error() != nil {
			return fmt.Errorf("export: %w", cw.Error())
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if tmp == nil {
		return nil
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	elapsed := time.Since(began)
	if c.json {
		return printJSON(c.stdout, map[string]any{"file": out, "format": format, "rows": n, "seconds": elapsed.Seconds()})
	}
	_, err = fmt.Fprintf(c.stdout, "exported %d %s to %s in %s\n", n, s.plural, out, formatDuration(elapsed))
	return err
}
