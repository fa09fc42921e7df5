package dev.wan.gc;

import java.time.Duration;

/**
 * What garbage collection aims for. Each limit is optional (null: no limit of that kind).
 *
 * @param maxTotalSize bytes the model directories may hold together (hardlinked bytes counted once)
 * @param maxModelAge  an unpinned model not used for longer than this is deleted
 * @param minFreeBytes low-disk threshold: delete least recently used models until the filesystem
 *                     of MODELS_ROOT has at least this much usable space
 * @param tmpGrace     {@code .tmp} entries untouched for longer than this are leftovers (default 24 h)
 */
public record GcPolicy(Long maxTotalSize, Duration maxModelAge, Long minFreeBytes, Duration tmpGrace) {
    public static final Duration DEFAULT_TMP_GRACE = Duration.ofHours(24);
    /** No limits: only leftovers (trash, stale .tmp, orphaned state) are collected. */
    public static final GcPolicy LEFTOVERS_ONLY = new GcPolicy(null, null, null, DEFAULT_TMP_GRACE);

    public GcPolicy {
        if (maxTotalSize != null && maxTotalSize < 0 || minFreeBytes != null && minFreeBytes < 0) {
            throw new IllegalArgumentException("sizes must not be negative");
        }
        if (maxModelAge != null && maxModelAge.isNegative()) {
            throw new IllegalArgumentException("maxModelAge must not be negative");
        }
        if (tmpGrace != null && tmpGrace.isNegative()) {
            // a negative grace would make every .tmp entry, even one being written now, a leftover
            throw new IllegalArgumentException("tmpGrace must not be negative");
        }
        tmpGrace = tmpGrace == null ? DEFAULT_TMP_GRACE : tmpGrace;
    }

    public static GcPolicy of(Long maxTotalSize, Duration maxModelAge, Long minFreeBytes) {
        return new GcPolicy(maxTotalSize, maxModelAge, minFreeBytes, DEFAULT_TMP_GRACE);
    }
}
