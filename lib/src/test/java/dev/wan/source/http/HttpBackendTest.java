package dev.wan.source.http;

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
import dev.wan.event.WanEvent;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.StateStore;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceSession;
import dev.wan.testkit.hub.Content;
import dev.wan.testkit.hub.Fault;
import dev.wan.testkit.hub.HubContexts;
import dev.wan.testkit.hub.HubServer;
import dev.wan.testkit.hub.LoggedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The http(s):// base-URL backend against the loopback server's static files, and through ensure. */
class HttpBackendTest {
    private static final String SIG = "SIGsecret0123456789";
    private static final String TOKEN = "hf_SECRETtokenForGrep0001";
    private static final Content BIG = Content.generated(20L << 20, 3);
    private static final byte[] SMALL = "hello, weights\n".getBytes();
    private static final String ID = "web@1.0.0";

    private HubServer hub;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws IOException {
        hub = HubServer.start();
        hub.staticFile("plain/dir/a b.bin", Content.of(SMALL));
        hub.staticFile("plain/big.bin", BIG);
        hub.presignedStaticFile("signed/dir/a b.bin", Content.of(SMALL), SIG);
        hub.presignedStaticFile("bucket/key/model.bin", BIG, SIG);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private SourceSession open(String uri, String... env) {
        return new HttpBackend().open(new SourceRef(uri), HubContexts.context(HubContexts.env(hub, env)));
    }

    private static byte[] readAll(SourceSession s, String path, long offset, long length) throws IOException {
        try (InputStream in = s.read(path, offset, length)) {
            return in.readAllBytes();
        }
    }

    @Test
    void aFileIsTheBaseUrlPlusItsPercentEncodedPath() throws Exception {
        SourceSession s = open(hub.staticUrl("plain"));

        RemoteFile f = s.stat("dir/a b.bin");
        byte[] bytes = readAll(s, "dir/a b.bin", 0, -1);

        assertEquals(new RemoteFile("dir/a b.bin", SMALL.length, null), f);
        assertArrayEquals(SMALL, bytes);
        assertEquals("/static/plain/dir/a%20b.bin", hub.log().get(0).path());
        assertEquals("HEAD", hub.log().get(0).method());
    }

    @Test
    void aQueryOnTheBaseUrlIsKeptForEveryFileAndHeadRefusalFallsBackToAOneByteGet() throws Exception {
        SourceSession s = open(hub.staticUrl("signed") + "?X-Amz-Signature=" + SIG);

        RemoteFile f = s.stat("dir/a b.bin");
        byte[] bytes = readAll(s, "dir/a b.bin", 3, 4);

        assertEquals(SMALL.length, f.size());
        assertArrayEquals(java.util.Arrays.copyOfRange(SMALL, 3, 7), bytes);
        assertEquals(List.of("HEAD 403", "GET 206 bytes=0-0", "GET 206 bytes=3-6"), hub.log().stream()
                .map(r -> r.method() + " " + r.status() + (r.range() == null ? "" : " " + r.range())).toList());
        assertTrue(hub.log().stream().allMatch(r -> r.query().contains(SIG)));
    }

    @Test
    void aPresignedUrlOfOneObjectIsUsedAsItIs() throws Exception {
        String url = hub.staticUrl("bucket/key/model.bin") + "?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=" + SIG;
        SourceSession s = open(url);

        RemoteFile f = s.stat("model.bin");
        byte[] head = readAll(s, "model.bin", 0, 100);

        assertEquals(BIG.size(), f.size());
        assertArrayEquals(java.util.Arrays.copyOf(BIG.bytes(), 100), head);
        assertTrue(hub.log().stream().allMatch(r -> r.path().equals("/static/bucket/key/model.bin")), hub.log().toString());
        assertEquals("presigned URL (query string redacted)", s.credentials());
    }

    @Test
    void aMissingFileIsSourceUnavailableAndAnExpiredSignatureIsAuthFailNeitherShowingTheQuery() {
        SourceSession missing = open(hub.staticUrl("signed") + "?X-Amz-Signature=" + SIG);
        SourceSession expired = open(hub.staticUrl("signed") + "?X-Amz-Signature=stale" + SIG.substring(3));

        WanException notThere = assertThrows(WanException.class, () -> missing.stat("nope.bin"));
        WanException refused = assertThrows(WanException.class, () -> expired.stat("dir/a b.bin"));

        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, notThere.code());
        assertEquals(ErrorCode.AUTH_FAIL, refused.code());
        for (WanException e : List.of(notThere, refused)) {
            String all = e.getMessage() + e.hint() + e.details();
            assertFalse(all.contains("Signature"), all);
            assertTrue(all.contains("?<redacted>"), all);
        }
    }

    @Test
    void userInfoBecomesBasicAuthForThatHostOnlyAndIsNeverShown() throws Exception {
        String url = hub.staticUrl("plain").replace("http://", "http://alice:" + TOKEN + "@");
        SourceSession s = open(url);

        readAll(s, "dir/a b.bin", 0, -1);

        assertTrue(hub.log().stream().allMatch(LoggedRequest::authorization));
        assertEquals("basic auth (user alice, password ****)", s.credentials());
        assertFalse(s.toString().contains(TOKEN), s.toString());
        assertEquals(url.replace(TOKEN, "<redacted>"), s.source().redacted());
    }

