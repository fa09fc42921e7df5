package dev.wan.source.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.source.SourceRegistry;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.TransientSourceException;
import dev.wan.testkit.s3.FaultProxy.Fault;
import dev.wan.testkit.s3.FaultProxy.Mode;
import dev.wan.testkit.s3.FaultProxy;
import dev.wan.testkit.s3.S3ProxyServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/** The s3:// backend against a real S3 API server (S3Proxy), directly and through a fault proxy. */
class S3BackendTest {
    private static final byte[] DATA = bytes(300_000, 7);

    @TempDir
    static Path tmp;

    static S3ProxyServer server;
    static FaultProxy proxy;

    @BeforeAll
    static void startServers() throws IOException {
        server = S3ProxyServer.start(tmp);
        server.createBucket("models").createBucket("other-bucket");
        server.put("models", "team/m1/weights.bin", DATA);
        server.put("models", "team/m1/config.json", "{}".getBytes());
        server.put("models", "team/m1/sub/dir/tokenizer.json", "[]".getBytes());
        server.put("models", "team/m10/not-mine.bin", "x".getBytes());
        server.putWithSha256("models", "team/m1/checked.bin", DATA);
        server.put("other-bucket", "m/weights.bin", DATA);
        proxy = FaultProxy.start(server.endpoint()).wholeObject(server::get);
    }

    @AfterAll
    static void stopServers() {
        proxy.close();
        server.close();
    }

    @AfterEach
    void resetProxy() {
        proxy.clearFaults().rateLimit(0).clearLog();
    }

    private static SourceSession open(String uri, Map<String, String> env) {
        return open(uri, env, Duration.ofSeconds(2));
    }

    private static SourceSession open(String uri, Map<String, String> env, Duration stallTimeout) {
        Map<String, String> all = new HashMap<>(env);
        all.put("WAN_RETRY_BASE_MILLIS", "1");
        all.put("WAN_RETRIES", "2");
        return new S3Backend().open(new SourceRef(uri),
                new SourceContext(all, tmp, 4, Duration.ofSeconds(5), stallTimeout,
                        dev.wan.WanSettings.from(all).retry(), SourceContext.DEFAULT_PARALLEL_FILES, true));
    }

    private static SourceSession direct(String uri) {
        return open(uri, server.env());
    }

    private static SourceSession viaProxy(String uri) {
        Map<String, String> env = new HashMap<>(server.env());
        env.put("AWS_ENDPOINT_URL", proxy.endpoint().toString());
        return open(uri, env);
    }

    @Test
    void statGivesTheSizeAndNoDigestForAnObjectUploadedWithoutAChecksum() throws IOException {
        try (SourceSession s = direct("s3://models/team/m1")) {
            RemoteFile f = s.stat("weights.bin");

            assertEquals(new RemoteFile("weights.bin", DATA.length, null), f);
        }
    }

    @Test
    void statGivesTheObjectsSha256WhenItWasUploadedWithASha256Checksum() throws IOException {
        try (SourceSession s = direct("s3://models/team/m1")) {
            RemoteFile f = s.stat("checked.bin");

            assertEquals(dev.wan.ensure.Fixtures.sha256(DATA), f.sha256());
        }
    }

    @Test
    void aMultipartObjectHasNoDigestAlthoughItsEtagLooksLikeOne() throws IOException {
        var admin = server.admin();
        String id = admin.createMultipartUpload(b -> b.bucket("models").key("team/mp/big.bin")).uploadId();
        byte[] part1 = bytes(5 << 20, 1);
        String e1 = admin.uploadPart(b -> b.bucket("models").key("team/mp/big.bin").uploadId(id).partNumber(1),
                RequestBody.fromBytes(part1)).eTag();
        String e2 = admin.uploadPart(b -> b.bucket("models").key("team/mp/big.bin").uploadId(id).partNumber(2),
                RequestBody.fromBytes(DATA)).eTag();
        admin.completeMultipartUpload(b -> b.bucket("models").key("team/mp/big.bin").uploadId(id).multipartUpload(
                m -> m.parts(CompletedPart.builder().partNumber(1).eTag(e1).build(),
                        CompletedPart.builder().partNumber(2).eTag(e2).build())));

        try (SourceSession s = direct("s3://models/team/mp")) {
            RemoteFile f = s.stat("big.bin");

            assertEquals(part1.length + DATA.length, f.size());
            assertNull(f.sha256());
        }
    }

