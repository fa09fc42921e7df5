package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.internal.ensure.Downloader;
import dev.wan.testkit.hub.Content;
import dev.wan.testkit.hub.Fault;
import dev.wan.testkit.hub.HubContexts;
import dev.wan.testkit.hub.HubServer;
import dev.wan.testkit.hub.LoggedRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plain HTTP server that ignores Range: the file comes as one plain stream, resuming what is on disk. */
class RangeIgnoredTest {
    private static final String ID = "norange@1.0.0";
    private static final String FILE = "big.bin";
    private static final long CHUNK = Downloader.CHUNK;
    private static final Content BIG = Content.generated(2 * CHUNK + 777, 33);

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

    private ModelEnsurer ensurer() {
        Path manifest = Fixtures.oneFileManifest(tmp, ID, FILE, BIG.size(), BIG.sha256(), hub.staticUrl("m/"));
        WanConfig config = new WanConfig(tmp.resolve("root"), manifest, tmp.resolve("local"), Duration.ofSeconds(30));
        return ModelEnsurer.create(config, Clock.systemUTC(), List.of(),
                HubContexts.env(hub, "WAN_CONNECTIONS", "1", "WAN_RETRIES", "2"));
    }

    private List<LoggedRequest> downloads() {
        return hub.log(LoggedRequest::isDownload);
    }

    @Test
    void aFileOfSeveralChunksFromAServerThatNeverHonoursRangeIsFetchedAsOnePlainStream() {
        hub.fault(Fault.ignoreRange());

        Path dir = ensurer().ensure(ID);

        assertEquals(BIG.sha256(), Fixtures.sha256(dir.resolve(FILE)));
        List<LoggedRequest> gets = downloads();
        // chunk 1 (from byte 0: the whole-file answer is the chunk), chunk 2 (refused: 200 from byte 0),
        // then one stream of the whole file; no retries, no giving up
        assertEquals(3, gets.size(), gets.toString());
        assertEquals("bytes=0-", gets.get(2).range(), gets.toString());
    }

    @Test
    void aPartialDownloadIsResumedFromAServerThatStoppedHonouringRange() {
        hub.fault(Fault.status(404).after(1).on("m/" + FILE).in(Fault.Phase.DOWNLOAD));
        assertThrows(WanException.class, () -> ensurer().ensure(ID));
        hub.clearFaults();
        hub.fault(Fault.ignoreRange());
        hub.clearLog();

        Path dir = ensurer().ensure(ID);

        assertEquals(BIG.sha256(), Fixtures.sha256(dir.resolve(FILE)));
        List<LoggedRequest> gets = downloads();
        // chunk 1 is on disk: chunk 2 is refused at once, and the stream skips what is there
        assertEquals(2, gets.size(), gets.toString());
        assertEquals("bytes=0-", gets.get(1).range(), gets.toString());
    }
}
