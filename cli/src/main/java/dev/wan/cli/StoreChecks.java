package dev.wan.cli;

import dev.wan.ErrorCode;
import dev.wan.internal.io.Fs;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.store.StoreLayout;
import dev.wan.store.ByteSize;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The diagnose checks of MODELS_ROOT: filesystem and free space, permissions, hardlinks, locks,
 * and what crashed or interrupted runs left in {@code .tmp}, {@code .quarantine} and {@code .trash}.
 * Read-only but for the hardlink probe (two names under {@code .tmp}, removed again); nothing is
 * hashed, no lock is taken, no link below the root is followed.
 */
final class StoreChecks {
    static final long FAIL_FREE_BYTES = 256L << 20;
    static final long WARN_FREE_BYTES = 10L << 30;
    /** Leftovers younger than this may belong to a run that is just starting or resuming (gc's --tmp-grace). */
    static final Duration STALE_AFTER = dev.wan.gc.GcPolicy.DEFAULT_TMP_GRACE;
    /** Bounds the walk of one directory: a report, not an inventory. */
    static final int MAX_ENTRIES = 100_000;
    private static final Pattern HOLDER_PID = Pattern.compile("pid=(\\d+)");
    private static final Pattern HOLDER_HOST = Pattern.compile("host=(\\S+)");

    private final StoreLayout layout;
    private final Clock clock;
    private final LockTable locks;

    StoreChecks(Path root, Clock clock, LockTable locks) {
        this.layout = new StoreLayout(root);
        this.clock = clock;
        this.locks = locks;
    }

    /** Every store check; only the first when there is no store yet. */
    List<Finding> all() {
        List<Finding> out = new ArrayList<>();
        Path root = layout.root();
        if (!Files.exists(root)) {
            out.add(Finding.warn("models root", root + " does not exist yet",
                    "nothing to do: the first 'wan models ensure' creates it (or set MODELS_ROOT / --root to the"
                            + " store you meant)", List.of()));
            return out;
        }
        if (!Files.isDirectory(root)) {
            out.add(Finding.fail("models root", ErrorCode.FILESYSTEM_ERROR, root + " is not a directory",
                    "set MODELS_ROOT or --root to a directory", List.of()));
            return out;
        }
        out.add(filesystem());
        out.add(permissions());
        out.add(hardlinks());
        out.add(lockHolders());
        out.add(leftovers(".tmp", layout.tmpDir(), "staging and resume journals of ensures",
                "resume with 'wan models ensure ID', or drop them with 'wan models gc' (leftovers untouched for "
                        + STALE_AFTER.toHours() + "h)", true));
        out.add(leftovers(".quarantine", layout.quarantineDir(), "files that failed verification, kept for a human",
                "look at them, then delete: rm -r " + layout.quarantineDir() + "/<id>/<time>", false));
        out.add(leftovers(".trash", layout.root().resolve(".trash"), "model directories gc was deleting",
                "run 'wan models gc' to finish deleting them", false));
        return out;
    }

    Finding filesystem() {
        Path root = layout.root();
        try {
            FileStore store = Files.getFileStore(root);
            long free = store.getUsableSpace();
            long total = store.getTotalSpace();
            List<String> d = List.of("type " + store.type() + ", device " + store.name(),
                    "free " + ByteSize.format(free) + " of " + ByteSize.format(total));
            String what = store.type() + ", " + ByteSize.format(free) + " free";
            if (free < FAIL_FREE_BYTES) {
                return Finding.fail("filesystem", ErrorCode.NO_SPACE, what + ": ensures will fail",
                        "free disk space: 'wan models gc --dry-run' shows what can go", d);
            }
            if (free < WARN_FREE_BYTES) {
                return Finding.warn("filesystem", what + ": below " + ByteSize.format(WARN_FREE_BYTES),
                        "free disk space: 'wan models gc --dry-run' shows what can go", d);
            }
            if (Set.of("nfs", "nfs4", "cifs", "smb3", "fuse.sshfs").contains(store.type())) {
                return Finding.warn("filesystem", what + "; a network filesystem: locks and renames depend on"
                        + " the server", "prefer a local disk for MODELS_ROOT, or make sure the server supports"
                        + " POSIX locks (NFSv4)", d);
            }
            return Finding.pass("filesystem", what, d);
        } catch (IOException e) {
            return Finding.fail("filesystem", ErrorCode.FILESYSTEM_ERROR, "cannot inspect " + root + ": " + e.getMessage(),
                    "check the mount and permissions of MODELS_ROOT", List.of());
        }
    }

