package dev.wan.ensure;

import java.util.function.LongConsumer;

/** Batches byte counts so listeners see one event per ~4 MiB instead of one per 64 KiB buffer. */
final class ProgressThrottle implements LongConsumer {
    private static final long STEP = 4L << 20;
    private final LongConsumer sink;
    private long pending;

    ProgressThrottle(LongConsumer sink) {
        this.sink = sink;
    }

    @Override
    public void accept(long bytes) {
        pending += bytes;
        if (pending >= STEP) {
            sink.accept(pending);
            pending = 0;
        }
    }
}
