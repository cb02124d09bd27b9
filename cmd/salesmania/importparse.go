package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/salesmania/salesmania"
)

// importRow is one data row of an import file, from reading to writing.
type importRow[F any] struct {
	line     int // where the row starts in the file, 1-based
	fields   *F  // nil if the row could not be read at all
	problems []salesmania.FieldError
	// Set by the check against the server's rows:
	action rowAction
}

// rowAction is what an import does with a good row.
type rowAction int

const (
	actionCreate rowAction = iota + 1
	actionUpdate
	actionUnchanged // the row would change nothing: it is not sent
)

// readOnlyColumns are members of the contract's objects that the server
// sets; an import accepts and ignores them, so that the output of "list
// --json" can be imported.
var readOnlyColumns = []string{"id", "created_at", "updated_at"}

// csvRecord is one CSV record with the header's column positions.
type csvRecord struct {
	index map[string]int
	cells []string
}

// get returns the cell of column col, and whether the file has the column.
func (r csvRecord) get(col string) (string, bool) {
	i, ok := r.index[col]
	if !ok {
		return "", false
	}
	return r.cells[i], true
}

// str returns the cell of col as a string field to send: nil when the file
// has no such column, so the field is left as it is.
func (r csvRecord) str(col string) *string {
	v, ok := r.get(col)
	if !ok {
		return nil
	}
	return &v
}

// boolean reads a true/false column; an empty cell is not sent, so the
// server's default (or the stored value) stays.
func (r csvRecord) boolean(col string, p *salesmania.Problems) *bool {
	v, ok := r.get(col)
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	b, ok := parseBool(v)
	if !ok {
		p.Add(col, fmt.Sprintf("must be true or false, not %q", v))
		return nil
	}
	return &b
}

// decimal reads a number column; an empty cell is not sent.
func (r csvRecord) decimal(col string, p *salesmania.Problems) *salesmania.Decimal {
	v, ok := r.get(col)
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	d, err := salesmania.ParseDecimal(strings.TrimSpace(v))
	if err != nil {
		p.Add(col, fmt.Sprintf("must be a number such as 1200 or 12.5, not %q", v))
		return nil
	}
	return &d
}

// list reads a ;-separated column (tags); empty items are dropped, and an
// empty cell is an empty list.
func (r csvRecord) list(col string) *[]string {
	v, ok := r.get(col)
	if !ok {
		return nil
	}
	items := []string{}
	for _, part := range splitEscaped(v, ';') {
		if s := unescape(strings.TrimSpace(part)); s != "" {
			items = append(items, s)
		}
	}
	return &items
}

// splitEscaped splits s at each sep that a backslash does not escape. The
// parts keep their escapes (see unescape), so they can be split again at
// another separator.
func splitEscaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++ // the next byte is escaped
		case sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// unescape removes the backslash escapes: \x becomes x.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// escape puts a backslash before each backslash and each of the specials
