package dev.wan.cli;

import java.util.ArrayDeque;
import java.util.OptionalDouble;

/**
 * Bytes per second over the last few seconds, from (time, bytes done) samples. There is no rate until
 * bytes have moved over at least {@link #MIN_SPAN_NANOS}: a bar must not promise an ETA from the first
 * buffer (or from nothing). A stall drops the rate to 0 once the window holds only the stall.
 */
final class RateWindow {
    static final long MIN_SPAN_NANOS = 1_000_000_000L;
    private static final long WINDOW_NANOS = 5_000_000_000L;

    private record Sample(long nanos, long done) {
    }

    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    /** When the first byte was seen (the clock starts there, not at the start of the command). */
    private Sample firstMove;

    synchronized void sample(long nanos, long done) {
        if (firstMove == null) {
            if (done <= 0) {
                return;
            }
            firstMove = new Sample(nanos, done);
        }
        samples.addLast(new Sample(nanos, done));
        while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > WINDOW_NANOS) {
            samples.removeFirst();
        }
    }

    synchronized OptionalDouble rate() {
        if (samples.size() < 2) {
            return OptionalDouble.empty();
        }
        Sample first = samples.peekFirst();
        Sample last = samples.peekLast();
        long span = last.nanos() - first.nanos();
        if (last.nanos() - firstMove.nanos() < MIN_SPAN_NANOS || span <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Math.max(0, last.done() - first.done()) * 1e9 / span);
    }
}
