#!/usr/bin/env bash
# GC plan and deduplicate times on a synthetic store, and bytes saved by dedup on the demo and on
# a WAN2.2-shaped manifest (issue 4, "Numbers for your note").
#
# usage: bench/gc-dedup.sh [MODELS=1000] [FILES_PER_MODEL=50]
# Knobs: REAL_PER_MODEL (files with real random content per model, default 20% of FILES_PER_MODEL),
#        POOL (distinct real blobs, default 2000), MAX_SIZE (gc --max-size, default 10TB),
#        SCALE (part 3 divides WAN2.2 sizes by this, default 10000), WAN_JAVA_OPTS.
# Disk: sparse files cost nothing; the real files take ~1 GB before dedup (~0.4 GB after).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
need jq:jq python3:python3 bc:bc

MODELS=${1:-1000}
PER_MODEL=${2:-50}
REAL_PER_MODEL=${REAL_PER_MODEL:-$((PER_MODEL / 5))}
POOL=${POOL:-2000}
MAX_SIZE=${MAX_SIZE:-10TB}
SCALE=${SCALE:-10000}

df -h "$work" | tail -1 | awk '{print "disk of the temp dir: " $4 " free of " $2}'
build_wan

# wan_timed NAME ARGS...: run the CLI (MODELS_ROOT, WAN_MODELS_MANIFEST from the environment), stdout
# into $work/NAME.json; prints the wall time in seconds; fails loudly on a non-zero exit.
wan_timed() {
  local name=$1 t0 t1 rc=0
  shift
  t0=$(now)
  # shellcheck disable=SC2086
  java ${WAN_JAVA_OPTS:-} -cp "$classpath" dev.wan.cli.WanCli "$@" > "$work/$name.json" 2> "$work/$name.err" || rc=$?
  t1=$(now)
  if [ "$rc" != 0 ]; then
    echo "wan $* failed (exit $rc):" >&2
    head -c 2000 "$work/$name.json" >&2
    cat "$work/$name.err" >&2
    return 1
  fi
  printf '%.2f' "$(calc "$t1 - $t0")"
}

echo
echo "== 1. synthetic store: $MODELS models x $PER_MODEL files ($REAL_PER_MODEL real-content files each, pool of $POOL blobs)"
export MODELS_ROOT="$work/synth" WAN_MODELS_MANIFEST="$work/synth.toml"
t0=$(now)
summary=$(java -cp "$classpath" "$repo/bench/GcDedupStore.java" "$MODELS_ROOT" "$WAN_MODELS_MANIFEST" \
  "$MODELS" "$PER_MODEL" "$REAL_PER_MODEL" "$POOL" 42)
printf 'generated in %.1f s: %s\n' "$(calc "$(now) - $t0")" "$summary"
echo "on disk: $(du -sh "$MODELS_ROOT" | cut -f1) (du), manifest $(du -h "$WAN_MODELS_MANIFEST" | cut -f1)"
real_bytes=$(sed 's/.* realBytes=\([0-9]*\).*/\1/' <<<"$summary")
distinct_bytes=$(sed 's/.* distinctRealBytes=\([0-9]*\).*/\1/' <<<"$summary")

t_noop=$(wan_timed noop models gc --help)
t_status=$(wan_timed status models status --json)
echo "JVM start (wan models gc --help):                    $t_noop s"
echo "wan models status --json ($MODELS state files + manifest): $t_status s   states: $(jq -r '[.models[].state] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$work/status.json")"
t_gc1=$(wan_timed gc1 models gc --dry-run --max-size "$MAX_SIZE" --max-age 30d --json)
t_gc2=$(wan_timed gc2 models gc --dry-run --max-size "$MAX_SIZE" --max-age 30d --json)
echo "wan models gc --dry-run --max-size $MAX_SIZE --max-age 30d --json: $t_gc1 s (cold), $t_gc2 s (again)"
jq -r '"  plan: store \(.storeBytes) B, delete \(.deleted | length) models (\([.deleted[].reason] | group_by(.) | map("\(.[0])=\(length)") | join(" "))), reclaim \(.bytesReclaimed) B, goalMet=\(.goalMet), kept/preserved \((.preserved // .kept // []) | length)"' "$work/gc2.json"
echo "  GarbageCollector.plan() in-process (no JVM start, no manifest): $(java -cp "$classpath" "$repo/bench/GcPlanTime.java" "$MODELS_ROOT" "$(jq .policy.maxSize "$work/gc2.json")" 5)"

