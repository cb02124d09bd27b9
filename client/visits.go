package client

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/salesmania/salesmania"
)

// visitsPath is the published (v1.1) path of visits; the server serves
// /extapi/v1.0/visits too.
const visitsPath = "/extapi/v1.1/visits"

// VisitService calls the visit endpoints (§5). Get it as Client.Visits.
type VisitService struct{ c *Client }

// VisitListOptions filter and page the visit list. Zero fields do not
// filter. Give Date, or DateFrom and DateTo (both included, at most 92
// days). A member sees its own team's visits only.
type VisitListOptions struct {
	// Date keeps the visits of one day, YYYY-MM-DD.
	Date string
	// DateFrom and DateTo keep the visits of a range of days, YYYY-MM-DD.
	DateFrom string
	DateTo   string
	// TeamID keeps one team's visits; a member may name only its own.
	TeamID int64
	// CustomerID keeps the visits of one customer.
	CustomerID int64
	// UpdatedSince keeps visits changed after it and orders the list by
	// (updated_at, id) instead of (date, team_id, seq).
	UpdatedSince *time.Time
	Limit        int
	Cursor       string
	IncludeTotal bool
}

func (o *VisitListOptions) values() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	setString(q, "date", o.Date)
	setString(q, "date_from", o.DateFrom)
	setString(q, "date_to", o.DateTo)
	setID(q, "team_id", o.TeamID)
	setID(q, "customer_id", o.CustomerID)
	if o.UpdatedSince != nil {
		setTime(q, "updated_since", *o.UpdatedSince)
	}
	setPaging(q, o.Limit, o.Cursor, o.IncludeTotal)
	return q
}

// List returns one page of visits (GET /extapi/v1.1/visits), ordered by
// (date, team_id, seq); opts may be nil.
func (s *VisitService) List(ctx context.Context, opts *VisitListOptions) (*salesmania.Page[salesmania.Visit], error) {
	return get[salesmania.Page[salesmania.Visit]](ctx, s.c, visitsPath, opts.values())
}

// All returns an iterator over every visit matching opts, from opts.Cursor
// on. It ignores opts.IncludeTotal. On an error it yields the error once and
// stops.
func (s *VisitService) All(ctx context.Context, opts *VisitListOptions) iter.Seq2[salesmania.Visit, error] {
	o := VisitListOptions{}
	if opts != nil {
		o = *opts
	}
	o.IncludeTotal = false
	return pages(func(cursor string) (*salesmania.Page[salesmania.Visit], error) {
		o.Cursor = cursor
		return s.List(ctx, &o)
	}, o.Cursor)
}

// Append adds a visit last in a team's route for a date (POST
// /extapi/v1.1/visits) and returns it with its seq. Without in.TeamID the
// team is the client's own. A 422 *Error names an unknown customer_id or
// team_id; a 403 means a member named another team.
func (s *VisitService) Append(ctx context.Context, in *salesmania.VisitCreate) (*salesmania.Visit, error) {
	return write[salesmania.Visit](ctx, s.c, http.MethodPost, visitsPath, in, nil)
}
