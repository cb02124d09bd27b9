#!/usr/bin/env bash
# internal/tsclient/run.sh [test|lint|all]   (default: all)
#
# test: generates the TypeScript client from the OpenAPI document
#       (openapi-typescript + openapi-fetch), type-checks it and drives it
#       against a real server with Node's test runner (TestTypeScriptClient).
# lint: Redocly and Spectral, each with its recommended ruleset, on the
#       joined document as GET /openapi.json serves it; any error or warning
#       fails.
#
# The npm packages are installed with npm ci from package-lock.json into
# node_modules/ here (gitignored), and again only when the lock file
# changes; npm's own cache (~/.npm) makes a reinstall quick.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
what="${1:-all}"

install() {
  local want
  want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
  if [ "$(cat "$here/node_modules/.installed-lock" 2>/dev/null)" != "$want" ]; then
    (cd "$here" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error)
    echo "$want" >"$here/node_modules/.installed-lock"
  fi
}

run_test() {
  echo "-- TypeScript client (openapi-typescript + openapi-fetch) against a real server"
  (cd "$root" && SALESMANIA_REQUIRE_NODE=1 go test -count=1 -run '^TestTypeScriptClient$' ./internal/tsclient)
}

run_lint() {
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  (cd "$root" && go run ./internal/tsclient/openapijson "$tmp/openapi.json")
  echo "-- Redocly (recommended)"
  (cd "$here" && npx --no-install redocly lint --config redocly.yaml --format=json "$tmp/openapi.json" >"$tmp/redocly.json" 2>"$tmp/redocly.err") || true
  if ! node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const problems = r.problems || [];
    for (const p of problems) console.log(`${p.severity} ${p.ruleId}: ${p.message} at ${(p.location || []).map(l => l.pointer).join(", ")}`);
    console.log(`${r.totals.errors} errors, ${r.totals.warnings} warnings`);
    process.exit(r.totals.errors + r.totals.warnings === 0 ? 0 : 1);
  ' "$tmp/redocly.json"; then
    grep -v '^\s*$' "$tmp/redocly.err" | grep -v '[║╔╚]' >&2 || true
    return 1
  fi
  echo "-- Spectral (spectral:oas)"
  (cd "$here" && npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity warn "$tmp/openapi.json")
}

case "$what" in
  test) install; run_test ;;
  lint) install; run_lint ;;
  all) install; run_lint; run_test ;;
  *) echo "usage: $0 [test|lint|all]" >&2; exit 2 ;;
esac
