package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian package prometheus) on loopback scrapes a real {@code wan serve}
 * every second and answers a PromQL query about the store: after the demo is ensured (by another
 * process), {@code models_by_state{state="COMPLETE"}} is 3. Every wait is bounded.
 */
class PrometheusScrapeE2ETest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final Pattern URL = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path work;

    @Test
    void prometheusScrapesServeAndAnswersPromQl() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS),
                "SKIPPED: " + PROMETHEUS + " is not installed (Debian package prometheus; .ci/run installs it)");
        Path root = work.resolve("root");
        Cli wan = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_HOME", Cli.REPO.toString());
        Process serve = wan.start(work.resolve("serve.out"), work.resolve("serve.err"), "serve", "--port", "0");
        Process prometheus = null;
        try {
            int servePort = awaitServeUrl(serve, work.resolve("serve.out"), work.resolve("serve.err"));
            Cli.Result ensured = wan.run("ensure", "--all", "--quiet");
            assertEquals(0, ensured.exitCode(), ensured.toString());

            int promPort = freePort();
            Path config = work.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      evaluation_interval: 1s
                    scrape_configs:
                      - job_name: wan
                        scrape_interval: 1s
                        scrape_timeout: 1s
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """.formatted(servePort));
            prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + work.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + promPort,
                    "--log.level=warn")
                    .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();

            String query = "models_by_state{job=\"wan\",state=\"COMPLETE\"}";
            String last = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                if (!prometheus.isAlive()) {
                    fail("prometheus ended (exit " + prometheus.exitValue() + "): "
                            + Files.readString(work.resolve("prometheus.log")));
                }
                last = query(promPort, query);
                JsonNode result = last.isEmpty() ? null : new ObjectMapper().readTree(last).path("data").path("result");
                if (result != null && result.size() == 1) {
                    assertEquals("3", result.get(0).path("value").get(1).asText(), last);
                    assertTrue(query(promPort, "up{job=\"wan\"}").contains("\"1\""));
                    return;
                }
                Thread.sleep(500);
            }
            fail("in 60 s Prometheus never answered " + query + " with one series; last answer: " + last
                    + "\nprometheus log: " + Files.readString(work.resolve("prometheus.log")));
        } finally {
            stop(prometheus);
            stop(serve);
        }
    }

    /** The body of a PromQL instant query, or "" while Prometheus is not listening yet. */
    private static String query(int port, String promql) throws InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? r.body() : "";
        } catch (IOException notYet) {
            return "";
        }
    }

    /** The port {@code wan serve --port 0} says it listens on (at most 60 s). */
    private static int awaitServeUrl(Process serve, Path out, Path err) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = URL.matcher(Files.readString(out));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            if (!serve.isAlive()) {
                fail("wan serve ended (exit " + serve.exitValue() + "): " + Files.readString(err));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("wan serve printed no URL in 60 s: " + Files.readString(err));
    }

    /** A port free a moment ago (Prometheus takes no port 0: it would not say which it got). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void stop(Process p) throws InterruptedException {
        if (p == null) {
            return;
        }
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
