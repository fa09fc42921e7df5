package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.ModelId;
import dev.wan.testkit.hub.Fault;
import dev.wan.testkit.hub.HubContexts;
import dev.wan.testkit.hub.HubServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /models/ID/ensure} and {@code GET /jobs/JOB} of {@code wan serve --allow-ensure}, over real HTTP. */
class JobEndpointsTest {
    private static final String TOKEN = "s3cret-token-for-tests-only";
    private static final String ALPHA = "alpha@1.0.0";
    private static final String BROKEN = "broken@1.0.0";

    @TempDir
    Path work;

    private Path root;
    private Path manifest;
    private final List<Fixtures.TestModel> models = new ArrayList<>();
    private RunningServe server;
    private final List<ModelLock> held = new ArrayList<>();

    @BeforeEach
    void models() {
        Fixtures.TestModel alpha = new Fixtures.TestModel(ALPHA).variants("fp16", "bf16")
                .file("model_index.json", "{}\n".getBytes())
                .variantFile("fp16", "t/fp16.bin", Fixtures.bytes(20_000, 1))
                .variantFile("bf16", "t/bf16.bin", Fixtures.bytes(20_000, 2))
                .sources(work.resolve("src/alpha").toUri().toString());
        alpha.writeTo(work.resolve("src/alpha"));
        models.add(alpha);
        // its source directory is never written: every file is missing there
        models.add(new Fixtures.TestModel(BROKEN).file("b.bin", Fixtures.bytes(1000, 3))
                .sources(work.resolve("src/nowhere").toUri().toString()));
        for (int i = 0; i < ServeJobs.RUNNING + ServeJobs.QUEUED + 1; i++) {
            Fixtures.TestModel m = new Fixtures.TestModel("m" + i + "@1.0.0").file("f.bin", Fixtures.bytes(100, i))
                    .sources(work.resolve("src/m" + i).toUri().toString());
            m.writeTo(work.resolve("src/m" + i));
            models.add(m);
        }
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, models.toArray(Fixtures.TestModel[]::new));
        root = work.resolve("root");
    }

    @AfterEach
    void stop() throws Exception {
        held.forEach(ModelLock::close);
        if (server != null) {
            server.close();
        }
    }

    private String serve(Map<String, String> env, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--root", root.toString(),
                "--manifest", manifest.toString()));
        args.addAll(List.of(extra));
        server = RunningServe.start(env, args.toArray(String[]::new));
        assertTrue(server.serving(), server.err());
        return server.url();
    }

    private String serveWithEnsure() throws Exception {
        return serve(Map.of("WAN_SERVE_TOKEN", TOKEN), "--allow-ensure");
    }

    private static RunningServe.Response post(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return RunningServe.send(b);
    }

    private static RunningServe.Response get(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return RunningServe.send(b);
    }

    /** Polls the job until it is SUCCEEDED or FAILED (bounded, so a bug fails instead of hanging). */
    private static JsonNode finished(String url, String jobUrl) throws Exception {
        for (int i = 0; i < 1200; i++) {
            RunningServe.Response r = get(url + jobUrl, TOKEN);
            assertEquals(200, r.status(), r.body());
            String state = r.json().get("state").asText();
            if (state.equals("SUCCEEDED") || state.equals("FAILED")) {
                return r.json();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + jobUrl + " did not finish in a minute");
    }

    /** Polls until the job waits for the lock the test holds. */
    private static JsonNode waitingForLock(String url, String jobUrl) throws Exception {
        for (int i = 0; i < 1200; i++) {
            JsonNode job = get(url + jobUrl, TOKEN).json();
            if (!job.get("waitingForLock").isNull()) {
                return job;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + jobUrl + " never waited for the lock");
    }

    private void hold(String model) throws java.io.IOException {
        Files.createDirectories(root);
        held.add(ModelLock.acquire(new StoreLayout(root).lockFile(ModelId.parse(model)), "model " + model, "test",
                Duration.ofSeconds(10), Clock.systemUTC(), h -> { }));
    }

    private void releaseAll() {
        held.forEach(ModelLock::close);
        held.clear();
    }

    @Test
    void allowEnsureWithoutATokenIsRefusedSayingWhatToDo() throws Exception {
        server = RunningServe.start(Map.of(), "serve", "--port", "0", "--root", root.toString(), "--manifest",
                manifest.toString(), "--allow-ensure");

        assertEquals(2, server.exitCode(), server.err());
        assertTrue(server.err().contains("--allow-ensure needs a token"), server.err());
        assertTrue(server.err().contains("WAN_SERVE_TOKEN"), server.err());
    }

    @Test
    void withoutAllowEnsureTheJobEndpointsAre403SayingHowToTurnThemOn() throws Exception {
        String url = serve(Map.of("WAN_SERVE_TOKEN", TOKEN));

        RunningServe.Response ensure = post(url + "/models/" + ALPHA + "/ensure", TOKEN);
        RunningServe.Response job = get(url + "/jobs/0123456789abcdef0123456789abcdef", null);

        assertEquals(403, ensure.status(), ensure.body());
        assertTrue(ensure.json().get("error").asText().contains("--allow-ensure"), ensure.body());
        assertEquals(403, job.status(), job.body());
        assertFalse(Files.exists(root.resolve("wan22").resolve(ALPHA)), "nothing was ensured");
    }

    @Test
    void withAllowEnsureEverythingButHealthNeedsTheToken() throws Exception {
        String url = serveWithEnsure();

        RunningServe.Response none = post(url + "/models/" + ALPHA + "/ensure", null);
        RunningServe.Response wrong = post(url + "/models/" + ALPHA + "/ensure", TOKEN + "x");
        RunningServe.Response lowercaseScheme = RunningServe.send(HttpRequest.newBuilder(URI.create(url + "/jobs/x"))
                .header("Authorization", "bearer " + TOKEN).GET());
        RunningServe.Response jobWithout = get(url + "/jobs/0123456789abcdef0123456789abcdef", null);
        RunningServe.Response otherPath = get(url + "/anything", null);
        RunningServe.Response health = get(url + "/health", null);
        RunningServe.Response healthModels = get(url + "/health/models/" + ALPHA, null);

        for (RunningServe.Response r : List.of(none, wrong, jobWithout, otherPath)) {
            assertEquals(401, r.status(), r.body());
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"), r.headers().toString());
            assertFalse(r.body().contains(TOKEN), "the token is never sent back: " + r.body());
        }
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElse("").contains("invalid_token"));
        assertEquals(404, lowercaseScheme.status(), "the scheme is case-insensitive: " + lowercaseScheme.body());
        assertEquals(200, health.status(), health.body());
        assertEquals(503, healthModels.status(), healthModels.body());
        assertFalse(Files.exists(root.resolve("wan22").resolve(ALPHA)), "a refused request ensured nothing");
        assertFalse(server.err().contains(TOKEN) || server.out().contains(TOKEN), "the token is never printed");
    }

    @Test
    void anEnsureJobSucceedsWithTheModelsPathAndItsProgress() throws Exception {
        String url = serveWithEnsure();

        RunningServe.Response started = post(url + "/models/alpha/ensure?variant=bf16", TOKEN);

        assertEquals(202, started.status(), started.body());
        JsonNode job = started.json();
        assertEquals(ALPHA, job.get("model").asText(), "a bare name means its only version");
        assertEquals("bf16", job.get("variant").asText());
        assertFalse(job.get("joined").asBoolean());
        assertTrue(job.get("id").asText().matches("[0-9a-f]{32}"), job.toString());
        assertEquals("/jobs/" + job.get("id").asText(), job.get("url").asText());
        assertEquals(job.get("url").asText(), started.headers().firstValue("Location").orElse(null));
        JsonNode done = finished(url, job.get("url").asText());
        assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
        assertEquals(root.resolve("wan22").resolve(ALPHA).toString(), done.get("path").asText());
        assertTrue(done.get("error").isNull());
        assertEquals(2, done.get("progress").get("filesDone").asInt(), done.toString());
        assertEquals(20_003, done.get("progress").get("bytesDone").asLong(), done.toString());
        assertEquals(done.get("progress").get("bytesNeeded"), done.get("progress").get("bytesDone"));
        assertTrue(Files.isRegularFile(root.resolve("wan22").resolve(ALPHA).resolve("t/bf16.bin")));
        assertEquals(200, get(url + "/health/models/" + ALPHA + "?variant=bf16", null).status());
    }

    @Test
    void aJobsLogLinesCarryTheIdItsClientPollsAndTheRequestThatStartedIt() throws Exception {
        String url = serve(Map.of("WAN_SERVE_TOKEN", TOKEN), "--allow-ensure", "--log-level", "info", "--log-format", "json");

        JsonNode job = post(url + "/models/alpha/ensure", TOKEN).json();
        assertEquals("SUCCEEDED", finished(url, job.get("url").asText()).get("state").asText());

        String id = job.get("id").asText();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : server.err().split("\n")) {
            if (line.startsWith("{")) {
                JsonNode l = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                if (l.path("mdc").path("job").asText().equals(id)) {
                    lines.add(l);
                }
            }
        }
        assertFalse(lines.isEmpty(), "no log line names job " + id + ":\n" + server.err());
        for (JsonNode l : lines) {
            assertTrue(l.path("mdc").path("request").asText().matches("[0-9a-f]{8}"), l.toString());
            assertEquals(ALPHA, l.path("mdc").path("model").asText(), l.toString());
        }
    }

    @Test
    void aFailedJobReportsItsErrorCodeExitCodeAndMessage() throws Exception {
        String url = serveWithEnsure();

        RunningServe.Response started = post(url + "/models/" + BROKEN + "/ensure", TOKEN);
        JsonNode done = finished(url, started.json().get("url").asText());

        assertEquals(202, started.status(), started.body());
        assertEquals("FAILED", done.get("state").asText(), done.toString());
        assertTrue(done.get("path").isNull(), done.toString());
        JsonNode error = done.get("error");
        InProcessWan.Run cli = InProcessWan.run(root, manifest, "ensure", BROKEN, "--quiet", "--json");
        JsonNode cliError = RunningServe.Response.class.cast(new RunningServe.Response(0, cli.out(), null)).json().get("error");
        assertEquals(cliError.get("code").asText(), error.get("code").asText(), "the code 'wan ensure' reports");
        assertEquals(cli.code(), error.get("exitCode").asInt(), "the exit code 'wan ensure' exits with");
        assertFalse(error.get("message").asText().isBlank(), done.toString());
    }

    @Test
    void aSecondPostForTheSameModelAndVariantJoinsTheJobAnotherVariantGetsItsOwn() throws Exception {
        String url = serveWithEnsure();
        hold(ALPHA); // as another process ensuring it would: the job waits for the lock

        JsonNode first = post(url + "/models/" + ALPHA + "/ensure", TOKEN).json();
        JsonNode waiting = waitingForLock(url, first.get("url").asText());
        RunningServe.Response again = post(url + "/models/" + ALPHA + "/ensure?variant=" + first.get("variant").asText(), TOKEN);
        RunningServe.Response other = post(url + "/models/" + ALPHA + "/ensure?variant=bf16", TOKEN);
        releaseAll();
        JsonNode done = finished(url, first.get("url").asText());
        JsonNode otherDone = finished(url, other.json().get("url").asText());

        assertEquals("fp16", first.get("variant").asText(), "the default variant");
        assertEquals("RUNNING", waiting.get("state").asText());
        assertTrue(waiting.get("waitingForLock").asText().contains("purpose=test"), waiting.toString());
        assertEquals(202, again.status(), again.body());
        assertEquals(first.get("id"), again.json().get("id"));
        assertTrue(again.json().get("joined").asBoolean());
        assertNotEquals(first.get("id"), other.json().get("id"));
        assertFalse(other.json().get("joined").asBoolean());
        assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
        assertEquals("SUCCEEDED", otherDone.get("state").asText(), otherDone.toString());
        JsonNode after = post(url + "/models/" + ALPHA + "/ensure", TOKEN).json();
        assertNotEquals(first.get("id"), after.get("id"), "a finished job is not joined: a new one starts");
        assertEquals("SUCCEEDED", finished(url, after.get("url").asText()).get("state").asText());
    }

    @Test
    void moreJobsThanRunAndWaitAreRefusedWith429() throws Exception {
        String url = serveWithEnsure();
        int fit = ServeJobs.RUNNING + ServeJobs.QUEUED;
        for (int i = 0; i <= fit; i++) {
            hold("m" + i + "@1.0.0");
        }

        Set<String> ids = new HashSet<>();
        List<JsonNode> accepted = new ArrayList<>();
        for (int i = 0; i < fit; i++) {
            RunningServe.Response r = post(url + "/models/m" + i + "@1.0.0/ensure", TOKEN);
            assertEquals(202, r.status(), r.body());
            accepted.add(r.json());
            ids.add(r.json().get("id").asText());
        }
        RunningServe.Response full = post(url + "/models/m" + fit + "@1.0.0/ensure", TOKEN);
        RunningServe.Response joinWhileFull = post(url + "/models/m0@1.0.0/ensure", TOKEN);
        releaseAll();

        assertEquals(fit, ids.size(), "every job has its own id");
        assertEquals(429, full.status(), full.body());
        assertEquals("10", full.headers().firstValue("Retry-After").orElse(null));
        assertEquals(202, joinWhileFull.status(), "joining takes no place in the queue: " + joinWhileFull.body());
        for (JsonNode job : accepted) {
            assertEquals("SUCCEEDED", finished(url, job.get("url").asText()).get("state").asText());
        }
        assertEquals(202, post(url + "/models/m" + fit + "@1.0.0/ensure", TOKEN).status(), "room again once they ran");
    }

    @Test
    void unknownJobsModelsAndMethodsAreAnsweredWithJsonErrors() throws Exception {
        String url = serveWithEnsure();

        RunningServe.Response unknownJob = get(url + "/jobs/0123456789abcdef0123456789abcdef", TOKEN);
        RunningServe.Response malformedJob = get(url + "/jobs/..%2F..%2Fetc", TOKEN);
        RunningServe.Response unknownModel = post(url + "/models/nope@1.0.0/ensure", TOKEN);
        RunningServe.Response unknownVariant = post(url + "/models/" + ALPHA + "/ensure?variant=int3", TOKEN);
        RunningServe.Response malformedModel = post(url + "/models/%00evil/ensure", TOKEN);
        RunningServe.Response getEnsure = get(url + "/models/" + ALPHA + "/ensure", TOKEN);
        RunningServe.Response postJob = post(url + "/jobs/0123456789abcdef0123456789abcdef", TOKEN);

        assertEquals(404, unknownJob.status(), unknownJob.body());
        assertEquals(404, malformedJob.status(), malformedJob.body());
        assertEquals(404, unknownModel.status(), unknownModel.body());
        assertEquals(400, unknownVariant.status(), unknownVariant.body());
        assertEquals("VARIANT_NOT_FOUND", unknownVariant.json().get("code").asText());
        assertEquals(400, malformedModel.status(), malformedModel.body());
        assertFalse(malformedModel.body().contains("\u0000"), malformedModel.body());
        assertEquals(405, getEnsure.status(), getEnsure.body());
        assertEquals("POST", getEnsure.headers().firstValue("Allow").orElse(null));
        assertEquals(405, postJob.status(), postJob.body());
        assertEquals("GET, HEAD", postJob.headers().firstValue("Allow").orElse(null));
    }

    @Test
    void stoppingTheServerInterruptsARunningJobPublishingNothingAndKeepingItsStaging() throws Exception {
        try (HubServer hub = HubServer.start()) {
            // resumable staging is kept per finished 16 MiB chunk: stop once one is done, long before the end
            byte[] weights = Fixtures.bytes(64 << 20, 9);
            hub.repo("org/slow").file("w.bin", weights);
            hub.fault(Fault.rateCap(4L << 20).on("w.bin")); // one connection, 16 s for the whole file
            Fixtures.TestModel slow = new Fixtures.TestModel("slow@1.0.0").file("w.bin", weights).sources("hf://org/slow");
            Path slowManifest = work.resolve("slow.toml");
            Fixtures.writeManifest(slowManifest, slow);
            Map<String, String> env = new java.util.HashMap<>(HubContexts.env(hub));
            env.put("WAN_SERVE_TOKEN", TOKEN);
            env.put("WAN_CONNECTIONS", "1");
            server = RunningServe.start(env, "serve", "--port", "0", "--root", root.toString(), "--manifest",
                    slowManifest.toString(), "--allow-ensure");
            String url = server.url();

            String jobUrl = post(url + "/models/slow@1.0.0/ensure", TOKEN).json().get("url").asText();
            JsonNode moving = null;
            for (int i = 0; i < 1200 && (moving == null || moving.get("progress").get("bytesDone").asLong() < (24 << 20)); i++) {
                Thread.sleep(50);
                moving = get(url + jobUrl, TOKEN).json();
            }
            int exit = server.stop();
            server = null;

            assertTrue(moving.get("progress").get("bytesDone").asLong() >= 24 << 20, moving.toString());
            assertEquals("RUNNING", moving.get("state").asText());
            assertEquals("w.bin", moving.get("progress").get("currentFile").asText());
            assertEquals(130, exit);
            assertFalse(Files.exists(root.resolve("wan22").resolve("slow@1.0.0")), "nothing half-published");
            assertEquals(java.util.Optional.empty(), ModelLock.currentHolder(new StoreLayout(root)
                    .lockFile(ModelId.parse("slow@1.0.0"))), "the job has ended: nobody holds the model's lock");
            ModelEnsurer ensurer = Fixtures.ensurer(root, slowManifest, root);
            assertTrue(ensurer.bytesStaged("slow@1.0.0") > 0, "the staged bytes are kept for the next run: "
                    + Fixtures.listTree(root));
        }
    }
}