t_dd=$(wan_timed dedup-dry models deduplicate --dry-run --json)
jq -r --arg t "$t_dd" '"wan models deduplicate --dry-run: \($t) s   scanned \(.filesScanned), hashed \(.filesHashed) files / \(.bytesHashed) B, groups \(.groups), would link \(.filesLinked), would save \(.bytesSaved) B"' "$work/dedup-dry.json"
t_dr=$(wan_timed dedup models deduplicate --json)
jq -r --arg t "$t_dr" '"wan models deduplicate:           \($t) s   scanned \(.filesScanned), hashed \(.filesHashed) files / \(.bytesHashed) B, groups \(.groups), linked \(.filesLinked), saved \(.bytesSaved) B, skipped \(.skipped | length)"' "$work/dedup.json"
echo "  expected saving (real bytes - distinct real bytes): $((real_bytes - distinct_bytes)) B; du now $(du -sh "$MODELS_ROOT" | cut -f1)"
t_d2=$(wan_timed dedup-again models deduplicate --dry-run --json)
jq -r --arg t "$t_d2" '"wan models deduplicate --dry-run (again, after): \($t) s   hashed \(.filesHashed), would link \(.filesLinked)"' "$work/dedup-again.json"
t_du=$(wan_timed du models disk-usage --json)
jq -r --arg t "$t_du" '"wan models disk-usage --json:     \($t) s   models \(.models | length), files \([.models[].files] | add), total bytes \(.total.bytes), apparent \(.total.apparentBytes), savedByDedup \(.total.savedByDedup)"' "$work/du.json"
t_st2=$(wan_timed status2 models status --json)
echo "wan models status --json after deduplicate: $t_st2 s   states: $(jq -r '[.models[].state] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$work/status2.json")"
t_gc3=$(wan_timed gc3 models gc --dry-run --max-size "$MAX_SIZE" --max-age 30d --json)
jq -r --arg t "$t_gc3" '"wan models gc --dry-run after deduplicate: \($t) s   delete \(.deleted | length), reclaim \(.bytesReclaimed) B"' "$work/gc3.json"
rm -rf "$MODELS_ROOT"

echo
echo "== 2. bundled demo: ensure --all, then disk-usage"
export MODELS_ROOT="$work/demo" WAN_MODELS_MANIFEST="$repo/examples/demo/models.toml"
unset WAN_LOCAL_ROOT
t_e=$(wan_timed demo-ensure models ensure --all --json --quiet)
echo "ensure --all: $t_e s   $(jq -r '[.models[] | "\(.model) ok=\(.ok) fetched=\(.bytesFetched)"] | join("; ")' "$work/demo-ensure.json")"
wan_timed demo-du models disk-usage --json > /dev/null
jq -r '.models[] | "  \(.model): bytes \(.bytes) unique \(.uniqueBytes) shared \(.sharedBytes) apparent \(.apparentBytes)"' "$work/demo-du.json"
jq -r '"  total: bytes \(.total.bytes) apparent \(.total.apparentBytes) savedByDedup \(.total.savedByDedup)"' "$work/demo-du.json"
# the same, one model at a time (ensure --all runs models concurrently)
export MODELS_ROOT="$work/demo-seq"
t_e=$(wan_timed demo-ensure-seq models ensure --all --concurrency 1 --json --quiet)
wan_timed demo-du-seq models disk-usage --json > /dev/null
echo "ensure --all --concurrency 1: $t_e s   $(jq -r '[.models[] | "\(.model) fetched=\(.bytesFetched)"] | join("; ")' "$work/demo-ensure-seq.json")"
jq -r '.models[] | "  \(.model): bytes \(.bytes) unique \(.uniqueBytes) shared \(.sharedBytes) apparent \(.apparentBytes)"' "$work/demo-du-seq.json"
jq -r '"  total: bytes \(.total.bytes) apparent \(.total.apparentBytes) savedByDedup \(.total.savedByDedup)"' "$work/demo-du-seq.json"
t_e=$(wan_timed demo-ensure-bf16 models ensure demo-t2v@1.0.0 --variant bf16 --json --quiet)
wan_timed demo-du2 models disk-usage --json > /dev/null
jq -r --arg t "$t_e" '"  + ensure demo-t2v --variant bf16 (\($t) s): total bytes \(.total.bytes) apparent \(.total.apparentBytes) savedByDedup \(.total.savedByDedup)"' "$work/demo-du2.json"

