package dev.wan.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.WanConfig;
import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.internal.store.StoreLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Least recently USED, not least recently downloaded: an ensure of a present model counts. */
class LastUseTest {
    @TempDir
    Path root;

    @TempDir
    Path work;

    @Test
    void anEnsureOfAPresentModelMakesItTheLastToBeCollected() throws Exception {
        Fixtures.TestModel a = new Fixtures.TestModel("a@1.0.0").file("w.bin", Fixtures.bytes(10_000, 1))
                .sources(work.resolve("src/a").toUri().toString());
        Fixtures.TestModel b = new Fixtures.TestModel("b@1.0.0").file("w.bin", Fixtures.bytes(10_000, 2))
                .sources(work.resolve("src/b").toUri().toString());
        a.writeTo(work.resolve("src/a"));
        b.writeTo(work.resolve("src/b"));
        Path manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, a, b);
        MutableClock clock = new MutableClock(Instant.parse("2026-11-01T00:00:00Z"));
        ModelEnsurer ensurer = ModelEnsurer.create(new WanConfig(root, manifest, work, Duration.ofSeconds(5)), clock,
                List.of(), Map.of());
        ensurer.ensure("a@1.0.0");
        clock.advance(Duration.ofDays(1));
        ensurer.ensure("b@1.0.0");
        clock.advance(Duration.ofDays(1));

        ensurer.ensure("a@1.0.0"); // already complete: the fast path, yet a use
        GcPlan plan = new GarbageCollector(new StoreLayout(root), clock, GcPolicy.of(15_000L, null, null)).plan();

        assertEquals(List.of("b@1.0.0"), plan.deletions().stream().map(GcPlan.Deletion::model).toList());
        assertEquals(clock.instant(), ensurer.status("a@1.0.0").lastUsed());
        assertTrue(Files.exists(root.resolve(".state/a@1.0.0.used")));
    }
}
