package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.e2e.CrashLoop.Attempt;
import dev.wan.e2e.CrashLoop.Scenario;
import dev.wan.e2e.FinalPathWatcher.Expected;
import dev.wan.e2e.FinalPathWatcher.Model;
import dev.wan.testkit.hub.Content;
import dev.wan.testkit.hub.Fault;
import dev.wan.testkit.hub.HubServer;
import dev.wan.testkit.hub.LoggedRequest;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash loop (issue 9): kill -9 of real {@code wan} processes at random moments of ensure from a
 * local directory, ensure over HTTP, gc and deduplicate. After every kill: a watcher polling the
 * final paths never saw a file whose size or sha256 differs from the manifest's; the store as the
 * kill left it holds no such file either; the command run again finishes; {@code status --json}
 * says COMPLETE (or NOT_PRESENT for what gc deleted, never half a model); every final file has the
 * manifest's sha256; and nothing is left in {@code .tmp} or {@code .trash} (after a {@code gc} for
 * leftovers the README says gc collects). The last line printed is {@code tried N, held N, broke B}.
 *
 * <p>{@code -Dwan.crashloop.kills=100} for more kills ({@code tests/soak/crash-loop.sh}),
 * {@code -Dwan.crashloop.seed=S} to replay the random choices of a failed run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashLoopTest {
    private static final long MIB = 1L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @AfterAll
    static void summary() {
        System.out.println(CrashLoop.summary());
    }

    // ------------------------------------------------------------------ (a) ensure from a local directory

    @Test
    @Order(1)
    void killedLocalEnsuresNeverShowAPartialFileAndTheNextEnsureCompletes() throws Exception {
        Scenario s = new Scenario("ensure-local", 1, CrashLoop.share(3));
        Path src = tmp.resolve("src");
        List<Expected> files = new ArrayList<>();
        Object[][] shape = {
                {"transformer/diffusion_pytorch_model-00001-of-00002.safetensors", 40 * MIB},
                {"transformer/diffusion_pytorch_model-00002-of-00002.safetensors", 24 * MIB},
                {"text_encoder/model.safetensors", 6 * MIB},
                {"vae/diffusion_pytorch_model.safetensors", 3 * MIB},
                {"tokenizer/spiece.model", 500_000L},
                {"text_encoder/config.json", 700L},
                {"model_index.json", 300L}};
        long seed = 1;
        for (Object[] f : shape) {
            String path = (String) f[0];
            long size = (Long) f[1];
            files.add(new Expected(path, size, Fixtures.randomFile(src.resolve(path), size, seed++)));
        }
        // the same bytes at a second path: linked to the first within the job
        Files.createDirectories(src.resolve("vae_copy"));
        Files.copy(src.resolve("vae/diffusion_pytorch_model.safetensors"),
                src.resolve("vae_copy/diffusion_pytorch_model.safetensors"));
        files.add(new Expected("vae_copy/diffusion_pytorch_model.safetensors", 3 * MIB, files.get(3).sha256()));
        Model model = new Model("local-t2v@1.0.0", files);
        Path root = tmp.resolve("root");
        Cli wan = Cli.java().env("MODELS_ROOT", root.toString())
                .env("WAN_MODELS_MANIFEST", manifest(tmp, List.of(model), m -> "file://" + src).toString());

        ensureLoop(s, wan, root, model);
    }

    // ------------------------------------------------------------------ (b) ensure over HTTP

    @Test
    @Order(2)
    void killedHttpDownloadsResumeAndNeverShowAPartialFile() throws Exception {
        Scenario s = new Scenario("ensure-http", 2, CrashLoop.share(3));
        try (HubServer hub = HubServer.start()) {
            List<Expected> files = new ArrayList<>();
            Object[][] shape = {
                    {"model-00001-of-00002.safetensors", 40 * MIB},
                    {"model-00002-of-00002.safetensors", 24 * MIB},
                    {"vae/diffusion_pytorch_model.safetensors", 3 * MIB},
                    {"config.json", 900L}};
            long seed = 100;
            for (Object[] f : shape) {
                Content c = Content.generated((Long) f[1], seed++);
                hub.staticFile("net/" + f[0], c);
                files.add(new Expected((String) f[0], c.size(), c.sha256()));
            }
            hub.fault(Fault.rateCap(24 * MIB)); // per connection: a download takes about a second
            Model model = new Model("http-i2v@1.0.0", files);
            Path root = tmp.resolve("root");
            Cli wan = Cli.java().env("MODELS_ROOT", root.toString())
                    .env("WAN_MODELS_MANIFEST", manifest(tmp, List.of(model), m -> hub.staticUrl("net")).toString())
                    .env("WAN_CONNECTIONS", "2").env("WAN_RETRY_BASE_MILLIS", "10")
                    .env("WAN_STALL_TIMEOUT_SECONDS", "5");

            ensureLoop(s, wan, root, model, hub);
        }
    }

    private void ensureLoop(Scenario s, Cli wan, Path root, Model model) throws Exception {
        ensureLoop(s, wan, root, model, null);
    }

    /**
     * Each round loses the whole model or some of its files, kills the ensure that brings them
     * back, and ensures again. Over HTTP the second ensure must not fetch again a chunk that the
     * killed one's journal lists as done.
     */
    private void ensureLoop(Scenario s, Cli wan, Path root, Model model, HubServer hub) throws Exception {
        String id = model.id();
        try (FinalPathWatcher watcher = new FinalPathWatcher(root, List.of(model), 2)) {
            Attempt measured = CrashLoop.run(wan, tmp.resolve("measure"), CrashLoop.lockTaken(root,
                    CrashLoop.lockTimes(root)), -1, "ensure", id);
            s.workNanos = measured.ranNanos();
            while (s.tried() < s.kills) {
                watcher.whileLookingAway(() -> lose(s, root, model));
                Attempt a = CrashLoop.run(wan, tmp.resolve("kill"), CrashLoop.lockTaken(root, CrashLoop.lockTimes(root)),
                        CrashLoop.delay(s), "ensure", id);
                if (!a.killed()) {
                    s.finishedBeforeItsKill(a);
                    continue;
                }
                List<String> problems = new ArrayList<>(watcher.checkNow(Set.of()));
                Map<String, BitSet> journaled = hub == null ? Map.of() : journaledChunks(root, id);
                if (hub != null) {
                    hub.clearLog();
                }
                Cli.Result again = wan.run("ensure", id, "--json");
                if (again.exitCode() != 0) {
                    problems.add("the ensure after the kill failed: " + again);
                }
                if (hub != null) {
                    problems.addAll(refetched(hub.log(), journaled));
                    int chunks = journaled.values().stream().mapToInt(BitSet::cardinality).sum();
                    a = new Attempt(a.killed(), a.delayNanos(), a.ranNanos(), a.exitCode(),
                            a.note() + "; resumed " + chunks + " journaled chunk(s)");
                }
                problems.addAll(settle(wan, root, watcher, List.of(model), Set.of(id)));
                problems.addAll(watcher.drain());
                s.record(a, problems);
            }
        }
        s.end();
    }

    /** Half the rounds lose the whole model (a first-time ensure), the others a random non-empty set of its files. */
    private static void lose(Scenario s, Path root, Model model) throws Exception {
        Path dir = root.resolve("wan22").resolve(model.id());
        if (s.lastBroke() || s.random.nextBoolean()) {
            CrashLoop.deleteTree(dir);
            Files.deleteIfExists(root.resolve(".state").resolve(model.id() + ".json"));
            return;
        }
        List<Expected> gone = new ArrayList<>();
        while (gone.isEmpty()) {
            model.files().stream().filter(f -> s.random.nextInt(3) == 0).forEach(gone::add);
        }
        for (Expected f : gone) {
            Files.deleteIfExists(dir.resolve(f.path()));
        }
    }

    /** The chunks each partial download's journal lists as done, by file path. */
    private static Map<String, BitSet> journaledChunks(Path root, String id) throws Exception {
        Map<String, BitSet> done = new HashMap<>();
        Path dir = root.resolve(".tmp").resolve(id + ".journal");
        if (!Files.isDirectory(dir)) {
            return done;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path j : s.filter(p -> p.toString().endsWith(".json")).toList()) {
                String path = dir.relativize(j).toString();
                try {
                    long[] words = words(JSON.readTree(Files.readAllBytes(j)).path("done"));
                    done.put(path.substring(0, path.length() - ".json".length()), BitSet.valueOf(words));
                } catch (java.io.IOException unreadable) {
                    // a journal the next run cannot read costs a re-download, not correctness
                }
            }
        }
        return done;
    }

    private static long[] words(JsonNode array) {
        long[] w = new long[array.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = array.get(i).asLong();
        }
        return w;
    }

    /** Requests of the second run for bytes of a chunk the killed run had journaled as done. */
    private static List<String> refetched(List<LoggedRequest> log, Map<String, BitSet> journaled) {
        long chunk = 16 * MIB;
        List<String> problems = new ArrayList<>();
        for (LoggedRequest r : log) {
            if (!r.method().equals("GET") || !r.path().startsWith("/static/net/")) {
                continue;
            }
            String path = r.path().substring("/static/net/".length());
            BitSet done = journaled.get(path);
            if (done == null || done.isEmpty()) {
                continue;
            }
            long from = 0;
            long to = Long.MAX_VALUE;
            if (r.range() != null && r.range().startsWith("bytes=")) {
                String[] ab = r.range().substring(6).split("-", 2);
                from = Long.parseLong(ab[0]);
                to = ab[1].isEmpty() ? Long.MAX_VALUE : Long.parseLong(ab[1]);
            }
            for (int i = done.nextSetBit(0); i >= 0; i = done.nextSetBit(i + 1)) {
                if (from < (i + 1) * chunk && to >= i * chunk) {
                    problems.add("the ensure after the kill fetched " + path + " [" + r.range() + "] again, though the"
                            + " killed run's journal lists chunk " + i + " as done");
                }
            }
        }
        return problems;
    }

    // ------------------------------------------------------------------ (c) gc deleting several models

    @Test
    @Order(3)
    void killedGcLeavesEveryModelWholeOrAbsentAndTheNextGcClearsTheTrash() throws Exception {
        Scenario s = new Scenario("gc", 3, CrashLoop.share(2));
        Path src = tmp.resolve("src");
        List<Model> models = new ArrayList<>();
        for (int m = 0; m < 6; m++) {
            String id = "gc" + m + "@1.0.0";
            List<Expected> files = new ArrayList<>();
            for (int f = 0; f < 60; f++) {
                String path = "shards/shard-" + f + ".bin";
                files.add(new Expected(path, 2048, Fixtures.randomFile(src.resolve(id).resolve(path), 2048, m * 1000L + f)));
            }
            files.add(new Expected("weights.safetensors", MIB,
                    Fixtures.randomFile(src.resolve(id).resolve("weights.safetensors"), MIB, m * 1000L + 999)));
            models.add(new Model(id, files));
        }
        long maxSize = 3 * models.get(0).bytes(); // gc deletes the 3 least recently used
        Path root = tmp.resolve("root");
        Path snapshot = tmp.resolve("snapshot");
        Cli wan = Cli.java().env("MODELS_ROOT", root.toString())
                .env("WAN_MODELS_MANIFEST", manifest(tmp, models, m -> "file://" + src.resolve(m.id())).toString());
        Cli.Result filled = wan.run("ensure", "--all", "--concurrency", "4", "-q");
        assertEquals(0, filled.exitCode(), filled.toString());
        dev.wan.ensure.Fixtures.copyTree(root, snapshot);
        Set<String> all = new HashSet<>();
        models.forEach(m -> all.add(m.id()));
        String[] gc = {"gc", "--max-size", Long.toString(maxSize)};

        try (FinalPathWatcher watcher = new FinalPathWatcher(root, models, 3)) {
            restore(watcher, snapshot, root);
            s.workNanos = CrashLoop.run(wan, tmp.resolve("measure"), CrashLoop.lockTaken(root, CrashLoop.lockTimes(root)),
                    -1, gc).ranNanos();
            while (s.tried() < s.kills) {
                restore(watcher, snapshot, root);
                Attempt a = CrashLoop.run(wan, tmp.resolve("kill"), CrashLoop.lockTaken(root, CrashLoop.lockTimes(root)),
                        CrashLoop.delay(s), gc);
                if (!a.killed()) {
                    s.finishedBeforeItsKill(a);
                    continue;
                }
                List<String> problems = new ArrayList<>(watcher.checkNow(Set.of()));
                Map<String, JsonNode> killed = CrashLoop.status(wan, problems);
                problems.addAll(wholeOrAbsent("after the kill", killed, models, watcher, Long.MAX_VALUE));
                long complete = models.stream().filter(m -> "COMPLETE".equals(CrashLoop.state(killed.get(m.id())))).count();
                Cli.Result again = wan.run(gc[0], gc[1], gc[2], "--json");
                if (again.exitCode() != 0) {
                    problems.add("the gc after the kill failed: " + again);
                }
                Map<String, JsonNode> after = CrashLoop.status(wan, problems);
                problems.addAll(wholeOrAbsent("after the next gc", after, models, watcher, maxSize));
                settle(wan, root, watcher, models, Set.of(), after, problems);
                problems.addAll(watcher.drain());
                s.record(new Attempt(true, a.delayNanos(), 0, a.exitCode(), a.note() + "; " + complete
                        + " of 6 models still complete"), problems);
            }
            Cli.Result back = wan.run("ensure", "--all", "--json");
            assertEquals(0, back.exitCode(), "models gc deleted ensure again: " + back);
            assertEquals(List.of(), settle(wan, root, watcher, models, all), "models gc deleted ensure again");
        }
        s.end();
    }

    /** Every model COMPLETE with all its files right, or NOT_PRESENT; the complete ones within {@code maxSize}. */
    private static List<String> wholeOrAbsent(String when, Map<String, JsonNode> status, List<Model> models,
                                              FinalPathWatcher watcher, long maxSize) {
        List<String> problems = new ArrayList<>();
        Set<String> complete = new HashSet<>();
        long bytes = 0;
        for (Model m : models) {
            String state = CrashLoop.state(status.get(m.id()));
            if (state.equals("COMPLETE")) {
                complete.add(m.id());
                bytes += m.bytes();
            } else if (!state.equals("NOT_PRESENT")) {
                problems.add(when + ", " + m.id() + " is " + state + notOk(status.get(m.id())));
            }
        }
        watcher.checkNow(complete).forEach(p -> problems.add(when + ", " + p));
        if (bytes > maxSize) {
            problems.add(when + ", the complete models hold " + bytes + " bytes, more than --max-size " + maxSize);
        }
        return problems;
    }

    // ------------------------------------------------------------------ (d) deduplicate

    /**
     * Four models share 102 files (100 small, two of megabytes) and have one of their own; the store
     * was filled by hand at different times (a copy per model, each with its own mtime) and adopted
     * by ensure, so every model is COMPLETE and nothing is linked. A killed deduplicate must leave
     * every model COMPLETE with the right bytes (status trusts records of size and mtime, and a link
     * carries the mtime of the inode it joins), and deduplicate run again must finish the job: one
     * inode per content, every model COMPLETE.
     */
    @Test
    @Order(4)
    void killedDeduplicateLeavesEveryModelCompleteWithTheRightBytes() throws Exception {
        Scenario s = new Scenario("deduplicate", 4, CrashLoop.share(2));
        Path src = tmp.resolve("src");
        Path shared = tmp.resolve("shared");
        List<Expected> common = new ArrayList<>();
        for (int f = 0; f < 100; f++) {
            String path = "tokenizer/piece-" + f + ".bin";
            common.add(new Expected(path, 4096, Fixtures.randomFile(shared.resolve(path), 4096, 5000 + f)));
        }
        common.add(new Expected("vae/diffusion_pytorch_model.safetensors", 2 * MIB,
                Fixtures.randomFile(shared.resolve("vae/diffusion_pytorch_model.safetensors"), 2 * MIB, 6001)));
        common.add(new Expected("text_encoder/model.safetensors", 3 * MIB,
                Fixtures.randomFile(shared.resolve("text_encoder/model.safetensors"), 3 * MIB, 6002)));
        Path root = tmp.resolve("root");
        List<Model> models = new ArrayList<>();
        long t0 = System.currentTimeMillis() - 3_600_000;
        for (int m = 0; m < 4; m++) {
            String id = "dd" + m + "@1.0.0";
            List<Expected> files = new ArrayList<>(common);
            String own = "transformer/diffusion_pytorch_model.safetensors";
            files.add(new Expected(own, MIB, Fixtures.randomFile(src.resolve(id).resolve(own), MIB, 7000 + m)));
            dev.wan.ensure.Fixtures.copyTree(shared, src.resolve(id));
            models.add(new Model(id, files));
            // Filled by hand, at different times: separate copies (inodes) with their own mtimes.
            Path dir = root.resolve("wan22").resolve(id);
            dev.wan.ensure.Fixtures.copyTree(src.resolve(id), dir);
            for (int f = 0; f < files.size(); f++) {
                Files.setLastModifiedTime(dir.resolve(files.get(f).path()),
                        FileTime.fromMillis(t0 + m * 600_000L + f * 1_000L));
            }
        }
        Path snapshot = tmp.resolve("snapshot");
        Cli wan = Cli.java().env("MODELS_ROOT", root.toString())
                .env("WAN_MODELS_MANIFEST", manifest(tmp, models, m -> "file://" + src.resolve(m.id())).toString());
        Cli.Result adopted = wan.run("ensure", "--all", "-q");
        assertEquals(0, adopted.exitCode(), adopted.toString());
        Set<String> all = new HashSet<>();
        models.forEach(m -> all.add(m.id()));

        try (FinalPathWatcher watcher = new FinalPathWatcher(root, models, 3)) {
            assertEquals(List.of(), settle(wan, root, watcher, models, all), "the store filled by hand and adopted");
            assertEquals(List.of(), distinctInodes(root, models, 4 * 103), "every model has its own copies");
            dev.wan.ensure.Fixtures.copyTree(root, snapshot);
            s.workNanos = CrashLoop.run(wan, tmp.resolve("measure"), CrashLoop.lockTaken(root, CrashLoop.lockTimes(root)),
                    -1, "deduplicate").ranNanos();
            assertEquals(List.of(), settle(wan, root, watcher, models, all), "deduplicate without a kill");
            assertEquals(List.of(), distinctInodes(root, models, 102 + 4), "deduplicate without a kill links all copies");
            while (s.tried() < s.kills) {
                restore(watcher, snapshot, root);
                Attempt a = CrashLoop.run(wan, tmp.resolve("kill"), CrashLoop.lockTaken(root, CrashLoop.lockTimes(root)),
                        CrashLoop.delay(s), "deduplicate");
                if (!a.killed()) {
                    s.finishedBeforeItsKill(a);
                    continue;
                }
                List<String> problems = new ArrayList<>(watcher.checkNow(all));
                Map<String, JsonNode> killed = CrashLoop.status(wan, problems);
                for (Model m : models) {
                    String state = CrashLoop.state(killed.get(m.id()));
                    if (!state.equals("COMPLETE")) {
                        problems.add("after the kill, " + m.id() + " is " + state + notOk(killed.get(m.id())));
                    }
                }
                Cli.Result again = wan.run("deduplicate", "--json");
                if (again.exitCode() != 0) {
                    problems.add("the deduplicate after the kill failed: " + again);
                }
                problems.addAll(settle(wan, root, watcher, models, all));
                problems.addAll(distinctInodes(root, models, 102 + 4));
                problems.addAll(watcher.drain());
                s.record(a, problems);
            }
        }
        s.end();
    }

    /** Problems unless the models' final files are exactly {@code expected} distinct inodes. */
    private static List<String> distinctInodes(Path root, List<Model> models, int expected) throws Exception {
        Set<Object> inodes = new HashSet<>();
        for (Model m : models) {
            for (Expected f : m.files()) {
                inodes.add(Files.readAttributes(root.resolve("wan22").resolve(m.id()).resolve(f.path()),
                        java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
            }
        }
        return inodes.size() == expected ? List.of()
                : List.of("the models' files are " + inodes.size() + " distinct inodes, expected " + expected);
    }

    // ------------------------------------------------------------------ shared checks

    /**
     * After a successful run: {@code mustBeComplete} models are COMPLETE in {@code status --json},
     * with every file at its final path and right; nothing is left in .tmp, .trash or a model
     * directory. A leftover that {@code gc} collects (README) is given to a {@code gc} first.
     */
    private static List<String> settle(Cli wan, Path root, FinalPathWatcher watcher, List<Model> models,
                                       Set<String> mustBeComplete) throws Exception {
        List<String> problems = new ArrayList<>();
        return settle(wan, root, watcher, models, mustBeComplete, CrashLoop.status(wan, problems), problems);
    }

    private static List<String> settle(Cli wan, Path root, FinalPathWatcher watcher, List<Model> models,
                                       Set<String> mustBeComplete, Map<String, JsonNode> status,
                                       List<String> problems) throws Exception {
        for (String id : mustBeComplete) {
            String state = CrashLoop.state(status.get(id));
            if (!state.equals("COMPLETE")) {
                problems.add(id + " is " + state + notOk(status.get(id)));
            }
        }
        problems.addAll(watcher.checkNow(mustBeComplete));
        List<String> left = CrashLoop.leftovers(root, models);
        if (!left.isEmpty()) {
            CrashLoop.LEFT_FOR_GC.incrementAndGet();
            Cli.Result gc = wan.run("gc", "--tmp-grace", "0s");
            System.out.println("  leftovers " + left + " given to gc --tmp-grace 0s: exit " + gc.exitCode());
            problems.addAll(CrashLoop.leftovers(root, models));
        }
        return problems;
    }

    /** The files of a model node of status --json that are not OK, as " (path STATE, …)". */
    private static String notOk(JsonNode model) {
        if (model == null) {
            return "";
        }
        List<String> bad = new ArrayList<>();
        model.path("files").forEach(f -> {
            if (!f.get("state").asText().equals("OK")) {
                bad.add(f.get("path").asText() + " " + f.get("state").asText());
            }
        });
        return bad.isEmpty() ? "" : " (" + (bad.size() > 4 ? bad.subList(0, 4) + " and " + (bad.size() - 4) + " more"
                : bad.toString()) + ")";
    }

    /** The store as it was at {@code snapshot} (copied while the watcher looks away: copying is writing in place). */
    private static void restore(FinalPathWatcher watcher, Path snapshot, Path root) throws Exception {
        watcher.whileLookingAway(() -> {
            CrashLoop.deleteTree(root);
            dev.wan.ensure.Fixtures.copyTree(snapshot, root);
        });
    }

    private static Path manifest(Path dir, List<Model> models, Function<Model, String> source) throws Exception {
        StringBuilder toml = new StringBuilder("schema_version = 1\n");
        for (Model m : models) {
            String id = m.id();
            toml.append("\n[models.\"").append(id).append("\"]\ndescription = \"crash loop\"\nversion = \"")
                    .append(id.substring(id.indexOf('@') + 1)).append("\"\n");
            for (Expected f : m.files()) {
                toml.append("[[models.\"").append(id).append("\".files]]\npath = \"").append(f.path())
                        .append("\"\nsize = ").append(f.size()).append("\nsha256 = \"").append(f.sha256()).append("\"\n");
            }
            toml.append("[models.\"").append(id).append("\".sources]\npriority = [\"").append(source.apply(m))
                    .append("\"]\n");
        }
        return Files.writeString(dir.resolve("models.toml"), toml);
    }
}
