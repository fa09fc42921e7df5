package dev.wan.internal.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.io.ContainedPath;
import dev.wan.internal.io.Fs;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Makes verified staged files visible at the model's final path: a first-time model directory by
 * one directory rename, otherwise each file renamed over its path; then the sharing policy.
 */
final class Publisher {
    private final StoreLayout layout;

    Publisher(StoreLayout layout) {
        this.layout = layout;
    }

    void publish(ModelId id, Path staging, Path modelDir, List<String> staged, boolean fresh) {
        try {
            requireStagedAsWritten(staging, staged);
            if (fresh) {
                layout.mkdirs(layout.modelsDir());
                layout.requireOwned(staging);
                dropUnstaged(staging, staged);
                Files.move(staging, modelDir, StandardCopyOption.ATOMIC_MOVE);
                Fs.syncDirectory(modelDir.getParent());
                return;
            }
            for (String path : staged) {
                Path target = ContainedPath.resolveForWrite(modelDir, path);
                StoreLayout.mkdirs(modelDir, target.getParent());
                Fs.atomicMove(ContainedPath.resolveInside(staging, path), target);
            }
        } catch (FileAlreadyExistsException e) {
            // Only possible if something outside wan created the directory meanwhile: go file by file.
            publish(id, staging, modelDir, staged, false);
        } catch (IOException e) {
            throw Fs.map(e, "model " + id + ": cannot move verified files into " + modelDir);
        }
    }

    /**
     * Partial downloads kept for resuming (of files of another variant, say) must not be published
     * with the directory: only the files verified in this run are moved.
     */
    private static void dropUnstaged(Path staging, List<String> staged) throws IOException {
        Set<String> keep = new java.util.HashSet<>(staged);
        List<Path> drop;
        try (var walk = Files.walk(staging)) {
            drop = walk.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> !keep.contains(staging.relativize(p).toString().replace('\\', '/'))).toList();
        }
        for (Path p : drop) {
            Files.deleteIfExists(p);
        }
    }

    /**
     * Just before publishing: every staged file is still a regular file reached through real
     * directories, so what becomes visible at the final path is what was verified, not a link
     * someone swapped in since.
     */
    private void requireStagedAsWritten(Path staging, List<String> staged) throws IOException {
        layout.requireOwned(staging);
        for (String path : staged) {
            Path file = ContainedPath.resolveInside(staging, path);
            StoreLayout.requireNoLinks(staging, file);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                throw new WanException(ErrorCode.FILESYSTEM_ERROR, "model " + staging.getFileName() + ": staged "
                        + path + " vanished before it was published", "run the ensure again");
            }
        }
    }

    /**
     * Sharing policy: files at a model's final path are read-only (a-w), so a pipeline writing
     * into one model cannot change bytes another model shares through a hardlink. (root ignores
     * modes: processes running as root are trusted not to write into model directories.) Repairs
     * never write in place either: a bad file is renamed to .quarantine and the new bytes are
     * renamed over the path, so another link to the old inode keeps its (good) content.
     */
    static void makeReadOnly(Path file) {
        dev.wan.internal.store.Deduplicator.makeReadOnly(file);
    }
}
