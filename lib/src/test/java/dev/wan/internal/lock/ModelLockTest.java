package dev.wan.internal.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two threads of one JVM competing for a model lock. */
class ModelLockTest {
    private static final Clock CLOCK = Clock.systemUTC();

    @TempDir
    Path root;

    private Path lockFile() {
        return root.resolve(".locks/m@1.0.0.lock");
    }

    private ModelLock acquire(Duration timeout) {
        return ModelLock.acquire(lockFile(), "model m@1.0.0", "ensure", timeout, CLOCK, h -> { });
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void aSecondAcquireTimesOutWithLockTimeoutNamingTheHoldersPidAndHost() throws Exception {
        List<ModelLock.Holder> told = new CopyOnWriteArrayList<>();

        try (ModelLock held = acquire(Duration.ofSeconds(5))) {
            long started = System.nanoTime();
            WanException e = CompletableFuture.supplyAsync(() -> assertThrows(WanException.class,
                    () -> ModelLock.acquire(lockFile(), "model m@1.0.0", "ensure", Duration.ofMillis(300), CLOCK,
                            told::add))).get(10, TimeUnit.SECONDS);
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertEquals(ErrorCode.LOCK_TIMEOUT, e.code());
            assertTrue(e.getMessage().contains("model m@1.0.0"), e.getMessage());
            assertTrue(e.getMessage().contains("pid=" + ProcessHandle.current().pid() + " "), e.getMessage());
            assertTrue(e.getMessage().contains("host="), e.getMessage());
            assertTrue(waitedMillis >= 250, "gave up after " + waitedMillis + " ms, before the timeout");
            assertEquals(1, told.size(), "the waiter is told once who holds the lock");
            assertTrue(told.get(0).toString().contains("purpose=ensure"), told.get(0).toString());
        }
    }

    @Test
    void aWaiterGetsTheLockOnceTheHolderReleasesIt() throws Exception {
        ModelLock held = acquire(Duration.ofSeconds(5));
        CompletableFuture<ModelLock> waiter = CompletableFuture.supplyAsync(() -> acquire(Duration.ofSeconds(10)));
        Thread.sleep(200);
        assertFalse(waiter.isDone(), "the waiter must wait while the lock is held");

        held.close();
        ModelLock second = waiter.get(10, TimeUnit.SECONDS);

        assertEquals(lockFile(), second.file());
        second.close();
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void currentHolderReportsTheHolderWhileHeldAndNothingAfter() {
        Optional<ModelLock.Holder> during;
        try (ModelLock held = acquire(Duration.ofSeconds(5))) {
            during = ModelLock.currentHolder(lockFile());
        }

        Optional<ModelLock.Holder> after = ModelLock.currentHolder(lockFile());

        assertTrue(during.isPresent());
        assertTrue(during.get().toString().startsWith("pid=" + ProcessHandle.current().pid() + " host="),
                during.get().toString());
        assertEquals(Optional.empty(), after);
        assertTrue(Files.exists(lockFile()), "the lock file is never deleted");
    }

    @Test
    void currentHolderOfALockNeverTakenIsEmpty() {
        assertEquals(Optional.empty(), ModelLock.currentHolder(lockFile()));
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void aThreadCannotTakeTheLockTwiceAndATimedOutAttemptLeaksNothing() {
        try (ModelLock held = acquire(Duration.ofSeconds(5))) {
            WanException e = assertThrows(WanException.class, () -> acquire(Duration.ofMillis(100)));

            assertEquals(ErrorCode.LOCK_TIMEOUT, e.code());
        }
        try (ModelLock again = acquire(Duration.ofMillis(100))) {
            assertEquals(lockFile(), again.file(), "a timed-out attempt must not leak the permit");
        }
    }

    @Test
    void probesOfManyThreadsAtOnceNeverReportEachOtherAsTheHolder() throws Exception {
        acquire(Duration.ofSeconds(5)).close(); // the lock file exists, nobody holds it
        int threads = 8;
        int rounds = 300;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        List<String> falseHolders = new CopyOnWriteArrayList<>();

        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        if (i % 50 == 0) {
                            start.await(); // line the threads up again, so their probes overlap
                        }
                        ModelLock.currentHolder(lockFile()).ifPresent(h -> falseHolders.add(h.toString()));
                    }
                    return null;
                }));
            }
            for (var f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertEquals(List.of(), falseHolders.stream().distinct().toList(), "nobody holds the lock");
    }

    @SuppressWarnings({"try", "FutureReturnValueIgnored"}) // the lock is held for the block; probers stop by flag
    @Test
    void aHolderGetsTheLockWhileManyThreadsKeepProbingAndTheyThenSeeIt() throws Exception {
        acquire(Duration.ofSeconds(5)).close();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        for (int t = 0; t < 8; t++) {
            pool.submit(() -> {
                while (!stop.get()) {
                    ModelLock.currentHolder(lockFile());
                }
            });
        }

        try (ModelLock held = CompletableFuture.supplyAsync(() -> acquire(Duration.ofSeconds(30))).get(60, TimeUnit.SECONDS)) {
            List<Optional<ModelLock.Holder>> seen = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                seen.add(ModelLock.currentHolder(lockFile()));
            }

            assertTrue(seen.stream().allMatch(h -> h.isPresent() && h.get().toString().contains("purpose=ensure")),
                    seen.toString());
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        assertEquals(Optional.empty(), ModelLock.currentHolder(lockFile()), "released: nobody holds it");
    }
}
