package dev.wan.testkit.hub;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Something the test server does wrong, on purpose: for the first {@link #times(int) N} matching
 * requests (or always), for one file or all, in some {@link Phase phases}.
 *
 * <pre>{@code
 * hub.fault(Fault.status(503).times(3));                         // a 5xx burst on any request
 * hub.fault(Fault.cutAfter(1 << 20).times(1).on("model.bin"));   // body cut after 1 MiB, once
 * hub.fault(Fault.rateCap(20 << 20));                            // 20 MB/s per connection, always
 * }</pre>
 */
public final class Fault {
    /** Which requests a fault may hit. */
    public enum Phase {
        /** {@code /api/...} (revision, tree). */
        API,
        /** Every HEAD. */
        HEAD,
        /** Every GET that carries file bytes (CDN, resolve-cache, static files). */
        DOWNLOAD
    }

    enum Kind { STATUS, TOO_MANY, CUT, STALL, WRONG_BYTES, IGNORE_RANGE, RATE_CAP }

    final Kind kind;
    final int status;
    final long bytes;
    final Duration duration;
    private final AtomicInteger remaining = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger spared = new AtomicInteger();
    private final AtomicInteger hits = new AtomicInteger();
    private Set<Phase> phases;
    private String path;
    private String repo;

    private Fault(Kind kind, int status, long bytes, Duration duration, Set<Phase> phases) {
        this.kind = kind;
        this.status = status;
        this.bytes = bytes;
        this.duration = duration;
        this.phases = phases;
    }

    /** Answer with this status (5xx: a server error burst; 408 …). Any phase. */
    public static Fault status(int code) {
        return new Fault(Kind.STATUS, code, 0, null, EnumSet.allOf(Phase.class));
    }

    /** 429 with {@code RateLimit: "resolvers";r=0;t=N} and {@code Retry-After: N}. Any phase. */
    public static Fault tooManyRequests(int resetSeconds) {
        return new Fault(Kind.TOO_MANY, 429, 0, Duration.ofSeconds(resetSeconds), EnumSet.allOf(Phase.class));
    }

    /** Send the full headers, then only {@code afterBytes} bytes of the body, then close the connection. */
    public static Fault cutAfter(long afterBytes) {
        return new Fault(Kind.CUT, 0, afterBytes, null, EnumSet.of(Phase.DOWNLOAD));
    }

    /** Send the headers and {@code afterBytes} bytes, then nothing for {@code silence}, then close. */
    public static Fault stall(long afterBytes, Duration silence) {
        return new Fault(Kind.STALL, 0, afterBytes, silence, EnumSet.of(Phase.DOWNLOAD));
    }

    /** Serve the right number of bytes, with the first byte of each answer flipped. */
    public static Fault wrongBytes() {
        return new Fault(Kind.WRONG_BYTES, 0, 0, null, EnumSet.of(Phase.DOWNLOAD));
    }

    /** Answer a Range request with 200 and the whole file. */
    public static Fault ignoreRange() {
        return new Fault(Kind.IGNORE_RANGE, 0, 0, null, EnumSet.of(Phase.DOWNLOAD));
    }

    /** At most this many body bytes per second on each connection (as CDNs do). */
    public static Fault rateCap(long bytesPerSecond) {
        return new Fault(Kind.RATE_CAP, 0, bytesPerSecond, null, EnumSet.of(Phase.DOWNLOAD));
    }

    /** Only the first {@code n} matching requests. */
    public Fault times(int n) {
        remaining.set(n);
        return this;
    }

    /** Not the first {@code n} matching requests (they are answered normally), only those after. */
    public Fault after(int n) {
        spared.set(n);
        return this;
    }

    /** Only requests for this file path (repository-relative, or the static path). */
    public Fault on(String filePath) {
        this.path = filePath;
        return this;
    }

    /** Only requests about this repository ({@code org/name}); static files belong to none. */
    public Fault inRepo(String repoId) {
        this.repo = repoId;
        return this;
    }

    public Fault in(Phase first, Phase... more) {
        this.phases = EnumSet.of(first, more);
        return this;
    }

    /** How many requests this fault has hit so far. */
    public int hits() {
        return hits.get();
    }

    /** Whether this fault applies to a request, counting it if so. */
    boolean take(Phase phase, String repoId, String filePath) {
        if (!phases.contains(phase) || path != null && !path.equals(filePath) || repo != null && !repo.equals(repoId)) {
            return false;
        }
        if (spared.get() > 0 && spared.getAndDecrement() > 0) {
            return false;
        }
        while (true) {
            int left = remaining.get();
            if (left <= 0) {
                return false;
            }
            if (left == Integer.MAX_VALUE || remaining.compareAndSet(left, left - 1)) {
                hits.incrementAndGet();
                return true;
            }
        }
    }

    @Override
    public String toString() {
        return "Fault[" + kind + (path == null ? "" : " on " + path) + " " + phases + "]";
    }
}