    @Test
    void onlyAFullObjectBase64Sha256CountsAsADigest() {
        String b64 = java.util.Base64.getEncoder().encodeToString(new byte[32]);

        assertEquals("0".repeat(64), S3Session.wholeObjectSha256(b64, ChecksumType.FULL_OBJECT));
        assertEquals("0".repeat(64), S3Session.wholeObjectSha256(b64, null));
        assertNull(S3Session.wholeObjectSha256(b64, ChecksumType.COMPOSITE));
        assertNull(S3Session.wholeObjectSha256(b64 + "-3", null));
        assertNull(S3Session.wholeObjectSha256("not base64!", null));
        assertNull(S3Session.wholeObjectSha256(java.util.Base64.getEncoder().encodeToString(new byte[16]), null));
        assertNull(S3Session.wholeObjectSha256(null, null));
    }

    @Test
    void readReturnsExactlyTheRequestedRange() throws IOException {
        try (SourceSession s = direct("s3://models/team/m1")) {
            assertArrayEquals(Arrays.copyOfRange(DATA, 0, 1), readAll(s, "weights.bin", 0, 1));
            assertArrayEquals(Arrays.copyOfRange(DATA, 1000, 71_000), readAll(s, "weights.bin", 1000, 70_000));
            assertArrayEquals(Arrays.copyOfRange(DATA, DATA.length - 1, DATA.length),
                    readAll(s, "weights.bin", DATA.length - 1, 1));
            assertArrayEquals(Arrays.copyOfRange(DATA, 299_000, DATA.length), readAll(s, "weights.bin", 299_000, -1));
            assertArrayEquals(DATA, readAll(s, "weights.bin", 0, -1));
        }
    }

    @Test
    void readsAfterStatAskForTheSameVersionOfTheObject() throws IOException {
        try (SourceSession s = viaProxy("s3://models/team/m1")) {
            s.stat("weights.bin");
            readAll(s, "weights.bin", 10, 10);
        }
        assertTrue(proxy.log().stream().anyMatch(r -> r.method().equals("GET") && r.status() == 206), proxy.log().toString());
    }

    @Test
    void anObjectReplacedBetweenStatAndReadFailsInsteadOfMixingVersions() throws IOException {
        server.put("models", "team/swap/a.bin", DATA);
        try (SourceSession s = direct("s3://models/team/swap")) {
            s.stat("a.bin");
            server.put("models", "team/swap/a.bin", bytes(DATA.length, 99));

            WanException e = assertThrows(WanException.class, () -> readAll(s, "a.bin", 0, 100));

            assertEquals(ErrorCode.SOURCE_UNAVAILABLE, e.code());
            assertTrue(e.getMessage().contains("changed while it was being downloaded"), e.getMessage());
        }
    }

    @Test
    void listGivesEveryObjectUnderThePrefixRelativeToItAcrossPages() throws IOException {
        try (S3Session s = ((S3Session) direct("s3://models/team/m1/")).listPageSize(2)) {
            List<RemoteFile> files = s.list();

            assertEquals(List.of("checked.bin", "config.json", "sub/dir/tokenizer.json", "weights.bin"),
                    files.stream().map(RemoteFile::path).toList());
            assertEquals(DATA.length, files.get(3).size());
        }
        List<String> whole = direct("s3://models").list().stream().map(RemoteFile::path).toList();
        assertTrue(whole.containsAll(List.of("team/m1/weights.bin", "team/m10/not-mine.bin")), whole.toString());
    }

