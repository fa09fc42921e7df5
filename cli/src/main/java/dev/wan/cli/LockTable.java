package dev.wan.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Who holds which file lock, from the kernel's table ({@code /proc/locks} on Linux), read instead
 * of trying the lock: diagnose must never hold a lock, not even for the instant a try takes (a
 * concurrent ensure would find it busy). A line reads
 * {@code 1: POSIX  ADVISORY  WRITE 4242 fe:00:2154837 0 EOF} (pid, then major:minor:inode in hex,
 * hex, decimal); waiters ({@code 1: -> POSIX …}) are skipped.
 */
final class LockTable {
    static final Path PROC_LOCKS = Path.of("/proc/locks");
    private static final int MAX_BYTES = 4 << 20;

    private final Map<String, Long> byFile;
    private final Map<Long, Long> byInode;

    private LockTable(Map<String, Long> byFile, Map<Long, Long> byInode) {
        this.byFile = byFile;
        this.byInode = byInode;
    }

    /** The table, or null where the platform has none (not Linux, or /proc not mounted). */
    static LockTable read() {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(PROC_LOCKS)) {
            bytes = in.readNBytes(MAX_BYTES);
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
        return parse(new String(bytes, StandardCharsets.US_ASCII));
    }

    static LockTable parse(String text) {
        Map<String, Long> byFile = new HashMap<>();
        Map<Long, Long> byInode = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 6 || f[1].equals("->")) {
                continue;
            }
            try {
                long pid = Long.parseLong(f[4]);
                String[] id = f[5].split(":");
                long major = Long.parseLong(id[0], 16);
                long minor = Long.parseLong(id[1], 16);
                long inode = Long.parseLong(id[2]);
                byFile.put(major + ":" + minor + ":" + inode, pid);
                byInode.putIfAbsent(inode, pid);
            } catch (RuntimeException e) {
                // a line of another shape (OFDLCK with pid -1, a future format): not one we can use
            }
        }
        return new LockTable(byFile, byInode);
    }

    /**
     * The pid holding a lock on {@code file}, if any. Matched by device and inode; by inode alone
     * where the device differs (overlay filesystems lock the inode of the layer below).
     */
    OptionalLong holder(Path file) {
        long dev;
        long inode;
        try {
            dev = ((Number) Files.getAttribute(file, "unix:dev", LinkOption.NOFOLLOW_LINKS)).longValue();
            inode = ((Number) Files.getAttribute(file, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        Long pid = byFile.get(major + ":" + minor + ":" + inode);
        if (pid == null) {
            pid = byInode.get(inode);
        }
        return pid == null || pid <= 0 ? OptionalLong.empty() : OptionalLong.of(pid);
    }
}
