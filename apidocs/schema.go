package apidocs

import (
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"strings"
)

// maxDepth bounds how deep fields are flattened and examples generated, so
// that a recursive schema ends.
const maxDepth = 8

// resolver follows local $refs ("#/components/schemas/Customer") in the
// document.
type resolver struct {
	root *object
}

// deref returns v as an object with its $ref, if any, followed (several
// times if the target is a $ref too), and the name of the last component
// referred to, or "" when v was not a $ref. Keys written beside a $ref
// (a description, say) take precedence over the target's.
func (r *resolver) deref(v any) (*object, string, error) {
	o, _ := v.(*object)
	name := ""
	for range 32 {
		ref := o.str("$ref")
		if ref == "" {
			return o, name, nil
		}
		target, err := r.pointer(ref)
		if err != nil {
			return nil, "", err
		}
		t, ok := target.(*object)
		if !ok {
			return nil, "", fmt.Errorf("apidocs: $ref %s is not an object", ref)
		}
		name = ref[strings.LastIndex(ref, "/")+1:]
		if len(o.names()) > 1 {
			merged := &object{}
			for _, k := range t.names() {
				merged.set(k, t.vals[k])
			}
			for _, k := range o.names() {
				if k != "$ref" {
					merged.set(k, o.vals[k])
				}
			}
			t = merged
		}
		o = t
	}
	return nil, "", fmt.Errorf("apidocs: $ref chain too long at %s", o.str("$ref"))
}

// pointer resolves a local JSON pointer reference.
func (r *resolver) pointer(ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("apidocs: $ref %q is not local to the document", ref)
	}
	var cur any = r.root
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		o, ok := cur.(*object)
		if !ok || !o.has(tok) {
			return nil, fmt.Errorf("apidocs: $ref %s does not resolve", ref)
		}
		cur = o.get(tok)
	}
	return cur, nil
}

// schema is a resolved schema with the component name it came from.
type schema struct {
	*object
	name string
}

// schemaOf resolves v and merges an allOf into one schema.
func (b *builder) schemaOf(v any) schema {
	o, name, err := b.deref(v)
	if err != nil {
		b.fail(err)
		return schema{object: &object{}}
	}
	if o == nil {
		return schema{object: &object{}}
	}
	if parts := o.arr("allOf"); len(parts) > 0 {
		merged := &object{}
		props := &object{}
		var required []any
		for _, p := range parts {
			ps := b.schemaOf(p)
			if len(parts) == 1 && name == "" {
				// A property that names one component through allOf, to
				// give it a description of its own, is that component.
				name = ps.name
			}
			for _, k := range ps.names() {
				switch k {
				case "properties":
					for _, pk := range ps.obj(k).names() {
						props.set(pk, ps.obj(k).get(pk))
					}
				case "required":
					required = append(required, ps.arr(k)...)
				default:
					merged.set(k, ps.get(k))
				}
			}
		}
		for _, k := range o.names() {
			switch k {
			case "allOf":
			case "properties":
				for _, pk := range o.obj(k).names() {
					props.set(pk, o.obj(k).get(pk))
				}
			case "required":
				required = append(required, o.arr(k)...)
			default:
				merged.set(k, o.get(k))
			}
		}
		if len(props.names()) > 0 {
			merged.set("properties", props)
		}
		if len(required) > 0 {
			merged.set("required", required)
		}
		o = merged
	}
	return schema{object: o, name: name}
}

// typeName describes a schema's type for a reader: "string (date)",
// "integer (int64)", "array of OrderLine", "Location object".
func (b *builder) typeName(s schema, depth int) string {
	if depth > maxDepth {
		return "…"
	}
	if alts := s.arr("oneOf"); len(alts) > 0 {
		return b.alternatives("one of", alts, depth)
	}
	if alts := s.arr("anyOf"); len(alts) > 0 {
		return b.alternatives("any of", alts, depth)
	}
	t := s.str("type")
	switch t {
	case "array":
		items := b.schemaOf(s.get("items"))
		return "array of " + b.typeName(items, depth+1)
	case "object", "":
		if t == "" && !s.has("properties") {
			if s.name != "" {
				return s.name
			}
			return "any"
		}
		if s.name != "" {
			return s.name + " object"
		}
		if ap := s.obj("additionalProperties"); ap != nil && !s.has("properties") {
			return "map of string to " + b.typeName(b.schemaOf(ap), depth+1)
		}
		return "object"
	}
	if f := s.str("format"); f != "" {
		return t + " (" + f + ")"
	}
	return t
}

