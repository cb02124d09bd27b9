package apidocs

import (
	"html"
	"html/template"
	"regexp"
	"strconv"
	"strings"
)

// markdown renders the subset of Markdown the document's descriptions are
// written in: ATX headings, paragraphs, bullet and numbered lists (nested by
// indentation), fenced code blocks, block quotes, pipe tables, inline code,
// **strong** and *emphasis*. Everything else is text: every character of the
// input is HTML-escaped and raw HTML is never passed through, so a
// description cannot inject markup or script into the page. Links are not
// part of the subset; the only links it makes are in-page ones, to an
// operation named in inline code.
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

// render renders src to HTML.
func (m *markdown) render(src string) template.HTML {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\t", "    ")
	var b strings.Builder
	m.blocks(&b, strings.Split(src, "\n"), false)
	return template.HTML(strings.TrimSpace(b.String()))
}

var (
	headingRE   = regexp.MustCompile(`^ {0,3}(#{1,6})(?:[ ]+(.*?))?(?:[ ]+#+)?[ ]*$`)
	listItemRE  = regexp.MustCompile(`^( *)([-*+]|[0-9]{1,9}[.)])( +|$)`)
	tableSepRE  = regexp.MustCompile(`^ *\|? *:?-+:? *(\| *:?-+:? *)*\|? *$`)
	fenceRE     = regexp.MustCompile("^( {0,3})(`{3,}|~{3,})[ ]*([^`]*)$")
	ruleRE      = regexp.MustCompile(`^ {0,3}((\* *){3,}|(- *){3,}|(_ *){3,})$`)
	quoteRE     = regexp.MustCompile(`^ {0,3}> ?`)
	langRE      = regexp.MustCompile(`^[A-Za-z0-9_+-]{1,30}$`)
	slugDropRE  = regexp.MustCompile(`[^a-z0-9]+`)
	blankLineRE = regexp.MustCompile(`^\s*$`)
)

func isBlank(line string) bool { return blankLineRE.MatchString(line) }

// blocks renders lines as a sequence of blocks. In a tight list item
// (tight) paragraphs are written without <p>.
func (m *markdown) blocks(b *strings.Builder, lines []string, tight bool) {
	for i := 0; i < len(lines); {
		line := lines[i]
		switch {
		case isBlank(line):
			i++
		case fenceRE.MatchString(line):
			i = m.codeBlock(b, lines, i)
		case headingRE.MatchString(line):
			m.heading(b, line)
			i++
		case ruleRE.MatchString(line):
			b.WriteString("<hr>\n")
			i++
		case quoteRE.MatchString(line):
			var inner []string
			for ; i < len(lines) && !isBlank(lines[i]); i++ {
				inner = append(inner, quoteRE.ReplaceAllString(lines[i], ""))
			}
			b.WriteString("<blockquote>\n")
			m.blocks(b, inner, false)
			b.WriteString("</blockquote>\n")
		case listItemRE.MatchString(line):
			i = m.list(b, lines, i)
		case i+1 < len(lines) && strings.Contains(line, "|") && tableSepRE.MatchString(lines[i+1]) && strings.Contains(lines[i+1], "-"):
			i = m.table(b, lines, i)
		default:
			i = m.paragraph(b, lines, i, tight)
		}
	}
}

// startsBlock reports whether line starts a block that ends a paragraph.
func startsBlock(line string) bool {
	return fenceRE.MatchString(line) || headingRE.MatchString(line) || quoteRE.MatchString(line) ||
		listItemRE.MatchString(line) || ruleRE.MatchString(line)
}

func (m *markdown) paragraph(b *strings.Builder, lines []string, i int, tight bool) int {
	var text []string
	for ; i < len(lines) && !isBlank(lines[i]); i++ {
		if len(text) > 0 && startsBlock(lines[i]) {
			break
		}
		if len(text) > 0 && i+1 < len(lines) && strings.Contains(lines[i], "|") && tableSepRE.MatchString(lines[i+1]) {
			break
		}
		text = append(text, strings.TrimSpace(lines[i]))
	}
	inline := m.inline(strings.Join(text, "\n"), true)
	if tight {
		b.WriteString(inline)
		b.WriteString("\n")
	} else {
		b.WriteString("<p>")
		b.WriteString(inline)
		b.WriteString("</p>\n")
	}
	return i
}

