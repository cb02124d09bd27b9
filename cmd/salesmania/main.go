// Command salesmania is a self-hostable server of SalesMania's external API,
// and its admin tool. Run "salesmania help" for the commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	// The binary carries the IANA time zone database, so that a database's
	// time zone (§10.1) is known on a machine without zoneinfo files (a
	// scratch or distroless container, Windows); it adds about 400 kB to the binary.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "salesmania:", err)
		os.Exit(exitCode(err))
	}
}
