package dev.wan.internal.store;

import dev.wan.WanException;
import dev.wan.internal.lock.ModelLock;
import dev.wan.manifest.ModelId;
import dev.wan.store.Placement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code wan models deduplicate}: finds files with identical content in the model directories of a
 * store populated before dedup existed (or by hand) and hardlinks them, so the bytes are stored once.
 *
 * <p>Files are grouped by size first (free: one stat each), then by sha256 — the trusted record's
 * when the state has one matching the file's size and mtime, else hashed. Never by path: the real
 * WAN2.2 T2V and I2V shards share paths and sizes with different bytes. In each group of identical
 * content the inode with the most links is kept; every other path gets a link to it made under a
 * temporary name in the same directory, then renamed over the path (atomic: a reader sees the old
 * or the new file, both with the same bytes). The kept inode is made read-only (the sharing policy,
 * see EnsureJob). Each model's files are replaced holding that model's lock, and its state records
 * are updated (new mtime, {@code how: deduplicated}, {@code source: dedup:<model>/<path>}) so
 * {@code status} still trusts them. Bytes saved are counted truly: an inode frees its bytes only
 * when every one of its links was replaced.
 */
public final class Deduplicator {
    private static final Logger LOG = LoggerFactory.getLogger(Deduplicator.class);

    /** One path replaced by a link to {@code linkedTo} (both {@code <model>/<path>}). */
    public record Link(String file, String linkedTo, long size, String sha256) {
    }

    /** The outcome (or, with dry-run, the plan). */
    public record Result(boolean dryRun, long filesScanned, long filesHashed, long bytesHashed, int groups,
                         List<Link> links, long bytesSaved, List<String> skipped) {
    }

    private record Found(String model, String path, Path file, Object key, long size, long mtimeMillis, int nlink) {
        String name() {
            return model + "/" + path;
        }
    }

    private final StoreLayout layout;
    private final StateStore states;
    private final Duration lockTimeout;
    private final Clock clock;
    /** Temporary links a killed run left in model directories, per model (found by the scan). */
    private final Map<String, List<Path>> strays = new TreeMap<>();

    public Deduplicator(StoreLayout layout, Duration lockTimeout, Clock clock) {
        this.layout = layout;
        this.states = new StateStore(layout);
        this.lockTimeout = lockTimeout;
        this.clock = clock;
    }

    public Result run(boolean dryRun) throws IOException {
        List<Found> all = scan();
        Map<Long, List<Found>> bySize = new TreeMap<>();
        all.stream().filter(f -> f.size() > 0).forEach(f -> bySize.computeIfAbsent(f.size(), s -> new ArrayList<>()).add(f));
        long hashed = 0;
        long bytesHashed = 0;
        int groups = 0;
        List<Link> links = new ArrayList<>();
        long saved = 0;
        Map<String, List<Link>> byModel = new LinkedHashMap<>();
        Map<String, Found> foundByName = new HashMap<>();
        all.forEach(f -> foundByName.put(f.name(), f));
        Map<String, ModelRecord> records = new HashMap<>();
        Map<String, List<Found>> stale = staleLinks(all, records);
        for (List<Found> sameSize : bySize.values()) {
            Map<Object, List<Found>> byInode = new LinkedHashMap<>();
            sameSize.forEach(f -> byInode.computeIfAbsent(f.key(), k -> new ArrayList<>()).add(f));
            if (byInode.size() < 2) {
                continue;
            }
            Map<String, List<List<Found>>> bySha = new LinkedHashMap<>();
            for (List<Found> paths : byInode.values()) {
                String sha = null;
                for (Found f : paths) {
                    sha = recordedSha(f, records).orElse(null);
                    if (sha != null) {
                        break;
                    }
                }
                if (sha == null) {
                    sha = hash(paths.get(0).file());
                    hashed++;
                    bytesHashed += paths.get(0).size();
                }
                bySha.computeIfAbsent(sha, s -> new ArrayList<>()).add(paths);
            }
            for (var e : bySha.entrySet()) {
                List<List<Found>> inodes = e.getValue();
                if (inodes.size() < 2) {
                    continue;
                }
                groups++;
                inodes.sort(Comparator.comparingInt((List<Found> l) -> -l.get(0).nlink())
                        .thenComparing(l -> l.get(0).name()));
                Found keep = inodes.get(0).get(0);
                for (List<Found> other : inodes.subList(1, inodes.size())) {
                    if (other.size() >= other.get(0).nlink()) {
                        saved += other.get(0).size(); // every link of that inode goes: its bytes are freed
                    }
                    for (Found f : other) {
                        Link l = new Link(f.name(), keep.name(), f.size(), e.getKey());
                        links.add(l);
                        byModel.computeIfAbsent(f.model(), m -> new ArrayList<>()).add(l);
                    }
                }
            }
        }
        List<String> skipped = new ArrayList<>();
        if (!dryRun) {
            java.util.Set<String> models = new java.util.TreeSet<>(byModel.keySet());
            models.addAll(stale.keySet());
            models.addAll(strays.keySet());
            for (String model : models) {
                skipped.addAll(apply(model, byModel.getOrDefault(model, List.of()), foundByName,
                        stale.getOrDefault(model, List.of()), strays.getOrDefault(model, List.of())));
            }
            new ContentIndex(layout).refresh();
        }
        return new Result(dryRun, all.size(), hashed, bytesHashed, groups, links, saved, skipped);
    }

