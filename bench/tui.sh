#!/usr/bin/env bash
# The dashboard (`wan tui`, dev.wan.tui.WanTui) in a real terminal: tmux on a private socket,
# 100x30. Three measurements:
#   1. launch to first full frame (models table filled from the store), warm, median of RUNS,
#      vs the non-interactive way to see the same: `wan models status` (whole command, JVM start);
#   2. CPU while idle (IDLE_SECONDS after the first frame + SETTLE), % of one core from the JVM's
#      utime+stime in /proc, vs an interactive `top -d 2` in the same tmux over the same seconds;
#   3. CPU while the dashboard ensures two models (e, j, e) from a private nginx with
#      `limit_rate RATE` (two files of SIZE_MIB, CONNECTIONS per file), and the frame interval
#      under load (--stats), vs two concurrent `curl -o` (no hash) and `curl | tee | openssl dgst
#      -sha256` + sync of the same files from the same nginx.
# The dashboard's CPU includes the downloads themselves, sha256 and fsync (all in-process).
#
#   bench/tui.sh [SIZE_MIB=64] [RUNS=5]   RATE=4m CONNECTIONS=1 IDLE_SECONDS=20 SETTLE=2
#   WAN_TUI_CP (the dashboard's classes or jar; default tui/target/classes) and WAN_LIB_JAR
#   (default lib/target/wan-lib-0.1.0-SNAPSHOT.jar); both are copied into the temp dir first, so
#   a build running meanwhile cannot change what is measured. SCREENS=DIR keeps the screen captures.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
size_mib=${1:-64}
runs=${2:-5}
rate=${RATE:-4m}
conns=${CONNECTIONS:-1}
idle_s=${IDLE_SECONDS:-20}
settle=${SETTLE:-2}
need tmux:tmux nginx:nginx-light curl:curl openssl:openssl bc:bc top:procps /usr/bin/time:time pgrep:procps

sock="wan-bench-tui-$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server >/dev/null 2>&1 || true; cleanup' EXIT
hz=$(getconf CLK_TCK)

# build_tui: package lib and tui (tests not compiled, nothing installed); sets $classpath.
build_tui() {
  if [ "${WAN_BENCH_BUILD:-1}" != 0 ]; then
    if ! (cd "$repo" && mvn -q -B -pl tui -am package -Dmaven.test.skip=true) > "$work/build.log" 2>&1; then
      cat "$work/build.log" >&2; echo "build failed" >&2; exit 1
    fi
  fi
  if ! (cd "$repo/tui" && mvn -q -B dependency:build-classpath -DincludeScope=runtime \
      -Dmdep.outputFile="$work/tui.classpath") > "$work/build.log" 2>&1; then
    cat "$work/build.log" >&2; exit 1
  fi
  local tui=${WAN_TUI_CP:-$repo/tui/target/classes} lib=${WAN_LIB_JAR:-$repo/lib/target/wan-lib-0.1.0-SNAPSHOT.jar}
  if [ ! -e "$tui" ] || [ ! -e "$lib" ]; then
    echo "missing $tui or $lib (build first or set WAN_TUI_CP / WAN_LIB_JAR)" >&2; exit 1
  fi
  mkdir -p "$work/cp"
  if [ -d "$tui" ]; then cp -r "$tui" "$work/cp/tui"; else cp "$tui" "$work/cp/tui.jar"; fi
  cp "$lib" "$work/cp/wan-lib.jar"
  # our copy of the core jar first: it wins over the one the class path names in ~/.m2
  classpath="$work/cp/tui$([ -d "$tui" ] || echo .jar):$work/cp/wan-lib.jar:$(cat "$work/tui.classpath")"
}