func (m *markdown) heading(b *strings.Builder, line string) {
	g := headingRE.FindStringSubmatch(line)
	level := min(len(g[1])+m.shift, 6)
	text := strings.TrimSpace(g[2])
	inner := m.inline(text, false)
	tag := "h" + strconv.Itoa(level)
	if m.idPrefix == "" {
		b.WriteString("<" + tag + ">" + inner + "</" + tag + ">\n")
		return
	}
	id := m.uniqueID(m.idPrefix + slug(text))
	m.headings = append(m.headings, heading{Level: len(g[1]), ID: id, HTML: template.HTML(inner)})
	b.WriteString("<" + tag + ` id="` + id + `">` + inner + "</" + tag + ">\n")
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

func (m *markdown) codeBlock(b *strings.Builder, lines []string, i int) int {
	g := fenceRE.FindStringSubmatch(lines[i])
	indent, fence := len(g[1]), g[2]
	lang := strings.Fields(g[3])
	i++
	var code []string
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
			i++
			break
		}
		line := lines[i]
		for k := 0; k < indent && strings.HasPrefix(line, " "); k++ {
			line = line[1:]
		}
		code = append(code, line)
	}
	b.WriteString("<pre")
	if len(lang) > 0 && langRE.MatchString(lang[0]) {
		b.WriteString(` class="language-` + strings.ToLower(lang[0]) + `"`)
	}
	b.WriteString("><code>")
	b.WriteString(html.EscapeString(strings.Join(code, "\n")))
	b.WriteString("</code></pre>\n")
	return i
}

// list renders the list starting at lines[i] and returns the index of the
// first line after it. An item holds the lines indented under it, so a list
// inside an item is rendered as a nested list.
func (m *markdown) list(b *strings.Builder, lines []string, i int) int {
	g := listItemRE.FindStringSubmatch(lines[i])
	ordered := g[2][0] >= '0' && g[2][0] <= '9'
	baseIndent := len(g[1])
	type item struct{ lines []string }
	var items []item
	loose := false
	for i < len(lines) {
		g := listItemRE.FindStringSubmatch(lines[i])
		if g == nil || len(g[1]) > baseIndent+3 || (g[2][0] >= '0' && g[2][0] <= '9') != ordered {
			break
		}
		contentIndent := len(g[0])
		if len(g[3]) > 4 { // "-     code": the content starts after one space
			contentIndent = len(g[1]) + len(g[2]) + 1
		}
		it := item{lines: []string{lines[i][min(contentIndent, len(lines[i])):]}}
		i++
		for i < len(lines) {
			line := lines[i]
			if isBlank(line) {
				// A blank line ends the item unless an indented line or
				// another item of this list follows it.
				j := i
				for j < len(lines) && isBlank(lines[j]) {
					j++
				}
				if j == len(lines) {
					i = j
					break
				}
				if indentOf(lines[j]) >= contentIndent {
					loose = true
					for ; i < j; i++ {
						it.lines = append(it.lines, "")
					}
					continue
				}
				if ng := listItemRE.FindStringSubmatch(lines[j]); ng != nil && len(ng[1]) == baseIndent && (ng[2][0] >= '0' && ng[2][0] <= '9') == ordered {
					loose = true
					i = j
				}
				break
			}
			if indentOf(line) >= contentIndent {
				it.lines = append(it.lines, line[contentIndent:])
				i++
				continue
			}
			if startsBlock(line) {
				break
			}
			// A lazy continuation of the item's paragraph.
			it.lines = append(it.lines, strings.TrimSpace(line))
			i++
		}
		items = append(items, it)
		if i < len(lines) && isBlank(lines[i]) {
			break
		}
	}
	if ordered {
		n, _ := strconv.Atoi(strings.TrimRight(g[2], ".)"))
		if n != 1 {
			b.WriteString(`<ol start="` + strconv.Itoa(n) + `">` + "\n")
		} else {
			b.WriteString("<ol>\n")
		}
	} else {
		b.WriteString("<ul>\n")
	}
	for _, it := range items {
		var inner strings.Builder
		m.blocks(&inner, it.lines, !loose)
		b.WriteString("<li>")
		b.WriteString(strings.TrimSpace(inner.String()))
		b.WriteString("</li>\n")
	}
	if ordered {
		b.WriteString("</ol>\n")
	} else {
		b.WriteString("</ul>\n")
	}
	return i
}

func indentOf(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}

