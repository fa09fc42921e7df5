package dev.wan.internal.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.internal.io.Fs;
import dev.wan.internal.store.StoreLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code MODELS_ROOT/.tmp/migrate-<16 hex of sha256(legacy real path)>.json}: what an execute has
 * done so far, so a run killed at any moment resumes. It holds the sha256 of each legacy file
 * hashed (with the size, mtime and inode it had: reused only while all three still match) and the
 * state of each model step ({@code placing}, {@code placed}, {@code failed}). Written atomically
 * (temp, fsync, rename, race-free below MODELS_ROOT) after every model and every few seconds of
 * hashing; removed when an execute finishes without error.
 *
 * <pre>
 * {"schema":1,"legacyRoot":"/data/models","startedAt":"2026-12-02T02:30:00Z",
 *  "hashes":{"/data/models/t2v-A14B/vae/x.safetensors":
 *            {"size":507609880,"mtimeMillis":1764180000000,"fileKey":"(dev=fe00,ino=2204902)","sha256":"…"}},
 *  "steps":{"t2v-A14B@2.2.0|fp16":"placed","i2v-A14B@2.2.0|null":"placing"}}
 * </pre>
 *
 * <p>It only saves work, never decides what is trusted: every byte placed is hashed again by the
 * ensure path and checked against the manifest, so a damaged or forged journal can cost a
 * CHECKSUM_FAIL, never a wrong byte at a final path. Read without following links, at most 64 MiB;
 * a journal that cannot be read is ignored (the run starts over).
 */
public final class MigrationJournal {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BYTES = 64L << 20;

    private final StoreLayout layout;
    private final Path file;
    private final Path legacyRoot;
    private final boolean existed;
    private final String startedAt;
    private final Map<String, Hash> hashes = new ConcurrentHashMap<>();
    private final Map<String, String> steps = new ConcurrentHashMap<>();
    private final String problem;
    private long lastSave;

    record Hash(long size, long mtimeMillis, String fileKey, String sha256) {
    }

    private MigrationJournal(StoreLayout layout, Path legacyRoot, boolean existed, String startedAt, String problem) {
        this.layout = layout;
        this.legacyRoot = legacyRoot;
        this.file = path(layout, legacyRoot);
        this.existed = existed;
        this.startedAt = startedAt;
        this.problem = problem;
    }

    /** Where the journal of a migration from {@code legacyRealRoot} lives. */
    public static Path path(StoreLayout layout, Path legacyRealRoot) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(legacyRealRoot.toString().getBytes(StandardCharsets.UTF_8));
            return layout.tmpDir().resolve("migrate-" + HexFormat.of().formatHex(d).substring(0, 16) + ".json");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The journal of an earlier, interrupted run, or a fresh one. Never throws for a damaged file. */
    public static MigrationJournal load(StoreLayout layout, Path legacyRealRoot, Instant now) {
        Path file = path(layout, legacyRealRoot);
        String problem;
        try {
            byte[] bytes = readBounded(file);
            if (bytes == null) {
                return new MigrationJournal(layout, legacyRealRoot, false, now.toString(), null);
            }
            JsonNode root = JSON.readTree(bytes);
            if (root != null && root.isObject() && legacyRealRoot.toString().equals(root.path("legacyRoot").asText())) {
                MigrationJournal j = new MigrationJournal(layout, legacyRealRoot, true,
                        root.path("startedAt").asText(now.toString()), null);
                root.path("hashes").properties().forEach(e -> {
                    JsonNode h = e.getValue();
                    String sha = h.path("sha256").asText("");
                    if (sha.matches("[0-9a-f]{64}")) {
                        j.hashes.put(e.getKey(), new Hash(h.path("size").asLong(-1), h.path("mtimeMillis").asLong(-1),
                                h.path("fileKey").asText(""), sha));
                    }
                });
                root.path("steps").properties().forEach(e -> j.steps.put(e.getKey(), e.getValue().asText()));
                return j;
            }
            problem = "is not a migration journal of " + legacyRealRoot;
        } catch (IOException | RuntimeException e) {
            problem = "cannot be read (" + e.getClass().getSimpleName() + ")";
        }
        return new MigrationJournal(layout, legacyRealRoot, false, now.toString(), file + " " + problem + ": ignored");
    }

    private static byte[] readBounded(Path file) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!a.isRegularFile() || a.size() > MAX_BYTES) {
            throw new IOException("not a regular file of at most 64 MiB");
        }
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate((int) a.size() + 1);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // until full or end of file
            }
            if (buf.position() > a.size()) {
                throw new IOException("grew while read");
            }
            return java.util.Arrays.copyOf(buf.array(), buf.position());
        }
    }

    public Path file() {
        return file;
    }

    /** An interrupted run left this journal: this run continues it. */
    public boolean resumed() {
        return existed;
    }

    /** Why an existing journal was ignored, or null. */
    public String problem() {
        return problem;
    }

    /** The recorded sha256 of a legacy file, when its size, mtime and inode are still what was recorded. */
    public String knownSha256(Path file, BasicFileAttributes a) {
        Hash h = hashes.get(file.toString());
        if (h != null && h.size() == a.size() && h.mtimeMillis() == a.lastModifiedTime().toMillis()
                && h.fileKey().equals(String.valueOf(a.fileKey()))) {
            return h.sha256();
        }
        return null;
    }

    public void recordHash(Path file, BasicFileAttributes a, String sha256) {
        hashes.put(file.toString(), new Hash(a.size(), a.lastModifiedTime().toMillis(), String.valueOf(a.fileKey()), sha256));
    }

    public String step(String key) {
        return steps.get(key);
    }

    public void step(String key, String state) {
        steps.put(key, state);
        save();
    }

    /** Saves when the last save is {@code seconds} old (hashing progress). */
    public synchronized void saveEvery(int seconds) {
        if (System.nanoTime() - lastSave > seconds * 1_000_000_000L) {
            save();
        }
    }

    public synchronized void save() {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", 1);
        root.put("legacyRoot", legacyRoot.toString());
        root.put("startedAt", startedAt);
        ObjectNode h = root.putObject("hashes");
        new java.util.TreeMap<>(hashes).forEach((k, v) -> {
            ObjectNode n = h.putObject(k);
            n.put("size", v.size());
            n.put("mtimeMillis", v.mtimeMillis());
            n.put("fileKey", v.fileKey());
            n.put("sha256", v.sha256());
        });
        ObjectNode s = root.putObject("steps");
        new java.util.TreeMap<>(steps).forEach(s::put);
        try {
            layout.mkdirs(layout.tmpDir());
            Fs.writeAtomically(layout.root(), file, JSON.writeValueAsBytes(root));
        } catch (IOException e) {
            throw Fs.map(e, "cannot write the migration journal " + file);
        }
        lastSave = System.nanoTime();
    }

    /** The run finished: nothing to resume. */
    public void delete() {
        Fs.deleteTree(layout.root(), file);
    }
}
