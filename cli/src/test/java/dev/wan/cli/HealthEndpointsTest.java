package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import dev.wan.event.WanEvent;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The health endpoints of {@code wan serve}, over real HTTP on loopback. */
class HealthEndpointsTest {
    private static final String ALPHA = "alpha@1.0.0";
    private static final String BETA = "beta@1.0.0";
    private static final Set<String> STATES = Arrays.stream(ModelState.values()).map(Enum::name)
            .collect(Collectors.toSet());

    @TempDir
    Path work;

    private Path root;
    private Path manifest;
    private Fixtures.TestModel alpha;
    private Fixtures.TestModel beta;
    private RunningServe server;

    @BeforeEach
    void twoModelsAlphaEnsured() {
        alpha = new Fixtures.TestModel(ALPHA).variants("fp16", "bf16")
                .file("model_index.json", "{}\n".getBytes())
                .variantFile("fp16", "t/fp16.bin", Fixtures.bytes(20_000, 1))
                .variantFile("bf16", "t/bf16.bin", Fixtures.bytes(20_000, 2))
                .sources(work.resolve("src/alpha").toUri().toString());
        beta = new Fixtures.TestModel(BETA).file("b.bin", Fixtures.bytes(30_000, 3))
                .sources(work.resolve("src/beta").toUri().toString());
        alpha.writeTo(work.resolve("src/alpha"));
        beta.writeTo(work.resolve("src/beta"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, alpha, beta);
        root = work.resolve("root");
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private void ensure(String id) {
        InProcessWan.Run r = InProcessWan.run(root, manifest, "ensure", id, "--quiet");
        assertEquals(0, r.code(), r.err());
    }

    private String serve() throws Exception {
        server = RunningServe.start(Map.of(), "serve", "--port", "0", "--root", root.toString(),
                "--manifest", manifest.toString());
        assertTrue(server.serving(), server.err());
        return server.url();
    }

    private static JsonNode byModel(JsonNode doc, String id) {
        for (JsonNode m : doc.get("models")) {
            if (m.get("model").asText().equals(id)) {
                return m;
            }
        }
        throw new AssertionError("no " + id + " in " + doc);
    }

    @Test
    void healthIsOkAsJson() throws Exception {
        String url = serve();

        RunningServe.Response r = RunningServe.get(url + "/health");

        assertEquals(200, r.status());
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("{\"status\":\"ok\"}", r.json().toString());
    }

    @Test
    void modelsIs503UntilEveryModelIsCompleteThen200() throws Exception {
        ensure(ALPHA);
        String url = serve();

        RunningServe.Response before = RunningServe.get(url + "/health/models");
        ensure(BETA);
        RunningServe.Response after = RunningServe.get(url + "/health/models");

        assertEquals(503, before.status(), before.body());
        JsonNode doc = before.json();
        assertFalse(doc.get("ok").asBoolean());
        assertTrue(doc.get("manifestProblem").isNull());
        assertEquals(2, doc.get("models").size());
        JsonNode a = byModel(doc, ALPHA);
        assertEquals("COMPLETE", a.get("state").asText());
        assertEquals("fp16", a.get("variant").asText());
        assertEquals(root.resolve("wan22").resolve(ALPHA).toString(), a.get("directory").asText());
        assertEquals(0, a.get("bytesNeeded").asLong());
        assertEquals(3 + 20_000, a.get("bytesTotal").asLong());
        assertFalse(a.get("pinned").asBoolean());
        assertTrue(a.get("lockedBy").isNull());
        Instant.parse(a.get("lastVerified").asText());
        Instant.parse(a.get("lastUsed").asText());
        JsonNode b = byModel(doc, BETA);
        assertEquals("NOT_PRESENT", b.get("state").asText());
        assertEquals(30_000, b.get("bytesNeeded").asLong());
        assertTrue(b.get("lastVerified").isNull());
        assertEquals(200, after.status(), after.body());
        assertTrue(after.json().get("ok").asBoolean());
    }

    @Test
    void oneModelIs200WhenCompleteAnd503Otherwise() throws Exception {
        ensure(ALPHA);
        String url = serve();

        RunningServe.Response complete = RunningServe.get(url + "/health/models/" + ALPHA);
        RunningServe.Response absent = RunningServe.get(url + "/health/models/" + BETA);
        RunningServe.Response bare = RunningServe.get(url + "/health/models/alpha");

        assertEquals(200, complete.status(), complete.body());
        assertEquals(ALPHA, complete.json().get("model").asText());
        assertEquals("COMPLETE", complete.json().get("state").asText());
        assertNotNull(complete.json().get("lastVerified").textValue());
        assertEquals(503, absent.status(), absent.body());
        assertEquals("NOT_PRESENT", absent.json().get("state").asText());
        assertEquals(200, bare.status(), "a bare name means its only version, as on the command line");
        assertEquals(ALPHA, bare.json().get("model").asText());
    }

    @Test
    void aVariantIsChosenWithTheQuery() throws Exception {
        ensure(ALPHA);
        String url = serve();

        RunningServe.Response bf16 = RunningServe.get(url + "/health/models/" + ALPHA + "?variant=bf16");
        RunningServe.Response fp16 = RunningServe.get(url + "/health/models/" + ALPHA + "?variant=fp16");
        RunningServe.Response unknown = RunningServe.get(url + "/health/models/" + ALPHA + "?variant=int4");
        RunningServe.Response empty = RunningServe.get(url + "/health/models/" + ALPHA + "?variant=");

        assertEquals(503, bf16.status(), bf16.body());
        assertEquals("bf16", bf16.json().get("variant").asText());
        assertEquals("PARTIAL", bf16.json().get("state").asText());
        assertEquals(200, fp16.status(), fp16.body());
        assertEquals(400, unknown.status(), unknown.body());
        assertEquals("int4", unknown.json().get("variant").asText());
        assertTrue(unknown.json().get("error").asText().contains("fp16, bf16"), unknown.body());
        assertEquals(400, empty.status(), empty.body());
    }

    @Test
    void anUnknownIdIs404AndAMalformedOne400() throws Exception {
        String url = serve();

        RunningServe.Response unknown = RunningServe.get(url + "/health/models/gamma@1.0.0");
        RunningServe.Response unknownName = RunningServe.get(url + "/health/models/gamma");
        RunningServe.Response traversal = RunningServe.get(url + "/health/models/..%2F..%2Fetc%2Fpasswd");

        assertEquals(404, unknown.status(), unknown.body());
        assertTrue(unknown.json().get("error").asText().startsWith("unknown model gamma@1.0.0"), unknown.body());
        assertEquals("gamma@1.0.0", unknown.json().get("model").asText());
        assertEquals(404, unknownName.status(), unknownName.body());
        assertEquals(400, traversal.status(), traversal.body());
        assertEquals("../../etc/passwd", traversal.json().get("model").asText());
        assertTrue(traversal.json().get("error").asText().startsWith("malformed model id"), traversal.body());
    }

    @Test
    void requestTextIsNeverEchoedRaw() throws Exception {
        String url = serve();

        RunningServe.Response r = RunningServe.get(url + "/health/models/%1B%5B2J%E2%80%AEx");
        RunningServe.Response path = RunningServe.get(url + "/nope%1B%5B2J");

        assertEquals(400, r.status(), r.body());
        assertFalse(r.body().contains("\u001b") || r.body().contains("\u202e"), r.body());
        assertTrue(r.body().toLowerCase().contains("\\u001b") && r.body().toLowerCase().contains("\\u202e"), r.body());
        assertEquals("\u001b[2J\u202ex", r.json().get("model").asText(), "the same text, escaped");
        assertEquals(404, path.status(), path.body());
        assertFalse(path.body().contains("\u001b"), path.body());
    }

    @Test
    void otherPathsAre404AndOtherMethods405() throws Exception {
        String url = serve();

        RunningServe.Response other = RunningServe.get(url + "/nothing-here"); // (/metrics is an endpoint now)
        RunningServe.Response deeper = RunningServe.get(url + "/health/models/" + ALPHA + "/files");
        RunningServe.Response post = RunningServe.send(HttpRequest.newBuilder(URI.create(url + "/health"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        RunningServe.Response delete = RunningServe.send(HttpRequest.newBuilder(URI.create(url + "/health/models"))
                .DELETE());
        RunningServe.Response head = RunningServe.send(HttpRequest.newBuilder(URI.create(url + "/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertEquals(404, other.status());
        for (String endpoint : List.of("/health/models/ID", "/metrics", "POST /models/ID/ensure", "GET /jobs/JOB")) {
            assertTrue(other.json().get("error").asText().contains(endpoint), other.body()); // every endpoint named
        }
        assertEquals(404, deeper.status());
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        assertTrue(post.json().has("error"));
        assertEquals(405, delete.status());
        assertEquals(200, head.status());
        assertEquals("", head.body());
    }

    @Test
    void aModelsRootThatDoesNotExistStaysAbsent() throws Exception {
        root = work.resolve("absent/models");
        String url = serve();

        RunningServe.Response all = RunningServe.get(url + "/health/models");
        RunningServe.Response one = RunningServe.get(url + "/health/models/" + ALPHA + "?variant=bf16");

        assertEquals(503, all.status(), all.body());
        for (JsonNode m : all.json().get("models")) {
            assertEquals("NOT_PRESENT", m.get("state").asText());
        }
        assertEquals(503, one.status(), one.body());
        assertFalse(Files.exists(work.resolve("absent")), "health checks created " + Fixtures.listTree(work));
    }

    @Test
    void aChangedManifestIsUsedByTheNextRequestAndABrokenOneIsReported() throws Exception {
        Fixtures.writeManifest(manifest, alpha);
        ensure(ALPHA);
        String url = serve();
        assertEquals(200, RunningServe.get(url + "/health/models").status());
        assertEquals(404, RunningServe.get(url + "/health/models/" + BETA).status());

        Fixtures.writeManifest(manifest, alpha, beta);
        RunningServe.Response grown = RunningServe.get(url + "/health/models");
        RunningServe.Response betaNow = RunningServe.get(url + "/health/models/" + BETA);
        Files.writeString(manifest, "schema_version = 1\n[models.\"broken\n");
        RunningServe.Response broken = RunningServe.get(url + "/health/models");
        Fixtures.writeManifest(manifest, alpha);
        RunningServe.Response fixed = RunningServe.get(url + "/health/models");

        assertEquals(503, grown.status(), grown.body());
        assertEquals(2, grown.json().get("models").size());
        assertEquals(503, betaNow.status(), betaNow.body());
        assertEquals(2, broken.json().get("models").size(), "the last good manifest stays in service");
        String problem = broken.json().get("manifestProblem").asText();
        assertTrue(problem.contains(manifest.toString()) && problem.contains("not valid"), problem);
        assertEquals(200, fixed.status(), fixed.body());
        assertEquals(1, fixed.json().get("models").size());
        assertTrue(fixed.json().get("manifestProblem").isNull());
    }

    /**
     * 100 requests from 8 threads while an ensure of another model holds its lock mid-transfer in
     * this JVM: every answer is a whole document with states {@code status} can report.
     */
    @Test
    void concurrentRequestsDuringAnEnsureAllGetValidDocuments() throws Exception {
        ensure(ALPHA);
        String url = serve();
        ModelEnsurer ensurer = Fixtures.ensurer(root, manifest, root);
        CountDownLatch transferring = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ensurer.addListener(e -> {
            if (e instanceof WanEvent.FileStarted f && f.model().toString().equals(BETA)) {
                transferring.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS); // hold the ensure, lock taken, in mid-transfer
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        ExecutorService ensureThread = Executors.newSingleThreadExecutor();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            Future<Path> ensured = ensureThread.submit(() -> ensurer.ensure(BETA));
            assertTrue(transferring.await(60, TimeUnit.SECONDS), "the ensure never started a file");

            List<Future<RunningServe.Response>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                answers.add(clients.submit(() -> RunningServe.get(url + "/health/models")));
            }
            List<RunningServe.Response> responses = new ArrayList<>();
            for (Future<RunningServe.Response> f : answers) {
                responses.add(f.get(60, TimeUnit.SECONDS));
            }
            release.countDown();
            Path dir = ensured.get(60, TimeUnit.SECONDS);
            RunningServe.Response afterwards = RunningServe.get(url + "/health/models");

            for (RunningServe.Response r : responses) {
                assertEquals(503, r.status(), r.body());
                JsonNode doc = r.json();
                assertEquals(2, doc.get("models").size(), r.body());
                for (JsonNode m : doc.get("models")) {
                    assertTrue(STATES.contains(m.get("state").asText()), r.body());
                }
                assertEquals("COMPLETE", byModel(doc, ALPHA).get("state").asText());
                // nobody locks alpha: concurrent answers must not take each other's look at its lock for a holder
                assertTrue(byModel(doc, ALPHA).get("lockedBy").isNull(), r.body());
                assertFalse(byModel(doc, BETA).get("lockedBy").isNull(), "the ensure holds beta's lock: " + r.body());
            }
            assertEquals(root.resolve("wan22").resolve(BETA), dir);
            assertEquals(200, afterwards.status(), afterwards.body());
        } finally {
            release.countDown();
            clients.shutdownNow();
            ensureThread.shutdownNow();
        }
    }
}
