package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.ensure.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wan models gc}, {@code pin} and {@code unpin} in-process: exit codes, text and --json. */
class GcCliTest {
    private static final String ALPHA = "alpha@1.0.0";
    private static final String BETA = "beta@1.0.0";

    @TempDir
    Path root;

    @TempDir
    Path work;

    private Path manifest;
    private Fixtures.TestModel alpha;
    private Fixtures.TestModel beta;


    private Run wan(String... args) {
        return InProcessWan.run(root, manifest, args);
    }

    @BeforeEach
    void twoEnsuredModels() {
        alpha = new Fixtures.TestModel(ALPHA).file("a.bin", Fixtures.bytes(30_000, 1))
                .sources(work.resolve("src/alpha").toUri().toString());
        beta = new Fixtures.TestModel(BETA).file("b.bin", Fixtures.bytes(20_000, 2))
                .sources(work.resolve("src/beta").toUri().toString());
        alpha.writeTo(work.resolve("src/alpha"));
        beta.writeTo(work.resolve("src/beta"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, alpha, beta);
        assertEquals(0, wan("ensure", "--all", "--quiet").code());
    }

    private Path dir(String id) {
        return root.resolve("wan22").resolve(id);
    }

    @Test
    void dryRunJsonListsThePlanAndDeletesNothing() throws Exception {
        Run r = wan("models", "gc", "--dry-run", "--max-size", "0B", "--json");

        assertEquals(0, r.code(), r.err());
        JsonNode doc = r.json();
        assertEquals("gc", doc.get("command").asText());
        assertTrue(doc.get("ok").asBoolean());
        assertTrue(doc.get("dryRun").asBoolean());
        assertEquals(50_000, doc.get("storeBytes").asLong());
        assertEquals(0, doc.get("policy").get("maxSize").asLong());
        assertTrue(doc.get("policy").get("maxAgeSeconds").isNull());
        assertEquals(2, doc.get("deleted").size());
        JsonNode first = doc.get("deleted").get(0);
        assertEquals("OVER_SIZE", first.get("reason").asText());
        assertTrue(first.has("model") && first.has("bytesFreed") && first.has("lastUsed"));
        assertEquals(50_000, doc.get("bytesReclaimed").asLong());
        assertTrue(doc.get("preserved").isArray());
        assertTrue(doc.get("leftovers").isArray());
        assertTrue(Files.exists(dir(ALPHA).resolve("a.bin")));
        assertTrue(Files.exists(dir(BETA).resolve("b.bin")));
    }

    @Test
    void dryRunTextSaysWhatWouldBeDeletedAndWhy() {
        Run r = wan("gc", "--dry-run", "--max-age", "0s");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("would delete"), r.out());
        assertTrue(r.out().contains(ALPHA) && r.out().contains("TOO_OLD"), r.out());
        assertTrue(r.out().contains("would reclaim"), r.out());
        assertTrue(Files.exists(dir(ALPHA)));
    }

    @Test
    void gcDeletesUnpinnedModelsAndKeepsPinnedOnes() throws Exception {
        assertEquals(0, wan("models", "pin", ALPHA).code());

        Run r = wan("models", "gc", "--max-size", "1KiB", "--json");

        assertEquals(0, r.code(), r.err());
        JsonNode doc = r.json();
        assertFalse(doc.get("dryRun").asBoolean());
        assertEquals(1, doc.get("deleted").size());
        assertEquals(BETA, doc.get("deleted").get(0).get("model").asText());
        assertEquals(20_000, doc.get("bytesReclaimed").asLong());
        assertFalse(doc.get("goalMet").asBoolean());
        JsonNode kept = doc.get("preserved").get(0);
        assertEquals(ALPHA, kept.get("model").asText());
        assertEquals("PINNED", kept.get("reason").asText());
        assertFalse(Files.exists(dir(BETA)));
        JsonNode status = wan("status", "--json").json().get("models");
        assertEquals("COMPLETE", status.get(0).get("state").asText());
        assertTrue(status.get(0).get("pinned").asBoolean());
        assertEquals("NOT_PRESENT", status.get(1).get("state").asText());
    }

    @Test
    void pinAndUnpinPrintJsonAndShowInList() throws Exception {
        Run pin = wan("pin", ALPHA, "--json");
        Run again = wan("pin", ALPHA, "--json");
        boolean listed = wan("list", "--json").json().get("models").get(0).get("pinned").asBoolean();
        Run unpin = wan("unpin", ALPHA);

        assertEquals(0, pin.code(), pin.err());
        assertEquals("pin", pin.json().get("command").asText());
        assertEquals(ALPHA, pin.json().get("model").asText());
        assertTrue(pin.json().get("pinned").asBoolean());
        assertTrue(pin.json().get("changed").asBoolean());
        assertFalse(again.json().get("changed").asBoolean());
        assertTrue(listed);
        assertEquals(0, unpin.code());
        assertTrue(unpin.out().contains("unpinned"), unpin.out());
        assertFalse(wan("status", "--json").json().get("models").get(0).get("pinned").asBoolean());
    }

    @Test
    void pinOfAnUnknownModelExitsFourWithModelNotFound() throws Exception {
        Run r = wan("pin", "nope@1.0.0", "--json");

        assertEquals(4, r.code());
        assertEquals("MODEL_NOT_FOUND", r.json().get("error").get("code").asText());
        assertEquals(4, wan("unpin", "nope@1.0.0").code());
    }

    @Test
    void aBadSizeIsAUsageError() throws Exception {
        Run r = wan("gc", "--max-size", "12XB", "--json");

        assertEquals(2, r.code());
        assertEquals("USAGE", r.json().get("error").get("code").asText());
        assertTrue(r.err().contains("not a size"), r.err());
    }

    @Test
    void gcWithoutLimitsOnlyCollectsLeftovers() throws Exception {
        Fixtures.write(root.resolve(".trash/" + BETA + ".abc/b.bin"), new byte[1000]);

        Run r = wan("gc", "--json");

        assertEquals(0, r.code(), r.err());
        assertEquals(0, r.json().get("deleted").size());
        assertEquals("TRASH", r.json().get("leftovers").get(0).get("kind").asText());
        assertEquals(1000, r.json().get("bytesReclaimed").asLong());
        assertTrue(Files.exists(dir(ALPHA)) && Files.exists(dir(BETA)));
    }
}
