#!/usr/bin/env bash
# Peak RSS (`/usr/bin/time -v`, "Maximum resident set size") of one `wan ensure` downloading one
# big file from a private nginx, for each file size and each set of JVM options. Target: <= 200 MB
# and flat in the file size. The page cache is not part of RSS (wan writes with FileChannel, no mmap).
#
#   bench/rss.sh [SIZES_MIB="1024 5120"] [RUNS=1]
#   JVM_OPTS_SETS='|-XX:+UseSerialGC|-Xmx64m|-Xmx64m -XX:+UseSerialGC'  ('|'-separated; empty = defaults)
# Needs twice the sum of the sizes free under $TMPDIR (source + copy); falls back to 1024 3072 if not.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
read -r -a sizes <<<"${1:-1024 5120}"
runs=${2:-1}
IFS='|' read -r -a opt_sets <<<"${JVM_OPTS_SETS-|-XX:+UseSerialGC|-Xmx64m|-Xmx64m -XX:+UseSerialGC}"
((${#opt_sets[@]})) || opt_sets=("")
need nginx:nginx-light /usr/bin/time:time curl:curl openssl:openssl bc:bc

total=0
for s in "${sizes[@]}"; do total=$((total + s)); done
avail_mib=$(( $(df -Pk "$work" | awk 'NR==2 {print $4}') / 1024 ))
if (( avail_mib < 2 * total + 2048 )); then
  echo "only $avail_mib MiB free under $work: using 1024 and 3072 MiB instead of ${sizes[*]}" >&2
  sizes=(1024 3072)
fi

build_wan
specs=()
for s in "${sizes[@]}"; do
  specs+=("w$s.bin:$((s << 20)):$(make_random "$work/www/m/w$s.bin" "$s")")
done
start_nginx "$work/www"
export MODELS_ROOT="$work/root"
for spec in "${specs[@]}"; do
  name=${spec%%:*}
  write_manifest "$work/$name.toml" "b${name%.bin}@1.0.0" "$nginx_url/m" "$spec"
done

printf 'peak RSS of wan ensure (one file from nginx on 127.0.0.1), %d run(s) each (median), %s\n' "$runs" \
  "$(java -version 2>&1 | head -1)"
printf '%-32s' "JVM options"
for s in "${sizes[@]}"; do printf '  %19s' "$s MiB: peak RSS, time"; done
echo
for opts in "${opt_sets[@]}"; do
  printf '%-32s' "${opts:-(defaults)}"
  for spec in "${specs[@]}"; do
    name=${spec%%:*}
    rss=() ; secs=()
    for _ in $(seq "$runs"); do
      rm -rf "$work/root"; sync
      cat "$work/www/m/$name" > /dev/null
      t0=$(now)
      # shellcheck disable=SC2086
      if ! WAN_MODELS_MANIFEST="$work/$name.toml" /usr/bin/time -v -o "$work/time.txt" \
          java $opts -cp "$classpath" dev.wan.cli.WanCli ensure "b${name%.bin}@1.0.0" --json --quiet \
          > "$work/wan.out" 2> "$work/wan.err"; then
        echo; echo "wan ensure failed with options '$opts':" >&2; cat "$work/wan.out" "$work/wan.err" >&2; exit 1
      fi
      t1=$(now)
      secs+=("$(calc "$t1 - $t0")")
      rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")")
    done
    printf '  %7.0f MB %6.2f s' "$(calc "$(times_median rss) / 1000")" "$(times_median secs)"
  done
  echo
done
