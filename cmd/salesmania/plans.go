package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
)

// The plans commands manage visit plans, the call cycles ("rute
// kunjungan") that repeat a customer's visit on weekdays (§12), and turn a
// range of days of them into visits.

func planCommands() map[string]cliCommand {
	return map[string]cliCommand{
		"list": planResource.listCommand(),
		"add": {
			summary: "--customer-id C --weekdays 1,4 --start-date D [--every-weeks 2] [--end-date D] [--duration 30] [--team-id T]",
			run:     runPlansAdd,
		},
		"rm": planResource.rmCommand(),
		"materialize": {
			summary: "--from D --to D [--team-id T] [--optimize]",
			run:     runPlansMaterialize,
		},
	}
}

var planResource = &resource[salesmania.VisitPlan, client.VisitPlanListOptions]{
	service: func(cl *client.Client) service[salesmania.VisitPlan, client.VisitPlanListOptions] {
		return cl.VisitPlans
	},
	name:        "plan",
	listSummary: "[--team-id T] [--customer-id C] [--active true|false] [--limit 100]",
	filters: func(fs *flag.FlagSet, o *client.VisitPlanListOptions) (*int, func() error) {
		active := boolFilter(fs, "active", "true for active plans only, false for deactivated ones", &o.Active)
		return &o.Limit, checkAll(active, teamCustomerFilters(fs, "plans", &o.TeamID, &o.CustomerID))
	},
	removed: "visit plan %d deleted; the visits made from it stay",
	lister: lister[salesmania.VisitPlan]{
		header: []string{"ID", "TEAM_ID", "CUSTOMER_ID", "WEEKDAYS", "EVERY", "START", "END", "DURATION", "ACTIVE"},
		cells: func(p salesmania.VisitPlan) []string {
			return []string{strconv.FormatInt(p.ID, 10), strconv.FormatInt(p.TeamID, 10), strconv.FormatInt(p.CustomerID, 10),
				weekdayNames(p.Weekdays), everyText(p.EveryWeeks), p.StartDate, optionalText(p.EndDate),
				strconv.FormatInt(p.DurationMin, 10) + " min", activeText(p.Active)}
		},
	},
	show: func(w io.Writer, p *salesmania.VisitPlan) error {
		return printRecord(w, [][2]string{
			{"id", strconv.FormatInt(p.ID, 10)}, {"team_id", strconv.FormatInt(p.TeamID, 10)}, {"customer_id", strconv.FormatInt(p.CustomerID, 10)},
			{"weekdays", weekdayNames(p.Weekdays)}, {"every", everyText(p.EveryWeeks)}, {"start_date", p.StartDate},
			{"end_date", optionalText(p.EndDate)}, {"duration", strconv.FormatInt(p.DurationMin, 10) + " min"}, {"active", activeText(p.Active)},
			{"created_at", formatTime(p.CreatedAt)}, {"updated_at", formatTime(p.UpdatedAt)},
		})
	},
}

