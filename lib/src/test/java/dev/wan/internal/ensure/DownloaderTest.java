package dev.wan.internal.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.ensure.Fixtures;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.RetryPolicy;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.TransientSourceException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chunked downloader against a byte-array source that can misbehave on request. */
class DownloaderTest {
    private static final int SIZE = Downloader.CHUNK * 3 + 12345;
    private static final byte[] CONTENT = Fixtures.bytes(SIZE, 99);
    private static final String SHA = Fixtures.sha256(CONTENT);

    @TempDir
    Path tmp;

    /** Serves CONTENT; {@code cutAfter} ends a read early (body cut) for read numbers it accepts. */
    static class ArraySession implements SourceSession {
        final List<long[]> ranges = new CopyOnWriteArrayList<>();
        final AtomicInteger reads = new AtomicInteger();
        final IntPredicate cut;
        final IntPredicate refuse;

        ArraySession(IntPredicate cut, IntPredicate refuse) {
            this.cut = cut;
            this.refuse = refuse;
        }

        @Override
        public SourceRef source() {
            return new SourceRef("test://array");
        }

        @Override
        public RemoteFile stat(String path) {
            return new RemoteFile(path, SIZE, null);
        }

        @Override
        public InputStream read(String path, long offset, long length) throws IOException {
            int n = reads.incrementAndGet();
            ranges.add(new long[] {offset, length});
            if (refuse.test(n)) {
                throw new WanException(ErrorCode.AUTH_FAIL, "refused", "");
            }
            int len = (int) (cut.test(n) ? length / 2 : length);
            return new ByteArrayInputStream(CONTENT, (int) offset, len);
        }

        @Override
        public List<RemoteFile> list() {
            return List.of();
        }
    }

