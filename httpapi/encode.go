package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/salesmania/salesmania"
)

// bufPool recycles the buffers answers are written into.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// encode writes v as a JSON body with the given status. Customers, visits,
// orders and products, and pages of them, are written by the encoders of
// jsonappend.go, skipping reflection; everything else by encoding/json.
func encode(w http.ResponseWriter, status int, v any) {
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	switch x := v.(type) {
	case *salesmania.Customer:
		b = appendCustomer(b, x)
	case *salesmania.Visit:
		b = appendVisit(b, x)
	case *salesmania.Order:
		b = appendOrder(b, x)
	case *salesmania.Product:
		b = appendProduct(b, x)
	case *salesmania.Page[salesmania.Customer]:
		b = appendPage(b, x, appendCustomer)
	case *salesmania.Page[salesmania.Visit]:
		b = appendPage(b, x, appendVisit)
	case *salesmania.Page[salesmania.Order]:
		b = appendPage(b, x, appendOrder)
	case *salesmania.Page[salesmania.Product]:
		b = appendPage(b, x, appendProduct)
	}
	if len(b) == 0 {
		m, err := json.Marshal(v)
		if err != nil {
			// Only a programming error gets here: every response type marshals.
			panic(err)
		}
		b = append(b, m...)
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
	if cap(b) <= 1<<20 {
		*bp = b
		bufPool.Put(bp)
	}
}

// decode reads a JSON object body into v. It refuses a body that is not
// application/json (415), over the route's limit (413), not UTF-8, malformed or
// of the wrong JSON type (400), or with a field v does not have, a key given
// twice or a lone surrogate escape in a string (422, see checkJSONText).
func decode(r *http.Request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// decodeFields is decode for bodies where null differs from absent (PATCH):
// it also returns the names of the top-level fields sent as null.
func decodeFields(r *http.Request, v any) (nulls map[string]bool, err error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if err := decodeJSON(body, v); err != nil {
		return nil, err
	}
	return jsonNulls(body), nil
}

// jsonNulls returns the top-level keys of a JSON object whose value is null.
func jsonNulls(body []byte) map[string]bool {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return nil
	}
	var nulls map[string]bool
	for k, v := range fields {
		if string(bytes.TrimSpace(v)) == "null" {
			if nulls == nil {
				nulls = map[string]bool{}
			}
			nulls[k] = true
		}
	}
	return nulls
}

// readBody checks the content type and reads the body within the route's
// limit (limitBody).
func readBody(r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != "application/json" {
		return nil, salesmania.Errorf(salesmania.EUNSUPPORTED, "The body must be sent with Content-Type: application/json.")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return nil, salesmania.Errorf(salesmania.EUNSUPPORTED, "The body must be UTF-8 JSON.")
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, bodyReadError(err)
	}
	return body, nil
}

// tooLarge is the 413 of a body over limit, the route's (see route.MaxBody).
func tooLarge(limit int64) error {
	return salesmania.Errorf(salesmania.ETOOLARGE, "The body is larger than %d bytes.", limit)
}

// decodeJSON is decode without the HTTP parts, for fuzzing. It first reads
// the body as plain JSON and checks its shape against v's type, so that
// every wrong type (400) and every unknown field (422) is reported with its
// full path, such as ordered_products[2].unit, and field names match
// exactly (encoding/json alone would accept "Name" for "name").
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return salesmania.Errorf(salesmania.EBADREQUEST, "The body is empty; a JSON object is required.")
	}
	if err := checkJSONText(body); err != nil {
		return err
	}
	var generic any
	gen := json.NewDecoder(bytes.NewReader(body))
	gen.UseNumber()
	if err := gen.Decode(&generic); err != nil {
		return jsonError(err)
	}
	if _, err := gen.Token(); err != io.EOF {
		return salesmania.Errorf(salesmania.EBADREQUEST, "The body has data after the JSON object.")
	}
	if _, ok := generic.(map[string]any); !ok {
		return salesmania.Errorf(salesmania.EBADREQUEST, "The body must be a JSON object, not %s.", jsonKind(generic))
	}
	types := salesmania.Problems{Code: salesmania.EBADREQUEST}
	var unknown salesmania.Problems
	checkShape(generic, reflect.TypeOf(v).Elem(), "", &types, &unknown)
	if len(types.Fields) > 0 {
		return &salesmania.Error{Code: salesmania.EBADREQUEST, Message: "A field of the body has the wrong JSON type.", Fields: types.Fields}
	}
	if err := unknown.Err(); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return salesmania.Errorf(salesmania.EBADREQUEST, "The body has data after the JSON object.")
	}
	return nil
}

