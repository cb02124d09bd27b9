package salesmania

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// The change feed (§14): every change of a database's customers, products,
// visits, visit plans and orders, in the order the changes committed, so a
// phone that syncs all day never misses a row.

// The kinds of rows the feed carries.
const (
	ChangeCustomer  = "customer"
	ChangeProduct   = "product"
	ChangeVisit     = "visit"
	ChangeVisitPlan = "visit_plan"
	ChangeOrder     = "order"
)

// The operations of a change.
const (
	OpUpsert = "upsert"
	OpDelete = "delete"
)

// Bounds of a feed page (§14).
const (
	DefaultFeedLimit = 500
	MaxFeedLimit     = 1000
)

// Change is one entry of the feed: a row of a kind, and whether it now
// exists (upsert, with the row as GET by id answers it) or was deleted.
// Object is the row's JSON, written by the caller that serves the feed.
type Change struct {
	Pos    FeedPosition `json:"pos"`
	Kind   string       `json:"kind"`
	Op     string       `json:"op"`
	ID     int64        `json:"id"`
	TeamID int64        `json:"-"` // of team-owned kinds; 0 for customers and products
	Object any          `json:"object"`
}

// FeedPosition is a place in a database's feed: the change it follows.
// Changes are ordered by (Tx, Rev): on SQLite Tx is always 0 and Rev the
// database's revision counter; on PostgreSQL Tx is the id of the
// transaction that wrote the change and Rev a sequence number (see
// sqlstore/feed.go). Clients get it as an opaque string and send it back
// as after.
type FeedPosition struct {
	DBID int64
	Tx   int64
	Rev  int64
}

// Less reports whether p comes before q in the feed's order.
func (p FeedPosition) Less(q FeedPosition) bool {
	return p.Tx < q.Tx || p.Tx == q.Tx && p.Rev < q.Rev
}

// MaxFeedPositionLength bounds the position text a client may send.
const MaxFeedPositionLength = 64

// Encode returns the opaque text form of p: "d<db>r<rev>" when Tx is 0
// (the form positions had before Tx existed, so those clients hold stay
// valid), else "t" and the three numbers as unsigned varints, at most 31
// bytes; base64url either way, so at most 42 characters.
func (p FeedPosition) Encode() string {
	if p.Tx == 0 {
		return base64.RawURLEncoding.EncodeToString([]byte("d" + strconv.FormatInt(p.DBID, 10) + "r" + strconv.FormatInt(p.Rev, 10)))
	}
	b := []byte{'t'}
	b = binary.AppendUvarint(b, uint64(p.DBID))
	b = binary.AppendUvarint(b, uint64(p.Tx))
	b = binary.AppendUvarint(b, uint64(p.Rev))
	return base64.RawURLEncoding.EncodeToString(b)
}

// MarshalJSON writes p in its opaque text form.
func (p FeedPosition) MarshalJSON() ([]byte, error) { return json.Marshal(p.Encode()) }

// ParseFeedPosition reads a position Encode made for database dbID.
// Anything else — malformed, or of another database — is EBADREQUEST
// naming after.
func ParseFeedPosition(s string, dbID int64) (FeedPosition, error) {
	bad := func(why string) (FeedPosition, error) {
		p := Problems{Code: EBADREQUEST}
		p.Add("after", why)
		return FeedPosition{}, p.Err()
	}
	if len(s) > MaxFeedPositionLength {
		return bad("is not a position this feed gave out; start again without it")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return bad("is not a position this feed gave out; start again without it")
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err == nil && len(b) >= 4 && b[0] == 't' {
		p, ok := parseTxPosition(b[1:])
		if !ok || p.Encode() != s {
			return bad("is not a position this feed gave out; start again without it")
		}
		if p.DBID != dbID {
			return bad("is a position in another database's feed")
		}
		return p, nil
	}
	if err != nil || len(b) < 4 || b[0] != 'd' {
		return bad("is not a position this feed gave out; start again without it")
	}
	db, rev, ok := strings.Cut(string(b[1:]), "r")
	d, err1 := strconv.ParseInt(db, 10, 64)
	r, err2 := strconv.ParseInt(rev, 10, 64)
	if !ok || err1 != nil || err2 != nil || d <= 0 || r < 0 || strconv.FormatInt(d, 10) != db || strconv.FormatInt(r, 10) != rev {
		return bad("is not a position this feed gave out; start again without it")
	}
	if d != dbID {
		return bad("is a position in another database's feed")
	}
	return FeedPosition{DBID: d, Rev: r}, nil
}

// parseTxPosition reads the three varints of a "t" position, each above 0
// and within int64 (Rev may be 0).
func parseTxPosition(b []byte) (FeedPosition, bool) {
	var n [3]int64
	for i := range n {
		v, k := binary.Uvarint(b)
		if k <= 0 || v > math.MaxInt64 {
			return FeedPosition{}, false
		}
		n[i], b = int64(v), b[k:]
	}
	if len(b) != 0 || n[0] <= 0 || n[1] <= 0 {
		return FeedPosition{}, false
	}
	return FeedPosition{DBID: n[0], Tx: n[1], Rev: n[2]}, true
}

// FeedFilter selects a page of a database's feed.
type FeedFilter struct {
	// After is where the previous page ended; Tx and Rev 0 is the
	// beginning.
	After FeedPosition
	Limit int
	// Teams is whose visits, visit plans and orders the caller sees;
	// customers and products are every member's.
	Teams TeamScope
}

// FeedPage is one page of the feed. Next is the position to continue
// after: the last change's, or After when the page is empty.
type FeedPage struct {
	Data    []Change     `json:"data"`
	Next    FeedPosition `json:"next"`
	HasMore bool         `json:"has_more"`
}
