package dev.wan.gc;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * What a collection would do, computed without changing anything. Immutable.
 *
 * @param storeBytes bytes held by the model directories now (each inode once)
 * @param freeBytes  usable bytes on the filesystem of MODELS_ROOT now
 * @param goalMet    whether the planned deletions bring the store within the size and free-space
 *                   limits (false when pinned or in-use models stand in the way)
 */
public record GcPlan(Instant at, GcPolicy policy, long storeBytes, long freeBytes, List<Deletion> deletions,
                     List<Preserved> preserved, List<Leftover> leftovers, boolean goalMet) {
    public GcPlan {
        deletions = List.copyOf(deletions);
        preserved = List.copyOf(preserved);
        leftovers = List.copyOf(leftovers);
    }

    /** Why a model is deleted. */
    public enum Reason { TOO_OLD, OVER_SIZE, LOW_DISK }

    /**
     * Why a model on disk is kept ({@code FAILED}: deleting it failed, e.g. permissions; detail says
     * why; {@code UNREADABLE_STATE}: its state file or pin marker is damaged, so whether it is
     * pinned is unknown; {@code wan ensure} rewrites the state).
     */
    public enum Keep { PINNED, IN_USE, SYMLINKED, WITHIN_LIMITS, NOT_A_MODEL, FAILED, UNREADABLE_STATE }

    /** Kinds of leftovers collected besides models. */
    public enum Kind { TRASH, STALE_TMP, ORPHAN_STATE }

    /**
     * A model to delete. {@code bytesFreed}: what deleting it frees given the deletions planned
     * before it (a file hardlinked from a kept model or from outside the store frees nothing).
     * {@code lastUsed}: lastUsed, else completedAt, else the directory's mtime.
     */
    public record Deletion(String model, Reason reason, long bytesFreed, Instant lastUsed, Path directory) {
    }

    public record Preserved(String model, Keep reason, String detail) {
    }

    public record Leftover(Path path, Kind kind, long bytes) {
    }

    /** Bytes the planned deletions and leftovers free together. */
    public long bytesToFree() {
        return deletions.stream().mapToLong(Deletion::bytesFreed).sum()
                + leftovers.stream().mapToLong(Leftover::bytes).sum();
    }
}