    @Test
    void aMissingKeyIsSourceUnavailableNamingBucketAndKey() throws IOException {
        try (SourceSession s = direct("s3://models/team/m1")) {
            WanException stat = assertThrows(WanException.class, () -> s.stat("nope.bin"));
            WanException read = assertThrows(WanException.class, () -> readAll(s, "nope.bin", 0, 10));

            assertEquals(ErrorCode.SOURCE_UNAVAILABLE, stat.code());
            assertTrue(stat.getMessage().contains("s3://models/team/m1/nope.bin"), stat.getMessage());
            assertEquals(ErrorCode.SOURCE_UNAVAILABLE, read.code());
            assertTrue(read.getMessage().contains("s3://models/team/m1/nope.bin"), read.getMessage());
        }
    }

    @Test
    void aMissingBucketIsSourceUnavailableNamingTheBucket() throws IOException {
        try (SourceSession s = direct("s3://no-such-bucket/m")) {
            WanException stat = assertThrows(WanException.class, () -> s.stat("a.bin"));
            WanException list = assertThrows(WanException.class, s::list);

            assertEquals(ErrorCode.SOURCE_UNAVAILABLE, stat.code());
            assertTrue(stat.getMessage().contains("no bucket 'no-such-bucket'"), stat.getMessage());
            assertEquals(ErrorCode.SOURCE_UNAVAILABLE, list.code());
            assertTrue(list.getMessage().contains("no bucket 'no-such-bucket'"), list.getMessage());
        }
    }

    @Test
    void aWrongSecretIsAuthFailWithGuidanceAndNeverShowsTheSecret() throws IOException {
        Map<String, String> env = new HashMap<>(server.env());
        env.put("AWS_SECRET_ACCESS_KEY", "WRONGwrongWRONGsecretVALUE1234567890");
        try (SourceSession s = open("s3://models/team/m1", env)) {
            WanException stat = assertThrows(WanException.class, () -> s.stat("weights.bin"));
            WanException read = assertThrows(WanException.class, () -> readAll(s, "weights.bin", 0, 10));
            WanException list = assertThrows(WanException.class, s::list);

            for (WanException e : List.of(stat, read, list)) {
                assertEquals(ErrorCode.AUTH_FAIL, e.code());
                assertTrue(e.hint().contains("AWS_ACCESS_KEY_ID") && e.hint().contains("AWS_PROFILE")
                        && e.hint().contains("AWS_ENDPOINT_URL"), e.hint());
                String all = e.getMessage() + e.hint() + e.details();
                assertFalse(all.contains("WRONGwrong"), all);
                assertFalse(all.contains(S3ProxyServer.ACCESS_KEY), all);
            }
        }
    }

    @Test
    void anUnknownAccessKeyIsAuthFail() throws IOException {
        Map<String, String> env = new HashMap<>(server.env());
        env.put("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY000000");
        try (SourceSession s = open("s3://models/team/m1", env)) {
            WanException e = assertThrows(WanException.class, () -> s.stat("weights.bin"));

            assertEquals(ErrorCode.AUTH_FAIL, e.code());
            assertTrue(e.getMessage().contains("AKIA****0000"), e.getMessage());
        }
    }

    @Test
    void credentialsAreDescribedMasked() throws IOException {
        Map<String, String> env = new HashMap<>(server.env());
        env.put("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLETOKEN");
        try (SourceSession keys = open("s3://models/m", env);
             SourceSession profile = open("s3://models/m", Map.of("AWS_PROFILE", "team", "HOME", tmp.toString()))) {
            assertEquals("AWS_ACCESS_KEY_ID AKIA****MPLE with AWS_SESSION_TOKEN (env) at " + server.endpoint(),
                    keys.credentials());
            assertEquals("profile team (AWS_PROFILE) at AWS S3 (us-east-1)", profile.credentials());
            assertFalse(keys.toString().contains(S3ProxyServer.SECRET_KEY));
            assertFalse(keys.toString().contains("EXAMPLETOKEN"));
        }
    }