echo
echo "== 3. WAN2.2-shaped: examples/wan22.toml, native t2v-A14B, i2v-A14B, ti2v-5b"
export MODELS_ROOT="$work/w22" WAN_LOCAL_ROOT="$work/w22store" WAN_MODELS_MANIFEST="$work/w22.toml"
python3 - "$repo/examples/wan22.toml" "$WAN_LOCAL_ROOT" "$WAN_MODELS_MANIFEST" "$SCALE" > "$work/w22.pred" <<'EOF'
import hashlib, os, sys, tomllib
src, store, out, scale = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ids = ["t2v-A14B@2.2.0", "i2v-A14B@2.2.0", "ti2v-5b@2.2.0"]
m = tomllib.load(open(src, "rb"))["models"]
seen, total, saved, nosha, nosha_n, files = set(), 0, 0, 0, 0, 0
ssaved = stotal = 0
scaled_sha = {}  # real sha -> (scaled size, scaled content sha)
lines = ["schema_version = 1", ""]
rnd = 0
def content(key, size):
    # deterministic bytes per key: identical real sha -> identical tiny content
    out, i = bytearray(), 0
    while len(out) < size:
        out += hashlib.sha256(f"{key}:{i}".encode()).digest(); i += 1
    return bytes(out[:size])
for mid in ids:
    mm = m[mid]
    lines += [f'[models."{mid}"]', f'version = "{mm["version"]}"']
    if "variants" in mm: lines.append("variants = [" + ", ".join(f'"{v}"' for v in mm["variants"]) + "]")
    if "default_variant" in mm: lines.append(f'default_variant = "{mm["default_variant"]}"')
    for f in mm["files"]:
        files += 1; total += f["size"]
        sha = f.get("sha256")
        ssize = max(1, f["size"] // scale)
        key = sha if sha else f"nosha:{mid}:{f['path']}"
        if sha is None:
            nosha += f["size"]; nosha_n += 1
        elif sha in seen:
            saved += f["size"]; ssaved += ssize
        if sha: seen.add(sha)
        data = content(key, ssize)
        stotal += ssize
        p = os.path.join(store, mid, f["path"])
        os.makedirs(os.path.dirname(p), exist_ok=True)
        open(p, "wb").write(data)
        lines += [f'[[models."{mid}".files]]', f'path = "{f["path"]}"', f"size = {ssize}"]
        if sha: lines.append(f'sha256 = "{hashlib.sha256(data).hexdigest()}"')
    lines += [f'[models."{mid}".sources]', f'priority = ["local://{mid}"]', ""]
open(out, "w").write("\n".join(lines) + "\n")
print(f"files={files} total={total} savedBySha={saved} after={total - saved} noShaFiles={nosha_n} noShaBytes={nosha} scaledTotal={stotal} scaledSaved={ssaved}")
EOF
pred=$(cat "$work/w22.pred")
val() { sed "s/.* $1=\([0-9]*\).*/\1/;s/^$1=\([0-9]*\).*/\1/" <<<"$pred"; }
echo "manifest: $(val files) files, $(val total) B before dedup (data/README: 286603464588)"
echo "  sha256-only rule saves $(val savedBySha) B -> $(val after) B after (data/README: 263329105710 after, i.e. 23274358878 saved)"
echo "  files without sha256 (cannot dedup at ensure): $(val noShaFiles) files, $(val noShaBytes) B"
echo "scaled copy (sizes / $SCALE, same paths, same sha-equality): $(val scaledTotal) B, predicted dedup saving $(val scaledSaved) B"
for id in t2v-A14B@2.2.0 i2v-A14B@2.2.0 ti2v-5b@2.2.0; do
  t=$(wan_timed "w22-$id" models ensure "$id" --json --quiet)
  echo "  ensure $id: $t s   fetched $(jq -r '.models[0] | "\(.filesFetched) files / \(.bytesFetched) B"' "$work/w22-$id.json")"
done
wan_timed w22-du models disk-usage --json > /dev/null
jq -r '.models[] | "  \(.model): bytes \(.bytes) unique \(.uniqueBytes) shared \(.sharedBytes) apparent \(.apparentBytes)"' "$work/w22-du.json"
jq -r --arg p "$(val scaledSaved)" '"  total: bytes \(.total.bytes) apparent \(.total.apparentBytes) savedByDedup \(.total.savedByDedup) (predicted \($p))"' "$work/w22-du.json"
wan_timed w22-dd models deduplicate --dry-run --json > /dev/null
jq -r '"  deduplicate --dry-run afterwards: hashed \(.filesHashed) files, would link \(.filesLinked), would save \(.bytesSaved) B"' "$work/w22-dd.json"