# pane SESSION: the screen's text now
pane() { tm capture-pane -p -J -t "$1" 2>/dev/null; }
# pane_has SESSION ERE...: the screen matches every ERE
pane_has() {
  local s=$1 text re
  shift
  text=$(pane "$s") || return 1
  for re in "$@"; do grep -Eq -- "$re" <<<"$text" || return 1; done
}
# wait_pane SECONDS SESSION ERE...: polls (every 20 ms) until the screen matches every ERE
wait_pane() {
  local deadline s=$2
  deadline=$(calc "$(now) + $1")
  shift
  until pane_has "$@"; do
    if (( $(calc "$(now) > $deadline") )); then
      echo "timeout (after waiting for: ${*:2}) in tmux session $s; the screen:" >&2
      pane "$s" >&2 || true
      return 1
    fi
    sleep 0.02
  done
}
# save_screen SESSION NAME: keep a capture in $SCREENS (if set)
save_screen() { [ -z "${SCREENS:-}" ] || { mkdir -p "$SCREENS"; pane "$1" > "$SCREENS/$2.txt" || true; }; }

# tui_start SESSION: the dashboard in a new tmux session; its start time in $work/SESSION.launch
tui_start() {
  local s=$1
  rm -f "$work/$s.stats" "$work/$s.launch"
  # shellcheck disable=SC2086
  tm new-session -d -s "$s" -x 100 -y 30 \
    "date +%s.%N > '$work/$s.launch'; WAN_CONNECTIONS=$conns java ${WAN_JAVA_OPTS:-} -cp '$classpath' \
dev.wan.tui.WanTui --root '$root' --manifest '$manifest' --stats '$work/$s.stats' 2> '$work/$s.err'; \
echo EXIT=\$?; sleep 600"
}
# java_pid SESSION: the dashboard's JVM (the child of the pane's shell)
java_pid() {
  local pp p deadline=$(( $(date +%s) + 10 ))
  pp=$(tm list-panes -t "$1" -F '#{pane_pid}')
  until p=$(pgrep -P "$pp" -x java); do
    if (( $(date +%s) > deadline )); then echo "no java under pane pid $pp ($1)" >&2; return 1; fi
    sleep 0.02
  done
  echo "$p"
}
# tui_quit SESSION: q (y if it asks), wait for the exit, check it was 0, drop the session
tui_quit() {
  local s=$1 deadline=$(( $(date +%s) + 20 ))
  tm send-keys -t "$s" q
  until pane_has "$s" '^EXIT=[0-9]+'; do
    if pane_has "$s" 'Quit anyway'; then
      echo "note: $s asked 'Quit anyway?' (work still running); answering y" >&2
      tm send-keys -t "$s" y
    fi
    if (( $(date +%s) > deadline )); then
      echo "the dashboard did not quit ($s); the screen:" >&2; pane "$s" >&2; return 1
    fi
    sleep 0.05
  done
  if ! pane_has "$s" '^EXIT=0'; then
    echo "the dashboard failed ($s):" >&2; pane "$s" >&2; cat "$work/$s.err" >&2; return 1
  fi
  tm kill-session -t "$s"
}
# ticks PID: utime+stime of the process (all threads), in clock ticks
ticks() {
  local stat
  stat=$(< "/proc/$1/stat") || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086
  set -- $stat
  echo $(( ${12} + ${13} ))
}
# thread_ticks PID: one line per thread: TID TICKS NAME
thread_ticks() {
  local t stat
  for t in /proc/"$1"/task/*; do
    stat=$(< "$t/stat") 2>/dev/null || continue
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    printf '%s %d %s\n' "${t##*/}" $(( ${12} + ${13} )) "$(tr ' ' _ < "$t/comm")"
  done
}
# top_threads BEFORE AFTER SECONDS: the 4 threads that used most CPU between two thread_ticks
top_threads() {
  awk -v hz="$hz" -v secs="$3" 'NR == FNR {b[$1] = $2; next}
    {d = $2 - b[$1]; if (d > 0) {n[$3] += d}}
    END {for (k in n) printf "%s %.1f%%\n", k, n[k] / hz / secs * 100}' "$1" "$2" \
    | sort -k2 -rn | head -4 | paste -sd ' ' | sed 's/ \([0-9.]*%\)/ \1,/g; s/,$//'
}
# pct TICKS SECONDS: % of one core
pct() { calc "$1 / $hz / $2 * 100"; }
# ratio A B: A / B, or n/a when B is 0
ratio() { if (( $(calc "$2 > 0") )); then printf '%.1fx' "$(calc "$1 / $2")"; else echo n/a; fi; }
# stat_num SESSION KEY: a number from the --stats JSON
stat_num() { grep -o "\"$2\":[0-9.-]*" "$work/$1.stats" | head -1 | cut -d: -f2; }

