#!/usr/bin/env bash
# `npm test`: every test on a fresh machine. Installs what it needs first (npm packages,
# Debian's chromium for the browser tests), then type-checks, lints (ESLint with the kit's layer
# rules, Prettier's check), and runs unit, integration,
# end-to-end and adoption tests (apps made by create-next-app, docs/adoption-tests.md).
# Ends with one summary line: "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

bash scripts/ensure-deps.sh

rm -rf .test-results && mkdir -p .test-results
status=0
run() {
  local name=$1; shift
  echo "== $name"
  npx vitest run --project "$name" --reporter=default --reporter=json --outputFile=".test-results/$name.json" "$@" || status=1
}

echo "== typecheck"
if npx tsc --noEmit -p .; then tc=0; else tc=1; status=1; fi
echo "{\"numPassedTests\":$((1-tc)),\"numFailedTests\":$tc,\"numPendingTests\":0,\"numTodoTests\":0}" > .test-results/typecheck.json
echo "== lint"
if npx eslint . --max-warnings 0 && npx prettier --check . > /dev/null; then lint=0; else lint=1; status=1; npx prettier --list-different . || true; fi
echo "{\"numPassedTests\":$((1-lint)),\"numFailedTests\":$lint,\"numPendingTests\":0,\"numTodoTests\":0}" > .test-results/lint.json
run unit
run integration
# The integration run just built the app into .next-test; the browser tests reuse that build.
if [ -d tests/e2e ]; then OBS_REUSE_BUILD=1 run e2e; fi
# The kit packed and installed into fresh create-next-app apps (about 7 minutes for the three).
run adopt

node -e '
  const fs = require("fs"); let p = 0, f = 0, s = 0
  for (const file of fs.readdirSync(".test-results")) {
    const r = JSON.parse(fs.readFileSync(".test-results/" + file, "utf8"))
    p += r.numPassedTests; f += r.numFailedTests + (r.success === false && r.numFailedTests === 0 ? 1 : 0); s += r.numPendingTests + r.numTodoTests
  }
  console.log(`\n${p} passed, ${f} failed${s ? `, ${s} skipped` : ""}`)
'
exit $status
