package dev.wan.e2e;

import dev.wan.internal.TestHooks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The one way the end-to-end tests start wan as its own process, exactly as a user runs it: the
 * CLI's JVM ({@code java -cp … dev.wan.cli.WanCli}), the dashboard's ({@code dev.wan.tui.WanTui}),
 * or the repository's {@code ./wan} launcher (also as {@code jbang}, through a symlink of that name).
 *
 * <p>Every run starts from an empty environment: it gets only the variables a process needs to run
 * at all ({@link #PASSED}), a HOME of its own (a fresh directory, unless the test sets HOME), and what
 * the test sets with {@link #env}. So a developer's HF_TOKEN, AWS_*, WAN_*, MODELS_ROOT or XDG_* (or
 * the token cache and ~/.aws of their real home) never reach a run and never change what it does.
 * The launcher is the one exception, and only for HOME, its own cache variables and proxies
 * ({@link #LAUNCHER_PASSED}): JBang and Maven keep their caches there, and a fresh one would download
 * the world (tests/launcher/launcher-test.sh does exactly that, on purpose, in a HOME of its own).
 *
 * <p>{@link #jbang(Path)} runs {@code jbang ALIAS@CATALOG …} as an operator types it after the README's
 * "Running wan" setup: {@code jbang} is the checkout's launcher linked as {@code ~/.local/bin/jbang} in
 * a HOME of the test's own ({@link #jbangHome}) whose {@code ~/.jbang/jbang-catalog.json} registers
 * this checkout's {@code catalog.json}. Only the local Maven repository is shared with the build
 * ({@code JBANG_REPO}, else the build's own): that is where the launcher installs the core jar and
 * where the scripts' {@code //DEPS} find it; JBang's cache, the launcher's and the catalog are the
 * fresh HOME's.
 *
 * <p>The JVM runs with the JDK's default JIT (no {@code -XX:TieredStopAtLevel=1}): with C1 only,
 * SHA-256 runs about 12 times slower than a user's run, and tests should hash at the speed users see.
 */
public final class Cli {
    public static final Path REPO = Path.of(System.getProperty("wan.repo", "..")).toAbsolutePath().normalize();
    /**
     * What a run takes from the parent's environment (and every {@code LC_*}): enough to start a
     * program, nothing that configures one.
     */
    static final Set<String> PASSED = Set.of("PATH", "LANG", "JAVA_HOME", "TERM", "TZ");
    /** ... and, for the launcher only, where JBang and Maven keep their caches and how they reach the network. */
    static final Set<String> LAUNCHER_PASSED = Set.of("HOME", "XDG_CACHE_HOME", "JBANG_DIR", "JBANG_CACHE_DIR",
            "JBANG_REPO", "MAVEN_OPTS", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY",
            "NO_PROXY");

    /** For {@link #jbang(Path)}: the parent's JBang and cache locations would replace the fresh HOME's (and its catalog). */
    static final Set<String> JBANG_NOT_PASSED = Set.of("HOME", "XDG_CACHE_HOME", "JBANG_DIR", "JBANG_CACHE_DIR");

    private enum Kind {
        CLI, DASHBOARD, LAUNCHER, JBANG;

        boolean launcher() {
            return this == LAUNCHER || this == JBANG;
        }
    }

    private final Kind kind;
    private final Map<String, String> set = new TreeMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private Map<String, String> parent = System.getenv();
    private Path home;
    /** The working directory of a run (null: the test's). */
    private Path directory;
    /** For {@link #jbang(Path)}: the HOME with the catalog registered (null: the launcher's environment). */
    private Path catalogHome;

    private Cli(Kind kind) {
        this.kind = kind;
    }

    /** {@code java -cp … dev.wan.cli.WanCli}. */
    public static Cli java() {
        return new Cli(Kind.CLI);
    }

    /** {@code java -cp … dev.wan.tui.WanTui}: the dashboard. */
    public static Cli dashboard() {
        return new Cli(Kind.DASHBOARD);
    }

    /** {@code ./wan}, the launcher (JBang), with the real HOME: see the class comment. */
    public static Cli launcher() {
        return new Cli(Kind.LAUNCHER);
    }

    /**
     * {@code jbang}: the launcher called through a symlink named {@code jbang}, which makes it a plain
     * JBang bootstrapped the same way (README "Running wan"); the environment is the launcher's.
     */
    public static Cli jbang() {
        return new Cli(Kind.JBANG);
    }

    /**
     * {@code jbang ARGS…} (e.g. {@code run("inventory@org", "--json")}) with {@code home} (made by
     * {@link #jbangHome}) as HOME: see the class comment. Reuse one home across a test class: JBang
     * compiles each script once per home.
     */
    public static Cli jbang(Path home) {
        Cli cli = new Cli(Kind.JBANG);
        cli.catalogHome = home;
        return cli;
    }

    /**
     * A fresh HOME below target/ as an operator sets one up: the launcher linked as
     * {@code ~/.local/bin/jbang}, and {@code ~/.jbang/jbang-catalog.json} registering this checkout's
     * {@code catalog.json} under {@code catalogName} by absolute path (what works with JBang 0.132.1
     * offline; {@code jbang catalog add} refuses a file not named jbang-catalog.json).
     */
    public static Path jbangHome(String catalogName) throws IOException {
        Path homes = Files.createDirectories(Path.of("target", "e2e-homes").toAbsolutePath());
        Path home = Files.createTempDirectory(homes, "jbang-home");
        Path bin = Files.createDirectories(home.resolve(".local/bin"));
        Files.createSymbolicLink(bin.resolve("jbang"), REPO.resolve("wan"));
        Files.createDirectories(home.resolve(".jbang"));
        Files.writeString(home.resolve(".jbang/jbang-catalog.json"), "{\"catalogs\":{\"" + catalogName
                + "\":{\"catalog-ref\":\"" + REPO.resolve("catalog.json") + "\"}}}\n");
        return home;
    }

    /** Runs in {@code dir} instead of the test's working directory (inside the checkout). */
    public Cli in(Path dir) {
        directory = dir;
        return this;
    }

    /** Whether the test set {@code key} with {@link #env} (rather than the run inheriting it). */
    public boolean sets(String key) {
        return set.containsKey(key);
    }

    /** Sets a variable for the run (an empty value is set as empty, not removed). */
    public Cli env(String key, String value) {
        set.put(key, value);
        return this;
    }

    public Cli env(Map<String, String> variables) {
        set.putAll(variables);
        return this;
    }

    /** The environment the allow-list is applied to, instead of this JVM's (a test of the scrubbing itself). */
    Cli inheriting(Map<String, String> parentEnvironment) {
        this.parent = Map.copyOf(parentEnvironment);
        return this;
    }

    /** Exactly the environment of a run. */
    public Map<String, String> environment() throws IOException {
        Map<String, String> env = new TreeMap<>();
        parent.forEach((k, v) -> {
            if (PASSED.contains(k) || k.startsWith("LC_") || (kind.launcher() && LAUNCHER_PASSED.contains(k)
                    && !(catalogHome != null && JBANG_NOT_PASSED.contains(k)))) {
                env.put(k, v);
            }
        });
        if (catalogHome != null) {
            env.put("HOME", catalogHome.toString());
            env.put("PATH", catalogHome.resolve(".local/bin") + (env.containsKey("PATH") ? ":" + env.get("PATH") : ""));
            String buildRepo = System.getProperty("wan.maven.repo");
            if (!env.containsKey("JBANG_REPO") && buildRepo != null) {
                env.put("JBANG_REPO", buildRepo); // the build's ~/.m2: a fresh one would download the world
            }
        }
        if (!env.containsKey("HOME") && !set.containsKey("HOME")) {
            env.put("HOME", home().toString());
        }
        env.putAll(set);
        return env;
    }

    /** The command line of a run. */
    public List<String> command(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (kind == Kind.LAUNCHER) {
            cmd.add(REPO.resolve("wan").toString());
        } else if (kind == Kind.JBANG) {
            // named jbang: the launcher acts as plain JBang
            cmd.add(catalogHome != null ? catalogHome.resolve(".local/bin/jbang").toString() : jbangLink().toString());
        } else {
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // Java takes user.home from /etc/passwd, not from $HOME: the run's home must be both
            cmd.add("-Duser.home=" + environment().get("HOME"));
            // One GC thread instead of G1's pool: the suite starts hundreds of short JVMs on small
            // shared machines. It changes no behaviour wan shows (the JIT would: see the class comment).
            cmd.add("-XX:+UseSerialGC");
            cmd.addAll(jvmOptions);
            cmd.add("-cp");
            cmd.add(Files.readString(Path.of(System.getProperty("wan.cli.classpath.file"))).strip());
            cmd.add(kind == Kind.CLI ? "dev.wan.cli.WanCli" : "dev.wan.tui.WanTui");
        }
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A {@code -D} system property for the JVM (test hooks such as {@code wan.test.pauseAt}); not for the launcher. */
    public Cli property(String key, String value) {
        if (kind.launcher()) {
            throw new IllegalStateException("the launcher takes no JVM options from a test");
        }
        jvmOptions.add("-D" + key + "=" + value);
        return this;
    }

    /**
     * Makes the run stop the {@code nth} time it reaches {@code point} ({@link TestHooks}): it creates
     * {@code pausedFile} and blocks there until killed. {@link #awaitPause} waits for that moment.
     */
    public Cli pauseAt(TestHooks.Point point, long nth, Path pausedFile) {
        return property("wan.test.pauseAt", point.name() + ":" + nth).property("wan.test.pausedFile",
                pausedFile.toAbsolutePath().toString());
    }

    /** Waits until a run started with {@link #pauseAt} is paused there; fails if it ends first. */
    public static void awaitPause(Process p, Path pausedFile) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2); // a guard against a hang, not a measurement
        while (!Files.exists(pausedFile)) {
            if (!p.isAlive()) {
                throw new AssertionError("the run ended (exit " + p.exitValue() + ") before its pause point");
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the run did not reach its pause point in 2 minutes");
            }
            Thread.sleep(10);
        }
    }

    public ProcessBuilder builder(String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        pb.environment().clear();
        pb.environment().putAll(environment());
        return pb;
    }

    /** Starts a run with stdout and stderr going to files (and stdin from nothing). */
    public Process start(Path stdout, Path stderr, String... args) throws IOException {
        return builder(args).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
    }

    /** As {@link #run}, with {@code input} as stdin (a script piped in, as {@code wan jshell < script.jsh}). */
    public Result runWithInput(String input, String... args) throws IOException, InterruptedException {
        Path in = Files.createTempFile("wan-in", ".txt");
        Path out = Files.createTempFile("wan-out", ".txt");
        Path err = Files.createTempFile("wan-err", ".txt");
        try {
            Files.writeString(in, input, StandardCharsets.UTF_8);
            long logged = logSize();
            Process p = builder(args).redirectInput(in.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            return checkLogFile(await(p, out, err, String.join(" ", args)), logged, args);
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * Runs to the end; fails if the run printed one of the suite's {@link Secrets}, or wrote one to
     * the WAN_LOG_FILE the test set.
     */
    public Result run(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("wan-out", ".txt");
        Path err = Files.createTempFile("wan-err", ".txt");
        try {
            long logged = logSize();
            return checkLogFile(await(start(out, err, args), out, err, String.join(" ", args)), logged, args);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** The size of the WAN_LOG_FILE the test set, before a run: what the run appends is checked. */
    private long logSize() throws IOException {
        String log = set.get("WAN_LOG_FILE");
        return log != null && Files.isRegularFile(Path.of(log)) ? Files.size(Path.of(log)) : 0;
    }

    /**
     * With WAN_LOG_FILE set by the test: what the run wrote to it (after {@code from}; a test may
     * plant lines of its own before) must not carry a secret either.
     */
    private Result checkLogFile(Result r, long from, String... args) throws IOException {
        String log = set.get("WAN_LOG_FILE");
        if (log != null && Files.isRegularFile(Path.of(log))) {
            byte[] all = Files.readAllBytes(Path.of(log));
            int start = (int) Math.min(from, all.length);
            Secrets.assertNoneIn("the log file of wan " + String.join(" ", args),
                    new String(all, start, all.length - start, StandardCharsets.UTF_8));
        }
        return r;
    }

    /** Waits for a started run (at most 5 minutes, a guard against a hang); fails if it printed a secret. */
    public static Result await(Process p, Path stdout, Path stderr, String what)
            throws IOException, InterruptedException {
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("wan " + what + " did not finish in 5 minutes");
        }
        Result r = new Result(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
        Secrets.assertNoneIn("wan " + what, r.stdout() + r.stderr());
        return r;
    }

    /** The result of a finished run. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** {@code target/jbang-bin/jbang}, a symlink to the checkout's launcher (made on first use). */
    private static synchronized Path jbangLink() throws IOException {
        Path link = Path.of("target", "jbang-bin", "jbang").toAbsolutePath();
        if (!Files.isSymbolicLink(link)) {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, REPO.resolve("wan"));
        }
        return link;
    }

    /** A fresh home per runner (below target/, so {@code mvn clean} removes them), made on first use. */
    private Path home() throws IOException {
        if (home == null) {
            Path homes = Files.createDirectories(Path.of("target", "e2e-homes").toAbsolutePath());
            home = Files.createTempDirectory(homes, "home");
        }
        return home;
    }
}