// jsonError turns an encoding/json error into the error vocabulary.
func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return salesmania.Errorf(salesmania.EBADREQUEST, "The body is not valid JSON.")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return salesmania.Errorf(salesmania.EBADREQUEST, "The body must be a JSON object, not %s.", typ.Value)
		}
		return &salesmania.Error{Code: salesmania.EBADREQUEST, Message: "A field of the body has the wrong JSON type.",
			Fields: []salesmania.FieldError{{Field: typ.Field, Message: "must be " + jsonTypeName(typ.Type) + ", not " + typ.Value}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		var p salesmania.Problems
		p.Add(name, "is not a known field")
		return p.Err()
	}
	var se *salesmania.Error
	if errors.As(err, &se) {
		return se
	}
	return salesmania.Errorf(salesmania.EBADREQUEST, "The body could not be decoded: %v", err)
}

var (
	decimalType     = reflect.TypeFor[salesmania.Decimal]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// checkShape compares a value decoded as plain JSON with the Go type it is
// meant for, adding wrong JSON types to types and object keys the type does
// not have (compared exactly) to unknown, each under its dotted path.
func checkShape(val any, t reflect.Type, path string, types, unknown *salesmania.Problems) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if val == nil {
		return // null: whether it is allowed is the domain's to say
	}
	wrong := func() { types.Add(path, "must be "+jsonTypeName(t)+", not "+jsonKind(val)) }
	if t == decimalType {
		if _, ok := val.(json.Number); !ok {
			wrong()
		}
		return
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return
	}
	switch t.Kind() {
	case reflect.String:
		if _, ok := val.(string); !ok {
			wrong()
		}
	case reflect.Bool:
		if _, ok := val.(bool); !ok {
			wrong()
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := val.(json.Number)
		if !ok {
			wrong()
		} else if _, err := strconv.ParseInt(string(n), 10, t.Bits()); err != nil {
			types.Add(path, "must be a whole number that fits in "+strconv.Itoa(t.Bits())+" bits, not "+string(n))
		}
	case reflect.Float32, reflect.Float64:
		if _, ok := val.(json.Number); !ok {
			wrong()
		}
	case reflect.Slice:
		items, ok := val.([]any)
		if !ok {
			wrong()
			return
		}
		for i, item := range items {
			checkShape(item, t.Elem(), path+"["+strconv.Itoa(i)+"]", types, unknown)
		}
	case reflect.Struct:
		obj, ok := val.(map[string]any)
		if !ok {
			wrong()
			return
		}
		fields := jsonFields(t)
		for _, key := range sortedKeys(obj) {
			name := key
			if path != "" {
				name = path + "." + key
			}
			f, ok := fields[key]
			if !ok {
				unknown.Add(name, "is not a known field")
				continue
			}
			checkShape(obj[key], f, name, types, unknown)
		}
	}
}

// jsonFields maps the JSON names of a struct's fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonKind names the JSON type of a plainly decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case []any:
		return "array"
	}
	return "object"
}

func jsonTypeName(t reflect.Type) string {
	if t == reflect.TypeFor[salesmania.Decimal]() {
		return "a number"
	}
	switch t.Kind().String() {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	}
	return "of another type"
}
