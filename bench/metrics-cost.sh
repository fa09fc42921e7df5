#!/usr/bin/env bash
# What /metrics costs a download: `wan ensure` of one file (1 GiB) over loopback HTTP from a private
# nginx, interleaved in every round:
#   base    nothing else running
#   idle    a `wan serve` on the same MODELS_ROOT (started before, warm), not asked anything
#   scrape  the same serve, GET /metrics every second during the download (as a Prometheus with
#           scrape_interval 1s would: each scrape reads every model's status and walks the store)
# Prints medians (min..max) and each mode's ratio to base. Ratios, not assertions.
#
#   bench/metrics-cost.sh [SIZE_MIB=1024] [RUNS=3]
# Knobs: WAN_JAVA_OPTS, WAN_BENCH_MVN_ARGS, MAVEN_OPTS (see common.sh).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
size_mib=${1:-1024}
runs=${2:-3}
need nginx:nginx curl:curl openssl:openssl bc:bc

build_wan
mkdir -p "$work/www"
sha=$(make_random "$work/www/weights.bin" "$size_mib")
start_nginx "$work/www"
write_manifest "$work/models.toml" bench@1.0.0 "$nginx_url" "weights.bin:$((size_mib << 20)):$sha"
export MODELS_ROOT="$work/root" WAN_MODELS_MANIFEST="$work/models.toml"

# start_serve: a `wan serve` on MODELS_ROOT (a fresh one per round, for the idle and scrape modes); sets
# $serve_pid and $serve_url
start_serve() {
  : > "$work/serve.out"
  # shellcheck disable=SC2086
  java ${WAN_JAVA_OPTS:-} -cp "$classpath" dev.wan.cli.WanCli serve --port 0 > "$work/serve.out" 2> "$work/serve.err" &
  serve_pid=$!
  bg_pids+=("$serve_pid")
  serve_url=
  for _ in $(seq 300); do
    serve_url=$(grep -o 'http://[0-9.:]*' "$work/serve.out" 2>/dev/null || true)
    [ -n "$serve_url" ] && break
    sleep 0.1
  done
  [ -n "$serve_url" ] || { echo "wan serve did not start:" >&2; cat "$work/serve.err" >&2; exit 1; }
  wait_http "$serve_url/health"
  sleep 2 # its start-up (JIT, class loading) over before the timing: idle means idle
}

# scraper: GET /metrics every second until killed; appends each scrape's wall time to $work/scrapes
scraper() {
  local t
  while :; do
    t=$(curl -s -o /dev/null -w '%{time_total}' "$serve_url/metrics") && echo "$t" >> "$work/scrapes"
    sleep 1
  done
}

base=() idle=() scrape=()
for i in $(seq "$runs"); do
  for mode in base idle scrape; do
    rm -rf "$MODELS_ROOT"; sync
    [ "$mode" = idle ] && start_serve
    scraper_pid=
    if [ "$mode" = scrape ]; then
      scraper & scraper_pid=$!
    fi
    t=$(wan_ensure bench@1.0.0)
    [ -n "$scraper_pid" ] && { kill "$scraper_pid"; wait "$scraper_pid" 2>/dev/null || true; }
    if [ "$mode" = scrape ]; then
      kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true
      keep=(); for p in "${bg_pids[@]}"; do [ "$p" = "$serve_pid" ] || keep+=("$p"); done; bg_pids=("${keep[@]}")
    fi
    case $mode in
      base) base+=("$t") ;; idle) idle+=("$t") ;; scrape) scrape+=("$t") ;;
    esac
    printf 'round %d %-6s %6.2f s\n' "$i" "$mode" "$t"
  done
done

mb=$(calc "$size_mib * 1.048576")
row() {
  local name=$1 arr=$2 m lo hi
  m=$(times_median "$arr")
  local -n a=$arr
  lo=$(printf '%s\n' "${a[@]}" | sort -n | head -1)
  hi=$(printf '%s\n' "${a[@]}" | sort -n | tail -1)
  printf '%-44s %6.2f s (%.2f..%.2f)  %7.1f MB/s  time ratio to base %.3f\n' "$name" "$m" "$lo" "$hi" \
    "$(calc "$mb / $m")" "$(calc "$m / $(times_median base)")"
}
printf '\nfile: %d MiB over loopback HTTP (nginx), %d interleaved rounds, medians (min..max), whole wan ensure\n' \
  "$size_mib" "$runs"
row "base (no serve)" base
row "idle wan serve on the same store" idle
row "wan serve scraped every second" scrape
if [ -s "$work/scrapes" ]; then
  printf 'scrapes during downloads: %d, median %.1f ms, max %.1f ms\n' "$(wc -l < "$work/scrapes")" \
    "$(calc "$(median < "$work/scrapes") * 1000")" "$(calc "$(sort -n "$work/scrapes" | tail -1) * 1000")"
fi
