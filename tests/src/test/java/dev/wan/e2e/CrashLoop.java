package dev.wan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The crash loop's machinery: start a real {@code wan} process, wait until its work has begun, let
 * it run for a random part of the time that work takes, kill it with SIGKILL, and keep the tally the
 * suite ends with ({@code tried N, held N, broke B}).
 *
 * <p>Knobs (system properties): {@code wan.crashloop.kills} is the total number of kills (default
 * 20, shared 3:3:2:2 by the four scenarios); {@code wan.crashloop.seed} seeds every random choice
 * (delays, which files to lose), default a random seed that is printed so a failure can be replayed.
 * A replay repeats the same choices; the moment a delay lands on still depends on the machine.
 */
final class CrashLoop {
    static final int KILLS = Integer.getInteger("wan.crashloop.kills", 20);
    static final long SEED = Long.getLong("wan.crashloop.seed", new SecureRandom().nextLong());
    /** Exit status of a process killed by SIGKILL (128 + 9). */
    private static final int SIGKILLED = 137;
    private static final AtomicInteger TRIED = new AtomicInteger();
    private static final AtomicInteger HELD = new AtomicInteger();
    private static final AtomicInteger BROKE = new AtomicInteger();
    /** Kills after which the run again left leftovers that only gc collects (README "Leftovers"). */
    static final AtomicInteger LEFT_FOR_GC = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    private CrashLoop() {
    }

    /** This scenario's share of {@link #KILLS}: weights 3, 3, 2, 2 out of 10, at least one each. */
    static int share(int weight) {
        return Math.max(1, Math.round(KILLS * weight / 10f));
    }

    /** The suite's last line. */
    static String summary() {
        return "tried " + TRIED.get() + ", held " + HELD.get() + ", broke " + BROKE.get();
    }

    /** One scenario's kills, its random choices and what broke. */
    static final class Scenario {
        final String name;
        final int kills;
        final Random random;
        private final List<String> broken = new ArrayList<>();
        private int tried;
        private int finishedFirst;
        private boolean lastBroke;
        private final long started = System.nanoTime();
        private final int leftForGcBefore = LEFT_FOR_GC.get();

        Scenario(String name, int index, int kills) {
            this.name = name;
            this.kills = kills;
            this.random = new Random(SEED + 1_000_003L * index);
            System.out.printf("crash loop %s: %d kills, seed %d%n", name, kills, SEED);
        }

        /** The work of one command takes about this long (anchor to exit), learned from runs that were not killed. */
        long workNanos;

        /** Records the checks after kill number {@code tried}: no problem means the invariants held. */
        void record(Attempt kill, List<String> problems) {
            tried++;
            TRIED.incrementAndGet();
            String at = String.format("crash loop %s kill %d/%d, %d ms into the work (%s)", name, tried, kills,
                    TimeUnit.NANOSECONDS.toMillis(kill.delayNanos()), kill.note());
            lastBroke = !problems.isEmpty();
            if (problems.isEmpty()) {
                HELD.incrementAndGet();
                System.out.println(at + ": held");
            } else {
                BROKE.incrementAndGet();
                String what = at + ": BROKE\n    " + String.join("\n    ", problems);
                broken.add(what);
                System.out.println(what);
            }
        }

        int tried() {
            return tried;
        }

        /** Whether the last kill broke something (the next one then starts from a clean store). */
        boolean lastBroke() {
            return lastBroke;
        }

        void finishedBeforeItsKill(Attempt a) {
            finishedFirst++;
            if (a.ranNanos() > 0) {
                workNanos = a.ranNanos(); // the work is quicker than thought: aim within it next time
            }
            if (finishedFirst > 5 * kills + 10) {
                throw new AssertionError(name + ": " + finishedFirst + " runs finished before their kill; the "
                        + "work is too short to hit (last: " + a + ")");
            }
        }

