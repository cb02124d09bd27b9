package apidocs

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

var goMethods = map[string]string{
	"GET": "http.MethodGet", "PUT": "http.MethodPut", "POST": "http.MethodPost", "PATCH": "http.MethodPatch",
	"DELETE": "http.MethodDelete", "OPTIONS": "http.MethodOptions", "HEAD": "http.MethodHead", "TRACE": "http.MethodTrace",
}

var goStatuses = map[string]string{
	"200": "http.StatusOK", "201": "http.StatusCreated", "202": "http.StatusAccepted", "204": "http.StatusNoContent",
}

// examples returns a curl command and a Go snippet that make a valid call
// of the operation: its path parameters and required query parameters and
// headers filled with their examples, the credentials of its first
// requirement that keeps them out of the URL as placeholders, and a body
// from the document's example or, without one, built from the schema with
// only the required fields.
func (b *builder) examples(o rawOperation, params []*object, security []any) (curl, goCode string) {
	method := strings.ToUpper(o.method)
	path := o.path
	var query []string   // name=value, escaped
	var goQuery []string // Go expressions appended to the URL
	var headers [][2]string
	for _, p := range params {
		name := p.str("name")
		val := b.paramExample(p)
		switch p.str("in") {
		case "path":
			path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(val))
		case "query":
			if p.flag("required") {
				query = append(query, url.QueryEscape(name)+"="+url.QueryEscape(val))
			}
		case "header":
			if p.flag("required") {
				headers = append(headers, [2]string{name, val})
			}
		}
	}

	var curlOpts []string
	var goAuth []string
	curlURL := shellDQ(path)
	goURL := path
	if len(query) > 0 {
		curlURL += "?" + shellDQ(strings.Join(query, "&"))
		goURL += "?" + strings.Join(query, "&")
	}
	sep := func() string {
		if strings.Contains(goURL, "?") || len(goQuery) > 0 {
			return "&"
		}
		return "?"
	}
	for _, s := range b.exampleSecurity(security) {
		switch s.kind {
		case "bearer":
			curlOpts = append(curlOpts, `-H "Authorization: Bearer `+s.shell+`"`)
			goAuth = append(goAuth, `req.Header.Set("Authorization", "Bearer "+`+s.goVar+`)`)
		case "basic":
			curlOpts = append(curlOpts, `-u "`+s.shell+`"`)
			goAuth = append(goAuth, `req.SetBasicAuth(`+s.goVar+`)`)
		case "http":
			curlOpts = append(curlOpts, `-H "Authorization: `+shellDQ(s.scheme)+` `+s.shell+`"`)
			goAuth = append(goAuth, `req.Header.Set("Authorization", `+strconv.Quote(s.scheme+" ")+`+`+s.goVar+`)`)
		case "header":
			curlOpts = append(curlOpts, `-H "`+shellDQ(s.name)+`: `+s.shell+`"`)
			goAuth = append(goAuth, `req.Header.Set(`+strconv.Quote(s.name)+`, `+s.goVar+`)`)
		case "cookie":
			curlOpts = append(curlOpts, `-b "`+shellDQ(s.name)+`=`+s.shell+`"`)
			goAuth = append(goAuth, `req.AddCookie(&http.Cookie{Name: `+strconv.Quote(s.name)+`, Value: `+s.goVar+`})`)
		case "query":
			if strings.Contains(curlURL, "?") {
				curlURL += "&"
			} else {
				curlURL += "?"
			}
			curlURL += shellDQ(url.QueryEscape(s.name)) + "=" + s.shell
			goQuery = append(goQuery, strconv.Quote(sep()+url.QueryEscape(s.name)+"=")+"+url.QueryEscape("+s.goVar+")")
		}
	}
	for _, h := range headers {
		curlOpts = append(curlOpts, `-H "`+shellDQ(h[0]+": "+h[1])+`"`)
		goAuth = append(goAuth, `req.Header.Set(`+strconv.Quote(h[0])+`, `+strconv.Quote(h[1])+`)`)
	}

	var payload, contentType string
	if raw := o.op.get("requestBody"); raw != nil {
		rb, _, err := b.deref(raw)
		if err != nil {
			b.fail(err)
		}
		if ct, m := media(rb.obj("content")); ct != "" {
			s := b.schemaOf(m.get("schema"))
			ex, ok := b.mediaExample(m, s)
			if !ok {
				ex = b.example(s, false, 0)
			}
			contentType, payload = ct, bodyText(ct, ex)
		}
	}
	if contentType != "" {
		curlOpts = append(curlOpts, `-H "Content-Type: `+shellDQ(contentType)+`"`, "-d '"+strings.ReplaceAll(payload, "'", `'\''`)+"'")
	}

	// curl
	var c strings.Builder
	c.WriteString("curl")
	switch method {
	case "GET":
	case "HEAD":
		c.WriteString(" -I")
	default:
		c.WriteString(" -X " + method)
	}
	c.WriteString(` "$BASE` + curlURL + `"`)
	for _, opt := range curlOpts {
		c.WriteString(" \\\n  " + opt)
	}

	// Go
	var g strings.Builder
	urlExpr := "baseURL+" + strconv.Quote(goURL)
	for _, q := range goQuery {
		urlExpr += "+" + q
	}
	bodyExpr := "nil"
	if contentType != "" {
		lit := "`" + payload + "`"
		if strings.Contains(payload, "`") {
			lit = strconv.Quote(payload)
		}
		g.WriteString("body := []byte(" + lit + ")\n")
		bodyExpr = "bytes.NewReader(body)"
	}
	goMethod := goMethods[method]
	if goMethod == "" {
		goMethod = strconv.Quote(method)
	}
	g.WriteString("req, err := http.NewRequestWithContext(ctx, " + goMethod + ", " + urlExpr + ", " + bodyExpr + ")\n")
	g.WriteString("if err != nil {\n\treturn err\n}\n")
	for _, line := range goAuth {
		g.WriteString(line + "\n")
	}
	if contentType != "" {
		g.WriteString(`req.Header.Set("Content-Type", ` + strconv.Quote(contentType) + ")\n")
	}
	g.WriteString("resp, err := http.DefaultClient.Do(req)\nif err != nil {\n\treturn err\n}\ndefer resp.Body.Close()\n")

	status, successType := b.successOf(o.op.obj("responses"))
	statusExpr := goStatuses[status]
	if statusExpr == "" {
		statusExpr = status
		if _, err := strconv.Atoi(status); err != nil {
			statusExpr = "http.StatusOK"
		}
	}
	g.WriteString("if resp.StatusCode != " + statusExpr + " {\n")
	if b.problem.object != nil && b.problem.obj("properties").has("detail") {
		g.WriteString("\t// The body is a problem (see Errors).\n\tvar problem struct {\n\t\tDetail string\n")
		if b.problem.obj("properties").has("errors") {
			g.WriteString("\t\tErrors []struct{ Field, Message string }\n")
		}
		g.WriteString("\t}\n\tjson.NewDecoder(resp.Body).Decode(&problem)\n")
		if b.problem.obj("properties").has("errors") {
			g.WriteString("\treturn fmt.Errorf(\"%s: %s %v\", resp.Status, problem.Detail, problem.Errors)\n")
		} else {
			g.WriteString("\treturn fmt.Errorf(\"%s: %s\", resp.Status, problem.Detail)\n")
		}
	} else {
		g.WriteString("\treturn fmt.Errorf(\"unexpected status %s\", resp.Status)\n")
	}
	g.WriteString("}\n")
	switch {
	case strings.Contains(successType, "json"):
		g.WriteString("var out map[string]any\nif err := json.NewDecoder(resp.Body).Decode(&out); err != nil {\n\treturn err\n}")
	case successType != "":
		g.WriteString("out, err := io.ReadAll(resp.Body)\nif err != nil {\n\treturn err\n}")
	}
	return c.String(), strings.TrimSuffix(g.String(), "\n")
}

// successOf returns the first success status of responses and the media
// type of its body ("" when it has none).
func (b *builder) successOf(responses *object) (status, contentType string) {
	for _, s := range sortedStatuses(responses) {
		if n := statusOrder(s); n < 200 || n >= 300 {
			continue
		}
		r, _, err := b.deref(responses.get(s))
		if err != nil {
			b.fail(err)
			return s, ""
		}
		ct, _ := media(r.obj("content"))
		return s, ct
	}
	return "200", ""
}

// paramExample returns an example value of a parameter as it is written in
// a URL or header.
func (b *builder) paramExample(p *object) string {
	s := b.schemaOf(p.get("schema"))
	var v any
	switch {
	case p.has("example"):
		v = p.get("example")
	default:
		v = b.example(s, false, 0)
	}
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return ""
	}
	return encodeJSON(v, false)
}

// shellDQ escapes s for use inside double quotes in a POSIX shell.
func shellDQ(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`")
	return r.Replace(s)
}
