package main

import (
	"fmt"
	"io"
	"iter"
	"strings"
	"text/tabwriter"
	"unicode"
	"unicode/utf8"
)

// maxCellWidth bounds a table cell, so one long address does not push the
// other columns off the screen.
const maxCellWidth = 40

// table writes rows as aligned columns, for people at a terminal.
type table struct {
	tw *tabwriter.Writer
}

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)}
	t.row(header...)
	return t
}

// row adds a row; each cell is shown on one line, cut to maxCellWidth.
func (t *table) row(cells ...string) {
	for i, c := range cells {
		if i > 0 {
			io.WriteString(t.tw, "\t")
		}
		io.WriteString(t.tw, cell(c))
	}
	io.WriteString(t.tw, "\n")
}

func (t *table) flush() error { return t.tw.Flush() }

// cell makes s fit a table cell: control characters (tabs, newlines)
// become spaces and a long text is cut with an ellipsis.
func cell(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) <= maxCellWidth {
		return s
	}
	return string([]rune(s)[:maxCellWidth-1]) + "…"
}

// printRecord writes one object as "name: value" lines, for get commands
// on a terminal.
func printRecord(w io.Writer, fields [][2]string) error {
	width := 0
	for _, f := range fields {
		width = max(width, len(f[0]))
	}
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "%-*s  %s\n", width+1, f[0]+":", f[1])
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// lister prints the rows of a list command: a table on a terminal, JSON
// lines otherwise.
type lister[T any] struct {
	header []string
	cells  func(T) []string
}

// print writes up to limit rows of rows (0: all) and reports on stderr when
// there were more. rows must yield one row past limit if there is one.
func (l lister[T]) print(c *cli, rows iter.Seq2[T, error], limit int) error {
	var t *table
	if c.tables() {
		t = newTable(c.stdout, l.header...)
	}
	n := 0
	more := false
	for row, err := range rows {
		if err != nil {
			if t != nil {
				t.flush()
			}
			return c.describeClientError(err)
		}
		if limit > 0 && n == limit {
			more = true
			break
		}
		n++
		if t != nil {
			t.row(l.cells(row)...)
		} else if err := printJSON(c.stdout, row); err != nil {
			return err
		}
	}
	if t != nil {
		if err := t.flush(); err != nil {
			return err
		}
	}
	if more {
		fmt.Fprintf(c.stderr, "(the first %d rows; --limit N shows more, --limit 0 all)\n", limit)
	} else if n == 0 && t != nil {
		fmt.Fprintln(c.stderr, "(none)")
	}
	return nil
}

// pageSize is the page size to fetch for a list of at most limit rows
// (0: all), one more than limit so the list can tell there are more.
func pageSize(limit int) int {
	if limit <= 0 || limit >= 1000 {
		return 1000
	}
	return limit + 1
}

// rowsOf returns the rows of a slice as a lister prints them.
func rowsOf[T any](rows []T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, r := range rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}
