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

    @Test
    void fromConfigTakesTheGuidesTwoLimits() {
        GarbageCollector gc = GarbageCollector.fromConfig(100L * 1024 * 1024 * 1024, Duration.ofDays(30));

        assertEquals(100L << 30, gc.policy().maxTotalSize());
        assertEquals(Duration.ofDays(30), gc.policy().maxModelAge());
        assertEquals(null, gc.policy().minFreeBytes());
        assertEquals(WanConfig.fromEnvironment().modelsRoot().resolve(".trash"), gc.trashDir());
    }
}
