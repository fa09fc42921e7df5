package dev.wan.store;

import java.util.Optional;

/** How a file's content was last checked; {@link #wire} is its spelling in the state file ({@code "check"}). */
public enum Check {
    /** The content matched the manifest's sha256. */
    SHA256("sha256"),
    /** No sha256 in the manifest; the source stated one (Hub X-Linked-Etag, S3 checksum) and it matched. */
    UPSTREAM_SHA256("upstream-sha256"),
    /** No digest anywhere: only the size could be checked. */
    SIZE_ONLY("size"),
    /** The last verify found a mismatch. */
    CORRUPT("corrupt");

    private final String wire;

    Check(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Whether the recorded sha256 is a checked digest of the content (what dedup may link by). */
    public boolean provesDigest() {
        return this == SHA256 || this == UPSTREAM_SHA256;
    }

    public static Optional<Check> ofWire(String text) {
        for (Check c : values()) {
            if (c.wire.equals(text)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
