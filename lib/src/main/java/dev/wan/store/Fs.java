package dev.wan.store;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File-system steps with the durability wan promises, and IOException → WanException mapping. */
public final class Fs {
    private Fs() {
    }

    /** Renames atomically (same filesystem), then makes the rename durable by syncing the parent. */
    public static void atomicMove(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(to.getParent());
    }

    /** fsync a directory so a rename or create inside it survives a power cut (Linux allows it). */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Some filesystems refuse fsync on directories; the rename itself is still atomic.
        }
    }

    /** Writes bytes to a temp sibling, fsyncs and renames: readers see the old or the new content. */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid()
                + "-" + Thread.currentThread().getId());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        atomicMove(tmp, target);
    }

    /** Removes a tree; best effort (used for staging leftovers). */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // leftovers are collected again by the next ensure of the model
        }
    }

    /** Maps an I/O failure to the documented error codes. */
    public static WanException map(IOException e, String what) {
        String reason = e.getMessage();
        if (e instanceof AccessDeniedException) {
            return new WanException(ErrorCode.PERMISSION_DENIED, what + ": permission denied",
                    "make MODELS_ROOT writable for this user, or set MODELS_ROOT / --root elsewhere", List.of(), e);
        }
        if (reason != null && reason.contains("No space left on device")) {
            return new WanException(ErrorCode.NO_SPACE, what + ": no space left on device",
                    "free disk space under MODELS_ROOT", List.of(), e);
        }
        if (reason != null && reason.contains("File name too long")) {
            return new WanException(ErrorCode.PATH_TOO_LONG, what + ": file name too long",
                    "use a shorter MODELS_ROOT", List.of(), e);
        }
        String detail = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : reason;
        return new WanException(ErrorCode.FILESYSTEM_ERROR, what + ": " + detail,
                "check the disk and permissions under MODELS_ROOT", List.of(), e);
    }
}
