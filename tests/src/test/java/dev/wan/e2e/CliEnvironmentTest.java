package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.testkit.hub.HubServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner ({@link Cli}) starts every run from a scrubbed environment: a developer's token, AWS
 * keys, wan settings, MODELS_ROOT, XDG cache and home in the parent environment never reach it.
 * The parent here is deliberately polluted with all of them.
 */
class CliEnvironmentTest {
    @TempDir
    Path tmp;

    private Map<String, String> pollutedParent() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("HF_TOKEN", Secrets.HF_TOKEN);
        env.put("HUGGING_FACE_HUB_TOKEN", Secrets.HF_TOKEN);
        env.put("AWS_ACCESS_KEY_ID", "AKIA" + Secrets.AWS_KEY_ID_TAIL);
        env.put("AWS_SECRET_ACCESS_KEY", Secrets.AWS_SECRET);
        env.put("WAN_RETRIES", "abc"); // fatal for ensure if it got through
        env.put("WAN_CONNECTIONS", "0");
        env.put("MODELS_ROOT", tmp.resolve("developers-root").toString());
        env.put("XDG_CACHE_HOME", tmp.resolve("developers-cache").toString());
        env.put("HOME", tmp.resolve("developers-home").toString());
        return env;
    }

    @Test
    void aRunGetsTheAllowListAFreshHomeAndWhatTheTestSetsNothingElse() throws Exception {
        Map<String, String> parent = pollutedParent();

        Map<String, String> env = Cli.java().inheriting(parent).env("WAN_CONNECTIONS", "2").environment();

        for (String key : env.keySet()) {
            assertTrue(Cli.PASSED.contains(key) || key.startsWith("LC_") || key.equals("HOME")
                    || key.equals("WAN_CONNECTIONS"), key + " reached the run");
        }
        assertEquals("2", env.get("WAN_CONNECTIONS"), "what the test sets wins");
        assertNotEquals(parent.get("HOME"), env.get("HOME"));
        assertTrue(Files.isDirectory(Path.of(env.get("HOME"))), "a fresh home of its own: " + env.get("HOME"));
        assertEquals(parent.get("PATH"), env.get("PATH"));
    }

    @Test
    void aPollutedParentEnvironmentChangesNothingARunDoes() throws Exception {
        Path src = tmp.resolve("src");
        String sha = Fixtures.randomFile(src.resolve("w.bin"), 4096, 1);
        try (HubServer hub = HubServer.start()) {
            hub.repo("org/open").file("config.json", "{}".getBytes());
            Path manifest = Files.writeString(tmp.resolve("models.toml"), """
                    schema_version = 1

                    [models."local@1.0.0"]
                    [[models."local@1.0.0".files]]
                    path = "w.bin"
                    size = 4096
                    sha256 = "%s"
                    [models."local@1.0.0".sources]
                    priority = ["file://%s"]

                    [models."remote@1.0.0"]
                    [[models."remote@1.0.0".files]]
                    path = "config.json"
                    size = 2
                    [models."remote@1.0.0".sources]
                    priority = ["hf://org/open", "s3://bucket/remote"]
                    """.formatted(sha, src));
            Cli wan = Cli.java().inheriting(pollutedParent()).env("WAN_MODELS_MANIFEST", manifest.toString())
                    .env("HF_ENDPOINT", hub.endpoint()).env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
                    .env("AWS_REGION", "us-east-1").env("AWS_EC2_METADATA_DISABLED", "true");
            Path home = Path.of(wan.environment().get("HOME"));

            Cli.Result ensure = wan.run("ensure", "local@1.0.0");
            Cli.Result status = wan.run("status", "--json");
            Cli.Result auth = wan.run("test-auth", "remote@1.0.0", "--json");

            assertEquals(0, ensure.exitCode(), "WAN_RETRIES=abc and WAN_CONNECTIONS=0 stayed out: " + ensure);
            JsonNode doc = new ObjectMapper().readTree(status.stdout());
            assertEquals(home.resolve(".cache/wan/models").toString(), doc.get("modelsRoot").asText(),
                    "MODELS_ROOT, XDG_CACHE_HOME and HOME stayed out: " + status);
            Map<String, String> credentials = new HashMap<>();
            for (JsonNode check : new ObjectMapper().readTree(auth.stdout()).path("sources")) {
                credentials.put(check.path("source").asText(), check.path("credentials").asText());
            }
            assertEquals("anonymous", credentials.get("hf://org/open"), "HF_TOKEN stayed out: " + auth);
            assertTrue(credentials.get("s3://bucket/remote").startsWith("AWS default credential chain"),
                    "AWS_ACCESS_KEY_ID stayed out: " + auth);
        }
    }
}
