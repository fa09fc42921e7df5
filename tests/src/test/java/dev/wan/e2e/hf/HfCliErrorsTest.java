package dev.wan.e2e.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.e2e.Cli;
import dev.wan.e2e.Secrets;
import dev.wan.testkit.hub.HubServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees from the CLI when the Hub says no, or when they asked for no network at all. */
class HfCliErrorsTest {
    private static final String ID = "gated@1.0.0";

    private HubServer hub;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        hub = HubServer.start();
        hub.repo("org/gated").gated("hf_someoneElsesToken00001").file("config.json", "{}".getBytes());
        Files.writeString(tmp.resolve("models.toml"), """
                schema_version = 1

                [models."%s"]
                description = "a gated repository"
                version = "1.0.0"

                [[models."%s".files]]
                path = "config.json"
                size = 2

                [models."%s".sources]
                priority = ["hf://org/gated"]
                """.formatted(ID, ID, ID));
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    private Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>(Map.of("MODELS_ROOT", tmp.resolve("root").toString(),
                "WAN_MODELS_MANIFEST", tmp.resolve("models.toml").toString(), "HF_ENDPOINT", hub.endpoint(),
                "HF_HOME", tmp.resolve("hf").toString(), "WAN_RETRY_BASE_MILLIS", "10"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Test
    void aGatedRepositoryIsAuthFailWithTheLicenseUrlAndTheMaskedToken() throws Exception {
        Cli.Result r = Cli.java().env(env("HF_TOKEN", Secrets.HF_TOKEN)).run("ensure", "--only", ID, "--json");

        assertEquals(6, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("\"code\" : \"AUTH_FAIL\""), r.toString());
        assertTrue(r.stdout().contains("accept the license at " + hub.endpoint() + "/org/gated"), r.toString());
        assertTrue(r.stdout().contains("HF_TOKEN hf_****"), r.toString());
    }

    @Test
    void hfHubOfflineMakesTheCliSendNoRequest() throws Exception {
        Cli.Result r = Cli.java().env(env("HF_HUB_OFFLINE", "1")).run("ensure", "--only", ID);

        assertEquals(6, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("HF_HUB_OFFLINE is set"), r.toString());
        assertEquals(List.of(), hub.log());
    }
}
