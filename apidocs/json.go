package apidocs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// object is a JSON object that keeps its keys in the order they were
// written. The document's authors list a schema's fields, a path's methods
// and a description's examples in an order meant for readers, and a Go map
// would lose it; everything else about it is a plain generic map.
type object struct {
	keys []string
	vals map[string]any
}

// names returns the object's keys in order; none for a nil object, so
// that a missing part of the document reads as an empty one.
func (o *object) names() []string {
	if o == nil {
		return nil
	}
	return o.keys
}

// get returns the value of key, or nil.
func (o *object) get(key string) any {
	if o == nil {
		return nil
	}
	return o.vals[key]
}

// has reports whether the object has key.
func (o *object) has(key string) bool {
	if o == nil {
		return false
	}
	_, ok := o.vals[key]
	return ok
}

// str returns the string value of key, or "".
func (o *object) str(key string) string {
	s, _ := o.get(key).(string)
	return s
}

// obj returns the object value of key, or nil.
func (o *object) obj(key string) *object {
	v, _ := o.get(key).(*object)
	return v
}

// arr returns the array value of key, or nil.
func (o *object) arr(key string) []any {
	v, _ := o.get(key).([]any)
	return v
}

// flag returns the boolean value of key, or false.
func (o *object) flag(key string) bool {
	v, _ := o.get(key).(bool)
	return v
}

// num returns the number value of key as written in the document.
func (o *object) num(key string) (json.Number, bool) {
	v, ok := o.get(key).(json.Number)
	return v, ok
}

// set adds or replaces key; a new key goes last.
func (o *object) set(key string, v any) {
	if o.vals == nil {
		o.vals = map[string]any{}
	}
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
}

// decodeJSON decodes one JSON value into *object, []any, string,
// json.Number, bool or nil.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the JSON document")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &object{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, ok := kt.(string)
				if !ok {
					return nil, fmt.Errorf("object key %v is not a string", kt)
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.set(key, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return a, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

// encodeJSON writes v as JSON, keeping the key order of objects, indented
// by two spaces when indent is true and on one line otherwise. Strings keep
// <, > and & as they are: the result is shown as text, never run as script.
func encodeJSON(v any, indent bool) string {
	var b strings.Builder
	writeJSON(&b, v, indent, "")
	return b.String()
}

func writeJSON(b *strings.Builder, v any, indent bool, prefix string) {
	newline := func(p string) {
		if indent {
			b.WriteString("\n")
			b.WriteString(p)
		}
	}
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case json.Number:
		b.WriteString(t.String())
	case string:
		b.WriteString(quoteJSON(t))
	case []any:
		if len(t) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[")
		for i, e := range t {
			if i > 0 {
				b.WriteString(",")
			}
			newline(prefix + "  ")
			writeJSON(b, e, indent, prefix+"  ")
		}
		newline(prefix)
		b.WriteString("]")
	case *object:
		if len(t.keys) == 0 {
			b.WriteString("{}")
			return
		}
		b.WriteString("{")
		for i, k := range t.keys {
			if i > 0 {
				b.WriteString(",")
			}
			newline(prefix + "  ")
			b.WriteString(quoteJSON(k))
			b.WriteString(":")
			if indent {
				b.WriteString(" ")
			}
			writeJSON(b, t.vals[k], indent, prefix+"  ")
		}
		newline(prefix)
		b.WriteString("}")
	default:
		// Values built by this package only; anything else is a bug, shown
		// rather than hidden.
		fmt.Fprintf(b, "%q", fmt.Sprint(t))
	}
}

func quoteJSON(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(buf.String(), "\n")
}
