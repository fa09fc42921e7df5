package dev.wan.testkit.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server for tests: S3Proxy 4.1.0 (filesystem storage) started as its own process on
 * a free loopback port, with v2/v4 signature checking against {@link #ACCESS_KEY} /
 * {@link #SECRET_KEY} (or keys of the test's choosing). One per test class: start it in {@code @BeforeAll}, {@link #close()} it in
 * {@code @AfterAll} (a shutdown hook kills it too, should the JVM end first). Seed buckets and
 * objects through {@link #admin()} (the SDK), never by writing into its data directory.
 *
 * <p>The jar: system property {@code wan.s3proxy.jar} (lib's pom copies it to
 * {@code lib/target/s3proxy/s3proxy.jar}), else that path under {@code wan.repo}, else the local
 * Maven repository.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "AKIAWANTESTKEY7EXAMPLE";
    public static final String SECRET_KEY = "wanTestSecretKey/K7MDENG/bPxRfiCYEXAMPLEKEY";
    public static final String VERSION = "4.1.0";

    private final Process process;
    private final String accessKey;
    private final String secretKey;
    private final Path dir;
    private final URI endpoint;
    private final S3Client admin;
    private final Thread killer;

    private S3ProxyServer(Process process, Path dir, URI endpoint, String accessKey, String secretKey) {
        this.process = process;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.dir = dir;
        this.endpoint = endpoint;
        this.killer = new Thread(process::destroyForcibly, "s3proxy-killer");
        Runtime.getRuntime().addShutdownHook(killer);
        this.admin = S3Client.builder().httpClient(Apache5HttpClient.create()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .endpointOverride(endpoint).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
    }

    /** Starts a server whose data and log live in a new directory under {@code parent}. */
    public static S3ProxyServer start(Path parent) throws IOException {
        return start(parent, ACCESS_KEY, SECRET_KEY);
    }

    /** As {@link #start(Path)}, accepting other keys (e.g. recognisable canary secrets). */
    public static S3ProxyServer start(Path parent, String accessKey, String secretKey) throws IOException {
        Path dir = Files.createTempDirectory(parent, "s3proxy");
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return startOnce(dir, freePort(), accessKey, secretKey);
            } catch (IOException e) {
                last = e; // most likely the port was taken between probing and binding: try another
            }
        }
        throw last;
    }

    private static S3ProxyServer startOnce(Path dir, int port, String accessKey, String secretKey) throws IOException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path conf = dir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secretKey,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data,
                ""));
        Path log = dir.resolve("s3proxy-" + port + ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-jar", jar().toString(), "--properties", conf.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("S3Proxy exited with " + p.exitValue() + ":\n" + tail(log));
            }
            if (healthy(endpoint)) {
                return new S3ProxyServer(p, dir, endpoint, accessKey, secretKey);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while starting S3Proxy");
            }
        }
        p.destroyForcibly();
        throw new IOException("S3Proxy did not answer /healthz within 60 s:\n" + tail(log));
    }

    /** Where the S3Proxy jar-with-dependencies is. */
    public static Path jar() {
        List<Path> candidates = new ArrayList<>();
        String prop = System.getProperty("wan.s3proxy.jar");
        if (prop != null) {
            candidates.add(Path.of(prop));
        }
        String repo = System.getProperty("wan.repo");
        if (repo != null) {
            candidates.add(Path.of(repo, "lib", "target", "s3proxy", "s3proxy.jar"));
        }
        String m2 = System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository");
        candidates.add(Path.of(m2, "org", "gaul", "s3proxy", VERSION, "s3proxy-" + VERSION + "-jar-with-dependencies.jar"));
        return candidates.stream().filter(Files::isRegularFile).findFirst().orElseThrow(() -> new IllegalStateException(
                "no S3Proxy jar at " + candidates + "; run 'mvn -pl lib generate-test-resources' to fetch it"));
    }

    private static boolean healthy(URI endpoint) {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(endpoint + "/healthz").openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode() == 200;
            } finally {
                c.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public URI endpoint() {
        return endpoint;
    }

    /** An SDK client with the server's keys, for seeding and checking. */
    public S3Client admin() {
        return admin;
    }

    /** What a wan process needs to read from this server: keys, endpoint, region. */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_ACCESS_KEY_ID", accessKey);
        env.put("AWS_SECRET_ACCESS_KEY", secretKey);
        env.put("AWS_ENDPOINT_URL", endpoint.toString());
        env.put("AWS_REGION", "us-east-1");
        return env;
    }

    public S3ProxyServer createBucket(String bucket) {
        admin.createBucket(b -> b.bucket(bucket));
        return this;
    }

    public void put(String bucket, String key, byte[] content) {
        admin.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    public void put(String bucket, String key, Path file) {
        admin.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
    }

    /** Uploads with a SHA-256 checksum, which the server keeps and returns as x-amz-checksum-sha256. */
    public void putWithSha256(String bucket, String key, byte[] content) {
        // S3Proxy keeps a checksum sent as a header, not one sent as an aws-chunked trailer: compute it here.
        String sha256;
        try {
            sha256 = java.util.Base64.getEncoder().encodeToString(
                    java.security.MessageDigest.getInstance("SHA-256").digest(content));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        admin.putObject(b -> b.bucket(bucket).key(key).checksumSHA256(sha256), RequestBody.fromBytes(content));
    }

    public byte[] get(String bucket, String key) {
        return admin.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    /** The server's own log (requests it refused are explained there). */
    public String log() {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).map(S3ProxyServer::tail)
                    .reduce("", String::concat);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        admin.close();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory: the test framework cleans up what is left
        }
    }
}
