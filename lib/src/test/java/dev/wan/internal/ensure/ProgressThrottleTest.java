package dev.wan.internal.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressThrottleTest {
    private final List<Long> sent = new ArrayList<>();
    private final AtomicLong clock = new AtomicLong();
    private final ProgressThrottle throttle = new ProgressThrottle(sent::add, clock::get);

    @Test
    void aFastDownloadSendsOneEventPerStep() {
        for (int i = 0; i < 128; i++) {
            throttle.accept(64 << 10); // 8 MiB in 64 KiB buffers, all within the same instant
        }

        assertEquals(List.of(ProgressThrottle.STEP, ProgressThrottle.STEP), sent);
    }

    @Test
    void aSlowDownloadStillSendsWhatItHasEveryInterval() {
        throttle.accept(10_000);
        clock.addAndGet(ProgressThrottle.INTERVAL_NANOS / 2);
        throttle.accept(10_000);
        clock.addAndGet(ProgressThrottle.INTERVAL_NANOS / 2);
        throttle.accept(10_000);
        throttle.accept(5_000);

        assertEquals(List.of(30_000L), sent);
    }

    @Test
    void flushSendsTheRestOnce() {
        throttle.accept(1000);

        throttle.flush();
        throttle.flush();

        assertEquals(List.of(1000L), sent);
    }
}
