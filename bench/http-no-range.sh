#!/usr/bin/env bash
# One big file from a server that ignores Range (Python's http.server answers every ranged GET
# with 200 and the whole body, as some mirrors and object gateways do): wan ensure (it detects
# that, reads the file as one plain streamed GET, sha256 + fsync + rename) vs `curl -s -o` and
# `curl | tee | openssl dgst -sha256` + sync over the same server. Before wan had this fallback
# every file over one 16 MiB chunk failed with "server ignored the Range header".
# Prints medians of RUNS runs and ratios vs the peers.
#
#   bench/http-no-range.sh [SIZE_MIB=1024] [RUNS=3]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
size_mib=${1:-1024}
runs=${2:-3}
need python3:python3 curl:curl openssl:openssl bc:bc

build_wan
bytes=$((size_mib << 20))
sha=$(make_random "$work/www/m/weights.bin" "$size_mib")
port=$(free_port)
(cd "$work/www" && exec python3 -m http.server "$port" --bind 127.0.0.1 > "$work/http.log" 2>&1) &
bg_pids+=($!)
url="http://127.0.0.1:$port/m/weights.bin"
wait_http "http://127.0.0.1:$port/"
if curl -s -o /dev/null -w '%{http_code}' -r 0-0 "$url" | grep -q 206; then
  echo "this python3 http.server honours Range: the scenario needs one that ignores it" >&2
  exit 2
fi
write_manifest "$work/models.toml" bench@1.0.0 "http://127.0.0.1:$port/m" "weights.bin:$bytes:$sha"
export MODELS_ROOT="$work/root" WAN_MODELS_MANIFEST="$work/models.toml"
cat "$work/www/m/weights.bin" > /dev/null
mkdir -p "$work/peer"

wan_t=() ; curl_t=() ; durable_t=()
fresh() { rm -rf "$work/root" "$work/peer/weights.bin"; sync; }
for i in $(seq "$runs"); do
  fresh
  wan_t+=("$(wan_ensure bench@1.0.0)")
  fresh
  t0=$(now); curl -sf -o "$work/peer/weights.bin" "$url"; t1=$(now)
  curl_t+=("$(calc "$t1 - $t0")")
  fresh
  t0=$(now)
  got=$(curl -sf "$url" | tee "$work/peer/weights.bin" | openssl dgst -sha256 -r | cut -d' ' -f1)
  sync "$work/peer/weights.bin"
  t1=$(now)
  [ "$got" = "$sha" ] || { echo "curl | openssl: wrong sha256 $got" >&2; exit 1; }
  durable_t+=("$(calc "$t1 - $t0")")
  echo "run $i/$runs done" >&2
done

w=$(times_median wan_t); pc=$(times_median curl_t); pd=$(times_median durable_t)
printf 'file: %d MiB from python3 http.server (ignores Range) on 127.0.0.1, runs: %d (medians)\n' "$size_mib" "$runs"
printf 'wan ensure (plain-stream fallback):        %6.2f s %7.1f MB/s  vs curl -o: %.2fx  vs curl+sha256+sync: %.2fx\n' \
  "$w" "$(mbps "$bytes" "$w")" "$(calc "$pc / $w")" "$(calc "$pd / $w")"
printf 'curl -o (no hash):                         %6.2f s %7.1f MB/s\n' "$pc" "$(mbps "$bytes" "$pc")"
printf 'curl | tee | openssl dgst -sha256 + sync:  %6.2f s %7.1f MB/s\n' "$pd" "$(mbps "$bytes" "$pd")"
