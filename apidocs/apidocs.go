// Package apidocs renders the OpenAPI document as one readable HTML page:
// the reference served at GET /docs. Every operation is shown with its
// parameters, body fields, rules, answers and errors, and with examples in
// curl and Go, all generated from the document, so the page cannot say
// anything the document does not.
//
// The page is self-contained: its styles are inline and it loads nothing,
// so it works offline and under a Content-Security-Policy of
// default-src 'none'. A small inline script adds copy buttons to the
// examples; the page reads the same without it. Descriptions are Markdown,
// rendered by github.com/yuin/goldmark without raw HTML, links or images
// (see markdown.go).
package apidocs

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

//go:embed page.html
var pageHTML string

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{"lower": strings.ToLower}).Parse(pageHTML))

// Render returns the HTML reference of doc, an OpenAPI 3.0 document as
// JSON. It fails if doc is not JSON, is not an object or has a $ref that
// does not resolve within the document. The same doc always renders to
// the same bytes.
func Render(doc []byte) ([]byte, error) {
	v, err := decodeJSON(doc)
	if err != nil {
		return nil, fmt.Errorf("apidocs: %w", err)
	}
	root, ok := v.(*object)
	if !ok {
		return nil, errors.New("apidocs: the document is not a JSON object")
	}
	b := &builder{resolver: resolver{root: root}}
	p := b.page()
	if b.err != nil {
		return nil, b.err
	}
	var out bytes.Buffer
	if err := pageTemplate.Execute(&out, p); err != nil {
		return nil, fmt.Errorf("apidocs: %w", err)
	}
	return out.Bytes(), nil
}

// methods are the operations a path item may have, in the order the page
// lists them when a path has several.
var methods = []string{"get", "put", "post", "patch", "delete", "options", "head", "trace"}

// page is what the template renders. It and the types below are the page's
// view of the document: text already escaped or rendered to HTML, maps
// already put in order.
type page struct {
	Title          string
	Version        string
	OpenAPIVersion string
	DocumentLink   string // the document's own path, when it serves itself
	Description    template.HTML
	Contents       []heading // the headings of Description
	Schemes        []schemeView
	Placeholders   []placeholder
	Errors         errorsView
	Tags           []tagView
}

type tagView struct {
	Name        string
	ID          string
	Description template.HTML
	Operations  []*operation
}

type operation struct {
	ID          string // the anchor: the operationId
	OperationID string
	Method      string // upper case
	Path        string
	Summary     string
	Description template.HTML
	Deprecated  bool
	AliasOf     string // the operationId this operation is an alias of
	AliasOfID   string
	Auth        template.HTML
	Params      []param
	Body        *body
	Success     []response
	Failures    []response
	Curl        string
	Go          string
	Callbacks   []*operation
	CallbackFor string // the callback's name
	ProblemName string // the schema of its error bodies, when they are problems
}

type param struct {
	Name        string
	In          string
	Type        string
	Required    bool
	Deprecated  bool
	Constraints []template.HTML
	Description template.HTML
	Example     string
}

type body struct {
	ContentType string
	Required    bool
	Description template.HTML
	Type        string
	About       template.HTML // the schema's own description
	Rules       []template.HTML
	Fields      []field
}

type response struct {
	Status      string
	Reason      string
	Class       string // the CSS class of the status: s2, s3, s4 or s5
	Name        string // the component the response comes from
	Description template.HTML
	ContentType string
	Type        string
	About       template.HTML
	Fields      []field
	Example     string
	Headers     []headerView
	Problem     bool
}

type headerView struct {
	Name        string
	Type        string
	Required    bool
	Constraints []template.HTML
	Description template.HTML
	Example     string
}

type errorsView struct {
	ContentType   string
	Schema        string
	About         template.HTML
	Fields        []field
	Example       string
	Statuses      []errorStatus
	CommonHeaders []headerView
}

type errorStatus struct {
	Status   string
	Reason   string
	Class    string
	Variants []errorVariant
}

type errorVariant struct {
	Name        string
	Description template.HTML
	Operations  int
}

// builder turns the decoded document into a page. The first error it
// meets is kept in err; the page built after an error is thrown away.
type builder struct {
	resolver
	err     error
	anchors map[string]string // "GET /path" and operationId → anchor
	ids     map[string]bool
	schemes map[string]*schemeView
	common  map[string]bool // headers every response carries
	problem schema          // the schema of error bodies
}

