package dev.wan.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only pause points: an end-to-end test kills a real wan process at an exact moment instead of
 * racing it with a polling loop. Inert unless the JVM is started with
 * {@code -Dwan.test.pauseAt=<POINT>:<n> -Dwan.test.pausedFile=<file>} (system properties, never
 * environment variables, so no user's environment can switch it on): the n-th time the process
 * reaches POINT, the thread that reached it creates {@code <file>} and then blocks until the process
 * is killed. With {@code -Dwan.test.pauseUntil=interrupt} it blocks until its thread is interrupted
 * instead, and then returns with the interrupt set (how {@code wan shell} cancels a command: a test
 * presses Ctrl-C while the command is paused). Not a feature: the README does not mention it and
 * wan never sets it.
 */
public final class TestHooks {
    /** The places a test can stop a process at. */
    public enum Point {
        /** gc moved a model's directory into .trash; its state file is not deleted yet, the lock still held. */
        GC_TRASHED,
        /** A buffer of bytes was written to a staged file by a local or deduplicated copy. */
        STAGED_WRITE,
        /** A migration placed one model (committed, its step journaled) and is about to place the next. */
        MIGRATE_MODEL_PLACED
    }

    private static final Pause PAUSE = Pause.parse(System.getProperty("wan.test.pauseAt"),
            System.getProperty("wan.test.pausedFile"), "interrupt".equals(System.getProperty("wan.test.pauseUntil")));

    private TestHooks() {
    }

    /** Called where {@code point} happens; a no-op unless a test asked to pause there. */
    public static void reached(Point point) {
        if (PAUSE != null) {
            PAUSE.reached(point);
        }
    }

    private record Pause(Point point, long nth, Path pausedFile, boolean untilInterrupt, AtomicLong hits) {
        static Pause parse(String at, String file, boolean untilInterrupt) {
            if (at == null) {
                return null;
            }
            int colon = at.indexOf(':');
            if (colon < 0 || file == null) {
                throw new IllegalArgumentException("wan.test.pauseAt=POINT:n needs wan.test.pausedFile too");
            }
            return new Pause(Point.valueOf(at.substring(0, colon)), Long.parseLong(at.substring(colon + 1)),
                    Path.of(file), untilInterrupt, new AtomicLong());
        }

        void reached(Point p) {
            if (p != point || hits.incrementAndGet() != nth) {
                return;
            }
            try {
                Files.createFile(pausedFile);
            } catch (FileAlreadyExistsException e) {
                // another run's marker: the test chose the path, it will still see it
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            while (true) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    if (untilInterrupt) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    // only the kill the test is about to send ends this
                }
            }
        }
    }
}
