package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.testkit.hub.Content;
import dev.wan.testkit.hub.HubServer;
import dev.wan.testkit.s3.S3ProxyServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wan diagnose --bundle} as a real process, with the suite's canary secrets configured (HF
 * token, AWS keys, serve's token, a presigned URL's signature) and written into the log file it
 * bundles (each configured secret, and the presigned URL): a reachable S3 (S3Proxy, accepting the canary keys) passes the sources and clock checks,
 * and no canary shows in what it printed ({@link Cli#run} checks) nor in any entry of the archive.
 */
class DiagnoseE2ETest {
    private static final byte[] CONTENT = "weights in a bucket\n".getBytes(StandardCharsets.UTF_8);

    private static HubServer hub;
    private static S3ProxyServer s3;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        hub = HubServer.start();
        hub.presignedStaticFile("b/weights.bin", Content.of(CONTENT), Secrets.PRESIGNED_SIGNATURE);
        s3 = S3ProxyServer.start(tmp, "AKIA" + Secrets.AWS_KEY_ID_TAIL, Secrets.AWS_SECRET);
        s3.createBucket("models");
        s3.put("models", "m/weights.bin", CONTENT);
        String presigned = hub.staticUrl("b/weights.bin") + "?X-Amz-Signature=" + Secrets.PRESIGNED_SIGNATURE;
        Files.writeString(tmp.resolve("models.toml"), """
                schema_version = 1

                [models."bucket@1.0.0"]
                [[models."bucket@1.0.0".files]]
                path = "weights.bin"
                size = %1$d
                [models."bucket@1.0.0".sources]
                priority = ["s3://models/m", "%2$s"]
                """.formatted(CONTENT.length, presigned));
        StringBuilder log = new StringBuilder();
        // what a careless log line could hold: every secret this run configures, and a presigned URL
        for (String secret : java.util.List.of(Secrets.HF_TOKEN, "AKIA" + Secrets.AWS_KEY_ID_TAIL, Secrets.AWS_SECRET,
                Secrets.AWS_SESSION)) {
            log.append("{\"level\":\"DEBUG\",\"message\":\"request with ").append(secret).append("\"}\n");
        }
        log.append("{\"message\":\"GET ").append(presigned).append("\"}\n");
        Files.writeString(tmp.resolve("wan.log"), log);
    }

    @AfterAll
    static void stop() {
        hub.close();
        s3.close();
    }

    @Test
    void theBundleOfARunWithSecretsConfiguredHoldsNoneAndS3PassesSourcesAndClock() throws Exception {
        Path bundle = tmp.resolve("support.zip");
        Cli wan = Cli.java().env("MODELS_ROOT", tmp.resolve("root").toString())
                .env("WAN_MODELS_MANIFEST", tmp.resolve("models.toml").toString())
                .env("HF_HOME", tmp.resolve("hf").toString()).env("HF_TOKEN", Secrets.HF_TOKEN)
                .env("AWS_ENDPOINT_URL", s3.endpoint().toString()).env("AWS_REGION", "us-east-1")
                .env("AWS_ACCESS_KEY_ID", "AKIA" + Secrets.AWS_KEY_ID_TAIL)
                .env("AWS_SECRET_ACCESS_KEY", Secrets.AWS_SECRET)
                // S3Proxy refuses session tokens (501): the canary stands in for serve's token instead
                .env("WAN_SERVE_TOKEN", Secrets.AWS_SESSION)
                .env("WAN_LOG_FILE", tmp.resolve("wan.log").toString())
                .env("WAN_RETRIES", "0");

        Cli.Result run = wan.run("diagnose", "--json", "--bundle", bundle.toString());
        Cli.Result text = wan.run("diagnose", "--verbose"); // Cli.run fails if a canary is printed

        JsonNode doc = new ObjectMapper().readTree(run.stdout());
        assertEquals("pass", check(doc, "sources").get("status").asText(), run.toString());
        JsonNode clock = check(doc, "clock");
        assertEquals("pass", clock.get("status").asText(), run.toString());
        assertTrue(clock.get("details").get(0).asText().startsWith(s3.endpoint().toString().replaceAll("/$", "")),
                clock.toString());
        assertEquals(0, text.exitCode(), text.toString());
        assertTrue(text.stdout().contains("HF_TOKEN set (" + Secrets.HF_TOKEN.length() + " characters, masked)"),
                text.stdout());
        Map<String, String> entries = unzip(bundle);
        assertEquals(java.util.Set.of("report.txt", "report.json", "system.txt", "manifest.toml", "wan.log"),
                entries.keySet());
        assertTrue(entries.get("wan.log").contains("request with"), entries.get("wan.log"));
        for (Map.Entry<String, String> e : entries.entrySet()) {
            Secrets.assertNoneIn("the bundle's " + e.getKey(), e.getValue());
        }
    }

    private static JsonNode check(JsonNode doc, String name) {
        for (JsonNode c : doc.get("checks")) {
            if (c.get("check").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + doc.toPrettyString());
    }

    private static Map<String, String> unzip(Path zip) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                out.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
