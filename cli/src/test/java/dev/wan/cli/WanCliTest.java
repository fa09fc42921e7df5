package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.ensure.Fixtures;
import dev.wan.internal.lock.ModelLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI in-process: exit codes, stdout/stderr and --json, with explicit --root and --manifest. */
class WanCliTest {
    private static final String ALPHA = "alpha@1.0.0";
    private static final String BETA = "beta@1.0.0";

    @TempDir
    Path root;

    @TempDir
    Path work;

    private Path manifest;
    private Fixtures.TestModel alpha;
    private Fixtures.TestModel beta;

    private static Run wan(String... args) {
        return InProcessWan.bare(args);
    }

    /** {@code wan <args> --root R --manifest M}. */
    private Run wanHere(String... args) {
        return InProcessWan.run(root, manifest, args);
    }

    @BeforeEach
    void writeManifestAndSources() {
        // file:// sources: independent of WAN_LOCAL_ROOT in the environment
        alpha = new Fixtures.TestModel(ALPHA).variants("fp16", "bf16")
                .file("model_index.json", "{\"a\": 1}\n".getBytes())
                .variantFile("fp16", "t/fp16.safetensors", Fixtures.bytes(20_000, 1))
                .variantFile("bf16", "t/bf16.safetensors", Fixtures.bytes(20_000, 2))
                .sources(work.resolve("src/alpha").toUri().toString());
        beta = new Fixtures.TestModel(BETA)
                .file("config.json", "{\"b\": 2}\n".getBytes())
                .file("w.safetensors", Fixtures.bytes(30_000, 3))
                .sources(work.resolve("src/beta").toUri().toString());
        alpha.writeTo(work.resolve("src/alpha"));
        beta.writeTo(work.resolve("src/beta"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, alpha, beta);
    }

    private static void assertNoStackTrace(Run r) {
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(r.out().contains("\tat "), r.out());
    }

    @Test
    void tuiIsItsOwnProgramAndTheCliSaysWhereToFindIt() {
        Run r = wan("tui", "--help");
        assertEquals(WanCli.EXIT_USAGE, r.code(), r.toString());
        assertTrue(r.err().contains("jbang wan-tui@org") && r.err().contains("./wan tui"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void statusJsonIsOneDocumentWithEachModelsStateBytesNeededAndMissingFiles() throws Exception {
        Run r = wanHere("status", "--json");

        assertEquals(0, r.code(), r.err());
        JsonNode doc = r.json();
        assertTrue(doc.get("ok").asBoolean());
        assertEquals("status", doc.get("command").asText());
        JsonNode models = doc.get("models");
        assertEquals(2, models.size());
        JsonNode a = models.get(0);
        assertEquals(ALPHA, a.get("model").asText());
        assertEquals("NOT_PRESENT", a.get("state").asText());
        assertEquals(alpha.content("model_index.json").length + 20_000, a.get("bytesNeeded").asLong());
        List<String> missing = new ArrayList<>();
        a.get("missingFiles").forEach(n -> missing.add(n.asText()));
        assertEquals(List.of("model_index.json", "t/fp16.safetensors"), missing);
    }

    @Test
    void statusJsonAfterEnsureShowsCompleteWithNothingNeeded() throws Exception {
        assertEquals(0, wanHere("ensure", BETA, "--quiet").code());

        Run r = wanHere("status", "--json", "--only", BETA);

        JsonNode m = r.json().get("models").get(0);
        assertEquals("COMPLETE", m.get("state").asText());
        assertEquals(0, m.get("bytesNeeded").asLong());
        assertEquals(0, m.get("missingFiles").size());
    }

    @Test
    void ensureAllExitsZeroAndPrintsEveryModelsPath() {
        Run r = wanHere("ensure", "--all");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(root.resolve("wan22").resolve(ALPHA).toString()), r.out());
        assertTrue(r.out().contains(root.resolve("wan22").resolve(BETA).toString()), r.out());
        assertTrue(Files.isRegularFile(root.resolve("wan22").resolve(BETA).resolve("w.safetensors")));
    }

    @Test
    void connectionsTakesAutoOrANumberAsWanConnectionsDoes() {
        assertEquals(0, wanHere("ensure", BETA, "--quiet", "--connections", "auto").code());
        assertEquals(0, wanHere("ensure", ALPHA, "--quiet", "--connections", "3").code());
        for (String bad : List.of("0", "many", "-2", "1.5")) {
            Run r = wanHere("ensure", BETA, "--connections", bad);
            assertEquals(WanCli.EXIT_USAGE, r.code(), r.toString());
            assertTrue(r.err().contains("--connections must be 'auto' or a number from 1 (got '" + bad + "')"), r.err());
        }
    }

    @Test
    void ensureOnlyQuietPrintsJustThePath() {
        Run r = wanHere("ensure", "--only", BETA, "--quiet");

        assertEquals(0, r.code(), r.err());
        assertEquals(root.resolve("wan22").resolve(BETA) + "\n", r.out().replace("\r\n", "\n"));
    }

    @Test
    void theModelsGroupRunsTheSameVerbs() {
        Run r = wanHere("models", "ensure", "--only", ALPHA, "--variant", "bf16", "--quiet");

        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(root.resolve("wan22").resolve(ALPHA).resolve("t/bf16.safetensors")));
        assertFalse(Files.exists(root.resolve("wan22").resolve(ALPHA).resolve("t/fp16.safetensors")));
    }

    @Test
    void ensureJsonReportsEachModelsPath() throws Exception {
        Run r = wanHere("ensure", "--all", "--json");

        assertEquals(0, r.code(), r.err());
        JsonNode doc = r.json();
        assertTrue(doc.get("ok").asBoolean());
        assertEquals("ensure", doc.get("command").asText());
        assertEquals(root.resolve("wan22").resolve(ALPHA).toString(), doc.get("models").get(0).get("path").asText());
    }

    @Test
    void aMissingManifestExitsThreeWithOneLineNamingTheCodeAndPath() {
        Path missing = work.resolve("nope/models.toml");

        Run r = wan("status", "--root", root.toString(), "--manifest", missing.toString());

        assertEquals(3, r.code());
        assertEquals(1, r.errLines().size(), r.err());
        assertTrue(r.err().contains("MISSING_MANIFEST"), r.err());
        assertTrue(r.err().contains(missing.toString()), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void anErrorWithJsonIsAJsonDocumentCarryingTheCodeAndExitCode() throws Exception {
        Run r = wan("status", "--json", "--root", root.toString(), "--manifest", work.resolve("nope.toml").toString());

        assertEquals(3, r.code());
        JsonNode doc = r.json();
        assertFalse(doc.get("ok").asBoolean());
        assertEquals("MISSING_MANIFEST", doc.get("error").get("code").asText());
        assertEquals(3, doc.get("error").get("exitCode").asInt());
    }

    @Test
    void aFailedEnsureWithJsonCarriesTheSourceErrorCode() throws Exception {
        Files.delete(work.resolve("src/beta/w.safetensors"));

        Run r = wanHere("ensure", "--only", BETA, "--json");

        assertEquals(6, r.code(), r.err());
        JsonNode doc = r.json();
        assertFalse(doc.get("ok").asBoolean());
        assertEquals("SOURCE_UNAVAILABLE", doc.get("error").get("code").asText());
        assertEquals(6, doc.get("error").get("exitCode").asInt());
        assertFalse(doc.get("models").get(0).get("ok").asBoolean());
        assertNoStackTrace(r);
    }

    @Test
    void anUnknownModelExitsFourListingTheAvailableIds() {
        Run r = wanHere("ensure", "--only", "ghost@1.0.0");

        assertEquals(4, r.code());
        assertTrue(r.err().contains("MODEL_NOT_FOUND"), r.err());
        assertTrue(r.err().contains(ALPHA) && r.err().contains(BETA), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void anUnknownVariantExitsFourListingTheVariants() {
        Run r = wanHere("ensure", "--only", ALPHA, "--variant", "int8");

        assertEquals(4, r.code());
        assertTrue(r.err().contains("VARIANT_NOT_FOUND"), r.err());
        assertTrue(r.err().contains("fp16, bf16"), r.err());
        assertFalse(Files.exists(root.resolve("wan22").resolve(ALPHA)));
    }

    @Test
    void aModelsRootThatCannotBeCreatedExitsFiveWithoutAStackTrace() throws Exception {
        Path file = Files.writeString(work.resolve("file"), "a regular file");

        Run r = wan("ensure", "--all", "--root", file.resolve("root").toString(), "--manifest", manifest.toString());

        assertEquals(5, r.code(), r.err());
        assertTrue(r.err().startsWith("wan: "), r.err());
        assertTrue(r.err().contains(file.resolve("root").toString()), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void statusVerifyAndABatchEnsureOnARootUnderAFileExitFiveOnce() throws Exception {
        Path file = Files.writeString(work.resolve("file"), "a regular file");
        String badRoot = file.resolve("root").toString();

        Run status = wan("status", "--root", badRoot, "--manifest", manifest.toString());
        Run verify = wan("verify", "--all", "--root", badRoot, "--manifest", manifest.toString());
        Run ensure = wan("ensure", "--all", "--root", badRoot, "--manifest", manifest.toString());

        assertEquals(5, status.code(), status.err());
        assertTrue(status.err().contains(file + " is a file, not a directory"), status.err());
        assertEquals(5, verify.code(), verify.err());
        assertEquals(5, ensure.code(), ensure.err());
        assertEquals(1, ensure.errLines().size(), "one error for the batch, not one per model: " + ensure.err());
    }

    @Test
    void aUsageErrorWithJsonIsAJsonDocumentWithCodeUsage() throws Exception {
        Run r = wanHere("ensure", "--bogus", "--json");

        assertEquals(2, r.code(), r.err());
        assertEquals("USAGE", r.json().get("error").get("code").asText());
        assertEquals(2, r.json().get("error").get("exitCode").asInt());
        assertFalse(r.json().get("ok").asBoolean());
    }

    @Test
    void testSourcesReportsEachSourceWithTimingsAndExitsSixWhenOneFails() throws Exception {
        Run good = wanHere("test-sources", ALPHA, "--json");
        Fixtures.writeManifest(manifest, alpha.sources(work.resolve("nowhere").toUri().toString()), beta);
        Run bad = wanHere("test-sources", ALPHA, "--json");
        Run auth = wanHere("test-auth", ALPHA);

        assertEquals(0, good.code(), good.err());
        JsonNode src = good.json().get("sources").get(0);
        assertTrue(src.get("ok").asBoolean());
        assertEquals(2, src.get("manifestFilesFound").asInt(), "the default variant has 2 files: " + src);
        assertTrue(src.get("readBytes").asLong() > 0, "a ranged read of the largest file: " + src);
        assertEquals(6, bad.code(), bad.err());
        JsonNode sources = bad.json().get("sources");
        assertEquals(2, sources.size(), "both sources of the model are checked");
        assertTrue(sources.get(0).get("ok").asBoolean());
        assertEquals("SOURCE_UNAVAILABLE", sources.get(1).get("code").asText());
        assertEquals(6, auth.code(), auth.out());
        assertTrue(auth.out().contains("FAIL") && auth.out().contains("nowhere"), auth.out());
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Run r = wanHere("status", "--frobnicate");

        assertEquals(2, r.code());
        assertTrue(r.err().contains("--frobnicate"), r.err());
        assertNoStackTrace(r);
    }

    @Test
    void ensureWithNoModelNamedIsAUsageErrorListingTheModels() {
        Run r = wanHere("ensure");

        assertEquals(2, r.code());
        assertTrue(r.err().contains("--all"), r.err());
        assertTrue(r.err().contains(ALPHA), r.err());
        assertFalse(Files.exists(root.resolve("wan22")));
    }

    @Test
    void validateManifestPrintsEveryErrorWithFileAndLineAndExitsThree() throws Exception {
        Path bad = work.resolve("bad.toml");
        Files.writeString(bad, String.join("\n",
                "schema_version = 1",                 // 1
                "",                                   // 2
                "[models.\"bad id\"]",                // 3: invalid model id
                "description = \"x\"",                // 4
                "",                                   // 5
                "[models.\"ok@1.0.0\"]",              // 6
                "version = \"1.0.0\"",                // 7
                "",                                   // 8
                "[[models.\"ok@1.0.0\".files]]",      // 9
                "path = \"../escape.bin\"",           // 10: traversal
                "size = 10",                          // 11
                "",                                   // 12
                "[[models.\"ok@1.0.0\".files]]",      // 13
                "path = \"b.bin\"",                   // 14
                "size = -1",                          // 15: negative size
                "",                                   // 16
                "[models.\"ok@1.0.0\".sources]",      // 17
                "priority = [\"local://ok\"]",        // 18
                ""));

        Run r = wan("validate-manifest", bad.toString());

        assertEquals(3, r.code(), r.out() + r.err());
        for (int line : new int[] {3, 10, 15}) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(bad + ":" + line + ":") && l.contains("error")),
                    "no error at line " + line + " in:\n" + r.out());
        }
        assertTrue(r.out().contains("INVALID_MODEL_ID") && r.out().contains("PATH_TRAVERSAL_DETECTED"), r.out());
        r.out().lines().filter(l -> l.contains(": error: "))
                .forEach(l -> assertTrue(l.matches("^" + java.util.regex.Pattern.quote(bad.toString()) + ":\\d+:\\d+: .*"), l));
        assertNoStackTrace(r);
    }

    @Test
    void validateManifestOfAGoodManifestExitsZero() {
        Run r = wan("validate-manifest", manifest.toString());

        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("valid, 2 model(s)"), r.out());
    }

    @Test
    void verifyAfterCorruptionExitsSevenNamingTheFile() throws Exception {
        assertEquals(0, wanHere("ensure", "--all", "--quiet").code());
        Fixtures.flipByte(root.resolve("wan22").resolve(BETA).resolve("w.safetensors"));

        Run r = wanHere("verify");

        assertEquals(7, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("CORRUPT") && r.out().contains("w.safetensors"), r.out());
        assertTrue(r.out().contains(ALPHA + ": verified"), r.out());
    }

    @Test
    void verifyOfAnIntactStoreExitsZero() {
        assertEquals(0, wanHere("ensure", "--all", "--quiet").code());

        Run r = wanHere("verify", "--all");

        assertEquals(0, r.code(), r.out() + r.err());
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void ensureOfAModelLockedElsewhereExitsEightAfterTheLockTimeout() {
        Path lockFile = root.resolve(".locks").resolve(BETA + ".lock");
        try (ModelLock held = ModelLock.acquire(lockFile, "model " + BETA, "test", Duration.ofSeconds(5),
                Clock.systemUTC(), h -> { })) {
            Run r = wanHere("ensure", BETA, "--lock-timeout", "1s");

            assertEquals(8, r.code(), r.err());
            assertTrue(r.err().contains("LOCK_TIMEOUT") && r.err().contains("pid="), r.err());
        }
    }

    @Test
    void topLevelHelpListsTheVerbs() {
        Run r = wan("--help");

        assertEquals(0, r.code());
        for (String verb : List.of("models", "ensure", "status", "verify", "list", "validate-manifest")) {
            assertTrue(r.out().contains(verb), verb + " missing from:\n" + r.out());
        }
    }

    @Test
    void modelsGroupHelpListsTheVerbs() {
        Run r = wan("models", "--help");

        assertEquals(0, r.code());
        assertTrue(r.out().contains("Usage: wan models"), r.out());
        for (String verb : List.of("ensure", "status", "verify", "list", "validate-manifest")) {
            assertTrue(r.out().contains(verb), verb + " missing from:\n" + r.out());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ensure", "status", "verify", "list", "validate-manifest"})
    void everyVerbHasHelpAtTheTopLevelAndUnderModels(String verb) {
        Run top = wan(verb, "--help");
        Run grouped = wan("models", verb, "--help");

        assertEquals(0, top.code());
        assertTrue(top.out().contains("Usage: wan " + verb), top.out());
        assertEquals(0, grouped.code());
        assertTrue(grouped.out().contains("Usage: wan models " + verb), grouped.out());
    }

    @Test
    void listShowsEveryModelWithItsState() {
        Run r = wanHere("list");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(ALPHA) && r.out().contains(BETA), r.out());
        assertTrue(r.out().contains("NOT_PRESENT"), r.out());
    }
}
