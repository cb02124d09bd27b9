package apidocs

import (
	"bytes"
	"html/template"
	"regexp"
	"strconv"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown renders the document's descriptions, which are CommonMark with
// pipe tables, by github.com/yuin/goldmark. It is built for a page that must
// stay safe and offline, so the parser knows no raw HTML, links, images or
// autolinks: such text stays text, and every character of it is
// HTML-escaped — a description cannot inject markup or script into the page,
// nor make it load or link anything. The only links it makes are in-page
// ones, to an operation named in inline code.
type markdown struct {
	// shift is added to heading levels (clamped to 6), so that a "##" in a
	// description lands below the headings of the page around it.
	shift int
	// idPrefix, when not empty, gives every heading an id of idPrefix and a
	// slug of its text, and records it in headings.
	idPrefix string
	// link returns the in-page anchor (without "#") of an inline code span
	// such as `POST /extapi/v1.0/orders`, or "" to leave it unlinked.
	link func(code string) string

	headings []heading
	// ids are the ids taken on the page, which headings must not reuse;
	// a new set if nil.
	ids map[string]bool
}

// heading is a heading that got an id, for a table of contents.
type heading struct {
	Level int
	ID    string
	HTML  template.HTML
}

// mdParser parses the subset: CommonMark's blocks but HTML blocks, its
// inlines but links, images, autolinks and raw HTML (and so no link
// reference definitions), plus tables.
var mdParser = parser.NewParser(
	parser.WithBlockParsers(
		util.Prioritized(parser.NewSetextHeadingParser(), 100),
		util.Prioritized(parser.NewThematicBreakParser(), 200),
		util.Prioritized(parser.NewListParser(), 300),
		util.Prioritized(parser.NewListItemParser(), 400),
		util.Prioritized(parser.NewCodeBlockParser(), 500),
		util.Prioritized(parser.NewATXHeadingParser(), 600),
		util.Prioritized(parser.NewFencedCodeBlockParser(), 700),
		util.Prioritized(parser.NewBlockquoteParser(), 800),
		util.Prioritized(parser.NewParagraphParser(), 1000),
	),
	parser.WithInlineParsers(
		util.Prioritized(parser.NewCodeSpanParser(), 100),
		util.Prioritized(parser.NewEmphasisParser(), 500),
	),
	parser.WithParagraphTransformers(util.Prioritized(extension.NewTableParagraphTransformer(), 200)),
	parser.WithASTTransformers(util.Prioritized(extension.NewTableASTTransformer(), 0)),
)

// mdRenderer writes HTML escaping all text (raw HTML could not even be
// parsed), tables in the page's own wrapper and classes.
var mdRenderer = renderer.NewRenderer(renderer.WithNodeRenderers(
	util.Prioritized(html.NewRenderer(), 1000),
	util.Prioritized(extension.NewTableHTMLRenderer(extension.WithTableCellAlignMethod(extension.TableCellAlignNone)), 500),
	util.Prioritized(tableWrapRenderer{}, 100),
))

// tableWrapRenderer writes a table in the scrolling wrapper and with the
// class the page's style sheet gives Markdown tables.
type tableWrapRenderer struct{}

func (tableWrapRenderer) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(east.KindTable, func(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			w.WriteString("<div class=\"table-wrap\"><table class=\"md\">\n")
		} else {
			w.WriteString("</table></div>\n")
		}
		return ast.WalkContinue, nil
	})
}

var alignClass = map[east.Alignment]string{east.AlignRight: "align-right", east.AlignCenter: "align-center"}

// render renders src to HTML.
func (m *markdown) render(src string) template.HTML {
	source := []byte(src)
	doc := mdParser.Parse(text.NewReader(source))

	var headings []*ast.Heading
	var links []*ast.CodeSpan
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Heading:
			headings = append(headings, n)
			// Code in a heading is not linked: the heading is the target.
			return ast.WalkSkipChildren, nil
		case *ast.CodeSpan:
			links = append(links, n)
		case *ast.FencedCodeBlock:
			// The language becomes a class name; anything but a plain
			// word is dropped rather than escaped into one.
			// (Not by n.Language, which would keep what it read.)
			if n.Info != nil {
				if lang, _, _ := bytes.Cut(n.Info.Segment.Value(source), []byte(" ")); !langRE.Match(lang) {
					n.Info = nil
				}
			}
		case *east.TableCell:
			if c := alignClass[n.Alignment]; c != "" {
				n.SetAttributeString("class", []byte(c))
			}
		}
		return ast.WalkContinue, nil
	})

	var ids []string
	for _, h := range headings {
		level := h.Level
		h.Level = min(level+m.shift, 6)
		if m.idPrefix == "" {
			continue
		}
		raw := string(bytes.TrimSpace(h.Lines().Value(source)))
		id := m.uniqueID(m.idPrefix + slug(raw))
		h.SetAttributeString("id", []byte(id))
		m.headings = append(m.headings, heading{Level: level, ID: id})
		ids = append(ids, id)
	}
	for _, cs := range links {
		if m.link == nil {
			break
		}
		id := m.link(codeText(cs, source))
		if id == "" {
			continue
		}
		a := ast.NewLink()
		a.Destination = []byte("#" + id)
		a.SetAttributeString("class", []byte("code-link"))
		parent := cs.Parent()
		parent.ReplaceChild(parent, cs, a)
		a.AppendChild(a, cs)
	}

	var b bytes.Buffer
	if err := mdRenderer.Render(&b, source, doc); err != nil {
		// The renderer fails only when its writer does; a bytes.Buffer
		// does not.
		panic(err)
	}
	out := strings.TrimSpace(b.String())
	// The table of contents shows each heading as the page does.
	for i, id := range ids {
		m.headings[len(m.headings)-len(ids)+i].HTML = headingHTML(out, id)
	}
	return template.HTML(out)
}

// codeText returns the text of a code span as it is shown: line ends as
// spaces.
func codeText(cs *ast.CodeSpan, source []byte) string {
	var b strings.Builder
	for c := cs.FirstChild(); c != nil; c = c.NextSibling() {
		if t, ok := c.(*ast.Text); ok {
			v := t.Segment.Value(source)
			if bytes.HasSuffix(v, []byte("\n")) {
				v = append(v[:len(v)-1:len(v)-1], ' ')
			}
			b.Write(v)
		}
	}
	return b.String()
}

// headingHTML returns the inner HTML of the heading with the id in out, the
// renderer's own output.
func headingHTML(out, id string) template.HTML {
	open := ` id="` + id + `">`
	i := strings.Index(out, open)
	if i < 0 {
		return ""
	}
	rest := out[i+len(open):]
	j := strings.Index(rest, "</h")
	if j < 0 {
		return ""
	}
	return template.HTML(rest[:j])
}

func (m *markdown) uniqueID(id string) string {
	if m.ids == nil {
		m.ids = map[string]bool{}
	}
	base := id
	for n := 2; m.ids[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	m.ids[id] = true
	return id
}

var (
	slugDropRE = regexp.MustCompile(`[^a-z0-9]+`)
	langRE     = regexp.MustCompile(`^[A-Za-z0-9_+-]{1,30}$`)
)

// slug turns text into the part of an id after its prefix: lower-case
// letters and digits joined by hyphens.
func slug(text string) string {
	s := slugDropRE.ReplaceAllString(strings.ToLower(text), "-")
	s = strings.Trim(s, "-")
	if s == "" {
		s = "section"
	}
	return s
}
