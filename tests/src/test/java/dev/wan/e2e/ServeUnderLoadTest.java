package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.testkit.hub.Fault;
import dev.wan.testkit.hub.HubServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wan serve --allow-ensure} as its own process, asked 100 health requests at once while it
 * ensures a model for a POST job (from a rate-capped loopback Hub) and a {@code wan gc} process
 * deletes other models.
 *
 * <p>Consistent, precisely: around each burst of requests {@code wan status --json} is run just
 * before and just after (separate processes, the operator's view); bursts go on until the job is
 * done. For every model in every answer, its {@code state} is the state one of those two reported
 * (or UNVERIFIED when it went from NOT_PRESENT to COMPLETE), and its {@code bytesNeeded} lies
 * between their two values. A store change is one rename (an ensure publishes its staging, gc moves a model
 * out), so nothing in between may show (but the moment of a publish: the files are in place, their
 * record is being written, UNVERIFIED): no PARTIAL model that neither status saw, no error, no
 * invented lock holder (only the job's model and, with {@code purpose=gc}, a model gc collects may
 * show a {@code lockedBy}).
 */
class ServeUnderLoadTest {
    private static final String TOKEN = "e2e-serve-token-not-a-secret";
    private static final int REQUESTS = 100;
    private static final String BIG = "big@1.0.0";
    private static final List<String> OLD = List.of("old1@1.0.0", "old2@1.0.0", "old3@1.0.0");
    private static final String KEEP = "keep@1.0.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    @TempDir
    Path tmp;

    @Test
    void hundredConcurrentHealthAnswersDuringAnEnsureJobAndAGcAgreeWithStatus() throws Exception {
        byte[] weights = new byte[64 << 20];
        new java.util.Random(5).nextBytes(weights);
        try (HubServer hub = HubServer.start()) {
            hub.repo("org/big").file("w.bin", weights);
            // 16 s at least: gc (quota 1 byte) is long done when big is published, so it never collects big
            hub.fault(Fault.rateCap(4L << 20).on("w.bin"));
            Path manifest = manifest(weights);
            Path root = tmp.resolve("root");
            Cli cli = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", manifest.toString())
                    .env("HF_ENDPOINT", hub.endpoint()).env("WAN_CONNECTIONS", "1").env("WAN_SERVE_TOKEN", TOKEN);
            List<String> small = new ArrayList<>(OLD);
            small.add(KEEP);
            List<String> ensureArgs = new ArrayList<>(List.of("ensure", "--quiet"));
            ensureArgs.addAll(small);
            assertEquals(0, cli.run(ensureArgs.toArray(String[]::new)).exitCode());
            assertEquals(0, cli.run("pin", KEEP).exitCode());
            Process serve = cli.start(tmp.resolve("serve.out"), tmp.resolve("serve.err"), "serve", "--port", "0",
                    "--allow-ensure");
            try {
                String url = url(serve);
                JsonNode job = send(HttpRequest.newBuilder(URI.create(url + "/models/" + BIG + "/ensure"))
                        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()), 202);
                String jobUrl = url + job.get("url").asText();
                awaitBytes(jobUrl);

                Process gc = null;
                boolean jobDone = false;
                for (int round = 0; round < 20 && !jobDone; round++) { // bursts until the job is done, publish included
                    jobDone = !job(jobUrl).get("state").asText().equals("RUNNING");
                    Map<String, JsonNode> before = status(cli);
                    if (round == 0) {
                        gc = cli.start(tmp.resolve("gc.out"), tmp.resolve("gc.err"), "gc", "--max-size", "1");
                    }
                    List<JsonNode> answers = burst(url);
                    Map<String, JsonNode> after = status(cli);
                    for (JsonNode answer : answers) {
                        consistent(answer, before, after);
                    }
                }
                assertTrue(gc.waitFor(2, TimeUnit.MINUTES));
                assertEquals(0, gc.exitValue(), Files.readString(tmp.resolve("gc.err")));
                JsonNode done = awaitDone(jobUrl);
                Map<String, JsonNode> end = status(cli);

                assertEquals("SUCCEEDED", done.get("state").asText(), done.toString());
                assertEquals(root.resolve("wan22").resolve(BIG).toString(), done.get("path").asText());
                assertEquals("COMPLETE", end.get(BIG).get("state").asText());
                assertEquals("COMPLETE", end.get(KEEP).get("state").asText(), "pinned: gc keeps it");
                for (String old : OLD) {
                    assertEquals("NOT_PRESENT", end.get(old).get("state").asText(), "gc collected " + old);
                }
            } finally {
                serve.destroy();
                assertTrue(serve.waitFor(1, TimeUnit.MINUTES));
            }
            assertEquals(143, serve.exitValue(), Files.readString(tmp.resolve("serve.err")));
            assertTrue(!Files.readString(tmp.resolve("serve.err")).contains(TOKEN), "the token is never printed");
        }
    }

    /** Each model's state is what status said before or after; bytesNeeded between the two; no invented holder. */
    private static void consistent(JsonNode answer, Map<String, JsonNode> before, Map<String, JsonNode> after) {
        assertEquals(before.keySet().size(), answer.get("models").size(), answer.toString());
        for (JsonNode m : answer.get("models")) {
            String id = m.get("model").asText();
            JsonNode b = before.get(id);
            JsonNode a = after.get(id);
            String state = m.get("state").asText();
            String was = b.get("state").asText();
            String is = a.get("state").asText();
            // publishing renames the files into place, then records them verified: UNVERIFIED in between
            boolean publishing = was.equals("NOT_PRESENT") && is.equals("COMPLETE") && state.equals("UNVERIFIED");
            assertTrue(state.equals(was) || state.equals(is) || publishing,
                    id + " answered " + state + ", status said " + was + " before and " + is + " after");
            long needed = m.get("bytesNeeded").asLong();
            long low = Math.min(b.get("bytesNeeded").asLong(), a.get("bytesNeeded").asLong());
            long high = Math.max(b.get("bytesNeeded").asLong(), a.get("bytesNeeded").asLong());
            assertTrue(needed >= low && needed <= high, id + " bytesNeeded " + needed + " outside [" + low + ", " + high + "]");
            JsonNode holder = m.get("lockedBy");
            if (!holder.isNull() && !id.equals(BIG)) {
                // only the job (big) and gc lock models; gc may lock and release between the two looks
                assertTrue(OLD.contains(id) && holder.asText().contains("purpose=gc"), id + " locked by " + holder);
            }
        }
        assertEquals(answer.get("models").findValuesAsText("state").stream().allMatch("COMPLETE"::equals),
                answer.get("ok").asBoolean(), answer.toString());
    }

    /** 100 GET /health/models at once (no token: the health endpoints need none), each a whole JSON document. */
    private static List<JsonNode> burst(String url) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(REQUESTS);
        CyclicBarrier start = new CyclicBarrier(REQUESTS);
        try {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                answers.add(clients.submit(() -> {
                    start.await();
                    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/health/models"))
                            .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    assertTrue(r.statusCode() == 200 || r.statusCode() == 503, r.statusCode() + " " + r.body());
                    JsonNode doc = JSON.readTree(r.body());
                    assertEquals(r.statusCode() == 200, doc.get("ok").asBoolean(), r.body());
                    return doc;
                }));
            }
            List<JsonNode> docs = new ArrayList<>();
            for (Future<JsonNode> f : answers) {
                docs.add(f.get(2, TimeUnit.MINUTES));
            }
            return docs;
        } finally {
            clients.shutdownNow();
        }
    }

    private static Map<String, JsonNode> status(Cli cli) throws Exception {
        Cli.Result r = cli.run("status", "--json");
        assertTrue(r.exitCode() == 0 || r.exitCode() == 1, r.toString());
        Map<String, JsonNode> byModel = new HashMap<>();
        JSON.readTree(r.stdout()).get("models").forEach(m -> byModel.put(m.get("model").asText(), m));
        return byModel;
    }

    private static JsonNode send(HttpRequest.Builder request, int expected) throws Exception {
        HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    private static JsonNode job(String jobUrl) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(jobUrl)).header("Authorization", "Bearer " + TOKEN).GET(), 200);
    }

    /** Until the job has moved bytes: the bursts then run while it downloads. */
    private static void awaitBytes(String jobUrl) throws Exception {
        for (int i = 0; i < 1200; i++) {
            JsonNode j = job(jobUrl);
            assertEquals("RUNNING", j.get("state").asText(), j.toString());
            if (j.get("progress").get("bytesDone").asLong() > 0) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the job moved no bytes in a minute");
    }

    private static JsonNode awaitDone(String jobUrl) throws Exception {
        for (int i = 0; i < 2400; i++) {
            JsonNode j = job(jobUrl);
            if (!j.get("state").asText().equals("RUNNING") && !j.get("state").asText().equals("QUEUED")) {
                return j;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the job did not finish in two minutes");
    }

    private String url(Process serve) throws Exception {
        Path out = tmp.resolve("serve.out");
        for (int i = 0; i < 1200; i++) {
            String text = Files.exists(out) ? Files.readString(out) : "";
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("http://[0-9.:]+").matcher(text);
            if (m.find()) {
                return m.group();
            }
            assertTrue(serve.isAlive(), "wan serve ended: " + Files.readString(tmp.resolve("serve.err")));
            Thread.sleep(50);
        }
        throw new AssertionError("wan serve printed no URL in a minute");
    }

    /** big (from the Hub), keep (pinned) and three old models (from a local directory). */
    private Path manifest(byte[] weights) throws Exception {
        StringBuilder toml = new StringBuilder("schema_version = 1\n");
        model(toml, BIG, "w.bin", weights.length, sha256(weights), "hf://org/big");
        Path src = tmp.resolve("src");
        long seed = 1;
        List<String> small = new ArrayList<>(OLD);
        small.add(KEEP);
        for (String id : small) {
            Path dir = src.resolve(id.substring(0, id.indexOf('@')));
            String sha = Fixtures.randomFile(dir.resolve("f.bin"), 1 << 20, seed++);
            model(toml, id, "f.bin", 1 << 20, sha, dir.toUri().toString());
        }
        Path manifest = tmp.resolve("models.toml");
        Files.writeString(manifest, toml);
        return manifest;
    }

    private static void model(StringBuilder toml, String id, String path, long size, String sha, String source) {
        toml.append("\n[models.\"").append(id).append("\"]\ndescription = \"generated for a test\"\nversion = \"")
                .append(id.substring(id.indexOf('@') + 1)).append("\"\n\n[[models.\"").append(id)
                .append("\".files]]\npath = \"").append(path).append("\"\nsize = ").append(size).append("\nsha256 = \"")
                .append(sha).append("\"\n\n[models.\"").append(id).append("\".sources]\npriority = [\"").append(source)
                .append("\"]\n");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
