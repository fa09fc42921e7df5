package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.StorageBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An ensure that ends early (here: a bug in a backend) returns only after its workers have ended. */
class WorkerShutdownTest {
    private static final byte[] A = Fixtures.bytes(1000, 1);
    private static final byte[] B = Fixtures.bytes(1000, 2);

    @TempDir
    Path root;

    @TempDir
    Path local;

    /**
     * {@code hook://}: stat of a.bin throws (an unexpected exception ends the job at once) once
     * b.bin's download is under way; that download holds on, as a worker still writing would,
     * until the ensure has returned (or for 5 s at most).
     */
    static final class HookBackend implements StorageBackend {
        final CountDownLatch downloading = new CountDownLatch(1);
        final CountDownLatch ensureReturned = new CountDownLatch(1);
        final List<String> order = new CopyOnWriteArrayList<>();

        @Override
        public Set<String> schemes() {
            return Set.of("hook");
        }

        @Override
        public SourceSession open(SourceRef source, SourceContext context) {
            return new SourceSession() {
                @Override
                public SourceRef source() {
                    return source;
                }

                @Override
                public RemoteFile stat(String path) throws IOException {
                    if (path.equals("a.bin")) {
                        try {
                            downloading.await();
                        } catch (InterruptedException e) {
                            throw new java.io.InterruptedIOException();
                        }
                        throw new IllegalStateException("a backend bug");
                    }
                    return new RemoteFile(path, B.length, null);
                }

                @Override
                public InputStream read(String path, long offset, long length) throws IOException {
                    downloading.countDown();
                    try { // a transfer still under way when the job stops: the job must wait for it
                        ensureReturned.await(5, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        // ends now
                    }
                    order.add("worker ended");
                    throw new IOException("stopped");
                }

                @Override
                public List<RemoteFile> list() {
                    return List.of();
                }
            };
        }
    }

    @Test
    void theJobCleansUpAndReleasesTheLockOnlyAfterItsWorkersEnded() {
        Fixtures.TestModel m = new Fixtures.TestModel("w@1.0.0").file("a.bin", A).file("b.bin", B)
                .sources("hook://src");
        Fixtures.writeManifest(local.resolve("models.toml"), m);
        HookBackend hook = new HookBackend();
        ModelEnsurer ensurer = ModelEnsurer.create(new dev.wan.WanConfig(root, local.resolve("models.toml"), local,
                java.time.Duration.ofSeconds(30)), java.time.Clock.systemUTC(), List.of(hook));

        assertThrows(IllegalStateException.class, () -> ensurer.ensure("w@1.0.0"));
        hook.order.add("ensure returned");
        hook.ensureReturned.countDown();

        assertEquals(List.of("worker ended", "ensure returned"), hook.order);
    }
}
