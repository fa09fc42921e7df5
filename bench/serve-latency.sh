#!/usr/bin/env bash
# Latency of `wan serve`'s health endpoints under load, and the server's RSS. A store of MODELS
# models x FILES files (default 100 x 100 = 10,000 small files, populated with `wan ensure --all`
# from a local directory), then wrk (Debian package wrk) with 50 connections on 2 threads for
# DURATION against GET /health/models (every model: a stat per file) and GET /health/models/ONE.
# RSS (ps -o rss) of the idle server after start, and again after the wrk runs.
#
#   bench/serve-latency.sh [MODELS=100] [FILES=100] [DURATION=10s] [CONNECTIONS=50]
# wrk and the server share this machine's cores: on a small one the client's load is in the numbers.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
models=${1:-100}
files=${2:-100}
duration=${3:-10s}
conns=${4:-50}
need wrk:wrk java:openjdk-17-jdk-headless python3:python3 curl:curl

build_wan
python3 - "$work/serve.toml" "$models" "$files" "$work/src" <<'PY'
import hashlib, os, sys
out, models, per, src = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
with open(out, "w") as f:
    f.write("schema_version = 1\n")
    for m in range(models):
        mid = "serve-m%04d@1.0.0" % m
        f.write('\n[models."%s"]\ndescription = "generated model %d"\nversion = "1.0.0"\n' % (mid, m))
        for i in range(per):
            path = "c%d/sub%02d/part-%05d.safetensors" % (i % 5, i % 7, i)
            data = ("%s %s\n" % (mid, path)).encode()
            p = os.path.join(src, mid, path)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as g:
                g.write(data)
            f.write('\n[[models."%s".files]]\npath = "%s"\nsize = %d\nsha256 = "%s"\n'
                    % (mid, path, len(data), hashlib.sha256(data).hexdigest()))
        f.write('\n[models."%s".sources]\npriority = ["file://%s/%s"]\n' % (mid, src, mid))
PY
export MODELS_ROOT="$work/root" WAN_MODELS_MANIFEST="$work/serve.toml"
# shellcheck disable=SC2086 # WAN_JAVA_OPTS is a word list
java ${WAN_JAVA_OPTS:-} -cp "$classpath" dev.wan.cli.WanCli ensure --all --quiet > "$work/ensure.out" 2>&1 ||
  { tail -n 20 "$work/ensure.out" >&2; exit 1; }

port=$(free_port)
# shellcheck disable=SC2086
java ${WAN_JAVA_OPTS:-} -cp "$classpath" dev.wan.cli.WanCli serve --port "$port" > "$work/serve.out" 2>&1 &
serve_pid=$!
bg_pids+=("$serve_pid")
url="http://127.0.0.1:$port"
wait_http "$url/health" 60
sleep 2 # let start-up work (JIT, GC) settle before the idle reading
rss_start=$(ps -o rss= -p "$serve_pid")
curl -sf "$url/health/models" > /dev/null || { echo "GET /health/models is not 200: not every model is COMPLETE" >&2; exit 1; }

printf 'wan serve, %d models / %d files, wrk -t2 -c%d -d%s, %s, %d cores\n' "$models" "$((models * files))" \
  "$conns" "$duration" "$(java -version 2>&1 | head -1)" "$(nproc)"
for path in /health "/health/models/serve-m0000@1.0.0" /health/models; do
  t=$(curl -s -o /dev/null -w '%{time_total}' "$url$path")
  printf 'one request alone, GET %s: %s s\n' "$path" "$t"
done
printf '%-34s %10s %10s %10s %8s\n' "endpoint" "p50" "p99" "req/s" "errors"
# cheapest first; a 60 s timeout so a slow answer is measured, not counted as an error; before the
# next run the server must have answered what the last one left queued (wrk closes, the server works on)
for path in /health "/health/models/serve-m0000@1.0.0" /health/models; do
  wrk -t2 -c"$conns" -d"$duration" --timeout 60s --latency "$url$path" > "$work/wrk.out" 2>&1
  until [ "$(curl -s -o /dev/null -w '%{time_total}' "$url/health" | cut -d. -f1)" = 0 ]; do sleep 1; done
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.out")
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.out")
  # wrk counts non-2xx/3xx answers and socket errors separately; both must be 0
  errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$work/wrk.out")
  printf '%-34s %10s %10s %10s %8s\n' "GET $path" "$p50" "$p99" "$rps" "$errors"
done
sleep 2
rss_after=$(ps -o rss= -p "$serve_pid")
printf 'RSS of the idle server: %d MiB after start, %d MiB after the wrk runs\n' \
  $((rss_start / 1024)) $((rss_after / 1024))
