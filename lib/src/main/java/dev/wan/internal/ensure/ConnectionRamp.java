package dev.wan.internal.ensure;

/**
 * How many connections one file gets when WAN_CONNECTIONS is not set. Every extra connection costs
 * CPU (another TLS stream, chunks that arrive ahead of the hash front and are read back), and on
 * a fast path (loopback, a LAN mirror) one connection already saturates the machine; behind a
 * per-connection cap (CDNs, {@code limit_rate}) the aggregate grows with each one. So: start with
 * one, double while a doubling raises the aggregate rate by at least {@code minGain}, and when it
 * does not, go back to the last count that paid and stay there. The window right after a doubling
 * is not judged: new connections spend it connecting and sending their first request (measured on
 * a loaded machine, judging it settled a rate-capped download at 2 connections).
 *
 * <p>Pure and single-threaded: the caller measures (bytes moved over a window) and applies the answer.
 */
final class ConnectionRamp {
    /** A doubling must raise the rate by this factor to be kept (perfect scaling would give 2). */
    static final double MIN_GAIN = 1.25;

    private final int max;
    private final double minGain;
    private int current = 1;
    /** The rate measured at {@code current / 2} connections, before the last doubling (when {@code measured}). */
    private double before;
    private boolean measured;
    private boolean settled;
    /** The connections changed since the last window: that window is warm-up, not evidence. */
    private boolean warmingUp = true;

    ConnectionRamp(int max) {
        this(max, MIN_GAIN);
    }

    ConnectionRamp(int max, double minGain) {
        if (max < 1) {
            throw new IllegalArgumentException("max connections " + max);
        }
        this.max = max;
        this.minGain = minGain;
        this.settled = max == 1;
    }

    /** Connections to run now. */
    int connections() {
        return current;
    }

    boolean settled() {
        return settled;
    }

    /**
     * One measurement: {@code bytes} moved in {@code nanos} while {@link #connections()} were
     * running. Returns the connections to run from now on.
     */
    int observe(long bytes, long nanos) {
        if (settled || nanos <= 0) {
            return current;
        }
        if (warmingUp) {
            warmingUp = false;
            return current;
        }
        double rate = bytes / (double) nanos;
        if (measured && rate <= before * minGain) {
            current = Math.max(1, current / 2); // the last doubling did not pay: undo it
            settled = true;
            return current;
        }
        if (current >= max) {
            settled = true;
            return current;
        }
        before = rate;
        measured = true;
        current = Math.min(max, current * 2);
        warmingUp = true;
        return current;
    }
}
