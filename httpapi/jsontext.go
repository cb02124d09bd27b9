package httpapi

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/salesmania/salesmania"
)

// checkJSONText refuses, in one pass over the body, what encoding/json would
// change without saying so: bytes that are not UTF-8 (it would store them
// as U+FFFD), a \u escape of a lone UTF-16 surrogate such as "\ud800" (the
// same), and a key given twice in one object (the last would win). Invalid
// UTF-8 is 400; a lone surrogate in a value is 422 naming the field, in a
// key 400; a repeated key is 422 naming it, with its full path such as
// ordered_products[1].qty. Malformed JSON is left to encoding/json, which
// reports it: the scanner stops where it stops understanding.
func checkJSONText(body []byte) error {
	if !utf8.Valid(body) {
		return salesmania.Errorf(salesmania.EBADREQUEST, "The body is not valid UTF-8 (at byte %d).", invalidUTF8At(body))
	}
	var sc jsonScanner
	return sc.scan(body)
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// maxScanDepth is where the scanner stops following nesting; encoding/json
// refuses deeper bodies itself.
const maxScanDepth = 10000

// jsonFrame is an object or array the scanner is inside.
type jsonFrame struct {
	object bool
	index  int      // of the current element, in an array
	key    []byte   // the current key, decoded, in an object
	keys   [][]byte // the keys seen so far, while few
	set    map[string]struct{}
}

// manyKeys is the number of keys after which an object's keys are kept in a
// map: a linear search is faster for the few keys of a real body, and a
// map keeps a hostile object of 100 000 keys linear.
const manyKeys = 16

// seen records key in the frame and reports whether it was there already.
func (f *jsonFrame) seen(key []byte) bool {
	if f.set != nil {
		if _, ok := f.set[string(key)]; ok {
			return true
		}
		f.set[string(key)] = struct{}{}
		return false
	}
	for _, k := range f.keys {
		if bytes.Equal(k, key) {
			return true
		}
	}
	f.keys = append(f.keys, key)
	if len(f.keys) > manyKeys {
		f.set = make(map[string]struct{}, 2*len(f.keys))
		for _, k := range f.keys {
			f.set[string(k)] = struct{}{}
		}
	}
	return false
}

type jsonScanner struct {
	stack []jsonFrame
}

// path is the dotted path of the current value, as checkShape names it.
func (sc *jsonScanner) path() string {
	var b []byte
	for i := range sc.stack {
		f := &sc.stack[i]
		if f.object {
			if len(b) > 0 {
				b = append(b, '.')
			}
			b = append(b, f.key...)
		} else {
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(f.index), 10)
			b = append(b, ']')
		}
	}
	return string(b)
}

func (sc *jsonScanner) push(object bool) {
	if len(sc.stack) < cap(sc.stack) {
		sc.stack = sc.stack[:len(sc.stack)+1]
		f := &sc.stack[len(sc.stack)-1]
		keys := f.keys[:0]
		*f = jsonFrame{object: object, keys: keys}
		return
	}
	sc.stack = append(sc.stack, jsonFrame{object: object})
}

func (sc *jsonScanner) scan(b []byte) error {
	expectKey := false // the next string is an object's key
	for i := 0; i < len(b); {
		switch c := b[i]; c {
		case ' ', '\t', '\r', '\n', ':':
			i++
		case '{', '[':
			if len(sc.stack) >= maxScanDepth {
				return nil
			}
			sc.push(c == '{')
			expectKey = c == '{'
			i++
		case '}', ']':
			if len(sc.stack) == 0 {
				return nil
			}
			sc.stack = sc.stack[:len(sc.stack)-1]
			expectKey = false
			i++
		case ',':
			if len(sc.stack) == 0 {
				return nil
			}
			top := &sc.stack[len(sc.stack)-1]
			if top.object {
				expectKey = true
			} else {
				top.index++
			}
			i++
		case '"':
			end, lone, escaped := scanString(b, i)
			if end < 0 {
				return nil
			}
			if expectKey && len(sc.stack) > 0 {
				expectKey = false
				top := &sc.stack[len(sc.stack)-1]
				if lone {
					return sc.loneSurrogateInKey()
				}
				key := b[i+1 : end-1]
				if escaped {
					var s string
					if json.Unmarshal(b[i:end], &s) != nil {
						return nil
					}
					key = []byte(s)
				}
				top.key = key
				if top.seen(key) {
					var p salesmania.Problems
					p.Add(sc.path(), "is given more than once")
					return p.Err()
				}
			} else if lone && len(sc.stack) > 0 {
				var p salesmania.Problems
				p.Add(sc.path(), "must not contain a lone UTF-16 surrogate escape (such as \\ud800): it is no character")
				return p.Err()
			}
			i = end
		default:
			// A number, true, false or null: up to the next delimiter.
			for i < len(b) && !isJSONDelimiter(b[i]) {
				i++
			}
		}
	}
	return nil
}

func (sc *jsonScanner) loneSurrogateInKey() error {
	where := "the body"
	if p := sc.stack[:len(sc.stack)-1]; len(p) > 0 {
		where = (&jsonScanner{stack: p}).path()
	}
	return salesmania.Errorf(salesmania.EBADREQUEST, "A key of %s contains a lone UTF-16 surrogate escape (such as \\ud800).", where)
}

func isJSONDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ':', ' ', '\t', '\r', '\n', '"', '{', '[':
		return true
	}
	return false
}

// scanString reads the JSON string starting at b[start] == '"'. It returns
// the index just past its closing quote (-1 if it has none or a malformed
// \u escape), whether it holds a lone surrogate escape, and whether it has
// any escape at all.
func scanString(b []byte, start int) (end int, lone, escaped bool) {
	i := start + 1
	q := -1 // the next quote at or after i; it ends the string unless escaped
	for {
		if q < i {
			if q = bytes.IndexByte(b[i:], '"'); q < 0 {
				return -1, false, escaped
			}
			q += i
		}
		bs := bytes.IndexByte(b[i:q], '\\')
		if bs < 0 {
			return q + 1, lone, escaped
		}
		escaped = true
		i += bs
		// b[i] is a backslash; the string goes on after its escape.
		if i+1 >= len(b) {
			return -1, false, escaped
		}
		if b[i+1] != 'u' {
			i += 2
			continue
		}
		r, ok := hex4(b, i+2)
		if !ok {
			return -1, false, escaped
		}
		i += 6
		switch {
		case r >= 0xD800 && r <= 0xDBFF:
			// A high surrogate must be followed by a low one.
			if i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
				if r2, ok := hex4(b, i+2); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
					i += 6
					continue
				}
			}
			lone = true
		case r >= 0xDC00 && r <= 0xDFFF:
			lone = true
		}
	}
}

// hex4 reads the four hex digits at b[i:i+4].
func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
