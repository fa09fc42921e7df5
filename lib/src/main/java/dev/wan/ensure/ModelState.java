package dev.wan.ensure;

/** A model's state, computed from its required files. */
public enum ModelState {
    NOT_PRESENT,
    PARTIAL,
    /** A {@code verify} of this model is running in some process right now. */
    VERIFYING,
    COMPLETE,
    CORRUPT
}
