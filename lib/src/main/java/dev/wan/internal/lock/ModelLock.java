package dev.wan.internal.lock;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.io.Fs;
import dev.wan.internal.store.StoreLayout;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cross-process, per-model exclusive lock on {@code .locks/<id>.lock}.
 *
 * <p>Protocol: the holder has an OS-level {@link FileChannel#lock} on the file (released by the
 * kernel when the process dies, so kill -9 never leaves a stale lock) and writes one line
 * {@code pid=123 host=gpu-7 since=2026-11-26T19:40:00Z purpose=ensure} into it for diagnostics. The
 * file is never deleted: deleting a lock file lets two processes lock two different inodes.
 * Within one JVM a {@link LocalGuard} per file comes first, because the JVM refuses overlapping file
 * locks from two threads, and because a look at the file ({@link #currentHolder}) must never run
 * while a thread of this JVM holds it; looks share the guard, so they never see each other as holders.
 */
public final class ModelLock implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelLock.class);

    private static final Map<Path, LocalGuard> IN_PROCESS = new ConcurrentHashMap<>();
    /**
     * The holder line of each lock this JVM holds. While a thread of this JVM holds (or is taking) a
     * lock, nobody here may read the lock file: opening and closing a second descriptor of it makes
     * the kernel drop this process's lock (POSIX fcntl semantics), letting another process in.
     */
    private static final Map<Path, String> HELD_HERE = new ConcurrentHashMap<>();
    private static final long POLL_MILLIS = 50;
    private static final int MAX_HOLDER_BYTES = 1024;

    private final Path file;
    private final LocalGuard local;
    private final FileChannel channel;
    private final FileLock lock;

    private ModelLock(Path file, LocalGuard local, FileChannel channel, FileLock lock) {
        this.file = file;
        this.local = local;
        this.channel = channel;
        this.lock = lock;
    }

    /** Who holds a lock, as written by the holder; empty when unknown. */
    public record Holder(String text) {
        @Override
        public String toString() {
            return text.isBlank() ? "an unknown process" : text.strip();
        }
    }

    /**
     * Waits up to {@code timeout} for the lock. {@code onWait} is called once if the lock is busy,
     * with the current holder, so callers can tell the user why nothing happens.
     */
    public static ModelLock acquire(Path file, String subject, String purpose, Duration timeout, Clock clock,
                                    java.util.function.Consumer<Holder> onWait) {
        Instant deadline = clock.instant().plus(timeout);
        Path key = file.toAbsolutePath().normalize();
        LocalGuard local = IN_PROCESS.computeIfAbsent(key, k -> new LocalGuard());
        boolean told = false;
        try {
            if (!local.hold(0)) {
                onWait.accept(heldHere(key));
                told = true;
                if (!local.hold(Math.max(0, Duration.between(clock.instant(), deadline).toMillis()))) {
                    throw timeout(heldHere(key), subject, timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw timeout(heldHere(key), subject, timeout);
        }
        FileChannel channel = null;
        try {
            Path dir = file.getParent();
            StoreLayout.mkdirs(dir.getParent(), dir);
            channel = openNoFollow(file);
            while (true) {
                FileLock lock = tryLock(channel);
                if (lock != null) {
                    requireOwnFile(file);
                    HELD_HERE.put(key, writeHolder(channel, purpose, clock));
                    return new ModelLock(file, local, channel, lock);
                }
                if (!told) {
                    onWait.accept(holder(file));
                    told = true;
                }
                if (!clock.instant().isBefore(deadline)) {
                    throw timeout(holder(file), subject, timeout);
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (IOException e) {
            closeQuietly(channel);
            local.release();
            throw Fs.map(e, "cannot open lock file " + file);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(channel);
            local.release();
            throw timeout(holder(file), subject, timeout);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            local.release();
            throw e;
        }
    }

    /** Reports the holder if the lock is held by someone else right now, without waiting. */
    public static java.util.Optional<Holder> currentHolder(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(file.getParent())) {
            return java.util.Optional.empty(); // no lock file, or not one of wan's: taking it would be refused
        }
        // A probe of the in-process guard first: opening and closing a second channel on a file whose
        // lock this JVM holds would make the kernel drop that lock (POSIX fcntl semantics). Probes
        // share the guard: two looks at once are no holder.
        LocalGuard local = IN_PROCESS.computeIfAbsent(file.toAbsolutePath().normalize(), k -> new LocalGuard());
        if (!local.tryProbe()) {
            return java.util.Optional.of(heldHere(file.toAbsolutePath().normalize()));
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            FileLock lock = ch.tryLock(0, Long.MAX_VALUE, true);
            if (lock == null) {
                return java.util.Optional.of(holder(file));
            }
            lock.release();
            return java.util.Optional.empty();
        } catch (OverlappingFileLockException e) {
            // another probe of this JVM has its shared lock now: the kernel granted it, so no holder
            return java.util.Optional.empty();
        } catch (IOException e) {
            return java.util.Optional.empty();
        } finally {
            local.endProbe();
        }
    }

    /**
     * The holder line as last written, read without taking the lock (diagnose must never hold one,
     * not even for a moment): from memory when a thread of this JVM holds it (see HELD_HERE), else
     * the file's first bytes, never through a link. Empty when there is no lock file of wan's.
     */
    public static java.util.Optional<Holder> recordedHolder(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(file.getParent())) {
            return java.util.Optional.empty();
        }
        Path key = file.toAbsolutePath().normalize();
        LocalGuard local = IN_PROCESS.computeIfAbsent(key, k -> new LocalGuard());
        if (!local.tryProbe()) {
            return java.util.Optional.of(heldHere(key)); // reading the file now could drop this JVM's lock
        }
        try {
            return java.util.Optional.of(holder(file));
        } finally {
            local.endProbe();
        }
    }

    /**
     * Opens (creating) the lock file without following a link: MODELS_ROOT/.locks may be writable
     * by others, and a planted {@code <id>.lock -> /etc/passwd} must never be truncated. O_NOFOLLOW
     * refuses a symlink, dangling or not, so nothing is created at its target either.
     */
    private static FileChannel openNoFollow(Path file) throws IOException {
        return Fs.openBelow(file.getParent().getParent(), file,
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /**
     * Before writing the holder line into a file that existed: it must be a regular file with one
     * link, or the write would land in whatever else shares its inode (a hardlink to a system file).
     */
    private static void requireOwnFile(Path file) throws IOException {
        java.util.Map<String, Object> a = Files.readAttributes(file, "unix:mode,nlink", LinkOption.NOFOLLOW_LINKS);
        boolean regular = ((Integer) a.get("mode") & 0170000) == 0100000;
        if (!regular || (Integer) a.get("nlink") != 1) {
            throw new WanException(ErrorCode.PATH_TRAVERSAL_DETECTED, "lock file " + file + " is not a plain file of wan's ("
                    + (regular ? a.get("nlink") + " hard links" : "not a regular file") + "); it was not written",
                    "remove it (rm " + file + ") and run the command again");
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static String writeHolder(FileChannel channel, String purpose, Clock clock) throws IOException {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown-host";
        }
        String line = "pid=" + ProcessHandle.current().pid() + " host=" + host + " since=" + clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + " purpose=" + purpose + "\n";
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)), 0);
        return line;
    }

    /** The holder when a thread of this JVM has the lock: from memory, never from the file (see HELD_HERE). */
    private static Holder heldHere(Path key) {
        String line = HELD_HERE.get(key);
        return new Holder(line != null ? line
                : "pid=" + ProcessHandle.current().pid() + " (another thread of this process, taking the lock)");
    }

    /** Reads the holder line; only safe while no thread of this JVM holds the lock. */
    private static Holder holder(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate(MAX_HOLDER_BYTES);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // a holder line is ~100 bytes; whatever else is in the file is not read
            }
            return new Holder(new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Holder("");
        }
    }

    private static WanException timeout(Holder h, String subject, Duration timeout) {
        return new WanException(ErrorCode.LOCK_TIMEOUT,
                subject + " is locked by " + h + " (waited " + timeout.toSeconds() + "s)",
                "wait for that process to finish, or raise --lock-timeout; if the holder is gone the lock frees itself");
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException swallowed) {
                LOG.debug("closing a lock file failed; closing releases the lock anyway", swallowed);
            }
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        HELD_HERE.remove(file.toAbsolutePath().normalize());
        try {
            lock.release();
        } catch (IOException swallowed) {
            LOG.debug("releasing the lock on {} failed; closing its channel releases it too", file, swallowed);
        } finally {
            closeQuietly(channel);
            local.release();
        }
    }
}
