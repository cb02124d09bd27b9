package main

import (
	"context"
	"flag"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
)

func visitCommands() map[string]cliCommand {
	return map[string]cliCommand{
		"list": visitResource.listCommand(),
		"add": {
			summary: "--customer-id C [--date D] [--team-id T]",
			run:     runVisitsAdd,
		},
		"show": visitResource.getCommand(),
		"check-in": {
			summary: "ID --lat L --lon L --accuracy M [--device-time T] [--mocked]",
			run:     runVisitsCheckIn,
		},
		"check-out": {
			summary: "ID [--lat L --lon L --accuracy M] [--device-time T] [--mocked] [--outcome O] [--notes N]",
			run:     runVisitsCheckOut,
		},
		"skip":    {summary: "ID [--outcome O]", run: runVisitsSkip},
		"unskip":  {summary: "ID", run: runVisitsUnskip},
		"move":    {summary: "ID --date D", run: runVisitsMove},
		"rm":      visitResource.rmCommand(),
		"reorder": {summary: "--date D [--team-id T] ID…", run: runVisitsReorder},
		"optimize": {
			summary: "--date D [--team-id T] [--start LAT,LON] [--end LAT,LON] [--depart-at HH:MM] [--speed KMH] [--apply]",
			run:     runVisitsOptimize,
		},
	}
}

// today is the local date, the default day of the visit commands.
func today() string { return time.Now().Format(time.DateOnly) }

// visitResource lists and shows visits, with how their check-in was judged.
var visitResource = &resource[salesmania.Visit, client.VisitListOptions]{
	service:     func(cl *client.Client) service[salesmania.Visit, client.VisitListOptions] { return cl.Visits },
	name:        "visit",
	listSummary: "[--date D | --from D --to D] [--team-id T] [--customer-id C] [--limit 100]",
	filters: func(fs *flag.FlagSet, o *client.VisitListOptions) (*int, func() error) {
		fs.StringVar(&o.Date, "date", "", "the day's visits, YYYY-MM-DD (default today, unless --from and --to are given)")
		fs.StringVar(&o.DateFrom, "from", "", "the first day of a range, YYYY-MM-DD (with --to; at most 92 days)")
		fs.StringVar(&o.DateTo, "to", "", "the last day of the range, YYYY-MM-DD")
		ids := teamCustomerFilters(fs, "visits", &o.TeamID, &o.CustomerID)
		return &o.Limit, checkAll(dateFilters([]string{"date", "from", "to"}, &o.Date, &o.DateFrom, &o.DateTo), func() error {
			switch {
			case o.Date != "" && (o.DateFrom != "" || o.DateTo != ""):
				return &usageError{"give --date, or --from and --to, not both"}
			case (o.DateFrom == "") != (o.DateTo == ""):
				return &usageError{"--from and --to go together"}
			case o.DateFrom > o.DateTo:
				return &usageError{"--to must not be before --from"}
			case o.Date == "" && o.DateFrom == "":
				o.Date = today()
			}
			return nil
		}, ids)
	},
	removed: "visit %d deleted",
	lister: lister[salesmania.Visit]{
		header: []string{"ID", "DATE", "TEAM_ID", "SEQ", "CUSTOMER_ID", "CUSTOMER", "CITY", "STATUS", "CHECK_IN"},
		cells: func(v salesmania.Visit) []string {
			checkIn := ""
			if v.CheckIn != nil && v.CheckIn.Verification != nil {
				checkIn = *v.CheckIn.Verification
			}
			return []string{strconv.FormatInt(v.ID, 10), v.Date, strconv.FormatInt(v.TeamID, 10), strconv.FormatInt(v.Seq, 10),
				strconv.FormatInt(v.CustomerID, 10), v.Customer.Name, v.Customer.City, v.Status, checkIn}
		},
	},
	show: func(w io.Writer, v *salesmania.Visit) error { return printRecord(w, visitRecord(v)) },
}

func runVisitsAdd(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var date string
	var customerID, teamID int64
	fs.StringVar(&date, "date", "", "the day of the visit, YYYY-MM-DD (default today)")
	fs.Int64Var(&customerID, "customer-id", 0, "the customer to visit (required)")
	fs.Int64Var(&teamID, "team-id", 0, "the team that visits (default your own; an admin may name another)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := checkDateFlag("date", date); err != nil {
		return err
	}
	if err := positive(map[string]*int64{"customer-id": &customerID})(); err != nil {
		return &usageError{err.Error()}
	}
	if teamID < 0 {
		return &usageError{"--team-id must be a positive id"}
	}
	if date == "" {
		date = today()
	}
	in := salesmania.VisitCreate{Date: &date, CustomerID: &customerID}
	if teamID != 0 {
		in.TeamID = &teamID
	}
	return visitResource.answer(c, func(cl *client.Client) (*salesmania.Visit, error) { return cl.Visits.Append(ctx, &in) })
}

