#!/usr/bin/env bash
# Proves the harness notices a broken response: the happy-path scenarios run again with the
# odometer's `distance` dropped from every /v2.0 answer (a dropField rule injected into each case).
# Exactly the cases that read it through smartcar 6 must fail, each with a readable account of
# expected against observed; the smartcar 3 (API v1.0) and DIMO cases must still pass.
#
#   FLEETMOCK_BIN=.build/debug/fleetmock bash Tests/harness/broken-field.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
bin="${FLEETMOCK_BIN:-.build/debug/fleetmock}"
rule='{"match": {"path": "/v2.0/vehicles/*/odometer"}, "action": {"kind": "dropField", "field": "distance"}}'

out="$("$bin" check --scenario 'happy/*' --inject "$rule" 2>&1)"
status=$?
printf '%s\n' "$out" | sed 's/^/    /'

fail() {
  echo "broken-field: $*" >&2
  exit 1
}
[ "$status" -eq 1 ] || fail "expected exit status 1 with a field dropped, got $status"
printf '%s\n' "$out" | grep -Eq '^FAIL [^ ]+ \[smartcar6\]' || fail "no smartcar6 case failed although distance was dropped"
if printf '%s\n' "$out" | grep -Eq '^FAIL [^ ]+ \[(smartcar3|dimo)\]'; then
  fail "a case that never reads /v2.0 odometer failed"
fi
printf '%s\n' "$out" | grep -q 'vehicle.odometer' || fail "the failure does not name the step"
printf '%s\n' "$out" | grep -q 'expected: ' || fail "the failure shows no expected outcome"
printf '%s\n' "$out" | grep -q 'distance' || fail "the failure does not mention the dropped field"
echo "broken-field: 1 passed, 0 failed"
