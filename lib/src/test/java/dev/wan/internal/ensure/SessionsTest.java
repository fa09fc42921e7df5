package dev.wan.internal.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.wan.internal.source.SourceRegistry;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.StorageBackend;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SessionsTest {
    /** {@code slow://…} blocks in open until released; {@code fast://…} opens at once. */
    static final class Backend implements StorageBackend {
        final CountDownLatch slowEntered = new CountDownLatch(1);
        final CountDownLatch releaseSlow = new CountDownLatch(1);
        final AtomicInteger opens = new AtomicInteger();

        @Override
        public Set<String> schemes() {
            return Set.of("slow", "fast");
        }

        @Override
        public SourceSession open(SourceRef source, SourceContext context) throws java.io.IOException {
            opens.incrementAndGet();
            if (source.scheme().equals("slow")) {
                slowEntered.countDown();
                try {
                    releaseSlow.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
            return new SourceSession() {
                @Override
                public SourceRef source() {
                    return source;
                }

                @Override
                public RemoteFile stat(String path) {
                    return new RemoteFile(path, 0, null);
                }

                @Override
                public InputStream read(String path, long offset, long length) {
                    return InputStream.nullInputStream();
                }

                @Override
                public List<RemoteFile> list() {
                    return List.of();
                }
            };
        }
    }

    /** The timeout detects the hang of the old monitor; nothing here is timed. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aSourceBeingOpenedDoesNotHoldUpWorkersThatWantAnotherSource() throws Exception {
        Backend backend = new Backend();
        SourceRegistry registry = new SourceRegistry(List.of(backend));
        SourceContext context = new SourceContext(Map.of(), Path.of("/nonexistent"), 1, Duration.ofSeconds(1),
                Duration.ofSeconds(1));
        try (Sessions sessions = new Sessions(registry, context, notice -> { })) {
            SourceRef slow = new SourceRef("slow://hub/org/repo");
            CompletableFuture<SourceSession> slowOpen = CompletableFuture.supplyAsync(() -> {
                try {
                    return sessions.open(slow);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            backend.slowEntered.await();

            SourceSession fast = sessions.open(new SourceRef("fast://mirror/org/repo"));

            assertEquals("fast", fast.source().scheme());
            backend.releaseSlow.countDown();
            SourceSession opened = slowOpen.get();
            assertSame(opened, sessions.open(slow), "a source is opened once per ensure");
            assertEquals(2, backend.opens.get());
        }
    }
}
