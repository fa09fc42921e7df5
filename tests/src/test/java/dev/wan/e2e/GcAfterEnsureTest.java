package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `wan ensure --gc` with a quota: the least recently used models go, the one just ensured stays. */
class GcAfterEnsureTest {
    @TempDir
    Path root;

    @Test
    void ensureWithGcOverQuotaCollectsTheLeastRecentlyUsedAndKeepsTheModelJustEnsured() throws Exception {
        Cli wan = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_HOME", Cli.REPO.toString());
        for (String id : List.of("demo-t2v@1.0.0", "demo-i2v@1.0.0", "demo-tokenizer@1.0.0")) {
            assertEquals(0, wan.run("ensure", id).exitCode());
            Thread.sleep(20); // distinct last-use times
        }

        Cli.Result r = wan.env("WAN_MAX_TOTAL_SIZE", "1MiB").run("ensure", "demo-tokenizer@1.0.0", "--gc", "--json");
        Cli.Result noQuota = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_HOME", Cli.REPO.toString())
                .run("ensure", "demo-tokenizer@1.0.0", "--gc");

        assertEquals(0, r.exitCode(), r.toString());
        JsonNode gc = new ObjectMapper().readTree(r.stdout()).get("gc");
        List<String> deleted = new ArrayList<>();
        gc.get("deleted").forEach(d -> deleted.add(d.asText()));
        assertTrue(deleted.contains("demo-t2v@1.0.0") && deleted.contains("demo-i2v@1.0.0"), r.toString());
        assertFalse(deleted.contains("demo-tokenizer@1.0.0"), "the model just ensured is never collected");
        assertTrue(gc.get("bytesReclaimed").asLong() > 0);
        assertTrue(Files.isDirectory(root.resolve("wan22/demo-tokenizer@1.0.0")));
        assertFalse(Files.exists(root.resolve("wan22/demo-t2v@1.0.0")));
        assertEquals(0, noQuota.exitCode());
        assertTrue(noQuota.stderr().contains("--gc needs a quota"), noQuota.toString());
    }
}
