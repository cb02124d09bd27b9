package client

import (
	"context"
	"net/http"
	"time"

	"github.com/salesmania/salesmania"
)

// visitsPath is the published (v1.1) path of visits; the server serves
// /extapi/v1.0/visits too.
const visitsPath = "/extapi/v1.1/visits"

// VisitService calls the visit endpoints: planning (§5) and the visit day
// (§10). Get it as Client.Visits. A member sees its own team's visits
// only.
//
// Update (PATCH /extapi/v1.1/visits/{id}) changes notes, outcome and
// duration_min; status planned or skipped (check-in and check-out have
// calls of their own); and date, which moves a planned or skipped visit to
// the end of that day's route, the later visits of its old day moving up
// one seq. Its 422 *Error names every bad field (status done is one: use
// CheckOut); its 409 means the visit's status does not allow the change (a
// done visit cannot go back to planned, a checked-in or done one keeps its
// date).
//
// Delete deletes a planned or skipped visit; the later visits of its day
// move up one seq. A visit that was checked in is a record of what
// happened: deleting it is a 409 *Error.
type VisitService struct {
	resource[salesmania.Visit, salesmania.VisitFields, *VisitListOptions]
	deleter
	c *Client
}

// VisitListOptions filter and page the visit list. Zero fields do not
// filter. Give Date, or DateFrom and DateTo (both included, at most 92
// days). The list is ordered by (date, team_id, seq).
type VisitListOptions struct {
	// Date keeps the visits of one day, YYYY-MM-DD.
	Date string `query:"date"`
	// DateFrom and DateTo keep the visits of a range of days, YYYY-MM-DD.
	DateFrom string `query:"date_from"`
	DateTo   string `query:"date_to"`
	// TeamID keeps one team's visits; a member may name only its own.
	TeamID int64 `query:"team_id"`
	// CustomerID keeps the visits of one customer.
	CustomerID int64 `query:"customer_id"`
	// UpdatedSince keeps visits changed after it and orders the list by
	// (updated_at, id) instead of (date, team_id, seq).
	UpdatedSince *time.Time `query:"updated_since"`
	Limit        int        `query:"limit"`
	Cursor       string     `query:"cursor"`
	IncludeTotal bool       `query:"include_total"`
}

// Append adds a visit last in a team's route for a date (POST
// /extapi/v1.1/visits) and returns it with its seq. Without in.TeamID the
// team is the client's own. A 422 *Error names an unknown customer_id or
// team_id; a 403 means a member named another team.
func (s *VisitService) Append(ctx context.Context, in *salesmania.VisitCreate) (*salesmania.Visit, error) {
	return write[salesmania.Visit](ctx, s.c, http.MethodPost, visitsPath, in)
}

// CheckIn records that the salesman arrived at a planned visit (POST
// /extapi/v1.1/visits/{id}/check-in) and returns the visit, now checked_in,
// with CheckIn telling how far the position was from the customer and
// whether that verifies the visit. f needs Lat, Lon and AccuracyM;
// DeviceTime (RFC 3339, kept as sent) records when the device took the
// position, for a check-in sent later. The call is made at most once on the
// server however often the client retries it. A 422 *Error names every bad
// or missing field; a 409 means the visit is not planned; a 404 that it is
// not the caller's to see.
func (s *VisitService) CheckIn(ctx context.Context, id int64, f *salesmania.CheckFields) (*salesmania.Visit, error) {
	return write[salesmania.Visit](ctx, s.c, http.MethodPost, idPath(visitsPath, id)+"/check-in", f)
}

// CheckOut records that a checked-in visit is done (POST
// /extapi/v1.1/visits/{id}/check-out), with a position when f has Lat, Lon
// and AccuracyM (all three or none), and the visit's Outcome and Notes when
// set, and returns the visit, now done. Retries are safe as for CheckIn. A
// 422 *Error names every bad field; a 409 means the visit is not checked
// in; a 404 that it is not the caller's to see.
func (s *VisitService) CheckOut(ctx context.Context, id int64, f *salesmania.CheckFields) (*salesmania.Visit, error) {
	return write[salesmania.Visit](ctx, s.c, http.MethodPost, idPath(visitsPath, id)+"/check-out", f)
}

// Reorder sets the order of a team's day at once (PUT
// /extapi/v1.1/visits/sequence) and returns the day's visits in the new
// order, the visit at index i with seq i+1. teamID 0 means the client's own
// team; only an admin may name another (else a 403 *Error). ids must be
// exactly the ids of that team's visits on date, each once (else a 422
// *Error naming visit_ids). Retrying the same order leaves the same day.
func (s *VisitService) Reorder(ctx context.Context, date string, teamID int64, ids []int64) ([]salesmania.Visit, error) {
	if ids == nil {
		ids = []int64{} // an empty day's order is [], not a missing field
	}
	body := salesmania.SequenceFields{Date: &date, VisitIDs: &ids}
	if teamID != 0 {
		body.TeamID = &teamID
	}
	out, err := write[struct {
		Data []salesmania.Visit `json:"data"`
	}](ctx, s.c, http.MethodPut, visitsPath+"/sequence", &body)
	if err != nil {
		return nil, err
	}
	return out.Data, nil
}

// Optimize proposes the shortest order of a team's day (POST
// /extapi/v1.1/visits/optimize, §11) and, with f.Apply, stores it: planned
// visits whose customer has a location move among the places they hold,
// every other visit keeps its seq. The result gives the whole day in the
// proposed order, each stop's leg and arrive/depart times from f.DepartAt
// (08:00 by default) at f.SpeedKmh (25 by default) in the database's time
// zone, and the route's length before and after. f.Date is required;
// without f.TeamID the day is the client's own team's. The same day and
// fields give the same order. A 422 *Error names every bad field (a Start
// without Lon, SpeedKmh outside 1..200, DepartAt not HH:MM, a day of over
// 200 visits on date); a 403 means a member named another team.
func (s *VisitService) Optimize(ctx context.Context, f *salesmania.OptimizeFields) (*salesmania.OptimizeResult, error) {
	return write[salesmania.OptimizeResult](ctx, s.c, http.MethodPost, visitsPath+"/optimize", f)
}
