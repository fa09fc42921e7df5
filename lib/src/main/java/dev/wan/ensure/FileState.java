package dev.wan.ensure;

/** The state of one file at its final path, from a stat and the state file (no hashing). */
public enum FileState {
    /** Present, declared size, content verified and unchanged since (same size and mtime). */
    OK,
    MISSING,
    /** Present with a size other than the manifest's. */
    SIZE_MISMATCH,
    /** Present with the right size but not verified, or changed since it was verified. */
    UNVERIFIED,
    /** The last verify found content that does not match. */
    CORRUPT
}
