package dev.wan.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.cli.InProcessWan;
import dev.wan.ensure.Fixtures;
import dev.wan.internal.store.ContentIndex;
import dev.wan.internal.store.StoreLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The damaged-state suite (issue 9, findings 4 and 5). A store of four models (two pinned, two
 * pairs sharing content, so the dedup index has entries) is damaged one file at a time: every
 * file under {@code .state/}, {@code .index/} and {@code .pins/}, each damage (truncated at
 * several lengths, emptied, garbled, {@code null}, {@code {}}, wrong types, re-pointed at another
 * model's record or file, replaced by a directory, replaced by a symlink). For each (file, damage,
 * command) the store is damaged afresh, the command runs through the real CLI in-process, and:
 * no pinned model is deleted, no model reported COMPLETE has a wrong byte, nothing exits 70, a
 * link's target outside the store is never touched; then {@code ensure --all} must leave the store
 * healthy (every model COMPLETE with the right bytes, no state problem, pins as they were, the
 * index a regular file once used).
 *
 * <p>Every (file, damage, command) counts as tried, and as held or broke. The last line on stdout
 * is {@code tried N, held N, broke 0}. {@code -Dwan.damage.commands=all} (default) or a comma list
 * narrows the commands; {@code -Dwan.damage.stride=K} tries every K-th (file, damage) pair: 5 by
 * default, to stay near 30 s in CI; {@code -Dwan.damage.stride=1} tries them all (about 3 minutes).
 */
class DamagedStateTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SIZE = 4096;
    private static final List<String> PINNED = List.of("alpha@1.0.0", "gamma@1.0.0");
    private static final List<String> DAMAGES = List.of("truncated-1", "truncated-half", "truncated-last",
            "emptied", "garbled", "null", "{}", "wrong-types", "re-pointed", "directory", "symlink", "deleted");

    @TempDir
    Path root;

    @TempDir
    Path work;

    private Path manifest;
    private final Map<String, Fixtures.TestModel> models = new LinkedHashMap<>();
    private final List<String> broken = new ArrayList<>();
    private Path decoy;
    private int tried;
    private int held;


    private Run wan(String... args) {
        return InProcessWan.run(root, manifest, args);
    }

    @Test
    void noDamageToStateIndexOrPinsDeletesAPinOrPublishesAWrongByte() throws Exception {
        buildStore();
        List<Path> targets = targets();
        String only = System.getProperty("wan.damage.commands", "all");
        int stride = Integer.getInteger("wan.damage.stride", 5); // 5 is coprime with the 12 damages: all get tried
        long started = System.nanoTime();

        int pair = 0;
        for (Path target : targets) {
            for (String damage : DAMAGES) {
                if (pair++ % stride != 0) {
                    continue;
                }
                for (String command : commandsFor(target)) {
                    if (only.equals("all") || List.of(only.split(",")).contains(command)) {
                        attempt(target, damage, command);
                    }
                }
            }
        }

        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        broken.stream().limit(20).forEach(System.out::println);
        System.out.println("damaged-state suite: " + targets.size() + " files, " + DAMAGES.size() + " damages, "
                + seconds + " s");
        System.out.println("tried " + tried + ", held " + held + ", broke " + (tried - held));
        assertEquals(List.of(), broken.stream().limit(5).toList(), "broke " + (tried - held) + " of " + tried);
    }

    // ------------------------------------------------------------------ the store

    private void buildStore() throws Exception {
        byte[] vae = Fixtures.bytes(SIZE, 100);
        byte[] enc = Fixtures.bytes(SIZE, 200);
        model("alpha@1.0.0", "vae.pth", vae, "a.bin", Fixtures.bytes(SIZE, 1));
        model("beta@1.0.0", "vae.pth", vae, "b.bin", Fixtures.bytes(SIZE, 2));
        model("gamma@1.0.0", "enc.pth", enc, "c.bin", Fixtures.bytes(SIZE, 3));
        model("delta@1.0.0", "enc.pth", enc, "d.bin", Fixtures.bytes(SIZE, 4));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, models.values().toArray(Fixtures.TestModel[]::new));
        decoy = work.resolve("decoy");
        Files.writeString(decoy, "outside the store");
        Files.setLastModifiedTime(decoy, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        require(wan("ensure", "--all", "--quiet", "--concurrency", "1"), "initial ensure");
        for (String id : PINNED) {
            require(wan("models", "pin", id), "pin " + id);
        }
        wan("ensure", "--all", "--quiet"); // marks use: .used files exist for every model
        new ContentIndex(new StoreLayout(root)).refresh();
        String problem = health(Set.copyOf(PINNED));
        if (problem != null) {
            throw new AssertionError("the pristine store is not healthy: " + problem);
        }
    }

    private void model(String id, String p1, byte[] c1, String p2, byte[] c2) {
        Path src = work.resolve("src").resolve(id);
        Fixtures.TestModel m = new Fixtures.TestModel(id).file(p1, c1).file(p2, c2).sources(src.toUri().toString());
        m.writeTo(src);
        models.put(id, m);
    }

    private static void require(Run r, String what) {
        if (r.code() != 0) {
            throw new AssertionError(what + " exited " + r.code() + ": " + r.err());
        }
    }

    private List<Path> targets() throws IOException {
        List<Path> out = new ArrayList<>();
        for (String dir : List.of(".state", ".index", ".pins")) {
            try (Stream<Path> s = Files.list(root.resolve(dir))) {
                s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().forEach(out::add);
            }
        }
        return out;
    }

    private static List<String> commandsFor(Path target) {
        String dir = target.getParent().getFileName().toString();
        boolean pinRelated = dir.equals(".pins") || target.getFileName().toString().endsWith(".json")
                && dir.equals(".state");
        return pinRelated ? List.of("status", "verify", "ensure", "gc", "pin", "unpin")
                : List.of("status", "verify", "ensure", "gc");
    }

    /** The model a target belongs to, or null for the index. */
    private static String ownerOf(Path target) {
        String name = target.getFileName().toString();
        if (name.endsWith(".json") && !name.equals("sha256.json")) {
            return name.substring(0, name.length() - ".json".length());
        }
        if (name.endsWith(".used")) {
            return name.substring(0, name.length() - ".used".length());
        }
        return target.getParent().getFileName().toString().equals(".pins") ? name : null;
    }

    // ------------------------------------------------------------------ one (file, damage, command)

    private void attempt(Path target, String damage, String command) {
        tried++;
        String label = root.relativize(target) + " / " + damage + " / " + command;
        List<String> problems = new ArrayList<>();
        Set<String> pinned = new java.util.HashSet<>(PINNED);
        try {
            damage(target, damage);
            String owner = ownerOf(target);
            Run r = switch (command) {
                case "status" -> wan("status", "--all", "--json");
                case "verify" -> wan("verify", "--all", "--json");
                case "ensure" -> {
                    removeModelDirs("beta@1.0.0", "delta@1.0.0"); // their shared files must come through the index
                    yield wan("ensure", "--all", "--quiet", "--concurrency", "1");
                }
                case "gc" -> wan("models", "gc", "--max-size", "0", "--json");
                case "pin" -> {
                    String id = owner == null ? PINNED.get(0) : owner;
                    pinned.add(id);
                    yield wan("models", "pin", id);
                }
                case "unpin" -> {
                    pinned.remove(owner);
                    yield wan("models", "unpin", owner == null ? PINNED.get(0) : owner);
                }
                default -> throw new IllegalArgumentException(command);
            };
            if (r.code() == 70) {
                problems.add("exit 70: " + r.err().lines().findFirst().orElse(""));
            }
            if (command.equals("status") && target.getFileName().toString().endsWith(".json")
                    && target.getParent().getFileName().toString().equals(".state") && !damage.equals("deleted")) {
                JsonNode m = modelNode(r.out(), owner);
                if (m == null || !m.hasNonNull("stateProblem")) {
                    problems.add("status does not show the damaged state of " + owner);
                }
            }
            invariants(pinned, problems);
            // repair
            Run repair = wan("ensure", "--all", "--quiet", "--concurrency", "1");
            if (repair.code() != 0) {
                problems.add("ensure after the damage exited " + repair.code() + ": " + repair.err().strip());
            }
            for (String id : models.keySet()) { // back to the original pins
                if (pinned.contains(id) != PINNED.contains(id)) {
                    require(wan("models", PINNED.contains(id) ? "pin" : "unpin", id), "restoring the pin of " + id);
                }
            }
            new ContentIndex(new StoreLayout(root)).refresh(); // the next ensure that needs the index
            String unhealthy = health(Set.copyOf(PINNED));
            if (unhealthy != null) {
                problems.add("not healthy after ensure: " + unhealthy);
            }
        } catch (Exception | AssertionError e) {
            problems.add("threw " + e);
        }
        if (problems.isEmpty()) {
            held++;
        } else {
            broken.add("BROKE " + label + ": " + String.join("; ", problems));
            try {
                restoreByHand();
            } catch (Exception e) {
                broken.add("cannot restore the store after " + label + ": " + e);
            }
        }
    }

    private static JsonNode modelNode(String out, String id) throws IOException {
        for (JsonNode m : JSON.readTree(out).get("models")) {
            if (m.get("model").asText().equals(id)) {
                return m;
            }
        }
        return null;
    }

    /** Checked right after the command, while the damage may still be there. */
    private void invariants(Set<String> pinned, List<String> problems) throws IOException {
        for (String id : pinned) {
            if (!Files.isDirectory(root.resolve("wan22").resolve(id))) {
                problems.add("pinned " + id + " was deleted");
            }
        }
        JsonNode status = JSON.readTree(wan("status", "--all", "--json").out());
        for (JsonNode m : status.get("models")) {
            String id = m.get("model").asText();
            if (m.get("state").asText().equals("COMPLETE")) {
                String wrong = wrongBytes(id);
                if (wrong != null) {
                    problems.add(id + " reported COMPLETE with " + wrong);
                }
            }
        }
        if (Files.getLastModifiedTime(decoy).toMillis() != 1_000_000
                || !Files.readString(decoy).equals("outside the store")) {
            problems.add("a file outside the store was written through a link");
        }
    }

    private String wrongBytes(String id) {
        Fixtures.TestModel m = models.get(id);
        for (String path : m.paths()) {
            Path f = root.resolve("wan22").resolve(id).resolve(path);
            if (!Files.isRegularFile(f) || !Fixtures.sha256(f).equals(Fixtures.sha256(m.content(path)))) {
                return "wrong bytes at " + path;
            }
        }
        return null;
    }

    /** Null when healthy, else what is wrong. */
    private String health(Set<String> pinned) throws IOException {
        Run r = wan("status", "--all", "--json");
        for (JsonNode m : JSON.readTree(r.out()).get("models")) {
            String id = m.get("model").asText();
            if (!m.get("state").asText().equals("COMPLETE")) {
                return id + " is " + m.get("state").asText();
            }
            if (m.hasNonNull("stateProblem")) {
                return id + ": " + m.get("stateProblem").asText();
            }
            if (m.get("pinned").asBoolean() != pinned.contains(id)) {
                return id + " pinned=" + m.get("pinned").asBoolean();
            }
            String wrong = wrongBytes(id);
            if (wrong != null) {
                return id + ": " + wrong;
            }
        }
        for (String id : pinned) {
            if (!Files.isRegularFile(root.resolve(".pins").resolve(id), LinkOption.NOFOLLOW_LINKS)) {
                return "pin marker of " + id + " is not a regular file";
            }
        }
        Path index = root.resolve(".index/sha256.json");
        if (!Files.isRegularFile(index, LinkOption.NOFOLLOW_LINKS)) {
            return "the index is not a regular file";
        }
        return null;
    }

    // ------------------------------------------------------------------ damages

    private void damage(Path target, String damage) throws IOException {
        byte[] good = Files.readAllBytes(target); // the store is healthy here: target is our own regular file
        String name = target.getFileName().toString();
        boolean json = name.endsWith(".json");
        switch (damage) {
            case "truncated-1" -> Files.write(target, slice(good, Math.min(1, good.length)));
            case "truncated-half" -> Files.write(target, slice(good, good.length / 2));
            case "truncated-last" -> Files.write(target, slice(good, Math.max(0, good.length - 1)));
            case "emptied" -> Files.write(target, new byte[0]);
            case "garbled" -> {
                byte[] g = good.clone();
                for (int i = g.length / 3; i < Math.min(g.length, g.length / 3 + 16); i++) {
                    g[i] = (byte) (0xA5 ^ i);
                }
                Files.write(target, g.length == 0 ? new byte[] {(byte) 0xFF, 0x00} : g);
            }
            case "null" -> Files.writeString(target, "null");
            case "{}" -> Files.writeString(target, "{}");
            case "wrong-types" -> Files.write(target, json ? wrongTypes(good) : "{\"pinned\":\"yes\"}".getBytes());
            case "re-pointed" -> rePoint(target, good);
            case "directory" -> {
                Files.delete(target);
                Files.createDirectories(target.resolve("inside"));
                Files.writeString(target.resolve("inside/x"), "x");
            }
            case "symlink" -> {
                Path outside = work.resolve("link-target-" + name);
                Files.write(outside, json ? rePointedBytes(target, good) : good);
                Files.delete(target);
                Files.createSymbolicLink(target, name.endsWith(".used") ? decoy : outside);
            }
            case "deleted" -> Files.delete(target);
            default -> throw new IllegalArgumentException(damage);
        }
    }

    private static byte[] slice(byte[] b, int n) {
        return java.util.Arrays.copyOf(b, n);
    }

    /** Every value swapped for one of another type, the shape (and index fingerprint) kept. */
    private static byte[] wrongTypes(byte[] good) throws IOException {
        JsonNode doc = JSON.readTree(good);
        if (doc.has("fingerprint")) {
            ObjectNode entries = (ObjectNode) doc.get("entries");
            entries.fieldNames().forEachRemaining(k -> entries.put(k, "x"));
            ((ObjectNode) doc).put("schema", "1");
            return JSON.writeValueAsBytes(doc);
        }
        ObjectNode o = (ObjectNode) doc;
        o.put("schema", "1").put("pinned", "yes");
        o.putArray("variants").add(1);
        ObjectNode files = (ObjectNode) o.get("files");
        if (files != null) {
            files.properties().forEach(e -> ((ObjectNode) e.getValue()).put("size", "4096")
                    .put("mtimeMillis", true));
        }
        return JSON.writeValueAsBytes(o);
    }

    /** State: another model's record. Index: every entry at another model's file of the same size. Else a hardlink. */
    private void rePoint(Path target, byte[] good) throws IOException {
        String name = target.getFileName().toString();
        if (name.endsWith(".json")) {
            Files.write(target, rePointedBytes(target, good));
            return;
        }
        Path other = Files.list(target.getParent()).filter(p -> !p.equals(target)
                        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && !p.getFileName().toString().endsWith(".json"))
                .sorted().findFirst().orElse(decoy);
        Files.delete(target);
        Files.createLink(target, other);
    }

    private byte[] rePointedBytes(Path target, byte[] good) throws IOException {
        String name = target.getFileName().toString();
        if (name.equals("sha256.json")) {
            ObjectNode doc = (ObjectNode) JSON.readTree(good);
            ObjectNode entries = (ObjectNode) doc.get("entries");
            List<String[]> files = new ArrayList<>();
            for (String id : models.keySet()) {
                for (String p : models.get(id).paths()) {
                    files.add(new String[] {id, p});
                }
            }
            int shift = 1;
            for (var e : entries.properties()) {
                for (JsonNode entry : (ArrayNode) e.getValue()) {
                    String[] to = otherFile(files, e.getKey(), shift++);
                    Path f = root.resolve("wan22").resolve(to[0]).resolve(to[1]);
                    ((ObjectNode) entry).put("model", to[0]).put("path", to[1])
                            .put("mtimeMillis", Files.getLastModifiedTime(f).toMillis());
                }
            }
            return JSON.writeValueAsBytes(doc);
        }
        String owner = ownerOf(target);
        String other = models.keySet().stream().filter(id -> !id.equals(owner)).findFirst().orElseThrow();
        return Files.readAllBytes(root.resolve(".state").resolve(other + ".json"));
    }

    /** A file whose content is not {@code sha}, picked round-robin. */
    private String[] otherFile(List<String[]> files, String sha, int shift) {
        for (int i = 0; i < files.size(); i++) {
            String[] f = files.get((shift + i) % files.size());
            if (!Fixtures.sha256(models.get(f[0]).content(f[1])).equals(sha)) {
                return f;
            }
        }
        throw new IllegalStateException("every file has the same content");
    }

    private void removeModelDirs(String... ids) {
        for (String id : ids) {
            Path dir = root.resolve("wan22").resolve(id);
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                dev.wan.internal.io.Fs.deleteTree(dir);
            }
        }
    }

    /** After a broken attempt: put the store back so later attempts start healthy. */
    private void restoreByHand() throws IOException {
        for (String dir : List.of(".state", ".index", ".pins")) {
            Path d = root.resolve(dir);
            if (Files.isSymbolicLink(d)) {
                Files.delete(d);
            } else if (Files.isDirectory(d)) {
                dev.wan.internal.io.Fs.deleteTree(d);
            }
        }
        removeModelDirs(models.keySet().toArray(String[]::new));
        wan("ensure", "--all", "--quiet", "--concurrency", "1");
        for (String id : PINNED) {
            wan("models", "pin", id);
        }
        Files.writeString(decoy, "outside the store", StandardCharsets.UTF_8);
        Files.setLastModifiedTime(decoy, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
    }
}