func (m *markdown) table(b *strings.Builder, lines []string, i int) int {
	head := splitRow(lines[i])
	var align []string
	for _, c := range splitRow(lines[i+1]) {
		switch l, r := strings.HasPrefix(c, ":"), strings.HasSuffix(c, ":"); {
		case l && r:
			align = append(align, "center")
		case r:
			align = append(align, "right")
		default:
			align = append(align, "")
		}
	}
	cell := func(tag string, k int, text string) {
		b.WriteString("<" + tag)
		if k < len(align) && align[k] != "" {
			b.WriteString(` class="align-` + align[k] + `"`)
		}
		b.WriteString(">" + m.inline(text, true) + "</" + tag + ">")
	}
	b.WriteString("<div class=\"table-wrap\"><table class=\"md\">\n<thead><tr>")
	for k, c := range head {
		cell("th", k, c)
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for i += 2; i < len(lines) && !isBlank(lines[i]) && strings.Contains(lines[i], "|"); i++ {
		row := splitRow(lines[i])
		b.WriteString("<tr>")
		for k := range head {
			text := ""
			if k < len(row) {
				text = row[k]
			}
			cell("td", k, text)
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table></div>\n")
	return i
}

// splitRow splits a table row on the pipes that are neither escaped nor
// inside inline code.
func splitRow(line string) []string {
	line = strings.TrimSpace(line)
	line = strings.TrimPrefix(line, "|")
	if strings.HasSuffix(line, "|") && !strings.HasSuffix(line, `\|`) {
		line = line[:len(line)-1]
	}
	var cells []string
	var cur strings.Builder
	inCode := 0
	for k := 0; k < len(line); k++ {
		c := line[k]
		switch {
		case c == '\\' && k+1 < len(line) && line[k+1] == '|':
			cur.WriteByte('|')
			k++
		case c == '`':
			n := 1
			for k+n < len(line) && line[k+n] == '`' {
				n++
			}
			switch inCode {
			case 0:
				inCode = n
			case n:
				inCode = 0
			}
			cur.WriteString(line[k : k+n])
			k += n - 1
		case c == '|' && inCode == 0:
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(c)
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

// inline renders the inline Markdown of s: code spans, **strong**,
// *emphasis* and backslash escapes; everything else is escaped text.
func (m *markdown) inline(s string, links bool) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '`':
			n := runLen(s, i, '`')
			if j := findCodeClose(s, i+n, n); j >= 0 {
				code := s[i+n : j]
				code = strings.ReplaceAll(code, "\n", " ")
				if len(code) > 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
					code = code[1 : len(code)-1]
				}
				esc := "<code>" + html.EscapeString(code) + "</code>"
				if links && m.link != nil {
					if id := m.link(code); id != "" {
						esc = `<a class="code-link" href="#` + html.EscapeString(id) + `">` + esc + "</a>"
					}
				}
				b.WriteString(esc)
				i = j + n
				continue
			}
			b.WriteString(html.EscapeString(s[i : i+n]))
			i += n
		case c == '\\' && i+1 < len(s) && isPunct(s[i+1]):
			b.WriteString(html.EscapeString(s[i+1 : i+2]))
			i += 2
		case c == '*' && strings.HasPrefix(s[i:], "**"):
			if j := findDelim(s, i+2, "**"); j > i+2 && s[i+2] != ' ' && s[j-1] != ' ' {
				b.WriteString("<strong>" + m.inline(s[i+2:j], links) + "</strong>")
				i = j + 2
				continue
			}
			b.WriteString("**")
			i += 2
		case c == '*' && i+1 < len(s) && s[i+1] != ' ' && s[i+1] != '*' && (i == 0 || !isAlnum(s[i-1])):
			if j := findDelim(s, i+1, "*"); j > i+1 && s[j-1] != ' ' && (j+1 == len(s) || !isAlnum(s[j+1])) {
				b.WriteString("<em>" + m.inline(s[i+1:j], links) + "</em>")
				i = j + 1
				continue
			}
			b.WriteString("*")
			i++
		default:
			j := i + 1
			for j < len(s) && s[j] != '`' && s[j] != '*' && s[j] != '\\' {
				j++
			}
			b.WriteString(html.EscapeString(s[i:j]))
			i = j
		}
	}
	return b.String()
}

func runLen(s string, i int, c byte) int {
	n := 0
	for i+n < len(s) && s[i+n] == c {
		n++
	}
	return n
}

// findCodeClose returns the index of the run of exactly n backticks that
// closes a code span opened before from, or -1.
func findCodeClose(s string, from, n int) int {
	for j := from; j < len(s); {
		if s[j] != '`' {
			j++
			continue
		}
		k := runLen(s, j, '`')
		if k == n {
			return j
		}
		j += k
	}
	return -1
}

// findDelim returns the index of the next delim in s from from on that is
// not inside a code span or escaped, or -1. A single "*" does not match the
// first star of a "**".
func findDelim(s string, from int, delim string) int {
	for j := from; j < len(s); {
		switch {
		case s[j] == '\\':
			j += 2
		case s[j] == '`':
			n := runLen(s, j, '`')
			if e := findCodeClose(s, j+n, n); e >= 0 {
				j = e + n
			} else {
				j += n
			}
		case strings.HasPrefix(s[j:], delim):
			if delim == "*" && strings.HasPrefix(s[j:], "**") {
				// Skip over a strong span inside the emphasis.
				if e := findDelim(s, j+2, "**"); e >= 0 {
					j = e + 2
					continue
				}
				return -1
			}
			return j
		default:
			j++
		}
	}
	return -1
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isPunct(c byte) bool {
	return strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}
