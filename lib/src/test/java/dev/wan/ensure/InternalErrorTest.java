package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.manifest.SourceRef;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.StorageBackend;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10, finding 5: a bug is INTERNAL (exit 70) alone or in a batch; an interruption is INTERRUPTED (130). */
class InternalErrorTest {
    @TempDir
    Path root;

    @TempDir
    Path work;

    private ModelEnsurer ensurer;

    /** A backend with a bug: opening a source throws what no caller expects. */
    static final class BuggyBackend implements StorageBackend {
        @Override
        public Set<String> schemes() {
            return Set.of("buggy");
        }

        @Override
        public SourceSession open(SourceRef source, SourceContext context) {
            throw new IllegalStateException("a bug in a backend");
        }
    }

    @BeforeEach
    void twoModelsServedByABuggyBackend() {
        Fixtures.TestModel a = new Fixtures.TestModel("a@1.0.0").file("w.bin", Fixtures.bytes(1000, 1)).sources("buggy://a");
        Fixtures.TestModel b = new Fixtures.TestModel("b@1.0.0").file("w.bin", Fixtures.bytes(1000, 2)).sources("buggy://b");
        Fixtures.writeManifest(work.resolve("models.toml"), a, b);
        ensurer = ModelEnsurer.create(new WanConfig(root, work.resolve("models.toml"), work, Duration.ofSeconds(5)),
                Clock.systemUTC(), List.of(new BuggyBackend()));
    }

    @Test
    void theSameBugIsInternalAloneAndInABatch() {
        RuntimeException alone = assertThrows(RuntimeException.class, () -> ensurer.ensure("a@1.0.0"));
        List<ModelEnsurer.BatchResult> batch = ensurer.ensureBatch(List.of("a@1.0.0", "b@1.0.0"), 2);

        assertInstanceOf(IllegalStateException.class, alone);
        for (ModelEnsurer.BatchResult r : batch) {
            assertFalse(r.ok());
            assertEquals(ErrorCode.INTERNAL, r.error().code(), r.error().getMessage());
            assertEquals(70, r.error().code().exitCode());
            assertTrue(r.error().getMessage().contains("a bug in a backend"), r.error().getMessage());
            assertInstanceOf(IllegalStateException.class, r.error().getCause());
        }
    }

    @Test
    void anInterruptedBatchSaysInterruptedAndExits130() {
        Thread.currentThread().interrupt();
        List<ModelEnsurer.BatchResult> batch;
        try {
            batch = ensurer.ensureBatch(List.of("a@1.0.0", "b@1.0.0"), 1);
        } finally {
            Thread.interrupted(); // clear the flag whatever happened, for the next test
        }

        for (ModelEnsurer.BatchResult r : batch) {
            assertEquals(ErrorCode.INTERRUPTED, r.error().code(), r.error().getMessage());
            assertEquals(130, r.error().code().exitCode());
        }
    }
}
