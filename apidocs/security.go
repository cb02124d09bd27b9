package apidocs

import (
	"html/template"
	"slices"
	"strings"
	"unicode"
)

// schemeView is a security scheme of the document, with the placeholders
// the examples use for its credentials.
type schemeView struct {
	Key         string
	Label       string
	How         template.HTML // how a request carries it
	Description template.HTML
	kind        string // bearer, basic, http, header, query, cookie or token
	name        string // the header, query parameter or cookie of an apiKey
	scheme      string // the HTTP authentication scheme of kind http
	shell       string // the shell variable of the credential: "$TOKEN"
	goVar       string // the Go variable of the credential: "token"
}

// placeholder is a variable the examples use.
type placeholder struct {
	Shell   string
	Go      string
	Meaning template.HTML
}

func (b *builder) loadSchemes() {
	b.schemes = map[string]*schemeView{}
	defs := b.root.obj("components").obj("securitySchemes")
	if defs == nil {
		return
	}
	for _, key := range defs.names() {
		s, _, err := b.deref(defs.get(key))
		if err != nil {
			b.fail(err)
			continue
		}
		v := &schemeView{Key: key, Description: b.md(s.str("description"))}
		code := func(c string) string { return "<code>" + esc(c) + "</code>" }
		switch t := s.str("type"); {
		case t == "http" && strings.EqualFold(s.str("scheme"), "bearer"):
			v.kind, v.Label, v.shell, v.goVar = "bearer", "Bearer token", "$TOKEN", "token"
			v.How = template.HTML("header " + code("Authorization: Bearer <token>"))
		case t == "http" && strings.EqualFold(s.str("scheme"), "basic"):
			v.kind, v.Label, v.shell, v.goVar = "basic", "Basic auth", "$EMAIL:$PASSWORD", "email, password"
			v.How = template.HTML("header " + code("Authorization: Basic base64(<user>:<password>)"))
		case t == "http":
			v.kind, v.scheme, v.Label, v.shell, v.goVar = "http", s.str("scheme"), s.str("scheme")+" auth", "$TOKEN", "token"
			v.How = template.HTML("header " + code("Authorization: "+s.str("scheme")+" <credentials>"))
		case t == "apiKey":
			v.kind, v.name = s.str("in"), s.str("name")
			v.Label = humanize(v.name)
			v.shell, v.goVar = "$"+shellName(v.name), goName(v.name)
			switch v.kind {
			case "query":
				v.How = template.HTML("query parameter " + code(v.name+"=<value>"))
			case "cookie":
				v.How = template.HTML("cookie " + code(v.name))
			default:
				v.kind = "header"
				v.How = template.HTML("header " + code(v.name+": <value>"))
			}
		default: // oauth2, openIdConnect: a bearer token in the end
			v.kind, v.Label, v.shell, v.goVar = "bearer", key+" ("+t+")", "$TOKEN", "token"
			v.How = template.HTML("header " + code("Authorization: Bearer <token>"))
		}
		b.schemes[key] = v
	}
}

