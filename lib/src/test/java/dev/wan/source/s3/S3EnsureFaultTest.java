package dev.wan.source.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import dev.wan.store.Check;
import dev.wan.store.Placement;
import dev.wan.testkit.s3.FaultProxy.Fault;
import dev.wan.testkit.s3.FaultProxy.Mode;
import dev.wan.testkit.s3.FaultProxy;
import dev.wan.testkit.s3.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault matrix for S3 through the whole ensure machinery: each fault of the proxy between wan
 * and a real S3 server ends either COMPLETE with byte-correct files (retry, resume, failover) or
 * with the right error code and nothing at the final path.
 */
class S3EnsureFaultTest {
    private static final String ID = "s3m@1.0.0";
    private static final int CHUNK = 16 << 20;
    private static final byte[] CONFIG = "{\"layers\": 4}\n".getBytes();
    private static final byte[] WEIGHTS = Fixtures.bytes(2 * CHUNK + (8 << 20), 11); // three chunks

    @TempDir
    static Path shared;

    static S3ProxyServer server;
    static FaultProxy proxy;

    @TempDir
    Path root;

    @BeforeAll
    static void startServers() throws IOException {
        server = S3ProxyServer.start(shared);
        server.createBucket("fleet").createBucket("mirror");
        for (String bucket : List.of("fleet", "mirror")) {
            server.put(bucket, "m/config.json", CONFIG);
            server.put(bucket, "m/weights.bin", WEIGHTS);
        }
        server.putWithSha256("fleet", "stated/config.json", CONFIG);
        server.putWithSha256("fleet", "stated/weights.bin", WEIGHTS);
        Fixtures.write(shared.resolve("local/m/config.json"), CONFIG);
        Fixtures.write(shared.resolve("local/m/weights.bin"), WEIGHTS);
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

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>(server.env());
        env.put("AWS_ENDPOINT_URL", proxy.endpoint().toString());
        env.put(S3Settings.endpointVariable("mirror"), server.endpoint().toString()); // the good one: no proxy
        env.put("WAN_RETRY_BASE_MILLIS", "10");
        env.put("WAN_RETRIES", "4");
        env.put("WAN_STALL_TIMEOUT_SECONDS", "1");
        env.put("WAN_CONNECTIONS", "4");
        return env;
    }

    private ModelEnsurer ensurer(Map<String, String> env, String... sources) {
        Path manifest = root.resolve("models.toml");
        Fixtures.writeManifest(manifest, new Fixtures.TestModel(ID).file("config.json", CONFIG)
                .file("weights.bin", WEIGHTS).sources(sources));
        return ModelEnsurer.create(new WanConfig(root, manifest, shared, Duration.ofSeconds(30)), Clock.systemUTC(),
                List.of(), env);
    }

    private ModelEnsurer ensurer(String... sources) {
        return ensurer(env(), sources);
    }

    private Path modelDir() {
        return root.resolve("wan22").resolve(ID);
    }

    private Map<String, FileRecord> records() {
        return new StateStore(new StoreLayout(root)).read(ModelId.parse(ID)).orElseThrow().files();
    }

    private void assertComplete(ModelEnsurer ensurer, Path dir) throws IOException {
        assertEquals(modelDir(), dir);
        assertArrayEquals(CONFIG, Files.readAllBytes(dir.resolve("config.json")));
        assertEquals(Fixtures.sha256(WEIGHTS), Fixtures.sha256(dir.resolve("weights.bin")));
        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
    }

