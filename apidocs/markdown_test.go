package apidocs

import (
	"regexp"
	"strings"
	"testing"
)

// TestMarkdown checks what the page renders of a description: the Markdown
// the document uses, and that nothing of a description becomes markup the
// page did not mean — raw HTML, links, images and bad code languages stay
// escaped text.
func TestMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"Paragraphs", "one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>"},
		{"Inline", "a **bold** and *em* and `co*de*` here", "<p>a <strong>bold</strong> and <em>em</em> and <code>co*de*</code> here</p>"},
		{"StrongWithEmAndCode", "**[seed name *Ext Order*; `x`]**", "<p><strong>[seed name <em>Ext Order</em>; <code>x</code>]</strong></p>"},
		{"DoubleBacktickCode", "`` a`b ``", "<p><code>a`b</code></p>"},
		{"NoEmphasisInsideWords", "snake_case_name", "<p>snake_case_name</p>"},
		{"UnclosedDelimiters", "**open and `open and *open", "<p>**open and `open and *open</p>"},
		{"BackslashEscapes", `\*not em\* and \<b\>`, "<p>*not em* and &lt;b&gt;</p>"},
		{"EscapesScript", "<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
		{"EscapesHTMLBlock", "<div>\n<b>x</b>\n</div>", "<p>&lt;div&gt;\n&lt;b&gt;x&lt;/b&gt;\n&lt;/div&gt;</p>"},
		{"EscapesScriptInCode", "`<script>` and **<script>**", "<p><code>&lt;script&gt;</code> and <strong>&lt;script&gt;</strong></p>"},
		{"EscapesAttributes", `" onmouseover="alert(1)`, "<p>&quot; onmouseover=&quot;alert(1)</p>"},
		{"EntitiesStayText", "&lt;b&gt; &#60;i&#62; &bogus;", "<p>&lt;b&gt; &lt;i&gt; &amp;bogus;</p>"},
		{"NoLinks", "[click](https://example.com) <https://example.com> www.example.com ![i](x.png)",
			"<p>[click](https://example.com) &lt;https://example.com&gt; www.example.com ![i](x.png)</p>"},
		{"NoLinkReferences", "[a]: https://example.com\n\n[a]", "<p>[a]: https://example.com</p>\n<p>[a]</p>"},
		{"Heading", "## Lists [ours]\ntext", "<h3>Lists [ours]</h3>\n<p>text</p>"},
		{"HeadingClamped", "###### deep", "<h6>deep</h6>"},
		{"EscapesScriptInHeading", "# <script>x</script>", "<h2>&lt;script&gt;x&lt;/script&gt;</h2>"},
		{"CodeBlock", "```json\n{\"a\": \"<script>\"}\n```\nafter", "<pre><code class=\"language-json\">{&quot;a&quot;: &quot;&lt;script&gt;&quot;}\n</code></pre>\n<p>after</p>"},
		{"CodeBlockBadLanguage", "```\"><script>\nx\n```", "<pre><code>x\n</code></pre>"},
		{"CodeBlockUnclosed", "```\nx\n\ny", "<pre><code>x\n\ny\n</code></pre>"},
		{"BulletList", "- one\n- **two**\n  more\n- three", "<ul>\n<li>one</li>\n<li><strong>two</strong>\nmore</li>\n<li>three</li>\n</ul>"},
		{"ListAfterParagraph", "Headers:\n\n- a\n- b", "<p>Headers:</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>"},
		{"OrderedListStart", "4. four\n5. five", "<ol start=\"4\">\n<li>four</li>\n<li>five</li>\n</ol>"},
		{"NestedList", "1. one\n   - a\n   - b\n2. two", "<ol>\n<li>one\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n</li>\n<li>two</li>\n</ol>"},
		{"LooseList", "- one\n\n- two", "<ul>\n<li>\n<p>one</p>\n</li>\n<li>\n<p>two</p>\n</li>\n</ul>"},
		{"Table", "| a | b | c |\n|---|--:|:-:|\n| `x\\|y` | **z** | <i> |\n| \\| |",
			"<div class=\"table-wrap\"><table class=\"md\">\n<thead>\n<tr>\n<th>a</th>\n<th class=\"align-right\">b</th>\n<th class=\"align-center\">c</th>\n</tr>\n</thead>\n" +
				"<tbody>\n<tr>\n<td><code>x|y</code></td>\n<td class=\"align-right\"><strong>z</strong></td>\n<td class=\"align-center\">&lt;i&gt;</td>\n</tr>\n" +
				"<tr>\n<td>|</td>\n<td></td>\n<td></td>\n</tr>\n</tbody>\n</table></div>"},
		{"Quote", "> quoted *text*\n> more", "<blockquote>\n<p>quoted <em>text</em>\nmore</p>\n</blockquote>"},
		{"Rule", "a\n\n---\n\nb", "<p>a</p>\n<hr>\n<p>b</p>"},
		{"HardBreak", "a\\\nb", "<p>a<br>\nb</p>"},
		{"Empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := string((&markdown{shift: 1}).render(tc.in)); got != tc.want {
				t.Errorf("render(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestMarkdownHeadingIDs(t *testing.T) {
	m := &markdown{shift: 1, idPrefix: "intro-"}
	got := string(m.render("## Errors [ours]\n\n## Errors [ours]\n\n### `x` <y>"))
	want := "<h3 id=\"intro-errors-ours\">Errors [ours]</h3>\n<h3 id=\"intro-errors-ours-2\">Errors [ours]</h3>\n<h4 id=\"intro-x-y\"><code>x</code> &lt;y&gt;</h4>"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if len(m.headings) != 3 || m.headings[1].ID != "intro-errors-ours-2" || m.headings[2].Level != 3 ||
		m.headings[0].HTML != "Errors [ours]" || m.headings[2].HTML != "<code>x</code> &lt;y&gt;" {
		t.Errorf("headings = %+v", m.headings)
	}
}

func TestMarkdownLinks(t *testing.T) {
	m := &markdown{link: func(code string) string {
		if code == "GET /x" {
			return "getX"
		}
		return ""
	}}
	got := string(m.render("see `GET /x` and `GET /y`\n# `GET /x`"))
	want := "<p>see <a href=\"#getX\" class=\"code-link\"><code>GET /x</code></a> and <code>GET /y</code></p>\n<h1><code>GET /x</code></h1>"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

var (
	mdTagRE = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	// mdAllowed are the elements and attributes the renderer may write.
	mdAllowed = map[string]*regexp.Regexp{
		"p": nil, "strong": nil, "em": nil, "ul": nil, "li": nil, "blockquote": nil, "hr": nil, "br": nil, "pre": nil,
		"h1": nil, "h2": nil, "h3": nil, "h4": nil, "h5": nil, "h6": nil, "thead": nil, "tbody": nil, "tr": nil,
		"ol":    regexp.MustCompile(`^( start="[0-9]+")?$`),
		"code":  regexp.MustCompile(`^( class="language-[A-Za-z0-9_+-]+")?$`),
		"div":   regexp.MustCompile(`^ class="table-wrap"$`),
		"table": regexp.MustCompile(`^ class="md"$`),
		"th":    regexp.MustCompile(`^( class="align-(right|center)")?$`),
		"td":    regexp.MustCompile(`^( class="align-(right|center)")?$`),
		"a":     regexp.MustCompile(`^ href="#[A-Za-z0-9_-]+" class="code-link"$`),
	}
)

// FuzzMarkdown checks that whatever the input, the output has only the
// elements and attributes of the subset, every element closed in order.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{
		"# h\n\n- a\n  - b\n\n1. c\n\n```go\nx\n```\n| a | b |\n|---|---|\n| c | d |\n> q",
		"**a *b* `c`** <script>alert(1)</script> [l](javascript:x) <img src=x onerror=y>",
		"- a\n\n  b\n- c\n\n   ```\n   x\n   ```",
		"`` ` `` *a **b** c* \\* ***x***",
		"|a|\n|-|\n|`|`|",
		"<div>\n<b>x</b>\n</div>\n\n[a]: https://x\n\n[a] &lt; &#60; a  \nb ```\"><script>\nx\n```",
		"    indented\n\nSetext\n===\n\n* * *",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m := &markdown{shift: 1, idPrefix: "x-", link: func(code string) string {
			if code == "op" {
				return "op"
			}
			return ""
		}}
		out := string(m.render(in))
		var stack []string
		for _, g := range mdTagRE.FindAllStringSubmatch(out, -1) {
			name, attrs := g[2], g[3]
			re, ok := mdAllowed[name]
			if !ok {
				t.Fatalf("render(%q) writes <%s>:\n%s", in, name, out)
			}
			if g[1] == "/" {
				if len(stack) == 0 || stack[len(stack)-1] != name {
					t.Fatalf("render(%q): </%s> closes %v:\n%s", in, name, stack, out)
				}
				stack = stack[:len(stack)-1]
				continue
			}
			if strings.HasPrefix(name, "h") && name != "hr" {
				if !regexp.MustCompile(`^ id="x-[a-z0-9-]+"$`).MatchString(attrs) {
					t.Fatalf("render(%q): <%s%s>", in, name, attrs)
				}
			} else if re == nil && attrs != "" || re != nil && !re.MatchString(attrs) {
				t.Fatalf("render(%q): <%s%s>", in, name, attrs)
			}
			if name != "hr" && name != "br" {
				stack = append(stack, name)
			}
		}
		if len(stack) != 0 {
			t.Fatalf("render(%q) leaves %v open:\n%s", in, stack, out)
		}
	})
}
