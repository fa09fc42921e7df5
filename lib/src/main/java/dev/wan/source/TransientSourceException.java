package dev.wan.source;

import dev.wan.ErrorCode;
import java.io.IOException;
import java.time.Duration;

/**
 * A failure that may pass: the caller retries (from the bytes it has) after {@code retryAfter}
 * when the server said how long to wait, else after its own backoff. {@code code} is what the
 * failure becomes when the retry budget runs out (RATE_LIMIT, NETWORK_TIMEOUT, SOURCE_UNAVAILABLE).
 */
public final class TransientSourceException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final Duration retryAfter;

    public TransientSourceException(ErrorCode code, String message, Duration retryAfter) {
        super(message);
        this.code = code;
        this.retryAfter = retryAfter;
    }

    public ErrorCode code() {
        return code;
    }

    /** Null when the server gave no hint. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
