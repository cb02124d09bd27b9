// Command openapijson writes the joined OpenAPI document, exactly as the
// server serves it at GET /openapi.json, to the file named by its argument
// (or to standard output), so that tools outside Go (the TypeScript
// generator, Redocly, Spectral) can read it without a running server.
package main

import (
	"fmt"
	"os"

	"github.com/salesmania/salesmania/openapi"
)

func main() {
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: openapijson [file]")
		os.Exit(2)
	}
	if len(os.Args) == 2 {
		if err := os.WriteFile(os.Args[1], openapi.Document(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if _, err := os.Stdout.Write(openapi.Document()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