// visitRecord is a visit as "name: value" lines, with its check-in and
// check-out in words.
func visitRecord(v *salesmania.Visit) [][2]string {
	rec := [][2]string{
		{"id", strconv.FormatInt(v.ID, 10)}, {"date", v.Date}, {"team_id", strconv.FormatInt(v.TeamID, 10)},
		{"seq", strconv.FormatInt(v.Seq, 10)}, {"customer", strconv.FormatInt(v.CustomerID, 10) + " " + oneLine(v.Customer.Name)},
		{"city", oneLine(v.Customer.City)}, {"status", v.Status}, {"duration", strconv.FormatInt(v.DurationMin, 10) + " min"},
		{"outcome", oneLine(v.Outcome)}, {"notes", oneLine(v.Notes)},
		{"check_in", checkText(v.CheckIn)}, {"check_out", checkText(v.CheckOut)},
	}
	if v.PlanID != nil {
		rec = append(rec, [2]string{"plan_id", strconv.FormatInt(*v.PlanID, 10)})
	}
	return append(rec, [2]string{"created_at", formatTime(v.CreatedAt)}, [2]string{"updated_at", formatTime(v.UpdatedAt)})
}

// checkText says what a check-in or check-out recorded: how it was judged
// and why, where the device was, and when: "verified: 4 m from the
// customer, ±12 m, at 2026-03-02 09:14:09"; "" when there is none.
func checkText(ch *salesmania.VisitCheck) string {
	if ch == nil {
		return ""
	}
	var parts []string
	switch {
	case ch.Verification == nil:
		parts = append(parts, "no position")
	case ch.DistanceM == nil:
		parts = append(parts, *ch.Verification+": the customer has no location")
	default:
		parts = append(parts, *ch.Verification+": "+formatMetres(*ch.DistanceM)+" from the customer")
	}
	if ch.AccuracyM != nil {
		parts = append(parts, "±"+strconv.FormatFloat(*ch.AccuracyM, 'f', -1, 64)+" m")
	}
	if ch.Mocked {
		parts = append(parts, "mocked position")
	}
	parts = append(parts, "at "+formatTime(ch.At))
	if ch.DeviceTime != nil {
		parts = append(parts, "device time "+*ch.DeviceTime)
	}
	return strings.Join(parts, ", ")
}

// formatMetres writes a distance with its thousands apart: "1 401 m".
func formatMetres(m int64) string {
	s := strconv.FormatInt(m, 10)
	sign := ""
	if m < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + " " + s[i:]
	}
	return sign + s + " m"
}

// oneLine makes a text one line for a record: control characters such as
// newlines become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// positionFlags are the flags of a check-in or check-out: where the device
// is, how sure it is, and when it took the position.
type positionFlags struct {
	lat, lon, accuracy floatFlag
	deviceTime         stringFlag
	mocked             bool
}

func (p *positionFlags) register(fs *flag.FlagSet) {
	fs.Var(&p.lat, "lat", "the device's latitude, `degrees` (-90 to 90)")
	fs.Var(&p.lon, "lon", "the device's longitude, `degrees` (-180 to 180)")
	fs.Var(&p.accuracy, "accuracy", "the position's accuracy in `metres`, as the device reports it (0 to 100000)")
	fs.Var(&p.deviceTime, "device-time", "when the device took the position, RFC 3339 `time` with its offset, e.g. 2026-03-02T09:14:05+07:00 (for a check recorded offline)")
	fs.BoolVar(&p.mocked, "mocked", false, "the position comes from a mock-location app (never verified)")
}

// named returns the position flags by name.
func (p *positionFlags) named() map[string]*floatFlag {
	return map[string]*floatFlag{"lat": &p.lat, "lon": &p.lon, "accuracy": &p.accuracy}
}

func (p *positionFlags) fields() *salesmania.CheckFields {
	f := &salesmania.CheckFields{Lat: p.lat.v, Lon: p.lon.v, AccuracyM: p.accuracy.v, DeviceTime: p.deviceTime.v}
	if p.mocked {
		f.Mocked = &p.mocked
	}
	return f
}

