package salesmania

import (
	"encoding/base64"
	"encoding/json"
	"time"
)

// List limits (§1.3).
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// ListParams are the paging parameters every list takes (§1.3).
type ListParams struct {
	// Limit is the page size, 1..MaxListLimit.
	Limit int
	// After continues a walk where the previous page ended; the zero
	// Cursor starts at the beginning.
	After Cursor
	// UpdatedSince, if not nil, keeps rows changed strictly after it and
	// orders the list by (updated_at, id) instead of id.
	UpdatedSince *time.Time
	// IncludeTotal asks for the number of rows matching the filters.
	IncludeTotal bool
}

// ByUpdated reports whether the list is ordered by (updated_at, id).
func (p ListParams) ByUpdated() bool { return p.UpdatedSince != nil }

// Cursor is the position of the last row of a page: its id and, for lists
// ordered by time, its time in unix microseconds. It is keyset pagination:
// the next page is the rows after that position, so rows inserted or
// deleted meanwhile neither repeat nor hide others, and a deep page costs as
// much as the first.
type Cursor struct {
	ByTime bool  `json:"t,omitempty"`
	Time   int64 `json:"u,omitempty"`
	ID     int64 `json:"i"`
	// Route is the position of a visit in a list ordered by
	// (date, team_id, seq).
	Route *RoutePosition `json:"r,omitempty"`
}

// RoutePosition is a visit's place in the order of routes.
type RoutePosition struct {
	Date   string `json:"d"`
	TeamID int64  `json:"m"`
	Seq    int64  `json:"s"`
}

// IsZero reports whether c is the start of a list.
func (c Cursor) IsZero() bool { return c.ID == 0 }

// Encode returns the opaque text form of c given to clients as next_cursor.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// MaxCursorLength bounds the cursor text a client may send.
const MaxCursorLength = 128

// ParseCursor reads a cursor made by Encode. Anything else is EBADREQUEST
// naming the cursor parameter.
func ParseCursor(s string) (Cursor, error) {
	bad := func() (Cursor, error) {
		p := Problems{Code: EBADREQUEST}
		p.Add("cursor", "is not a cursor this list gave out; start again without it")
		return Cursor{}, p.Err()
	}
	if len(s) > MaxCursorLength {
		return bad()
	}
	// Only the base64url alphabet: the decoder would skip CR and LF.
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return bad()
		}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return bad()
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID <= 0 || c.Time < 0 || (!c.ByTime && c.Time != 0) {
		return bad()
	}
	if r := c.Route; r != nil {
		if _, ok := ParseDate(r.Date); !ok || r.TeamID <= 0 || r.Seq <= 0 || c.ByTime {
			return bad()
		}
	}
	return c, nil
}

// CheckCursor reports EBADREQUEST when the cursor was made for the other
// ordering of the list (with or without updated_since).
func (p ListParams) CheckCursor() error {
	switch {
	case p.After.IsZero():
		return nil
	case p.After.Route != nil:
		return badCursor("is a cursor of the visit list, not of this one; start again without it")
	case p.After.ByTime != p.ByUpdated():
		return badCursor("was made for a list with a different updated_since; start again without it")
	}
	return nil
}

// CheckRouteCursor is CheckCursor for the visit list in route order, whose
// cursors carry a route position.
func (p ListParams) CheckRouteCursor() error {
	if p.After.IsZero() || (p.After.Route != nil && !p.ByUpdated()) {
		return nil
	}
	return badCursor("is not a cursor of the visit list in route order; start again without it")
}

func badCursor(msg string) error {
	pr := Problems{Code: EBADREQUEST}
	pr.Add("cursor", msg)
	return pr.Err()
}

// Page is one page of a list: its rows, the cursor of the next page (nil on
// the last page) and, when asked for, the number of all matching rows.
type Page[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
	Total      *int64  `json:"total,omitempty"`
}

// Tombstone records that a row was deleted, for clients that sync.
type Tombstone struct {
	ID        int64     `json:"id"`
	DeletedAt time.Time `json:"deleted_at"`
}
