package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first line, through the real launcher and JBang, as a user types it: {@code ./wan …}
 * with nothing configured but MODELS_ROOT (kept out of the user's home).
 */
class LauncherTest {
    @TempDir
    Path root;

    @Test
    void quickStartEnsuresTheDemoAndStatusReportsOnTheSameRoot() throws Exception {
        Cli wan = Cli.launcher().env("MODELS_ROOT", root.toString());

        Cli.Result ensure = wan.run("ensure", "--all");
        Cli.Result status = wan.run("models", "status", "--json");

        assertEquals(0, ensure.exitCode(), ensure.toString());
        for (String id : new String[] {"demo-t2v@1.0.0", "demo-i2v@1.0.0", "demo-tokenizer@1.0.0"}) {
            assertTrue(ensure.stdout().contains(root.resolve("wan22").resolve(id).toString()), ensure.toString());
            assertTrue(Files.isDirectory(root.resolve("wan22").resolve(id)));
        }
        assertEquals(0, status.exitCode(), status.toString());
        JsonNode doc = new ObjectMapper().readTree(status.stdout());
        assertEquals(root.toString(), doc.get("modelsRoot").asText());
        assertEquals(3, doc.get("models").size());
        doc.get("models").forEach(m -> assertEquals("COMPLETE", m.get("state").asText(), m.toString()));
    }

    @Test
    void argumentsWithSpacesArriveWholeAndExitCodesPropagate() throws Exception {
        Cli wan = Cli.launcher().env("MODELS_ROOT", root.toString());

        Cli.Result r = wan.run("ensure", "--only", "no such model@1.0.0");

        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("'no such model@1.0.0' is not a model id"), r.toString());
    }
}
