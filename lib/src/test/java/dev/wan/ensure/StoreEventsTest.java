package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.event.WanEvent;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import dev.wan.store.ModelPins;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pins, test-sources, verify and lock timeouts put their events on the stream metrics listen to. */
class StoreEventsTest {
    private static final String ID = "alpha@1.0.0";

    @TempDir
    Path root;

    @TempDir
    Path work;

    private ModelEnsurer ensurer(Duration lockTimeout) {
        var alpha = new Fixtures.TestModel(ID).file("a.bin", Fixtures.bytes(1000, 1))
                .sources(work.resolve("src").toUri().toString());
        alpha.writeTo(work.resolve("src"));
        Path manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, alpha);
        return ModelEnsurer.create(new WanConfig(root, manifest, work, lockTimeout));
    }

    @Test
    void pinsTestSourcesAndVerifyReportOnTheStream() throws Exception {
        List<WanEvent> events = new CopyOnWriteArrayList<>();
        ModelEnsurer ensurer = ensurer(Duration.ofSeconds(30)).addListener(events::add);
        ModelPins pins = ModelPins.at(root, Clock.systemUTC()).addListener(events::add);
        ModelId id = ModelId.parse(ID);

        pins.pin(id, Duration.ofSeconds(5));
        pins.pin(id, Duration.ofSeconds(5));
        pins.unpin(id, Duration.ofSeconds(5));
        List<WanEvent.PinChanged> changes = events.stream().filter(e -> e instanceof WanEvent.PinChanged)
                .map(e -> (WanEvent.PinChanged) e).toList();
        assertEquals(List.of("true/true", "true/false", "false/true"),
                changes.stream().map(c -> c.pinned() + "/" + c.changed()).toList());

        ensurer.testSources(ID);
        WanEvent.SourceTested tested = events.stream().filter(e -> e instanceof WanEvent.SourceTested)
                .map(e -> (WanEvent.SourceTested) e).findFirst().orElseThrow();
        assertTrue(tested.ok(), tested.toString());

        Path dir = ensurer.ensure(ID);
        Fixtures.flipByte(dir.resolve("a.bin"));
        ensurer.verifyIntegrity(ID);
        WanEvent.IntegrityFailed bad = events.stream().filter(e -> e instanceof WanEvent.IntegrityFailed)
                .map(e -> (WanEvent.IntegrityFailed) e).findFirst().orElseThrow();
        assertEquals(List.of("a.bin", "verify", "CHECKSUM_FAIL"), List.of(bad.path(), bad.source(), bad.code().name()));
    }

    @Test
    @SuppressWarnings("try") // the lock is held for the block: never referenced
    void anEnsureThatGivesUpOnABusyModelSaysSo() throws Exception {
        List<WanEvent> events = new CopyOnWriteArrayList<>();
        ModelEnsurer ensurer = ensurer(Duration.ofMillis(200)).addListener(events::add);
        ModelId id = ModelId.parse(ID);
        StoreLayout layout = new StoreLayout(root);
        layout.createSkeleton();
        try (ModelLock held = ModelLock.acquire(layout.lockFile(id), "model " + id, "test", Duration.ZERO,
                Clock.systemUTC(), h -> { })) {
            // another thread's ensure: this process's own permit counts as a holder for it
            var failure = new java.util.concurrent.atomic.AtomicReference<WanException>();
            Thread t = new Thread(() -> failure.set(assertThrows(WanException.class, () -> ensurer.ensure(ID))));
            t.start();
            t.join(30_000);
            assertEquals(ErrorCode.LOCK_TIMEOUT, failure.get().code());
        }
        assertEquals(1, events.stream().filter(e -> e instanceof WanEvent.LockTimedOut t
                && t.operation().equals("ensure") && t.model().toString().equals(ID)).count(), events.toString());
    }
}
