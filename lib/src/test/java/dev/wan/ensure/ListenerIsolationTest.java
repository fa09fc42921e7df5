package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.event.WanEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListenerIsolationTest {
    @TempDir
    Path root;

    @TempDir
    Path local;

    private ModelEnsurer ensurer() {
        Fixtures.TestModel m = new Fixtures.TestModel("l@1.0.0")
                .file("config.json", "{}\n".getBytes())
                .file("weights.bin", Fixtures.bytes(100_000, 3))
                .sources("local://src");
        m.writeTo(local.resolve("src"));
        Fixtures.writeManifest(local.resolve("models.toml"), m);
        return Fixtures.ensurer(root, local.resolve("models.toml"), local);
    }

    @Test
    void theOnlyListenerThrowingOnEveryEventDoesNotFailTheEnsure() {
        AtomicInteger calls = new AtomicInteger();
        ModelEnsurer ensurer = ensurer().addListener(e -> {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug");
        });

        Path dir = ensurer.ensure("l@1.0.0");

        assertEquals(root.resolve("wan22/l@1.0.0"), dir);
        assertEquals(ModelState.COMPLETE, ensurer.status("l@1.0.0").state());
        assertTrue(calls.get() > 1, "the listener kept hearing events: " + calls.get());
    }

    @Test
    void aThrowingListenerDoesNotKeepTheOthersFromHearingEvents() {
        List<WanEvent> heard = new CopyOnWriteArrayList<>();
        ModelEnsurer ensurer = ensurer().addListener(e -> {
            throw new IllegalStateException("listener bug");
        }).addListener(heard::add);

        ensurer.ensure("l@1.0.0");

        assertTrue(heard.stream().anyMatch(e -> e instanceof WanEvent.EnsureFinished), heard.toString());
    }
}
