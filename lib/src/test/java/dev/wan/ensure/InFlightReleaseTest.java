package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.wan.ErrorCode;
import dev.wan.event.WanEvent;
import dev.wan.internal.ensure.InFlight;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two ensures of one JVM that share content wait for each other's copies (InFlight). When the
 * sources fail, every claim must be given up at once, or each job waits for the other forever.
 */
class InFlightReleaseTest {
    private static final int SHARED = 2000;

    @TempDir
    Path root;

    @TempDir
    Path local;

    /** The timeout only detects the hang this test is about; the batch itself takes seconds. */
    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void twoModelsSharingManyFilesInOppositeOrderWithFailingSourcesBothFailInsteadOfWaitingForEachOther()
            throws Exception {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < SHARED; i++) {
            paths.add(String.format("shard-%04d.bin", i));
        }
        Fixtures.TestModel a = new Fixtures.TestModel("a@1.0.0").sources("local://empty-a");
        paths.forEach(p -> a.file(p, Fixtures.bytes(64, p.hashCode())));
        List<String> reversed = new ArrayList<>(paths);
        Collections.reverse(reversed);
        Fixtures.TestModel b = new Fixtures.TestModel("b@1.0.0").sources("local://empty-b");
        reversed.forEach(p -> b.file(p, Fixtures.bytes(64, p.hashCode())));
        Files.createDirectories(local.resolve("empty-a"));
        Files.createDirectories(local.resolve("empty-b"));
        Fixtures.writeManifest(local.resolve("models.toml"), a, b);
        ModelEnsurer ensurer = Fixtures.ensurer(root, local.resolve("models.toml"), local);
        // Both jobs start claiming at the same moment (EnsureStarted comes just before the claims),
        // so each claims part of the shared content: the case where they wait on each other.
        CyclicBarrier together = new CyclicBarrier(2);
        ensurer.addListener(e -> {
            if (e instanceof WanEvent.EnsureStarted) {
                try {
                    together.await(30, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // the other job never started: nothing to line up with
                }
            }
        });

        List<ModelEnsurer.BatchResult> results = ensurer.ensureBatch(List.of("a@1.0.0", "b@1.0.0"), 2);

        assertEquals(2, results.size());
        for (ModelEnsurer.BatchResult r : results) {
            assertFalse(r.ok(), r.model());
            assertEquals(ErrorCode.SOURCE_UNAVAILABLE, r.error().code(), r.model() + ": " + r.error().getMessage());
        }
    }
}
