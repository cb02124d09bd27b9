package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/salesmania/salesmania"
)

func TestCheckJSONText(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		code  string
		field string // of the one field error, if any
	}{
		{"OK", `{"name":"Toko","tags":["a","b"],"location":{"lat":1,"lon":2}}`, "", ""},
		{"OK/SurrogatePair", `{"name":"\ud83d\ude00 Toko"}`, "", ""},
		{"OK/EscapedBackslashBeforeU", `{"name":"\\ud800"}`, "", ""},
		{"OK/SameKeyInSiblings", `{"a":[{"qty":1},{"qty":2}],"b":{"qty":3}}`, "", ""},
		{"OK/NonBMPRaw", `{"name":"Toko 😀 ✓ 漢字"}`, "", ""},
		{"OK/ReplacementCharSentAsIs", `{"name":"\ufffd �"}`, "", ""},
		{"OK/EscapedQuotes", `{"na\"me":"a\"b","x":"\\"}`, "", ""},
		{"OK/ManyKeys", manyKeysBody(100, false), "", ""},
		{"OK/MalformedLeftToDecoder", `{"a":"\u12"}`, "", ""},
		{"OK/UnterminatedLeftToDecoder", `{"a":"abc`, "", ""},
		{"ErrInvalidUTF8", "{\"name\":\"Toko \xff\"}", salesmania.EBADREQUEST, ""},
		{"ErrInvalidUTF8Overlong", "{\"name\":\"\xc0\xaf\"}", salesmania.EBADREQUEST, ""},
		{"ErrInvalidUTF8EncodedSurrogate", "{\"name\":\"\xed\xa0\x80\"}", salesmania.EBADREQUEST, ""},
		{"ErrInvalidUTF8InKey", "{\"n\xffme\":1}", salesmania.EBADREQUEST, ""},
		{"ErrLoneHigh", `{"name":"Toko \ud800"}`, salesmania.EINVALID, "name"},
		{"ErrLoneHighUpper", `{"name":"\uD83D"}`, salesmania.EINVALID, "name"},
		{"ErrLoneLow", `{"name":"\udc00x"}`, salesmania.EINVALID, "name"},
		{"ErrHighThenHigh", `{"name":"\ud800\ud800"}`, salesmania.EINVALID, "name"},
		{"ErrHighThenText", `{"name":"\ud83dx\ude00"}`, salesmania.EINVALID, "name"},
		{"ErrLoneInArray", `{"tags":["ok","\udfff"]}`, salesmania.EINVALID, "tags[1]"},
		{"ErrLoneNested", `{"ordered_products":[{"unit":"PCS"},{"description":"\ud800"}]}`, salesmania.EINVALID, "ordered_products[1].description"},
		{"ErrLoneInKey", `{"na\ud800me":1}`, salesmania.EBADREQUEST, ""},
		{"ErrDuplicate", `{"name":"a","name":"b"}`, salesmania.EINVALID, "name"},
		{"ErrDuplicateEscaped", `{"name":"a","\u006eame":"b"}`, salesmania.EINVALID, "name"},
		{"ErrDuplicateNested", `{"location":{"lat":1,"lon":2,"lat":3}}`, salesmania.EINVALID, "location.lat"},
		{"ErrDuplicateInArray", `{"ordered_products":[{"qty":1},{"qty":2,"unit":"PCS","qty":3}]}`, salesmania.EINVALID, "ordered_products[1].qty"},
		{"ErrDuplicateNull", `{"address":null,"address":"Jl. Pemuda"}`, salesmania.EINVALID, "address"},
		{"ErrDuplicateAmongMany", manyKeysBody(100, true), salesmania.EINVALID, "k7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkJSONText([]byte(tt.body))
			if got := salesmania.ErrorCode(err); got != tt.code {
				t.Fatalf("checkJSONText(%s) = %v (code %q); want code %q", tt.body, err, got, tt.code)
			}
			var se *salesmania.Error
			errors.As(err, &se)
			var fields []string
			if se != nil {
				for _, f := range se.Fields {
					fields = append(fields, f.Field)
				}
			}
			if want := []string{tt.field}; tt.field != "" && !slices.Equal(fields, want) || tt.field == "" && len(fields) > 0 {
				t.Fatalf("fields = %v; want %q (error %v)", fields, tt.field, err)
			}
		})
	}
}

// manyKeysBody is an object of n keys k0…; with dup, k7 comes again last.
func manyKeysBody(n int, dup bool) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":` + strconv.Itoa(i))
	}
	if dup {
		b.WriteString(`,"k7":0`)
	}
	b.WriteString("}")
	return b.String()
}

