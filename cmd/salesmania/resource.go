package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"iter"

	"github.com/salesmania/salesmania/client"
)

// resource is what the client commands know of one resource of the API
// (customers, products, orders, visits, visit plans): how to find its rows
// (the filters of its list command) and how to show them (a table of rows,
// or one row as a record). T is its row (salesmania.Customer), O its list
// options (client.CustomerListOptions). The commands made from it, list,
// get and rm, work alike for every resource, so a new one is its filters,
// columns and record.
type resource[T, O any] struct {
	name string // "customer", as in "the customer ID"
	// service is the resource's service of the client, cl.Customers.
	service   func(cl *client.Client) service[T, O]
	lister[T] // the columns of the list's table
	// show writes one row for people: its fields as printRecord's "name:
	// value" lines, and what else it holds (an order's lines).
	show func(w io.Writer, row *T) error

	listSummary string // the list command's flags, for its usage line
	// filters registers the list's filter flags into opts and returns
	// where the page size goes (&opts.Limit) and the check of the flags'
	// values, run once they are parsed.
	filters func(fs *flag.FlagSet, opts *O) (limit *int, check func() error)
	removed string // what rm says ("visit %d deleted"); "" if it has none
}

// service is what the client's services of the resources have in common
// (client.CustomerService, …).
type service[T, O any] interface {
	All(ctx context.Context, opts *O) iter.Seq2[T, error]
	Get(ctx context.Context, id int64) (*T, error)
}

// deleter is a service whose rows can be deleted.
type deleter interface {
	Delete(ctx context.Context, id int64) error
}

// listCommand is "NOUN list [filters] [--limit N]": the matching rows, a
// table on a terminal and JSON lines otherwise.
func (r *resource[T, O]) listCommand() cliCommand {
	return cliCommand{summary: r.listSummary, run: func(ctx context.Context, c *cli, args []string) error {
		fs := c.flags()
		var opts O
		pageLimit, check := r.filters(fs, &opts)
		var limit int
		fs.IntVar(&limit, "limit", 100, "the most rows to show; 0 for all")
		if _, err := parseArgs(fs, args); err != nil {
			return err
		}
		if err := check(); err != nil {
			return err
		}
		if limit < 0 {
			return &usageError{"--limit must be 0 (all) or more"}
		}
		cl, err := c.connect()
		if err != nil {
			return err
		}
		*pageLimit = pageSize(limit)
		return r.print(c, r.service(cl).All(ctx, &opts), limit)
	}}
}

// getCommand is "NOUN get ID": one row, a record on a terminal and JSON
// otherwise.
func (r *resource[T, O]) getCommand() cliCommand {
	return cliCommand{summary: "ID", run: func(ctx context.Context, c *cli, args []string) error {
		id, err := r.parseID(c.flags(), args)
		if err != nil {
			return err
		}
		return r.answer(c, func(cl *client.Client) (*T, error) { return r.service(cl).Get(ctx, id) })
	}}
}

// rmCommand is "NOUN rm ID": it deletes a row and says so, as
// {"id":…,"deleted":true} when not on a terminal.
func (r *resource[T, O]) rmCommand() cliCommand {
	return cliCommand{summary: "ID", run: func(ctx context.Context, c *cli, args []string) error {
		id, err := r.parseID(c.flags(), args)
		if err != nil {
			return err
		}
		cl, err := c.connect()
		if err != nil {
			return err
		}
		if err := r.service(cl).(deleter).Delete(ctx, id); err != nil {
			return c.describeClientError(err)
		}
		if !c.tables() {
			return printJSON(c.stdout, struct {
				ID      int64 `json:"id"`
				Deleted bool  `json:"deleted"`
			}{id, true})
		}
		_, err = fmt.Fprintf(c.stdout, r.removed+"\n", id)
		return err
	}}
}

// parseID parses a command's flags and its one positional argument, the
// id of a row.
func (r *resource[T, O]) parseID(fs *flag.FlagSet, args []string) (int64, error) {
	pos, err := parseArgs(fs, args, "ID")
	if err != nil {
		return 0, err
	}
	return parseID("the "+r.name+" ID", pos[0])
}

// answer connects, makes the call do, which answers one row, and prints
// the row: as show writes it on a terminal, as JSON otherwise.
func (r *resource[T, O]) answer(c *cli, do func(cl *client.Client) (*T, error)) error {
	cl, err := c.connect()
	if err != nil {
		return err
	}
	row, err := do(cl)
	if err != nil {
		return c.describeClientError(err)
	}
	if !c.tables() {
		return printJSON(c.stdout, row)
	}
	return r.show(c.stdout, row)
}

// boolFilter registers a true/false filter flag into v ("" for no filter)
// and returns the check of its value.
func boolFilter(fs *flag.FlagSet, name, usage string, v **bool) func() error {
	s := fs.String(name, "", usage)
	return func() (err error) {
		*v, err = parseBoolFlag(name, *s)
		return err
	}
}

// teamCustomerFilters registers --team-id and --customer-id, which keep
// one team's or one customer's rows (plural names them), into teamID and
// customerID, and returns the check of their values.
func teamCustomerFilters(fs *flag.FlagSet, plural string, teamID, customerID *int64) func() error {
	fs.Int64Var(teamID, "team-id", 0, "one team's "+plural+" (a member sees only its own team's)")
	fs.Int64Var(customerID, "customer-id", 0, "one customer's "+plural)
	return func() error {
		if *teamID < 0 || *customerID < 0 {
			return &usageError{"--team-id and --customer-id must be positive ids"}
		}
		return nil
	}
}

// dateFilters returns the check that each date flag of names holds a
// YYYY-MM-DD date, if given; values are the flags' variables, in the same
// order.
func dateFilters(names []string, values ...*string) func() error {
	return func() error {
		for i, name := range names {
			if err := checkDateFlag(name, *values[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// checkAll returns a check that runs each of checks in turn until one
// fails.
func checkAll(checks ...func() error) func() error {
	return func() error {
		for _, check := range checks {
			if err := check(); err != nil {
				return err
			}
		}
		return nil
	}
}
