package dev.wan.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches the final paths of a store ({@code MODELS_ROOT/wan22/<id>/<file path>}) from outside, as a
 * pipeline reading them would: a polling thread stats every final path of every model, and whatever
 * file it finds there must have the manifest's size and sha256. A wrong size is a partial file seen;
 * a wrong sha256 is a wrong file seen. Each inode is hashed once (keyed by inode, size and mtime), so
 * the same check run on a frozen store after a kill ({@link #checkNow}) costs little.
 */
final class FinalPathWatcher implements AutoCloseable {
    /** One file of a model as the manifest declares it. */
    record Expected(String path, long size, String sha256) {
    }

    /** A model: its id and its files. */
    record Model(String id, List<Expected> files) {
        long bytes() {
            return files.stream().mapToLong(Expected::size).sum();
        }
    }

    /** A file as hashed: its path too, since a deleted file's inode number comes back with another file. */
    private record Seen(Path path, Object inode, long size, long mtimeNanos) {
    }

    /** Work of the test itself on the store (restoring a snapshot): a partial file is then expected. */
    interface StoreWork {
        void run() throws Exception;
    }

    private final Path modelsDir;
    private final List<Model> models;
    private final long intervalNanos;
    private final Map<Seen, String> hashes = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.locks.ReentrantLock passes = new java.util.concurrent.locks.ReentrantLock();
    private final Thread thread;
    private volatile boolean stop;

    FinalPathWatcher(Path root, List<Model> models, long intervalMillis) {
        this.modelsDir = root.resolve("wan22");
        this.models = List.copyOf(models);
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.thread = new Thread(this::poll, "final-path-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Runs the test's own writes to the store while the watcher looks away. */
    void whileLookingAway(StoreWork work) throws Exception {
        passes.lock();
        try {
            work.run();
        } finally {
            passes.unlock();
        }
    }

    /** What the polling thread saw since the last call (and forgets it). */
    List<String> drain() {
        List<String> out = new ArrayList<>(violations);
        violations.removeAll(out);
        return out;
    }

    /**
     * Checks every final path now. Files that are absent are fine unless their model is in
     * {@code mustBeWhole}: then every file must be there.
     */
    List<String> checkNow(java.util.Set<String> mustBeWhole) {
        List<String> problems = new ArrayList<>();
        for (Model m : models) {
            for (Expected e : m.files()) {
                Path file = modelsDir.resolve(m.id()).resolve(e.path());
                String problem = check(file, e);
                if (problem == null && mustBeWhole.contains(m.id()) && !Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    problem = m.id() + "/" + e.path() + " is missing from a model that should be whole";
                }
                if (problem != null) {
                    problems.add(problem);
                }
            }
        }
        return problems;
    }

    @Override
    public void close() {
        stop = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the watcher is a daemon: it ends with the test JVM
        }
    }

    private void poll() {
        while (!stop) {
            passes.lock();
            try {
                for (Model m : models) {
                    for (Expected e : m.files()) {
                        String problem = check(modelsDir.resolve(m.id()).resolve(e.path()), e);
                        if (problem != null && !violations.contains("watcher: " + problem)) {
                            violations.add("watcher: " + problem);
                        }
                    }
                }
            } finally {
                passes.unlock();
            }
            LockSupport.parkNanos(intervalNanos);
        }
    }

    /** Null when the path is absent or holds exactly the expected bytes; else what is wrong. */
    private String check(Path file, Expected e) {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException absent) {
            return null;
        }
        String name = modelsDir.relativize(file).toString();
        if (!a.isRegularFile()) {
            return "not a regular file at " + name;
        }
        if (a.size() != e.size()) {
            return "saw " + a.size() + " bytes at " + name + " (the manifest says " + e.size() + ")";
        }
        Seen key = new Seen(file, a.fileKey(), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
        String sha = hashes.get(key);
        if (sha == null) {
            try {
                sha = sha256(file);
                BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!java.util.Objects.equals(after.fileKey(), a.fileKey())) {
                    return null; // replaced while hashing: the next look hashes the new inode
                }
            } catch (NoSuchFileException gone) {
                return null; // deleted (gc) or replaced (dedup) while hashing
            } catch (IOException ex) {
                return "cannot read " + name + ": " + ex;
            }
            hashes.put(key, sha);
        }
        return sha.equals(e.sha256()) ? null : "wrong bytes at " + name + ": sha256 " + sha + ", the manifest says "
                + e.sha256();
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