func (b *builder) schemeKeys() []string {
	keys := make([]string, 0, len(b.schemes))
	for k := range b.schemes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// placeholders lists the variables of the examples: the server's address
// and one per credential, in the order of the schemes.
func (b *builder) placeholders() []placeholder {
	out := []placeholder{{Shell: "$BASE", Go: "baseURL", Meaning: template.HTML("The server's address, such as <code>http://127.0.0.1:8080</code>.")}}
	seen := map[string]bool{}
	for _, key := range b.schemeKeys() {
		s := b.schemes[key]
		if seen[s.shell] {
			continue
		}
		seen[s.shell] = true
		if s.kind == "basic" {
			out = append(out,
				placeholder{Shell: "$EMAIL", Go: "email", Meaning: template.HTML("The user name (email) for " + esc(s.Label) + ".")},
				placeholder{Shell: "$PASSWORD", Go: "password", Meaning: template.HTML("The password for " + esc(s.Label) + ".")})
			continue
		}
		out = append(out, placeholder{Shell: s.shell, Go: s.goVar, Meaning: template.HTML("The " + esc(lowerFirst(s.Label)) + ".")})
	}
	return out
}

// authText describes the credentials an operation needs. Alternatives
// that differ only in where a credential goes (a team token as a query
// parameter or as a header) are shown as one.
func (b *builder) authText(security []any) template.HTML {
	type part struct {
		label string
		ways  []string
	}
	type group struct {
		key   string
		parts []part
	}
	var groups []*group
	optional := false
	for _, raw := range security {
		req, _ := raw.(*object)
		if req == nil || len(req.names()) == 0 {
			optional = true
			continue
		}
		var labels []string
		var parts []part
		for _, key := range req.names() {
			s := b.schemes[key]
			if s == nil {
				labels = append(labels, key)
				parts = append(parts, part{label: key})
				continue
			}
			p := part{label: s.Label}
			if s.kind == "header" || s.kind == "query" || s.kind == "cookie" {
				p.ways = []string{s.kind + " <code>" + esc(s.name) + "</code>"}
			}
			labels = append(labels, s.Label)
			parts = append(parts, p)
		}
		key := strings.Join(labels, "\x00")
		var g *group
		for _, have := range groups {
			if have.key == key {
				g = have
			}
		}
		if g == nil {
			groups = append(groups, &group{key: key, parts: parts})
			continue
		}
		for i, p := range parts {
			for _, w := range p.ways {
				if !slices.Contains(g.parts[i].ways, w) {
					g.parts[i].ways = append(g.parts[i].ways, w)
				}
			}
		}
	}
	if len(groups) == 0 {
		return template.HTML("None: public")
	}
	var alts []string
	for _, g := range groups {
		var ps []string
		for _, p := range g.parts {
			h := `<span class="cred">` + esc(p.label) + "</span>"
			if len(p.ways) > 0 {
				h += " (" + strings.Join(p.ways, " or ") + ")"
			}
			ps = append(ps, h)
		}
		alts = append(alts, strings.Join(ps, " + "))
	}
	h := strings.Join(alts, " <em>or</em> ")
	if optional {
		h += " (optional)"
	}
	return template.HTML(h)
}

// exampleSecurity picks the requirement the examples show: the first that
// sends no credential in the URL, else the first.
func (b *builder) exampleSecurity(security []any) []*schemeView {
	var best []*schemeView
	bestScore := 3
	for _, raw := range security {
		req, _ := raw.(*object)
		score := 0
		var schemes []*schemeView
		for _, key := range req.names() {
			s := b.schemes[key]
			if s == nil {
				continue
			}
			if s.kind == "query" {
				score = 1
			}
			schemes = append(schemes, s)
		}
		if len(schemes) == 0 {
			score = 2
		}
		if score < bestScore {
			best, bestScore = schemes, score
		}
	}
	return best
}

// trimName drops the parts of a credential's name that say nothing:
// "X-Team-Token" and "team_token" are both "team".
func trimName(name string) []string {
	words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > 1 && strings.EqualFold(words[0], "x") {
		words = words[1:]
	}
	if len(words) > 1 && strings.EqualFold(words[len(words)-1], "token") {
		words = words[:len(words)-1]
	}
	return words
}

// humanize names a credential for a reader: "X-Team-Token" is "Team token".
func humanize(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > 1 && strings.EqualFold(words[0], "x") {
		words = words[1:]
	}
	if len(words) == 0 {
		return name
	}
	s := strings.ToLower(strings.Join(words, " "))
	return strings.ToUpper(s[:1]) + s[1:]
}

// shellName is the shell variable of a credential: "X-Team-Token" is TEAM.
func shellName(name string) string {
	words := trimName(name)
	if len(words) == 0 {
		return "KEY"
	}
	return strings.ToUpper(strings.Join(words, "_"))
}

// goName is the Go variable of a credential: "X-Team-Token" is teamToken.
func goName(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > 1 && strings.EqualFold(words[0], "x") {
		words = words[1:]
	}
	var b strings.Builder
	for i, w := range words {
		w = strings.ToLower(w)
		if i > 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
	}
	if b.Len() == 0 || !unicode.IsLetter(rune(b.String()[0])) {
		return "key"
	}
	return b.String()
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
