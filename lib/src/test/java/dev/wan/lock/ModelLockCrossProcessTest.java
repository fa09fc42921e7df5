package dev.wan.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.lock.ModelLock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock against a real second JVM: kernel file locks, kill -9, and this JVM's own fds. */
class ModelLockCrossProcessTest {
    private static final Clock CLOCK = Clock.systemUTC();

    @TempDir
    Path root;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private Path lockFile() {
        return root.resolve(".locks/m@1.0.0.lock");
    }

    private Process child(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                LockHolderMain.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        children.add(p);
        return p;
    }

    /** The child's first line of output, within 20 s. */
    private static String firstLine(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return r.readLine();
            } catch (java.io.IOException e) {
                return "IOException " + e;
            }
        }).get(20, TimeUnit.SECONDS);
        return line == null ? "(no output, exit " + p.waitFor() + ")" : line;
    }

    @Test
    void aLockHeldByAnotherProcessTimesOutNamingItsPidAndIsFreedWhenThatProcessIsKilled() throws Exception {
        Process holder = child("hold", lockFile().toString());
        assertEquals("LOCKED", firstLine(holder));

        WanException e = assertThrows(WanException.class, () -> ModelLock.acquire(lockFile(), "model m@1.0.0",
                "ensure", Duration.ofMillis(400), CLOCK, h -> { }));
        holder.destroyForcibly();
        assertTrue(holder.waitFor(10, TimeUnit.SECONDS));

        assertEquals(ErrorCode.LOCK_TIMEOUT, e.code());
        assertTrue(e.getMessage().contains("pid=" + holder.pid() + " "), e.getMessage());
        assertTrue(e.getMessage().contains("host="), e.getMessage());
        try (ModelLock mine = ModelLock.acquire(lockFile(), "model m@1.0.0", "ensure", Duration.ofSeconds(5), CLOCK,
                h -> { })) {
            assertEquals(lockFile(), mine.file(), "kill -9 leaves no stale lock");
        }
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void anotherProcessCannotTakeALockThisProcessHolds() throws Exception {
        try (ModelLock held = ModelLock.acquire(lockFile(), "model m@1.0.0", "ensure", Duration.ofSeconds(5), CLOCK,
                h -> { })) {
            String line = firstLine(child("try", lockFile().toString(), "300"));

            assertTrue(line.startsWith("LOCK_TIMEOUT"), line);
            assertTrue(line.contains("pid=" + ProcessHandle.current().pid() + " "), line);
        }
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void askingWhoHoldsTheLockInThisProcessDoesNotDropTheKernelLock() throws Exception {
        try (ModelLock held = ModelLock.acquire(lockFile(), "model m@1.0.0", "ensure", Duration.ofSeconds(5), CLOCK,
                h -> { })) {
            assertTrue(ModelLock.currentHolder(lockFile()).isPresent());

            String line = firstLine(child("try", lockFile().toString(), "300"));

            assertTrue(line.startsWith("LOCK_TIMEOUT"), "a status probe let another process in: " + line);
        }
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void aThreadWaitingInThisProcessDoesNotDropTheKernelLockOfTheHolder() throws Exception {
        try (ModelLock held = ModelLock.acquire(lockFile(), "model m@1.0.0", "ensure", Duration.ofSeconds(5), CLOCK,
                h -> { })) {
            WanException waited = CompletableFuture.supplyAsync(() -> assertThrows(WanException.class,
                    () -> ModelLock.acquire(lockFile(), "model m@1.0.0", "ensure", Duration.ofMillis(100), CLOCK,
                            h -> { }))).get(10, TimeUnit.SECONDS);
            assertEquals(ErrorCode.LOCK_TIMEOUT, waited.code());

            String line = firstLine(child("try", lockFile().toString(), "300"));

            assertTrue(line.startsWith("LOCK_TIMEOUT"), "a waiting thread let another process in: " + line);
        }
    }
}