build_tui
bytes=$((size_mib << 20))
sha_a=$(make_random "$work/www/a/weights.bin" "$size_mib")
sha_b=$(make_random "$work/www/b/weights.bin" "$size_mib")
start_nginx "$work/www" "limit_rate $rate;"
write_manifest "$work/a.toml" bench-a@1.0.0 "$nginx_url/a" "weights.bin:$bytes:$sha_a"
write_manifest "$work/b.toml" bench-b@1.0.0 "$nginx_url/b" "weights.bin:$bytes:$sha_b"
manifest="$work/models.toml"
{ cat "$work/a.toml"; tail -n +2 "$work/b.toml"; } > "$manifest"
root="$work/root"
mkdir -p "$root"
cat "$work/www/a/weights.bin" "$work/www/b/weights.bin" > /dev/null
row_a='^[> ] bench-a@1\.0\.0 '
row_b='^[> ] bench-b@1\.0\.0 '

# A session that only holds the tmux server up between the runs.
tm new-session -d -s keep -x 100 -y 30 "sleep 3600"

# --- 1. launch to first full frame ---------------------------------------------------------------
wall_t=() ; first_t=() ; full_t=() ; cli_t=()
for i in $(seq 0 "$runs"); do # run 0 warms the page cache and is not counted
  tui_start start
  wait_pane 60 start "$row_a" "$row_b"
  t1=$(now)
  save_screen start "1-first-full-frame"
  tui_quit start
  if ((i > 0)); then
    wall_t+=("$(calc "$t1 - $(cat "$work/start.launch")")")
    first_t+=("$(stat_num start firstFrameMillis)")
    full_t+=("$(stat_num start firstFullFrameMillis)")
  fi
  t0=$(now)
  # shellcheck disable=SC2086
  java ${WAN_JAVA_OPTS:-} -cp "$classpath" dev.wan.cli.WanCli models status --root "$root" --manifest "$manifest" \
    > "$work/status.out" 2> "$work/status.err" || { cat "$work/status.out" "$work/status.err" >&2; exit 1; }
  t1=$(now)
  ((i == 0)) || cli_t+=("$(calc "$t1 - $t0")")
done
grep -q bench-b@1.0.0 "$work/status.out" || { echo "wan models status does not list bench-b:" >&2; cat "$work/status.out" >&2; exit 1; }
echo "1. start-up done" >&2

# --- 2. idle CPU ---------------------------------------------------------------------------------
tui_start idle
wait_pane 60 idle "$row_a" "$row_b"
tm new-session -d -s top -x 100 -y 30 "top -d 2"
wait_pane 20 top 'load average'
tui_pid=$(java_pid idle)
top_pid=$(pgrep -P "$(tm list-panes -t top -F '#{pane_pid}')" -x top || tm list-panes -t top -F '#{pane_pid}')
sleep "$settle"
thread_ticks "$tui_pid" > "$work/idle.threads0"
a0=$(ticks "$tui_pid"); b0=$(ticks "$top_pid"); t0=$(now)
sleep "$idle_s"
a1=$(ticks "$tui_pid"); b1=$(ticks "$top_pid"); t1=$(now)
thread_ticks "$tui_pid" > "$work/idle.threads1"
idle_wall=$(calc "$t1 - $t0")
idle_threads=$(top_threads "$work/idle.threads0" "$work/idle.threads1" "$idle_wall")
idle_tui=$(pct $((a1 - a0)) "$idle_wall")
idle_top=$(pct $((b1 - b0)) "$idle_wall")
save_screen idle "2-idle"
tm kill-session -t top
tui_quit idle
idle_frames=$(stat_num idle frames)
echo "2. idle done" >&2

