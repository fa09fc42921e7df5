#!/usr/bin/env bash
# The hostile-manifest suite (cli HostileManifestsTest, seeded generators) with many more cases than CI runs.
# Usage: tests/soak/hostile-manifests.sh [TRIES]   (default 20000 per property; CI runs 1000)
# Its first line is the seed ("seed=S"; set it with WAN_HOSTILE_SEED=S to replay a run), its last line the
# suite's tally: "tried N, held N, broke 0"; the exit status is Maven's.
set -euo pipefail
tries="${1:-20000}"
cd "$(dirname "$0")/../.."
exec mvn -B -q -pl cli -am test -Dtest=HostileManifestsTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dwan.hostile.tries="$tries" ${WAN_HOSTILE_SEED:+-Dwan.hostile.seed="$WAN_HOSTILE_SEED"}
