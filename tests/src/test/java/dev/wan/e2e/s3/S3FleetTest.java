package dev.wan.e2e.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.e2e.Cli;
import dev.wan.e2e.Fixtures;
import dev.wan.e2e.Secrets;
import dev.wan.testkit.s3.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md "Beyond one machine", on one machine: several hosts (processes with their own
 * MODELS_ROOT) pull the same model from one S3 server at the same time, and all end COMPLETE.
 */
class S3FleetTest {
    private static final String ID = "fleet@1.0.0";
    private static final int HOSTS = 3;

    @TempDir
    static Path tmp;

    static S3ProxyServer server;
    static Map<String, String[]> files = new LinkedHashMap<>();

    @BeforeAll
    static void seed() throws IOException {
        server = S3ProxyServer.start(tmp);
        server.createBucket("team-tier");
        long[] sizes = {40L << 20, 9L << 20, 4321};
        String[] names = {"diffusion/model.safetensors", "vae/vae.safetensors", "config.json"};
        for (int i = 0; i < names.length; i++) {
            Path f = tmp.resolve("seed").resolve(names[i]);
            String sha = Fixtures.randomFile(f, sizes[i], i);
            server.put("team-tier", "wan/" + names[i], f);
            files.put(names[i], new String[] {Long.toString(sizes[i]), sha});
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void severalHostsPullingTheSameModelFromOneS3ServerAllEndComplete() throws Exception {
        Path manifest = Fixtures.manifest(tmp, ID, "s3://team-tier/wan", files);
        List<Process> running = new ArrayList<>();
        List<Map<String, String>> envs = new ArrayList<>();
        for (int h = 0; h < HOSTS; h++) {
            Map<String, String> env = new HashMap<>(server.env());
            env.put("MODELS_ROOT", tmp.resolve("host" + h).toString());
            env.put("WAN_MODELS_MANIFEST", manifest.toString());
            env.put("WAN_CONNECTIONS", "4");
            envs.add(env);
            running.add(Cli.java().env(env).start(tmp.resolve("out" + h), tmp.resolve("err" + h), "ensure", "--only", ID));
        }

        for (int h = 0; h < HOSTS; h++) {
            Cli.Result r = Cli.await(running.get(h), tmp.resolve("out" + h), tmp.resolve("err" + h), "ensure --only " + ID);
            assertEquals(0, r.exitCode(), "host " + h + ": " + r);
        }

        for (int h = 0; h < HOSTS; h++) {
            Path dir = tmp.resolve("host" + h).resolve("wan22").resolve(ID);
            for (Map.Entry<String, String[]> f : files.entrySet()) {
                assertEquals(f.getValue()[1], Fixtures.sha256(dir.resolve(f.getKey())), "host " + h + " " + f.getKey());
            }
            Cli.Result status = Cli.java().env(envs.get(h)).run("status", ID, "--json");
            assertTrue(status.stdout().contains("\"state\" : \"COMPLETE\""), status.toString());
            String state = Files.readString(tmp.resolve("host" + h).resolve(".state").resolve(ID + ".json"));
            assertTrue(state.contains("s3://team-tier/wan"), state);
        }
    }

    @Test
    void aHostWithTheWrongSecretKeyFailsWithAuthFailAndPrintsNoSecret() throws Exception {
        Path manifest = Fixtures.manifest(tmp.resolve("bad"), ID, "s3://team-tier/wan", files);
        Map<String, String> env = new HashMap<>(server.env());
        env.put("AWS_SECRET_ACCESS_KEY", Secrets.S3_WRONG_SECRET);
        env.put("MODELS_ROOT", tmp.resolve("bad-host").toString());
        env.put("WAN_MODELS_MANIFEST", manifest.toString());

        Cli.Result r = Cli.java().env(env).run("ensure", "--only", ID, "--json");

        assertTrue(r.exitCode() != 0, r.toString());
        assertTrue(r.stdout().contains("AUTH_FAIL"), r.toString());
        assertTrue((r.stdout() + r.stderr()).contains("AWS_ACCESS_KEY_ID"), "guidance names the variables: " + r);
        assertTrue(!Files.exists(tmp.resolve("bad-host").resolve("wan22").resolve(ID)));
    }
}
