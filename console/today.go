package console

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/salesmania/salesmania"
)

// todayData is the Today page: each team's day in seq order, with totals.
type todayData struct {
	Date     string
	Today    string
	Prev     string
	Next     string
	Team     int64             // the team filter; 0 for every team in scope
	Choices  []salesmania.Team // the teams the filter offers
	Teams    []teamDay         // the teams shown
	Totals   dayTotals         // of the teams shown
	Timezone string
}

type teamDay struct {
	Team   salesmania.Team
	Stops  []stopView
	Totals dayTotals
}

// dayTotals are the figures of a day: its visits by status, the length of
// its routes (§11) and its orders.
type dayTotals struct {
	Visits, Planned, CheckedIn, Done, Skipped int
	DistanceM                                 int64
	Orders                                    int
	OrdersTotal                               salesmania.Decimal
}

func (t *dayTotals) add(o dayTotals) {
	t.Visits += o.Visits
	t.Planned += o.Planned
	t.CheckedIn += o.CheckedIn
	t.Done += o.Done
	t.Skipped += o.Skipped
	t.DistanceM += o.DistanceM
	t.Orders += o.Orders
	t.OrdersTotal = t.OrdersTotal.Add(o.OrdersTotal)
}

// stopView is one visit of the list and the map.
type stopView struct {
	ID, Seq           int64
	Status            string
	Name, Address     string
	Lat, Lon          string // "" without a location
	Outcome, Duration string
	CheckIn           *checkView
	CheckOut          *checkView
}

// checkView is a check-in or check-out as the page shows it.
type checkView struct {
	Time         string // HH:MM in the database's time zone
	Lat, Lon     string
	Verification string
	DistanceM    string
	AccuracyM    string
	Mocked       bool
}

func coord(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func newCheckView(c *salesmania.VisitCheck, loc *time.Location) *checkView {
	if c == nil {
		return nil
	}
	v := &checkView{Time: c.At.In(loc).Format("15:04"), Mocked: c.Mocked}
	if c.Lat != nil && c.Lon != nil {
		v.Lat, v.Lon = coord(*c.Lat), coord(*c.Lon)
	}
	if c.Verification != nil {
		v.Verification = *c.Verification
	}
	if c.DistanceM != nil {
		v.DistanceM = strconv.FormatInt(*c.DistanceM, 10)
	}
	if c.AccuracyM != nil {
		v.AccuracyM = coord(*c.AccuracyM)
	}
	return v
}

func newStopView(v *salesmania.Visit, loc *time.Location) stopView {
	s := stopView{ID: v.ID, Seq: v.Seq, Status: v.Status, Name: v.Customer.Name, Address: v.Customer.Address,
		Outcome: v.Outcome, Duration: strconv.FormatInt(v.DurationMin, 10),
		CheckIn: newCheckView(v.CheckIn, loc), CheckOut: newCheckView(v.CheckOut, loc)}
	if l := v.Customer.Location; l != nil {
		s.Lat, s.Lon = coord(l.Lat), coord(l.Lon)
	}
	return s
}

func totalsOf(day []salesmania.Visit) dayTotals {
	t := dayTotals{Visits: len(day), DistanceM: salesmania.RouteDistanceM(day)}
	for _, v := range day {
		switch v.Status {
		case salesmania.VisitPlanned:
			t.Planned++
		case salesmania.VisitCheckedIn:
			t.CheckedIn++
		case salesmania.VisitDone:
			t.Done++
		case salesmania.VisitSkipped:
			t.Skipped++
		}
	}
	return t
}

// handleToday is the Today page: ?date= (default today in the database's
// time zone) and ?team= (default every team of the caller's scope).
func (c *Console) handleToday() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		q := newQuery(r, "date", "team")
		date := q.date("date")
		team := q.id("team")
		if err := q.err(); err != nil {
			return err
		}
		data, err := c.today(r, s.Principal, date, team)
		if err != nil {
			return err
		}
		title := "Today"
		if data.Date != data.Today {
			title = "Visits of " + data.Date
		}
		c.render(w, r, http.StatusOK, "today", &page{Title: title, Nav: "today", Session: s, Data: data})
		return nil
	}
}