// in s, so that splitEscaped and unescape give s back.
func escape(s, specials string) string {
	if !strings.ContainsAny(s, `\`+specials) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || strings.IndexByte(specials, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// joinEscaped joins items with sep, escaping sep and extra in each.
func joinEscaped(items []string, sep byte, extra string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = escape(it, string(sep)+extra)
	}
	return strings.Join(parts, string(sep))
}

// parseCSV reads a CSV file whose first row names the columns. A header
// that names a column the resource does not have, or a column twice, is an
// error of the whole file; a record that is not valid CSV or whose cells are
// not what their columns need is a bad row, with its problems. Records of
// empty cells only (left by spreadsheets) are skipped.
func (s *resourceSpec[F, T]) parseCSV(data []byte) ([]importRow[F], error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("the file is empty; its first row must name the columns, such as %s", strings.Join(s.columns, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("line 1: not valid CSV: %v", csvErr(err))
	}
	rec := csvRecord{index: map[string]int{}}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF") // the byte order mark of Excel's "CSV UTF-8"
		}
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case slices.Contains(readOnlyColumns, h):
			continue
		case !slices.Contains(s.columns, h):
			return nil, fmt.Errorf("line 1: unknown column %q; %s files have the columns %s (and id, created_at, updated_at, which are ignored)",
				header[i], s.plural, strings.Join(s.columns, ", "))
		}
		if _, dup := rec.index[h]; dup {
			return nil, fmt.Errorf("line 1: the column %q is named twice", h)
		}
		rec.index[h] = i
	}
	for _, pair := range s.pairs {
		_, a := rec.index[pair[0]]
		_, b := rec.index[pair[1]]
		if a != b {
			return nil, fmt.Errorf("line 1: the columns %s and %s go together; the file has only one of them", pair[0], pair[1])
		}
	}
	var rows []importRow[F]
	for {
		cells, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rows = append(rows, importRow[F]{line: pe.StartLine, problems: []salesmania.FieldError{{Message: "not valid CSV: " + csvErr(err)}}})
			continue
		}
		if err != nil {
			return nil, err
		}
		line, _ := r.FieldPos(0)
		if allEmpty(cells) {
			continue
		}
		if len(cells) != len(header) {
			rows = append(rows, importRow[F]{line: line, problems: []salesmania.FieldError{{
				Message: fmt.Sprintf("has %d cells; the header row has %d", len(cells), len(header))}}})
			continue
		}
		rec.cells = cells
		var p salesmania.Problems
		f := s.fromCSV(rec, &p)
		rows = append(rows, importRow[F]{line: line, fields: f, problems: p.Fields})
	}
	return rows, nil
}

// csvErr is the reason of a CSV parse error without its position, which
// the report gives as the line.
func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%v (column %d)", pe.Err, pe.Column)
	}
	return err.Error()
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// parseJSONLines reads a file of one JSON object per line, each with the
// members of the contract's object (the read-only id, created_at and
// updated_at are ignored). Blank lines are skipped.
func (s *resourceSpec[F, T]) parseJSONLines(data []byte) ([]importRow[F], error) {
	var rows []importRow[F]
	n := 0
	for l := range bytes.Lines(data) {
		n++
		if n == 1 {
			l = bytes.TrimPrefix(l, []byte("\uFEFF"))
		}
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		f := new(F)
		nulls, problems := decodeJSONRow(l, f, s.jsonMembers)
		row := importRow[F]{line: n, problems: problems}
		if problems == nil {
			s.setNulls(f, nulls)
			row.fields = f
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// decodeJSONRow decodes the JSON object b into v, which has the members
// known, as the server would: a member it does not know (compared exactly)
// or of the wrong JSON type is a problem. It returns the members that are
// null, which the domain tells from absent ones.
func decodeJSONRow(b []byte, v any, known []string) (map[string]bool, []salesmania.FieldError) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
		return nil, []salesmania.FieldError{{Message: "must be a JSON object on one line"}}
	}
	var p salesmania.Problems
	nulls := map[string]bool{}
	for k, raw := range obj {
		switch {
		case slices.Contains(readOnlyColumns, k):
			delete(obj, k)
		case !slices.Contains(known, k):
			p.Add(k, "is not a known field")
		case string(bytes.TrimSpace(raw)) == "null":
			nulls[k] = true
		}
	}
	if len(p.Fields) > 0 {
		slices.SortFunc(p.Fields, func(a, b salesmania.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return nil, p.Fields
	}
	clean, err := json.Marshal(obj)
	if err != nil {
		return nil, []salesmania.FieldError{{Message: err.Error()}}
	}
	dec := json.NewDecoder(bytes.NewReader(clean))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &typ):
			p.Add(typ.Field, "must be "+jsonTypeName(typ.Type)+", not "+typ.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			p.Add(name, "is not a known field")
		default:
			p.Add("", err.Error())
		}
		return nil, p.Fields
	}
	return nulls, nil
}

var decimalType = reflect.TypeFor[salesmania.Decimal]()

// jsonTypeName names the JSON type that values of Go type t take.
func jsonTypeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == decimalType:
		return "a number"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return "a whole number"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		return "an array"
	}
	return "an object"
}
