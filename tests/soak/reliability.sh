#!/usr/bin/env bash
# The four reliability suites of the README's "Reliability" section, longer than CI runs them:
#   hostile store      every internal path as a link x every command (CI: the same), plus N racing
#                      cases where a link is swapped in and out while the command runs (CI: none)
#   hostile manifests  N generated malformed/malicious manifests and listings per property (CI: 1,000)
#   damaged state      every (file, damage) pair (CI: every 5th)
#   crash loop         N kill -9 of ensure (local, HTTP), gc and deduplicate (CI: 20)
# Each suite prints its "tried N, held N, broke B" line; this script prints them together at the
# end and exits non-zero when any suite broke or did not run.
#
#   tests/soak/reliability.sh [RACES] [MANIFEST_TRIES] [KILLS]     defaults: 2000 5000 100
#
# Builds with Maven; installs nothing into ~/.m2. Takes about half an hour on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/../.."

races="${1:-2000}"
tries="${2:-5000}"
kills="${3:-100}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

run() { # name, then mvn arguments
  local name="$1"
  shift
  local started
  started=$(date +%s)
  if ! mvn -B -q "$@" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
    status=1
  fi
  grep -E 'seed' "$log" | head -3
  local lines
  lines=$(grep -E 'tried [0-9]+, held [0-9]+, broke [0-9]+' "$log" || true)
  if [ -z "$lines" ]; then
    status=1
    tail -40 "$log"
    lines="tried 0, held 0, broke 0 (did not run: see above)"
  fi
  summary+=("$name ($(( $(date +%s) - started )) s):"$'\n'"$lines")
}

summary=()
run "hostile store" -pl cli -am test -Dtest=HostileStoreTest -Dwan.hostile.store.races="$races"
run "hostile manifests" -pl cli -am test -Dtest=HostileManifestsTest -Dwan.hostile.tries="$tries"
run "damaged state" -pl cli -am test -Dtest=DamagedStateTest -Dwan.damage.stride=1
run "crash loop" -pl tests -am verify -Dtest=CrashLoopTest -Dwan.crashloop.kills="$kills"
for s in "${summary[@]}"; do
  echo "$s"
done
exit "$status"
