package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real `wan gc` while it deletes: afterwards every model is COMPLETE with all its
 * files or NOT_PRESENT (never COMPLETE with files missing), the next gc clears .trash, and a
 * collected model can be ensured again.
 */
class GcCrashTest {
    private static final int MODELS = 30;
    private static final int FILES = 150;

    @TempDir
    Path tmp;

    @Test
    void killingGcMidDeletionLeavesEveryModelWholeOrAbsent() throws Exception {
        Path src = tmp.resolve("src");
        StringBuilder toml = new StringBuilder("schema_version = 1\n");
        for (int m = 0; m < MODELS; m++) {
            String id = "m" + m + "@1.0.0";
            toml.append("[models.\"").append(id).append("\"]\n");
            for (int f = 0; f < FILES; f++) {
                String path = "shard" + f + ".bin";
                String sha = Fixtures.randomFile(src.resolve(id).resolve(path), 2048, m * 1000L + f);
                toml.append("[[models.\"").append(id).append("\".files]]\npath = \"").append(path)
                        .append("\"\nsize = 2048\nsha256 = \"").append(sha).append("\"\n");
            }
            toml.append("[models.\"").append(id).append("\".sources]\npriority = [\"file://")
                    .append(src.resolve(id)).append("\"]\n");
        }
        Path manifest = Files.writeString(tmp.resolve("models.toml"), toml);
        Path root = tmp.resolve("root");
        Cli wan = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", manifest.toString());
        assertEquals(0, wan.run("ensure", "--all", "--concurrency", "4", "-q").exitCode());

        Process gc = wan.start(tmp.resolve("gc.out"), tmp.resolve("gc.err"), "gc", "--max-size", "0");
        Path trash = root.resolve(".trash");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && gc.isAlive() && !hasEntries(trash)) {
            Thread.sleep(1);
        }
        boolean killedMidway = gc.isAlive();
        gc.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        JsonNode status = new ObjectMapper().readTree(wan.run("status", "--json").stdout());
        int complete = 0;
        for (JsonNode m : status.get("models")) {
            String state = m.get("state").asText();
            assertTrue(state.equals("COMPLETE") || state.equals("NOT_PRESENT"), m.get("model") + " is " + state);
            if (state.equals("COMPLETE")) {
                complete++;
                for (int f = 0; f < FILES; f++) {
                    assertTrue(Files.isRegularFile(Path.of(m.get("directory").asText(), "shard" + f + ".bin")));
                }
            }
        }
        Cli.Result again = wan.run("gc");
        Cli.Result back = wan.run("ensure", "m0@1.0.0", "--json");

        assertTrue(killedMidway, "gc was killed while deleting (it had not finished)");
        assertTrue(complete < MODELS, "gc had started deleting before the kill");
        assertEquals(0, again.exitCode(), again.toString());
        assertTrue(!hasEntries(trash), "the next gc removes what the killed one left in .trash");
        assertEquals(0, back.exitCode(), back.toString());
        assertEquals("COMPLETE", new ObjectMapper().readTree(wan.run("status", "m0@1.0.0", "--json").stdout())
                .get("models").get(0).get("state").asText());
    }

    private static boolean hasEntries(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        }
    }
}
