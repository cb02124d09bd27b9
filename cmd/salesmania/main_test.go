package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
)

// TestMain lets the test binary double as the salesmania program, so that
// tests can start real server processes (see startProcess). With
// SALESMANIA_TEST_RUN_SERVER=1 it runs the command line in
// SALESMANIA_TEST_ARGS until SIGINT or SIGTERM and exits as main does;
// otherwise it runs the tests.
func TestMain(m *testing.M) {
	if os.Getenv("SALESMANIA_TEST_RUN_SERVER") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		args := append([]string{"salesmania"}, strings.Fields(os.Getenv("SALESMANIA_TEST_ARGS"))...)
		err := run(ctx, args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "salesmania:", err)
			os.Exit(exitCode(err))
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
