package dev.wan.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * <p>An entry is a candidate, never proof: {@link #find} re-checks that the file is still a
 * regular file with the size and mtime of its record (the same rule {@code status} uses) before
 * handing it out.
 */
public final class ContentIndex {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);
    static final int SCHEMA = 1;

    /** One verified copy of some content. */
    public record Entry(String model, String path, long size, long mtimeMillis) {
    }

    /** A copy that passed the re-check: {@code file} is where it is now. */
    public record Copy(String model, String path, Path file, long size) {
        /** How a state records where deduplicated bytes came from. */
        public String describe() {
            return "dedup:" + model + "/" + path;
        }
    }

    /** The persisted form. */
    record Document(int schema, String fingerprint, Map<String, List<Entry>> entries) {
    }

    private final StoreLayout layout;
    private volatile Document current;

    public ContentIndex(StoreLayout layout) {
        this.layout = layout;
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
            if ((e.model().equals(exceptModel) && e.path().equals(exceptPath)) || e.size() != size) {
                continue;
            }
            Optional<Path> file = trusted(e);
            if (file.isPresent()) {
                return Optional.of(new Copy(e.model(), e.path(), file.get(), e.size()));
            }
        }
        return Optional.empty();
    }

    /** Every entry (for tests and tools), loading or rebuilding the index first. */
    public Map<String, List<Entry>> entries() {
        return load().entries();
    }

    /** Re-reads the state files if they changed since the index was built; persists the result. */
    public void refresh() {
        current = null;
        load();
    }

    /**
     * The index as loaded by this instance; loaded (checked against the state files, rebuilt if
     * stale) on first use and on {@link #refresh}. One instance lives for one ensure, so a lookup
     * per file costs no stat of the state directory.
     */
    private synchronized Document load() {
        Document d = current;
        if (d != null) {
            return d;
        }
        String fingerprint = fingerprint();
        d = readPersisted();
        if (d == null || d.schema() != SCHEMA || d.entries() == null || !fingerprint.equals(d.fingerprint())) {
            d = rebuild(fingerprint);
            persist(d);
        }
        current = d;
        return d;
    }

    private Document readPersisted() {
        try {
            return JSON.readValue(Files.readAllBytes(file()), Document.class);
        } catch (IOException | RuntimeException e) {
            return null; // absent or garbage: rebuilt from the state files
        }
    }

    private void persist(Document d) {
        try {
            StoreLayout.createDirectories(file().getParent());
            Fs.writeAtomically(file(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(d));
        } catch (IOException | RuntimeException e) {
            // The index is a cache: failing to save it (read-only store, full disk) costs a rebuild next time.
        }
    }

    private Document rebuild(String fingerprint) {
        StateStore states = new StateStore(layout);
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
        return r != null && r.sha256() != null && !r.corrupt()
                && (FileRecord.SHA256.equals(r.check()) || FileRecord.UPSTREAM_SHA256.equals(r.check()));
    }

    /** The file of an entry, if it is still what its record says (regular, same size and mtime). */
    private Optional<Path> trusted(Entry e) {
        try {
            Path file = StoreLayout.resolveInside(layout.modelDir(ModelId.parse(e.model())), e.path());
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isRegularFile() && a.size() == e.size() && a.lastModifiedTime().toMillis() == e.mtimeMillis()) {
                return Optional.of(file);
            }
        } catch (IOException | RuntimeException ignored) {
            // gone or odd: not a candidate
        }
        return Optional.empty();
    }

    private List<Path> stateFiles() {
        List<Path> files = new ArrayList<>();
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
                    // vanished between the listing and the stat: leave it out
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
