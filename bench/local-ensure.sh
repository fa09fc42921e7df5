#!/usr/bin/env bash
# Local-source ensure of one large file: wan (copy + sha256 + fsync + atomic rename) vs the peer
# pipeline `cp` + `openssl dgst -sha256` (+ sync, so both pay for durability). Page cache warm for
# both (the source is read once before timing). Prints medians of N runs and the ratio.
#
#   bench/local-ensure.sh [SIZE_MIB=1024] [RUNS=3]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
size_mib=${1:-1024}
runs=${2:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/wan-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

cp_file="$work/cli.classpath"
(cd "$repo" && mvn -q -B -pl cli -am package dependency:build-classpath -Dmaven.test.skip=true \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file")
classpath="$repo/cli/target/wan-cli-0.1.0-SNAPSHOT.jar:$(cat "$cp_file")"

mkdir -p "$work/src"
head -c $((size_mib << 20)) /dev/urandom > "$work/src/weights.bin"
sha=$(openssl dgst -sha256 -r "$work/src/weights.bin" | cut -d' ' -f1)
cat > "$work/models.toml" <<TOML
schema_version = 1
[models."bench@1.0.0"]
[[models."bench@1.0.0".files]]
path = "weights.bin"
size = $((size_mib << 20))
sha256 = "$sha"
[models."bench@1.0.0".sources]
priority = ["file://$work/src"]
TOML

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

wan_times=() ; peer_times=() ; wan_inproc=()
for i in $(seq "$runs"); do
  rm -rf "$work/root" "$work/peer"; sync
  t0=$(now)
  out=$(MODELS_ROOT="$work/root" WAN_MODELS_MANIFEST="$work/models.toml" \
        java -cp "$classpath" dev.wan.cli.WanCli ensure bench@1.0.0 --json --quiet)
  t1=$(now)
  wan_times+=("$(echo "$t1 - $t0" | bc -l)")
  mkdir -p "$work/peer"; sync
  t0=$(now)
  cp "$work/src/weights.bin" "$work/peer/weights.bin"
  openssl dgst -sha256 "$work/peer/weights.bin" > /dev/null
  sync "$work/peer/weights.bin"
  t1=$(now)
  peer_times+=("$(echo "$t1 - $t0" | bc -l)")
done
w=$(printf '%s\n' "${wan_times[@]}" | median)
p=$(printf '%s\n' "${peer_times[@]}" | median)
mb=$(echo "$size_mib * 1.048576" | bc -l)
printf 'file: %d MiB, runs: %d (medians)\n' "$size_mib" "$runs"
printf 'wan ensure (whole command, JVM start included): %6.2f s  %7.1f MB/s\n' "$w" "$(echo "$mb / $w" | bc -l)"
printf 'cp + openssl dgst -sha256 + sync:               %6.2f s  %7.1f MB/s\n' "$p" "$(echo "$mb / $p" | bc -l)"
printf 'ratio wan/peer throughput: %.2fx\n' "$(echo "$p / $w" | bc -l)"