func runPlansAdd(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var customerID, teamID int64
	var weekdays, startDate, endDate stringFlag
	var everyWeeks, duration floatFlag
	fs.Int64Var(&customerID, "customer-id", 0, "the customer to visit (required)")
	fs.Var(&weekdays, "weekdays", "the `days` of the week to visit on, as ISO numbers 1 (Monday) to 7 (Sunday) or names: 1,4 or mon,thu or senin,kamis (required)")
	fs.Var(&startDate, "start-date", "the first `day` of the plan, YYYY-MM-DD (required)")
	fs.Var(&everyWeeks, "every-weeks", "visit every `N`th week, 1 to 8, counted from the week of --start-date (default 1)")
	fs.Var(&endDate, "end-date", "the last `day` of the plan, YYYY-MM-DD (default: no end)")
	fs.Var(&duration, "duration", "how long each visit lasts, in `minutes` (default 15)")
	fs.Int64Var(&teamID, "team-id", 0, "the team that visits (default your own; an admin may name another)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	var missing []string
	for name, given := range map[string]bool{"customer-id": customerID != 0, "weekdays": weekdays.v != nil, "start-date": startDate.v != nil} {
		if !given {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return &usageError{"missing required flag " + strings.Join(missing, ", ")}
	}
	if customerID < 0 || teamID < 0 {
		return &usageError{"--customer-id and --team-id must be positive ids"}
	}
	days, err := parseWeekdays(*weekdays.v)
	if err != nil {
		return err
	}
	f := &salesmania.VisitPlanFields{CustomerID: &customerID, Weekdays: &days, StartDate: startDate.v, EndDate: endDate.v,
		EveryWeeks: everyWeeks.v, DurationMin: duration.v}
	if teamID != 0 {
		f.TeamID = &teamID
	}
	if _, err := f.NewVisitPlan(anyAdmin); err != nil {
		return checkLocally(err)
	}
	return planResource.answer(c, func(cl *client.Client) (*salesmania.VisitPlan, error) { return cl.VisitPlans.Create(ctx, f) })
}

// weekdayNumbers are the names --weekdays takes, English and Indonesian,
// with their ISO numbers.
var weekdayNumbers = map[string]float64{
	"mon": 1, "monday": 1, "senin": 1,
	"tue": 2, "tuesday": 2, "selasa": 2,
	"wed": 3, "wednesday": 3, "rabu": 3,
	"thu": 4, "thursday": 4, "kamis": 4,
	"fri": 5, "friday": 5, "jumat": 5, "jum'at": 5,
	"sat": 6, "saturday": 6, "sabtu": 6,
	"sun": 7, "sunday": 7, "minggu": 7,
}

// parseWeekdays reads --weekdays: numbers or names separated by commas.
// Numbers pass as they are, for the domain to check (1 to 7, each once).
func parseWeekdays(s string) ([]float64, error) {
	days := []float64{}
	if strings.TrimSpace(s) == "" {
		return days, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		w := strings.ToLower(strings.TrimSpace(part))
		if n, ok := weekdayNumbers[w]; ok {
			days = append(days, n)
			continue
		}
		n, err := strconv.Atoi(w)
		if err != nil {
			return nil, &usageError{fmt.Sprintf("--weekdays: %q is not a weekday; give ISO numbers 1 (Monday) to 7 (Sunday) or names, as 1,4 or mon,thu", strings.TrimSpace(part))}
		}
		days = append(days, float64(n))
	}
	return days, nil
}

// weekdayNames writes ISO weekdays as "Mon, Thu".
func weekdayNames(days []int) string {
	names := [...]string{"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	out := make([]string, len(days))
	for i, d := range days {
		if d >= 1 && d <= 7 {
			out[i] = names[d]
		} else {
			out[i] = strconv.Itoa(d)
		}
	}
	return strings.Join(out, ", ")
}

func everyText(weeks int) string {
	if weeks == 1 {
		return "week"
	}
	return strconv.Itoa(weeks) + " weeks"
}

func runPlansMaterialize(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var from, to string
	var teamID int64
	var optimize bool
	fs.StringVar(&from, "from", "", "the first day, YYYY-MM-DD (required)")
	fs.StringVar(&to, "to", "", "the last day, YYYY-MM-DD (required; at most 92 days from --from, both included)")
	fs.Int64Var(&teamID, "team-id", 0, "one team's plans (default: your own team's; an admin's: every team's)")
	fs.BoolVar(&optimize, "optimize", false, "then optimise, and store, the route of each day that got visits")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	switch {
	case from == "" || to == "":
		return &usageError{"--from and --to are required"}
	case teamID < 0:
		return &usageError{"--team-id must be a positive id"}
	}
	for _, fl := range [][2]string{{"from", from}, {"to", to}} {
		if err := checkDateFlag(fl[0], fl[1]); err != nil {
			return err
		}
	}
	f := &salesmania.MaterializeFields{DateFrom: &from, DateTo: &to}
	if teamID != 0 {
		f.TeamID = &teamID
	}
	if optimize {
		f.Optimize = &optimize
	}
	if _, _, _, _, err := f.Check(anyAdmin); err != nil {
		return checkLocally(err)
	}
	cl, err := c.connect()
	if err != nil {
		return err
	}
	res, err := cl.VisitPlans.Materialize(ctx, f)
	if err != nil {
		return c.describeClientError(err)
	}
	if !c.tables() {
		return printJSON(c.stdout, res)
	}
	if res.Created == 0 {
		_, err := fmt.Fprintf(c.stdout, "no new visits: every occurrence from %s to %s was made before\n", from, to)
		return err
	}
	t := newTable(c.stdout, "DATE", "TEAM_ID", "CREATED")
	for _, d := range res.Days {
		t.row(d.Date, strconv.FormatInt(d.TeamID, 10), strconv.Itoa(d.Created))
	}
	if err := t.flush(); err != nil {
		return err
	}
	dates := map[string]bool{}
	for _, d := range res.Days {
		dates[d.Date] = true
	}
	summary := fmt.Sprintf("%d visits created on %d days", res.Created, len(dates))
	if optimize {
		summary += ", each day's route optimised"
	}
	_, err = fmt.Fprintln(c.stdout, summary)
	return err
}
