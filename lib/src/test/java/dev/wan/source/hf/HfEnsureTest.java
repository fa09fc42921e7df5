package dev.wan.source.hf;

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
import dev.wan.event.WanEvent;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import dev.wan.store.Check;
import dev.wan.testkit.hub.Content;
import dev.wan.testkit.hub.Fault;
import dev.wan.testkit.hub.HubContexts;
import dev.wan.testkit.hub.HubServer;
import dev.wan.testkit.hub.LoggedRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault matrix for hf:// sources, through the real ensure machinery: every fault the loopback
 * Hub can produce ends either COMPLETE with byte-correct files (retry, resume, failover) or with
 * the right error code and nothing published.
 */
class HfEnsureTest {
    private static final String ID = "hfm@1.0.0";
    private static final long CHUNK = 16L << 20;
    private static final String WEIGHTS = "model.safetensors";
    private static final String CONFIG = "config.json";
    private static final Content BIG = Content.generated(40L << 20, 11);
    private static final byte[] CONFIG_BYTES = "{\"layers\": 40}\n".getBytes();

    private HubServer hub;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws IOException {
        hub = HubServer.start();
        for (String repo : List.of("org/m", "org/good")) {
            hub.repo(repo).file(CONFIG, CONFIG_BYTES).file(WEIGHTS, BIG);
        }
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private Path root() {
        return tmp.resolve("root");
    }

    private ModelEnsurer ensurer(List<String> sources, String... env) {
        return ensurer(sources, true, env);
    }

    private ModelEnsurer ensurer(List<String> sources, boolean withSha256, String... env) {
        Path manifest = tmp.resolve("models.toml");
        StringBuilder toml = new StringBuilder("schema_version = 1\n\n[models.\"" + ID + "\"]\n"
                + "description = \"from the loopback hub\"\nversion = \"1.0.0\"\nvariants = []\n");
        file(toml, CONFIG, CONFIG_BYTES.length, withSha256 ? Fixtures.sha256(CONFIG_BYTES) : null);
        file(toml, WEIGHTS, BIG.size(), withSha256 ? BIG.sha256() : null);
        toml.append("\n[models.\"" + ID + "\".sources]\npriority = [")
                .append(String.join(", ", sources.stream().map(s -> "\"" + s + "\"").toList())).append("]\n");
        Fixtures.write(manifest, toml.toString().getBytes());
        WanConfig config = new WanConfig(root(), manifest, tmp.resolve("local"), Duration.ofSeconds(30));
        return ModelEnsurer.create(config, Clock.systemUTC(), List.of(), HubContexts.env(hub, env));
    }

    private static void file(StringBuilder toml, String path, long size, String sha256) {
        toml.append("\n[[models.\"" + ID + "\".files]]\npath = \"").append(path).append("\"\nsize = ").append(size).append('\n');
        if (sha256 != null) {
            toml.append("sha256 = \"").append(sha256).append("\"\n");
        }
    }

    private Map<String, FileRecord> records() {
        return new StateStore(new StoreLayout(root())).read(ModelId.parse(ID)).orElseThrow().files();
    }

    private Path modelDir() {
        return new StoreLayout(root()).modelDir(ModelId.parse(ID));
    }

    private void assertCompleteAndCorrect(ModelEnsurer ensurer, Path dir) {
        assertEquals(modelDir(), dir);
        assertEquals(Fixtures.sha256(CONFIG_BYTES), Fixtures.sha256(dir.resolve(CONFIG)));
        assertEquals(BIG.sha256(), Fixtures.sha256(dir.resolve(WEIGHTS)));
        assertEquals(ModelState.COMPLETE, ensurer.status(ID).state());
    }

    private void assertNothingPublished() {
        assertFalse(Files.exists(modelDir().resolve(WEIGHTS)), "no file at the final path");
    }

    private String hf(String repo) {
        return "hf://" + repo + "@" + hub.repo(repo).commit();
    }

    private List<LoggedRequest> downloads() {
        return hub.log(LoggedRequest::isDownload);
    }

    @Test
    void aCleanDownloadRecordsTheCommitPerFileAndSendsNoTokenToTheCdn() {
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"), "HF_TOKEN", "hf_ensureTestToken0001");

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(hf("org/m"), records().get(WEIGHTS).source());
        assertEquals(hf("org/m"), records().get(CONFIG).source());
        assertEquals(Check.SHA256, records().get(WEIGHTS).check());
        List<LoggedRequest> cdn = hub.log(r -> r.host().equals(HubServer.CDN_HOST));
        assertEquals(3, cdn.size(), "three 16 MiB chunks of the LFS file: " + cdn);
        assertTrue(cdn.stream().noneMatch(LoggedRequest::authorization), cdn.toString());
        assertTrue(hub.log(r -> r.host().equals(HubServer.HUB_HOST)).stream().allMatch(LoggedRequest::authorization));
    }

    @Test
    void withoutManifestDigestsTheLfsSha256FromTheHubIsVerified() {
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"), false);

        ensurer.ensure(ID);

        assertEquals(Check.UPSTREAM_SHA256, records().get(WEIGHTS).check());
        assertEquals(BIG.sha256(), records().get(WEIGHTS).sha256());
        assertEquals(Check.SIZE_ONLY, records().get(CONFIG).check(), "a regular file's git sha1 is not used");
    }

    @Test
    void withoutManifestDigestsWrongBytesStillFailAgainstTheHubsSha256() {
        hub.fault(Fault.wrongBytes().on(WEIGHTS));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"), false);

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID));

