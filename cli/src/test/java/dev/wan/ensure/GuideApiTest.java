package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.gc.GarbageCollector;
import dev.wan.gc.GcPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user guide's Python calls, in their Java spelling: verify_batch, GarbageCollector.from_config, pin_model. */
class GuideApiTest {
    @TempDir
    Path root;

    @TempDir
    Path local;

    private final Fixtures.TestModel a = new Fixtures.TestModel("a@1.0.0")
            .file("a.bin", Fixtures.bytes(40_000, 1)).sources("local://a");
    private final Fixtures.TestModel b = new Fixtures.TestModel("b@1.0.0")
            .file("b.bin", Fixtures.bytes(50_000, 2)).sources("local://b");

    private ModelEnsurer ensurer() {
        a.writeTo(local.resolve("a"));
        b.writeTo(local.resolve("b"));
        Path manifest = local.resolve("models.toml");
        Fixtures.writeManifest(manifest, a, b);
        return Fixtures.ensurer(root, manifest, local);
    }

    @Test
    void verifyBatchReHashesEveryModelInOrderAndFindsTheOneThatRotted() throws Exception {
        ModelEnsurer ensurer = ensurer();
        ensurer.ensureBatch(List.of("a@1.0.0", "b@1.0.0"), 2);
        Fixtures.flipByte(root.resolve("wan22/b@1.0.0/b.bin"));

        List<VerificationResult> results = ensurer.verifyBatch(List.of("a@1.0.0", "b@1.0.0"));

        assertEquals(2, results.size());
        assertTrue(results.get(0).verified(), "a is intact");
        assertFalse(results.get(1).verified(), "b has a flipped byte");
    }

    @Test
    void verifyBatchWithAnUnknownIdFailsBeforeHashingAnything() {
        ModelEnsurer ensurer = ensurer();
        List<dev.wan.event.WanEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        ensurer.addListener(events::add);

        WanException e = assertThrows(WanException.class,
                () -> ensurer.verifyBatch(List.of("a@1.0.0", "nope@1.0.0")));

        assertEquals(ErrorCode.MODEL_NOT_FOUND, e.code());
        assertTrue(events.isEmpty(), "nothing was verified: " + events);
    }

    @Test
    void pinModelAndUnpinModelTakeTheIdAsTheGuideWritesIt() throws Exception {
        ModelEnsurer ensurer = ensurer();
        ensurer.ensure("a@1.0.0", null);
        GarbageCollector gc = GarbageCollector.create(ensurer.config(), Clock.systemUTC(), GcPolicy.of(0L, null, null));

        assertTrue(gc.pinModel("a@1.0.0"));
        assertFalse(gc.pinModel("a@1.0.0"), "pinned already");
        assertTrue(ensurer.status("a@1.0.0").pinned());
        assertTrue(gc.collect(false).deleted().isEmpty(), "a pinned model survives a gc to 0 bytes");
        assertTrue(gc.unpinModel("a@1.0.0"));
        assertEquals(1, gc.collect(false).deleted().size(), "unpinned, it goes");
        assertFalse(Files.exists(root.resolve("wan22/a@1.0.0")));
    }

    /** Serves the bytes of {@link #custom}'s file, for {@code custom://} sources: source, stat and read, nothing more. */
    private final class CustomStore implements dev.wan.source.StorageBackend {
        @Override
        public java.util.Set<String> schemes() {
            return java.util.Set.of("custom");
        }

        @Override
        public dev.wan.source.SourceSession open(dev.wan.manifest.SourceRef source, dev.wan.source.SourceContext context) {
            byte[] bytes = CUSTOM_BYTES;
            return new dev.wan.source.SourceSession() {
                @Override
                public dev.wan.manifest.SourceRef source() {
                    return source;
                }

                @Override
                public dev.wan.source.RemoteFile stat(String path) {
                    return new dev.wan.source.RemoteFile(path, bytes.length, null);
                }

                @Override
                public java.io.InputStream read(String path, long offset, long length) {
                    int len = (int) (length < 0 ? bytes.length - offset : length);
                    return new java.io.ByteArrayInputStream(bytes, (int) offset, len);
                }
                // no list(): it is optional
            };
        }
    }

    private static final byte[] CUSTOM_BYTES = Fixtures.bytes(30_000, 3);
    private final Fixtures.TestModel custom = new Fixtures.TestModel("c@1.0.0")
            .file("c.bin", CUSTOM_BYTES).sources("custom://bucket/c");

    @Test
    void aBackendAddedAfterCreationServesTheManifestsCustomScheme() {
        Path manifest = local.resolve("custom.toml");
        Fixtures.writeManifest(manifest, custom);
        ModelEnsurer ensurer = ModelEnsurer.create(new WanConfig(root, manifest, local, Duration.ofSeconds(5)));
        assertEquals(java.util.Set.of("custom"), ensurer.unhandledSchemes());
        WanException before = assertThrows(WanException.class, () -> ensurer.ensure("c@1.0.0"));
        assertTrue(before.getMessage().contains("custom://bucket/c") || before.details().toString().contains("custom"),
                before.getMessage() + " " + before.details());

        ensurer.addStorageBackend(new CustomStore());
        Path dir = ensurer.ensure("c@1.0.0");

        assertTrue(ensurer.unhandledSchemes().isEmpty());
        assertEquals(Fixtures.sha256(CUSTOM_BYTES), Fixtures.sha256(dir.resolve("c.bin")));
    }

    @Test
    void aBackendThatCannotListIsCheckedByTestSourcesWithAStatAndARead() {
        Path manifest = local.resolve("custom.toml");
        Fixtures.writeManifest(manifest, custom);
        ModelEnsurer ensurer = ModelEnsurer.create(new WanConfig(root, manifest, local, Duration.ofSeconds(5)));
        ensurer.addStorageBackend(new CustomStore());

        List<SourceCheck> checks = ensurer.testSources("c@1.0.0");

        assertEquals(1, checks.size());
        assertTrue(checks.get(0).ok(), checks.toString());
        assertEquals(-1, checks.get(0).filesListed(), "no listing: " + checks);
        assertEquals(CUSTOM_BYTES.length, checks.get(0).readBytes(), "the file was read: " + checks);
    }

    @Test
    void theCliStillRefusesAManifestWhoseSchemeNoBackendHandles() throws Exception {
        Path manifest = local.resolve("custom.toml");
        Fixtures.writeManifest(manifest, custom);

        dev.wan.cli.InProcessWan.Run r = dev.wan.cli.InProcessWan.run(root, manifest, "status", "--json");

        assertEquals(3, r.code(), r.err());
        assertEquals("MANIFEST_VALIDATION_ERROR", r.json().get("error").get("code").asText());
        assertTrue(r.json().get("error").get("message").asText().contains("custom"), r.out());
    }

    @Test
    void fromConfigTakesTheGuidesTwoLimits() {
        GarbageCollector gc = GarbageCollector.fromConfig(100L * 1024 * 1024 * 1024, Duration.ofDays(30));

        assertEquals(100L << 30, gc.policy().maxTotalSize());
        assertEquals(Duration.ofDays(30), gc.policy().maxModelAge());
        assertEquals(null, gc.policy().minFreeBytes());
        assertEquals(WanConfig.fromEnvironment().modelsRoot().resolve(".trash"), gc.trashDir());
    }
}