    private Downloader downloader(int connections) {
        SourceContext ctx = new SourceContext(Map.of(), tmp, connections, Duration.ofSeconds(5), Duration.ofSeconds(5));
        return new Downloader(ctx, new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5)));
    }

    @Test
    void parallelChunksProduceTheRightBytesAndDigest() throws Exception {
        ArraySession s = new ArraySession(n -> false, n -> false);

        Transfer.Digest d = downloader(4).download(s, "f", SIZE, SHA, tmp.resolve("part"), tmp.resolve("j.json"), x -> { });

        assertEquals(SHA, d.sha256());
        assertEquals(SHA, Fixtures.sha256(tmp.resolve("part")));
        assertEquals(4, s.ranges.size(), "one ranged read per chunk");
    }

    /** An observer (status, the dashboard's LOCKED n%) took a preallocated part without a journal for finished bytes. */
    @Test
    void aJournalDescribesThePartFileBeforeTheFirstByteArrives() throws Exception {
        Path journal = tmp.resolve("j.json");
        List<PartJournal> seenAtFirstRead = new CopyOnWriteArrayList<>();
        ArraySession s = new ArraySession(n -> false, n -> false) {
            @Override
            public InputStream read(String path, long offset, long length) throws IOException {
                if (reads.get() == 0) {
                    seenAtFirstRead.add(PartJournal.readOrNull(journal));
                }
                return super.read(path, offset, length);
            }
        };

        downloader(1).download(s, "f", SIZE, SHA, tmp.resolve("part"), journal, x -> { });

        PartJournal first = seenAtFirstRead.get(0);
        assertTrue(first != null, "a journal exists when the first ranged read starts");
        assertTrue(first.doneChunks().isEmpty(), "and it marks no chunk as done");
    }

    @Test
    void aCutBodyIsRetriedFromTheByteWhereItStopped() throws Exception {
        ArraySession s = new ArraySession(n -> n == 1, n -> false);

        Transfer.Digest d = downloader(1).download(s, "f", SIZE, SHA, tmp.resolve("part"), tmp.resolve("j.json"), x -> { });

        assertEquals(SHA, d.sha256());
        long[] first = s.ranges.get(0);
        long[] retry = s.ranges.get(1);
        assertEquals(first[0] + first[1] / 2, retry[0], "the retry starts where the cut body ended");
    }

    @Test
    void aRunStoppedByAPermanentErrorIsResumedWithoutRefetchingFinishedChunks() throws Exception {
        ArraySession failing = new ArraySession(n -> false, n -> n == 3);
        assertThrows(WanException.class, () -> downloader(1).download(failing, "f", SIZE, SHA, tmp.resolve("part"),
                tmp.resolve("j.json"), x -> { }));
        assertTrue(Files.exists(tmp.resolve("j.json")), "the journal survives the failure");
        ArraySession second = new ArraySession(n -> false, n -> false);

        Transfer.Digest d = downloader(1).download(second, "f", SIZE, SHA, tmp.resolve("part"), tmp.resolve("j.json"),
                x -> { });

        assertEquals(SHA, d.sha256());
        assertEquals(List.of(2L * Downloader.CHUNK, 3L * Downloader.CHUNK),
                second.ranges.stream().map(r -> r[0]).sorted().toList(), "only chunks 2 and 3 are fetched again");
    }

    @Test
    void aJournalForOtherContentIsIgnored() throws Exception {
        ArraySession failing = new ArraySession(n -> false, n -> n == 3);
        assertThrows(WanException.class, () -> downloader(1).download(failing, "f", SIZE, SHA, tmp.resolve("part"),
                tmp.resolve("j.json"), x -> { }));
        ArraySession second = new ArraySession(n -> false, n -> false);

        downloader(1).download(second, "f", SIZE, "0".repeat(64), tmp.resolve("part"), tmp.resolve("j.json"), x -> { });

        assertEquals(4, second.ranges.size(), "another expected digest: start over");
    }

    @Test
    void persistentTransientFailuresGiveUpWithTheirCode() {
        SourceSession s = new ArraySession(n -> false, n -> false) {
            @Override
            public InputStream read(String path, long offset, long length) throws IOException {
                throw new TransientSourceException(ErrorCode.RATE_LIMIT, "429 slow down", Duration.ofMillis(1));
            }
        };

        WanException e = assertThrows(WanException.class, () -> downloader(2).download(s, "f", SIZE, SHA,
                tmp.resolve("part"), tmp.resolve("j.json"), x -> { }));

        assertEquals(ErrorCode.RATE_LIMIT, e.code());
        assertTrue(e.getMessage().contains("gave up after 4 tries"), e.getMessage());
    }

    @Test
    void aStalledReadIsCutByTheWatchdogAndRetried() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        SourceSession s = new ArraySession(n -> false, n -> false) {
            @Override
            public InputStream read(String path, long offset, long length) throws IOException {
                if (calls.incrementAndGet() == 1) {
                    return new InputStream() { // sends nothing until closed
                        private volatile boolean closed;

                        @Override
                        public int read() throws IOException {
                            while (!closed) {
                                try {
                                    Thread.sleep(20);
                                } catch (InterruptedException e) {
                                    throw new IOException(e);
                                }
                            }
                            throw new IOException("closed");
                        }

                        @Override
                        public void close() {
                            closed = true;
                        }
                    };
                }
                return super.read(path, offset, length);
            }
        };
        SourceContext ctx = new SourceContext(Map.of(), tmp, 1, Duration.ofSeconds(1), Duration.ofSeconds(1));
        Downloader d = new Downloader(ctx, new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5)));

        Transfer.Digest digest = d.download(s, "f", SIZE, SHA, tmp.resolve("part"), tmp.resolve("j.json"), x -> { });

        assertEquals(SHA, digest.sha256());
        assertTrue(calls.get() >= 2, "the stalled read was abandoned and retried");
    }

    @Test
    void aSourceThatAlwaysCutsAfterAFewBytesIsGivenUpOn() {
        SourceSession s = new ArraySession(n -> false, n -> false) {
            @Override
            public InputStream read(String path, long offset, long length) {
                return new ByteArrayInputStream(CONTENT, (int) offset, 100); // 100 bytes, then the body ends
            }
        };

        WanException e = assertThrows(WanException.class, () -> downloader(1).download(s, "f", SIZE, SHA,
                tmp.resolve("part"), tmp.resolve("j.json"), x -> { }));

        assertEquals(ErrorCode.INCOMPLETE_DOWNLOAD, e.code());
    }
}
