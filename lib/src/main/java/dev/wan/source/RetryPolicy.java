package dev.wan.source;

import dev.wan.internal.http.RetryAfter;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how patiently every source retries (the downloader, HTTP and Hub metadata
 * requests, the S3 SDK): exponential backoff with "equal jitter", or the wait a server asked for
 * ({@link RetryAfter}), never more than {@link #MAX_SERVER_WAIT}. The downloader counts attempts
 * as consecutive failures without progress, so a long download over a flaky link never runs out
 * while it still moves. Read from WAN_RETRIES and WAN_RETRY_BASE_MILLIS by {@link dev.wan.WanSettings}.
 *
 * @param attempts retries after the first try before giving up
 * @param base     the first backoff; doubles per failure up to {@code cap}
 */
public record RetryPolicy(int attempts, Duration base, Duration cap) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofMillis(250), Duration.ofSeconds(20));
    /** A server may not make us wait longer than this for one retry. */
    public static final Duration MAX_SERVER_WAIT = Duration.ofMinutes(5);

    public RetryPolicy {
        if (attempts < 0 || base.isNegative() || cap.isNegative()) {
            throw new IllegalArgumentException("negative retry setting: " + attempts + ", " + base + ", " + cap);
        }
    }

    /** The wait before retry number {@code attempt} (1-based); {@code serverHint} (may be null) wins, capped. */
    public Duration delay(int attempt, Duration serverHint) {
        if (serverHint != null) {
            return serverHint.compareTo(MAX_SERVER_WAIT) > 0 ? MAX_SERVER_WAIT : serverHint;
        }
        long ceiling = Math.min(cap.toMillis(), base.toMillis() << Math.min(20, attempt - 1));
        // "equal jitter": half fixed, half random, so retries of many connections spread out
        long half = ceiling / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(half + 1));
    }
}
