package dev.wan.internal.io;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.store.StoreLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** File-system steps with the durability wan promises, and IOException → WanException mapping. */
public final class Fs {
    private static final Logger LOG = LoggerFactory.getLogger(Fs.class);

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
        } catch (IOException | UnsupportedOperationException swallowed) {
            LOG.debug("fsync of directory {} refused (some filesystems do); the rename itself is still atomic", dir, swallowed);
        }
    }

    /**
     * Writes bytes to a temp sibling, fsyncs and renames: readers see the old or the new content.
     * The temp name is predictable, so it is created exclusively and never through a link: whatever
     * someone planted there (a symlink to /etc/passwd, a hardlink) is unlinked, never written.
     */
    public static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid()
                + "-" + Thread.currentThread().getId());
        Files.deleteIfExists(tmp); // a leftover of a crashed writer with our pid, or a planted entry
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS)) {
                ch.write(java.nio.ByteBuffer.wrap(bytes));
                ch.force(true);
            }
            atomicMove(tmp, target);
        } catch (IOException e) {
            Files.deleteIfExists(tmp); // never leave a temp behind: not when writing fails, nor the rename
            throw e;
        }
    }

    /** Work on one directory opened without following links (see {@link #inDirectory}). */
    @FunctionalInterface
    public interface DirectoryWork<T> {
        T apply(SecureDirectoryStream<Path> dir) throws IOException;
    }

    /**
     * Runs {@code work} on {@code dir} (below {@code base}) opened with no link followed at any
     * level, race-free: each directory from {@code base} down is opened relative to its parent with
     * O_NOFOLLOW ({@link SecureDirectoryStream}, i.e. openat). A link swapped in anywhere, at any
     * moment, makes the walk fail instead of landing elsewhere; what {@code work} does through the
     * stream (openat, unlinkat, renameat) stays in that very directory. ({@code base} itself is
     * trusted: MODELS_ROOT is the operator's and may be a link.) Returns null where the platform has
     * no openat; callers then fall back to checked paths.
     */
    public static <T> T inDirectory(Path base, Path dir, DirectoryWork<T> work) throws IOException {
        Path b = base.toAbsolutePath().normalize();
        Path rel = b.relativize(dir.toAbsolutePath().normalize());
        if (rel.startsWith("..")) {
            throw new IllegalArgumentException(dir + " is not below " + base);
        }
        List<SecureDirectoryStream<Path>> opened = new ArrayList<>();
        try (DirectoryStream<Path> top = Files.newDirectoryStream(b)) {
            if (!(top instanceof SecureDirectoryStream<Path> at)) {
                return null;
            }
            Path where = b;
            for (Path name : rel) {
                if (name.toString().isEmpty()) {
                    continue;
                }
                where = where.resolve(name);
                try {
                    at = at.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
                } catch (IOException e) { // ELOOP comes as a bare IOException
                    if (Files.isSymbolicLink(where)) {
                        throw StoreLayout.symlinkRefused(where);
                    }
                    throw e;
                }
                opened.add(at);
            }
            return work.apply(at);
        } finally {
            for (SecureDirectoryStream<Path> d : opened) {
                d.close(); // channels opened through it keep their own descriptors
            }
        }
    }

    /**
     * Opens {@code file} below {@code base} with no link followed at any level (see
     * {@link #inDirectory}), the file itself with O_NOFOLLOW too.
     */
    public static FileChannel openBelow(Path base, Path file, Set<? extends OpenOption> options) throws IOException {
        Set<OpenOption> opts = new HashSet<>(options);
        opts.add(LinkOption.NOFOLLOW_LINKS);
        Path name = file.getFileName();
        FileChannel ch = inDirectory(base, file.getParent(), dir -> {
            try {
                return (FileChannel) dir.newByteChannel(name, opts);
            } catch (IOException e) {
                if (Files.isSymbolicLink(file)) {
                    throw StoreLayout.symlinkRefused(file);
                }
                throw e;
            }
        });
        if (ch == null) {
            StoreLayout.requireNoLinks(base, file);
            ch = FileChannel.open(file, opts); // no openat here: checked, then opened without following
        }
        return ch;
    }

    /**
     * {@link #writeAtomically(Path, byte[])} for a file below {@code base}, race-free: the temp file
     * is created, written, fsynced and renamed over {@code target} inside the directory opened
     * without following links, so a link swapped in for any directory on the way, at any moment,
     * fails the write instead of redirecting it.
     */
    public static void writeAtomically(Path base, Path target, byte[] bytes) throws IOException {
        Path name = target.getFileName();
        Path tmp = Path.of(name + ".tmp-" + ProcessHandle.current().pid() + "-" + Thread.currentThread().getId());
        Boolean done = inDirectory(base, target.getParent(), dir -> {
            try {
                dir.deleteFile(tmp); // a leftover of a crashed writer with our pid, or a planted entry
            } catch (NoSuchFileException e) {
                // the usual case
            }
            try {
                try (FileChannel ch = (FileChannel) dir.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
                    ch.write(java.nio.ByteBuffer.wrap(bytes));
                    ch.force(true);
                }
                dir.move(tmp, dir, name); // renameat: replaces a link at the target, never follows it
            } catch (IOException e) {
                try {
                    dir.deleteFile(tmp);
                } catch (IOException swallowed) {
                    LOG.debug("no temp file {} to remove after a failed write: nothing was created", tmp, swallowed);
                }
                throw e;
            }
            try (FileChannel self = (FileChannel) dir.newByteChannel(Path.of("."), Set.of(StandardOpenOption.READ))) {
                self.force(true); // the rename survives a power cut
            } catch (IOException | RuntimeException swallowed) {
                LOG.debug("fsync of the directory of {} refused (some filesystems do); the rename is still atomic", target, swallowed);
            }
            return Boolean.TRUE;
        });
        if (done == null) {
            StoreLayout.requireNoLinks(base, target.getParent());
            writeAtomically(target, bytes);
        }
    }

    /**
     * As {@link #openBelow}, for a file wan writes into (a staged part, a lock file): also refuses
     * one that is not a regular file with a single link, since a planted hardlink to a system file
     * would otherwise receive the bytes.
     */
    public static FileChannel openOwnFile(Path base, Path file, Set<? extends OpenOption> options) throws IOException {
        FileChannel ch = openBelow(base, file, options);
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || linkCount(file) != 1) {
                throw new WanException(ErrorCode.PATH_TRAVERSAL_DETECTED, file + " is not a plain file of wan's ("
                        + (a.isRegularFile() ? "it has other hard links" : "not a regular file") + "); nothing was written to it",
                        "remove it (rm " + file + ") and run the command again");
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Removes a tree, never descending through a link; best effort (used for staging leftovers). */
    public static void deleteTree(Path dir) {
        deleteTreeCounting(dir);
    }

    /**
     * Deletes a tree and returns the bytes truly freed (a file counts when the link removed was its
     * last). Directories are opened relative to their parent without following links
     * ({@link SecureDirectoryStream}, i.e. openat with O_NOFOLLOW), and entries are unlinked, so a
     * symlink anywhere in the tree, even one swapped in while this runs, is removed, never entered.
     * Best effort: what cannot be deleted stays for the next run.
     */
    public static long deleteTreeCounting(Path dir) {
        Path parent = dir.toAbsolutePath().normalize().getParent();
        if (parent == null || dir.getFileName() == null) {
            throw new IllegalArgumentException("refusing to delete " + dir);
        }
        return deleteTreeCounting(parent, dir);
    }

    /**
     * As {@link #deleteTreeCounting(Path)}, with every directory from {@code base} down to the
     * tree's parent opened without following links too (see {@link #inDirectory}): a store
     * directory swapped for a link while this runs fails the deletion instead of redirecting it.
     */
    public static long deleteTreeCounting(Path base, Path dir) {
        Path parent = dir.toAbsolutePath().normalize().getParent();
        Path name = dir.getFileName();
        if (parent == null || name == null) {
            throw new IllegalArgumentException("refusing to delete " + dir);
        }
        try {
            Long freed = inDirectory(base, parent, sds -> deleteEntry(sds, parent, name));
            if (freed != null) {
                return freed;
            }
        } catch (IOException | WanException e) {
            return 0; // gone, or a link on the way: nothing of ours to delete there
        }
        return deleteWalking(dir);
    }

    /** Removes a tree below {@code base}, never through a link (see {@link #deleteTreeCounting(Path, Path)}). */
    public static void deleteTree(Path base, Path dir) {
        deleteTreeCounting(base, dir);
    }

    /**
     * Keeps, below {@code dir}, the plain files (regular, one link) whose path relative to it
     * {@code keep} accepts and the directories that still hold one; deletes everything else
     * (unlinking links, FIFOs, hardlinked files, never following them). Works through directories
     * opened without following links from {@code base} down, so it is race-free.
     */
    public static void prune(Path base, Path dir, java.util.function.Predicate<String> keep) throws IOException {
        Boolean done = inDirectory(base, dir, sds -> {
            pruneIn(sds, dir, "", keep);
            return Boolean.TRUE;
        });
        if (done == null) {
            throw new IOException("no openat on this platform: " + dir + " is not pruned");
        }
    }

    /** Returns whether {@code in} is empty afterwards. */
    private static boolean pruneIn(SecureDirectoryStream<Path> in, Path at, String prefix,
                                   java.util.function.Predicate<String> keep) throws IOException {
        List<Path> names = new ArrayList<>();
        in.forEach(c -> names.add(c.getFileName()));
        int kept = 0;
        for (Path name : names) {
            BasicFileAttributes a;
            try {
                a = in.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
            } catch (NoSuchFileException e) {
                continue;
            }
            String rel = prefix + name;
            if (a.isDirectory()) {
                boolean empty;
                try (SecureDirectoryStream<Path> sub = in.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    empty = pruneIn(sub, at.resolve(name), rel + "/", keep);
                }
                if (empty) {
                    unlink(in, name, true);
                } else {
                    kept++;
                }
            } else if (a.isRegularFile() && linkCount(at.resolve(name)) == 1 && keep.test(rel)) {
                kept++;
            } else {
                unlink(in, name, false); // a link is removed itself, its target untouched
            }
        }
        return kept == 0;
    }

    private static long deleteEntry(SecureDirectoryStream<Path> in, Path dir, Path name) {
        Path path = dir.resolve(name);
        BasicFileAttributes a;
        try {
            a = in.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (IOException e) {
            return 0; // gone already
        }
        long freed = 0;
        try {
            if (a.isDirectory()) {
                try (SecureDirectoryStream<Path> sub = in.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    List<Path> children = new ArrayList<>();
                    sub.forEach(c -> children.add(c.getFileName()));
                    for (Path c : children) {
                        freed += deleteEntry(sub, path, c);
                    }
                }
                unlink(in, name, true);
            } else {
                int links = a.isRegularFile() ? linkCount(path) : 0;
                unlink(in, name, false);
                if (a.isRegularFile() && links <= 1) {
                    freed += a.size();
                }
            }
        } catch (IOException e) {
            LOG.debug("could not delete everything under {}: left for the next collection", dir, e);
        }
        return freed;
    }

    /** Deletes one entry; a read-only directory (shared files may be locked down) is opened up first. */
    private static void unlink(SecureDirectoryStream<Path> in, Path name, boolean directory) throws IOException {
        try {
            if (directory) {
                in.deleteDirectory(name);
            } else {
                in.deleteFile(name);
            }
        } catch (AccessDeniedException e) {
            PosixFileAttributeView self = in.getFileAttributeView(PosixFileAttributeView.class);
            if (self == null) {
                throw e;
            }
            Set<PosixFilePermission> perms = EnumSet.copyOf(self.readAttributes().permissions());
            perms.add(PosixFilePermission.OWNER_WRITE);
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            self.setPermissions(perms);
            if (directory) {
                in.deleteDirectory(name);
            } else {
                in.deleteFile(name);
            }
        }
    }

    /** The hard links to a file (not following a link); 1 where the filesystem cannot tell. */
    public static int linkCount(Path file) {
        try {
            return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    /** Where the platform has no openat (not Linux): a walk that does not follow links. */
    private static long deleteWalking(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        long freed = 0;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                int links = a.isRegularFile() ? linkCount(p) : 0;
                Files.deleteIfExists(p);
                freed += a.isRegularFile() && links <= 1 ? a.size() : 0;
            }
        } catch (IOException swallowed) {
            LOG.debug("could not delete everything under {}: leftovers are collected again later", dir, swallowed);
        }
        return freed;
    }

    /** Maps an I/O failure to the documented error codes. */
    public static WanException map(IOException e, String what) {
        String reason = e.getMessage();
        if (e instanceof AccessDeniedException || (reason != null && reason.contains("Permission denied"))
                || (e instanceof FileSystemException f && "Permission denied".equals(f.getReason()))) {
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

    /** Hardlinks {@code link} to {@code existing}; false where that is impossible (another filesystem, no links). */
    public static boolean tryLink(Path existing, Path link) {
        try {
            Files.createLink(link, existing);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // the caller copies instead
        }
    }

    /** Whether the failure (or one of its causes) is a full disk. */
    public static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }
}