func (b *builder) alternatives(word string, alts []any, depth int) string {
	var names []string
	for _, a := range alts {
		names = append(names, b.typeName(b.schemaOf(a), depth+1))
	}
	return word + ": " + strings.Join(names, " | ")
}

// constraints lists the rules of a schema a value must keep, as HTML.
func constraints(s schema) []template.HTML {
	var out []template.HTML
	add := func(h string) { out = append(out, template.HTML(h)) }
	code := func(v string) string { return "<code>" + html.EscapeString(v) + "</code>" }
	text := html.EscapeString
	if enum := s.arr("enum"); len(enum) > 0 {
		var vals []string
		for _, v := range enum {
			vals = append(vals, code(encodeJSON(v, false)))
		}
		if len(vals) == 1 {
			add("always " + vals[0])
		} else {
			add("one of " + strings.Join(vals, ", "))
		}
	}
	lo, hasMin := s.num("minimum")
	hi, hasMax := s.num("maximum")
	exMin, exMax := s.flag("exclusiveMinimum"), s.flag("exclusiveMaximum")
	if hasMin && hasMax && !exMin && !exMax {
		add(code(lo.String()) + " … " + code(hi.String()))
	} else {
		if hasMin && exMin {
			add("&gt; " + code(lo.String()))
		} else if hasMin {
			add("≥ " + code(lo.String()))
		}
		if hasMax && exMax {
			add("&lt; " + code(hi.String()))
		} else if hasMax {
			add("≤ " + code(hi.String()))
		}
	}
	if m, ok := s.num("multipleOf"); ok {
		add("multiple of " + code(m.String()))
	}
	rangeOf := func(minKey, maxKey, unit string) {
		lo, hasLo := s.num(minKey)
		hi, hasHi := s.num(maxKey)
		units := func(n json.Number) string {
			if n == "1" {
				return strings.TrimSuffix(unit, "s")
			}
			return unit
		}
		switch {
		case hasLo && hasHi && lo == hi:
			add(text(fmt.Sprintf("exactly %s %s", lo, units(lo))))
		case hasLo && hasHi:
			add(text(fmt.Sprintf("%s … %s %s", lo, hi, units(hi))))
		case hasLo:
			add(text(fmt.Sprintf("at least %s %s", lo, units(lo))))
		case hasHi:
			add(text(fmt.Sprintf("at most %s %s", hi, units(hi))))
		}
	}
	rangeOf("minLength", "maxLength", "characters")
	rangeOf("minItems", "maxItems", "items")
	if n, ok := s.num("maxProperties"); ok && n.String() == "0" {
		add("empty object")
	} else {
		rangeOf("minProperties", "maxProperties", "properties")
	}
	if s.flag("uniqueItems") {
		add("items unique")
	}
	if p := s.str("pattern"); p != "" {
		add("pattern " + code(p))
	}
	if s.has("default") {
		add("default " + code(encodeJSON(s.get("default"), false)))
	}
	if ap, ok := s.get("additionalProperties").(bool); ok && !ap && s.has("properties") {
		add("no other fields")
	}
	return out
}

// field is one row of a fields table: a property of a body, flattened to
// its dotted path.
type field struct {
	Prefix      string // the path up to the field's own name: "ordered_products[]."
	Name        string // the field's own name: "unit"
	Type        string
	Required    bool
	Nullable    bool
	ReadOnly    bool
	WriteOnly   bool
	Deprecated  bool
	Constraints []template.HTML
	Description template.HTML
	Example     string
}

// fields flattens the properties of s into rows, objects and arrays of
// objects followed by their own fields: "ordered_products",
// "ordered_products[].unit". A schema met again inside itself is listed but
// not expanded.
func (b *builder) fields(s schema) []field {
	var out []field
	b.expand(s, "", map[string]bool{}, 0, &out)
	return out
}