    private void assertFailsWith(ErrorCode code, ModelEnsurer ensurer) {
        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID));
        assertEquals(code, e.code(), e.getMessage() + " " + e.details());
        assertFalse(Files.exists(modelDir()), "nothing may appear at the final path");
        assertFalse(e.getMessage().contains(S3ProxyServer.SECRET_KEY) || e.details().toString().contains(S3ProxyServer.SECRET_KEY));
    }

    /** The GETs of weights.bin, as [first, last] byte ranges. */
    private static List<long[]> weightRanges() {
        return proxy.requestsFor("fleet", "m/weights.bin").stream().filter(r -> r.method().equals("GET"))
                .map(FaultProxy.Request::byteRange).toList();
    }

    private static boolean someRangeStartsAt(long offset) {
        return weightRanges().stream().anyMatch(r -> r != null && r[0] == offset);
    }

    @Test
    void aCleanDownloadUsesParallelRangedReadsAndRecordsTheS3Source() throws IOException {
        ModelEnsurer ensurer = ensurer("s3://fleet/m");

        Path dir = ensurer.ensure(ID);

        assertComplete(ensurer, dir);
        assertEquals("s3://fleet/m", records().get("weights.bin").source());
        assertEquals(Placement.DOWNLOADED, records().get("weights.bin").how());
        assertEquals(3, weightRanges().size(), proxy.log().toString());
        assertTrue(someRangeStartsAt(0) && someRangeStartsAt(CHUNK) && someRangeStartsAt(2L * CHUNK));
    }

    @Test
    void aCutBodyIsResumedFromTheExactByte() throws IOException {
        long cut = (1 << 20) + 123;
        proxy.add(Fault.of(Mode.CUT_BODY, 1).at(cut).onPathEndingWith("weights.bin"));
        ModelEnsurer ensurer = ensurer("s3://fleet/m");

        Path dir = ensurer.ensure(ID);

        assertComplete(ensurer, dir);
        FaultProxy.Request faulted = proxy.log().stream().filter(r -> r.fault() == Mode.CUT_BODY).findFirst().orElseThrow();
        assertTrue(someRangeStartsAt(faulted.byteRange()[0] + cut), "no request resumed at the cut: " + proxy.log());
        assertEquals(4, weightRanges().size());
    }

    @Test
    void aStalledTransferIsAbortedByTheWatchdogAndResumed() throws IOException {
        long at = 2 << 20;
        // silent for an hour: the ensure completes only if the client gives up on the silent connection
        proxy.add(Fault.of(Mode.STALL, 1).at(at).stallFor(3_600_000).onPathEndingWith("weights.bin"));
        ModelEnsurer ensurer = ensurer("s3://fleet/m");

        Path dir = ensurer.ensure(ID);

        assertComplete(ensurer, dir);
        FaultProxy.Request faulted = proxy.log().stream().filter(r -> r.fault() == Mode.STALL).findFirst().orElseThrow();
        assertTrue(someRangeStartsAt(faulted.byteRange()[0] + at), "no request resumed after the stall: " + proxy.log());
    }

    @Test
    void wrongBytesFailTheChecksumAndNothingReachesTheFinalPath() throws IOException {
        proxy.add(Fault.of(Mode.WRONG_BYTES, 1000).at(5).onPathEndingWith("weights.bin"));
        ModelEnsurer ensurer = ensurer("s3://fleet/m");

        assertFailsWith(ErrorCode.CHECKSUM_FAIL, ensurer);
        assertEquals(List.of(), Fixtures.listTree(root.resolve(".tmp")).stream()
                .filter(p -> p.endsWith("weights.bin")).toList(), "the bad bytes are discarded");
    }

    @Test
    void wrongBytesAtTheFirstS3SourceFailOverToASecondS3SourceAndTheStateSaysWhichServedWhat() throws IOException {
        proxy.add(Fault.of(Mode.WRONG_BYTES, 1000).at(77).onPathEndingWith("weights.bin"));
        ModelEnsurer ensurer = ensurer("s3://fleet/m", "s3://mirror/m");

        Path dir = ensurer.ensure(ID);

        assertComplete(ensurer, dir);
        assertEquals("s3://fleet/m", records().get("config.json").source());
        assertEquals("s3://mirror/m", records().get("weights.bin").source());
    }

    @Test
    void aBurstOfServerErrorsIsRetried() throws IOException {
        proxy.add(Fault.of(Mode.SERVER_ERROR, 4)); // WAN_RETRIES=4: even all on one chunk are retried
        ModelEnsurer ensurer = ensurer("s3://fleet/m");

        assertComplete(ensurer, ensurer.ensure(ID));
        assertEquals(4, proxy.log().stream().filter(r -> r.status() == 503).count());
    }

    @Test
    void slowDownAndTooManyRequestsBurstsAreWaitedOut() throws IOException {
        proxy.add(Fault.of(Mode.SLOW_DOWN, 2)).add(Fault.of(Mode.TOO_MANY_REQUESTS, 2));
        ModelEnsurer ensurer = ensurer("s3://fleet/m");

        assertComplete(ensurer, ensurer.ensure(ID));
    }

    @Test
    void endlessSlowDownEndsAsRateLimit() {
        proxy.add(Fault.of(Mode.SLOW_DOWN, 100_000).onPathEndingWith("weights.bin"));

        assertFailsWith(ErrorCode.RATE_LIMIT, ensurer("s3://fleet/m"));
    }

    @Test
    void anEndlessStallEndsAsNetworkTimeout() {
        proxy.add(Fault.of(Mode.STALL, 100_000).at(0).stallFor(30_000).onPathEndingWith("weights.bin"));
        Map<String, String> env = env();
        env.put("WAN_RETRIES", "1");

        assertFailsWith(ErrorCode.NETWORK_TIMEOUT, ensurer(env, "s3://fleet/m"));
    }

    @Test
    void serverErrorsOnHeadRequestsAreRetried() throws IOException {
        proxy.add(Fault.of(Mode.SERVER_ERROR, 3).on("HEAD"));
        ModelEnsurer ensurer = ensurer("s3://fleet/m");

        assertComplete(ensurer, ensurer.ensure(ID));
    }

    @Test
    void aServerThatIgnoresRangeFailsOverToALocalSource() throws IOException {
        proxy.add(Fault.of(Mode.IGNORE_RANGE, 100_000).onPathEndingWith("weights.bin"));
        ModelEnsurer ensurer = ensurer("s3://fleet/m", "local://local/m");

        assertComplete(ensurer, ensurer.ensure(ID));
        assertEquals("s3://fleet/m", records().get("config.json").source());
        assertEquals("local://local/m", records().get("weights.bin").source());
    }

    @Test
    void accessDeniedOnReadsIsAuthFail() {
        proxy.add(Fault.of(Mode.ACCESS_DENIED, 100_000));

        assertFailsWith(ErrorCode.AUTH_FAIL, ensurer("s3://fleet/m"));
    }

    @Test
    void wrongKeysAreAuthFailNamingTheGuidance() {
        Map<String, String> env = env();
        env.put("AWS_SECRET_ACCESS_KEY", "definitely-not-the-secret-0123456789");
        ModelEnsurer ensurer = ensurer(env, "s3://fleet/m");

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID));

        assertEquals(ErrorCode.AUTH_FAIL, e.code());
        assertTrue(e.details().get(0).contains("AUTH_FAIL"), e.details().toString());
        assertFalse((e.getMessage() + e.details()).contains("definitely-not-the-secret"));
        assertFalse(Files.exists(modelDir()));
    }

    @Test
    void aMissingObjectFailsOverToALocalSourceAndTheStateRecordsIt() throws IOException {
        ModelEnsurer ensurer = ensurer("s3://fleet/nothing-here", "local://local/m");

        assertComplete(ensurer, ensurer.ensure(ID));
        assertEquals("local://local/m", records().get("weights.bin").source());
        assertEquals("local://local/m", records().get("config.json").source());
    }

    @Test
    void rateCappedConnectionsAddUp() throws IOException {
        long cap = 8 << 20;
        proxy.rateLimit(cap);
        ModelEnsurer ensurer = ensurer("s3://fleet/m");

        Path dir = ensurer.ensure(ID);

        assertComplete(ensurer, dir);
        // each capped chunk takes a while: a client that fetched them one by one would show 1 here
        assertTrue(proxy.mostBodiesAtOnce("/weights.bin") > 1, "the chunks were fetched at the same time, not one after another"
                + " (the most at once: " + proxy.mostBodiesAtOnce("/weights.bin") + ")");
    }

    @Test
    void withoutAManifestDigestTheObjectsSha256ChecksumVerifiesTheBytes() throws IOException {
        Path manifest = root.resolve("models.toml");
        Files.writeString(manifest, """
                schema_version = 1
                [models."%s"]
                description = "no sha256 in the manifest"
                version = "1.0.0"
                [[models."%s".files]]
                path = "weights.bin"
                size = %d
                [models."%s".sources]
                priority = ["s3://fleet/stated"]
                """.formatted(ID, ID, WEIGHTS.length, ID));
        ModelEnsurer ensurer = ModelEnsurer.create(new WanConfig(root, manifest, shared, Duration.ofSeconds(30)),
                Clock.systemUTC(), List.of(), env());
        proxy.add(Fault.of(Mode.WRONG_BYTES, 3).at(100).onPathEndingWith("weights.bin"));

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID));
        assertEquals(ErrorCode.CHECKSUM_FAIL, e.code(), e.details().toString());
        assertTrue(e.details().get(0).contains("source's stated " + Fixtures.sha256(WEIGHTS)), e.details().toString());
        proxy.clearFaults();
        Path dir = ensurer.ensure(ID);

        assertEquals(Fixtures.sha256(WEIGHTS), Fixtures.sha256(dir.resolve("weights.bin")));
        assertEquals(Check.UPSTREAM_SHA256, records().get("weights.bin").check());
    }
}
