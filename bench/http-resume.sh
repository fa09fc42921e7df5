#!/usr/bin/env bash
# Resume after a source failure (not a crash): a private nginx caps every connection (`limit_rate`);
# midway through wan's first ensure the file disappears from the server (renamed away, so every
# later ranged request is a 404) and the ensure fails; the file comes back and a second ensure
# runs. Reports what the second run fetched (`bytesFetched` of `--json`) and how long it took,
# next to `curl -C -` resuming a download stopped at the same point. Before wan kept verified
# chunks across failed runs, the second run fetched the whole file again.
#
#   bench/http-resume.sh [SIZE_MIB=1024] [RUNS=3]    RATE=50m CONNECTIONS=4 FAIL_AT=0.5 to change
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
size_mib=${1:-1024}
runs=${2:-3}
rate=${RATE:-50m}
conns=${CONNECTIONS:-4}
fail_at=${FAIL_AT:-0.5}
need nginx:nginx-light curl:curl openssl:openssl bc:bc python3:python3

build_wan
bytes=$((size_mib << 20))
sha=$(make_random "$work/www/m/weights.bin" "$size_mib")
start_nginx "$work/www" "limit_rate $rate;"
url="$nginx_url/m/weights.bin"
write_manifest "$work/models.toml" bench@1.0.0 "$nginx_url/m" "weights.bin:$bytes:$sha"
export MODELS_ROOT="$work/root" WAN_MODELS_MANIFEST="$work/models.toml" WAN_CONNECTIONS=$conns WAN_RETRIES=1
cat "$work/www/m/weights.bin" > /dev/null
mkdir -p "$work/peer"
rate_bps=$(python3 -c "import sys; s='$rate'; print(int(s[:-1]) * {'k': 1e3, 'm': 1e6, 'g': 1e9}[s[-1].lower()] if s[-1].isalpha() else int(s))")
# the moment the first run has about FAIL_AT of the file (all connections at the cap)
wan_cut=$(calc "$bytes * $fail_at / ($rate_bps * $conns)")
curl_cut=$(calc "$bytes * $fail_at / $rate_bps")

hide() { mv "$work/www/m/weights.bin" "$work/www/m/.hidden"; }
unhide() { mv "$work/www/m/.hidden" "$work/www/m/weights.bin"; }
json_field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['models'][0].get(sys.argv[2], 0))" "$@"; }

again_t=() ; again_b=() ; full_t=() ; curl_t=() ; curl_b=()
for i in $(seq "$runs"); do
  rm -rf "$work/root"; sync
  java ${WAN_JAVA_OPTS:-} -cp "$classpath" dev.wan.cli.WanCli ensure bench@1.0.0 --json --quiet \
    > "$work/first.json" 2> "$work/first.err" &
  first=$!
  sleep "$wan_cut"; hide
  if wait "$first"; then
    unhide; echo "run $i: the first ensure finished before the file went away; raise RATE or SIZE" >&2; exit 1
  fi
  unhide
  t0=$(now)
  java ${WAN_JAVA_OPTS:-} -cp "$classpath" dev.wan.cli.WanCli ensure bench@1.0.0 --json --quiet > "$work/again.json"
  t1=$(now)
  again_t+=("$(calc "$t1 - $t0")"); again_b+=("$(json_field "$work/again.json" bytesFetched)")
  rm -rf "$work/root"; sync
  full_t+=("$(wan_ensure bench@1.0.0)")

  rm -f "$work/peer/weights.bin"; sync
  curl -sf --max-time "$curl_cut" -o "$work/peer/weights.bin" "$url" || true
  had=$(stat -c %s "$work/peer/weights.bin")
  t0=$(now); curl -sf -C - -o "$work/peer/weights.bin" "$url"; t1=$(now)
  [ "$(openssl dgst -sha256 -r "$work/peer/weights.bin" | cut -d' ' -f1)" = "$sha" ] || { echo "curl: wrong sha256" >&2; exit 1; }
  curl_t+=("$(calc "$t1 - $t0")"); curl_b+=("$((bytes - had))")
  echo "run $i/$runs done" >&2
done

mib() { calc "$1 / 1048576"; }
printf 'file: %d MiB from nginx, limit_rate %s per connection; wan %d connections, the file vanishes at ~%.0f%% of the first run; runs: %d (medians)\n' \
  "$size_mib" "$rate" "$conns" "$(calc "$fail_at * 100")" "$runs"
printf 'wan, second ensure after the failed one: %6.2f s, fetched %6.0f MiB of %d\n' \
  "$(times_median again_t)" "$(mib "$(times_median again_b)")" "$size_mib"
printf 'wan, a whole ensure for comparison:      %6.2f s, fetched %6d MiB\n' "$(times_median full_t)" "$size_mib"
printf 'curl -C - (1 connection) after a stop at ~%.0f%%: %6.2f s, fetched %6.0f MiB\n' \
  "$(calc "$fail_at * 100")" "$(times_median curl_t)" "$(mib "$(times_median curl_b)")"