        assertEquals(ErrorCode.CHECKSUM_FAIL, e.code());
        assertNothingPublished();
    }

    @Test
    void aBodyCutMidFileIsResumedFromTheByteWhereItStopped() {
        Fault cut = hub.fault(Fault.cutAfter(3L << 20).times(2).on(WEIGHTS));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"));

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(2, cut.hits());
        assertTrue(downloads().stream().anyMatch(r -> rangeStart(r) % CHUNK != 0),
                "a retry asked for the rest of a chunk, not the whole chunk again: " + downloads());
    }

    @Test
    void aStalledConnectionIsAbandonedAfterTheStallTimeoutAndResumed() {
        // silent for an hour: the ensure completes only if the client gives up on the silent connection
        Fault stall = hub.fault(Fault.stall(1L << 20, Duration.ofHours(1)).times(1).on(WEIGHTS));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"), "WAN_STALL_TIMEOUT_SECONDS", "1");

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(1, stall.hits());
        assertTrue(downloads().stream().anyMatch(r -> rangeStart(r) % CHUNK == 1L << 20),
                "a retry resumed at the byte where the connection went silent: " + downloads());
    }

    @Test
    void wrongBytesFromTheOnlySourceAreChecksumFailAndNothingIsPublished() {
        hub.fault(Fault.wrongBytes().on(WEIGHTS));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"));

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID));

        assertEquals(ErrorCode.CHECKSUM_FAIL, e.code());
        assertNothingPublished();
    }

    @Test
    void wrongBytesFromTheFirstSourceFailOverToTheSecondAndTheStateSaysWhoServedWhat() {
        hub.fault(Fault.wrongBytes().inRepo("org/m").on(WEIGHTS));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m", "hf://org/good"));

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(hf("org/m"), records().get(CONFIG).source());
        assertEquals(hf("org/good"), records().get(WEIGHTS).source());
    }

    @Test
    void aServerIgnoringRangeForAFewRequestsIsRetried() {
        Fault ignore = hub.fault(Fault.ignoreRange().times(2).on(WEIGHTS));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"));

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(2, ignore.hits());
    }

    @Test
    void aServerThatNeverHonoursRangeIsReadAsOnePlainStreamWithoutFailingOver() {
        hub.fault(Fault.ignoreRange().inRepo("org/m").on(WEIGHTS));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m", "hf://org/good"), "WAN_RETRIES", "2");

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(hf("org/m"), records().get(WEIGHTS).source());
    }

    @Test
    void aBurstOfServerErrorsOnEveryKindOfRequestIsRetried() {
        List<Fault> bursts = List.of(hub.fault(Fault.status(503).times(3).in(Fault.Phase.API)),
                hub.fault(Fault.status(502).times(3).in(Fault.Phase.HEAD)),
                hub.fault(Fault.status(500).times(3).in(Fault.Phase.DOWNLOAD)));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"));

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(List.of(3, 3, 3), bursts.stream().map(Fault::hits).toList());
    }

    @Test
    void persistentServerErrorsAloneAreSourceUnavailable() {
        hub.fault(Fault.status(500).in(Fault.Phase.DOWNLOAD));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"), "WAN_RETRIES", "2");

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID));

        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, e.code());
        assertNothingPublished();
    }

    @Test
    void persistentServerErrorsAtTheFirstSourceFailOverToTheSecond() {
        hub.fault(Fault.status(500).inRepo("org/m"));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m", "hf://org/good"), "WAN_RETRIES", "2");

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(hf("org/good"), records().get(CONFIG).source());
        assertEquals(hf("org/good"), records().get(WEIGHTS).source());
    }

    @Test
    void aMissingRepositoryAtTheFirstSourceFailsOverToTheSecond() {
        ModelEnsurer ensurer = ensurer(List.of("hf://org/missing", "hf://org/good"));

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(hf("org/good"), records().get(WEIGHTS).source());
        assertEquals(1, hub.log(r -> r.path().startsWith("/api/models/org/missing/")).size(),
                "a repository that does not exist is asked about once, not once per file");
    }

    @Test
    void aRenamedRepositoryIsRecordedUnderItsNewNameWithOneWarning() {
        hub.rename("org/old", "org/good");
        List<WanEvent.Warning> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        ModelEnsurer ensurer = ensurer(List.of("hf://org/old@main")).addListener(e -> {
            if (e instanceof WanEvent.Warning w) {
                warnings.add(w);
            }
        });

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(hf("org/good"), records().get(WEIGHTS).source());
        assertEquals(hf("org/good"), records().get(CONFIG).source());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).message().contains("hf://org/old was renamed on the Hub to hf://org/good"),
                warnings.get(0).message());
    }

    @Test
    void testAuthNamesTheConfiguredTokenAndSaysItWasNotCheckedWhenTheHubIsUnreachable() {
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"), "HF_TOKEN", "hf_TESTtokenSECRET0001abcd");
        hub.close();

        dev.wan.ensure.SourceCheck check = ensurer.testSources(ID, null, false).get(0);

        assertFalse(check.ok());
        assertEquals("HF_TOKEN hf_****abcd (not checked)", check.credentials());
        assertFalse(check.credentials().contains("SECRET"));
    }

    @Test
    void testSourcesOfARenamedRepositoryIsOkAndSaysToUpdateTheManifest() {
        hub.rename("org/old", "org/good");

        dev.wan.ensure.SourceCheck check = ensurer(List.of("hf://org/old")).testSources(ID, null, true).get(0);

        assertTrue(check.ok(), check.message());
        assertTrue(check.message().contains("renamed on the Hub to hf://org/good"), check.message());
    }

    @Test
    void testAuthSaysATokenWasRefused() {
        hub.validTokens("hf_theOnlyGoodOne");
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"), "HF_TOKEN", "hf_TESTtokenSECRET0001abcd");

        dev.wan.ensure.SourceCheck check = ensurer.testSources(ID, null, false).get(0);

        assertEquals(ErrorCode.AUTH_FAIL, check.code());
        assertEquals("HF_TOKEN hf_****abcd (refused)", check.credentials());
    }

    @Test
    void testAuthWithoutATokenSaysAnonymousEvenWhenTheHubIsUnreachable() {
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"));
        hub.close();

        assertEquals("anonymous (not checked)", ensurer.testSources(ID, null, false).get(0).credentials());
    }

    @Test
    void aFileMissingAtTheFirstSourceIsFetchedFromTheSecond() {
        hub.repo("org/partial").file(CONFIG, CONFIG_BYTES);
        ModelEnsurer ensurer = ensurer(List.of("hf://org/partial", "hf://org/good"));

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(hf("org/partial"), records().get(CONFIG).source());
        assertEquals(hf("org/good"), records().get(WEIGHTS).source());
    }

    @Test
    void tooManyRequestsAreWaitedOutAndTheDownloadCompletes() {
        Fault limited = hub.fault(Fault.tooManyRequests(1).times(2).in(Fault.Phase.DOWNLOAD).on(WEIGHTS));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"));
        long t0 = System.nanoTime();

        Path dir = ensurer.ensure(ID);

        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertCompleteAndCorrect(ensurer, dir);
        assertEquals(2, limited.hits());
        assertTrue(millis >= 900, "waited the t=1 the server asked for; took " + millis + " ms");
    }

    @Test
    void rateLimitingBeyondTheRetryBudgetIsRateLimit() {
        hub.fault(Fault.tooManyRequests(0));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"), "WAN_RETRIES", "2");

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID));

        assertEquals(ErrorCode.RATE_LIMIT, e.code());
        assertNothingPublished();
    }

    @Test
    void parallelRangesAddUpWhenTheServerCapsEachConnection() {
        hub.fault(Fault.rateCap(10L << 20).on(WEIGHTS));
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"), "WAN_CONNECTIONS", "4");

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        long connections = downloads().stream().filter(r -> r.path().startsWith("/cdn/"))
                .mapToLong(LoggedRequest::connection).distinct().count();
        assertEquals(3, connections, "one connection per chunk: " + downloads());
        // each capped chunk takes over a second: a client that fetched them one by one would show 1 here
        assertTrue(hub.mostDownloadsAtOnce(WEIGHTS) > 1, "the chunks were fetched at the same time, not one after "
                + "another (the most at once: " + hub.mostDownloadsAtOnce(WEIGHTS) + ")");
    }

    @Test
    void aGatedRepositoryIsAuthFailWithLicenseGuidanceAndNothingPublished() {
        hub.repo("org/gated").gated("hf_grantedToken0000001").file(CONFIG, CONFIG_BYTES).file(WEIGHTS, BIG);
        ModelEnsurer ensurer = ensurer(List.of("hf://org/gated"));

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID));

        assertEquals(ErrorCode.AUTH_FAIL, e.code());
        String all = e.getMessage() + e.details() + e.hint();
        assertTrue(all.contains("accept the license at " + hub.endpoint() + "/org/gated"), all);
        assertNothingPublished();
    }

    @Test
    void aGatedRepositoryServesAGrantedToken() {
        hub.repo("org/gated").gated("hf_grantedToken0000001").file(CONFIG, CONFIG_BYTES).file(WEIGHTS, BIG);
        ModelEnsurer ensurer = ensurer(List.of("hf://org/gated"), "HF_TOKEN", "hf_grantedToken0000001");

        assertCompleteAndCorrect(ensurer, ensurer.ensure(ID));
    }

    @Test
    void hfHubOfflineSendsNoRequestAndFailsWithTheReason() {
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m"), "HF_HUB_OFFLINE", "1");

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure(ID));

        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, e.code());
        assertTrue((e.getMessage() + e.details()).contains("HF_HUB_OFFLINE is set"), e.getMessage() + e.details());
        assertEquals(List.of(), hub.log());
    }

    @Test
    void hfHubOfflineFallsThroughToALocalCopyWithoutAnyRequest() {
        Fixtures.write(tmp.resolve("local/copy").resolve(CONFIG), CONFIG_BYTES);
        Fixtures.write(tmp.resolve("local/copy").resolve(WEIGHTS), BIG.bytes());
        ModelEnsurer ensurer = ensurer(List.of("hf://org/m", "local://copy"), "HF_HUB_OFFLINE", "yes");

        Path dir = ensurer.ensure(ID);

        assertCompleteAndCorrect(ensurer, dir);
        assertEquals("local://copy", records().get(WEIGHTS).source());
        assertEquals(List.of(), hub.log());
    }

    private static long rangeStart(LoggedRequest r) {
        if (r.range() == null) {
            return 0;
        }
        String spec = r.range().substring("bytes=".length());
        return Long.parseLong(spec.substring(0, spec.indexOf('-')));
    }
}