# --- 3. two downloads in the dashboard -----------------------------------------------------------
rm -rf "$root"; mkdir -p "$root"; sync
tui_start load
wait_pane 60 load "$row_a" "$row_b"
tui_pid=$(java_pid load)
thread_ticks "$tui_pid" > "$work/load.threads0"
c0=$(ticks "$tui_pid"); t0=$(now)
tm send-keys -t load e
wait_pane 20 load "${row_a}.*ENSURING"
tm send-keys -t load j
wait_pane 20 load "^> bench-b@1\.0\.0 "
tm send-keys -t load e
wait_pane 20 load "${row_b}.*ENSURING"
save_screen load "3-ensuring"
# per-second CPU while both run (for spikes), until both rows show COMPLETE
expect_s=$(calc "2 * $bytes / ($(numfmt --from=iec "${rate^^}") * $conns) + 60")
deadline=$(calc "$(now) + $expect_s")
last_t=$t0; last_c=$c0; peak_1s=0; screens=0
until pane_has load "${row_a} *- +COMPLETE" "${row_b} *- +COMPLETE"; do
  if (( $(calc "$(now) > $deadline") )); then
    echo "downloads did not complete within $expect_s s; the screen:" >&2; pane load >&2; exit 1
  fi
  if pane_has load '^EXIT='; then echo "the dashboard exited:" >&2; pane load >&2; cat "$work/load.err" >&2; exit 1; fi
  sleep 0.2
  tn=$(now)
  if (( $(calc "$tn - $last_t >= 1") )); then
    cn=$(ticks "$tui_pid")
    p=$(pct $((cn - last_c)) "$(calc "$tn - $last_t")")
    (( $(calc "$p > $peak_1s") )) && peak_1s=$p
    last_t=$tn; last_c=$cn
    if ((screens < 3)) && pane_has load 'ENSURING [0-9]+%'; then
      save_screen load "3-progress-$screens"; screens=$((screens + 1))
    fi
  fi
done
c1=$(ticks "$tui_pid"); t1=$(now)
thread_ticks "$tui_pid" > "$work/load.threads1"
save_screen load "3-complete"
load_wall=$(calc "$t1 - $t0")
load_threads=$(top_threads "$work/load.threads0" "$work/load.threads1" "$load_wall")
load_cpu_s=$(calc "($c1 - $c0) / $hz")
load_tui=$(pct $((c1 - c0)) "$load_wall")
tui_quit load
for m in a b; do
  f=$(find "$root" -path "*/bench-$m@1.0.0/weights.bin" -not -path '*/.*' | head -1)
  got=$([ -n "$f" ] && openssl dgst -sha256 -r "$f" | cut -d' ' -f1)
  want=sha_$m
  [ "$got" = "${!want}" ] || { echo "bench-$m: wrong sha256 after the dashboard's ensure" >&2; exit 1; }
done
load_frames=$(stat_num load frames)
iv_mean=$(stat_num load mean); iv_p50=$(stat_num load p50); iv_p95=$(stat_num load p95); iv_max=$(stat_num load max)
echo "3. dashboard downloads done" >&2

