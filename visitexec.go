package salesmania

import (
	"math"
	"strings"
	"time"
)

// Verifications of a check-in or check-out (§10).
const (
	Verified     = "verified"
	Unverified   = "unverified"
	Unverifiable = "unverifiable"
)

// MaxAccuracyM bounds the accuracy a device may report, in metres.
const MaxAccuracyM = 100000

// VisitCheck is a recorded check-in or check-out (§10): when the server got
// it, when the device says it happened (kept as sent, with its offset, for
// check-ins recorded offline), where the device was, and how that compares
// with the customer's location. A check-out without a position has Lat,
// Lon, AccuracyM, DistanceM and Verification nil.
type VisitCheck struct {
	At           time.Time `json:"at"`
	DeviceTime   *string   `json:"device_time"`
	Lat          *float64  `json:"lat"`
	Lon          *float64  `json:"lon"`
	AccuracyM    *float64  `json:"accuracy_m"`
	Mocked       bool      `json:"mocked"`
	DistanceM    *int64    `json:"distance_m"`
	Verification *string   `json:"verification"`
}

// Verify fills DistanceM and Verification for a check with a position:
// unverifiable when the customer has no location; verified when the
// rounded distance and the accuracy are both within radiusM and the
// position is not mocked; unverified otherwise. A check without a position
// is left with both nil.
func (c *VisitCheck) Verify(customer *Location, radiusM int64) {
	c.DistanceM, c.Verification = nil, nil
	if c.Lat == nil || c.Lon == nil {
		return
	}
	v := Unverifiable
	if customer != nil {
		d := RoundMetres(DistanceM(Location{Lat: *c.Lat, Lon: *c.Lon}, *customer))
		c.DistanceM = &d
		v = Unverified
		if d <= radiusM && c.AccuracyM != nil && *c.AccuracyM <= float64(radiusM) && !c.Mocked {
			v = Verified
		}
	}
	c.Verification = &v
}

// CheckFields is the body of POST /visits/{id}/check-in and check-out
// (§10). Check-in needs a position; check-out takes one optionally, with
// the visit's outcome and notes.
type CheckFields struct {
	Lat        *float64        `json:"lat"`
	Lon        *float64        `json:"lon"`
	AccuracyM  *float64        `json:"accuracy_m"`
	DeviceTime *string         `json:"device_time"`
	Mocked     *bool           `json:"mocked"`
	Outcome    *string         `json:"outcome"`
	Notes      *string         `json:"notes"`
	Nulls      map[string]bool `json:"-"`
}

// SetNulls records the top-level fields the body sent as JSON null.
func (f *CheckFields) SetNulls(nulls map[string]bool) { f.Nulls = nulls }

// NewCheckIn checks a check-in body (outcome and notes belong to the
// check-out and are refused here) and returns the check as of now, not yet
// verified.
func (f *CheckFields) NewCheckIn(now time.Time) (*VisitCheck, error) {
	var p Problems
	if f.Outcome != nil || f.Nulls["outcome"] {
		p.Add("outcome", "is recorded at check-out, not check-in")
	}
	if f.Notes != nil || f.Nulls["notes"] {
		p.Add("notes", "is recorded at check-out or by PATCH, not at check-in")
	}
	for _, name := range []string{"lat", "lon", "accuracy_m"} {
		if f.value(name) == nil {
			p.Add(name, "is required")
		}
	}
	c := f.check(&p, now)
	return c, p.Err()
}

// NewCheckOut checks a check-out body and returns the check as of now, not
// yet verified; lat, lon and accuracy_m come together or not at all.
func (f *CheckFields) NewCheckOut(now time.Time) (*VisitCheck, error) {
	var p Problems
	sent := 0
	for _, name := range []string{"lat", "lon", "accuracy_m"} {
		if f.value(name) != nil {
			sent++
		}
	}
	if sent > 0 && sent < 3 {
		for _, name := range []string{"lat", "lon", "accuracy_m"} {
			if f.value(name) == nil {
				p.Add(name, "is required with the other coordinates: send lat, lon and accuracy_m together, or none of them")
			}
		}
	}
	var outcome, notes string
	setString(&p, "outcome", f.Outcome, &outcome, 0, MaxOutcomeLength)
	setString(&p, "notes", f.Notes, &notes, 0, MaxNotesLength)
	c := f.check(&p, now)
	return c, p.Err()
}

func (f *CheckFields) value(name string) *float64 {
	switch name {
	case "lat":
		return f.Lat
	case "lon":
		return f.Lon
	}
	return f.AccuracyM
}