// today gathers the Today page of principal p.
func (c *Console) today(r *http.Request, p salesmania.Principal, date string, team int64) (*todayData, error) {
	ctx := r.Context()
	scope, err := p.Teams().Narrow(team)
	if err != nil {
		return nil, err
	}
	settings, err := c.store.FindSettings(ctx, p.DBID)
	if err != nil {
		return nil, err
	}
	loc := settings.Location()
	d := &todayData{Today: settings.Today(c.now()), Team: team, Timezone: settings.Timezone, Date: date}
	if d.Date == "" {
		d.Date = d.Today
	}
	day, _ := time.Parse(time.DateOnly, d.Date)
	d.Prev, d.Next = day.AddDate(0, 0, -1).Format(time.DateOnly), day.AddDate(0, 0, 1).Format(time.DateOnly)
	teams, err := c.store.ListTeams(ctx, p.DBID)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		if p.Teams().Includes(t.ID) {
			d.Choices = append(d.Choices, t)
		}
	}
	if team != 0 && !teamIn(d.Choices, team) {
		return nil, &salesmania.Error{Code: salesmania.EBADREQUEST, Message: "No such team in this database.",
			Fields: []salesmania.FieldError{{Field: "team", Message: "is not a team of this database"}}}
	}
	visits, err := c.allVisits(r, p.DBID, salesmania.VisitFilter{Teams: scope, Date: d.Date})
	if err != nil {
		return nil, err
	}
	byTeam := map[int64][]salesmania.Visit{}
	for _, v := range visits {
		byTeam[v.TeamID] = append(byTeam[v.TeamID], v)
	}
	orders := map[int64]dayTotals{}
	err = c.eachOrder(r, p.DBID, salesmania.OrderFilter{Teams: scope, DateFrom: d.Date, DateTo: d.Date}, func(o *salesmania.Order) {
		t := orders[o.TeamID]
		t.Orders++
		t.OrdersTotal = t.OrdersTotal.Add(o.Total)
		orders[o.TeamID] = t
	})
	if err != nil {
		return nil, err
	}
	for _, t := range d.Choices {
		if !scope.Includes(t.ID) {
			continue
		}
		td := teamDay{Team: t, Totals: totalsOf(byTeam[t.ID])}
		td.Totals.add(orders[t.ID])
		for i := range byTeam[t.ID] {
			td.Stops = append(td.Stops, newStopView(&byTeam[t.ID][i], loc))
		}
		d.Totals.add(td.Totals)
		d.Teams = append(d.Teams, td)
	}
	return d, nil
}

func teamIn(teams []salesmania.Team, id int64) bool {
	for _, t := range teams {
		if t.ID == id {
			return true
		}
	}
	return false
}

// allVisits walks every page of a visit list.
func (c *Console) allVisits(r *http.Request, dbID int64, f salesmania.VisitFilter) ([]salesmania.Visit, error) {
	f.Limit = salesmania.MaxListLimit
	var out []salesmania.Visit
	for {
		page, err := c.store.ListVisits(r.Context(), dbID, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Data...)
		if page.NextCursor == nil {
			return out, nil
		}
		if f.After, err = salesmania.ParseCursor(*page.NextCursor); err != nil {
			return nil, err
		}
	}
}

// maxSummedOrders bounds the orders a list page adds up.
const maxSummedOrders = 5000

// eachOrder walks the orders of a filter, at most maxSummedOrders of them;
// it reports whether it saw them all.
func (c *Console) eachOrder(r *http.Request, dbID int64, f salesmania.OrderFilter, fn func(*salesmania.Order)) error {
	_, err := c.eachOrderCapped(r, dbID, f, fn)
	return err
}

func (c *Console) eachOrderCapped(r *http.Request, dbID int64, f salesmania.OrderFilter, fn func(*salesmania.Order)) (complete bool, err error) {
	f.Limit = salesmania.MaxListLimit
	seen := 0
	for {
		page, err := c.store.ListOrders(r.Context(), dbID, f)
		if err != nil {
			return false, err
		}
		for i := range page.Data {
			if seen == maxSummedOrders {
				return false, nil
			}
			fn(&page.Data[i])
			seen++
		}
		if page.NextCursor == nil {
			return true, nil
		}
		if f.After, err = salesmania.ParseCursor(*page.NextCursor); err != nil {
			return false, err
		}
	}
}

// decodeJSON reads the JSON body of one of the console's fetch calls
// strictly: unknown fields and trailing data are refused.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return salesmania.Errorf(salesmania.EBADREQUEST, "The request body is not what the console sends: %s.", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return salesmania.Errorf(salesmania.EBADREQUEST, "The request body has more than one JSON value.")
	}
	return nil
}

func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return te.Field + " has the wrong type"
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return "too large"
	}
	return "malformed JSON"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"Internal error."}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
}

// handleSequence saves the order of a team's day after a drag in the list:
// the body of PUT /visits/sequence, under the same rules (§10).
func (c *Console) handleSequence() handlerFunc {
	type seqView struct {
		ID  int64 `json:"id"`
		Seq int64 `json:"seq"`
	}
	type response struct {
		Data []seqView `json:"data"`
	}
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		var f salesmania.SequenceFields
		if err := decodeJSON(r, &f); err != nil {
			return err
		}
		date, team, ids, err := f.Check(s.Principal)
		if err != nil {
			return err
		}
		day, err := c.store.ReorderDay(r.Context(), s.DBID, team, date, func([]salesmania.Visit) ([]int64, error) { return ids, nil })
		if err != nil {
			return err
		}
		res := response{Data: make([]seqView, len(day))}
		for i, v := range day {
			res.Data[i] = seqView{ID: v.ID, Seq: v.Seq}
		}
		writeJSON(w, http.StatusOK, res)
		return nil
	}
}

// handleOptimize answers the Optimise button with the proposal of §11, and
// the Apply button (apply: true) by storing it under the team's lock.
func (c *Console) handleOptimize() handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, s *session) error {
		var f salesmania.OptimizeFields
		if err := decodeJSON(r, &f); err != nil {
			return err
		}
		req, err := f.Check(s.Principal)
		if err != nil {
			return err
		}
		res, err := salesmania.OptimizeTeamDay(r.Context(), c.store, s.DBID, req)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, res)
		return nil
	}
}
