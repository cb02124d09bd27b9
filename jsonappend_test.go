package salesmania_test

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/salesmania/salesmania"
)

// TestCustomerAppendJSON holds Customer.AppendJSON and Page.AppendJSON to
// the bytes encoding/json writes.
func TestCustomerAppendJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	strs := []string{"", "Toko Sumber Rejeki", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\r\x00\x1f", "émoji 🛒 ünïcode",
		"line\u2028sep\u2029", string([]byte{0xff, 'a', 0xc3}), "\x7f"}
	floats := []float64{0, -7.110383, 110.473812, 90, -180, 1e-7, -1e-9, 12.5, 0.000001}
	now := time.Date(2026, 11, 27, 7, 0, 0, 123456000, time.UTC)
	var page salesmania.Page[salesmania.Customer]
	for i := range 200 {
		c := salesmania.Customer{
			ID: int64(rng.IntN(1 << 40)), Name: strs[rng.IntN(len(strs))], Address: strs[rng.IntN(len(strs))], City: strs[rng.IntN(len(strs))],
			Phone: strs[rng.IntN(len(strs))], ExtCustNo: strs[rng.IntN(len(strs))], Status: i%2 == 0,
			CreatedAt: now.Add(time.Duration(i) * time.Second), UpdatedAt: now.Add(time.Duration(i) * time.Microsecond),
		}
		if i%3 != 0 {
			c.Location = &salesmania.Location{Lat: floats[rng.IntN(len(floats))], Lon: floats[rng.IntN(len(floats))]}
		}
		switch i % 4 {
		case 0:
			c.Tags = []string{}
		case 1:
			c.Tags = []string{strs[rng.IntN(len(strs))], "grosir"}
		case 2:
			c.Tags = nil
		}
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("AppendJSON\n got %s\nwant %s", got, want)
		}
		page.Data = append(page.Data, c)
	}
	next, total := "eyJpIjoxfQ", int64(12345)
	for _, p := range []salesmania.Page[salesmania.Customer]{page, {Data: []salesmania.Customer{}}, {Data: page.Data[:3], NextCursor: &next, Total: &total}} {
		want, _ := json.Marshal(p)
		got, ok := p.AppendJSON(nil)
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("Page.AppendJSON ok=%v\n got %s\nwant %s", ok, got, want)
		}
	}
	if _, ok := (&salesmania.Page[salesmania.Team]{Data: []salesmania.Team{{ID: 1}}}).AppendJSON(nil); ok {
		t.Fatal("a page of teams claims to append its own JSON")
	}
}

func FuzzCustomerAppendJSON(f *testing.F) {
	f.Add("Toko <Sumber> \"Rejeki\"", -7.11, 110.47)
	f.Fuzz(func(t *testing.T, s string, lat, lon float64) {
		c := salesmania.Customer{Name: s, Tags: []string{s}, Location: &salesmania.Location{Lat: lat, Lon: lon}}
		want, err := json.Marshal(c)
		if err != nil {
			return // NaN or infinity: never stored
		}
		if got := c.AppendJSON(nil); !bytes.Equal(got, want) {
			t.Fatalf("AppendJSON\n got %s\nwant %s", got, want)
		}
	})
}
