#!/usr/bin/env bash
# One big file from a private nginx that caps every connection at 50 MB/s (`limit_rate 50m`, like
# a CDN): wan ensure (verified: sha256 + fsync + rename; default 8 connections, and 16) vs
# `aria2c -x8 -s8 -k1M` (unverified: the target peer) and aria2c with --checksum=sha-256 (verified).
# Prints medians of RUNS runs and ratios vs aria2c.
#
#   bench/http-ratelimited.sh [SIZE_MIB=1024] [RUNS=3]   CONNECTIONS="8 16" RATE=50m to change
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
size_mib=${1:-1024}
runs=${2:-3}
rate=${RATE:-50m}
read -r -a conns <<<"${CONNECTIONS:-8 16}"
need nginx:nginx-light aria2c:aria2 curl:curl openssl:openssl bc:bc

build_wan
bytes=$((size_mib << 20))
sha=$(make_random "$work/www/m/weights.bin" "$size_mib")
start_nginx "$work/www" "limit_rate $rate;"
url="$nginx_url/m/weights.bin"
write_manifest "$work/models.toml" bench@1.0.0 "$nginx_url/m" "weights.bin:$bytes:$sha"
export MODELS_ROOT="$work/root" WAN_MODELS_MANIFEST="$work/models.toml"
cat "$work/www/m/weights.bin" > /dev/null

aria=(aria2c -q -x8 -s8 -k1M --allow-overwrite=true --auto-file-renaming=false -d "$work/peer" -o weights.bin)
declare -A wan_t=()
aria_t=() ; ariav_t=()
fresh() { rm -rf "$work/root" "$work/peer"; mkdir -p "$work/peer"; sync; }
for i in $(seq "$runs"); do
  for c in "${conns[@]}"; do
    fresh
    wan_t[$c]+="$(WAN_CONNECTIONS=$c wan_ensure bench@1.0.0) "
  done
  fresh
  t0=$(now); "${aria[@]}" "$url"; t1=$(now)
  aria_t+=("$(calc "$t1 - $t0")")
  [ "$(stat -c %s "$work/peer/weights.bin")" = "$bytes" ] || { echo "aria2c: wrong size" >&2; exit 1; }
  fresh
  t0=$(now); "${aria[@]}" --checksum="sha-256=$sha" "$url"; t1=$(now)
  ariav_t+=("$(calc "$t1 - $t0")")
  echo "run $i/$runs done" >&2
done
noop_t=()
for i in 1 2 3; do noop_t+=("$(wan_ensure bench@1.0.0)"); done

noop=$(times_median noop_t)
pa=$(times_median aria_t); pv=$(times_median ariav_t)
printf 'file: %d MiB from nginx with limit_rate %s per connection, runs: %d (medians)\n' "$size_mib" "$rate" "$runs"
for c in "${conns[@]}"; do
  w=$(tr ' ' '\n' <<<"${wan_t[$c]}" | grep . | median)
  printf 'wan ensure, %2d connections: %6.2f s %7.1f MB/s (in-process %7.1f MB/s)  vs aria2c: %.2fx  vs aria2c+sha256: %.2fx\n' \
    "$c" "$w" "$(mbps "$bytes" "$w")" "$(mbps "$bytes" "$(calc "$w - $noop")")" \
    "$(calc "$pa / $w")" "$(calc "$pv / $w")"
done
printf 'wan no-op ensure (JVM start, manifest, lock, status): %6.2f s\n' "$noop"
printf 'aria2c -x8 -s8 -k1M (no hash):            %6.2f s %7.1f MB/s\n' "$pa" "$(mbps "$bytes" "$pa")"
printf 'aria2c -x8 -s8 -k1M --checksum=sha-256:   %6.2f s %7.1f MB/s\n' "$pv" "$(mbps "$bytes" "$pv")"
