package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.testkit.hub.Content;
import dev.wan.testkit.hub.HubServer;
import dev.wan.testkit.s3.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 7: with recognisable fake secrets configured (HF token, AWS keys and session token, a
 * presigned URL's signature), run every command that talks to sources, failing and succeeding,
 * plain, --json and --verbose; then look for the secrets in everything printed ({@link Cli#run}
 * checks each run) and in every file wan wrote under MODELS_ROOT.
 */
class SecretsNeverPrintedTest {
    private static final String FAILING = "secret-a@1.0.0";
    private static final String SERVED = "secret-b@1.0.0";
    private static final byte[] CONTENT = "weights, served through a presigned URL\n".getBytes();

    private static HubServer hub;
    private static S3ProxyServer s3;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        hub = HubServer.start();
        hub.repo("org/gated").gated("hf_someoneElsesToken00001").file("config.json", "{}".getBytes());
        hub.presignedStaticFile("b/weights.bin", Content.of(CONTENT), Secrets.PRESIGNED_SIGNATURE);
        s3 = S3ProxyServer.start(tmp);
        s3.createBucket("models");
        String presignedWrong = hub.staticUrl("a") + "?X-Amz-Signature=" + Secrets.PRESIGNED_SIGNATURE + "&X-Amz-Credential=x";
        String presignedRight = hub.staticUrl("b/weights.bin") + "?X-Amz-Signature=" + Secrets.PRESIGNED_SIGNATURE;
        Files.writeString(tmp.resolve("models.toml"), """
                schema_version = 1

                [models."%1$s"]
                [[models."%1$s".files]]
                path = "config.json"
                size = 2
                [models."%1$s".sources]
                priority = ["hf://org/gated", "%2$s", "s3://models/a"]

                [models."%3$s"]
                [[models."%3$s".files]]
                path = "weights.bin"
                size = %4$d
                [models."%3$s".sources]
                priority = ["%5$s"]
                """.formatted(FAILING, presignedWrong, SERVED, CONTENT.length, presignedRight));
    }

    @AfterAll
    static void stop() {
        hub.close();
        s3.close();
    }

    private static Cli cli() {
        return Cli.java().env("MODELS_ROOT", tmp.resolve("root").toString())
                .env("WAN_MODELS_MANIFEST", tmp.resolve("models.toml").toString())
                .env("HF_ENDPOINT", hub.endpoint()).env("HF_HOME", tmp.resolve("hf").toString())
                .env("HF_TOKEN", Secrets.HF_TOKEN)
                .env("AWS_ENDPOINT_URL", s3.endpoint().toString()).env("AWS_REGION", "us-east-1")
                .env("AWS_ACCESS_KEY_ID", "AKIA" + Secrets.AWS_KEY_ID_TAIL)
                .env("AWS_SECRET_ACCESS_KEY", Secrets.AWS_SECRET).env("AWS_SESSION_TOKEN", Secrets.AWS_SESSION)
                .env("WAN_RETRIES", "1").env("WAN_RETRY_BASE_MILLIS", "10");
    }

    /** The commands of the test, each talking to sources that refuse or serve, with the secrets configured. */
    private static final List<String[]> COMMANDS = List.of(
                new String[] {"ensure", FAILING},
                new String[] {"ensure", FAILING, "--json"},
                new String[] {"ensure", FAILING, "--verbose"},
                new String[] {"ensure", SERVED, "--json", "--verbose"},
                new String[] {"test-sources", "--all"},
                new String[] {"test-sources", "--all", "--json", "--verbose"},
                new String[] {"test-auth", "--all", "--json"},
                new String[] {"test-auth", "--all", "--verbose"},
                new String[] {"status", "--json"},
                new String[] {"list", "--json"},
                new String[] {"verify", "--all", "--json"},
                new String[] {"validate-manifest", "--json"});

    @Test
    void noCommandPrintsOrStoresASecretWhetherSourcesRefuseOrServe() throws Exception {
        Cli wan = cli();
        List<Cli.Result> runs = new ArrayList<>();

        for (String[] args : COMMANDS) {
            runs.add(wan.run(args)); // Cli.run fails the test if a secret shows in stdout or stderr
        }

        assertEquals(6, runs.get(0).exitCode(), runs.get(0).toString());
        assertTrue(runs.get(0).stderr().contains("ALL_SOURCES_FAILED"), runs.get(0).toString());
        assertTrue(runs.get(0).stderr().contains("AUTH_FAIL"), "the refusals are reported, without the secrets: "
                + runs.get(0));
        assertEquals(0, runs.get(3).exitCode(), runs.get(3).toString());
        assertTrue(runs.get(3).stdout().contains("<redacted>") || !runs.get(3).stdout().contains("X-Amz-Signature="),
                runs.get(3).toString());
        try (Stream<Path> files = Files.walk(tmp.resolve("root"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1);
                Secrets.assertNoneIn(f.toString(), text);
            }
        }
    }

    /**
     * The same commands logging everything wan logs (trace) to WAN_LOG_FILE, in both formats:
     * {@link Cli#run} fails if a secret shows in the file; the file is JSON lines, each with the run's id.
     */
    @Test
    void noLogLineCarriesASecretEvenAtTrace() throws Exception {
        Path log = tmp.resolve("logs").resolve("wan.log");
        Files.createDirectories(log.getParent());
        Cli json = cli().env("WAN_LOG_FILE", log.toString()).env("WAN_LOG_LEVEL", "trace").env("WAN_LOG_FORMAT", "json");
        Cli text = cli().env("WAN_LOG_FILE", tmp.resolve("logs").resolve("wan.txt").toString());

        for (String[] args : COMMANDS) {
            json.run(args); // Cli.run fails the test if a secret shows in stdout, stderr or the log file
            List<String> withLevel = new ArrayList<>(List.of(args));
            withLevel.addAll(List.of("--log-level", "trace"));
            text.run(withLevel.toArray(String[]::new));
        }

        List<String> lines = Files.readAllLines(log);
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : lines) {
            com.fasterxml.jackson.databind.JsonNode n = mapper.readTree(line);
            assertTrue(n.path("context").path("properties").path("invocation").asText().matches("[0-9a-f]{8}"), line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("AUTH_FAIL")),
                "the refusals that carry credentials were logged (and masked): " + lines);
        assertTrue(Files.readString(tmp.resolve("logs").resolve("wan.txt")).contains("failing over"),
                "the text log covers the failover too");
    }
}
