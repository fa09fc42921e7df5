package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator reads: pins, sizes, states, times, ids and error lines agree across commands. */
class OperatorOutputTest {
    private static final String ALPHA = "alpha@1.0.0";
    private static final String BETA = "beta@1.0.0";
    private static final Pattern NANO_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d+Z");

    @TempDir
    Path root;

    @TempDir
    Path work;

    private Path manifest;

    @BeforeEach
    void writeManifestAndSources() {
        Fixtures.TestModel alpha = new Fixtures.TestModel(ALPHA).variants("fp16", "bf16")
                .file("model_index.json", "{\"a\": 1}\n".getBytes())
                .variantFile("fp16", "t/fp16.safetensors", Fixtures.bytes(20_000, 1))
                .variantFile("bf16", "t/bf16.safetensors", Fixtures.bytes(20_000, 2))
                .sources(work.resolve("src/alpha").toUri().toString());
        // an optional file makes "required" and "everything" differ: the sizes must still agree
        Fixtures.TestModel beta = new Fixtures.TestModel(BETA)
                .file("config.json", "{\"b\": 2}\n".getBytes())
                .file("w.safetensors", Fixtures.bytes(300_000, 3))
                .optionalFile("extra/image_encoder.safetensors", Fixtures.bytes(200_000, 4))
                .sources(work.resolve("src/beta").toUri().toString());
        alpha.writeTo(work.resolve("src/alpha"));
        beta.writeTo(work.resolve("src/beta"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, alpha, beta);
    }

    private InProcessWan.Run wan(String... args) {
        return InProcessWan.run(root, manifest, args);
    }

    private static String line(String out, String model) {
        return Arrays.stream(out.split("\n")).filter(l -> l.startsWith(model + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no line for " + model + " in:\n" + out));
    }

    @Test
    void aPinnedModelIsMarkedPinnedInStatusAndList() {
        assertEquals(0, wan("ensure", ALPHA, BETA).code());
        assertEquals(0, wan("pin", ALPHA).code());

        String status = wan("status").out();
        String list = wan("list").out();

        assertTrue(status.contains(" PIN "), status);
        assertTrue(list.contains(" PIN "), list);
        assertTrue(line(status, ALPHA).matches(".*\\spin\\s.*"), status);
        assertTrue(line(list, ALPHA).matches(".*\\spin\\s.*"), list);
        assertFalse(line(status, BETA).matches(".*\\spin\\s.*"), status);
        assertFalse(line(list, BETA).matches(".*\\spin\\s.*"), list);
    }

    @Test
    void aModelHasOneSizeInStatusListAndDiskUsage() throws Exception {
        assertEquals(0, wan("ensure", BETA).code());

        long status = wan("status", BETA, "--json").json().get("models").get(0).get("bytesTotal").asLong();
        long list = wan("list", "--json").json().get("models").get(1).get("bytes").asLong();
        long disk = wan("disk-usage", "--json").json().get("models").get(0).get("bytes").asLong();
        String statusText = line(wan("status", BETA).out(), BETA);
        String listText = line(wan("list").out(), BETA);
        String diskText = line(wan("disk-usage").out(), BETA);

        long everyFile = "{\"b\": 2}\n".length() + 300_000 + 200_000;
        assertEquals(everyFile, status, "status counts every file ensure puts on disk, optional ones too");
        assertEquals(everyFile, list);
        assertEquals(everyFile, disk);
        String shown = Output.bytes(everyFile);
        assertTrue(statusText.contains(shown), statusText + " vs " + shown);
        assertTrue(listText.contains(shown), listText + " vs " + shown);
        assertTrue(diskText.contains(shown), diskText + " vs " + shown);
    }

    @Test
    void aFileChangedAfterEnsureIsUnverifiedNotPartialUntilVerifyFindsItCorrupt() throws Exception {
        assertEquals(0, wan("ensure", BETA).code());
        Path w = root.resolve("wan22").resolve(BETA).resolve("w.safetensors");
        Fixtures.flipByte(w);
        Files.setLastModifiedTime(w, FileTime.fromMillis(System.currentTimeMillis() + 60_000));

        String before = line(wan("status", BETA).out(), BETA);
        InProcessWan.Run verify = wan("verify", BETA);
        String after = line(wan("status", BETA).out(), BETA);

        assertTrue(before.contains("UNVERIFIED"), before);
        assertEquals(7, verify.code(), verify.err());
        assertTrue(after.contains("CORRUPT"), after);
        assertTrue(Files.exists(w), "verify changes no file: the README says ensure quarantines");
        assertTrue(verify.err().contains("repair with 'wan ensure " + BETA + "'"), verify.err());
    }

    @Test
    void verifyOfAVariantNeverEnsuredNamesTheVariantInTheRepairCommand() {
        assertEquals(0, wan("ensure", ALPHA).code());

        InProcessWan.Run r = wan("verify", ALPHA, "--variant", "bf16");

        assertEquals(7, r.code(), r.err());
        assertTrue(r.err().contains("'wan ensure " + ALPHA + " --variant bf16'"), r.err());
    }

    @Test
    void gcPrintsTimesToTheSecondAndJsonKeepsIsoInstants() throws Exception {
        assertEquals(0, wan("ensure", ALPHA, BETA).code());

        InProcessWan.Run human = wan("gc", "--dry-run", "--max-size", "1B");
        InProcessWan.Run json = wan("gc", "--dry-run", "--max-size", "1B", "--json");

        assertEquals(0, human.code(), human.err());
        assertTrue(human.out().contains("last used 20"), human.out());
        assertFalse(NANO_TIME.matcher(human.out()).find(), "a sub-second time in human output:\n" + human.out());
        String lastUsed = json.json().get("deleted").get(0).get("lastUsed").asText();
        assertTrue(java.time.Instant.parse(lastUsed).isAfter(java.time.Instant.EPOCH), lastUsed);
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void whoHoldsALockIsShownWithItsTimeToTheSecond() throws Exception {
        assertEquals(0, wan("ensure", BETA).code());
        java.time.Instant at = java.time.Instant.parse("2026-12-01T23:18:12.123456789Z");
        Path lockFile = root.resolve(".locks").resolve(BETA + ".lock");
        try (dev.wan.internal.lock.ModelLock held = dev.wan.internal.lock.ModelLock.acquire(lockFile, "model " + BETA, "ensure",
                java.time.Duration.ofSeconds(5), java.time.Clock.fixed(at, java.time.ZoneOffset.UTC), h -> { })) {
            String status = line(wan("status", BETA).out(), BETA);
            String gc = wan("gc", "--dry-run", "--max-size", "1B").out();

            assertTrue(status.contains("since=2026-12-01T23:18:12Z "), status);
            assertTrue(gc.contains("since=2026-12-01T23:18:12Z "), gc);
            assertFalse(NANO_TIME.matcher(status + gc).find(), status + gc);
        }
    }

    @Test
    void aBareNameStandsForItsOnlyVersionAndSaysSo() throws Exception {
        InProcessWan.Run r = wan("ensure", "beta");
        InProcessWan.Run status = wan("status", "beta", "--json");
        InProcessWan.Run pin = wan("pin", "beta");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("beta \u2192 " + BETA), r.err());
        assertTrue(r.out().contains(BETA + " ready"), r.out());
        assertEquals(BETA, status.json().get("models").get(0).get("model").asText());
        assertEquals(0, pin.code(), pin.err());
        assertTrue(pin.out().contains(BETA + " pinned"), pin.out());
    }

    @Test
    void quietLeavesOutTheNoteAboutABareName() throws Exception {
        InProcessWan.Run r = wan("ensure", "beta", "-q");

        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().strip().endsWith(BETA), r.out());
    }

    @Test
    void aBareNameWithSeveralVersionsNamesThemAll() throws Exception {
        Fixtures.TestModel one = new Fixtures.TestModel("gamma@1.0.0").file("a.json", "1".getBytes())
                .sources(work.resolve("src/g1").toUri().toString());
        Fixtures.TestModel two = new Fixtures.TestModel("gamma@2.0.0").file("a.json", "2".getBytes())
                .sources(work.resolve("src/g2").toUri().toString());
        Fixtures.writeManifest(manifest, one, two);

        InProcessWan.Run r = wan("ensure", "gamma");

        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().contains("gamma@1.0.0, gamma@2.0.0"), r.err());
        assertFalse(Files.exists(root.resolve("wan22")) && Fixtures.listTree(root.resolve("wan22")).size() > 0);
    }

    @Test
    void aStoreLevelFailureOfEveryModelIsReportedOnce() throws Exception {
        Files.createDirectories(root.resolve("wan22"));
        Path canary = Files.createDirectories(work.resolve("canary"));
        Files.createSymbolicLink(root.resolve(".state"), canary);

        InProcessWan.Run r = wan("ensure", "--all");

        assertEquals(3, r.code(), r.err());
        long reports = r.err().lines().filter(l -> l.startsWith("wan: PATH_TRAVERSAL_DETECTED")).count();
        assertEquals(1, reports, r.err());
        assertTrue(r.err().contains("the same error for 2 models: " + ALPHA + ", " + BETA), r.err());
    }
}
