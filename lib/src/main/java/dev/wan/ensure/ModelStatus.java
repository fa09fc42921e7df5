package dev.wan.ensure;

import java.nio.file.Path;
import java.util.List;

/**
 * The state of one model variant: cheap to compute (a stat per file plus the state file, no
 * hashing). {@code bytesNeeded} counts required files that are not OK; {@code lockedBy} names the
 * process working on the model right now, or is null.
 */
public record ModelStatus(String model, String variant, ModelState state, long bytesTotal, long bytesNeeded,
                          Path directory, boolean pinned, String lastUsed, String lockedBy, List<FileStatus> files) {
    public ModelStatus {
        files = List.copyOf(files);
    }

    /** Required files that are not OK, by path. */
    public List<String> missingFiles() {
        return files.stream().filter(f -> !f.optional() && f.state() != FileState.OK).map(FileStatus::path).toList();
    }
}