    /**
     * Paths whose record went stale only because a deduplicate was killed between linking them and
     * writing their model's state: the path now shares its inode with a path whose record is
     * trusted, and its own record names the same sha256 and size. Same inode, same bytes: the
     * record is refreshed (new mtime and inode) instead of leaving the model unverified for good.
     */
    private Map<String, List<Found>> staleLinks(List<Found> all, Map<String, ModelRecord> records) {
        Map<Object, List<Found>> byInode = new LinkedHashMap<>();
        all.forEach(f -> byInode.computeIfAbsent(f.key(), k -> new ArrayList<>()).add(f));
        Map<String, List<Found>> stale = new TreeMap<>();
        for (List<Found> paths : byInode.values()) {
            if (paths.size() < 2) {
                continue;
            }
            String sha = paths.stream().map(f -> recordedSha(f, records)).flatMap(Optional::stream).findFirst()
                    .orElse(null);
            if (sha == null) {
                continue;
            }
            for (Found f : paths) {
                FileRecord r = recordOf(f, records);
                if (recordedSha(f, records).isEmpty() && ContentIndex.indexable(r) && sha.equals(r.sha256())
                        && r.size() == f.size()) {
                    stale.computeIfAbsent(f.model(), m -> new ArrayList<>()).add(f);
                }
            }
        }
        return stale;
    }

