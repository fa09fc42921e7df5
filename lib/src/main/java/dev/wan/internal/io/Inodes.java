package dev.wan.internal.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Byte accounting that knows about hardlinks: a file's bytes are freed only when its last link
 * goes, so each regular file is seen as (inode, size, link count) and an inode is counted once.
 */
public final class Inodes {
    private Inodes() {
    }

    /** One link to a regular file. {@code key}: device and inode (the path where the OS has no inodes). */
    public record Link(Object key, long size, int nlink) {
    }

    /** Every regular file below {@code dir} (not following symlinks); empty when it does not exist. */
    public static List<Link> links(Path dir) throws IOException {
        List<Link> out = new ArrayList<>();
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                link(p).ifPresent(out::add);
            }
        }
        return out;
    }

    static java.util.Optional<Link> link(Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            return java.util.Optional.empty();
        }
        try {
            Map<String, Object> u = Files.readAttributes(p, "unix:dev,ino,nlink", LinkOption.NOFOLLOW_LINKS);
            return java.util.Optional.of(new Link(List.of(u.get("dev"), u.get("ino")), a.size(), (Integer) u.get("nlink")));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            Object key = a.fileKey() != null ? a.fileKey() : p.toAbsolutePath();
            return java.util.Optional.of(new Link(key, a.size(), 1));
        }
    }

    /** Bytes held by the given links, each inode once. */
    public static long uniqueBytes(Iterable<Link> links) {
        Map<Object, Long> seen = new HashMap<>();
        links.forEach(l -> seen.putIfAbsent(l.key(), l.size()));
        return seen.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Tracks link counts across a sequence of removals: {@link #remove} answers how many bytes
     * removing these links frees, given every removal before it.
     */
    public static final class Ledger {
        private final Map<Object, Integer> remaining = new HashMap<>();

        public long remove(List<Link> links) {
            long freed = 0;
            for (Link l : links) {
                int left = remaining.getOrDefault(l.key(), l.nlink()) - 1;
                remaining.put(l.key(), left);
                if (left == 0) {
                    freed += l.size();
                }
            }
            return freed;
        }
    }

    /**
     * Deletes a tree, counting the bytes truly freed: a file counts when the link removed was its
     * last one. Never descends through a link (see {@link Fs#deleteTreeCounting}). Best effort:
     * what cannot be deleted stays (the next collection tries again).
     */
    public static long deleteCounting(Path base, Path dir) {
        return Fs.deleteTreeCounting(base, dir);
    }

    /** The newest modification time in a tree (a partial download is "stale" only if nothing in it moved). */
    public static long newestMillis(Path p) throws IOException {
        long newest = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis();
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(p)) {
                for (Path q : (Iterable<Path>) walk::iterator) {
                    newest = Math.max(newest, Files.getLastModifiedTime(q, LinkOption.NOFOLLOW_LINKS).toMillis());
                }
            }
        }
        return newest;
    }
}