// check validates the fields both calls share.
func (f *CheckFields) check(p *Problems, now time.Time) *VisitCheck {
	c := &VisitCheck{At: now}
	if f.Lat != nil {
		if !finite(*f.Lat) || *f.Lat < -90 || *f.Lat > 90 {
			p.Add("lat", "must be between -90 and 90")
		}
		c.Lat = f.Lat
	}
	if f.Lon != nil {
		if !finite(*f.Lon) || *f.Lon < -180 || *f.Lon > 180 {
			p.Add("lon", "must be between -180 and 180")
		}
		c.Lon = f.Lon
	}
	if f.AccuracyM != nil {
		if !finite(*f.AccuracyM) || *f.AccuracyM < 0 || *f.AccuracyM > MaxAccuracyM {
			p.Add("accuracy_m", "must be a number of metres from 0 to "+itoa(MaxAccuracyM))
		}
		c.AccuracyM = f.AccuracyM
	}
	if f.DeviceTime != nil {
		s := CleanString(*f.DeviceTime)
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil || len(s) > 40 {
			p.Add("device_time", "must be an RFC 3339 time with its offset, such as 2026-03-02T09:14:05+07:00")
		}
		c.DeviceTime = &s
	}
	if f.Mocked != nil {
		c.Mocked = *f.Mocked
	}
	return c
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// RecordCheckIn records c on v, now checked in, verified against the customer's
// location with the database's geofence radius. Only a planned visit may
// check in (ECONFLICT otherwise).
func (v *Visit) RecordCheckIn(c *VisitCheck, radiusM int64) error {
	if v.Status != VisitPlanned {
		return visitMoveConflict(v.Status, VisitCheckedIn, "check in")
	}
	c.Verify(v.Customer.Location, radiusM)
	v.CheckIn, v.Status = c, VisitCheckedIn
	return nil
}

// RecordCheckOut records c on v, now done, with the outcome and notes of the
// body when sent. Only a checked-in visit may check out (ECONFLICT
// otherwise).
func (v *Visit) RecordCheckOut(c *VisitCheck, f *CheckFields, radiusM int64) error {
	if v.Status != VisitCheckedIn {
		return visitMoveConflict(v.Status, VisitDone, "check out")
	}
	c.Verify(v.Customer.Location, radiusM)
	if f.Outcome != nil {
		v.Outcome = CleanString(*f.Outcome)
	}
	if f.Notes != nil {
		v.Notes = CleanString(*f.Notes)
	}
	v.CheckOut, v.Status = c, VisitDone
	return nil
}

// CanMoveVisit reports whether a visit may go from one status to another
// (§10): planned → checked_in → done, planned ↔ skipped. Staying is no move
// and always allowed.
func CanMoveVisit(from, to string) bool {
	switch {
	case from == to:
		return true
	case from == VisitPlanned:
		return to == VisitCheckedIn || to == VisitSkipped
	case from == VisitCheckedIn:
		return to == VisitDone
	case from == VisitSkipped:
		return to == VisitPlanned
	}
	return false
}

func visitMoveConflict(from, to, action string) error {
	msg := "A " + from + " visit cannot " + action + "."
	switch action {
	case "check in":
		msg += " Only a planned visit checks in."
	case "check out":
		msg += " Only a checked-in visit checks out."
	default:
		msg = "A visit cannot move from " + from + " to " + to + ": visits go planned → checked_in → done, or planned ↔ skipped; done is final."
	}
	return &Error{Code: ECONFLICT, Message: msg, Fields: []FieldError{{Field: "status", Message: "is " + from}}}
}

// Bounds of the fields of a visit (§10).
const (
	MaxNotesLength   = 2000
	MaxOutcomeLength = 100
	MinVisitDuration = 1
	MaxVisitDuration = 600
)

// VisitFields is the body of PATCH /visits/{id} (§10). A nil field was not
// sent.
type VisitFields struct {
	Notes       *string         `json:"notes"`
	Outcome     *string         `json:"outcome"`
	DurationMin *float64        `json:"duration_min"`
	Status      *string         `json:"status"`
	Date        *string         `json:"date"`
	Nulls       map[string]bool `json:"-"`
}

// SetNulls records the top-level fields the body sent as JSON null.
func (f *VisitFields) SetNulls(nulls map[string]bool) { f.Nulls = nulls }

// ApplyTo changes v by the PATCH and reports whether anything changed. A
// new date only sets v.Date: taking the visit out of its day and appending
// it to the new one is the store's. Bad fields are EINVALID; a status move
// the rules forbid, or a new date for a visit that is checked in or done, is
// ECONFLICT. On error v is unchanged.
func (f *VisitFields) ApplyTo(v *Visit) (changed bool, err error) {
	var p Problems
	for _, name := range sortedKeys(f.Nulls) {
		p.Add(name, "must not be null")
	}
	next := *v
	setString(&p, "notes", f.Notes, &next.Notes, 0, MaxNotesLength)
	setString(&p, "outcome", f.Outcome, &next.Outcome, 0, MaxOutcomeLength)
	if f.DurationMin != nil {
		d := *f.DurationMin
		if d != math.Trunc(d) || d < MinVisitDuration || d > MaxVisitDuration {
			p.Add("duration_min", "must be a whole number of minutes from "+itoa(MinVisitDuration)+" to "+itoa(MaxVisitDuration))
		} else {
			next.DurationMin = int64(d)
		}
	}
	if f.Status != nil {
		switch s := CleanString(*f.Status); s {
		case VisitPlanned, VisitSkipped:
			next.Status = s
		default:
			p.Add("status", "must be planned or skipped; a visit is checked in and out by POST …/check-in and …/check-out")
		}
	}
	if f.Date != nil {
		if d, ok := ParseDate(CleanString(*f.Date)); ok {
			next.Date = d
		} else {
			p.Add("date", "must be a date as YYYY-MM-DD between "+MinDate+" and "+MaxDate)
		}
	}
	if err := p.Err(); err != nil {
		return false, err
	}
	if !CanMoveVisit(v.Status, next.Status) {
		return false, visitMoveConflict(v.Status, next.Status, "")
	}
	if next.Date != v.Date && v.Status != VisitPlanned && v.Status != VisitSkipped {
		return false, &Error{Code: ECONFLICT, Message: "A " + v.Status + " visit keeps its date; only planned or skipped visits move to another day.",
			Fields: []FieldError{{Field: "date", Message: "cannot change while the visit is " + v.Status}}}
	}
	changed = next.Notes != v.Notes || next.Outcome != v.Outcome || next.DurationMin != v.DurationMin ||
		next.Status != v.Status || next.Date != v.Date
	*v = next
	return changed, nil
}

// CanDelete returns ECONFLICT unless v is planned or skipped: a visit that
// was checked in is a record of what happened (§10).
func (v *Visit) CanDelete() error {
	if v.Status == VisitPlanned || v.Status == VisitSkipped {
		return nil
	}
	return &Error{Code: ECONFLICT, Message: "A " + v.Status + " visit is a record of what happened and cannot be deleted; only planned or skipped visits can.",
		Fields: []FieldError{{Field: "status", Message: "is " + v.Status}}}
}

// SequenceFields is the body of PUT /visits/sequence (§10): a day's whole
// order at once.
type SequenceFields struct {
	Date     *string  `json:"date"`
	TeamID   *int64   `json:"team_id"`
	VisitIDs *[]int64 `json:"visit_ids"`
}

// MaxDayVisits bounds the visits of one team's day that one call reorders.
const MaxDayVisits = 1000

// Check returns the day and team the body names for principal p, and the
// ids: EINVALID for bad fields, EFORBIDDEN when a member names another team.
// Whether the ids are exactly the day's is CheckSequence's to say.
func (f *SequenceFields) Check(p Principal) (date string, team int64, ids []int64, err error) {
	var pr Problems
	date = requiredDate(&pr, "date", f.Date)
	requested := requestedTeam(&pr, f.TeamID)
	switch {
	case f.VisitIDs == nil:
		pr.Add("visit_ids", "is required")
	case len(*f.VisitIDs) > MaxDayVisits:
		pr.Add("visit_ids", "must have at most "+itoa(MaxDayVisits)+" ids")
	default:
		ids = *f.VisitIDs
	}
	if err := pr.Err(); err != nil {
		return "", 0, nil, err
	}
	if team, err = p.TeamFor(requested); err != nil {
		return "", 0, nil, err
	}
	return date, team, ids, nil
}

// CheckSequence returns EINVALID naming visit_ids unless ids are exactly
// the ids of the day's visits, each once.
func CheckSequence(day []Visit, ids []int64) error {
	want := make(map[int64]bool, len(day))
	for _, v := range day {
		want[v.ID] = true
	}
	seen := make(map[int64]bool, len(ids))
	var problems []string
	for i, id := range ids {
		switch {
		case seen[id]:
			problems = append(problems, "lists visit "+itoa64(id)+" twice (at index "+itoa(i)+")")
		case !want[id]:
			problems = append(problems, "visit "+itoa64(id)+" (at index "+itoa(i)+") is not a visit of this team on this date")
		}
		seen[id] = true
	}
	if countTrue(seen, want) < len(day) {
		msg := "must list every visit of the day; missing:"
		for _, v := range day {
			if !seen[v.ID] {
				msg += " " + itoa64(v.ID)
			}
		}
		problems = append(problems, msg)
	}
	if len(problems) > 0 {
		return &Error{Code: EINVALID, Message: "visit_ids must be exactly the ids of the day's visits, each once, in the new order.",
			Fields: []FieldError{{Field: "visit_ids", Message: strings.Join(problems, "; ")}}}
	}
	return nil
}

func countTrue(seen, want map[int64]bool) int {
	n := 0
	for id := range seen {
		if want[id] {
			n++
		}
	}
	return n
}

func itoa64(n int64) string {
	if n >= math.MinInt && n <= math.MaxInt {
		return itoa(int(n))
	}
	return "?"
}
