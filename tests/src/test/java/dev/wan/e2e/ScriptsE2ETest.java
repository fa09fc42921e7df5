package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.internal.TestHooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts of the catalog (scripts/, catalog.json) as an operator runs them: {@code jbang
 * inventory@org …}, {@code jbang nightly@org …}, through the checkout's launcher linked as
 * {@code jbang} and the catalog registered in a fresh HOME ({@link Cli#jbang}). One HOME for the
 * class, so JBang compiles each script once; {@link #compileEveryScriptOnce} does that first, so
 * the tests below see what a warm run prints (nothing, for a nightly that finds no problem).
 */
class ScriptsE2ETest {
    private static final Path DEMO = Cli.REPO.resolve("examples/demo/models.toml");
    private static final String T2V = "demo-t2v@1.0.0";
    private static final String I2V = "demo-i2v@1.0.0";
    private static final String TOKENIZER = "demo-tokenizer@1.0.0";
    private static Path home;

    @TempDir
    Path tmp;

    @BeforeAll
    static void compileEveryScriptOnce() throws Exception {
        home = Cli.jbangHome("org");
        for (String alias : List.of("inventory", "nightly")) {
            Cli.Result r = Cli.jbang(home).run(alias + "@org", "--help");
            assertEquals(0, r.exitCode(), r.toString());
        }
    }

    /** {@code jbang ALIAS@org ARGS…} over the store {@code root} with the demo manifest. */
    private static Cli.Result jbang(Path root, String alias, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(alias + "@org"));
        all.addAll(List.of(args));
        return Cli.jbang(home).env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", DEMO.toString())
                .run(all.toArray(String[]::new));
    }

    /** The CLI itself (a plain JVM, no JBang) sets stores up. */
    private static void wan(Path root, String... args) throws Exception {
        Cli.Result r = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", DEMO.toString()).run(args);
        assertEquals(0, r.exitCode(), "wan " + String.join(" ", args) + ": " + r);
    }

    @Test
    void inventoryPrintsEveryStoredModelAsATableThatFitsEightyColumns() throws Exception {
        Path root = tmp.resolve("store");
        wan(root, "ensure", T2V, "-q");
        wan(root, "pin", T2V);
        Files.createDirectories(root.resolve("wan22/retired-model@0.9.0"));
        Files.write(root.resolve("wan22/retired-model@0.9.0/weights.bin"), new byte[4096]);

        Cli.Result r = jbang(root, "inventory");

        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.stdout().lines().toList();
        assertEquals(3, lines.size(), r.toString());
        assertTrue(lines.get(0).matches("MODEL +STATE +SIZE +LAST USE +PIN +SOURCE"), r.toString());
        assertTrue(lines.get(1).matches(T2V + " +COMPLETE +2\\.8 MiB +\\d{4}-\\d\\d-\\d\\d +pin +local://demo-t2v.*"),
                r.toString());
        assertTrue(lines.get(2).matches("retired-model@0\\.9\\.0 +NOT_IN_MANIFEST +4\\.0 KiB .*"), r.toString());
        lines.forEach(l -> assertTrue(l.length() <= 80, "wider than 80 columns: " + l));
        assertFalse(r.stdout().contains(I2V), "a model that is not in the store is left out without --all");
    }

    @Test
    void inventoryCsvHasAHeaderAndOneFullRowPerModelWithAll() throws Exception {
        Path root = tmp.resolve("store");
        wan(root, "ensure", I2V, "-q");

        Cli.Result r = jbang(root, "inventory", "--csv", "--all");

        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.stdout().lines().toList();
        assertEquals("root,model,state,bytes,last_used,pinned,source,revision", lines.get(0));
        assertEquals(4, lines.size(), r.toString());
        String[] i2v = lines.stream().filter(l -> l.contains("," + I2V + ",")).findFirst().orElseThrow().split(",", -1);
        assertEquals(List.of(root.toString(), I2V, "COMPLETE", String.valueOf(treeBytes(root.resolve("wan22").resolve(I2V)))),
                List.of(i2v[0], i2v[1], i2v[2], i2v[3]));
        assertTrue(Instant.parse(i2v[4]).isAfter(Instant.now().minusSeconds(600)), "last use is ISO-8601: " + i2v[4]);
        assertEquals("false", i2v[5]);
        assertTrue(r.stdout().contains("," + T2V + ",NOT_PRESENT,0,,false,,"), r.toString());
    }

    @Test
    void inventoryJsonCoversTwoStores() throws Exception {
        Path a = tmp.resolve("gpu-a");
        Path b = tmp.resolve("gpu-b");
        wan(a, "ensure", T2V, "-q");
        wan(a, "pin", T2V);
        wan(b, "ensure", I2V, TOKENIZER, "-q");

        Cli.Result r = jbang(a, "inventory", "--json", "--root", a.toString(), "--root", b.toString());

        assertEquals(0, r.exitCode(), r.toString());
        JsonNode doc = new ObjectMapper().readTree(r.stdout());
        assertEquals(3, doc.size(), r.toString());
        Map<String, JsonNode> byModel = new java.util.HashMap<>();
        doc.forEach(m -> byModel.put(m.get("root").asText() + " " + m.get("model").asText(), m));
        JsonNode t2v = byModel.get(a + " " + T2V);
        assertEquals("COMPLETE", t2v.get("state").asText());
        assertTrue(t2v.get("pinned").asBoolean());
        assertEquals(treeBytes(a.resolve("wan22").resolve(T2V)), t2v.get("bytes").asLong());
        assertEquals("local://" + T2V, t2v.get("source").asText());
        assertFalse(byModel.get(b + " " + I2V).get("pinned").asBoolean());
        assertTrue(byModel.containsKey(b + " " + TOKENIZER), r.stdout());
    }

    @Test
    void nightlyIsSilentAndExitsZeroWhenEveryModelVerifies() throws Exception {
        Path root = tmp.resolve("store");
        wan(root, "ensure", "--all", "-q");

        Cli.Result r = jbang(root, "nightly");

        assertEquals(new Cli.Result(0, "", ""), r, "a cron job mails any output");
    }

    @Test
    void nightlyReportsACorruptModelOnStderrAndExitsSeven() throws Exception {
        Path root = tmp.resolve("store");
        wan(root, "ensure", T2V, I2V, "-q");
        Path file = root.resolve("wan22").resolve(T2V).resolve("model_index.json");
        file.toFile().setWritable(true);
        byte[] bytes = Files.readAllBytes(file);
        bytes[3] ^= 1;
        Files.write(file, bytes);

        Cli.Result r = jbang(root, "nightly");

        assertEquals(7, r.exitCode(), r.toString());
        assertEquals("", r.stdout());
        assertTrue(r.stderr().contains("nightly: 1 problem(s) in " + root), r.toString());
        assertTrue(r.stderr().contains(T2V + " fp16: model_index.json CORRUPT; 'wan ensure " + T2V), r.toString());
        assertFalse(r.stderr().contains(I2V), "the healthy model is not a problem: " + r);
    }

    @Test
    void nightlySkipsAModelAnotherProcessIsEnsuringInsteadOfWaitingForIt() throws Exception {
        Path root = tmp.resolve("store");
        wan(root, "ensure", T2V, "-q");
        Path paused = tmp.resolve("ensure.paused");
        Process ensuring = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", DEMO.toString())
                .pauseAt(TestHooks.Point.STAGED_WRITE, 1, paused)
                .start(tmp.resolve("ensure.out"), tmp.resolve("ensure.err"), "ensure", T2V, "--variant", "bf16");
        Cli.Result r;
        try {
            Cli.awaitPause(ensuring, paused); // it holds the model's lock, copying the bf16 file

            r = jbang(root, "nightly", "--lock-timeout", "2s", "--json");
        } finally {
            ensuring.destroyForcibly().waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }

        assertEquals(0, r.exitCode(), "a download in progress is no problem for cron: " + r);
        assertEquals("", r.stderr());
        JsonNode doc = new ObjectMapper().readTree(r.stdout());
        assertEquals(1, doc.get("skipped").size(), r.stdout());
        assertTrue(doc.get("skipped").get(0).asText().startsWith(T2V + " (busy: "), r.stdout());
        assertEquals(0, doc.get("verified").size(), r.stdout());
    }

    @Test
    void nightlyGcDeletesAnOldUnpinnedModelAndKeepsTheRest() throws Exception {
        Path root = tmp.resolve("store");
        wan(root, "ensure", "--all", "-q");
        wan(root, "pin", TOKENIZER);
        lastUsedLongAgo(root, I2V);
        lastUsedLongAgo(root, TOKENIZER);

        Cli.Result dry = jbang(root, "nightly", "--max-age", "30d", "--dry-run");
        Cli.Result r = jbang(root, "nightly", "--max-age", "30d", "--json");

        assertEquals(0, dry.exitCode(), dry.toString());
        assertEquals(1, dry.stdout().lines().count(), dry.toString());
        assertTrue(dry.stdout().startsWith("would delete " + I2V + " (TOO_OLD, "), dry.toString());
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode doc = new ObjectMapper().readTree(r.stdout());
        assertTrue(doc.get("ok").asBoolean(), r.stdout());
        assertEquals(1, doc.get("gc").get("deleted").size(), r.stdout());
        assertEquals(I2V, doc.get("gc").get("deleted").get(0).get("model").asText());
        assertFalse(Files.exists(root.resolve("wan22").resolve(I2V)));
        assertTrue(Files.isDirectory(root.resolve("wan22").resolve(TOKENIZER)), "pinned, however old");
        assertTrue(Files.isDirectory(root.resolve("wan22").resolve(T2V)), "used recently");
    }

    @Test
    void aBadSettingIsExitThreeAndABadOptionExitTwoWithOneLineOnStderr() throws Exception {
        Cli.Result config = Cli.jbang(home).env("MODELS_ROOT", "relative/models").run("inventory@org");
        Cli.Result usage = jbang(tmp.resolve("store"), "nightly", "--max-age", "soon");

        assertEquals(3, config.exitCode(), config.toString());
        assertTrue(config.stderr().startsWith("inventory: INVALID_CONFIG: MODELS_ROOT='relative/models' is relative"),
                config.toString());
        assertEquals(2, usage.exitCode(), usage.toString());
        assertTrue(usage.stderr().contains("'soon' is not a duration"), usage.toString());
        assertFalse(Files.exists(tmp.resolve("store")), "nothing was created for a usage error");
    }

    @Test
    void theTenLineExampleOfTheScriptsReadmeRunsAsShown() throws Exception {
        Path example = Cli.REPO.resolve("scripts/examples/unused.java");
        String readme = Files.readString(Cli.REPO.resolve("scripts/README.md"));
        Path root = tmp.resolve("store");
        wan(root, "ensure", "--all", "-q");
        lastUsedLongAgo(root, I2V);

        Cli.Result r = Cli.jbang(home).env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", DEMO.toString())
                .run(example.toString(), "90");

        assertTrue(readme.contains("```java\n" + Files.readString(example) + "```"),
                "scripts/README.md shows scripts/examples/unused.java as it is");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(I2V + " 2020-01-01T00:00:00Z\n", r.stdout(), r.toString());
    }

    /** {@code jbang ALIAS@org --help} for every alias of catalog.json whose script is in this checkout. */
    @TestFactory
    Stream<DynamicTest> everyCatalogAliasExplainsItselfWithHelp() throws IOException {
        JsonNode aliases = new ObjectMapper().readTree(Cli.REPO.resolve("catalog.json").toFile()).get("aliases");
        List<DynamicTest> tests = new ArrayList<>();
        aliases.properties().forEach(e -> tests.add(DynamicTest.dynamicTest(e.getKey() + "@org --help", () -> {
            String ref = e.getValue().get("script-ref").asText();
            Assumptions.assumeTrue(Files.isRegularFile(Cli.REPO.resolve(ref)),
                    "catalog alias " + e.getKey() + ": " + ref + " is not in this checkout yet");
            assertFalse(e.getValue().path("description").asText().isBlank(), e.getKey() + " has no description");

            Cli.Result r = Cli.jbang(home).run(e.getKey() + "@org", "--help");

            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stdout().contains("Usage:"), r.toString());
            if (ref.startsWith("scripts/")) {
                assertTrue(r.stdout().contains("Exit codes:"), "scripts document their exit codes: " + r);
            }
        })));
        return tests.stream();
    }

    /** Makes a model's last use (state file and use marker) a date in 2020. */
    private static void lastUsedLongAgo(Path root, String id) throws IOException {
        Instant old = Instant.parse("2020-01-01T00:00:00Z");
        Path state = root.resolve(".state").resolve(id + ".json");
        Files.writeString(state, Files.readString(state)
                .replaceAll("\"(lastUsed|completedAt)\"\\s*:\\s*\"[^\"]*\"", "\"$1\":\"" + old + "\""));
        Path used = root.resolve(".state").resolve(id + ".used");
        if (Files.exists(used)) {
            Files.setLastModifiedTime(used, FileTime.from(old));
        }
    }

    private static long treeBytes(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void migrateThroughTheAliasPlacesALegacyCopyOfTheDemoWithoutCopyingAByte() throws Exception {
        Path root = tmp.resolve("store");
        Path legacy = tmp.resolve("old-models");
        dev.wan.ensure.Fixtures.copyTree(Cli.REPO.resolve("examples/demo/store"), legacy.resolve("wan"));
        byte[] before = Files.readAllBytes(legacy.resolve("wan").resolve(I2V).resolve("model_index.json"));

        Cli.Result r = jbang(root, "migrate", "execute", legacy.toString(), "--json");

        assertEquals(0, r.exitCode(), r.toString());
        JsonNode doc = new ObjectMapper().readTree(r.stdout());
        assertEquals(0, doc.get("bytesCopied").asLong(), r.stdout());
        assertTrue(doc.get("bytesLinked").asLong() > 0, r.stdout());
        Cli.Result status = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", DEMO.toString())
                .run("status", "--json");
        new ObjectMapper().readTree(status.stdout()).get("models")
                .forEach(m -> assertEquals("COMPLETE", m.get("state").asText(), m.toString()));
        assertArrayEquals(before, Files.readAllBytes(legacy.resolve("wan").resolve(I2V).resolve("model_index.json")));
    }

    @Test
    void importHfCacheAdoptsAModelFromAHubShapedCacheWithZeroBytesDownloaded() throws Exception {
        Path root = tmp.resolve("store");
        Path hub = tmp.resolve("hf-home/hub");
        Path repo = hub.resolve("models--Wan-AI--demo-tokenizer");
        Path snapshot = Files.createDirectories(repo.resolve("snapshots/0123456789abcdef0123456789abcdef01234567"));
        Files.createDirectories(repo.resolve("blobs"));
        Path tokenizer = Cli.REPO.resolve("examples/demo/store").resolve(TOKENIZER);
        for (String file : List.of("tokenizer.json", "special_tokens_map.json", "spiece.model")) {
            Path blob = repo.resolve("blobs").resolve("blob-" + file.hashCode());
            Files.copy(tokenizer.resolve(file), blob);
            Files.createSymbolicLink(snapshot.resolve(file), Path.of("../../blobs").resolve(blob.getFileName()));
        }
        Path manifest = tmp.resolve("hub.toml");
        Files.writeString(manifest, Files.readString(Cli.REPO.resolve("examples/demo/custom.toml"))
                .replace("custom-tokenizer@1.0.0", "hub-tokenizer@1.0.0")
                .replace("custom://demo-tokenizer@1.0.0", "hf://Wan-AI/demo-tokenizer"));

        Cli.Result r = Cli.jbang(home).env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", manifest.toString())
                .env("HF_HOME", tmp.resolve("hf-home").toString()).env("HF_HUB_OFFLINE", "1").run("import-hf-cache@org");

        assertEquals(0, r.exitCode(), r.toString());
        Path model = root.resolve("wan22/hub-tokenizer@1.0.0");
        assertArrayEquals(Files.readAllBytes(tokenizer.resolve("spiece.model")), Files.readAllBytes(model.resolve("spiece.model")));
        assertEquals(Files.readAttributes(repo.resolve("blobs").resolve("blob-" + "spiece.model".hashCode()),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey(),
                Files.readAttributes(model.resolve("spiece.model"), java.nio.file.attribute.BasicFileAttributes.class)
                        .fileKey(), "hardlinked from the cache's blob: zero bytes downloaded or copied");
    }
}
