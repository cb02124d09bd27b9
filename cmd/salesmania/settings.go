package main

import (
	"context"
	"strconv"

	"github.com/salesmania/salesmania"
)

// The settings commands read and change the database's settings (§10.1)
// through the API, as the profile's user: any member may read them, only an
// admin change them. "salesmania admin db set" changes them directly on
// the database.

func settingsCommands() map[string]cliCommand {
	return map[string]cliCommand{
		"show": {summary: "", run: runSettingsShow},
		"set":  {summary: "[--geofence-radius M] [--timezone TZ]", run: runSettingsSet},
	}
}

func runSettingsShow(ctx context.Context, c *cli, args []string) error {
	if _, err := parseArgs(c.flags(), args); err != nil {
		return err
	}
	cl, err := c.connect()
	if err != nil {
		return err
	}
	set, err := cl.Settings.Get(ctx)
	if err != nil {
		return c.describeClientError(err)
	}
	return c.printSettings(set)
}

func runSettingsSet(ctx context.Context, c *cli, args []string) error {
	fs := c.flags()
	var radius floatFlag
	var timezone stringFlag
	fs.Var(&radius, "geofence-radius", "how near its customer, in `metres`, a check-in must be, and how accurate, to be verified (10 to 5000)")
	fs.Var(&timezone, "timezone", "the IANA time `zone` in which the database's dates are days, e.g. Asia/Jakarta, Asia/Makassar, Asia/Jayapura")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if radius.v == nil && timezone.v == nil {
		return &usageError{"give --geofence-radius or --timezone, or both"}
	}
	cl, err := c.connect()
	if err != nil {
		return err
	}
	set, err := cl.Settings.Update(ctx, &salesmania.SettingsFields{GeofenceRadiusM: radius.v, Timezone: timezone.v})
	if err != nil {
		return c.describeClientError(err)
	}
	return c.printSettings(set)
}

func (c *cli) printSettings(set *salesmania.Settings) error {
	if !c.tables() {
		return printJSON(c.stdout, set)
	}
	return printRecord(c.stdout, [][2]string{
		{"geofence_radius_m", strconv.FormatInt(set.GeofenceRadiusM, 10)}, {"timezone", set.Timezone},
	})
}
