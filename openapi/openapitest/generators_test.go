package openapitest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/salesmania/salesmania/openapi"
)

// generatorProblems checks the rules that make the joined document serve
// client generators (oapi-codegen, openapi-typescript, …) and linters
// (Redocly, Spectral) well, over every path, part and component, so that a
// part added later is held to them too:
//
//   - info has a contact and a license with a URL;
//   - every number and integer schema has a format (float/double,
//     int32/int64), so no generator picks float32 or a platform int;
//   - no enum is written inline twice, nor inline where a component schema
//     has the same values: shared enums are components, used by $ref (one
//     generated type, not several that collide);
//   - a nullable schema says its type (nullable alone is ignored by
//     OpenAPI 3.0 tools);
//   - an amount mapped to the exact salesmania.Decimal (x-go-type) is a
//     number of format double with maximum and multipleOf, so its size and
//     places are stated as schema;
//   - every operation, callbacks included, documents a 4XX answer;
//   - every operation that takes the team token (security teamToken or
//     teamTokenHeader) also declares it as the explicit parameters
//     TeamTokenQuery and TeamTokenHeader, which generated clients expose.
//
// It returns one line per problem, sorted.
func generatorProblems(doc []byte) []string {
	var root map[string]any
	if err := json.Unmarshal(doc, &root); err != nil {
		return []string{"document: " + err.Error()}
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	info, _ := root["info"].(map[string]any)
	if c, _ := info["contact"].(map[string]any); c["name"] == nil && c["url"] == nil && c["email"] == nil {
		add("info: no contact")
	}
	if l, _ := info["license"].(map[string]any); l["name"] == nil || l["url"] == nil {
		add("info: no license with name and url")
	}

	// Every object of the document but examples, with its JSON pointer.
	type node struct {
		path string
		obj  map[string]any
	}
	var nodes []node
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			nodes = append(nodes, node{path, v})
			for k, x := range v {
				if k == "example" || k == "examples" || k == "default" || strings.HasPrefix(k, "x-") {
					continue
				}
				walk(path+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), x)
			}
		case []any:
			for i, x := range v {
				if path == "#/paths" || strings.HasSuffix(path, "/enum") {
					continue
				}
				walk(fmt.Sprintf("%s/%d", path, i), x)
			}
		}
	}
	walk("#", root)

	schemaTypes := []string{"number", "integer", "string", "boolean", "object", "array"}
	named := map[string]string{} // enum values → component name
	inline := map[string][]string{}
	componentSchema := regexp.MustCompile(`^#/components/schemas/[^/]+$`)
	for _, n := range nodes {
		t, _ := n.obj["type"].(string)
		isSchema := slices.Contains(schemaTypes, t) && n.obj["in"] == nil
		switch {
		case isSchema && t == "number" && n.obj["format"] != "double" && n.obj["format"] != "float":
			add("%s: number without format double or float", n.path)
		case isSchema && t == "integer" && n.obj["format"] != "int32" && n.obj["format"] != "int64":
			add("%s: integer without format int32 or int64", n.path)
		}
		if n.obj["nullable"] == true && t == "" {
			add("%s: nullable without type", n.path)
		}
		if n.obj["x-go-type"] == "salesmania.Decimal" &&
			(t != "number" || n.obj["format"] != "double" || n.obj["maximum"] == nil || n.obj["multipleOf"] == nil) {
			add("%s: an amount (x-go-type salesmania.Decimal) must be a number of format double with maximum and multipleOf", n.path)
		}
		if values, ok := n.obj["enum"].([]any); ok {
			b, _ := json.Marshal(sortedValues(values))
			if componentSchema.MatchString(n.path) {
				named[string(b)] = n.path
			} else {
				inline[string(b)] = append(inline[string(b)], n.path)
			}
		}
	}
	for values, paths := range inline {
		switch {
		case named[values] != "":
			for _, p := range paths {
				add("%s: enum %s written inline; use $ref %s", p, values, named[values])
			}
		case len(paths) > 1:
			slices.Sort(paths)
			add("enum %s written inline %d times (%s): make it a component schema and $ref it", values, len(paths), strings.Join(paths, ", "))
		}
	}

	operationKey := regexp.MustCompile(`^(get|put|post|patch|delete|head|options|trace)$`)
	clientError := regexp.MustCompile(`^4([0-9][0-9]|XX)$`)
	paramRef := func(name string) string { return "#/components/parameters/" + name }
	for _, n := range nodes {
		last := n.path[strings.LastIndex(n.path, "/")+1:]
		responses, ok := n.obj["responses"].(map[string]any)
		if !operationKey.MatchString(last) || !ok {
			continue
		}
		has4xx := false
		for code := range responses {
			has4xx = has4xx || clientError.MatchString(code)
		}
		if !has4xx {
			add("%s: no 4XX response", n.path)
		}
		team := false
		security, _ := n.obj["security"].([]any)
		for _, req := range security {
			r, _ := req.(map[string]any)
			team = team || r["teamToken"] != nil || r["teamTokenHeader"] != nil
		}
		if !team {
			continue
		}
		refs := map[string]bool{}
		params, _ := n.obj["parameters"].([]any)
		for _, p := range params {
			if p, ok := p.(map[string]any); ok {
				if ref, ok := p["$ref"].(string); ok {
					refs[ref] = true
				}
			}
		}
		for _, name := range []string{"TeamTokenQuery", "TeamTokenHeader"} {
			if !refs[paramRef(name)] {
				add("%s: takes the team token but has no parameter $ref %s", n.path, paramRef(name))
			}
		}
	}
	components, _ := root["components"].(map[string]any)
	parameters, _ := components["parameters"].(map[string]any)
	schemes, _ := components["securitySchemes"].(map[string]any)
	for param, scheme := range map[string]string{"TeamTokenQuery": "teamToken", "TeamTokenHeader": "teamTokenHeader"} {
		p, _ := parameters[param].(map[string]any)
		s, _ := schemes[scheme].(map[string]any)
		if p == nil || s == nil || p["in"] != s["in"] || p["name"] != s["name"] || p["required"] == true {
			add("components.parameters.%s: want an optional parameter in the place of security scheme %s", param, scheme)
		}
	}
	slices.Sort(problems)
	return problems
}

