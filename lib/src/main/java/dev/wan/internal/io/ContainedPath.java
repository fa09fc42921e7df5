package dev.wan.internal.io;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A relative path from a manifest, listing or journal, resolved so that it cannot leave its directory. */
public final class ContainedPath {
    private ContainedPath() {
    }

    /**
     * Resolves a manifest or listing path inside a directory, refusing anything that would land
     * outside it (the validator rejects such paths too; this is the last line of defence).
     */
    public static Path resolveInside(Path dir, String relative) {
        Path resolved = dir.resolve(relative).normalize();
        if (!resolved.startsWith(dir) || resolved.equals(dir)) {
            throw new WanException(ErrorCode.PATH_TRAVERSAL_DETECTED,
                    "path '" + relative + "' would escape " + dir, "fix the manifest or source listing");
        }
        return resolved;
    }

    /**
     * As {@link #resolveInside}, for a path wan will write: also refuses a path that passes through
     * a symlinked directory below {@code dir}, because the write would land outside MODELS_ROOT.
     * ({@code dir} itself may be a symlink: operators move big models to other disks that way.)
     */
    public static Path resolveForWrite(Path dir, String relative) {
        Path resolved = resolveInside(dir, relative);
        for (Path p = resolved.getParent(); p != null && !p.equals(dir); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw new WanException(ErrorCode.PATH_TRAVERSAL_DETECTED, "'" + relative + "' passes through the symlink "
                        + p + ", which would put model files outside " + dir,
                        "replace the symlink with a real directory (or symlink the whole model directory instead)");
            }
        }
        return resolved;
    }
}