        /** The scenario's line, then an assertion that nothing broke. */
        void end() {
            System.out.printf("crash loop %s: tried %d, held %d, broke %d (%d runs finished before their kill and were"
                            + " tried again; %d kills left leftovers for gc) in %d s, seed %d%n", name, tried,
                    tried - broken.size(), broken.size(), finishedFirst, LEFT_FOR_GC.get() - leftForGcBefore,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), SEED);
            if (!broken.isEmpty()) {
                throw new AssertionError(name + ": " + broken.size() + " of " + tried + " kills broke an invariant"
                        + " (replay with -Dwan.crashloop.seed=" + SEED + ")\n" + String.join("\n", broken));
            }
        }
    }

    /**
     * One run of a command: killed after {@code delayNanos} of work, or not (it finished first);
     * {@code ranNanos} is how long the work took from the anchor when it was not killed.
     */
    record Attempt(boolean killed, long delayNanos, long ranNanos, int exitCode, String note) {
    }

    /**
     * Starts {@code wan args}, waits until {@code started} says its work has begun (the anchor), lets
     * it work for {@code delayNanos} and sends SIGKILL. {@code delayNanos < 0}: never kill (a
     * measuring run). A run that ends by itself before its kill must have succeeded.
     */
    static Attempt run(Cli cli, Path dir, BooleanSupplier started, long delayNanos, String... args) throws Exception {
        Files.createDirectories(dir);
        Process p = cli.start(dir.resolve("killed.out"), dir.resolve("killed.err"), args);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (p.isAlive() && !started.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("wan " + String.join(" ", args) + " showed no sign of work in 120 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(300_000);
        }
        long anchor = System.nanoTime();
        boolean sawWork = p.isAlive();
        boolean ended = p.waitFor(delayNanos < 0 ? TimeUnit.MINUTES.toNanos(5) : delayNanos, TimeUnit.NANOSECONDS);
        if (!ended) {
            p.destroyForcibly();
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("wan " + String.join(" ", args) + " did not die");
        }
        long ran = sawWork ? System.nanoTime() - anchor : 0;
        int code = p.exitValue();
        String note = String.join(" ", args);
        if (!ended && code != SIGKILLED) {
            note += ", exit " + code;
        }
        if (ended && code != 0) {
            throw new AssertionError("wan " + note + " failed without being killed: exit " + code + "\n"
                    + Files.readString(dir.resolve("killed.err")));
        }
        return new Attempt(code == SIGKILLED, delayNanos, ended ? ran : 0, code, note);
    }

    /** A random delay within the work (uniform over [0, work)). */
    static long delay(Scenario s) {
        return (long) (s.random.nextDouble() * s.workNanos);
    }

    // ------------------------------------------------------------------ anchors

    /** Modification times of the lock files now: a holder rewrites its line on every acquire. */
    static Map<Path, Long> lockTimes(Path root) throws IOException {
        Map<Path, Long> times = new HashMap<>();
        Path locks = root.resolve(".locks");
        if (Files.isDirectory(locks)) {
            try (Stream<Path> s = Files.list(locks)) {
                for (Path p : s.toList()) {
                    times.put(p, Files.getLastModifiedTime(p).to(TimeUnit.NANOSECONDS));
                }
            }
        }
        return times;
    }

    /** True once some process has taken a model lock since {@code before} was read. */
    static BooleanSupplier lockTaken(Path root, Map<Path, Long> before) {
        return () -> {
            try {
                return !lockTimes(root).equals(before);
            } catch (IOException e) {
                return false;
            }
        };
    }

    // ------------------------------------------------------------------ the store from outside

    /** {@code wan models status --json}: model → its node; a failing status is a problem. */
    static Map<String, JsonNode> status(Cli cli, List<String> problems) throws Exception {
        Cli.Result r = cli.run("status", "--json");
        Map<String, JsonNode> byModel = new LinkedHashMap<>();
        if (r.exitCode() != 0) {
            problems.add("status --json failed: " + r);
            return byModel;
        }
        for (JsonNode m : JSON.readTree(r.stdout()).get("models")) {
            byModel.put(m.get("model").asText(), m);
        }
        return byModel;
    }

    static String state(JsonNode model) {
        return model == null ? "(not listed)" : model.get("state").asText();
    }

    /** What a finished run must not leave: entries in .tmp and .trash, interrupted state writes, stray files in model directories. */
    static List<String> leftovers(Path root, List<FinalPathWatcher.Model> models) throws IOException {
        List<String> found = new ArrayList<>();
        for (String dir : List.of(".tmp", ".trash")) {
            Path d = root.resolve(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.list(d)) {
                    s.forEach(p -> found.add("leftover " + root.relativize(p)));
                }
            }
        }
        Path state = root.resolve(".state");
        if (Files.isDirectory(state)) {
            try (Stream<Path> s = Files.list(state)) {
                s.filter(p -> p.getFileName().toString().contains(".tmp")).forEach(p -> found.add("leftover "
                        + root.relativize(p)));
            }
        }
        for (FinalPathWatcher.Model m : models) {
            Path dir = root.resolve("wan22").resolve(m.id());
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            java.util.Set<String> known = new java.util.HashSet<>();
            m.files().forEach(f -> known.add(f.path()));
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString().replace('\\', '/'))
                        .filter(p -> !known.contains(p))
                        .forEach(p -> found.add("stray file wan22/" + m.id() + "/" + p));
            }
        }
        return found;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
