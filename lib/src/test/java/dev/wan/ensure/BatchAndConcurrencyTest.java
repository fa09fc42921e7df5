package dev.wan.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.StorageBackend;
import dev.wan.source.local.LocalBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class BatchAndConcurrencyTest {
    @TempDir
    Path root;

    @TempDir
    Path local;

    private Fixtures.TestModel model(String id, long seed) {
        return new Fixtures.TestModel(id)
                .file("config.json", ("{\"id\": \"" + id + "\"}\n").getBytes())
                .file("weights/a.safetensors", Fixtures.bytes(400_000, seed))
                .file("weights/b.safetensors", Fixtures.bytes(300_000, seed + 1))
                .sources("local://" + id);
    }

    @Test
    void ensureBatchReturnsAPathPerGoodModelAndAnErrorForTheBrokenOneWithoutThrowing() throws Exception {
        Fixtures.TestModel a = model("a@1.0.0", 1);
        Fixtures.TestModel broken = model("broken@1.0.0", 2);
        Fixtures.TestModel c = model("c@1.0.0", 3);
        a.writeTo(local.resolve(a.id()));
        broken.writeTo(local.resolve(broken.id()));
        Files.delete(local.resolve(broken.id()).resolve("weights/b.safetensors"));
        c.writeTo(local.resolve(c.id()));
        Fixtures.writeManifest(local.resolve("models.toml"), a, broken, c);
        ModelEnsurer ensurer = Fixtures.ensurer(root, local.resolve("models.toml"), local);

        List<ModelEnsurer.BatchResult> results = ensurer.ensureBatch(
                List.of("a@1.0.0", "broken@1.0.0", "c@1.0.0"), 3);

        assertEquals(List.of("a@1.0.0", "broken@1.0.0", "c@1.0.0"),
                results.stream().map(ModelEnsurer.BatchResult::model).toList());
        assertTrue(results.get(0).ok());
        assertEquals(root.resolve("wan22/a@1.0.0"), results.get(0).path());
        assertFalse(results.get(1).ok());
        assertNull(results.get(1).path());
        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, results.get(1).error().code());
        assertTrue(results.get(2).ok());
        assertEquals(ModelState.COMPLETE, ensurer.status("a@1.0.0").state());
        assertEquals(ModelState.COMPLETE, ensurer.status("c@1.0.0").state());
        assertEquals(ModelState.NOT_PRESENT, ensurer.status("broken@1.0.0").state());
    }

    @Test
    void ensureBatchReportsAnUnknownModelAsAnErrorEntry() {
        Fixtures.TestModel a = model("a@1.0.0", 1);
        a.writeTo(local.resolve(a.id()));
        Fixtures.writeManifest(local.resolve("models.toml"), a);
        ModelEnsurer ensurer = Fixtures.ensurer(root, local.resolve("models.toml"), local);

        List<ModelEnsurer.BatchResult> results = ensurer.ensureBatch(List.of("a@1.0.0", "ghost@9.9.9"), 1);

        assertTrue(results.get(0).ok());
        assertEquals(ErrorCode.MODEL_NOT_FOUND, results.get(1).error().code());
    }

    /** Wraps the local backend for {@code file://}, counting reads opened and bytes served. */
    public static final class CountingBackend implements StorageBackend {
        final LocalBackend delegate = new LocalBackend();
        public final AtomicInteger opens = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();

        @Override
        public Set<String> schemes() {
            return Set.of("file");
        }

        @Override
        public SourceSession open(SourceRef source, SourceContext context) throws IOException {
            SourceSession inner = delegate.open(source, context);
            return new SourceSession() {
                @Override
                public SourceRef source() {
                    return inner.source();
                }

                @Override
                public RemoteFile stat(String path) throws IOException {
                    return inner.stat(path);
                }

                @Override
                public java.util.Optional<Path> localPath(String path) {
                    return inner.localPath(path);
                }

                @Override
                public List<RemoteFile> list() throws IOException {
                    return inner.list();
                }

                @Override
                public InputStream read(String path, long offset, long length) throws IOException {
                    opens.incrementAndGet();
                    try {
                        Thread.sleep(50); // a slow source: the other threads arrive while this one works
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new java.io.FilterInputStream(inner.read(path, offset, length)) {
                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = super.read(b, off, len);
                            if (n > 0) {
                                bytes.addAndGet(n);
                            }
                            return n;
                        }
                    };
                }
            };
        }
    }

    @Test
    void eightThreadsEnsuringOneModelGetTheSamePathAndTheSourceIsReadOnce() throws Exception {
        Fixtures.TestModel m = model("busy@1.0.0", 5);
        m.sources.clear();
        m.sources(local.resolve("src").toUri().toString());
        m.writeTo(local.resolve("src"));
        Fixtures.writeManifest(local.resolve("models.toml"), m);
        ModelEnsurer ensurer = Fixtures.ensurer(root, local.resolve("models.toml"), local);
        CountingBackend counting = new CountingBackend();
        ensurer.addStorageBackend(counting);
        List<dev.wan.event.WanEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        ensurer.addListener(events::add);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Path>> futures = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            futures.add(pool.submit(() -> {
                start.await();
                return ensurer.ensure("busy@1.0.0", null);
            }));
        }

        start.countDown();
        List<Path> paths = new ArrayList<>();
        for (Future<Path> f : futures) {
            paths.add(f.get(30, TimeUnit.SECONDS));
        }
        pool.shutdown();

        assertEquals(8, paths.size());
        paths.forEach(p -> assertEquals(root.resolve("wan22/busy@1.0.0"), p));
        assertEquals(3, counting.opens.get(), "each file is opened once at the source");
        assertEquals(m.totalBytes(), counting.bytes.get(), "each byte is read once");
        assertEquals(ModelState.COMPLETE, ensurer.status("busy@1.0.0").state());
        assertEquals(List.of(), Fixtures.listTree(root.resolve(".tmp")));
        assertTrue(events.stream().anyMatch(e -> e instanceof dev.wan.event.WanEvent.LockWaiting),
                "some threads waited for the one doing the work");
        assertEquals(1, events.stream().filter(e -> e instanceof dev.wan.event.WanEvent.EnsureStarted).count(),
                "exactly one thread did the work");
    }

    /** {@code count://DIR}: files under {@code base/DIR}, a scheme no built-in backend knows. */
    static final class CustomSchemeBackend implements StorageBackend {
        final Path base;
        public final AtomicInteger opens = new AtomicInteger();

        CustomSchemeBackend(Path base) {
            this.base = base;
        }

        @Override
        public Set<String> schemes() {
            return Set.of("count");
        }

        private Path file(SourceRef source, String path) {
            return base.resolve(source.uri().substring("count://".length())).resolve(path);
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
                    return new RemoteFile(path, Files.size(file(source, path)), null);
                }

                @Override
                public InputStream read(String path, long offset, long length) throws IOException {
                    opens.incrementAndGet();
                    InputStream in = java.nio.channels.Channels.newInputStream(
                            java.nio.channels.FileChannel.open(file(source, path)).position(offset));
                    return length < 0 ? in : new dev.wan.internal.io.BoundedInputStream(in, length);
                }

                @Override
                public List<RemoteFile> list() {
                    return List.of();
                }
            };
        }
    }

    @Test
    void aBackendPassedAtCreationServesSourcesWithItsCustomScheme() {
        Fixtures.TestModel m = model("custom@1.0.0", 8);
        m.sources.clear();
        m.sources("count://src");
        m.writeTo(local.resolve("src"));
        Fixtures.writeManifest(local.resolve("models.toml"), m);
        CustomSchemeBackend custom = new CustomSchemeBackend(local);

        ModelEnsurer ensurer = ModelEnsurer.create(new dev.wan.WanConfig(root, local.resolve("models.toml"), local,
                java.time.Duration.ofSeconds(30)), java.time.Clock.systemUTC(), List.of(custom));
        Path dir = ensurer.ensure("custom@1.0.0", null);

        assertEquals(3, custom.opens.get());
        assertEquals(ModelState.COMPLETE, ensurer.status("custom@1.0.0").state());
        assertEquals(Fixtures.sha256(m.content("weights/a.safetensors")),
                Fixtures.sha256(dir.resolve("weights/a.safetensors")));
    }

    @Test
    void aStagingLeftoverOfACrashedRunIsRemovedByTheNextEnsureOfThatModelOnly() throws Exception {
        Fixtures.TestModel m = model("crash@1.0.0", 9);
        m.writeTo(local.resolve(m.id()));
        Fixtures.writeManifest(local.resolve("models.toml"), m);
        Fixtures.write(root.resolve(".tmp/crash@1.0.0.deadbeef/junk"), Fixtures.bytes(1000, 1));
        Fixtures.write(root.resolve(".tmp/other@1.0.0.cafebabe/weights.part"), Fixtures.bytes(1000, 2));
        ModelEnsurer ensurer = Fixtures.ensurer(root, local.resolve("models.toml"), local);

        ensurer.ensure("crash@1.0.0", null);

        assertEquals(List.of("other@1.0.0.cafebabe", "other@1.0.0.cafebabe/weights.part"),
                Fixtures.listTree(root.resolve(".tmp")), "another model's staging is not this ensure's business");
        assertEquals(ModelState.COMPLETE, ensurer.status("crash@1.0.0").state());
    }
}
