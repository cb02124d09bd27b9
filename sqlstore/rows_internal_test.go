package sqlstore

import (
	"encoding/json"
	"slices"
	"testing"
	"unicode/utf8"
)

func TestParseTags(t *testing.T) {
	for _, tags := range [][]string{{}, {"grosir"}, {"grosir", "semarang-tengah"}, {`quo"te`, `back\\slash`}, {"<b>", "ünï", ""}, {"a,b", "[c]"}} {
		b, _ := json.Marshal(tags)
		got, err := parseTags(string(b))
		if err != nil || !slices.Equal(got, tags) || got == nil {
			t.Errorf("parseTags(%s) = %q, %v; want %q", b, got, err, tags)
		}
	}
	for _, bad := range []string{"", "[", `["a"`, `["a",]`, "null"} {
		if got, err := parseTags(bad); err == nil && bad != "null" {
			t.Errorf("parseTags(%q) = %q; want an error", bad, got)
		}
	}
}

func FuzzParseTags(f *testing.F) {
	f.Add(`["grosir","semarang"]`)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // the store writes tags with encoding/json: always valid UTF-8
		}
		got, err := parseTags(s)
		var want []string
		werr := json.Unmarshal([]byte(s), &want)
		if werr == nil && want != nil && (err != nil || !slices.Equal(got, want)) {
			t.Fatalf("parseTags(%q) = %q, %v; json says %q", s, got, err, want)
		}
	})
}