// sortedValues returns the values of an enum in a canonical order, so that
// the same set written in another order is the same enum.
func sortedValues(values []any) []any {
	out := slices.Clone(values)
	slices.SortFunc(out, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return out
}

func TestDocumentForGenerators(t *testing.T) {
	for _, p := range generatorProblems(openapi.Document()) {
		t.Error(p)
	}
}

// TestGeneratorRules shows that each rule finds what it is for, on a small
// document that breaks every one of them.
func TestGeneratorRules(t *testing.T) {
	bad := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},
	"paths":{"/a":{"get":{"security":[{"bearerAuth":[],"teamToken":[]}],
		"parameters":[{"name":"n","in":"query","schema":{"type":"integer"}}],
		"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/A"}}}}},
		"callbacks":{"c":{"{$url}":{"post":{"responses":{"2XX":{"description":"ok"}}}}}}}}},
	"components":{
		"parameters":{"TeamTokenQuery":{"name":"team_token","in":"header"}},
		"securitySchemes":{"teamToken":{"type":"apiKey","in":"query","name":"team_token"},
			"teamTokenHeader":{"type":"apiKey","in":"header","name":"X-Team-Token"}},
		"schemas":{
		"Status":{"type":"string","enum":["a","b"]},
		"A":{"type":"object","example":{"type":"number"},"properties":{
			"price":{"type":"number","x-go-type":"salesmania.Decimal"},
			"s1":{"type":"string","enum":["b","a"]},
			"k1":{"type":"string","enum":["x","y"]},
			"k2":{"type":"string","enum":["y","x"]},
			"loc":{"nullable":true,"allOf":[{"$ref":"#/components/schemas/Status"}]}}}}}}`
	want := []string{
		"#/components/schemas/A/properties/loc: nullable without type",
		"#/components/schemas/A/properties/price: an amount (x-go-type salesmania.Decimal) must be a number of format double with maximum and multipleOf",
		"#/components/schemas/A/properties/price: number without format double or float",
		`#/components/schemas/A/properties/s1: enum ["a","b"] written inline; use $ref #/components/schemas/Status`,
		"#/paths/~1a/get/callbacks/c/{$url}/post: no 4XX response",
		"#/paths/~1a/get/parameters/0/schema: integer without format int32 or int64",
		"#/paths/~1a/get: no 4XX response",
		"#/paths/~1a/get: takes the team token but has no parameter $ref #/components/parameters/TeamTokenHeader",
		"#/paths/~1a/get: takes the team token but has no parameter $ref #/components/parameters/TeamTokenQuery",
		"components.parameters.TeamTokenHeader: want an optional parameter in the place of security scheme teamTokenHeader",
		"components.parameters.TeamTokenQuery: want an optional parameter in the place of security scheme teamToken",
		`enum ["x","y"] written inline 2 times (#/components/schemas/A/properties/k1, #/components/schemas/A/properties/k2): make it a component schema and $ref it`,
		"info: no contact",
		"info: no license with name and url",
	}
	if got := generatorProblems([]byte(bad)); !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