// checkLocally refuses, before anything is sent, what the server would
// refuse by the same rules, naming the flags.
func checkLocally(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{describeError(err).Error()}
}

func runVisitsCheckIn(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var p positionFlags
	p.register(fs)
	id, err := visitResource.parseID(fs, args)
	if err != nil {
		return err
	}
	if err := missingFlags(p.named()); err != nil {
		return err
	}
	f := p.fields()
	if _, err := f.NewCheckIn(time.Now()); err != nil {
		return checkLocally(err)
	}
	return visitResource.answer(c, func(cl *client.Client) (*salesmania.Visit, error) { return cl.Visits.CheckIn(ctx, id, f) })
}

func runVisitsCheckOut(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var p positionFlags
	var outcome, notes stringFlag
	p.register(fs)
	fs.Var(&outcome, "outcome", "how the visit ended (`text`), e.g. Order, Tutup, Stok penuh (at most 100 characters)")
	fs.Var(&notes, "notes", "the visit's notes (`text` of at most 2000 characters)")
	id, err := visitResource.parseID(fs, args)
	if err != nil {
		return err
	}
	if missing := missingFlags(p.named()); missing != nil && (p.lat.v != nil || p.lon.v != nil || p.accuracy.v != nil) {
		return &usageError{"--lat, --lon and --accuracy go together: give all three or none (" + missing.Error() + ")"}
	}
	f := p.fields()
	f.Outcome, f.Notes = outcome.v, notes.v
	if _, err := f.NewCheckOut(time.Now()); err != nil {
		return checkLocally(err)
	}
	return visitResource.answer(c, func(cl *client.Client) (*salesmania.Visit, error) { return cl.Visits.CheckOut(ctx, id, f) })
}

// updateVisit sends a PATCH of visit id and prints the visit.
func (c *cli) updateVisit(ctx context.Context, id int64, f *salesmania.VisitFields) error {
	return visitResource.answer(c, func(cl *client.Client) (*salesmania.Visit, error) { return cl.Visits.Update(ctx, id, f) })
}

func runVisitsSkip(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var outcome stringFlag
	fs.Var(&outcome, "outcome", "why the visit was skipped (`text`), e.g. Tutup (at most 100 characters)")
	id, err := visitResource.parseID(fs, args)
	if err != nil {
		return err
	}
	return c.updateVisit(ctx, id, &salesmania.VisitFields{Status: new(salesmania.VisitSkipped), Outcome: outcome.v})
}

func runVisitsUnskip(ctx context.Context, c *cli, args []string) error {
	id, err := visitResource.parseID(c.flags(), args)
	if err != nil {
		return err
	}
	return c.updateVisit(ctx, id, &salesmania.VisitFields{Status: new(salesmania.VisitPlanned)})
}

func runVisitsMove(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var date string
	fs.StringVar(&date, "date", "", "the new day, YYYY-MM-DD (required); the visit comes last in that day's route")
	id, err := visitResource.parseID(fs, args)
	if err != nil {
		return err
	}
	if err := requiredDate(date); err != nil {
		return err
	}
	return c.updateVisit(ctx, id, &salesmania.VisitFields{Date: &date})
}

// requiredDate checks the --date flag a command needs.
func requiredDate(date string) error {
	if date == "" {
		return &usageError{"missing required flag --date"}
	}
	return checkDateFlag("date", date)
}

func runVisitsReorder(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var date string
	var teamID int64
	fs.StringVar(&date, "date", "", "the day to reorder, YYYY-MM-DD (required)")
	fs.Int64Var(&teamID, "team-id", 0, "the team whose day it is (default your own; an admin may name another)")
	pos, err := parsePositionals(fs, args)
	if err != nil {
		return err
	}
	if err := requiredDate(date); err != nil {
		return err
	}
	if teamID < 0 {
		return &usageError{"--team-id must be a positive id"}
	}
	if len(pos) == 0 {
		return &usageError{fs.Name() + ": missing ID…: give every visit id of the day, in the new order"}
	}
	ids := make([]int64, len(pos))
	for i, s := range pos {
		if ids[i], err = parseID("a visit ID", s); err != nil {
			return err
		}
	}
	cl, err := c.connect()
	if err != nil {
		return err
	}
	day, err := cl.Visits.Reorder(ctx, date, teamID, ids)
	if err != nil {
		return c.describeClientError(err)
	}
	return visitResource.print(c, rowsOf(day), 0)
}
