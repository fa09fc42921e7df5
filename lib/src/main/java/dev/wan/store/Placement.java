package dev.wan.store;

import java.util.Optional;

/** How a file's bytes got to its final path; {@link #wire} is its spelling in the state file ({@code "how"}). */
public enum Placement {
    /** Copied from a local source. */
    COPIED("copied"),
    /** Hardlinked to a read-only local source. */
    LINKED("linked"),
    /** Fetched from a remote source. */
    DOWNLOADED("downloaded"),
    /** Found in place and hashed there. */
    ADOPTED("adopted"),
    /** Hardlinked to a trusted copy of the same sha256 in the store. */
    DEDUPLICATED("deduplicated"),
    /** Copied from a trusted copy of the same sha256 where a link was impossible. */
    DEDUPLICATED_COPY("deduplicated-copy");

    private final String wire;

    Placement(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** Whether the bytes came from content already in the store rather than from a source. */
    public boolean deduplicated() {
        return this == DEDUPLICATED || this == DEDUPLICATED_COPY;
    }

    public static Optional<Placement> ofWire(String text) {
        for (Placement p : values()) {
            if (p.wire.equals(text)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