    @Test
    void serverErrorsAreTransientAndClientErrorsPermanent() {
        SourceSession s = open(hub.staticUrl("plain"));
        hub.fault(Fault.status(503).in(Fault.Phase.DOWNLOAD));

        assertThrows(dev.wan.source.TransientSourceException.class, () -> s.read("big.bin", 0, 10));
        hub.clearFaults();
        hub.fault(Fault.status(410).in(Fault.Phase.DOWNLOAD));
        WanException gone = assertThrows(WanException.class, () -> s.read("big.bin", 0, 10));
        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, gone.code());
    }

    // ------------------------------------------------------------------ through ensure

    private ModelEnsurer ensurer(List<String> sources, List<WanEvent> events, String... env) {
        Path manifest = tmp.resolve("models.toml");
        String toml = """
                schema_version = 1

                [models."%s"]
                description = "over plain http"
                version = "1.0.0"
                variants = []

                [[models."%s".files]]
                path = "big.bin"
                size = %d
                sha256 = "%s"

                [models."%s".sources]
                priority = [%s]
                """.formatted(ID, ID, BIG.size(), BIG.sha256(), ID,
                String.join(", ", sources.stream().map(s -> "\"" + s + "\"").toList()));
        Fixtures.write(manifest, toml.getBytes());
        WanConfig config = new WanConfig(tmp.resolve("root"), manifest, tmp.resolve("local"), Duration.ofSeconds(30));
        return ModelEnsurer.create(config, Clock.systemUTC(), List.of(), HubContexts.env(hub, env))
                .addListener(events::add);
    }

    private Map<String, FileRecord> records() {
        return new StateStore(new StoreLayout(tmp.resolve("root"))).read(ModelId.parse(ID)).orElseThrow().files();
    }

    @Test
    void anEnsureOverHttpSurvivesCutBodiesAndRecordsTheSourceWithoutItsQuery() {
        hub.presignedStaticFile("prefix/big.bin", BIG, SIG);
        hub.fault(Fault.cutAfter(1L << 20).times(3));
        List<WanEvent> events = new CopyOnWriteArrayList<>();
        String source = hub.staticUrl("prefix") + "?X-Amz-Signature=" + SIG;

        Path dir = ensurer(List.of(source), events).ensure(ID);

        assertEquals(BIG.sha256(), Fixtures.sha256(dir.resolve("big.bin")));
        assertEquals(new SourceRef(source).redacted(), records().get("big.bin").source());
        assertFalse(records().toString().contains(SIG));
        assertFalse(events.toString().contains(SIG), "no event carries the signature");
        // on the stream for metrics: one request of the source, a retry per cut body
        assertEquals(1, events.stream().filter(e -> e instanceof WanEvent.SourceRequested).count(), events.toString());
        // (a cut that falls on the probe before the download is retried by the transport, off the stream)
        long retried = events.stream().filter(e -> e instanceof WanEvent.Retried).count();
        assertTrue(retried >= 1 && retried <= 3, events.toString());
    }

    @Test
    void aHubSourceServingWrongBytesFailsOverToAPresignedHttpSource() {
        hub.repo("org/m").file("big.bin", BIG);
        hub.presignedStaticFile("prefix/big.bin", BIG, SIG);
        hub.fault(Fault.wrongBytes().inRepo("org/m"));
        List<WanEvent> events = new CopyOnWriteArrayList<>();
        String http = hub.staticUrl("prefix") + "?X-Amz-Signature=" + SIG;

        Path dir = ensurer(List.of("hf://org/m", http), events, "HF_TOKEN", TOKEN).ensure(ID);

        assertEquals(BIG.sha256(), Fixtures.sha256(dir.resolve("big.bin")));
        assertEquals(new SourceRef(http).redacted(), records().get("big.bin").source());
        WanEvent.SourceFailed failed = events.stream().filter(e -> e instanceof WanEvent.SourceFailed)
                .map(e -> (WanEvent.SourceFailed) e).findFirst().orElseThrow();
        assertEquals(ErrorCode.CHECKSUM_FAIL, failed.code());
    }

    /**
     * Every failure a user can meet with recognisable fake secrets in play: no message, hint,
     * detail, event or state file may contain the token or the signature.
     */
    @Test
    void noFailureAnywhereShowsATokenOrASignature() {
        hub.repo("org/gated").gated("hf_other").file("big.bin", BIG);
        hub.repo("org/m").file("big.bin", BIG);
        hub.presignedStaticFile("prefix/big.bin", BIG, SIG);
        String http = hub.staticUrl("prefix") + "?X-Amz-Signature=" + SIG;
        String wrongSig = hub.staticUrl("prefix") + "?X-Amz-Signature=" + SIG + "x";
        List<String> seen = new ArrayList<>();
        List<Runnable> scenarios = List.of(
                () -> hub.fault(Fault.status(500)),
                () -> hub.fault(Fault.tooManyRequests(0)),
                () -> hub.fault(Fault.wrongBytes()),
                () -> hub.fault(Fault.cutAfter(4L << 20)),
                () -> hub.validTokens("hf_notYours"),
                () -> { });
        for (Runnable scenario : scenarios) {
            for (List<String> sources : List.of(List.of("hf://org/gated", wrongSig), List.of("hf://org/m", http),
                    List.of("hf://org/missing"))) {
                hub.clearFaults();
                scenario.run();
                List<WanEvent> events = new CopyOnWriteArrayList<>();
                ModelEnsurer ensurer = ensurer(sources, events, "HF_TOKEN", TOKEN, "WAN_RETRIES", "1");
                try {
                    ensurer.ensure(ID);
                } catch (WanException e) {
                    seen.add(e.getMessage() + " | " + e.hint() + " | " + e.details() + " | " + e);
                    for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                        seen.add(c.toString());
                    }
                }
                seen.add(events.toString());
            }
        }
        String all = String.join("\n", seen);

        assertTrue(all.contains("AUTH_FAIL") && all.contains("CHECKSUM_FAIL") && all.contains("RATE_LIMIT"), all);
        assertFalse(all.contains(TOKEN), all);
        assertFalse(all.contains(SIG), all);
    }
}