    /** Replaces one model's files, holding its lock; returns what was skipped and why. */
    private List<String> apply(String model, List<Link> links, Map<String, Found> found, List<Found> stale,
                               List<Path> strays) {
        List<String> skipped = new ArrayList<>();
        ModelId id;
        try {
            id = ModelId.parse(model);
        } catch (RuntimeException e) {
            id = null; // a directory that is not a model id: no lock or state to care about
        }
        ModelLock lock = null;
        try {
            if (id != null) {
                layout.createSkeleton();
                lock = ModelLock.acquire(layout.lockFile(id), "model " + id, "deduplicate", lockTimeout, clock, h -> { });
            }
        } catch (WanException e) {
            links.forEach(l -> skipped.add(l.file() + ": " + e.getMessage()));
            return skipped;
        }
        try {
            ModelRecord record = id == null ? null : states.readOrEmpty(id);
            Map<String, FileRecord> files = record == null ? new HashMap<>() : new HashMap<>(record.files());
            Map<String, FileRecord> before = new HashMap<>(files);
            boolean changed = false;
            // Phase 1: each trusted record first names the inode its path is about to become, so a
            // kill between a rename and the final state write leaves every file matching its record.
            boolean announced = false;
            for (Link l : links) {
                Found f = found.get(l.file());
                BasicFileAttributes target = attributesOrNull(found.get(l.linkedTo()).file());
                FileRecord old = files.get(f.path());
                if (target != null && target.fileKey() != null && trusted(old, f, l)) {
                    files.put(f.path(), old.linkingTo(target.lastModifiedTime().toMillis(), target.fileKey().toString()));
                    announced = true;
                }
            }
            if (announced && record != null) {
                states.write(record.withFiles(files));
            }
            for (Link l : links) {
                Found f = found.get(l.file());
                Found keep = found.get(l.linkedTo());
                try {
                    BasicFileAttributes now = Files.readAttributes(f.file(), BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (now.size() != f.size() || now.lastModifiedTime().toMillis() != f.mtimeMillis()) {
                        skipped.add(l.file() + ": changed while deduplicating");
                        if (before.get(f.path()) != null) {
                            files.put(f.path(), before.get(f.path()));
                            changed = true;
                        }
                        continue;
                    }
                    FileRecord old = before.get(f.path());
                    boolean wasTrusted = trusted(old, f, l);
                    Path tmp = f.file().resolveSibling("." + f.file().getFileName() + ".wan-dedup-"
                            + ProcessHandle.current().pid() + "-" + System.nanoTime());
                    Files.createLink(tmp, keep.file());
                    Files.move(tmp, f.file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    makeReadOnly(f.file());
                    if (wasTrusted) {
                        files.put(f.path(), new FileRecord(old.size(), old.sha256(), old.check(),
                                Files.getLastModifiedTime(f.file()).toMillis(), old.verifiedAt(),
                                "dedup:" + l.linkedTo(), Placement.DEDUPLICATED));
                        changed = true;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    skipped.add(l.file() + ": cannot link (" + e.getMessage() + "); kept as a separate copy");
                    if (before.get(f.path()) != null) {
                        files.put(f.path(), before.get(f.path())); // not linked after all: no pending link
                        changed = true;
                    }
                }
            }
            for (Found f : stale) {
                FileRecord old = files.get(f.path());
                BasicFileAttributes now = attributesOrNull(f.file());
                if (old != null && now != null && now.lastModifiedTime().toMillis() == f.mtimeMillis()) {
                    files.put(f.path(), new FileRecord(old.size(), old.sha256(), old.check(), f.mtimeMillis(),
                            old.verifiedAt(), old.source(), Placement.DEDUPLICATED));
                    changed = true;
                }
            }
            for (Path stray : strays) {
                try {
                    Files.deleteIfExists(stray); // a killed run's temporary link: we hold the lock, nobody else made it
                } catch (IOException e) {
                    skipped.add(stray + ": cannot remove a stale temporary link (" + e.getMessage() + ")");
                }
            }
            if (changed && record != null) {
                states.write(record.withFiles(files));
            }
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
        return skipped;
    }

    /** The record of {@code f} vouches for its content as scanned: checked against this sha256, same size and mtime. */
    private static boolean trusted(FileRecord old, Found f, Link l) {
        return ContentIndex.indexable(old) && old.size() == f.size() && old.mtimeMillis() == f.mtimeMillis()
                && l.sha256().equals(old.sha256());
    }

    private static BasicFileAttributes attributesOrNull(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    private FileRecord recordOf(Found f, Map<String, ModelRecord> cache) {
        ModelRecord r = cache.computeIfAbsent(f.model(), m -> {
            try {
                return states.readOrEmpty(ModelId.parse(m));
            } catch (RuntimeException e) {
                return ModelRecord.empty(m);
            }
        });
        return r.files().get(f.path());
    }

    private Optional<String> recordedSha(Found f, Map<String, ModelRecord> cache) {
        FileRecord fr = recordOf(f, cache);
        if (ContentIndex.indexable(fr) && fr.size() == f.size() && fr.mtimeMillis() == f.mtimeMillis()) {
            return Optional.of(fr.sha256());
        }
        return Optional.empty();
    }

    private List<Found> scan() throws IOException {
        strays.clear();
        List<Found> all = new ArrayList<>();
        layout.requireOwned(layout.modelsDir());
        for (Path dir : StoreFiles.modelDirs(layout)) {
            if (Files.isSymbolicLink(dir)) {
                continue; // the operator's model on another disk: left alone, as gc does
            }
            String model = dir.getFileName().toString();
            for (Path file : StoreFiles.regularFiles(dir)) {
                if (file.getFileName().toString().contains(".wan-dedup-")) {
                    strays.computeIfAbsent(model, m -> new ArrayList<>()).add(file); // a killed run's: removed under the lock
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                int nlink = StoreFiles.linkCount(file);
                Object key = StoreFiles.inodeKey(file, a);
                all.add(new Found(model, dir.relativize(file).toString().replace('\\', '/'), file, key, a.size(),
                        a.lastModifiedTime().toMillis(), nlink));
            }
        }
        return all;
    }

    static String hash(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sharing policy: a file at a model's final path is read-only (a-w). */
    public static void makeReadOnly(Path file) {
        try {
            Set<PosixFilePermission> perms = new java.util.HashSet<>(
                    Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
            if (perms.removeAll(Set.of(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.OTHERS_WRITE))) {
                // through the link-refusing view: chmod must never reach what a planted link points at
                Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class,
                        LinkOption.NOFOLLOW_LINKS).setPermissions(perms);
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("permissions of {} unchanged: not POSIX, or not ours to change", file, e);
        }
    }
}
