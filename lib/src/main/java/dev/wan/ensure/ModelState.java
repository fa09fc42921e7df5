package dev.wan.ensure;

/** A model's state, computed from its required files. */
public enum ModelState {
    NOT_PRESENT,
    /** Some required files are missing (or a download was interrupted); the rest may be present. */
    PARTIAL,
    /**
     * Every required file is present at its declared size, but some changed since they were
     * verified (size, mtime or inode differ from the record) or were never verified: 'wan verify'
     * tells whether the bytes are still right, 'wan ensure' re-hashes them and replaces bad ones.
     */
    UNVERIFIED,
    /** A {@code verify} of this model is running in some process right now. */
    VERIFYING,
    COMPLETE,
    CORRUPT
}
