package salesmania_test

import (
	"math"
	"testing"

	"github.com/salesmania/salesmania"
)

// Positions of both forms read back as themselves and stay within the
// length a client may send; one of another database is refused.
func TestFeedPositionRoundTrip(t *testing.T) {
	for _, p := range []salesmania.FeedPosition{
		{DBID: 1, Rev: 0},
		{DBID: 7, Rev: 57},
		{DBID: 7, Tx: 1, Rev: 0},
		{DBID: 7, Tx: 4_294_967_300, Rev: 123456},
		{DBID: math.MaxInt64, Tx: math.MaxInt64, Rev: math.MaxInt64},
	} {
		s := p.Encode()
		if len(s) > salesmania.MaxFeedPositionLength {
			t.Errorf("%+v encodes to %d characters", p, len(s))
		}
		got, err := salesmania.ParseFeedPosition(s, p.DBID)
		if err != nil || got != p {
			t.Errorf("ParseFeedPosition(%q) = %+v, %v; want %+v", s, got, err, p)
		}
		if _, err := salesmania.ParseFeedPosition(s, p.DBID-1); err == nil {
			t.Errorf("%+v read as a position of database %d", p, p.DBID-1)
		}
	}
	for _, s := range []string{"dAE", "dAEABQ", "dAEBAQA"} { // "t" forms: truncated, Tx 0, trailing byte
		if _, err := salesmania.ParseFeedPosition(s, 1); err == nil {
			t.Errorf("ParseFeedPosition(%q) accepted", s)
		}
	}
}
