package dev.wan.lock;

import dev.wan.WanException;
import dev.wan.internal.lock.ModelLock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * A second process for the cross-process lock tests.
 *
 * <ul>
 *   <li>{@code hold FILE}: acquires the lock, prints {@code LOCKED}, sleeps until killed.</li>
 *   <li>{@code try FILE MILLIS}: tries to acquire within MILLIS, prints {@code LOCKED} or
 *       {@code LOCK_TIMEOUT <message>}, and exits.</li>
 * </ul>
 */
public final class LockHolderMain {
    private LockHolderMain() {
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        Duration timeout = args.length > 2 ? Duration.ofMillis(Long.parseLong(args[2])) : Duration.ofSeconds(10);
        try (ModelLock lock = ModelLock.acquire(file, "model test@1.0.0", "test-" + args[0], timeout,
                Clock.systemUTC(), h -> { })) {
            System.out.println("LOCKED");
            System.out.flush();
            if (args[0].equals("hold")) {
                Thread.sleep(120_000);
            }
        } catch (WanException e) {
            System.out.println(e.code() + " " + e.getMessage());
            System.out.flush();
        }
    }
}