    @Test
    void aProfileFromTheContextsAwsFilesIsUsed() throws IOException {
        Path aws = tmp.resolve("home/.aws");
        java.nio.file.Files.createDirectories(aws);
        java.nio.file.Files.writeString(aws.resolve("credentials"), "[team]\naws_access_key_id = "
                + S3ProxyServer.ACCESS_KEY + "\naws_secret_access_key = " + S3ProxyServer.SECRET_KEY + "\n");
        Map<String, String> env = Map.of("AWS_PROFILE", "team", "HOME", tmp.resolve("home").toString(),
                "AWS_ENDPOINT_URL", server.endpoint().toString());
        try (SourceSession s = open("s3://models/team/m1", env)) {
            assertEquals(DATA.length, s.stat("weights.bin").size());
        }
    }

    @Test
    void aPerBucketEndpointWinsOverAwsEndpointUrl() throws IOException {
        Map<String, String> env = new HashMap<>(server.env());
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9"); // nothing listens there
        env.put(S3Settings.endpointVariable("other-bucket"), proxy.endpoint().toString());
        try (SourceSession s = open("s3://other-bucket/m", env)) {
            assertEquals(DATA.length, s.stat("weights.bin").size());
        }
        assertEquals("WAN_S3_ENDPOINT_OTHER_BUCKET", S3Settings.endpointVariable("other-bucket"));
        assertTrue(proxy.log().stream().anyMatch(r -> r.path().equals("/other-bucket/m/weights.bin")));
    }

