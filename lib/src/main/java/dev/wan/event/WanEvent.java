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

    /**
     * The model the event is about; {@code null} only for store-wide events ({@link GcFinished}),
     * which concern no single model.
     */
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

    /**
     * A source is asked for a file: once per file and source tried (the ranged reads of one
     * download count once; each retry is a {@link Retried}). {@code source} is redacted.
     */
    record SourceRequested(Instant at, ModelId model, String path, String source) implements WanEvent {
    }

    /**
     * A read of a file's bytes from {@code source} failed and is tried again after a pause
     * (WAN_RETRIES, WAN_RETRY_BASE_MILLIS). A source given up on is a {@link SourceFailed}.
     */
    record Retried(Instant at, ModelId model, String path, String source, String reason) implements WanEvent {
    }

    /**
     * Bytes did not match what was expected: fetched from {@code source} (the copy is thrown away,
     * another source is tried) or re-hashed in place by a verify ({@code source} "verify").
     * {@code code} is CHECKSUM_FAIL or SIZE_MISMATCH.
     */
    record IntegrityFailed(Instant at, ModelId model, String path, String source, ErrorCode code)
            implements WanEvent {
    }

    /** Another holder kept the model's lock for the whole lock timeout; {@code operation} gave up. */
    record LockTimedOut(Instant at, ModelId model, String operation) implements WanEvent {
    }

    /**
     * A file was hardlinked to a copy of the same sha256 already in the store (see
     * {@link Placement#DEDUPLICATED}): {@code bytes} neither fetched nor stored twice. Comes after
     * the file's {@link FileCompleted}.
     */
    record Deduplicated(Instant at, ModelId model, String path, long bytes) implements WanEvent {
    }

    /** A pin was set ({@code pinned}) or removed; {@code changed} is false when it already was so. */
    record PinChanged(Instant at, ModelId model, boolean pinned, boolean changed) implements WanEvent {
    }

    /** One source of a model was checked by test-sources or test-auth (the details: {@code SourceCheck}). */
    record SourceTested(Instant at, ModelId model, String source, boolean ok, ErrorCode code) implements WanEvent {
    }

    /**
     * A garbage collection ran (not a dry run): {@code modelsRemoved} model directories and
     * leftovers freed {@code bytesReclaimed} bytes. Store-wide: {@link #model()} is null.
     */
    record GcFinished(Instant at, int modelsRemoved, long bytesReclaimed, long millis) implements WanEvent {
        @Override
        public ModelId model() {
            return null;
        }
    }
}
