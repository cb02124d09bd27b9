package main

import (
	"context"
	"strconv"
	"time"

	"github.com/salesmania/salesmania"
	"github.com/salesmania/salesmania/client"
)

func visitCommands() map[string]cliCommand {
	return map[string]cliCommand{
		"list": {
			summary: "[--date D | --from D --to D] [--team-id T] [--customer-id C] [--limit 100]",
			run:     runVisitsList,
		},
		"add": {
			summary: "--customer-id C [--date D] [--team-id T]",
			run:     runVisitsAdd,
		},
	}
}

// today is the local date, the default day of the visit commands.
func today() string { return time.Now().Format(time.DateOnly) }

func runVisitsList(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var opts client.VisitListOptions
	var limit int
	fs.StringVar(&opts.Date, "date", "", "the day's visits, YYYY-MM-DD (default today, unless --from and --to are given)")
	fs.StringVar(&opts.DateFrom, "from", "", "the first day of a range, YYYY-MM-DD (with --to; at most 92 days)")
	fs.StringVar(&opts.DateTo, "to", "", "the last day of the range, YYYY-MM-DD")
	fs.Int64Var(&opts.TeamID, "team-id", 0, "one team's visits (a member sees only its own team's)")
	fs.Int64Var(&opts.CustomerID, "customer-id", 0, "one customer's visits")
	fs.IntVar(&limit, "limit", 100, "the most rows to show; 0 for all")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	for _, f := range [][2]string{{"date", opts.Date}, {"from", opts.DateFrom}, {"to", opts.DateTo}} {
		if err := checkDateFlag(f[0], f[1]); err != nil {
			return err
		}
	}
	switch {
	case opts.Date != "" && (opts.DateFrom != "" || opts.DateTo != ""):
		return &usageError{"give --date, or --from and --to, not both"}
	case (opts.DateFrom == "") != (opts.DateTo == ""):
		return &usageError{"--from and --to go together"}
	case opts.DateFrom > opts.DateTo:
		return &usageError{"--to must not be before --from"}
	case opts.Date == "" && opts.DateFrom == "":
		opts.Date = today()
	}
	if opts.TeamID < 0 || opts.CustomerID < 0 {
		return &usageError{"--team-id and --customer-id must be positive ids"}
	}
	if limit < 0 {
		return &usageError{"--limit must be 0 (all) or more"}
	}
	cl, err := c.connect()
	if err != nil {
		return err
	}
	opts.Limit = pageSize(limit)
	return lister[salesmania.Visit]{
		header: []string{"ID", "DATE", "TEAM_ID", "SEQ", "CUSTOMER_ID", "CUSTOMER", "CITY", "STATUS"},
		cells: func(v salesmania.Visit) []string {
			return []string{strconv.FormatInt(v.ID, 10), v.Date, strconv.FormatInt(v.TeamID, 10), strconv.FormatInt(v.Seq, 10),
				strconv.FormatInt(v.CustomerID, 10), v.Customer.Name, v.Customer.City, v.Status}
		},
	}.print(c, cl.Visits.All(ctx, &opts), limit)
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
	cl, err := c.connect()
	if err != nil {
		return err
	}
	in := salesmania.VisitCreate{Date: &date, CustomerID: &customerID}
	if teamID != 0 {
		in.TeamID = &teamID
	}
	v, err := cl.Visits.Append(ctx, &in)
	if err != nil {
		return c.describeClientError(err)
	}
	if !c.tables() {
		return printJSON(c.stdout, v)
	}
	return printRecord(c.stdout, [][2]string{
		{"id", strconv.FormatInt(v.ID, 10)}, {"date", v.Date}, {"team_id", strconv.FormatInt(v.TeamID, 10)},
		{"seq", strconv.FormatInt(v.Seq, 10)}, {"customer", strconv.FormatInt(v.CustomerID, 10) + " " + v.Customer.Name},
		{"city", v.Customer.City}, {"status", v.Status},
	})
}