func (b *builder) expand(s schema, path string, stack map[string]bool, depth int, out *[]field) {
	if depth > maxDepth || (s.name != "" && stack[s.name]) {
		return
	}
	if s.name != "" {
		stack[s.name] = true
		defer delete(stack, s.name)
	}
	if s.str("type") == "array" {
		items := b.schemaOf(s.get("items"))
		b.expand(items, path+"[]", stack, depth+1, out)
		return
	}
	props := s.obj("properties")
	if props == nil {
		return
	}
	required := map[string]bool{}
	for _, r := range s.arr("required") {
		if name, ok := r.(string); ok {
			required[name] = true
		}
	}
	prefix := path
	if prefix != "" {
		prefix += "."
	}
	for _, name := range props.names() {
		ps := b.schemaOf(props.get(name))
		*out = append(*out, field{
			Prefix:      prefix,
			Name:        name,
			Type:        b.typeName(ps, 0),
			Required:    required[name],
			Nullable:    ps.flag("nullable"),
			ReadOnly:    ps.flag("readOnly"),
			WriteOnly:   ps.flag("writeOnly"),
			Deprecated:  ps.flag("deprecated"),
			Constraints: constraints(ps),
			Description: b.md(ps.str("description")),
			Example:     shortExample(ps.get("example")),
		})
		b.expand(ps, prefix+name, stack, depth+1, out)
	}
}

// shortExample returns v as one line of JSON if it is short enough to show
// in a table, else "".
func shortExample(v any) string {
	if v == nil {
		return ""
	}
	s := encodeJSON(v, false)
	if len(s) > 80 {
		return ""
	}
	return s
}

// example returns an example value for s: its own example when it has
// one, else one built from its fields' examples and types. A minimal
// example (all false) has only the required fields and the fewest items
// allowed; a full one has every field and one item in every array.
func (b *builder) example(s schema, all bool, depth int) any {
	if s.has("example") {
		return s.get("example")
	}
	if depth > maxDepth {
		return nil
	}
	if s.has("default") {
		return s.get("default")
	}
	if enum := s.arr("enum"); len(enum) > 0 {
		return enum[0]
	}
	for _, k := range []string{"oneOf", "anyOf"} {
		if alts := s.arr(k); len(alts) > 0 {
			return b.example(b.schemaOf(alts[0]), all, depth+1)
		}
	}
	switch s.str("type") {
	case "array":
		n := 1
		if m, ok := s.num("minItems"); ok {
			if v, err := m.Int64(); err == nil && v > 1 {
				n = int(min(v, 3))
			}
		} else if !all {
			n = 0
		}
		items := []any{}
		for range n {
			items = append(items, b.example(b.schemaOf(s.get("items")), all, depth+1))
		}
		return items
	case "string":
		return stringExample(s)
	case "integer", "number":
		return numberExample(s)
	case "boolean":
		return true
	}
	props := s.obj("properties")
	if props == nil {
		if s.flag("nullable") {
			return nil
		}
		return &object{}
	}
	required := map[string]bool{}
	for _, r := range s.arr("required") {
		if name, ok := r.(string); ok {
			required[name] = true
		}
	}
	out := &object{}
	for _, name := range props.names() {
		ps := b.schemaOf(props.get(name))
		if ps.flag("readOnly") && !all {
			continue
		}
		if all || required[name] {
			out.set(name, b.example(ps, all, depth+1))
		}
	}
	return out
}

func stringExample(s schema) string {
	switch s.str("format") {
	case "date":
		return "2024-01-01"
	case "date-time":
		return "2024-01-01T00:00:00Z"
	case "email":
		return "user@example.com"
	case "uuid":
		return "00000000-0000-0000-0000-000000000000"
	}
	v := "string"
	if n, ok := s.num("minLength"); ok {
		if m, err := n.Int64(); err == nil {
			for int64(len(v)) < min(m, 200) {
				v += "x"
			}
		}
	}
	if n, ok := s.num("maxLength"); ok {
		if m, err := n.Int64(); err == nil && m < int64(len(v)) {
			v = v[:max(m, 0)]
		}
	}
	return v
}

func numberExample(s schema) json.Number {
	if m, ok := s.num("minimum"); ok {
		if !s.flag("exclusiveMinimum") {
			return m
		}
		if v, err := m.Int64(); err == nil {
			return json.Number(fmt.Sprint(v + 1))
		}
		if v, err := m.Float64(); err == nil {
			return json.Number(fmt.Sprint(v + 1))
		}
	}
	if m, ok := s.num("maximum"); ok {
		if v, err := m.Float64(); err == nil && v < 0 {
			return m
		}
	}
	return "1"
}
