package httpapi

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
)

type sample struct {
	Name     string   `json:"name"`
	Count    int      `json:"count"`
	Tags     []string `json:"tags"`
	Location *struct {
		Lat float64 `json:"lat"`
	} `json:"location"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		body        string
		code        string
		fields      []string
	}{
		{"OK", "application/json", `{"name":"Toko","count":2}`, "", nil},
		{"OK/Charset", "application/json; charset=utf-8", `{"name":"Toko"}`, "", nil},
		{"ErrContentTypeMissing", "", `{"name":"Toko"}`, salesmania.EUNSUPPORTED, nil},
		{"ErrContentTypeText", "text/plain", `{"name":"Toko"}`, salesmania.EUNSUPPORTED, nil},
		{"ErrCharset", "application/json; charset=latin1", `{"name":"Toko"}`, salesmania.EUNSUPPORTED, nil},
		{"ErrEmpty", "application/json", ``, salesmania.EBADREQUEST, nil},
		{"ErrMalformed", "application/json", `{"name":`, salesmania.EBADREQUEST, nil},
		{"ErrSyntax", "application/json", `{name:1}`, salesmania.EBADREQUEST, nil},
		{"ErrArray", "application/json", `[1,2]`, salesmania.EBADREQUEST, nil},
		{"ErrString", "application/json", `"x"`, salesmania.EBADREQUEST, nil},
		{"ErrTrailing", "application/json", `{"name":"a"} {"name":"b"}`, salesmania.EBADREQUEST, nil},
		{"ErrWrongType", "application/json", `{"count":"two"}`, salesmania.EBADREQUEST, []string{"count"}},
		{"ErrWrongNestedType", "application/json", `{"location":{"lat":"x"}}`, salesmania.EBADREQUEST, []string{"location.lat"}},
		{"ErrUnknownField", "application/json", `{"name":"a","nmae":"b"}`, salesmania.EINVALID, []string{"nmae"}},
		{"ErrUnknownNestedField", "application/json", `{"location":{"lat":1,"lng":2}}`, salesmania.EINVALID, []string{"location.lng"}},
		{"ErrFieldNameCase", "application/json", `{"Name":"a"}`, salesmania.EINVALID, []string{"Name"}},
		{"ErrNull", "application/json", `null`, salesmania.EBADREQUEST, nil},
		{"ErrWrongTypeInArray", "application/json", `{"tags":["a",1]}`, salesmania.EBADREQUEST, []string{"tags[1]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			var v sample
			err := decode(r, &v)
			if got := salesmania.ErrorCode(err); got != tt.code {
				t.Fatalf("decode error = %v (code %q); want code %q", err, got, tt.code)
			}
			if tt.fields != nil {
				var got []string
				for _, f := range err.(*salesmania.Error).Fields {
					got = append(got, f.Field)
				}
				if !slices.Equal(got, tt.fields) {
					t.Fatalf("fields = %v; want %v", got, tt.fields)
				}
			}
		})
	}
	t.Run("ErrTooLarge", func(t *testing.T) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/", bytes.NewReader(append([]byte(`{"name":"`), bytes.Repeat([]byte("a"), MaxBodyBytes)...)))
		r.Header.Set("Content-Type", "application/json")
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		var v sample
		if err := decode(r, &v); salesmania.ErrorCode(err) != salesmania.ETOOLARGE {
			t.Fatalf("decode error = %v; want ETOOLARGE", err)
		}
	})
}

// FuzzDecodeJSON checks that no body makes the decoder panic or give an
// error outside the vocabulary of bad input.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"Toko","count":2,"tags":["a"],"location":{"lat":1.5}}`, `[]`, `{"count":1e400}`, `{"x":1}`, ``, `nul`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v sample
		err := decodeJSON(body, &v)
		switch salesmania.ErrorCode(err) {
		case "", salesmania.EBADREQUEST, salesmania.EINVALID:
		default:
			t.Fatalf("decodeJSON(%q) = %v: not a bad-input error", body, err)
		}
	})
}

func TestRecoverPanics(t *testing.T) {
	var logs bytes.Buffer
	s := &Server{logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	h := s.withRequestID(s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") })))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	if w.Code != 500 || w.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("panic answered %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	body, _ := io.ReadAll(w.Body)
	if strings.Contains(string(body), "boom") {
		t.Fatalf("the 500 body shows internals: %s", body)
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), w.Header().Get("X-Request-Id")) {
		t.Fatalf("the panic is not logged with the request id: %s", logs.String())
	}
}

func newRequestWithQuery(rawQuery string) *http.Request {
	r := httptest.NewRequest("GET", "/", nil)
	r.URL.RawQuery = rawQuery
	return r
}