// FuzzCheckJSONText compares the scanner with a reference written another
// way: encoding/json's token stream for the keys (decoded as encoding/json
// decodes them) and a plain walk of each raw string token for surrogates.
// On valid JSON both must agree; on any input the scanner must not panic.
func FuzzCheckJSONText(f *testing.F) {
	for _, s := range []string{
		`{"name":"Toko","tags":["a"],"location":{"lat":1.5}}`, `{"a":"\ud800"}`, `{"a":1,"a":2}`, `{"a":"\ud83d\ude00"}`,
		`{"a":[{"b":1},{"b":2,"b":3}]}`, `{"\u0061":1,"a":2}`, `{"a":"\\ud800"}`, "{\"a\":\"\xff\"}", `[[[{"x":{}}]]]`, `{"a":"\udc00"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		err := checkJSONText(body)
		switch salesmania.ErrorCode(err) {
		case "", salesmania.EBADREQUEST, salesmania.EINVALID:
		default:
			t.Fatalf("checkJSONText(%q) = %v: not a bad-input error", body, err)
		}
		if !json.Valid(body) {
			return
		}
		dup, lone := referenceCheck(t, body)
		if want := !utf8Valid(body) || dup || lone; want != (err != nil) {
			t.Fatalf("checkJSONText(%q) = %v; the reference finds duplicate %v, lone surrogate %v, valid UTF-8 %v", body, err, dup, lone, utf8Valid(body))
		}
	})
}

func utf8Valid(b []byte) bool { return strings.ToValidUTF8(string(b), "\x00") == string(b) }

// referenceCheck walks valid JSON with encoding/json's tokenizer.
func referenceCheck(t *testing.T, body []byte) (dup, lone bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	type level struct {
		object, wantKey bool
		keys            map[string]bool
	}
	var stack []*level
	prev := int64(0)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return dup, lone
		}
		if err != nil {
			t.Fatalf("reference: %v on valid JSON %q", err, body)
		}
		end := dec.InputOffset()
		raw := body[prev:end]
		prev = end
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, &level{object: true, wantKey: true, keys: map[string]bool{}})
			case '[':
				stack = append(stack, &level{})
			default:
				stack = stack[:len(stack)-1]
				if len(stack) > 0 && stack[len(stack)-1].object {
					stack[len(stack)-1].wantKey = true
				}
			}
			continue
		case string:
			q := bytes.IndexByte(raw, '"')
			// A body that is a bare string is not an object: decodeJSON
			// refuses it after the scan.
			if len(stack) > 0 && hasLoneSurrogate(raw[q:]) {
				lone = true
			}
			if top := len(stack) - 1; top >= 0 && stack[top].object && stack[top].wantKey {
				if stack[top].keys[v] {
					dup = true
				}
				stack[top].keys[v] = true
				stack[top].wantKey = false
				continue
			}
		}
		if top := len(stack) - 1; top >= 0 && stack[top].object {
			stack[top].wantKey = true
		}
	}
}

// hasLoneSurrogate reads the raw JSON string token s (quotes included) and
// reports a \u escape of a surrogate that is not part of a pair.
func hasLoneSurrogate(s []byte) bool {
	var units []uint16
	for i := 1; i < len(s)-1; i++ {
		if s[i] != '\\' {
			units = append(units, 0)
			continue
		}
		i++
		if s[i] == 'u' {
			n, _ := strconv.ParseUint(string(s[i+1:i+5]), 16, 16)
			units = append(units, uint16(n))
			i += 4
		} else {
			units = append(units, 0)
		}
	}
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u >= 0xD800 && u <= 0xDBFF:
			if i+1 < len(units) && units[i+1] >= 0xDC00 && units[i+1] <= 0xDFFF {
				i++
				continue
			}
			return true
		case u >= 0xDC00 && u <= 0xDFFF:
			return true
		}
	}
	return false
}

// bigOrderBody is an order of n lines, as an ERP import sends it.
func bigOrderBody(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"date":"2024-01-01","customer_id":101,"team_id":24728,"description":"Pesanan bulanan Toko Sumber Rejeki","ordered_products":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"product_id":` + strconv.Itoa(7+i) + `,"qty":2,"unit":"DUS","price":130000,"item_disc_percent":"10+5","item_disc_amount":0,"description":"Indomie Goreng – rasa ayam bawang","ext_order_line_id":` + strconv.Itoa(9001+i) + `}`)
	}
	b.WriteString(`],"disc_percent":"2","disc_amount":0,"total_paid":0,"status":"Baru","visit_status":"Order","ext_order_no":"SO-2024-0001","ext_order_status_name":""}`)
	return b.Bytes()
}

// BenchmarkCheckJSONText measures the scanner alone on an order of 1 000
// lines (about 200 kB); compare BenchmarkDecodeBigOrderBody, the whole
// decode it is part of.
func BenchmarkCheckJSONText(b *testing.B) {
	body := bigOrderBody(1000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := checkJSONText(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeBigOrderBody measures decodeJSON, scanner included, on the
// same order.
func BenchmarkDecodeBigOrderBody(b *testing.B) {
	body := bigOrderBody(1000)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var f salesmania.OrderFields
		if err := decodeJSON(body, &f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckJSONTextEscapes measures the scanner's worst body: one
// string of 1 MiB of escapes, each of which restarts its search.
func BenchmarkCheckJSONTextEscapes(b *testing.B) {
	body := []byte(`{"description":"` + strings.Repeat(`\n`, (MaxBodyBytes-20)/2) + `"}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := checkJSONText(body); err != nil {
			b.Fatal(err)
		}
	}
}
