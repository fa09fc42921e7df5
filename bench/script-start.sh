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

names=("jbang hello.java")
cmds=("jbang $work/hello.java")
while read -r alias ref; do
  if [ -f "$repo/$ref" ]; then
    names+=("jbang $alias@org --help"); cmds+=("jbang $alias@org --help")
  else
    echo "skipped $alias@org: $ref is not in this checkout" >&2
  fi
done < <(python3 -c 'import json,sys; [print(k, v["script-ref"]) for k, v in json.load(open(sys.argv[1]))["aliases"].items()]' \
  "$repo/catalog.json")
names+=("jbang inventory@org (empty store)" "jbang nightly@org (empty store)")
cmds+=("jbang inventory@org" "jbang nightly@org")

# run I: one timed run of command I
run() { time_cmd "${cmds[$1]}"; }

declare -A times
interleave "$runs"
report "$runs" 36
