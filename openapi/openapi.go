// Package openapi holds the OpenAPI 3.0 document of the salesmania HTTP API:
// the contract of API.md written down precisely, field by field. The server
// serves it at GET /openapi.json, and the tests check every request and
// response they make against it (see package openapitest), so the document
// and the server cannot drift apart.
//
// The document is kept in pieces: openapi.json holds the frame (info,
// security, shared schemas, the authentication and operations endpoints), and
// each file of parts/ adds one resource's paths, components and tags. The
// pieces are joined once, on first use. The package imports no
// OpenAPI library, so the server binary does not depend on one.
package openapi

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
)

//go:embed openapi.json
var base []byte

//go:embed parts
var parts embed.FS

// Document returns the OpenAPI 3.0.3 document as JSON, ready to serve as
// is. The pieces are joined on the first call (not when the package loads,
// which would add 9 ms to every process start). Callers must not modify it.
var Document = sync.OnceValue(mustJoin)

// piece is the part of a document a file may add to.
type piece struct {
	Paths      map[string]json.RawMessage            `json:"paths"`
	Components map[string]map[string]json.RawMessage `json:"components"`
	Tags       []json.RawMessage                     `json:"tags"`
	// Aliases maps a path to the path of the piece it is served beside
	// with the same operations (the v1.0 aliases of the v1.1 visit
	// routes): the joined document gets a copy whose operation ids end in
	// V10 and whose descriptions say which operation they alias.
	Aliases map[string]string `json:"x-aliases"`
}

func mustJoin() []byte {
	doc, err := join()
	if err != nil {
		panic(err)
	}
	return doc
}

// join adds every file of parts/, in name order, to the frame. A path or
// component defined twice is an error: pieces add, never override.
func join() ([]byte, error) {
	var frame map[string]json.RawMessage
	if err := json.Unmarshal(base, &frame); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	var all piece
	if err := json.Unmarshal(base, &all); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	names, err := fs.Glob(parts, "parts/*.json")
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	for _, name := range names {
		b, err := parts.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var p piece
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for path, item := range p.Paths {
			if _, dup := all.Paths[path]; dup {
				return nil, fmt.Errorf("%s: path %s is defined twice", name, path)
			}
			all.Paths[path] = item
		}
		for kind, defs := range p.Components {
			if all.Components[kind] == nil {
				all.Components[kind] = map[string]json.RawMessage{}
			}
			for n, def := range defs {
				if _, dup := all.Components[kind][n]; dup {
					return nil, fmt.Errorf("%s: components.%s.%s is defined twice", name, kind, n)
				}
				all.Components[kind][n] = def
			}
		}
		all.Tags = append(all.Tags, p.Tags...)
		for alias, of := range p.Aliases {
			item, ok := p.Paths[of]
			if !ok {
				return nil, fmt.Errorf("%s: x-aliases: %s is an alias of %s, which the file does not define", name, alias, of)
			}
			if _, dup := all.Paths[alias]; dup {
				return nil, fmt.Errorf("%s: path %s is defined twice", name, alias)
			}
			copied, err := aliasPathItem(item, of)
			if err != nil {
				return nil, fmt.Errorf("%s: x-aliases: %w", name, err)
			}
			all.Paths[alias] = copied
		}
	}
	var out bytes.Buffer
	out.WriteString("{")
	first := true
	field := func(key string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if !first {
			out.WriteString(",")
		}
		first = false
		k, _ := json.Marshal(key)
		out.Write(k)
		out.WriteString(":")
		out.Write(b)
		return nil
	}
	for _, key := range []string{"openapi", "info", "servers", "security", "tags", "paths", "components"} {
		var v any
		switch key {
		case "tags":
			v = all.Tags
		case "paths":
			v = all.Paths
		case "components":
			v = all.Components
		default:
			raw, ok := frame[key]
			if !ok {
				continue
			}
			v = raw
		}
		if err := field(key, v); err != nil {
			return nil, err
		}
	}
	out.WriteString("}")
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	pretty.WriteString("\n")
	return pretty.Bytes(), nil
}

// aliasPathItem copies a path item for an alias path: each operation's id
// gets the suffix V10 and its description a first paragraph naming the
// operation it aliases.
func aliasPathItem(item json.RawMessage, of string) (json.RawMessage, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(item, &members); err != nil {
		return nil, err
	}
	for method, raw := range members {
		if !slices.Contains([]string{"get", "put", "post", "delete", "patch"}, method) {
			continue // parameters, summary: kept as they are
		}
		var op map[string]any
		if err := json.Unmarshal(raw, &op); err != nil {
			return nil, err
		}
		id, _ := op["operationId"].(string)
		if id == "" {
			return nil, fmt.Errorf("%s %s has no operationId", method, of)
		}
		op["operationId"] = id + "V10"
		if summary, ok := op["summary"].(string); ok {
			op["summary"] = summary + " (v1.0 alias)"
		}
		desc, _ := op["description"].(string)
		op["description"] = "**[ours]** The same operation as `" + strings.ToUpper(method) + " " + of + "` (operation `" + id +
			"`), served under `/extapi/v1.0` too for clients that keep one base path: same parameters, body, answers and rules.\n\n" + desc
		b, err := json.Marshal(op)
		if err != nil {
			return nil, err
		}
		members[method] = b
	}
	return json.Marshal(members)
}
