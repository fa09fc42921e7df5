# shellcheck shell=bash
# Shared by the bench scripts (source it, do not run it): the temp dir and its cleanup, the wan
# build and class path, timing helpers, a check for peer tools, and a private nginx.
#
# Knobs (environment):
#   WAN_JAVA_OPTS   extra JVM options for every wan run (e.g. "-Xmx256m -XX:+UseSerialGC")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/wan-bench.XXXXXX")
chmod 755 "$work"
bg_pids=()
# stop_bg: stop the servers this shell started (bench/run calls it when a scenario ends)
stop_bg() {
  local p
  for p in "${bg_pids[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  bg_pids=()
}
cleanup() {
  stop_bg
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
calc() { echo "$*" | bc -l; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# times_median NAME: median of the array NAME
times_median() { local -n arr=$1; printf '%s\n' "${arr[@]}" | median; }

# need CMD:PACKAGE ...: fail with an install hint when a peer tool is missing (bench installs nothing).
need() {
  local missing=() pkgs=() spec cmd
  for spec in "$@"; do
    cmd=${spec%%:*}
    if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "$cmd" ]; then
      missing+=("$cmd"); pkgs+=("${spec#*:}")
    fi
  done
  if ((${#missing[@]})); then
    echo "missing: ${missing[*]}; install with: sudo apt-get install ${pkgs[*]}" >&2
    exit 2
  fi
}

# have CMD: whether CMD is installed (for optional peers; see need for required ones)
have() { command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]; }

# free_port: a TCP port on 127.0.0.1 that nothing listens on.
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# wait_http URL [SECONDS]: until URL answers 2xx.
wait_http() {
  local deadline=$(( $(date +%s) + ${2:-30} ))
  until curl -sf -o /dev/null "$1"; do
    if (( $(date +%s) > deadline )); then
      echo "not ready: $1" >&2; return 1
    fi
    sleep 0.2
  done
}

# build_wan: compile the core and CLI jars (no install into ~/.m2) and set $classpath.
# WAN_BENCH_TESTJAR=1 also compiles the tests and builds lib's test-jar ($testjar: the testkit).
# WAN_BENCH_MVN_ARGS: extra Maven arguments (e.g. -o); MAVEN_OPTS is passed on as usual.
build_wan() {
  local cp_file="$work/cli.classpath" skip=-Dmaven.test.skip=true
  [ "${WAN_BENCH_TESTJAR:-0}" = 1 ] && skip=-DskipTests
  # one reactor run: package, then the CLI module's runtime class path (which names lib/target's jar)
  # shellcheck disable=SC2086 # WAN_BENCH_MVN_ARGS is a word list
  if ! (cd "$repo" && mvn -q -B ${WAN_BENCH_MVN_ARGS:-} -pl cli -am package dependency:build-classpath "$skip" \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file") > "$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    echo "build failed" >&2
    exit 1
  fi
  classpath="$repo/cli/target/wan-cli-0.1.0-SNAPSHOT.jar:$(cat "$cp_file")"
  testjar="$repo/lib/target/wan-lib-0.1.0-SNAPSHOT-tests.jar"
}

# wan_ensure ID [ARGS...]: one `wan ensure ID --json --quiet` (MODELS_ROOT, WAN_MODELS_MANIFEST and
# any source settings come from the caller's environment); prints the wall time in seconds.
wan_ensure() {
  local id=$1 t0 t1
  shift
  t0=$(now)
  # shellcheck disable=SC2086
  if ! java ${WAN_JAVA_OPTS:-} -cp "$classpath" dev.wan.cli.WanCli ensure "$id" --json --quiet "$@" \
      > "$work/wan.out" 2> "$work/wan.err"; then
    echo "wan ensure $id failed:" >&2
    cat "$work/wan.out" "$work/wan.err" >&2
    return 1
  fi
  t1=$(now)
  calc "$t1 - $t0"
}

# make_random FILE MIB: FILE with MIB MiB of random bytes; prints its sha256.
make_random() {
  mkdir -p "$(dirname "$1")"
  head -c $(($2 << 20)) /dev/urandom > "$1"
  openssl dgst -sha256 -r "$1" | cut -d' ' -f1
}

# start_nginx DOCROOT [LOCATION_DIRECTIVES] [SERVER_DIRECTIVES]: a private nginx (own config and pid
# in $work, access log off, sendfile on) on a free loopback port; sets $nginx_url. SERVER_DIRECTIVES
# go into the server block (e.g. another location).
start_nginx() {
  local dir="$work/nginx" port temp_paths="" m
  mkdir -p "$dir/logs" "$dir/tmp"
  port=$(free_port)
  for m in client_body proxy fastcgi uwsgi scgi; do
    if ! nginx -V 2>&1 | grep -q -- "--without-http_${m}_module"; then
      temp_paths+="  ${m}_temp_path $dir/tmp/$m;"$'\n'
    fi
  done
  cat > "$dir/nginx.conf" <<EOF
$( [ "$(id -u)" = 0 ] && echo "user root;" )
worker_processes auto;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  default_type application/octet-stream;
$temp_paths
  server {
    listen 127.0.0.1:$port;
    root $1;
    location / { ${2:-} }
    ${3:-}
  }
}
EOF
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/logs/error.log" &
  bg_pids+=($!)
  nginx_url="http://127.0.0.1:$port"
  touch "$1/.ready"
  wait_http "$nginx_url/.ready"
}

# write_manifest FILE ID SOURCE PATH:SIZE:SHA...: a one-model manifest.
write_manifest() {
  local file=$1 id=$2 source=$3 spec p s h
  shift 3
  {
    echo 'schema_version = 1'
    echo "[models.\"$id\"]"
    for spec in "$@"; do
      IFS=: read -r p s h <<<"$spec"
      echo "[[models.\"$id\".files]]"
      echo "path = \"$p\""
      echo "size = $s"
      echo "sha256 = \"$h\""
    done
    echo "[models.\"$id\".sources]"
    echo "priority = [\"$source\"]"
  } > "$file"
}

# start_s3proxy DATADIR: S3Proxy 4.1.0 (filesystem store in DATADIR, v2/v4 auth) on a free loopback
# port; exports AWS_* (endpoint, credentials, region; no profile or config file of the caller) and
# RCLONE_CONFIG_WANB_* (remote "wanb:"). A bucket is a directory of DATADIR, an object a file.
# The jar: S3PROXY_JAR, else the local Maven repository's (maven.repo.local in MAVEN_OPTS, ~/.m2).
start_s3proxy() {
  local m2 port jar=${S3PROXY_JAR:-}
  if [ -z "$jar" ]; then
    for m2 in $(sed -n 's/.*-Dmaven.repo.local=\([^ ]*\).*/\1/p' <<<"${MAVEN_OPTS:-}") ~/.m2/repository; do
      jar=$m2/org/gaul/s3proxy/4.1.0/s3proxy-4.1.0-jar-with-dependencies.jar
      [ -f "$jar" ] && break
    done
  fi
  if [ ! -f "$jar" ]; then
    echo "missing: $jar; fetch it with:" >&2
    echo "  mvn -q dependency:get -Dartifact=org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies" >&2
    return 2
  fi
  unset AWS_CA_BUNDLE AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN
  export AWS_CONFIG_FILE="$work/aws-none" AWS_SHARED_CREDENTIALS_FILE="$work/aws-none"
  export AWS_ACCESS_KEY_ID=wanbench AWS_SECRET_ACCESS_KEY=wanbench-secret-key AWS_REGION=us-east-1
  export AWS_DEFAULT_REGION=us-east-1
  port=$(free_port)
  export AWS_ENDPOINT_URL="http://127.0.0.1:$port"
  mkdir -p "$1"
  cat > "$work/s3proxy.properties" <<EOF
s3proxy.endpoint=$AWS_ENDPOINT_URL
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AWS_ACCESS_KEY_ID
s3proxy.credential=$AWS_SECRET_ACCESS_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$1
EOF
  java -jar "$jar" --properties "$work/s3proxy.properties" > "$work/s3proxy.log" 2>&1 &
  bg_pids+=($!)
  wait_http "$AWS_ENDPOINT_URL/healthz" 60
  export RCLONE_CONFIG_WANB_TYPE=s3 RCLONE_CONFIG_WANB_PROVIDER=Other RCLONE_CONFIG_WANB_ENDPOINT="$AWS_ENDPOINT_URL"
  export RCLONE_CONFIG_WANB_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" RCLONE_CONFIG_WANB_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY"
  export RCLONE_CONFIG_WANB_REGION=us-east-1 RCLONE_CONFIG_WANB_FORCE_PATH_STYLE=true
  touch "$work/rclone.conf"
}

# mbps BYTES SECONDS
mbps() { calc "$1 / 1000000 / $2"; }

# time_cmd CMD: one timed run of the word list CMD (stdin "exit", output discarded, a failure stops
# the bench); prints seconds.
time_cmd() {
  local t0 t1
  t0=$(now)
  # shellcheck disable=SC2086 # the command is a word list
  if ! echo exit | $1 > "$work/out" 2> "$work/err"; then
    echo "failed: $1" >&2; cat "$work/out" "$work/err" >&2; exit 1
  fi
  t1=$(now)
  calc "$t1 - $t0"
}

# interleave RUNS: the caller's run I for every index of its cmds array, twice untimed (compile,
# caches), then RUNS interleaved rounds; appends each round's seconds to the caller's times[I].
interleave() {
  local i
  for i in "${!cmds[@]}"; do run "$i" > /dev/null; run "$i" > /dev/null; done
  for _ in $(seq "$1"); do
    for i in "${!cmds[@]}"; do times[$i]+="$(run "$i") "; done
  done
}

# report RUNS WIDTH [results]: per command (the caller's names and times) median, min, max and the
# ratio to the first command's median; with "results" also a `RESULT name median min max` line each
# (what bench/run reads).
report() {
  local i sorted med first results=""
  printf "%-${2}s %8s %8s %8s %8s\n" "command ($1 warm runs)" median min max "/hello"
  first=$(tr ' ' '\n' <<<"${times[0]}" | grep . | median)
  for i in "${!cmds[@]}"; do
    sorted=$(tr ' ' '\n' <<<"${times[$i]}" | grep . | sort -n)
    med=$(median <<<"$sorted")
    printf "%-${2}s %7.2fs %7.2fs %7.2fs %7.2fx\n" "${names[$i]}" "$med" "$(head -n1 <<<"$sorted")" \
      "$(tail -n1 <<<"$sorted")" "$(calc "$med / $first")"
    results+="RESULT ${names[$i]// /_} $med $(head -n1 <<<"$sorted") $(tail -n1 <<<"$sorted")"$'\n'
  done
  if [ "${3:-}" = results ]; then printf '%s' "$results"; fi
}
