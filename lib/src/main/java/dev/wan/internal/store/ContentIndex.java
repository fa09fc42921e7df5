package dev.wan.internal.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.internal.io.BoundedRead;
import dev.wan.internal.io.ContainedPath;
import dev.wan.internal.io.Fs;
import dev.wan.manifest.ModelId;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where verified copies of each content live: sha256 → (model, path). Persisted in
 * {@code MODELS_ROOT/.index/sha256.json}:
 *
 * <pre>
 * {"schema":1,"fingerprint":"9f2c…",
 *  "entries":{"4a1b…(sha256)":[{"model":"t2v-A14B@2.2.0","path":"Wan2.1_VAE.pth","size":507609880,
 *                               "mtimeMillis":1764180000000}, …]}}
 * </pre>
 *
 * The index is derived data: the truth is the state files ({@code .state/*.json}), and the index
 * only lists the files whose record says their content was checked against a sha256 (check
 * {@code sha256} or {@code upstream-sha256}). {@code fingerprint} is a digest of the names, inode
 * numbers, sizes and mtimes of the state files; a state file is always replaced by a rename, so any
 * change to any state changes it. A missing, unparseable or stale index is rebuilt (a read of every
 * state file, cheap next to any download) and written atomically; two processes rebuilding at once
 * write the same thing, last rename wins.
 *
 * <p>An entry is a candidate, never proof: the index is a file anyone who can write the store can
 * edit, and the fingerprint only covers the state files. {@link #find} hands a copy out only when
 * the referenced model's own state file, read fresh, is readable and records that very path as
 * checked content with this sha256, and the file (reached without a link below its model
 * directory) is a regular file with the recorded size, mtime and, when recorded, inode. The caller
 * links it and then checks the link is that inode ({@link Copy#fileKey}).
 *
 * <p>{@code .index} is never followed when it is a symlink (read as absent, never written), the
 * file is read with a cap of {@link #MAX_INDEX_BYTES}, and a writer leaves no temp file behind:
 * temp files ({@code sha256.json.tmp-<pid>-<thread>}) older than {@link #TMP_GRACE} are leftovers of
 * a crashed writer and are removed before each write ({@link #staleTemps} lists them).
 */
public final class ContentIndex {
    private static final Logger LOG = LoggerFactory.getLogger(ContentIndex.class);

    /** Built on first use, not when the class loads: an ensure that finds its model complete never needs one. */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);
    }
    static final int SCHEMA = 1;

    /** One verified copy of some content. */
    public record Entry(String model, String path, long size, long mtimeMillis) {
    }

    /** The index file is a few hundred bytes per indexed file; more than this is not ours. */
    public static final long MAX_INDEX_BYTES = 64L * 1024 * 1024;
    /** A temp file of an index write older than this belongs to a writer that died. */
    public static final java.time.Duration TMP_GRACE = java.time.Duration.ofHours(1);

    /**
     * A copy that passed the re-check: {@code file} is where it is now, {@code fileKey} the inode it
     * was checked as (null where the file system has none): a link made from it must be that inode.
     */
    public record Copy(String model, String path, Path file, long size, Object fileKey) {
        /** How a state records where deduplicated bytes came from. */
        public String describe() {
            return "dedup:" + model + "/" + path;
        }
    }

    /** The persisted form. */
    record Document(int schema, String fingerprint, Map<String, List<Entry>> entries) {
    }

    private final StoreLayout layout;
    private final StateStore states;
    private volatile Document current;
    /**
     * The referenced models' states as read for this index's lookups: one parse per model, not per
     * file (a 50,000-file model would otherwise re-read its state for every hit). Safe to reuse: every
     * hit is still checked against the file itself, and {@link #refresh} forgets them.
     */
    private final Map<ModelId, StateStore.View> views = new java.util.concurrent.ConcurrentHashMap<>();

    public ContentIndex(StoreLayout layout) {
        this.layout = layout;
        this.states = new StateStore(layout);
    }

    public Path file() {
        return layout.root().resolve(".index").resolve("sha256.json");
    }

    /**
     * A trusted copy of the content with this sha256 and size anywhere in the store, other than
     * {@code exceptModel}/{@code exceptPath} (the file being ensured is never its own source).
     */
    public Optional<Copy> find(String sha256, long size, String exceptModel, String exceptPath) {
        List<Entry> candidates = load().entries().getOrDefault(sha256, List.of());
        for (Entry e : candidates) {
            if (e == null || e.model() == null || e.path() == null
                    || (e.model().equals(exceptModel) && e.path().equals(exceptPath)) || e.size() != size) {
                continue;
            }
            Optional<Copy> copy = trusted(sha256, e);
            if (copy.isPresent()) {
                return copy;
            }
        }
        return Optional.empty();
    }

    /** Every entry (for tests and tools), loading or rebuilding the index first. */
    public Map<String, List<Entry>> entries() {
        return load().entries();
    }

    /**
     * Re-reads the state files if they changed since the index was loaded (a stat per state file
     * when they did not); persists the result.
     */
    public synchronized void refresh() {
        String fingerprint = fingerprint();
        Document d = current;
        if (d != null && fingerprint.equals(d.fingerprint())) {
            return;
        }
        views.clear();
        current = loadWith(fingerprint);
    }

    /**
     * The index as loaded by this instance; loaded (checked against the state files, rebuilt if
     * stale) on first use and on {@link #refresh}. One instance lives for one ensure, so a lookup
     * per file costs no stat of the state directory.
     */
    private synchronized Document load() {
        if (current == null) {
            current = loadWith(fingerprint());
        }
        return current;
    }

    /** The persisted index when it is for {@code fingerprint}, else one rebuilt from the state files and saved. */
    private Document loadWith(String fingerprint) {
        Document d = readPersisted();
        if (d == null || d.schema() != SCHEMA || d.entries() == null || !fingerprint.equals(d.fingerprint())) {
            d = rebuild(fingerprint);
            persist(d);
        }
        return d;
    }

    private Document readPersisted() {
        try {
            layout.requireOwned(file().getParent());
            BoundedRead.Result read = BoundedRead.read(file(), MAX_INDEX_BYTES);
            return read.bytes() == null ? null : Mapper.JSON.readValue(read.bytes(), Document.class);
        } catch (IOException | RuntimeException e) {
            return null; // absent, refused (a link, a directory, too big) or garbage: rebuilt from the state files
        }
    }

    private void persist(Document d) {
        Path file = file();
        try {
            layout.requireOwned(file.getParent());
            layout.mkdirs(file.getParent());
            removeStaleTemps();
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                Fs.deleteTree(layout.root(), file); // the index's own name; a directory there can only be damage
            }
            Fs.writeAtomically(layout.root(), file, Mapper.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(d));
        } catch (IOException | RuntimeException e) {
            LOG.debug("content index not saved (read-only store, full disk, .index a link?): it is a cache, rebuilt next time", e);
        }
    }

    /**
     * Temp files of index writes ({@code .index/*.tmp-*}) untouched for longer than
     * {@link #TMP_GRACE}: what a writer that crashed between create and rename left. A live writer
     * holds its temp for milliseconds. Never follows {@code .index} when it is a link.
     */
    public List<Path> staleTemps(java.time.Instant now) {
        List<Path> out = new ArrayList<>();
        Path dir = file().getParent();
        try {
            layout.requireOwned(dir);
        } catch (RuntimeException e) {
            return out;
        }
        long cutoff = now.minus(TMP_GRACE).toEpochMilli();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.tmp-*")) {
            for (Path p : ds) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.lastModifiedTime().toMillis() < cutoff) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot list the content index's temp files: nothing to report", e);
        }
        out.sort(null);
        return out;
    }

    private void removeStaleTemps() {
        for (Path p : staleTemps(java.time.Instant.now())) {
            try {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Fs.deleteTree(layout.root(), p);
                } else {
                    Files.deleteIfExists(p); // a link is unlinked, never followed
                }
            } catch (IOException swallowed) {
                LOG.debug("could not remove the stale temp file {}: tried again on the next write", p, swallowed);
            }
        }
    }

    private Document rebuild(String fingerprint) {
        Map<String, List<Entry>> entries = new TreeMap<>();
        for (Path stateFile : stateFiles()) {
            String name = stateFile.getFileName().toString();
            ModelId id;
            try {
                id = ModelId.parse(name.substring(0, name.length() - ".json".length()));
            } catch (RuntimeException e) {
                continue; // not a state file of ours
            }
            Optional<ModelRecord> record = states.read(id);
            if (record.isEmpty()) {
                continue;
            }
            record.get().files().forEach((path, r) -> {
                if (indexable(r)) {
                    entries.computeIfAbsent(r.sha256(), k -> new ArrayList<>())
                            .add(new Entry(id.toString(), path, r.size(), r.mtimeMillis()));
                }
            });
        }
        return new Document(SCHEMA, fingerprint, entries);
    }

    /** Only content checked against a digest is indexed: a size-only record says nothing about content. */
    static boolean indexable(FileRecord r) {
        return r != null && r.sha256() != null && r.check() != null && r.check().provesDigest();
    }

    /**
     * The copy an entry points at, if the referenced model's own state (read now, not the index's
     * word) records that path as content checked against {@code sha256}, and the file is still
     * what that record says: regular, same size and mtime, same inode when one was recorded.
     */
    private Optional<Copy> trusted(String sha256, Entry e) {
        try {
            ModelId model = ModelId.parse(e.model());
            Path dir = layout.modelDir(model);
            Path file = ContainedPath.resolveInside(dir, e.path());
            if (!file.getParent().equals(dir)) {
                StoreLayout.requireNoLinks(dir, file.getParent()); // the model directory itself may be a link
            }
            StateStore.View view = views.computeIfAbsent(model, states::load);
            FileRecord r = view.recorded() ? view.record().files().get(e.path()) : null;
            if (r == null || !indexable(r) || !sha256.equals(r.sha256()) || r.size() != e.size()) {
                return Optional.empty();
            }
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            boolean sameInode = r.inode() == null || a.fileKey() != null && r.inode().equals(a.fileKey().toString());
            if (a.isRegularFile() && a.size() == r.size() && a.lastModifiedTime().toMillis() == r.mtimeMillis()
                    && sameInode) {
                return Optional.of(new Copy(e.model(), e.path(), file, r.size(), a.fileKey()));
            }
        } catch (IOException | RuntimeException swallowed) {
            LOG.debug("copy {} of {} is gone, odd, or its model's state is unreadable: not a candidate", e.path(), e.model(), swallowed);
        }
        return Optional.empty();
    }

    private List<Path> stateFiles() {
        List<Path> files = new ArrayList<>();
        try {
            layout.requireOwned(layout.stateDir());
        } catch (RuntimeException e) {
            return List.of(); // .state a link: no state is read through it, nothing is indexed
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(layout.stateDir(), "*.json")) {
            ds.forEach(files::add);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            return List.of();
        }
        files.sort(null);
        return files;
    }

    /** Names, inodes, sizes and mtimes of the state files, digested. One stat per model. */
    String fingerprint() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path p : stateFiles()) {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    sha.update((p.getFileName() + "|" + a.fileKey() + "|" + a.size() + "|"
                            + a.lastModifiedTime() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (IOException e) {
                    LOG.debug("state file {} vanished between the listing and the stat: left out of the fingerprint", p, e);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
