package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import dev.wan.internal.TestHooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real `wan gc` while it deletes: afterwards every model is COMPLETE with all its
 * files or NOT_PRESENT (never COMPLETE with files missing), the next gc clears .trash, and a
 * collected model can be ensured again. The gc is stopped at an exact point ({@link TestHooks}):
 * its third model just moved into .trash, the model's state file not deleted yet, the lock held.
 */
class GcCrashTest {
    private static final int MODELS = 5;
    private static final int FILES = 20;
    private static final int KILLED_AT = 3;

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

        Path paused = tmp.resolve("gc.paused");
        Cli pausingGc = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", manifest.toString())
                .pauseAt(TestHooks.Point.GC_TRASHED, KILLED_AT, paused);
        Process gc = pausingGc.start(tmp.resolve("gc.out"), tmp.resolve("gc.err"), "gc", "--max-size", "0");
        Cli.awaitPause(gc, paused);
        gc.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        Path trash = root.resolve(".trash");
        boolean trashHeldAModel = hasEntries(trash);

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

        assertTrue(trashHeldAModel, "the killed gc left the model it was deleting in .trash");
        assertEquals(MODELS - KILLED_AT, complete, "the models gc had not reached are whole, the others gone");
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
