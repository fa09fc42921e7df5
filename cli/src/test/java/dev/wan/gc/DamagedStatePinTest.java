package dev.wan.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.cli.InProcessWan;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.ensure.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finding 4 of issue 9: a damaged state file must never unpin a model, must be visible in
 * {@code status}, must stop {@code gc} from deleting the model, and {@code ensure} repairs it.
 */
class DamagedStatePinTest {
    private static final String PINNED = "pinned@1.0.0";
    private static final String OTHER = "other@1.0.0";

    @TempDir
    Path root;

    @TempDir
    Path work;

    private Path manifest;


    private Run wan(String... args) {
        return InProcessWan.run(root, manifest, args);
    }

    @BeforeEach
    void twoEnsuredModelsOnePinned() {
        var pinned = new Fixtures.TestModel(PINNED).file("p.bin", Fixtures.bytes(30_000, 1))
                .sources(work.resolve("src/p").toUri().toString());
        var other = new Fixtures.TestModel(OTHER).file("o.bin", Fixtures.bytes(20_000, 2))
                .sources(work.resolve("src/o").toUri().toString());
        pinned.writeTo(work.resolve("src/p"));
        other.writeTo(work.resolve("src/o"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, pinned, other);
        assertEquals(0, wan("ensure", "--all", "--quiet").code());
        assertEquals(0, wan("models", "pin", PINNED).code());
    }

    private Path stateFile() {
        return root.resolve(".state").resolve(PINNED + ".json");
    }

    private void damage(String how) throws Exception {
        Path state = stateFile();
        String good = Files.readString(state);
        switch (how) {
            case "directory" -> {
                Files.delete(state);
                Files.createDirectory(state);
            }
            case "symlink" -> {
                Files.delete(state);
                Files.createSymbolicLink(state, work.resolve("nowhere.json"));
            }
            case "truncated" -> Files.writeString(state, good.substring(0, good.length() / 2));
            case "traversal" -> Files.writeString(state, good.replace(PINNED, "../../x@1.0.0"));
            default -> Files.writeString(state, how, StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"truncated", "", "null", "{}", "[]", "{\"schema\":\"one\",\"files\":[]}",
            "{\"schema\":1,\"model\":\"pinned@1.0.0\",\"files\":{\"p.bin\":null},\"pinned\":\"yes\"}",
            "directory", "symlink", "traversal"})
    void gcNeverDeletesAPinnedModelWhoseStateIsDamaged(String how) throws Exception {
        damage(how);

        Run gc = wan("models", "gc", "--max-size", "0", "--json");

        assertEquals(0, gc.code(), gc.err());
        assertTrue(Files.isDirectory(root.resolve("wan22").resolve(PINNED)), how + ": " + gc.out());
        assertFalse(Files.exists(root.resolve("wan22").resolve(OTHER)), "the unpinned model goes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"truncated", "", "null", "{}", "directory", "symlink", "traversal"})
    void statusNamesTheStateProblemAndEnsureRepairsItKeepingThePin(String how) throws Exception {
        damage(how);

        Run status = wan("status", PINNED, "--json");
        Run text = wan("status", PINNED);
        Run verify = wan("verify", PINNED, "--json");
        Run ensure = wan("ensure", PINNED, "--quiet");
        Run after = wan("status", PINNED, "--json");

        assertEquals(0, status.code(), status.err());
        JsonNode model = status.json().get("models").get(0);
        assertTrue(model.get("pinned").asBoolean(), how + ": still pinned");
        assertTrue(model.hasNonNull("stateProblem"), how + ": " + status.out());
        assertTrue(text.out().contains("state problem"), how + ": " + text.out());
        assertTrue(verify.code() == 0, how + ": verify " + verify.code() + " " + verify.err());
        assertEquals(0, ensure.code(), ensure.err());
        JsonNode repaired = after.json().get("models").get(0);
        assertEquals("COMPLETE", repaired.get("state").asText());
        assertTrue(repaired.get("pinned").asBoolean());
        assertTrue(repaired.get("stateProblem") == null || repaired.get("stateProblem").isNull(), after.out());
        assertTrue(Files.readString(stateFile()).contains("\"pinned\" : true"));
    }

    @Test
    void unpinRemovesThePinEvenWhenTheStateIsDamaged() throws Exception {
        damage("truncated");

        Run unpin = wan("models", "unpin", PINNED);
        Run ensure = wan("ensure", PINNED, "--quiet");
        Run gc = wan("models", "gc", "--max-size", "0");

        assertEquals(0, unpin.code(), unpin.err());
        assertEquals(0, ensure.code(), ensure.err());
        assertEquals(0, gc.code(), gc.err());
        assertFalse(Files.exists(root.resolve("wan22").resolve(PINNED)), gc.out());
    }
}
