package dev.wan.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;

/** Generated models: files of random bytes in a source directory and a manifest naming them. */
public final class Fixtures {
    private Fixtures() {
    }

    /** Writes {@code size} pseudo-random bytes to {@code file}; returns their sha256. */
    public static String randomFile(Path file, long size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        MessageDigest sha = sha256();
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
            for (long left = size; left > 0; ) {
                for (int i = 0; i < buf.length; i += 8) {
                    long v = rnd.nextLong();
                    for (int b = 0; b < 8 && i + b < buf.length; b++) {
                        buf[i + b] = (byte) (v >>> (8 * b));
                    }
                }
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** A manifest with one model whose single file {@code path} is served from {@code file://sourceDir}. */
    static Path oneFileManifest(Path dir, String id, String path, long size, String sha256, Path sourceDir)
            throws IOException {
        return oneFileManifest(dir, id, path, size, sha256, "file://" + sourceDir);
    }

    /** A manifest with one model whose single file {@code path} comes from the source {@code uri}. */
    static Path oneFileManifest(Path dir, String id, String path, long size, String sha256, String uri)
            throws IOException {
        String toml = """
                schema_version = 1

                [models."%s"]
                description = "generated for a test"
                version = "%s"

                [[models."%s".files]]
                path = "%s"
                size = %d
                sha256 = "%s"

                [models."%s".sources]
                priority = ["%s"]
                """.formatted(id, id.substring(id.indexOf('@') + 1), id, path, size, sha256, id, uri);
        Path manifest = dir.resolve("models.toml");
        Files.writeString(manifest, toml);
        return manifest;
    }

    /** A manifest of one model whose files (path → size, sha256) come from {@code source}. */
    public static Path manifest(Path dir, String id, String source, Map<String, String[]> files) throws IOException {
        Files.createDirectories(dir);
        StringBuilder toml = new StringBuilder("schema_version = 1\n\n[models.\"" + id + "\"]\n")
                .append("description = \"generated for a test\"\nversion = \"").append(id.substring(id.indexOf('@') + 1))
                .append("\"\n");
        files.forEach((path, sizeAndSha) -> toml.append("\n[[models.\"").append(id).append("\".files]]\npath = \"")
                .append(path).append("\"\nsize = ").append(sizeAndSha[0]).append("\nsha256 = \"").append(sizeAndSha[1])
                .append("\"\n"));
        toml.append("\n[models.\"").append(id).append("\".sources]\npriority = [\"").append(source).append("\"]\n");
        Path manifest = dir.resolve("models.toml");
        Files.writeString(manifest, toml);
        return manifest;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
