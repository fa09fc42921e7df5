package dev.wan.ensure;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Batches byte counts so listeners see one event per ~4 MiB instead of one per 64 KiB buffer.
 * Safe for the several download threads of one file.
 */
final class ProgressThrottle implements LongConsumer {
    private static final long STEP = 4L << 20;
    private final LongConsumer sink;
    private final AtomicLong pending = new AtomicLong();

    ProgressThrottle(LongConsumer sink) {
        this.sink = sink;
    }

    @Override
    public void accept(long bytes) {
        long now = pending.addAndGet(bytes);
        if (now >= STEP) {
            long taken = pending.getAndSet(0);
            if (taken > 0) {
                sink.accept(taken);
            }
        }
    }
}