# peers: both files at once from the same nginx
# curl_pair NAME CMD: CMD (with FILE and URL in its environment) for a and b at once under
# /usr/bin/time; sets peer_wall (the slower), peer_cpu (seconds, both)
curl_pair() {
  local name=$1 cmd=$2 m pids=()
  rm -rf "$work/peer"; mkdir -p "$work/peer"; sync
  for m in a b; do
    FILE="$work/peer/$m.bin" URL="$nginx_url/$m/weights.bin" \
      /usr/bin/time -f '%e %U %S' -o "$work/$name-$m.time" sh -c "$cmd" &
    pids+=($!)
  done
  for m in "${pids[@]}"; do wait "$m" || { echo "$name failed" >&2; exit 1; }; done
  for m in a b; do
    [ "$(stat -c %s "$work/peer/$m.bin")" = "$bytes" ] || { echo "$name: wrong size of $m" >&2; exit 1; }
  done
  peer_wall=$(cat "$work/$name-a.time" "$work/$name-b.time" | awk '$1 > w {w = $1} END {print w}')
  peer_cpu=$(cat "$work/$name-a.time" "$work/$name-b.time" | awk '{c += $2 + $3} END {print c}')
}
# shellcheck disable=SC2016 # FILE and URL are expanded by curl_pair's sh
curl_pair curl 'curl -sf -o "$FILE" "$URL"'
curl_wall=$peer_wall; curl_cpu=$peer_cpu
# shellcheck disable=SC2016
curl_pair curlsha 'curl -sf "$URL" | tee "$FILE" | openssl dgst -sha256 -r > "$FILE.sha" && sync "$FILE"'
sha_wall=$peer_wall; sha_cpu=$peer_cpu
[ "$(cut -d' ' -f1 "$work/peer/a.bin.sha")" = "$sha_a" ] || { echo "curl|openssl: wrong sha256" >&2; exit 1; }
echo "3. peers done" >&2

# --- summary -------------------------------------------------------------------------------------
wall=$(times_median wall_t); cli=$(times_median cli_t)
printf 'dashboard (wan tui) in tmux 100x30, %s; %d runs for start-up (medians), 2 x %d MiB at limit_rate %s, %d connection(s) per file\n' \
  "$(java -version 2>&1 | head -1)" "$runs" "$size_mib" "$rate" "$conns"
printf '1. launch to first full frame (wall, screen polled):  %6.0f ms   (JVM start to first frame %d ms, to first full frame %d ms)\n' \
  "$(calc "$wall * 1000")" "$(times_median first_t)" "$(times_median full_t)"
printf '   wan models status (whole command):                 %6.0f ms   dashboard / status: %.2fx\n' \
  "$(calc "$cli * 1000")" "$(calc "$wall / $cli")"
printf '2. idle CPU over %.0f s (after first frame + %s s):    dashboard %5.2f %% of a core (%d frames in the session)   top -d 2: %5.2f %%\n' \
  "$idle_wall" "$settle" "$idle_tui" "$idle_frames" "$idle_top"
printf '   busiest threads while idle (%% of a core): %s\n' "$idle_threads"
printf '3. two ensures (e, j, e) until both COMPLETE:         %6.2f s wall, CPU %6.2f s = %5.1f %% of a core (peak 1 s: %.0f %%)\n' \
  "$load_wall" "$load_cpu_s" "$load_tui" "$peak_1s"
printf '   frame interval under load: mean %s ms, p50 %s ms, p95 %s ms, max %s ms (%d frames)\n' \
  "$iv_mean" "$iv_p50" "$iv_p95" "$iv_max" "$load_frames"
printf '   busiest threads under load (%% of a core): %s\n' "$load_threads"
printf '   2 x curl -o (no hash, no fsync):                   %6.2f s wall, CPU %6.2f s = %5.1f %% of a core   dashboard CPU / curl: %s\n' \
  "$curl_wall" "$curl_cpu" "$(calc "$curl_cpu / $curl_wall * 100")" "$(ratio "$load_cpu_s" "$curl_cpu")"
printf '   2 x curl | tee | openssl dgst -sha256 + sync:      %6.2f s wall, CPU %6.2f s = %5.1f %% of a core   dashboard CPU / this: %s\n' \
  "$sha_wall" "$sha_cpu" "$(calc "$sha_cpu / $sha_wall * 100")" "$(ratio "$load_cpu_s" "$sha_cpu")"
