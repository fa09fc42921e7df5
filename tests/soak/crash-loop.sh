#!/usr/bin/env bash
# The crash loop as a soak: 100 kill -9 (CI runs 20) at random moments of the scenarios of
# tests/src/test/java/dev/wan/e2e/CrashLoopTest.java (ensure from a local directory and over HTTP, gc,
# deduplicate), each kill followed by its checks. Ends with the suite's line
# "tried N, held N, broke B"; exits non-zero when anything broke.
#
#   tests/soak/crash-loop.sh [KILLS] [SEED]     e.g. tests/soak/crash-loop.sh 100 5204893920109769728
#
# SEED replays the random choices (delays, files lost) of an earlier run; its output prints the seed.
# Builds what it needs (lib, tui, the tests module) with Maven; installs nothing into ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/../.."

kills="${1:-100}"
args=(-B -q -pl tests -am verify -Dtest=CrashLoopTest -Dsurefire.failIfNoSpecifiedTests=false
      -Dwan.crashloop.kills="$kills")
if [ -n "${2:-}" ]; then
  args+=(-Dwan.crashloop.seed="$2")
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
started=$(date +%s)
status=0
mvn "${args[@]}" 2>&1 | tee "$log" || status=$?
echo "crash-loop.sh: $kills kills asked, $(( $(date +%s) - started )) s including the build, mvn exit $status"
summary=$(grep -E '^tried [0-9]+, held [0-9]+, broke [0-9]+$' "$log" | tail -1 || true)
echo "${summary:-tried 0, held 0, broke 0 (the suite did not run: see above)}"
if [ -z "$summary" ] && [ "$status" -eq 0 ]; then
  status=1
fi
exit "$status"
