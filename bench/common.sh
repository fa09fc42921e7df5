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
cleanup() {
  local p
  for p in "${bg_pids[@]}"; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
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
build_wan() {
  local cp_file="$work/cli.classpath"
  # one reactor run: package, then the CLI module's runtime class path (which names lib/target's jar)
  if ! (cd "$repo" && mvn -q -B -pl cli -am package dependency:build-classpath -Dmaven.test.skip=true \
      -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp_file") > "$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    echo "build failed" >&2
    exit 1
  fi
  classpath="$repo/cli/target/wan-cli-0.1.0-SNAPSHOT.jar:$(cat "$cp_file")"
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

# start_nginx DOCROOT [LOCATION_DIRECTIVES]: a private nginx (own config and pid in $work, access
# log off, sendfile on) on a free loopback port; sets $nginx_url.
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

# mbps BYTES SECONDS
mbps() { calc "$1 / 1000000 / $2"; }
