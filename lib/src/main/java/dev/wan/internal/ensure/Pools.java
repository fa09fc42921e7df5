package dev.wan.internal.ensure;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** Ending a worker pool: what runs after (staging cleanup, lock release) must not race a worker still writing. */
public final class Pools {
    private Pools() {
    }

    /** Interrupts the workers and waits until every one has ended (see {@link #awaitEnd}). */
    public static void stopAndWait(ExecutorService pool) {
        pool.shutdownNow();
        awaitEnd(pool);
    }

    /**
     * Waits until every worker of a shut-down pool has ended. The wait is not cut short by an
     * interrupt of the caller (that is re-asserted afterwards): workers end on their own, their
     * transfers being bounded by the stall timeout.
     */
    static void awaitEnd(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
