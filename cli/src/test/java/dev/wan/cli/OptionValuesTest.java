package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 10, findings 10 and 5: option values that make no sense are usage errors; exit codes of a batch. */
class OptionValuesTest {
    private static final String A = "a@1.0.0";

    @TempDir
    Path root;

    @TempDir
    Path work;

    private Path manifest;

    @BeforeEach
    void twoLocalModels() {
        Fixtures.TestModel a = new Fixtures.TestModel(A).variants("fp16").file("w.bin", Fixtures.bytes(3000, 1))
                .sources(work.resolve("src/a").toUri().toString());
        Fixtures.TestModel b = new Fixtures.TestModel("b@1.0.0").file("w.bin", Fixtures.bytes(3000, 2))
                .sources(work.resolve("src/b").toUri().toString());
        a.writeTo(work.resolve("src/a"));
        b.writeTo(work.resolve("src/b"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, a, b);
    }

    private boolean anythingFetched() {
        return Files.exists(root.resolve("wan22"));
    }

    private static void assertUsageError(Run r, String says) {
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(says), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1"})
    void concurrencyBelowOneIsAUsageError(String n) {
        Run r = InProcessWan.run(root, manifest, "ensure", "--all", "--concurrency", n);

        assertUsageError(r, "--concurrency must be at least 1 (got " + n + ")");
        assertFalse(anythingFetched());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--tmp-grace", "--max-age"})
    void aNegativeGcDurationIsAUsageError(String option) {
        Run r = InProcessWan.run(root, manifest, "gc", option, "-1h");

        assertUsageError(r, "'-1h' is negative");
    }

    @Test
    void aNegativeLockTimeoutIsAUsageError() {
        Run r = InProcessWan.run(root, manifest, "ensure", A, "--lock-timeout", "-5m");

        assertUsageError(r, "'-5m' is negative");
    }

    @Test
    void allWithModelIdsIsAUsageErrorNotEverything() {
        Run r = InProcessWan.run(root, manifest, "ensure", "--all", A);
        Run only = InProcessWan.run(root, manifest, "status", "--all", "--only", A);

        assertUsageError(r, "--all and model ids exclude each other (got --all and " + A + ")");
        assertUsageError(only, "--all and model ids exclude each other");
        assertFalse(anythingFetched());
    }

    @Test
    void anEmptyVariantIsAUsageError() throws Exception {
        Run r = InProcessWan.run(root, manifest, "ensure", A, "--variant", "");
        Run json = InProcessWan.run(root, manifest, "ensure", A, "--variant", " ", "--json");

        assertUsageError(r, "--variant is empty");
        assertEquals("USAGE", json.json().get("error").get("code").asText());
        assertFalse(anythingFetched());
    }

    @Test
    void ensureAllOfAnEmptyManifestSaysSo() throws Exception {
        Path empty = Files.writeString(work.resolve("empty.toml"), "schema_version = 1\n");

        Run human = InProcessWan.run(root, empty, "ensure", "--all");
        Run quiet = InProcessWan.run(root, empty, "ensure", "--all", "--quiet");
        Run json = InProcessWan.run(root, empty, "ensure", "--all", "--json");

        assertEquals(0, human.code(), human.err());
        assertEquals("no models in " + empty + ": nothing to ensure", human.out().strip());
        assertEquals(0, quiet.code(), quiet.err());
        assertEquals("", quiet.out());
        assertTrue(quiet.err().contains("no models in " + empty), quiet.err());
        assertEquals(0, json.code(), json.err());
        JsonNode doc = json.json();
        assertTrue(doc.get("ok").asBoolean());
        assertEquals(0, doc.get("models").size());
        assertTrue(doc.get("message").asText().startsWith("no models in "), json.out());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"status", "list", "test-sources", "test-auth"})
    void everyCommandOverAnEmptyManifestSaysSoInsteadOfAnEmptyTable(String command) throws Exception {
        Path empty = Files.writeString(work.resolve("empty.toml"), "schema_version = 1\n");

        Run human = InProcessWan.run(root, empty, command);
        Run json = InProcessWan.run(root, empty, command, "--json");

        assertEquals(0, human.code(), human.err());
        assertTrue(human.out().contains("no models in " + empty), human.out());
        assertFalse(human.out().contains("MODEL "), "no empty table: " + human.out());
        assertEquals(0, json.code(), json.err());
        assertTrue(json.json().get("ok").asBoolean(), json.out());
    }

    @Test
    void aBugDecidesTheExitCodeOfABatchWhateverItsPlace() {
        WanException source = new WanException(ErrorCode.SOURCE_UNAVAILABLE, "down", "");
        WanException bug = WanException.internal("model b@1.0.0", new IllegalStateException("bug"));
        WanException interrupted = new WanException(ErrorCode.INTERRUPTED, "interrupted", "");
        List<ModelEnsurer.BatchResult> results = List.of(new ModelEnsurer.BatchResult("a", null, source),
                new ModelEnsurer.BatchResult("i", null, interrupted), new ModelEnsurer.BatchResult("b", null, bug),
                new ModelEnsurer.BatchResult("c", root, null));

        assertEquals(70, EnsureCommand.decisive(results).code().exitCode());
        assertEquals(130, EnsureCommand.decisive(results.subList(0, 2)).code().exitCode());
        assertEquals(6, EnsureCommand.decisive(results.subList(0, 1)).code().exitCode());
        assertNull(EnsureCommand.decisive(results.subList(3, 4)));
    }
}
