package dev.wan.testkit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many of something a test server was doing at once (bodies it was sending): the most since
 * the last {@link #reset}. Lets a test say "in parallel" from what the server saw, not from a clock.
 */
public final class InFlightGauge {
    private final AtomicInteger now = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();

    public void enter() {
        most.accumulateAndGet(now.incrementAndGet(), Math::max);
    }

    public void exit() {
        now.decrementAndGet();
    }

    public int most() {
        return most.get();
    }

    public void reset() {
        most.set(now.get());
    }
}
