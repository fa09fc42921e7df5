package dev.wan.ensure;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The state of one model variant: cheap to compute (a stat per file plus the state file, no
 * hashing). {@code bytesTotal} is the model's size: every file of the variant, optional
 * components included (what a full ensure puts on disk; list and disk-usage agree with it).
 * {@code bytesNeeded} counts required files that are not OK; {@code lockedBy} names the
 * process working on the model right now, or is null. {@code stateProblem} says why the model's
 * state file or pin marker could not be read (and what to do), or is null: with a damaged state
 * every present file is UNVERIFIED until {@code ensure} re-hashes it, and {@code gc} keeps the model.
 */
public record ModelStatus(String model, String variant, ModelState state, long bytesTotal, long bytesNeeded,
                          Path directory, boolean pinned, Instant lastUsed, String lockedBy, List<FileStatus> files,
                          String stateProblem) {
    public ModelStatus {
        files = List.copyOf(files);
    }

    /** A status whose state and pin marker were readable. */
    public ModelStatus(String model, String variant, ModelState state, long bytesTotal, long bytesNeeded,
                       Path directory, boolean pinned, Instant lastUsed, String lockedBy, List<FileStatus> files) {
        this(model, variant, state, bytesTotal, bytesNeeded, directory, pinned, lastUsed, lockedBy, files, null);
    }

    /** Required files that are not OK, by path. */
    public List<String> missingFiles() {
        return files.stream().filter(f -> !f.optional() && f.state() != FileState.OK).map(FileStatus::path).toList();
    }
}
