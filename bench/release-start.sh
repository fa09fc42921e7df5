#!/usr/bin/env bash
# Warm start of wan as an operator runs it from a release, beside `jbang hello.java` (a hello-world
# script without dependencies) in the same run:
#   jbang wan@org status       the catalog added by URL from a release (dist/publish) nginx serves
#   ./wan status               this checkout's launcher
#   wan shell, first prompt    `exit` piped into `jbang wan@org shell` and `./wan shell`, and the
#                              time until `wan>` shows in an 80x24 tmux window (a real terminal)
#
#   bench/release-start.sh [RUNS=7]
#
# RELEASE_START_ONLY=status: only hello.java, a `java -cp` hello world and the two status commands
# (what bench/run measures). Every command also gets a `RESULT <name> <median> <min> <max>` line.
#
# jbang is this checkout's launcher linked as `jbang` in a fresh HOME; the local Maven repository is
# the caller's (JBANG_REPO, else ~/.m2/repository), so only the first run of each downloads anything.
# Every command runs twice first (compile, caches), then RUNS rounds, interleaved; prints median, min
# and max per command and the ratio to hello.java's median.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "$0")/common.sh"
runs=${1:-7}
need bc:bc nginx:nginx tmux:tmux

mkdir -p "$work/srv" "$work/store"
echo ok > "$work/srv/ping"
start_nginx "$work/srv"
base=$nginx_url/wan
wait_http "$nginx_url/ping" 30
"$repo/dist/publish" 0.1.0 "$work/srv/wan" "$base" 2> "$work/publish.log" \
  || { cat "$work/publish.log" >&2; exit 1; }

home=$work/home
mkdir -p "$home/.local/bin"
ln -s "$repo/wan" "$home/.local/bin/jbang"
cat > "$work/hello.java" <<'EOF'
///usr/bin/env jbang "$0" "$@" ; exit $?
class hello {
    public static void main(String[] args) {
        System.out.println("hello");
    }
}
EOF
m2=$(sed -n 's/.*-Dmaven.repo.local=\([^ ]*\).*/\1/p' <<<"${MAVEN_OPTS:-}")
export JBANG_REPO=${JBANG_REPO:-${m2:-$(getent passwd "$(id -u)" | cut -d: -f6)/.m2/repository}}
mkdir -p "$work/hello-classes"
javac -d "$work/hello-classes" "$work/hello.java"
export HOME=$home PATH=$home/.local/bin:$PATH MODELS_ROOT=$work/store WAN_MODELS_MANIFEST=$repo/examples/demo/models.toml
unset XDG_CACHE_HOME JBANG_DIR JBANG_CACHE_DIR
cd "$home"
jbang catalog add --global --name org "$base/jbang-catalog.json" > /dev/null 2>&1
jbang trust add "$base/" > /dev/null 2>&1

names=("jbang hello.java" "java -cp hello" "jbang wan@org status" "./wan status" "jbang wan@org shell (exit)"
  "./wan shell (exit)" "jbang wan@org shell, tmux prompt" "./wan shell, tmux prompt")
cmds=("jbang $work/hello.java" "java -cp $work/hello-classes hello" "jbang wan@org status" "$repo/wan status"
  "jbang wan@org shell" "$repo/wan shell" "tmux:jbang wan@org shell" "tmux:$repo/wan shell")
if [ "${RELEASE_START_ONLY:-}" = status ]; then
  names=("${names[@]:0:4}"); cmds=("${cmds[@]:0:4}")
fi

# prompt CMD: seconds from starting CMD in an 80x24 tmux window until its last line is `wan>`
prompt() {
  local t0 t1 session=wan-bench-$$ deadline
  t0=$(now)
  tmux -L "$session" -f /dev/null new-session -d -x 80 -y 24 "$1; sleep 30"
  deadline=$(( $(date +%s) + 60 ))
  until tmux -L "$session" capture-pane -p | grep -q '^wan>'; do
    if (( $(date +%s) > deadline )); then
      echo "no prompt from: $1" >&2; tmux -L "$session" capture-pane -p >&2; tmux -L "$session" kill-server; exit 1
    fi
    sleep 0.05 # polling faster takes CPU from the JVM being measured (2 vCPUs)
  done
  t1=$(now)
  tmux -L "$session" kill-server
  calc "$t1 - $t0"
}

# run I: one timed run of command I (stdin: "exit", so a shell leaves at once)
run() {
  if [[ ${cmds[$1]} == tmux:* ]]; then
    prompt "${cmds[$1]#tmux:}"
  else
    time_cmd "${cmds[$1]}"
  fi
}

declare -A times
interleave "$runs"
report "$runs" 32 results
