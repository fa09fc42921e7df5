#!/usr/bin/env bash
# Warm start of every script alias of catalog.json (`jbang ALIAS@org --help`, and a cheap real run
# of inventory and nightly over an empty store) beside `jbang hello.java` (a hello-world script
# without dependencies) in the same run: what an operator waits for when typing the alias.
#
#   bench/script-start.sh [RUNS=7]
#
# jbang is this checkout's launcher linked as `jbang` (as in the README, "Running wan"), in a fresh
# HOME of its own with the catalog registered as `org`; the local Maven repository is the caller's
# (JBANG_REPO, else ~/.m2/repository: the core jar must be installed there, e.g. by one `./wan`).
# Every command runs twice first (compile, JBang's class-data-sharing archive), then RUNS rounds,
# interleaved; prints median, min and max per command and the median over hello.java's.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
runs=${1:-7}
need bc:bc python3:python3

home=$work/home
mkdir -p "$home/.local/bin" "$home/.jbang" "$work/store"
ln -s "$repo/wan" "$home/.local/bin/jbang"
printf '{"catalogs":{"org":{"catalog-ref":"%s/catalog.json"}}}\n' "$repo" > "$home/.jbang/jbang-catalog.json"
cat > "$work/hello.java" <<'EOF'
///usr/bin/env jbang "$0" "$@" ; exit $?
class hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
EOF
export JBANG_REPO=${JBANG_REPO:-$(getent passwd "$(id -u)" | cut -d: -f6)/.m2/repository}
export HOME=$home PATH=$home/.local/bin:$PATH MODELS_ROOT=$work/store WAN_MODELS_MANIFEST=$repo/examples/demo/models.toml
unset XDG_CACHE_HOME JBANG_DIR JBANG_CACHE_DIR

names=("hello.java")
cmds=("jbang $work/hello.java")
while read -r alias ref; do
  if [ -f "$repo/$ref" ]; then
    names+=("$alias@org --help"); cmds+=("jbang $alias@org --help")
  else
    echo "skipped $alias@org: $ref is not in this checkout" >&2
  fi
done < <(python3 -c 'import json,sys; [print(k, v["script-ref"]) for k, v in json.load(open(sys.argv[1]))["aliases"].items()]' \
  "$repo/catalog.json")
names+=("inventory@org (empty store)" "nightly@org (empty store)")
cmds+=("jbang inventory@org" "jbang nightly@org")

# run I: one timed run of command I (output discarded, a failure stops the bench); prints seconds
run() {
  local t0 t1
  t0=$(now)
  # shellcheck disable=SC2086 # the command is a word list
  if ! ${cmds[$1]} > "$work/out" 2> "$work/err"; then
    echo "failed: ${cmds[$1]}" >&2; cat "$work/out" "$work/err" >&2; exit 1
  fi
  t1=$(now)
  calc "$t1 - $t0"
}

for i in "${!cmds[@]}"; do run "$i" > /dev/null; run "$i" > /dev/null; done
declare -A times
for _ in $(seq "$runs"); do
  for i in "${!cmds[@]}"; do times[$i]+="$(run "$i") "; done
done

printf '%-36s %8s %8s %8s %8s\n' "command ($runs warm runs)" median min max "/hello"
hello=$(tr ' ' '\n' <<<"${times[0]}" | grep . | median)
for i in "${!cmds[@]}"; do
  sorted=$(tr ' ' '\n' <<<"${times[$i]}" | grep . | sort -n)
  med=$(median <<<"$sorted")
  printf '%-36s %7.2fs %7.2fs %7.2fs %7.2fx\n' "jbang ${names[$i]}" "$med" "$(head -n1 <<<"$sorted")" \
    "$(tail -n1 <<<"$sorted")" "$(calc "$med / $hello")"
done