func (b *builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// md renders a description with headings below an operation's own.
func (b *builder) md(src string) template.HTML {
	return b.mdShift(src, 3)
}

func (b *builder) mdShift(src string, shift int) template.HTML {
	m := &markdown{shift: shift, link: b.link}
	return m.render(src)
}

// link returns the anchor of the operation an inline code span names,
// as "POST /extapi/v1.0/orders" (a query string is ignored) or by its
// operationId.
func (b *builder) link(code string) string {
	code, _, _ = strings.Cut(code, "?")
	if id, ok := b.anchors[code]; ok {
		return id
	}
	return ""
}

// reserved are the page's own anchors, which no operation may take.
var reserved = []string{"top", "introduction", "authentication", "errors", "problem"}

// rawOperation is an operation of the document before it is rendered.
type rawOperation struct {
	path, method string
	op           *object
	pathParams   []any
}

func (b *builder) page() *page {
	info := b.root.obj("info")
	p := &page{
		Title:          info.str("title"),
		Version:        info.str("version"),
		OpenAPIVersion: b.root.str("openapi"),
	}
	if p.Title == "" {
		p.Title = "API reference"
	}
	b.ids = map[string]bool{}
	for _, id := range reserved {
		b.ids[id] = true
	}

	ops := b.operations()
	b.anchors = map[string]string{}
	opIDs := map[*object]string{}
	for _, o := range ops {
		opID := o.op.str("operationId")
		id := opID
		if id == "" || b.ids[id] || !validID(id) {
			id = b.unique("op-" + slug(o.method+" "+o.path))
		}
		b.ids[id] = true
		opIDs[o.op] = id
		b.anchors[strings.ToUpper(o.method)+" "+o.path] = id
		if opID != "" {
			b.anchors[opID] = id
		}
		if o.path == "/openapi.json" && o.method == "get" {
			p.DocumentLink = o.path
		}
	}

	m := &markdown{shift: 1, idPrefix: "intro-", link: b.link, ids: b.ids}
	p.Description = m.render(info.str("description"))
	for _, h := range m.headings {
		if h.Level <= 2 {
			p.Contents = append(p.Contents, h)
		}
	}

	b.loadSchemes()
	for _, key := range b.schemeKeys() {
		p.Schemes = append(p.Schemes, *b.schemes[key])
	}
	p.Placeholders = b.placeholders()
	b.common = b.commonHeaders(ops)
	b.problem = b.problemSchema(ops)

	tags := b.tagOrder(ops)
	for _, t := range tags {
		tv := tagView{Name: t.name, ID: b.unique("tag-" + slug(t.name)), Description: b.mdShift(t.description, 2)}
		for _, o := range ops {
			if o.tag() == t.name {
				tv.Operations = append(tv.Operations, b.operation(o, opIDs[o.op]))
			}
		}
		// An alias follows the operations it stands for.
		slices.SortStableFunc(tv.Operations, func(x, y *operation) int {
			return boolInt(x.AliasOf != "") - boolInt(y.AliasOf != "")
		})
		p.Tags = append(p.Tags, tv)
	}
	p.Errors = b.errorModel(ops)
	return p
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

// validID reports whether id can be used as an anchor as it is.
func validID(id string) bool {
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return id != ""
}

func (b *builder) unique(id string) string {
	base := id
	for n := 2; b.ids[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	b.ids[id] = true
	return id
}

// operations lists the document's operations, paths in document order and
// a path's methods in document order.
func (b *builder) operations() []rawOperation {
	var out []rawOperation
	paths := b.root.obj("paths")
	for _, path := range paths.names() {
		item, _, err := b.deref(paths.get(path))
		if err != nil {
			b.fail(err)
			continue
		}
		for _, key := range item.names() {
			if !slices.Contains(methods, key) {
				continue
			}
			op, _ := item.get(key).(*object)
			if op == nil {
				continue
			}
			out = append(out, rawOperation{path: path, method: key, op: op, pathParams: item.arr("parameters")})
		}
	}
	return out
}

func (o rawOperation) tag() string {
	if tags := o.op.arr("tags"); len(tags) > 0 {
		if t, ok := tags[0].(string); ok && t != "" {
			return t
		}
	}
	return "Other"
}

type tagInfo struct{ name, description string }

// tagOrder returns the tags that have operations: first those the document
// lists, in its order, then the others as they first appear.
func (b *builder) tagOrder(ops []rawOperation) []tagInfo {
	used := map[string]bool{}
	for _, o := range ops {
		used[o.tag()] = true
	}
	var out []tagInfo
	seen := map[string]bool{}
	for _, t := range b.root.arr("tags") {
		to, _ := t.(*object)
		name := to.str("name")
		if used[name] && !seen[name] {
			seen[name] = true
			out = append(out, tagInfo{name, to.str("description")})
		}
	}
	for _, o := range ops {
		if name := o.tag(); !seen[name] {
			seen[name] = true
			out = append(out, tagInfo{name: name})
		}
	}
	return out
}

func (b *builder) operation(o rawOperation, id string) *operation {
	op := o.op
	v := &operation{
		ID:          id,
		OperationID: op.str("operationId"),
		Method:      strings.ToUpper(o.method),
		Path:        o.path,
		Summary:     op.str("summary"),
		Description: b.md(op.str("description")),
		Deprecated:  op.flag("deprecated"),
	}
	if v.Summary == "" {
		v.Summary = v.Method + " " + v.Path
	}
	if alias := op.str("x-salesmania-alias-of"); alias != "" {
		v.AliasOf = alias
		v.AliasOfID = b.anchors[alias]
	}
	security := b.root.arr("security")
	if op.has("security") {
		security = op.arr("security")
	}
	v.Auth = b.authText(security)
	rawParams := b.params(o.pathParams, op.arr("parameters"))
	for _, rp := range rawParams {
		v.Params = append(v.Params, b.param(rp))
	}
	v.Body = b.requestBody(op.get("requestBody"))
	v.Success, v.Failures = b.responses(op.obj("responses"))
	v.ProblemName = b.problemName(v.Failures)
	v.Curl, v.Go = b.examples(o, rawParams, security)
	if cbs := op.obj("callbacks"); cbs != nil {
		for _, name := range cbs.names() {
			cb, _, err := b.deref(cbs.get(name))
			if err != nil {
				b.fail(err)
				continue
			}
			for _, expr := range cb.names() {
				item, _, err := b.deref(cb.get(expr))
				if err != nil {
					b.fail(err)
					continue
				}
				for _, m := range item.names() {
					cop, _ := item.get(m).(*object)
					if !slices.Contains(methods, m) || cop == nil {
						continue
					}
					c := &operation{
						Method:      strings.ToUpper(m),
						Path:        expr,
						Summary:     cop.str("summary"),
						Description: b.md(cop.str("description")),
						CallbackFor: name,
					}
					for _, rp := range b.params(item.arr("parameters"), cop.arr("parameters")) {
						c.Params = append(c.Params, b.param(rp))
					}
					c.Body = b.requestBody(cop.get("requestBody"))
					c.Success, c.Failures = b.responses(cop.obj("responses"))
					c.ProblemName = b.problemName(c.Failures)
					v.Callbacks = append(v.Callbacks, c)
				}
			}
		}
	}
	return v
}

// params resolves and merges path-level and operation parameters (the
// operation's win) and orders them path, query, header, cookie.
func (b *builder) params(pathLevel, opLevel []any) []*object {
	var out []*object
	index := map[string]int{}
	for _, list := range [][]any{pathLevel, opLevel} {
		for _, raw := range list {
			p, _, err := b.deref(raw)
			if err != nil {
				b.fail(err)
				continue
			}
			key := p.str("in") + " " + p.str("name")
			if i, ok := index[key]; ok {
				out[i] = p
				continue
			}
			index[key] = len(out)
			out = append(out, p)
		}
	}
	order := map[string]int{"path": 0, "query": 1, "header": 2, "cookie": 3}
	slices.SortStableFunc(out, func(x, y *object) int {
		return order[x.str("in")] - order[y.str("in")]
	})
	return out
}

func (b *builder) param(p *object) param {
	s := b.schemaOf(p.get("schema"))
	v := param{
		Name:        p.str("name"),
		In:          p.str("in"),
		Type:        b.typeName(s, 0),
		Required:    p.flag("required") || p.str("in") == "path",
		Deprecated:  p.flag("deprecated"),
		Constraints: constraints(s),
		Description: b.md(p.str("description")),
	}
	if p.has("example") {
		v.Example = shortExample(p.get("example"))
	} else {
		v.Example = shortExample(s.get("example"))
	}
	if v.Type == "any" && !p.has("schema") {
		v.Type = ""
	}
	return v
}

// media picks the media type of a content map to document: JSON first,
// else the first one listed. It returns the type and its object.
func media(content *object) (string, *object) {
	if content == nil || len(content.names()) == 0 {
		return "", nil
	}
	for _, k := range content.names() {
		if strings.Contains(k, "json") {
			return k, content.obj(k)
		}
	}
	return content.names()[0], content.obj(content.names()[0])
}

// mediaExample returns the example of a media type, of its first named
// example, or of its schema, or nil if none is given.
func (b *builder) mediaExample(m *object, s schema) (any, bool) {
	if m.has("example") {
		return m.get("example"), true
	}
	if ex := m.obj("examples"); ex != nil && len(ex.names()) > 0 {
		e, _, err := b.deref(ex.get(ex.names()[0]))
		if err != nil {
			b.fail(err)
		}
		if e.has("value") {
			return e.get("value"), true
		}
	}
	if s.has("example") {
		return s.get("example"), true
	}
	return nil, false
}

func (b *builder) requestBody(raw any) *body {
	if raw == nil {
		return nil
	}
	rb, _, err := b.deref(raw)
	if err != nil {
		b.fail(err)
		return nil
	}
	ct, m := media(rb.obj("content"))
	v := &body{
		ContentType: strings.Join(rb.obj("content").names(), ", "),
		Required:    rb.flag("required"),
		Description: b.md(rb.str("description")),
	}
	if ct == "" {
		return v
	}
	s := b.schemaOf(m.get("schema"))
	v.Type = b.typeName(s, 0)
	v.About = b.md(s.str("description"))
	v.Rules = constraints(s)
	v.Fields = b.fields(s)
	return v
}

// bodyText shows an example body: JSON indented, a string as it is.
func bodyText(contentType string, ex any) string {
	if s, ok := ex.(string); ok && !strings.Contains(contentType, "json") {
		return s
	}
	return encodeJSON(ex, true)
}

// statusOrder sorts statuses 200 < 2XX < 400 < 4XX < default.
func statusOrder(s string) int {
	if s == "default" {
		return 1000
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	if len(s) == 3 && s[0] >= '1' && s[0] <= '5' {
		return int(s[0]-'0')*100 + 99
	}
	return 999
}

func statusClass(s string) string {
	n := statusOrder(s)
	switch {
	case n >= 200 && n < 300:
		return "s2"
	case n >= 300 && n < 400:
		return "s3"
	case n >= 400 && n < 500:
		return "s4"
	case n >= 500 && n < 600:
		return "s5"
	}
	return "s0"
}

func reason(status string) string {
	if n, err := strconv.Atoi(status); err == nil {
		return http.StatusText(n)
	}
	switch status {
	case "default":
		return "Any other status"
	case "1XX", "2XX", "3XX", "4XX", "5XX":
		return "Any " + status + " status"
	}
	return ""
}

func sortedStatuses(responses *object) []string {
	statuses := slices.Clone(responses.names())
	slices.SortStableFunc(statuses, func(x, y string) int { return statusOrder(x) - statusOrder(y) })
	return statuses
}

// responses returns an operation's answers: successes (below 400), with
// their fields, and failures.
func (b *builder) responses(responses *object) (success, failure []response) {
	for _, status := range sortedStatuses(responses) {
		r, name, err := b.deref(responses.get(status))
		if err != nil {
			b.fail(err)
			continue
		}
		v := response{
			Status:      status,
			Reason:      reason(status),
			Class:       statusClass(status),
			Name:        name,
			Description: b.md(r.str("description")),
		}
		if hs := r.obj("headers"); hs != nil {
			for _, h := range hs.names() {
				if !b.common[h] {
					v.Headers = append(v.Headers, b.header(h, hs.get(h)))
				}
			}
		}
		ct, m := media(r.obj("content"))
		fail := statusOrder(status) >= 400
		if ct != "" {
			v.ContentType = strings.Join(r.obj("content").names(), ", ")
			s := b.schemaOf(m.get("schema"))
			v.Problem = strings.Contains(ct, "problem")
			if m.has("schema") {
				v.Type = b.typeName(s, 0)
			}
			ex, ok := b.mediaExample(m, s)
			if !ok && m.has("schema") {
				ex, ok = b.example(s, true, 0), true
			}
			if ok {
				v.Example = bodyText(ct, ex)
			}
			if !fail {
				v.About = b.md(s.str("description"))
				v.Fields = b.fields(s)
			}
		}
		if fail {
			failure = append(failure, v)
		} else {
			success = append(success, v)
		}
	}
	return success, failure
}

// problemName returns the name of the problem schema when every failure
// in failures has a problem body, else "".
func (b *builder) problemName(failures []response) string {
	if len(failures) == 0 || b.problem.name == "" {
		return ""
	}
	for _, f := range failures {
		if !f.Problem {
			return ""
		}
	}
	return b.problem.name
}

func (b *builder) header(name string, raw any) headerView {
	h, _, err := b.deref(raw)
	if err != nil {
		b.fail(err)
		return headerView{Name: name}
	}
	s := b.schemaOf(h.get("schema"))
	v := headerView{
		Name:        name,
		Type:        b.typeName(s, 0),
		Required:    h.flag("required"),
		Constraints: constraints(s),
		Description: b.md(h.str("description")),
	}
	if h.has("example") {
		v.Example = shortExample(h.get("example"))
	} else {
		v.Example = shortExample(s.get("example"))
	}
	return v
}

// commonHeaders returns the response headers every response of every
// operation carries, such as a request id: the page explains them once
// instead of under every answer.
func (b *builder) commonHeaders(ops []rawOperation) map[string]bool {
	var common map[string]bool
	for _, o := range ops {
		responses := o.op.obj("responses")
		for _, status := range responses.names() {
			r, _, err := b.deref(responses.get(status))
			if err != nil {
				b.fail(err)
				return nil
			}
			here := map[string]bool{}
			if hs := r.obj("headers"); hs != nil {
				for _, h := range hs.names() {
					here[h] = true
				}
			}
			if common == nil {
				common = here
				continue
			}
			for h := range common {
				if !here[h] {
					delete(common, h)
				}
			}
		}
	}
	return common
}

// problemSchema returns the schema of the document's error bodies: the
// schema of the first problem+json (else any) error response.
func (b *builder) problemSchema(ops []rawOperation) schema {
	var fallback *schema
	for _, o := range ops {
		responses := o.op.obj("responses")
		for _, status := range sortedStatuses(responses) {
			if statusOrder(status) < 400 {
				continue
			}
			r, _, err := b.deref(responses.get(status))
			if err != nil {
				b.fail(err)
				continue
			}
			content := r.obj("content")
			if content == nil {
				continue
			}
			for _, ct := range content.names() {
				m := content.obj(ct)
				if !m.has("schema") {
					continue
				}
				s := b.schemaOf(m.get("schema"))
				if strings.Contains(ct, "problem") {
					return s
				}
				if fallback == nil {
					fallback = &s
				}
			}
		}
	}
	if fallback != nil {
		return *fallback
	}
	return schema{}
}

// errorModel describes the error model and every error status the document
// uses, each with the ways the document explains it.
func (b *builder) errorModel(ops []rawOperation) errorsView {
	v := errorsView{Schema: b.problem.name}
	if b.problem.object != nil {
		v.About = b.md(b.problem.str("description"))
		v.Fields = b.fields(b.problem)
		if ex := b.problem.get("example"); ex != nil {
			v.Example = encodeJSON(ex, true)
		}
	}
	type variantKey struct{ status, name, description string }
	counts := map[variantKey]int{}
	contentTypes := map[string]bool{}
	for _, o := range ops {
		responses := o.op.obj("responses")
		for _, status := range responses.names() {
			if statusOrder(status) < 400 {
				continue
			}
			r, name, err := b.deref(responses.get(status))
			if err != nil {
				b.fail(err)
				continue
			}
			counts[variantKey{status, name, r.str("description")}]++
			for _, ct := range r.obj("content").names() {
				contentTypes[ct] = true
			}
		}
	}
	keys := make([]variantKey, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y variantKey) int {
		if d := statusOrder(x.status) - statusOrder(y.status); d != 0 {
			return d
		}
		if c := strings.Compare(x.status, y.status); c != 0 {
			return c
		}
		if c := strings.Compare(x.name, y.name); c != 0 {
			return c
		}
		return strings.Compare(x.description, y.description)
	})
	for _, k := range keys {
		if n := len(v.Statuses); n == 0 || v.Statuses[n-1].Status != k.status {
			v.Statuses = append(v.Statuses, errorStatus{Status: k.status, Reason: reason(k.status), Class: statusClass(k.status)})
		}
		last := &v.Statuses[len(v.Statuses)-1]
		last.Variants = append(last.Variants, errorVariant{Name: k.name, Description: b.md(k.description), Operations: counts[k]})
	}
	cts := make([]string, 0, len(contentTypes))
	for ct := range contentTypes {
		cts = append(cts, ct)
	}
	slices.Sort(cts)
	v.ContentType = strings.Join(cts, ", ")
	// The headers every answer carries, from the first response that has
	// them.
	names := make([]string, 0, len(b.common))
	for h := range b.common {
		names = append(names, h)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, o := range ops {
			if h := b.findHeader(o, name); h != nil {
				v.CommonHeaders = append(v.CommonHeaders, b.header(name, h))
				break
			}
		}
	}
	return v
}

func (b *builder) findHeader(o rawOperation, name string) any {
	responses := o.op.obj("responses")
	for _, status := range responses.names() {
		r, _, err := b.deref(responses.get(status))
		if err != nil {
			return nil
		}
		if h := r.obj("headers").get(name); h != nil {
			return h
		}
	}
	return nil
}

// esc is html.EscapeString, for the HTML this package writes itself.
var esc = html.EscapeString
