#!/usr/bin/env bash
# The one test command (README: `npm test`). Type-checks, lints, then runs every test file with Node's
# test runner — unit, property, integration and the Playwright/Chromium end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== typecheck"
npx tsc --noEmit -p .
echo "== lint (Biome: errors fail, warnings are shown)"
npx biome check --diagnostic-level=error .
echo "== tests"
mapfile -t files < <(find test -name '*.test.ts' | sort)
# Tests must leave the temp dir as they found it (test/helpers/temp-cleanup.ts removes what each test
# process made); compare the pinpoint-* entries before and after. Another process on the machine making
# pinpoint-* dirs during the run would show up here too.
tmp="${TMPDIR:-/tmp}"
tmp_before="$(find "$tmp" -maxdepth 1 -name 'pinpoint-*' | sort)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
node --import tsx --import ./test/helpers/fc-setup.ts --test --test-concurrency=2 --test-reporter=spec "${files[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One plain summary line for tools that read closing lines.
pass=$(grep -E '^ℹ pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
fail=$(grep -E '^ℹ fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
skip=$(grep -E '^ℹ skipped [0-9]+' "$log" | tail -1 | awk '{print $3}')
echo "${pass:-0} passed, ${fail:-0} failed, ${skip:-0} skipped"
leaked="$(comm -13 <(echo "$tmp_before") <(find "$tmp" -maxdepth 1 -name 'pinpoint-*' | sort))"
if [ -n "$leaked" ]; then
  echo "tests left temporary directories behind in $tmp:"
  echo "$leaked"
  [ "$status" -eq 0 ] && status=1
fi
exit "$status"
