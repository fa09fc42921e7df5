package dev.wan.e2e.s3;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import dev.wan.testkit.s3.S3ProxyServer;

/**
 * The wan CLI as its own JVM ({@code java -cp … dev.wan.cli.WanCli}) with a clean environment: no
 * AWS or wan variable of the developer's leaks in; the test gives exactly what it means.
 */
final class WanProcess {
    private WanProcess() {
    }

    static ProcessBuilder builder(Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp",
                Files.readString(Path.of(System.getProperty("wan.cli.classpath.file"))).strip(), "dev.wan.cli.WanCli"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("WAN_") || k.startsWith("HF_")
                || k.equals("MODELS_ROOT"));
        pb.environment().putAll(env);
        return pb;
    }

    static Process start(Map<String, String> env, Path out, Path err, String... args) throws IOException {
        return builder(env, args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    /** Exit code, stdout and stderr of a finished run. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
        }
    }

    /** Waits for the run; fails if it printed a secret of the S3 test server. */
    static Result await(Process p, Path out, Path err) throws IOException, InterruptedException {
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("wan did not finish in 3 minutes");
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        assertNoSecretIn(r.stdout() + r.stderr());
        return r;
    }

    static void assertNoSecretIn(String text) {
        for (String secret : List.of(S3ProxyServer.SECRET_KEY, S3ProxyServer.ACCESS_KEY, WRONG_SECRET)) {
            if (text.contains(secret)) {
                throw new AssertionError("wan printed a secret (" + secret.substring(0, 4) + "…):\n" + text);
            }
        }
    }

    /** A secret key the server does not know, for runs that must fail with AUTH_FAIL. */
    static final String WRONG_SECRET = "wanS3WrongSecretCanary0123456789abcdefXYZ";

    static Result run(Map<String, String> env, Path dir, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        return await(start(env, out, err, args), out, err);
    }

    /** Writes {@code size} pseudo-random bytes; returns their sha256. */
    static String randomFile(Path file, long size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        MessageDigest sha = sha256();
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
            for (long left = size; left > 0; ) {
                for (int i = 0; i < buf.length; i += 8) {
                    long v = rnd.nextLong();
                    for (int b = 0; b < 8; b++) {
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

    static String sha256(Path file) throws IOException {
        MessageDigest sha = sha256();
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** A manifest of one model whose files (path → size, sha256) come from {@code source}. */
    static Path manifest(Path dir, String id, String source, Map<String, String[]> files) throws IOException {
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
