package apidocs_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/salesmania/salesmania/apidocs"
	"github.com/salesmania/salesmania/openapi"
)

// mustRender renders the real document and keeps a copy of the page with
// the test's artifacts (go test -artifacts) for a look in a browser.
func mustRender(tb testing.TB) string {
	tb.Helper()
	page, err := apidocs.Render(openapi.Document())
	if err != nil {
		tb.Fatal(err)
	}
	if t, ok := tb.(*testing.T); ok {
		if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "docs.html"), page, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return string(page)
}

// documentOperations returns "METHOD /path" → operationId for every
// operation of the document.
func documentOperations(tb testing.TB) map[string]string {
	tb.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapi.Document(), &doc); err != nil {
		tb.Fatal(err)
	}
	ops := map[string]string{}
	for path, item := range doc.Paths {
		for method, raw := range item {
			switch method {
			case "get", "put", "post", "patch", "delete", "options", "head", "trace":
			default:
				continue
			}
			var op struct {
				OperationID string `json:"operationId"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				tb.Fatal(err)
			}
			ops[strings.ToUpper(method)+" "+path] = op.OperationID
		}
	}
	if len(ops) < 30 {
		tb.Fatalf("the document has %d operations; the test reads it wrong", len(ops))
	}
	return ops
}

var (
	styleOrScriptRE = regexp.MustCompile(`(?is)<(style|script)\b[^>]*>.*?</(style|script)>`)
	styleRE         = regexp.MustCompile(`(?is)<style\b[^>]*>.*?</style>`)
	tagRE           = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>`)
	attrRE          = regexp.MustCompile(`(?i)\s([a-z:-]+)\s*=\s*"([^"]*)"`)
	idRE            = regexp.MustCompile(`\sid="([^"]*)"`)
	hrefRE          = regexp.MustCompile(`\shref="#([^"]*)"`)
)

// visibleText returns the text a reader sees: the page without styles,
// scripts and tags, entities decoded.
func visibleText(page string) string {
	s := styleOrScriptRE.ReplaceAllString(page, "")
	s = tagRE.ReplaceAllString(s, "")
	return html.UnescapeString(s)
}

func TestRender(t *testing.T) {
	page := mustRender(t)

	t.Run("Deterministic", func(t *testing.T) {
		for range 3 {
			again, err := apidocs.Render(openapi.Document())
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != page {
				t.Fatal("two renderings of the same document differ")
			}
		}
	})

	t.Run("EveryOperation", func(t *testing.T) {
		text := visibleText(page)
		for route, opID := range documentOperations(t) {
			if !strings.Contains(text, route) {
				t.Errorf("%s is not on the page", route)
			}
			if opID == "" {
				t.Errorf("%s has no operationId", route)
				continue
			}
			if !strings.Contains(page, `<article class="op" id="`+opID+`">`) {
				t.Errorf("%s: no anchor %q", route, opID)
			}
			if !strings.Contains(page, `href="#`+opID+`"`) {
				t.Errorf("%s: the contents do not link to %q", route, opID)
			}
		}
		if got, want := strings.Count(page, `<article class="op"`), len(documentOperations(t)); got != want {
			t.Errorf("%d operations on the page; want %d", got, want)
		}
	})

	t.Run("EveryRefResolved", func(t *testing.T) {
		if strings.Contains(visibleText(page), "#/components") {
			t.Error("the page shows a $ref")
		}
		if strings.Contains(page, "$ref") {
			t.Error("the page contains $ref")
		}
	})

	t.Run("NoExternalResources", func(t *testing.T) {
		for _, m := range tagRE.FindAllStringSubmatch(page, -1) {
			tag := strings.ToLower(m[2])
			switch tag {
			case "link", "img", "iframe", "object", "embed", "frame", "base", "form", "video", "audio", "source":
				t.Errorf("the page has a <%s>", tag)
			}
			for _, a := range attrRE.FindAllStringSubmatch(m[3], -1) {
				name, value := strings.ToLower(a[1]), a[2]
				if strings.Contains(value, "http://") || strings.Contains(value, "https://") {
					t.Errorf("<%s %s=%q> refers outside the page", tag, name, value)
				}
				switch name {
				case "src", "srcset", "action", "formaction", "poster", "data", "xlink:href", "background":
					t.Errorf("<%s %s=%q>: the page loads nothing", tag, name, value)
				case "href":
					if !strings.HasPrefix(value, "#") && (!strings.HasPrefix(value, "/") || strings.HasPrefix(value, "//")) {
						t.Errorf("<%s href=%q> is neither an anchor nor a link on this server", tag, value)
					}
				}
			}
		}
		for _, style := range styleRE.FindAllString(page, -1) {
			for _, css := range []string{"@import", "url(", "@font-face"} {
				if strings.Contains(style, css) {
					t.Errorf("the styles use %s", css)
				}
			}
		}
	})

	t.Run("WellFormed", func(t *testing.T) {
		checkStructure(t, page)
		if n := strings.Count(page, "<h1"); n != 1 {
			t.Errorf("%d <h1>; want 1", n)
		}
		if n := strings.Count(page, "<script"); n != 1 {
			t.Errorf("%d <script>; want the one of the copy buttons", n)
		}
	})

	t.Run("Sections", func(t *testing.T) {
		text := visibleText(page)
		for _, want := range []string{
			"salesmania API reference",
			"Conventions", // a heading of info.description
			"ordered_products[].unit",
			"Bearer token + Team token (query team_token or header X-Team-Token)",
			"None: public",
			"Basic auth",
			"Unprocessable Entity",
			"errors[].field",
			"application/problem+json",
			"422",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		for _, want := range []string{
			`<a href="#tag-customers">Customers</a>`,
			`<div id="problem">`,
			`<section id="errors">`,
			`<a href="/openapi.json">`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %s", want)
			}
		}
	})
}

// checkStructure fails unless every element the page opens is closed in
// order, ids are unique and every in-page link has a target. It is no HTML
// parser, but the page is generated and closes every element it opens.
func checkStructure(t *testing.T, page string) {
	t.Helper()
	void := map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
		"img": true, "input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}
	body := styleOrScriptRE.ReplaceAllStringFunc(page, func(s string) string {
		return s[:strings.Index(s, ">")+1] + s[strings.LastIndex(s, "<"):]
	})
	var stack []string
	for _, m := range tagRE.FindAllStringSubmatch(body, -1) {
		closing, name := m[1] == "/", strings.ToLower(m[2])
		switch {
		case void[name]:
		case !closing:
			stack = append(stack, name)
		case len(stack) == 0 || stack[len(stack)-1] != name:
			t.Fatalf("</%s> closes %v", name, stack[max(0, len(stack)-3):])
		default:
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Fatalf("unclosed elements: %v", stack)
	}
	ids := map[string]bool{}
	for _, m := range idRE.FindAllStringSubmatch(page, -1) {
		if ids[m[1]] {
			t.Errorf("id %q is used twice", m[1])
		}
		ids[m[1]] = true
	}
	for _, m := range hrefRE.FindAllStringSubmatch(page, -1) {
		if !ids[m[1]] {
			t.Errorf("href #%s has no target", m[1])
		}
	}
}

var (
	curlRE = regexp.MustCompile(`(?s)<div class="pane p-curl"><pre class="code copy"><code>(.*?)</code></pre></div>`)
	goRE   = regexp.MustCompile(`(?s)<div class="pane p-go"><pre class="code copy"><code>(.*?)</code></pre></div>`)
	bodyRE = regexp.MustCompile(`(?s) -d '(.*)'$`)
	// curlURLRE finds the path an example calls.
	curlURLRE = regexp.MustCompile(`"\$BASE(/[^"?]*)`)
)

func TestExamples(t *testing.T) {
	page := mustRender(t)
	curls := curlRE.FindAllStringSubmatch(page, -1)
	gos := goRE.FindAllStringSubmatch(page, -1)
	if want := len(documentOperations(t)); len(curls) != want || len(gos) != want {
		t.Fatalf("%d curl and %d Go examples; want %d of each", len(curls), len(gos), want)
	}

	t.Run("Curl", func(t *testing.T) {
		for _, m := range curls {
			cmd := html.UnescapeString(m[1])
			if !strings.HasPrefix(cmd, "curl ") || !strings.Contains(cmd, `"$BASE/`) {
				t.Errorf("curl example does not call $BASE:\n%s", cmd)
			}
			// A path parameter without an example would be filled from its
			// schema, making the call name the visit "string".
			if u := curlURLRE.FindStringSubmatch(cmd); u == nil || strings.Contains(u[1]+"/", "/string/") {
				t.Errorf("curl example calls no real path; give its path parameters examples:\n%s", cmd)
			}
			if strings.Contains(cmd, "$TEAM") && !strings.Contains(cmd, `-H "X-Team-Token: $TEAM"`) {
				t.Errorf("curl example sends the team token other than in its header:\n%s", cmd)
			}
			if b := bodyRE.FindStringSubmatch(cmd); b != nil {
				if !json.Valid([]byte(b[1])) {
					t.Errorf("curl body is not JSON:\n%s", cmd)
				}
				if !strings.Contains(cmd, `-H "Content-Type: application/json"`) {
					t.Errorf("curl sends a body without its type:\n%s", cmd)
				}
			}
		}
		want := `curl -X POST "$BASE/extapi/v1.0/orders" \
  -H "Authorization: Bearer $TOKEN" \
  -H "X-Team-Token: $TEAM" \
  -H "Content-Type: application/json" \
  -d '{
  "date": "2024-01-01",`
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("no curl example starts\n%s", want)
		}
		if !strings.Contains(html.UnescapeString(page), `curl "$BASE/extapi/v1.0/token" \
  -u "$EMAIL:$PASSWORD"`) {
			t.Error("the token example does not use Basic auth")
		}
	})

	// Every Go example is gofmt-formatted and type-checks as the body of a
	// function that has the variables the page promises.
	t.Run("Go", func(t *testing.T) {
		var src strings.Builder
		src.WriteString("package examples\n\nimport (\n\t\"bytes\"\n\t\"context\"\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"io\"\n\t\"net/http\"\n\t\"net/url\"\n)\n\n")
		src.WriteString("var _, _, _, _, _, _ = bytes.NewReader, json.NewDecoder, fmt.Errorf, io.ReadAll, http.NewRequest, url.QueryEscape\n")
		for i, m := range gos {
			code := html.UnescapeString(m[1])
			fmt.Fprintf(&src, "\nfunc example%d(ctx context.Context, baseURL, token, teamToken, email, password string) error {\n%s\n", i, code)
			if strings.Contains(code, "var out ") || strings.Contains(code, "out, err :=") {
				src.WriteString("_ = out\n")
			}
			src.WriteString("return nil\n}\n")

			wrapped := "package p\n\nfunc f() {\n" + indent(code) + "\n}\n"
			formatted, err := format.Source([]byte(wrapped))
			if err != nil {
				t.Errorf("example does not parse: %v\n%s", err, code)
			} else if string(formatted) != wrapped {
				t.Errorf("example is not gofmt-formatted:\n%s\nwant\n%s", wrapped, formatted)
			}
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, "examples.go", src.String(), 0)
		if err != nil {
			t.Fatal(err)
		}
		conf := types.Config{Importer: importer.Default()}
		if _, err := conf.Check("examples", fset, []*ast.File{file}, nil); err != nil {
			t.Errorf("Go examples do not compile: %v", err)
		}
	})
}

// indent indents Go code by one tab, except the lines inside raw strings.
func indent(code string) string {
	var out []string
	inRaw := false
	for line := range strings.SplitSeq(code, "\n") {
		if !inRaw && line != "" {
			line = "\t" + line
		}
		if strings.Count(line, "`")%2 == 1 {
			inRaw = !inRaw
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func TestRenderErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"ErrNotJSON", `{"openapi":`, "apidocs: unexpected EOF"},
		{"ErrNotObject", `["openapi"]`, "apidocs: the document is not a JSON object"},
		{"ErrTrailingData", `{} {}`, "apidocs: data after the JSON document"},
		{"ErrRefUnresolved", `{"paths":{"/x":{"get":{"responses":{"200":{"$ref":"#/components/responses/Nope"}}}}}}`,
			"apidocs: $ref #/components/responses/Nope does not resolve"},
		{"ErrRefNotLocal", `{"paths":{"/x":{"get":{"responses":{"200":{"description":"x","content":{"application/json":{"schema":{"$ref":"other.json#/X"}}}}}}}}}`,
			`apidocs: $ref "other.json#/X" is not local to the document`},
		{"ErrRefLoop", `{"components":{"schemas":{"A":{"$ref":"#/components/schemas/B"},"B":{"$ref":"#/components/schemas/A"}}},"paths":{"/x":{"post":{"requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}},"responses":{}}}}}`,
			"apidocs: $ref chain too long at #/components/schemas/A"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := apidocs.Render([]byte(tc.doc))
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v; want %s", err, tc.want)
			}
		})
	}
}

