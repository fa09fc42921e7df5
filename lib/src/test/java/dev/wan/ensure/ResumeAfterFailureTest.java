package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.event.WanEvent;
import dev.wan.internal.ensure.Downloader;
import dev.wan.testkit.hub.Content;
import dev.wan.testkit.hub.Fault;
import dev.wan.testkit.hub.HubContexts;
import dev.wan.testkit.hub.HubServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failed ensure keeps the chunks it verified: the next run fetches only the rest. */
class ResumeAfterFailureTest {
    private static final String ID = "resume@1.0.0";
    private static final String FILE = "big.bin";
    private static final long CHUNK = Downloader.CHUNK;
    private static final Content BIG = Content.generated(2 * CHUNK + 12345, 21);

    @TempDir
    Path tmp;

    private HubServer hub;

    @BeforeEach
    void start() throws IOException {
        hub = HubServer.start();
        hub.staticFile("m/" + FILE, BIG);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private ModelEnsurer ensurer(List<WanEvent> events) {
        Path manifest = Fixtures.oneFileManifest(tmp, ID, FILE, BIG.size(), BIG.sha256(), hub.staticUrl("m/"));
        WanConfig config = new WanConfig(tmp.resolve("root"), manifest, tmp.resolve("local"), Duration.ofSeconds(30));
        // one connection: chunks in order, so "the first answer" is chunk 1
        return ModelEnsurer.create(config, Clock.systemUTC(), List.of(), HubContexts.env(hub, "WAN_CONNECTIONS", "1"))
                .addListener(events::add);
    }

    @Test
    void theChunkThatArrivedBeforeTheSourceFailedIsNotFetchedAgain() {
        List<WanEvent> events = new CopyOnWriteArrayList<>();
        Fault gone = hub.fault(Fault.status(404).after(1).on("m/" + FILE).in(Fault.Phase.DOWNLOAD));
        assertThrows(WanException.class, () -> ensurer(events).ensure(ID));
        assertEquals(CHUNK, hub.bytesServed(), "the first run got chunk 1, then the source failed");
        assertEquals(1, gone.hits());
        hub.clearFaults();
        long before = hub.bytesServed();

        Path dir = ensurer(events).ensure(ID);

        assertEquals(BIG.size() - CHUNK, hub.bytesServed() - before, "the second run fetched only the rest");
        assertEquals(BIG.sha256(), Fixtures.sha256(dir.resolve(FILE)));
        WanEvent.EnsureFinished finished = events.stream().filter(e -> e instanceof WanEvent.EnsureFinished)
                .map(e -> (WanEvent.EnsureFinished) e).findFirst().orElseThrow();
        assertEquals(BIG.size() - CHUNK, finished.bytesFetched(), "bytes transferred in this run, not the file size");
    }
}
