package dev.wan.internal.ensure;

import dev.wan.event.EventListener;
import dev.wan.event.WanEvent;
import dev.wan.manifest.ModelId;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Batches byte counts so listeners see one event per ~4 MiB, or per 200 ms on a slow link,
 * instead of one per 64 KiB buffer: a fast download is not an event storm, a slow one still
 * moves its progress bar several times a second. Safe for the several download threads of a file.
 */
public final class ProgressThrottle implements LongConsumer {
    static final long STEP = 4L << 20;
    static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private final LongConsumer sink;
    private final LongSupplier nanoTime;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong lastSent;

    public ProgressThrottle(LongConsumer sink) {
        this(sink, System::nanoTime);
    }

    /** Progress of one file of one model as {@link WanEvent.BytesTransferred} events. */
    public static ProgressThrottle of(EventListener events, Clock clock, ModelId id, String path) {
        return new ProgressThrottle(n -> events.on(new WanEvent.BytesTransferred(clock.instant(), id, path, n)));
    }

    ProgressThrottle(LongConsumer sink, LongSupplier nanoTime) {
        this.sink = sink;
        this.nanoTime = nanoTime;
        this.lastSent = new AtomicLong(nanoTime.getAsLong());
    }

    @Override
    public void accept(long bytes) {
        long now = pending.addAndGet(bytes);
        long t = nanoTime.getAsLong();
        if (now >= STEP || t - lastSent.get() >= INTERVAL_NANOS) {
            lastSent.set(t);
            long taken = pending.getAndSet(0); // threads racing here: only one takes the bytes
            if (taken > 0) {
                sink.accept(taken);
            }
        }
    }

    /** Sends what is still pending (the end of a file that did not fill a last step). */
    public void flush() {
        long taken = pending.getAndSet(0);
        if (taken > 0) {
            sink.accept(taken);
        }
    }
}
