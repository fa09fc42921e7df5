package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} of a real {@code wan serve} over loopback HTTP: format, negotiation, methods, no token. */
class MetricsEndpointTest {
    private static final String TOKEN = "s3cret-token-value";

    @TempDir
    Path work;

    private Path root;
    private Path manifest;

    @BeforeEach
    void twoModels() {
        var alpha = new Fixtures.TestModel("alpha@1.0.0").file("a.bin", Fixtures.bytes(1000, 1))
                .sources(work.resolve("src").toUri().toString());
        var beta = new Fixtures.TestModel("beta-x@1.0.0").file("b.bin", Fixtures.bytes(700, 2))
                .sources(work.resolve("src").toUri().toString());
        alpha.writeTo(work.resolve("src"));
        beta.writeTo(work.resolve("src"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, alpha, beta);
        root = work.resolve("root");
    }

    private RunningServe serve(Map<String, String> env, String... more) throws Exception {
        var args = new java.util.ArrayList<>(java.util.List.of("serve", "--port", "0", "--root", root.toString(),
                "--manifest", manifest.toString()));
        args.addAll(java.util.List.of(more));
        return RunningServe.start(env, args.toArray(String[]::new));
    }

    @Test
    void answersTheTextFormatWithTheStoreAsItIsNow() throws Exception {
        try (RunningServe s = serve(Map.of())) {
            RunningServe.Response before = RunningServe.get(s.url() + "/metrics");
            assertEquals(200, before.status(), before.body());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", before.headers().firstValue("Content-Type").orElse(""));
            assertTrue(before.body().contains("\nmodels_by_state{state=\"NOT_PRESENT\"} 2.0\n"), before.body());
            // another process ensures: the gauges see it on the next scrape, the counters do not (not this process's work)
            assertEquals(0, InProcessWan.run(root, manifest, "ensure", "alpha@1.0.0", "--quiet").code());
            String after = RunningServe.get(s.url() + "/metrics").body();
            assertTrue(after.contains("\nmodels_by_state{state=\"COMPLETE\"} 1.0\n"), after);
            assertTrue(after.contains("\nmodel_storage_bytes_used{family=\"alpha\"} 1000.0\n"), after);
            assertTrue(after.contains("\nmodel_storage_bytes_used{family=\"beta\"} 0.0\n"), after);
            assertTrue(!after.contains("model_downloads_total{"), after);
        }
    }

    @Test
    void negotiatesOpenMetricsAndAnswersOnlyGetAndHead() throws Exception {
        try (RunningServe s = serve(Map.of())) {
            RunningServe.Response om = RunningServe.send(HttpRequest.newBuilder(URI.create(s.url() + "/metrics"))
                    .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").GET());
            assertEquals(200, om.status());
            assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                    om.headers().map().toString());
            assertTrue(om.body().endsWith("# EOF\n"), om.body());
            RunningServe.Response post = RunningServe.send(HttpRequest.newBuilder(URI.create(s.url() + "/metrics"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")));
            assertEquals(405, post.status());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
            RunningServe.Response head = RunningServe.send(HttpRequest.newBuilder(URI.create(s.url() + "/metrics"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertEquals(200, head.status());
            assertEquals("", head.body());
            assertEquals(404, RunningServe.get(s.url() + "/metrics/x").status());
        }
    }

    @Test
    void needsNoTokenWhenTheServerHasOne() throws Exception {
        Path tokenFile = work.resolve("token");
        Files.writeString(tokenFile, TOKEN + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        try (RunningServe s = serve(Map.of(), "--token-file", tokenFile.toString())) {
            RunningServe.Response r = RunningServe.get(s.url() + "/metrics");
            assertEquals(200, r.status(), r.body());
            assertTrue(!r.body().contains(TOKEN));
        }
    }
}