    /**
     * Writable by us (or nothing can be ensured); world-writable directories are a warning: anyone
     * on the machine may plant files there (wan refuses links it did not create, see README
     * "Shared stores", but a shared store is better given to a group).
     */
    Finding permissions() {
        Path root = layout.root();
        List<String> d = new ArrayList<>();
        List<String> worldWritable = new ArrayList<>();
        List<String> links = new ArrayList<>();
        for (Path p : List.of(root, layout.tmpDir(), layout.locksDir(), layout.stateDir(), layout.modelsDir(),
                layout.quarantineDir(), root.resolve(".trash"), root.resolve(".index"), root.resolve(".pins"))) {
            if (p != root && Files.isSymbolicLink(p)) {
                links.add(root.relativize(p).toString());
                continue;
            }
            try {
                if (p != root && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                int mode = (Integer) Files.getAttribute(p, "unix:mode");
                String owner = Files.getOwner(p, LinkOption.NOFOLLOW_LINKS).getName();
                d.add(root.relativize(p) + (p == root ? "." : "") + " mode " + Integer.toOctalString(mode & 07777)
                        + " owner " + owner);
                if ((mode & 0002) != 0) {
                    worldWritable.add((p == root ? root.toString() : root.relativize(p).toString())
                            + ((mode & 01000) != 0 ? " (sticky)" : ""));
                }
            } catch (IOException | RuntimeException e) {
                d.add(p + ": cannot read its mode (" + e.getMessage() + ")");
            }
        }
        if (!links.isEmpty()) {
            return Finding.fail("permissions", ErrorCode.PATH_TRAVERSAL_DETECTED, "a symlink where wan keeps its own"
                    + " directory: " + String.join(", ", links) + " (wan refuses it)", "remove the link (rm "
                    + root + "/" + links.get(0) + ": its target is left untouched) and run the command again", d);
        }
        if (!Files.isWritable(root)) {
            return Finding.fail("permissions", ErrorCode.PERMISSION_DENIED, root + " is not writable by this user ("
                    + System.getProperty("user.name") + ")", "make it writable (chown/chmod, or a group shared by"
                    + " the users of the store), or set MODELS_ROOT / --root elsewhere", d);
        }
        if (!worldWritable.isEmpty()) {
            return Finding.warn("permissions", "world-writable: " + String.join(", ", worldWritable)
                            + ": any user may plant files there", "chmod o-w the directories named; users who must"
                            + " change models get a group instead (chgrp GROUP, chmod g+ws on the directories)", d);
        }
        return Finding.pass("permissions", "writable by " + System.getProperty("user.name"), d);
    }

    /**
     * Makes a file and a hardlink to it under the store's own {@code .tmp} and removes both: the
     * only change diagnose makes. Created exclusively and never through a link; removed through the
     * directory opened without following links, so a swapped {@code .tmp} cannot make it delete elsewhere.
     */
    Finding hardlinks() {
        Path tmp = layout.tmpDir();
        if (!Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS)) {
            return Finding.warn("hardlinks", "not checked: " + tmp + " does not exist yet",
                    "run 'wan models ensure' once, then diagnose again", List.of());
        }
        String base = "diagnose-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID() + ".probe";
        Path file = tmp.resolve(base);
        Path link = tmp.resolve(base + "-link");
        try {
            layout.requireOwned(tmp);
            try (FileChannel ch = Fs.openBelow(layout.root(), file,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
                ch.write(java.nio.ByteBuffer.wrap(new byte[] {'w'}));
            }
            boolean linked = Fs.tryLink(file, link);
            if (linked && Fs.linkCount(file) != 2) {
                return Finding.warn("hardlinks", "a link was made but the file does not count it (" + Fs.linkCount(file)
                        + " links)", "dedup and migrate copy instead of linking on this filesystem", List.of());
            }
            return linked ? Finding.pass("hardlinks", "work in " + tmp, List.of())
                    : Finding.warn("hardlinks", "impossible in " + tmp + ": dedup, migrate and local sources copy instead",
                    "put MODELS_ROOT on a filesystem with hardlinks (ext4, xfs, btrfs, zfs) to save the space", List.of());
        } catch (IOException | RuntimeException e) {
            return Finding.warn("hardlinks", "not checked: cannot create a probe in " + tmp + " (" + e.getMessage() + ")",
                    "check the permissions of " + tmp, List.of());
        } finally {
            remove(tmp, link.getFileName());
            remove(tmp, file.getFileName());
        }
    }

    private void remove(Path dir, Path name) {
        try {
            Fs.inDirectory(layout.root(), dir, sds -> {
                sds.deleteFile(name);
                return Boolean.TRUE;
            });
        } catch (IOException | RuntimeException e) {
            // not created, or .tmp swapped for a link: nothing of ours to remove there
        }
    }

    /**
     * Each lock file: held or free (kernel's table, see {@link LockTable}) and the holder it names,
     * alive or not. A held lock whose named holder is gone is a warning: a process that inherited
     * the descriptor, or a holder on another host (a network filesystem).
     */
    Finding lockHolders() {
        Path dir = layout.locksDir();
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Finding.pass("locks", "no lock files", List.of());
        }
        List<String> d = new ArrayList<>();
        int held = 0;
        int suspicious = 0;
        int files = 0;
        List<Path> lockFiles = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.lock")) {
            for (Path f : entries) {
                if (lockFiles.size() >= MAX_ENTRIES) {
                    break; // a report, not an inventory
                }
                lockFiles.add(f);
            }
        } catch (IOException e) {
            return Finding.warn("locks", "cannot list " + dir + ": " + e.getMessage(), "check its permissions", List.of());
        }
        lockFiles.sort(null);
        for (Path f : lockFiles) {
            if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            files++;
            String id = f.getFileName().toString().replaceFirst("\\.lock$", "");
            String line = ModelLock.recordedHolder(f).map(ModelLock.Holder::text).orElse("").strip();
            OptionalLong pid = match(HOLDER_PID, line).map(Long::parseLong).map(OptionalLong::of).orElse(OptionalLong.empty());
            boolean otherHost = match(HOLDER_HOST, line).map(h -> !h.equals(hostName())).orElse(false);
            String named = line.isEmpty() ? "no holder recorded" : "recorded: " + line;
            String alive = pid.isEmpty() ? "" : otherHost ? " (on another host: not checked)"
                    : ProcessHandle.of(pid.getAsLong()).map(ProcessHandle::isAlive).orElse(false)
                    ? " (pid " + pid.getAsLong() + " alive)" : " (pid " + pid.getAsLong() + " is gone)";
            if (locks == null) {
                d.add(id + ": lock state unknown (no /proc/locks); " + named + alive);
                continue;
            }
            OptionalLong by = locks.holder(f);
            if (by.isEmpty()) {
                d.add(id + ": free; " + (line.isEmpty() ? "never held" : "last " + named + alive));
                continue;
            }
            held++;
            boolean matches = pid.isPresent() && pid.getAsLong() == by.getAsLong();
            if (!matches) {
                suspicious++;
            }
            d.add(id + ": held by pid " + by.getAsLong()
                    + (ProcessHandle.of(by.getAsLong()).isPresent() ? " (alive)" : " (not visible here)")
                    + (matches ? ", " + named : ", but " + named + alive));
        }
        String message = files + " lock file(s), " + (locks == null ? "state unknown" : held + " held");
        if (suspicious > 0) {
            return Finding.warn("locks", message + "; " + suspicious + " held by another process than the one recorded",
                    "see who holds it: fuser -v " + dir + "/<id>.lock; a lock frees itself when its holder exits", d);
        }
        return Finding.pass("locks", message, d);
    }

    private static java.util.Optional<String> match(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    /**
     * Count, bytes and age of the entries of {@code dir}, walked without following links and
     * bounded. For {@code .tmp}, entries of a model whose lock is held are in use, not leftovers;
     * the others warn once untouched for {@link #STALE_AFTER}. Anything in the other two warns.
     */
    Finding leftovers(String check, Path dir, String what, String fix, boolean tmp) {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return Finding.pass(check, "empty", List.of());
        }
        Instant now = clock.instant();
        List<String> d = new ArrayList<>();
        int entries = 0;
        int stale = 0;
        long bytes = 0;
        Instant oldest = null;
        try (DirectoryStream<Path> top = Files.newDirectoryStream(dir)) {
            for (Path e : top) {
                if (++entries > MAX_ENTRIES) {
                    break;
                }
                String name = e.getFileName().toString();
                if (tmp && name.startsWith("diagnose-") && name.contains(".probe")) {
                    entries--; // another diagnose's probe, removed a moment from now
                    continue;
                }
                Usage u = usage(e);
                bytes += u.bytes();
                Instant modified = u.newest();
                oldest = oldest == null || modified.isBefore(oldest) ? modified : oldest;
                boolean inUse = tmp && inUse(name);
                boolean old = Duration.between(modified, now).compareTo(STALE_AFTER) > 0;
                if (!tmp || (!inUse && old)) {
                    stale++;
                }
                d.add(name + ": " + ByteSize.format(u.bytes()) + ", " + u.files() + " file(s), last change "
                        + age(Duration.between(modified, now)) + " ago" + (inUse ? " (its model is locked: in use)" : ""));
            }
        } catch (IOException e) {
            return Finding.warn(check, "cannot list " + dir + ": " + e.getMessage(), "check its permissions", List.of());
        }
        if (entries == 0) {
            return Finding.pass(check, "empty", List.of());
        }
        String message = entries + " entr" + (entries == 1 ? "y" : "ies") + ", " + ByteSize.format(bytes)
                + ", oldest " + age(Duration.between(oldest, now)) + " old: " + what;
        return stale > 0 ? Finding.warn(check, message, fix, d) : Finding.pass(check, message, d);
    }

    /** A {@code .tmp} entry ({@code <id>.staging}, {@code <id>.journal}) whose model's lock someone holds. */
    private boolean inUse(String name) {
        int dot = name.lastIndexOf('.');
        if (dot <= 0 || locks == null) {
            return false;
        }
        Path lock = layout.locksDir().resolve(name.substring(0, dot) + ".lock");
        return Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS) && locks.holder(lock).isPresent();
    }

    private record Usage(long bytes, int files, Instant newest) {
    }

    /** Apparent bytes and newest modification below {@code p}, never through a link, bounded. */
    private static Usage usage(Path p) throws IOException {
        long[] sum = {0, 0};
        Instant[] newest = {Instant.EPOCH};
        Files.walkFileTree(p, Set.of(), Integer.MAX_VALUE, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                sum[0] += a.isRegularFile() ? a.size() : 0;
                sum[1]++;
                newer(a);
                return sum[1] >= MAX_ENTRIES ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                newer(a);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException e) {
                return FileVisitResult.CONTINUE;
            }

            private void newer(BasicFileAttributes a) {
                Instant t = a.lastModifiedTime().toInstant();
                newest[0] = t.isAfter(newest[0]) ? t : newest[0];
            }
        });
        return new Usage(sum[0], (int) sum[1], newest[0]);
    }

    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172_800 ? s / 3600 + "h" : s / 86_400 + "d";
    }
}