// hostile is a document whose every text tries to inject markup, with a
// schema that contains itself.
const hostile = `{
  "openapi": "3.0.3",
  "info": {"title": "<script>alert(1)</script>", "version": "1\"><script>alert(1)</script>",
    "description": "# <script>alert(1)</script>\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))\n\n` + "```" + `\"><script>alert(1)</script>\n<script>alert(1)</script>\n` + "```" + `"},
  "tags": [{"name": "<script>alert(1)</script>", "description": "**<script>alert(1)</script>**"}],
  "components": {
    "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-<script>", "description": "<script>alert(1)</script>"}},
    "schemas": {
      "Node": {
        "type": "object",
        "required": ["name"],
        "properties": {
          "name": {"type": "string", "pattern": "</code><script>alert(1)</script>", "enum": ["it's", "<script>alert(1)</script>"],
            "description": "| a | <script>alert(1)</script> |\n|---|---|\n| ` + "`" + `</td>` + "`" + ` | x |"},
          "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
        }
      }
    }
  },
  "security": [{"key": []}],
  "paths": {
    "/x/{id}": {
      "post": {
        "tags": ["<script>alert(1)</script>"],
        "operationId": "\"><script>alert(1)</script>",
        "summary": "<script>alert(1)</script>",
        "description": "<script>alert(1)</script>",
        "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "</script><script>alert(1)</script>",
          "description": "<script>alert(1)</script>"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}},
        "responses": {
          "200": {"description": "<script>alert(1)</script>", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}},
          "400": {"description": "<script>alert(1)</script>", "content": {"application/problem+json": {"schema": {"type": "object"}, "example": {"detail": "</code></pre><script>alert(1)</script>"}}}}
        }
      }
    }
  }
}`

