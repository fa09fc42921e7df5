#!/bin/sh
# shellcheck disable=SC2016,SC2034 # sh -c scripts are single-quoted on purpose
# End-to-end test of the ./wan launcher (not part of the Maven build):
#
#   sh tests/launcher/launcher-test.sh
#
# Runs a copy of the checkout under a brand-new HOME, so the first run takes the
# real fresh-machine path: JBang and every Maven plugin and dependency come from
# Maven Central (needs network to it, ~1-2 minutes). A fake `mvn` first on PATH
# records each Maven call and then runs the real one. After a first real
# `./wan --version`, the copy's wan.java is replaced by a probe that echoes its
# arguments and user.home, so the checks do not depend on what the CLI prints.
# Keeps its temp directory on failure (WAN_TEST_KEEP=1 keeps it always).

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)

REAL_MVN=$(command -v mvn) || { echo "FAIL: mvn is not on PATH" >&2; exit 1; }
REAL_HOME=$(getent passwd "$(id -u)" | cut -d: -f6)

T=$(mktemp -d "${TMPDIR:-/tmp}/wan-launcher-test.XXXXXX")
REPO=$T/repo
BIN=$T/bin
MVN_LOG=$T/mvn-calls.log
failures=0
checks=0

pass() { checks=$((checks + 1)); printf 'ok   %s\n' "$*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); printf 'FAIL %s\n' "$*"; return 1; }
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds (returns 1 when not)
check() { d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# run ARGS...: runs ./wan from $REPO, sets $out, $err, $rc and $ms
run() {
  start=$(now_ms)
  (cd "$REPO" && ./wan "$@" >"$T/out" 2>"$T/err" </dev/null)
  rc=$?
  ms=$(($(now_ms) - start))
  out=$(cat "$T/out")
  err=$(cat "$T/err")
}
mvn_calls() { if [ -f "$MVN_LOG" ]; then grep -c '^mvn ' "$MVN_LOG"; else echo 0; fi; }
show() { printf '     stdout: %s\n     stderr: %s\n' "$out" "$(printf '%s' "$err" | tail -n 5)"; }

# --- a copy of the checkout, an empty HOME, a recording mvn --------------------
mkdir -p "$REPO" "$BIN" "$T/home"
(cd "$SRC" && tar --exclude=./.git --exclude=target -cf - .) | (cd "$REPO" && tar -xf -)
cat >"$BIN/mvn" <<EOF
#!/bin/sh
printf 'mvn %s\n' "\$*" >>"$MVN_LOG"
printf 'MAVEN_OPTS=%s\n' "\${MAVEN_OPTS:-}" >>"$MVN_LOG"
exec "$REAL_MVN" "\$@"
EOF
chmod +x "$BIN/mvn"
ln -s "$REPO/wan" "$BIN/jbang"
touch "$T/start-marker"

export HOME="$T/home"
export PATH="$BIN:$PATH"
unset XDG_CACHE_HOME JBANG_DIR JBANG_CACHE_DIR JBANG_REPO JBANG_JAVA_OPTIONS MAVEN_OPTS WAN_LAUNCHER_VERBOSE WAN_LAUNCHER_CDS
export WAN_JBANG=bootstrap
CORE_JAR=$HOME/.m2/repository/dev/wan/wan-lib/0.1.0-SNAPSHOT/wan-lib-0.1.0-SNAPSHOT.jar
echo "test dir: $T (HOME=$HOME)"

# --- 1. first run on a fresh machine, with the real wan.java ---------------------
run --version
t_first=$ms
check "first run of ./wan --version exits 0 and prints something (rc=$rc, ${ms} ms)" \
  [ "$rc/$(test -n "$out" && echo out)" = 0/out ] || show
check "first run says it fetches JBang (on stderr)" \
  sh -c 'printf "%s" "$1" | grep -q "wan: fetching JBang 0.132.1 from Maven Central"' - "$err"
check "first run says it builds the core jar (on stderr)" \
  sh -c 'printf "%s" "$1" | grep -q "wan: building the core, CLI and dashboard jars"' - "$err"
check "Maven ran twice: fetch JBang, install the core jar" [ "$(mvn_calls)" = 2 ] || cat "$MVN_LOG"
check "Maven got -Duser.home=\$HOME" grep -q "^MAVEN_OPTS=.*-Duser.home=$HOME" "$MVN_LOG"
check "Maven installed with -pl lib,cli,tui -am" grep -q '^mvn .*-pl lib,cli,tui -am install' "$MVN_LOG"
check "JBang classpath is cached under the new HOME" [ -s "$HOME/.cache/wan/jbang-0.132.1.classpath" ]
check "the core jar is in the new HOME's ~/.m2" [ -f "$CORE_JAR" ]
check "the parent pom is installed too" \
  [ -f "$HOME/.m2/repository/dev/wan/wan-parent/0.1.0-SNAPSHOT/wan-parent-0.1.0-SNAPSHOT.pom" ]
check "JBang's cache is under the new HOME (~/.jbang/cache/jars)" \
  sh -c 'ls -d "$1"/.jbang/cache/jars/wan.java.* >/dev/null 2>&1' - "$HOME"
check "JBang's gson is the pinned 2.13.1" grep -q 'gson-2.13.1.jar' "$HOME/.cache/wan/jbang-0.132.1.classpath"

check "the dashboard jar is in the new HOME's ~/.m2" \
  [ -f "$HOME/.m2/repository/dev/wan/wan-tui/0.1.0-SNAPSHOT/wan-tui-0.1.0-SNAPSHOT.jar" ]
run tui --help
check "./wan tui --help explains the dashboard (rc=$rc)" \
  sh -c '[ "$1" = 0 ] && printf "%s" "$2" | grep -q "terminal dashboard"' - "$rc" "$out" || show
run tui
check "./wan tui without a terminal: exit 2 and a clear message, no stack trace (rc=$rc)" \
  sh -c '[ "$1" = 2 ] && printf "%s" "$2" | grep -q "needs an interactive terminal" && ! printf "%s" "$2" | grep -q "Exception"' \
  - "$rc" "$err" || show

# Warm start-up: ./wan against the very java command it ends up exec'ing.
run --version
WAN_LAUNCHER_VERBOSE=1 run --version
direct=$(printf '%s\n' "$err" | sed -n -e 's/^wan: exec (cached in [^)]*) //p' -e 's/^wan: exec //p')
warm_total=0
for i in 1 2 3 4 5; do run --version; warm_total=$((warm_total + ms)); done
start=$(now_ms)
for i in 1 2 3 4 5; do (cd "$REPO" && eval "$direct" >/dev/null 2>&1); done
t_plain=$((($(now_ms) - start) / 5))
t_warm=$((warm_total / 5))

# JBang's CDS archive (//CDS in wan.java) is only good for the jars it was made from.
WAN_LAUNCHER_VERBOSE=1 run --version
jsa=$(printf '%s\n' "$err" | sed -n 's/^wan: exec (cached in .*-XX:SharedArchiveFile=\([^ ]*\).*/\1/p')
check "a warm run maps JBang's CDS archive of the CLI's classes" sh -c '[ -n "$1" ] && [ -f "$1" ]' - "$jsa" || show
sleep 1
touch "$CORE_JAR"
for i in 1 2 3; do WAN_LAUNCHER_VERBOSE=1 run --version; done
check "a CDS archive older than the jars is made again (rc=$rc)" \
  sh -c '[ "$1" = 0 ] && [ -f "$2" ] && [ "$2" -nt "$3" ]' - "$rc" "$jsa" "$CORE_JAR" || show
check "and the run after that maps it from the cached command line" \
  sh -c 'printf "%s" "$1" | grep -q "wan: exec (cached in .*-XX:SharedArchiveFile="' - "$err" || show

# --- 2. a probe wan.java that echoes what it gets --------------------------------
deps=$(grep '^//DEPS dev.wan:wan-cli:' "$REPO/wan.java")
{
  echo '///usr/bin/env jbang "$0" "$@" ; exit $?'
  echo '//JAVA 17+'
  echo "$deps"
  echo 'class wan {'
  echo '    public static void main(String[] args) {'
  echo '        System.out.println("args " + String.join("|", args));'
  echo '        System.out.println("user.home=" + System.getProperty("user.home"));'
  echo '        System.exit(args.length > 0 && args[0].equals("fail") ? 3 : 0);'
  echo '    }'
  echo '}'
} >"$REPO/wan.java"
line1() { printf '%s\n' "$1" | head -n 1; }
: >"$MVN_LOG"
run first "with space" "" "it's" '$HOME' '*'
check "arguments arrive intact: spaces, quotes, empty ones (rc=$rc)" \
  [ "$(line1 "$out")" = "args first|with space||it's|\$HOME|*" ] || show
check "the CLI's JVM gets user.home=\$HOME" \
  [ "$(printf '%s\n' "$out" | tail -n 1)" = "user.home=$HOME" ] || show
check "a changed wan.java is recompiled by JBang, without Maven" [ "$(mvn_calls)" = 0 ]

run fail now
check "exit code 3 from the CLI comes through (rc=$rc)" [ "$rc" = 3 ] || show

: >"$MVN_LOG"
jar_before=$(ls -l --time-style=full-iso "$CORE_JAR")
run models status
t_second=$ms
check "second run works (rc=$rc, ${ms} ms)" [ "$rc/$(line1 "$out")" = "0/args models|status" ] || show
check "second run starts no Maven" [ "$(mvn_calls)" = 0 ] || cat "$MVN_LOG"
check "second run does not rebuild the core jar" [ "$jar_before" = "$(ls -l --time-style=full-iso "$CORE_JAR")" ]
check "second run prints nothing on stderr" [ -z "$err" ] || show

WAN_LAUNCHER_VERBOSE=1 run verbose
check "verbose mode leaves stdout to the CLI" [ "$(line1 "$out")" = "args verbose" ] || show
check "a warm run execs the cached command line, no JBang JVM" \
  sh -c 'printf "%s" "$1" | grep -q "wan: exec (cached in "' - "$err" || show
rm -rf "$HOME"/.jbang/cache/jars/wan.java.*
WAN_LAUNCHER_VERBOSE=1 run jars gone
check "with JBang's compiled script gone, the cached line is not used and the run works" \
  sh -c '[ "$1" = "args jars|gone" ] && ! printf "%s" "$2" | grep -q "exec (cached in "' - "$(line1 "$out")" "$err" || show
WAN_LAUNCHER_VERBOSE=1 run cached again
check "and the next run is cached again" sh -c 'printf "%s" "$1" | grep -q "exec (cached in "' - "$err" || show
WAN_LAUNCHER_CACHE=0 WAN_LAUNCHER_VERBOSE=1 run no cache
check "WAN_LAUNCHER_CACHE=0 asks JBang" \
  sh -c '[ "$1" = "args no|cache" ] && ! printf "%s" "$2" | grep -q "exec (cached in "' - "$(line1 "$out")" "$err" || show

(cd "$REPO" && echo "piped input" | ./wan stdin >"$T/out" 2>"$T/err")
check "works with stdin from a pipe" [ "$(head -n 1 "$T/out")" = "args stdin" ]

(cd "$REPO" && dash ./wan dash >"$T/out" 2>"$T/err")
check "runs under dash" [ "$(head -n 1 "$T/out")" = "args dash" ]

# --- 3. a changed lib source rebuilds, once ----------------------------------------
: >"$MVN_LOG"
sleep 1
touch "$(find "$REPO/lib/src/main" -name '*.java' | head -n 1)"
run after touch
check "after touching a lib source it still works" [ "$rc/$(line1 "$out")" = "0/args after|touch" ] || show
check "after touching a lib source it rebuilds the core jar" grep -q '^mvn .*install' "$MVN_LOG"
check "the rebuild is announced on stderr" \
  sh -c 'printf "%s" "$1" | grep -q "wan: building the core, CLI and dashboard jars"' - "$err"
: >"$MVN_LOG"
run again
check "and the run after that does not rebuild" [ "$(mvn_calls)/$(line1 "$out")" = "0/args again" ]
: >"$MVN_LOG"
touch "$(find "$REPO/lib/src/test" -name '*.java' | head -n 1)" 2>/dev/null
run test edit
check "a touched test source does not rebuild (tests are not in the jar)" [ "$(mvn_calls)/$(line1 "$out")" = "0/args test|edit" ]

# --- 4. the same launcher as `jbang`, and the catalog -------------------------------
: >"$MVN_LOG"
sleep 1
touch "$(find "$REPO/cli/src/main" -name '*.java' | head -n 1)"
(cd "$REPO/lib" && jbang --catalog ../catalog.json wan "via catalog" >"$T/out" 2>"$T/err")
rc=$?
check "jbang --catalog ../catalog.json wan ... works (rc=$rc)" [ "$(head -n 1 "$T/out")" = "args via catalog" ] || cat "$T/err"
(cd "$T" && jbang catalog add --global --name org "$REPO" >"$T/out" 2>"$T/err")
check "jbang catalog add --global --name org <checkout> registers it in the new HOME" \
  grep -q "\"catalog-ref\": \"$REPO/jbang-catalog.json\"" "$HOME/.jbang/jbang-catalog.json"
(cd "$T" && jbang wan@org "via org" >"$T/out" 2>"$T/err")
check "jbang wan@org ... works from anywhere" [ "$(head -n 1 "$T/out")" = "args via org" ] || cat "$T/err"
(cd "$T" && jbang wan-tui@org --version >"$T/out" 2>"$T/err" </dev/null)
check "jbang wan-tui@org (the dashboard's catalog alias) runs" grep -q "^wan tui " "$T/out" || cat "$T/err"
(cd "$T" && WAN_HOME="$REPO" jbang wan-tui@org >"$T/out" 2>"$T/err" </dev/null)
rc=$?
check "jbang wan-tui@org without a terminal: exit 2, clear message (rc=$rc)" \
  sh -c '[ "$1" = 2 ] && grep -q "needs an interactive terminal" "$2"' - "$rc" "$T/err" || cat "$T/err"
check "as jbang it builds nothing, even with a source newer than the jars" [ "$(mvn_calls)" = 0 ] || cat "$MVN_LOG"
(cd "$T" && jbang wan-tui@org >"$T/out" 2>"$T/err" </dev/null)
rc=$?
check "as jbang it sets no WAN_HOME: outside the checkout no demo is found (rc=$rc)" \
  sh -c '[ "$1" = 3 ] && grep -q "WAN_MODELS_MANIFEST" "$2"' - "$rc" "$T/err" || cat "$T/err"

# --- 5. concurrent first runs wait for each other ---------------------------------
export XDG_CACHE_HOME="$T/cache2"
(cd "$REPO" && ./wan one >"$T/c1" 2>&1) &
p1=$!
(cd "$REPO" && ./wan two >"$T/c2" 2>&1) &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
check "two concurrent first runs both succeed" [ "$r1/$r2" = 0/0 ] || cat "$T/c1" "$T/c2"
check "their stdout is just the CLI's" grep -qx "args one" "$T/c1"
unset XDG_CACHE_HOME

# --- 6. clear errors when java or mvn is missing --------------------------------------
TOOLS=$T/tools
mkdir -p "$TOOLS"
for tool in dirname basename readlink sed find head cat mkdir rm mv sleep kill; do
  p=$(command -v "$tool") && ln -s "$p" "$TOOLS/$tool"
done
(cd "$REPO" && env -u JAVA_HOME PATH="$TOOLS" /bin/sh ./wan x >"$T/out" 2>"$T/err")
rc=$?
check "without java: non-zero exit and a clear message (rc=$rc)" \
  sh -c '[ "$1" != 0 ] && grep -q "java not found" "$2"' - "$rc" "$T/err" || cat "$T/err"
(cd "$REPO" && env XDG_CACHE_HOME="$T/cache3" PATH="$TOOLS" \
  JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")" \
  /bin/sh ./wan x >"$T/out" 2>"$T/err")
rc=$?
check "without mvn on a first run: non-zero exit and a clear message (rc=$rc)" \
  sh -c '[ "$1" != 0 ] && grep -q "mvn not found" "$2"' - "$rc" "$T/err" || cat "$T/err"

# --- 7. the real home was left alone ------------------------------------------------------
touched=$(find "$REAL_HOME/.jbang" "$REAL_HOME/.cache/wan" -newer "$T/start-marker" 2>/dev/null | head -n 3)
check "nothing written to the real ~/.jbang or ~/.cache/wan (a jbang used elsewhere meanwhile would show here)" \
  [ -z "$touched" ] || echo "     $touched"

echo
echo "timings: first run on a fresh HOME ${t_first} ms; second run ${t_second} ms;"
echo "         warm ./wan --version ${t_warm} ms vs the java command it execs ${t_plain} ms (average of 5)"
echo "$checks checks, $failures failed"
if [ "$failures" = 0 ] && [ "${WAN_TEST_KEEP:-0}" != 1 ]; then
  chmod -R u+w "$T" 2>/dev/null
  rm -rf "$T"
else
  echo "kept $T"
fi
[ "$failures" = 0 ]
