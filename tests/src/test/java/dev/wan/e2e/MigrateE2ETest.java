package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.internal.TestHooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wan models migrate} as a real process: kill -9 in the middle of execute (after the first
 * model was placed and journaled, and again in the middle of copying a file with --copy), run it
 * again: it resumes from its journal, every model ends COMPLETE and verified, and the legacy files
 * keep their bytes and mtimes throughout.
 */
class MigrateE2ETest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] IDS = {"t2v@1.0.0", "i2v@1.0.0", "ti2v@1.0.0"};

    @TempDir
    Path tmp;

    /** Three models: t2v as a flat copy, i2v as a Hugging Face cache (links into blobs/), ti2v as ComfyUI files. */
    private Path legacyTree(Path legacy, long size) throws IOException {
        StringBuilder toml = new StringBuilder("schema_version = 1\n");
        for (int m = 0; m < IDS.length; m++) {
            String id = IDS[m];
            String name = id.substring(0, id.indexOf('@'));
            toml.append("\n[models.\"").append(id).append("\"]\ndescription = \"e2e\"\nversion = \"1.0.0\"\n");
            for (int f = 0; f < 2; f++) {
                String path = "transformer/shard-" + f + ".safetensors";
                Path file = switch (m) {
                    case 0 -> legacy.resolve("flat/" + name + "/" + path);
                    case 1 -> legacy.resolve("hub/models--org--" + name + "/blobs/blob-" + f);
                    default -> legacy.resolve("ComfyUI/models/diffusion_models/" + name + "_" + f + ".safetensors");
                };
                String sha = Fixtures.randomFile(file, size + m * 1000 + f, 100L * m + f);
                if (m == 1) {
                    Path link = legacy.resolve("hub/models--org--" + name + "/snapshots/c0ffee/" + path);
                    Files.createDirectories(link.getParent());
                    Files.createSymbolicLink(link, Path.of("../../../blobs/blob-" + f));
                }
                toml.append("\n[[models.\"").append(id).append("\".files]]\npath = \"").append(path)
                        .append("\"\nsize = ").append(size + m * 1000 + f).append("\nsha256 = \"").append(sha).append("\"\n");
            }
            toml.append("\n[models.\"").append(id).append("\".sources]\npriority = [\"hf://org/").append(name).append("\"]\n");
        }
        Path manifest = tmp.resolve("models.toml");
        Files.writeString(manifest, toml);
        return manifest;
    }

    @Test
    void killedMidExecuteResumesAndEndsCompleteWithLegacyFilesUntouched() throws Exception {
        Path legacy = tmp.resolve("legacy");
        Path manifest = legacyTree(legacy, 4L << 20);
        Path root = tmp.resolve("root");
        Map<String, String> before = snapshot(legacy);
        Cli cli = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", manifest.toString())
                .env("HF_HUB_OFFLINE", "1");

        Path paused = tmp.resolve("placed.paused");
        Process first = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", manifest.toString())
                .pauseAt(TestHooks.Point.MIGRATE_MODEL_PLACED, 1, paused)
                .start(tmp.resolve("out1"), tmp.resolve("err1"), "models", "migrate", "execute", legacy.toString());
        Cli.awaitPause(first, paused);
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        List<Path> journals = journals(root);
        assertEquals(1, journals.size(), "the killed run left its journal in .tmp");
        assertTrue(Files.readString(journals.get(0)).contains("placed"), Files.readString(journals.get(0)));
        long completeAfterKill = Stream.of(IDS).filter(id -> state(cli, id).equals("COMPLETE")).count();
        assertEquals(1, completeAfterKill, "one model placed before the kill, the others not published");

        Cli.Result second = cli.run("models", "migrate", "execute", legacy.toString(), "--json");

        assertEquals(0, second.exitCode(), second.toString());
        JsonNode doc = JSON.readTree(second.stdout());
        assertTrue(doc.get("resumed").asBoolean(), second.stdout());
        assertTrue(doc.get("analysis").get("hashesReused").asInt() >= 6, "hashes from the journal: " + doc.get("analysis"));
        assertEquals(0, doc.get("analysis").get("filesHashed").asInt());
        assertEquals(0, doc.get("bytesCopied").asLong(), "all hardlinked");
        for (String id : IDS) {
            assertEquals("COMPLETE", state(cli, id), id);
        }
        Cli.Result verify = cli.run("models", "verify", "--all");
        assertEquals(0, verify.exitCode(), verify.toString());
        assertEquals(List.of(), journals(root), "the journal is removed when the run succeeds");
        assertEquals(before, snapshot(legacy), "legacy bytes, names, links and mtimes");
    }

    @Test
    void killedMidCopyResumesWithCopyAndNeverShowsAPartialFile() throws Exception {
        Path legacy = tmp.resolve("legacy");
        Path manifest = legacyTree(legacy, 24L << 20);
        Path root = tmp.resolve("root");
        Map<String, String> before = snapshotWithModes(legacy);
        Cli cli = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", manifest.toString())
                .env("HF_HUB_OFFLINE", "1");

        Path paused = tmp.resolve("write.paused");
        Process first = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", manifest.toString())
                .pauseAt(TestHooks.Point.STAGED_WRITE, 100, paused)
                .start(tmp.resolve("out1"), tmp.resolve("err1"), "models", "migrate", "execute", legacy.toString(), "--copy");
        Cli.awaitPause(first, paused);
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        for (String id : IDS) {
            assertFalse(state(cli, id).equals("PARTIAL") || state(cli, id).equals("CORRUPT"), id + " half-placed");
        }

        Cli.Result second = cli.run("models", "migrate", "execute", legacy.toString(), "--copy", "--json");

        assertEquals(0, second.exitCode(), second.toString());
        assertTrue(JSON.readTree(second.stdout()).get("resumed").asBoolean());
        for (String id : IDS) {
            assertEquals("COMPLETE", state(cli, id), id);
        }
        assertEquals(before, snapshotWithModes(legacy), "with --copy even the modes stay");
    }

    private static String state(Cli cli, String id) {
        try {
            Cli.Result r = cli.run("models", "status", id, "--json");
            return JSON.readTree(r.stdout()).get("models").get(0).get("state").asText();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static List<Path> journals(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root.resolve(".tmp"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("migrate-")).toList();
        }
    }

    private static Map<String, String> snapshot(Path dir) throws IOException {
        return snapshot(dir, false);
    }

    private static Map<String, String> snapshotWithModes(Path dir) throws IOException {
        return snapshot(dir, true);
    }

    private static Map<String, String> snapshot(Path dir, boolean modes) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String v = a.isSymbolicLink() ? "link " + Files.readSymbolicLink(p)
                        : a.isDirectory() ? "dir" : "file " + Fixtures.sha256(p) + " " + a.lastModifiedTime().toMillis();
                if (modes && a.isRegularFile()) {
                    v += " " + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                }
                out.put(dir.relativize(p).toString(), v);
            }
        }
        return out;
    }
}