    @Test
    void anUnreachableEndpointIsTransientForReadsAndSourceUnavailableForStat() throws IOException {
        Map<String, String> env = new HashMap<>(server.env());
        env.put("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
        try (SourceSession s = open("s3://models/team/m1", env)) {
            WanException stat = assertThrows(WanException.class, () -> s.stat("weights.bin"));
            TransientSourceException read = assertThrows(TransientSourceException.class,
                    () -> readAll(s, "weights.bin", 0, 10));

            assertEquals(ErrorCode.SOURCE_UNAVAILABLE, stat.code());
            assertTrue(stat.getMessage().contains("gave up after 3 tries"), stat.getMessage());
            assertEquals(ErrorCode.SOURCE_UNAVAILABLE, read.code());
        }
    }

    @Test
    void aBadEndpointIsInvalidConfigWithoutEchoingIt() {
        Map<String, String> env = new HashMap<>(server.env());
        env.put("AWS_ENDPOINT_URL", "http://user:hunter2@127.0.0.1:9");

        WanException e = assertThrows(WanException.class, () -> open("s3://models/m", env));

        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    @Test
    void serverErrorsOnReadsAreTransientAndSlowDownIsRateLimitWithTheServersWait() throws IOException {
        try (SourceSession s = viaProxy("s3://models/team/m1")) {
            proxy.add(Fault.of(Mode.SERVER_ERROR, 1)).add(Fault.of(Mode.SLOW_DOWN, 1))
                    .add(Fault.of(Mode.TOO_MANY_REQUESTS, 1));

            TransientSourceException e503 = assertThrows(TransientSourceException.class, () -> readAll(s, "weights.bin", 0, 10));
            TransientSourceException slow = assertThrows(TransientSourceException.class, () -> readAll(s, "weights.bin", 0, 10));
            TransientSourceException e429 = assertThrows(TransientSourceException.class, () -> readAll(s, "weights.bin", 0, 10));

            assertEquals(ErrorCode.SOURCE_UNAVAILABLE, e503.code());
            assertEquals(ErrorCode.RATE_LIMIT, slow.code());
            assertEquals(Duration.ZERO, slow.retryAfter());
            assertEquals(ErrorCode.RATE_LIMIT, e429.code());
            assertArrayEquals(Arrays.copyOfRange(DATA, 0, 10), readAll(s, "weights.bin", 0, 10));
        }
    }

    @Test
    void metadataRequestsRetryThroughA5xxBurstAndGiveUpWithTheRightCode() throws IOException {
        try (SourceSession s = viaProxy("s3://models/team/m1")) {
            proxy.add(Fault.of(Mode.SERVER_ERROR, 2).on("HEAD"));
            assertEquals(DATA.length, s.stat("weights.bin").size());

            proxy.add(Fault.of(Mode.SLOW_DOWN, 100).on("HEAD"));
            WanException e = assertThrows(WanException.class, () -> s.stat("weights.bin"));

            assertEquals(ErrorCode.RATE_LIMIT, e.code());
            assertTrue(e.getMessage().contains("gave up after 3 tries"), e.getMessage());
        }
    }

    @Test
    void aCutBodyEndsTheStreamWithATransientErrorOrShortRead() throws IOException {
        try (SourceSession s = viaProxy("s3://models/team/m1")) {
            proxy.add(Fault.of(Mode.CUT_BODY, 1).at(50_000));
            byte[] buf = new byte[DATA.length];
            int got = 0;
            IOException failure = null;
            try (InputStream in = s.read("weights.bin", 0, DATA.length)) {
                for (int n; (n = in.read(buf, got, buf.length - got)) > 0; ) {
                    got += n;
                }
            } catch (IOException e) {
                failure = e;
            }

            assertTrue(got <= 50_000, "read " + got);
            assertTrue(failure == null || failure instanceof TransientSourceException, String.valueOf(failure));
            assertArrayEquals(Arrays.copyOfRange(DATA, 0, got), Arrays.copyOfRange(buf, 0, got));
        }
    }

    @Test
    void closingTheStreamFromAnotherThreadAbortsABlockedRead() throws Exception {
        Map<String, String> env = new HashMap<>(server.env());
        env.put("AWS_ENDPOINT_URL", proxy.endpoint().toString());
        // the client's socket timeout (the stall timeout + 5 s) is an hour too: only the close can end the read
        try (SourceSession s = open("s3://models/team/m1", env, Duration.ofHours(1))) {
            // silent for an hour, then the rest: a read that returns bytes was not aborted by the close
            proxy.add(Fault.of(Mode.STALL, 1).at(1000).stallFor(3_600_000));
            InputStream in = s.read("weights.bin", 0, DATA.length);
            in.readNBytes(1000);
            CompletableFuture<Object> blocked = CompletableFuture.supplyAsync(() -> {
                try {
                    return in.read(new byte[4096]);
                } catch (IOException e) {
                    return e;
                }
            });
            Thread.sleep(300); // most likely blocked by now; either way only the close can end it
            assertFalse(blocked.isDone(), "the read should block on the stalled server");

            // closed from another thread, as the stall watchdog does; a close that hangs too fails the guard
            CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
                try {
                    in.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Object outcome = blocked.get(2, TimeUnit.MINUTES); // a guard against a hang only
            closing.get(2, TimeUnit.MINUTES);

            assertTrue(outcome instanceof IOException || Integer.valueOf(-1).equals(outcome), String.valueOf(outcome));
        }
    }

    @Test
    void aServerIgnoringRangeServesTheFirstChunkButFailsTheOthersPermanently() throws IOException {
        try (SourceSession s = viaProxy("s3://models/team/m1")) {
            proxy.add(Fault.of(Mode.IGNORE_RANGE, 2));

            byte[] first = readAll(s, "weights.bin", 0, 100);
            WanException later = assertThrows(WanException.class, () -> readAll(s, "weights.bin", 100, 100));

            assertArrayEquals(Arrays.copyOfRange(DATA, 0, 100), first);
            assertEquals(ErrorCode.SOURCE_UNAVAILABLE, later.code());
            assertTrue(later.getMessage().contains("whole object"), later.getMessage());
        }
    }

    @Test
    void theRegistryServesS3Uris() {
        SourceRegistry registry = new SourceRegistry(List.of());

        assertInstanceOf(S3Backend.class, registry.backendFor(new SourceRef("s3://bucket/prefix")));
    }

    @Test
    void pathsCannotLeaveThePrefix() throws IOException {
        try (SourceSession s = direct("s3://models/team/m1")) {
            WanException e = assertThrows(WanException.class, () -> s.stat("../m10/not-mine.bin"));

            assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, e.code());
        }
    }

    private static byte[] readAll(SourceSession s, String path, long offset, long length) throws IOException {
        try (InputStream in = s.read(path, offset, length)) {
            return in.readAllBytes();
        }
    }

    static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
