package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.ensure.Fixtures;
import dev.wan.event.WanEvent;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job runner behind {@code POST /models/ID/ensure}: its bounds, its listener, its stop. */
class ServeJobsTest {
    @TempDir
    Path work;

    private Path root;
    private WanConfig config;

    @BeforeEach
    void threeModels() throws Exception {
        Fixtures.TestModel[] models = new Fixtures.TestModel[3];
        for (int i = 0; i < models.length; i++) {
            models[i] = new Fixtures.TestModel("m" + i + "@1.0.0").file("f.bin", Fixtures.bytes(100, i))
                    .sources(work.resolve("src/m" + i).toUri().toString());
            models[i].writeTo(work.resolve("src/m" + i));
        }
        Path manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, models);
        root = work.resolve("root");
        Files.createDirectories(root);
        config = WanConfig.resolve(Map.of("HOME", "/nonexistent-home-for-wan-tests"), root, manifest);
    }

    private static ServeJob finished(ServeJob job) throws InterruptedException {
        for (int i = 0; i < 1200 && !job.state().done(); i++) {
            Thread.sleep(50);
        }
        assertTrue(job.state().done(), "job " + job.key() + " did not finish in a minute");
        return job;
    }

    @Test
    void theOldestFinishedJobsAreForgottenBeyondWhatIsRemembered() throws Exception {
        try (ServeJobs jobs = new ServeJobs(config, dev.wan.event.EventListener.NONE, 1, 4, 2)) {
            ServeJob first = finished(jobs.submit("m0@1.0.0", null).job());
            ServeJob second = finished(jobs.submit("m1@1.0.0", null).job());
            ServeJob third = finished(jobs.submit("m2@1.0.0", null).job());

            assertEquals(ServeJob.State.SUCCEEDED, third.state());
            assertTrue(jobs.find(first.id()).isEmpty(), "the oldest is forgotten");
            assertTrue(jobs.find(second.id()).isPresent());
            assertTrue(jobs.find(third.id()).isPresent());
        }
    }

    @Test
    void theExtraListenerHearsEveryJobsEvents() throws Exception {
        List<WanEvent> heard = new CopyOnWriteArrayList<>();
        try (ServeJobs jobs = new ServeJobs(config, heard::add, 2, 4, 10)) {
            finished(jobs.submit("m0@1.0.0", null).job());
            finished(jobs.submit("m1@1.0.0", null).job());
        }

        assertEquals(List.of("m0@1.0.0", "m1@1.0.0"), heard.stream().filter(e -> e instanceof WanEvent.EnsureFinished)
                .map(e -> e.model().toString()).sorted().toList());
    }

    @SuppressWarnings("try") // the lock is held for the block
    @Test
    void closeFailsRunningAndQueuedJobsAsInterruptedAndRefusesNewOnes() throws Exception {
        ServeJob running;
        ServeJob queued;
        ServeJobs jobs = new ServeJobs(config, dev.wan.event.EventListener.NONE, 1, 4, 10);
        try (ModelLock held = ModelLock.acquire(new StoreLayout(root).lockFile(ModelId.parse("m0@1.0.0")), "model m0",
                "test", Duration.ofSeconds(10), Clock.systemUTC(), h -> { })) {
            running = jobs.submit("m0@1.0.0", null).job();
            queued = jobs.submit("m1@1.0.0", null).job();
            for (int i = 0; i < 1200 && running.state() != ServeJob.State.RUNNING; i++) {
                Thread.sleep(50);
            }

            jobs.close();
        }

        assertEquals(ServeJob.State.FAILED, running.state());
        assertEquals(ServeJob.State.FAILED, queued.state());
        assertEquals(ErrorCode.INTERRUPTED.name(), running.json().get("error").get("code").asText(), running.json().toString());
        assertEquals(ErrorCode.INTERRUPTED.name(), queued.json().get("error").get("code").asText());
        ServeJobs.Refused refused = org.junit.jupiter.api.Assertions.assertThrows(ServeJobs.Refused.class,
                () -> jobs.submit("m2@1.0.0", null));
        assertTrue(refused.stopping());
    }
}