func TestRenderEscapes(t *testing.T) {
	if !json.Valid([]byte(hostile)) {
		t.Fatal("the test document is not JSON")
	}
	out, err := apidocs.Render([]byte(hostile))
	if err != nil {
		t.Fatal(err)
	}
	page := string(out)
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d <script> elements; want only the page's own", n)
	}
	for _, m := range tagRE.FindAllStringSubmatch(page, -1) {
		if m[2] == "img" {
			t.Errorf("the page has an <img>")
		}
		for _, a := range attrRE.FindAllStringSubmatch(m[3], -1) {
			if strings.HasPrefix(strings.ToLower(a[1]), "on") || strings.Contains(a[2], "javascript:") || strings.Contains(a[2], "<") {
				t.Errorf("<%s %s=%q>", m[2], a[1], a[2])
			}
		}
	}
	if strings.Contains(page, "<script>alert") {
		t.Error("the page runs the document's script")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the page does not show the escaped text")
	}
	checkStructure(t, page)
	text := visibleText(page)
	// The recursive schema is listed once, not expanded without end.
	for _, want := range []string{"children", "array of Node object", "POST /x/{id}"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(text, "children[].children") {
		t.Error("the recursive schema is expanded inside itself")
	}
	// A single quote in a curl body is closed, escaped and reopened.
	if !strings.Contains(html.UnescapeString(page), `"name": "it'\''s"`) {
		t.Error("the curl body is not shell-quoted")
	}
}

// FuzzRender checks that no document makes Render panic, and that every
// page it renders is well formed.
func FuzzRender(f *testing.F) {
	f.Add(hostile)
	f.Add(`{}`)
	f.Add(`{"paths":{"/a":{"get":{"responses":{"200":{"description":"x","content":{"text/plain":{}}}}}},"/b":"x"}}`)
	f.Add(`{"paths":{"/a":{"parameters":[1],"post":{"requestBody":{"content":{"application/json":{"schema":{"allOf":[{"$ref":"#/components/schemas/A"},{"type":"object"}]}}}},"callbacks":{"c":{"u":{"post":{}}}}}}},"components":{"schemas":{"A":{"type":"object","properties":{"a":{"type":"array","items":{"$ref":"#/components/schemas/A"}}}}}}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		page, err := apidocs.Render([]byte(doc))
		if err != nil {
			return
		}
		checkStructure(t, string(page))
	})
}
