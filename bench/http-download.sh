#!/usr/bin/env bash
# One big file over loopback HTTP from a private nginx (sendfile, no access log): wan ensure
# (ranged parallel download + sha256 + fsync + atomic rename) with WAN_CONNECTIONS 1, 4 and 8, vs
# `curl -s -o` (no hash: the target peer), vs `curl | tee | openssl dgst -sha256` (hashed) and the
# same plus sync (the work wan does). The source file is in the page cache for every run; the
# destination is removed and synced between runs. Prints medians of RUNS runs and ratios vs curl.
# "in-process" rates subtract the median time of a no-op `wan ensure` (JVM start, manifest, lock,
# status of the present model) from the whole-command time.
#
#   bench/http-download.sh [SIZE_MIB=1024] [RUNS=3]      CONNECTIONS="1 4 8" to change the set
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
size_mib=${1:-1024}
runs=${2:-3}
read -r -a conns <<<"${CONNECTIONS:-1 4 8}"
need nginx:nginx-light curl:curl openssl:openssl bc:bc

build_wan
bytes=$((size_mib << 20))
sha=$(make_random "$work/www/m/weights.bin" "$size_mib")
start_nginx "$work/www"
url="$nginx_url/m/weights.bin"
write_manifest "$work/models.toml" bench@1.0.0 "$nginx_url/m" "weights.bin:$bytes:$sha"
export MODELS_ROOT="$work/root" WAN_MODELS_MANIFEST="$work/models.toml"
cat "$work/www/m/weights.bin" > /dev/null
mkdir -p "$work/peer"

declare -A wan_t=()
curl_t=() ; hashed_t=() ; durable_t=()
fresh() { rm -rf "$work/root" "$work/peer/weights.bin"; sync; }
for i in $(seq "$runs"); do
  for c in "${conns[@]}"; do
    fresh
    wan_t[$c]+="$(WAN_CONNECTIONS=$c wan_ensure bench@1.0.0) "
  done
  fresh
  t0=$(now); curl -sf -o "$work/peer/weights.bin" "$url"; t1=$(now)
  curl_t+=("$(calc "$t1 - $t0")")
  fresh
  t0=$(now)
  got=$(curl -sf "$url" | tee "$work/peer/weights.bin" | openssl dgst -sha256 -r | cut -d' ' -f1)
  t1=$(now)
  [ "$got" = "$sha" ] || { echo "curl | openssl: wrong sha256 $got" >&2; exit 1; }
  hashed_t+=("$(calc "$t1 - $t0")")
  fresh
  t0=$(now)
  got=$(curl -sf "$url" | tee "$work/peer/weights.bin" | openssl dgst -sha256 -r | cut -d' ' -f1)
  sync "$work/peer/weights.bin"
  t1=$(now)
  durable_t+=("$(calc "$t1 - $t0")")
  echo "run $i/$runs done" >&2
done
# the model is present now: a no-op ensure is the fixed cost of a wan command
noop_t=()
for i in 1 2 3; do noop_t+=("$(wan_ensure bench@1.0.0)"); done

noop=$(times_median noop_t)
pc=$(times_median curl_t); ph=$(times_median hashed_t); pd=$(times_median durable_t)
printf 'file: %d MiB from nginx %s on 127.0.0.1 (sendfile), runs: %d (medians)\n' "$size_mib" \
  "$(nginx -v 2>&1 | sed 's|.*/||')" "$runs"
for c in "${conns[@]}"; do
  w=$(tr ' ' '\n' <<<"${wan_t[$c]}" | grep . | median)
  printf 'wan ensure, %d connection(s): %6.2f s %7.1f MB/s (in-process %7.1f MB/s)  vs curl -o: %.2fx  vs curl+sha256+sync: %.2fx\n' \
    "$c" "$w" "$(mbps "$bytes" "$w")" "$(mbps "$bytes" "$(calc "$w - $noop")")" \
    "$(calc "$pc / $w")" "$(calc "$pd / $w")"
done
printf 'wan no-op ensure (JVM start, manifest, lock, status): %6.2f s\n' "$noop"
printf 'curl -o (no hash):                        %6.2f s %7.1f MB/s\n' "$pc" "$(mbps "$bytes" "$pc")"
printf 'curl | tee | openssl dgst -sha256:        %6.2f s %7.1f MB/s\n' "$ph" "$(mbps "$bytes" "$ph")"
printf 'curl | tee | openssl dgst -sha256 + sync: %6.2f s %7.1f MB/s\n' "$pd" "$(mbps "$bytes" "$pd")"
