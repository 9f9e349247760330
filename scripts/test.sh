#!/usr/bin/env bash
# The one test command (README: `npm test`). Type-checks, then runs every test file with Node's
# test runner — unit, property, integration and the Playwright/Chromium end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"
npx tsc --noEmit -p .
echo "== tests"
mapfile -t files < <(find test -name '*.test.ts' | sort)
exec node --import tsx --test --test-concurrency=2 --test-reporter=spec "${files[@]}"
