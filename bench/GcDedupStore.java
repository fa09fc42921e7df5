import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Helper of bench/gc-dedup.sh (run with `java bench/GcDedupStore.java ROOT MANIFEST MODELS FILES_PER_MODEL
 * REAL_PER_MODEL POOL SEED`): writes a synthetic COMPLETE store straight onto disk, without wan.
 *
 * <p>Per model {@code <fam>-m<NNNN>@1.0.0}: FILES_PER_MODEL files, of which REAL_PER_MODEL carry real
 * random content drawn from a pool of POOL distinct blobs (4 KiB–1 MiB, log-uniform; the same blob
 * in several models = duplicate content in separate inodes) and the rest are sparse files of
 * 1 MB–1 GB with a made-up sha256 (their content never matters: dedup trusts a matching record).
 * State: even models record the real sha256 of their real files (dedup trusts them), odd models
 * record {@code check: size} without sha256 (dedup must hash them; the manifest has no sha256 for
 * them either). lastUsed spread over 90 days, every 100th model pinned. Prints one summary line.
 */
public class GcDedupStore {
    static final String[] FAMILIES = {"t2v", "i2v", "ti2v"};

    public static void main(String[] a) throws Exception {
        Path root = Path.of(a[0]);
        Path manifest = Path.of(a[1]);
        int models = Integer.parseInt(a[2]);
        int perModel = Integer.parseInt(a[3]);
        int realPerModel = Integer.parseInt(a[4]);
        int pool = Integer.parseInt(a[5]);
        long seed = Long.parseLong(a[6]);
        long now = System.currentTimeMillis();
        long fileMtime = (now / 1000 - 100L * 86400) * 1000; // whole seconds, 100 days ago
        String verifiedAt = Instant.ofEpochMilli(fileMtime).toString();

        // the pool: sizes and sha256s of the blobs (content regenerated from the blob's seed when written)
        long[] blobSize = new long[pool];
        String[] blobSha = new String[pool];
        SplittableRandom r0 = new SplittableRandom(seed);
        for (int b = 0; b < pool; b++) {
            blobSize[b] = (long) Math.exp(Math.log(4096) + r0.nextDouble() * (Math.log(1 << 20) - Math.log(4096)));
            blobSha[b] = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(blob(seed, b, blobSize[b])));
        }
        Files.createDirectories(root.resolve(".state"));
        Files.createDirectories(root.resolve("wan22"));
        ExecutorService ex = Executors.newFixedThreadPool(2);
        List<Future<?>> jobs = new ArrayList<>();
        StringBuilder toml = new StringBuilder("schema_version = 1\n\n");
        long realBytes = 0, sparseBytes = 0, realFiles = 0, sparseFiles = 0, pinned = 0;
        java.util.Set<Integer> blobsUsed = new java.util.HashSet<>();
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (int m = 0; m < models; m++) {
            String name = FAMILIES[m % 3] + "-m" + String.format("%04d", m);
            String id = name + "@1.0.0";
            Path dir = root.resolve("wan22").resolve(id);
            boolean trusted = m % 2 == 0;
            boolean pin = m % 100 == 7;
            pinned += pin ? 1 : 0;
            long lastUsed = now - (long) (r.nextDouble() * 90 * 86400_000L);
            toml.append("[models.\"").append(id).append("\"]\nversion = \"1.0.0\"\n");
            StringBuilder files = new StringBuilder();
            for (int f = 0; f < perModel; f++) {
                String path;
                long size;
                String sha;
                String stateSha;
                Integer b = null;
                if (f < realPerModel) {
                    path = "blobs/b" + String.format("%02d", f) + ".bin";
                    b = r.nextInt(pool);
                    blobsUsed.add(b);
                    size = blobSize[b];
                    sha = blobSha[b];
                    stateSha = trusted ? sha : null;
                    realBytes += size;
                    realFiles++;
                } else {
                    path = "transformer/shard-" + String.format("%02d", f) + ".safetensors";
                    size = 1_000_000L + (long) (r.nextDouble() * 999_000_000L);
                    sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                            .digest((id + "/" + path).getBytes(StandardCharsets.UTF_8)));
                    stateSha = sha;
                    sparseBytes += size;
                    sparseFiles++;
                }
                toml.append("[[models.\"").append(id).append("\".files]]\npath = \"").append(path)
                        .append("\"\nsize = ").append(size).append('\n');
                if (stateSha != null) {
                    toml.append("sha256 = \"").append(sha).append("\"\n");
                }
                if (files.length() > 0) {
                    files.append(',');
                }
                files.append('"').append(path).append("\":{\"size\":").append(size).append(",\"sha256\":")
                        .append(stateSha == null ? "null" : '"' + stateSha + '"').append(",\"check\":\"")
                        .append(stateSha == null ? "size" : "sha256").append("\",\"mtimeMillis\":").append(fileMtime)
                        .append(",\"verifiedAt\":\"").append(verifiedAt).append("\",\"source\":\"file:///synthetic/")
                        .append(id).append("\",\"how\":\"copied\"}");
                Path file = dir.resolve(path);
                final Integer blobIndex = b;
                final long fsize = size;
                jobs.add(ex.submit(() -> {
                    Files.createDirectories(file.getParent());
                    if (blobIndex != null) {
                        try (OutputStream out = Files.newOutputStream(file)) {
                            out.write(blob(seed, blobIndex, fsize));
                        }
                    } else {
                        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                            raf.setLength(fsize);
                        }
                    }
                    Files.setLastModifiedTime(file, FileTime.fromMillis(fileMtime));
                    return null;
                }));
            }
            toml.append("[models.\"").append(id).append("\".sources]\npriority = [\"file:///synthetic/").append(id)
                    .append("\"]\n\n");
            String completed = Instant.ofEpochMilli(lastUsed - 3600_000L).toString();
            String state = "{\"schema\":1,\"model\":\"" + id + "\",\"variants\":[],\"files\":{" + files
                    + "},\"completedAt\":\"" + completed + "\",\"lastUsed\":\"" + Instant.ofEpochMilli(lastUsed)
                    + "\",\"pinned\":" + pin + "}";
            Files.writeString(root.resolve(".state").resolve(id + ".json"), state);
        }
        for (Future<?> j : jobs) {
            j.get();
        }
        ex.shutdown();
        Files.writeString(manifest, toml);
        long uniqueReal = blobsUsed.stream().mapToLong(i -> blobSize[i]).sum();
        System.out.printf("models=%d files=%d realFiles=%d realBytes=%d distinctBlobs=%d distinctRealBytes=%d "
                        + "sparseFiles=%d sparseApparentBytes=%d pinned=%d%n", models, realFiles + sparseFiles,
                realFiles, realBytes, blobsUsed.size(), uniqueReal, sparseFiles, sparseBytes, pinned);
    }

    static byte[] blob(long seed, int b, long size) {
        byte[] bytes = new byte[(int) size];
        new SplittableRandom(seed * 1_000_003L + b).nextBytes(bytes);
        return bytes;
    }
}
