package dev.wan.ensure;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently a transfer retries: exponential backoff with jitter, or the wait a
 * server asked for (Retry-After, RateLimit t=). Attempts count consecutive failures without
 * progress, so a long download over a flaky link never runs out while it still moves.
 * Environment: WAN_RETRIES (default 6), WAN_RETRY_BASE_MILLIS (default 250).
 */
record RetryPolicy(int attempts, Duration base, Duration cap) {
    static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofMillis(250), Duration.ofSeconds(20));
    /** A server may not make us wait longer than this for one retry. */
    static final Duration MAX_SERVER_WAIT = Duration.ofMinutes(5);

    static RetryPolicy from(Map<String, String> env) {
        int attempts = SourceContexts.wholeNumber(env, "WAN_RETRIES", DEFAULT.attempts(), 0);
        long base = SourceContexts.wholeNumber(env, "WAN_RETRY_BASE_MILLIS", (int) DEFAULT.base().toMillis(), 0);
        return new RetryPolicy(attempts, Duration.ofMillis(base), DEFAULT.cap());
    }

    /** The wait before retry number {@code attempt} (1-based). */
    Duration delay(int attempt, Duration serverHint) {
        if (serverHint != null) {
            return serverHint.compareTo(MAX_SERVER_WAIT) > 0 ? MAX_SERVER_WAIT : serverHint;
        }
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(20, attempt - 1));
        // "equal jitter": half fixed, half random, so retries of many connections spread out
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
