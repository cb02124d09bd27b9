// Package tsclient_test generates a TypeScript client from the OpenAPI
// document with openapi-typescript (types) and openapi-fetch (calls), as an
// integrator would from GET /openapi.json, and drives it against the real
// server with Node's test runner (client.test.ts).
//
// The npm packages come from package.json and package-lock.json in this
// directory; run.sh installs them (npm ci) and runs this test. Without
// them, or without node, the test skips, unless SALESMANIA_REQUIRE_NODE=1.
package tsclient_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/salesmania/salesmania/internal/clienttest"
	"github.com/salesmania/salesmania/openapi"
)

func TestTypeScriptClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		skipOrFail(t, "no node: "+err.Error())
	}
	here, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	modules := filepath.Join(here, "node_modules")
	for _, tool := range []string{"openapi-typescript", "tsc"} {
		if _, err := os.Stat(filepath.Join(modules, ".bin", tool)); err != nil {
			skipOrFail(t, "the npm packages are not installed (run internal/tsclient/run.sh): "+err.Error())
		}
	}

	// The client is generated and compiled in a directory of its own, with
	// the installed packages linked in, so the source tree stays clean.
	dir := t.TempDir()
	for _, name := range []string{"package.json", "tsconfig.json", "client.test.ts"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "openapi.json")
	if err := os.WriteFile(spec, openapi.Document(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	run := func(env []string, name string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, out)
		}
		return string(out)
	}
	bin := func(tool string) string { return filepath.Join(modules, ".bin", tool) }
	// --default-non-nullable false: a request field with a default (mocked,
	// apply, …) stays optional; by default openapi-typescript makes it
	// required.
	run(nil, bin("openapi-typescript"), spec, "--default-non-nullable", "false", "--output", filepath.Join(dir, "schema.d.ts"))
	run(nil, bin("tsc"), "-p", filepath.Join(dir, "tsconfig.json"))

	srv := clienttest.Start(t, "sqlite")
	out := run([]string{
		"SALESMANIA_URL=" + srv.URL,
		"SALESMANIA_EMAIL=" + srv.Admin.Email,
		"SALESMANIA_PASSWORD=" + clienttest.Password,
		"SALESMANIA_SKIP_VALIDATION_HEADER=" + clienttest.SkipValidationHeader,
	}, node, "--test", "--test-reporter=spec", filepath.Join(dir, "dist", "client.test.js"))
	t.Log(out)
}

func skipOrFail(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("SALESMANIA_REQUIRE_NODE") == "1" {
		t.Fatal(why)
	}
	t.Skip(why + " (set SALESMANIA_REQUIRE_NODE=1 to make this a failure)")
}
