package dev.wan.event;

import dev.wan.ErrorCode;
import dev.wan.manifest.ModelId;
import dev.wan.store.Placement;
import java.nio.file.Path;
import java.time.Instant;

/**
 * What happens while wan works. One stream of these feeds the CLI progress bar, the TUI and
 * metrics; every event is an immutable value stamped with the time it happened.
 */
public sealed interface WanEvent {
    Instant at();

    ModelId model();

    /** An ensure found work to do: {@code bytesNeeded} of {@code bytesTotal} must be fetched. */
    record EnsureStarted(Instant at, ModelId model, String variant, int filesNeeded, long bytesNeeded,
                         long bytesTotal) implements WanEvent {
    }

    /** The model is locked by another process; this one waits (bounded). */
    record LockWaiting(Instant at, ModelId model, String holder) implements WanEvent {
    }

    record FileStarted(Instant at, ModelId model, String path, long size, String source) implements WanEvent {
    }

    /** Bytes written (or re-hashed) for one file since the previous event of this kind. */
    record BytesTransferred(Instant at, ModelId model, String path, long delta) implements WanEvent {
    }

    /** A source could not serve a file; the next source in priority order is tried. */
    record SourceFailed(Instant at, ModelId model, String path, String source, ErrorCode code, String reason)
            implements WanEvent {
        /**
         * Source, code and reason with this file's path left out: the same text for every file
         * one cause fails (a source down), so a reader can say it once.
         */
        public String cause() {
            return source + ": " + code + " " + (path.isEmpty() ? reason : reason.replace(path, "…"));
        }
    }

    /** A file is verified at its final place, put there as {@code how} says. */
    record FileCompleted(Instant at, ModelId model, String path, long size, String source, Placement how)
            implements WanEvent {
    }

    record EnsureFinished(Instant at, ModelId model, Path directory, long bytesFetched, long millis)
            implements WanEvent {
    }

    /** A verify re-hashes {@code files} present files, {@code bytes} in all (progress: BytesTransferred). */
    record VerifyStarted(Instant at, ModelId model, String variant, int files, long bytes) implements WanEvent {
    }

    record VerifyFinished(Instant at, ModelId model, boolean verified, long millis) implements WanEvent {
    }

    record EnsureFailed(Instant at, ModelId model, ErrorCode code, String message) implements WanEvent {
    }

    /**
     * Something the operator should know that did not fail the work, e.g. the state file could
     * not be saved after a model was published (full disk): the model is complete and verified,
     * the next run re-hashes it instead of trusting a record.
     */
    record Warning(Instant at, ModelId model, String message) implements WanEvent {
    }
}
