package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/salesmania/salesmania"
)

// encode writes v as a JSON body with the given status.
func encode(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only a programming error gets here: every response type marshals.
		panic(err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)+1))
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// decode reads a JSON object body into v. It refuses a body that is not
// application/json (415), over MaxBodyBytes (413), malformed or of the wrong
// JSON type (400), or with a field v does not have (422).
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

// readBody checks the content type and reads the body within MaxBodyBytes.
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
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge()
		}
		return nil, salesmania.Errorf(salesmania.EBADREQUEST, "The body could not be read.")
	}
	return body, nil
}

func tooLarge() error {
	return salesmania.Errorf(salesmania.ETOOLARGE, "The body is larger than %d bytes.", MaxBodyBytes)
}

// decodeJSON is decode without the HTTP parts, for fuzzing.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return salesmania.Errorf(salesmania.EBADREQUEST, "The body is empty; a JSON object is required.")
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
