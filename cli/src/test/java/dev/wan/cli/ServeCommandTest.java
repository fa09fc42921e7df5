package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.ensure.Fixtures;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wan serve}: the start line, the binding and token rules, and a clean stop on SIGTERM. */
class ServeCommandTest {
    private static final String TOKEN = "s3cret-token-value";

    @TempDir
    Path work;

    private Path root;
    private Path manifest;

    @BeforeEach
    void oneModelManifest() {
        Fixtures.TestModel alpha = new Fixtures.TestModel("alpha@1.0.0").file("a.bin", Fixtures.bytes(1000, 1))
                .sources(work.resolve("src").toUri().toString());
        alpha.writeTo(work.resolve("src"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, alpha);
        root = work.resolve("root");
    }

    private RunningServe serve(Map<String, String> env, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("serve", "--port", "0"));
        all.addAll(List.of(args));
        all.addAll(List.of("--root", root.toString(), "--manifest", manifest.toString()));
        return RunningServe.start(env, all.toArray(String[]::new));
    }

    private Path tokenFile(String mode) throws Exception {
        Path f = work.resolve("token-" + mode);
        Files.writeString(f, TOKEN + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void printsTheUrlItListensOnAndAnswersThere() throws Exception {
        try (RunningServe s = serve(Map.of())) {
            assertTrue(s.serving(), s.err());
            assertTrue(s.line().matches("wan: serving health on http://127\\.0\\.0\\.1:\\d+"), s.line());
            assertTrue(s.port() > 0);

            RunningServe.Response r = RunningServe.get(s.url() + "/health");

            assertEquals(200, r.status());
            assertEquals("ok", r.json().get("status").asText());
        }
    }

    @Test
    void jsonPrintsOneDocumentOnOneLine() throws Exception {
        try (RunningServe s = serve(Map.of(), "--json")) {
            JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(s.line());

            assertEquals(1, doc.get("wanJsonVersion").asInt());
            assertEquals("serve", doc.get("command").asText());
            assertTrue(doc.get("ok").asBoolean());
            assertTrue(doc.get("url").asText().matches("http://127\\.0\\.0\\.1:\\d+"), s.line());
            assertEquals(200, RunningServe.get(doc.get("url").asText() + "/health").status());
        }
    }

    @Test
    void anInterruptStopsTheServerAndExits130() throws Exception {
        RunningServe s = serve(Map.of());
        String url = s.url();

        int code = s.stop();

        assertEquals(130, code);
        assertTrue(s.err().contains("stopped serving " + url), s.err());
        assertThrows(java.io.IOException.class, () -> RunningServe.get(url + "/health"));
    }

    @Test
    void aNonLoopbackAddressIsRefusedWithoutAToken() throws Exception {
        RunningServe s = serve(Map.of(), "--bind", "0.0.0.0");

        assertFalse(s.serving(), "it listens on 0.0.0.0 without a token: " + s.line());
        assertEquals(2, s.exitCode());
        assertTrue(s.err().contains("not a loopback address") && s.err().contains("WAN_SERVE_TOKEN")
                && s.err().contains("--token-file"), s.err());
        assertFalse(Files.exists(root), "refused before the store was looked at");
    }

    @Test
    void aNonLoopbackAddressIsServedWithAPrivateTokenFile() throws Exception {
        Path token = tokenFile("rw-------");

        try (RunningServe s = serve(Map.of(), "--bind", "0.0.0.0", "--token-file", token.toString())) {
            assertTrue(s.serving(), s.err());
            assertTrue(s.url().startsWith("http://0.0.0.0:"), s.url());

            RunningServe.Response r = RunningServe.get("http://127.0.0.1:" + s.port() + "/health");

            assertEquals(200, r.status(), "/health needs no token");
            assertFalse(s.line().contains(TOKEN) || s.err().contains(TOKEN) || r.body().contains(TOKEN));
        }
    }

    @Test
    void aNonLoopbackAddressIsServedWithTheTokenFromTheEnvironment() throws Exception {
        try (RunningServe s = serve(Map.of("WAN_SERVE_TOKEN", TOKEN), "--bind", "0.0.0.0", "--json")) {
            assertTrue(s.serving(), s.err());
            assertFalse(s.line().contains(TOKEN));
        }
    }

    @Test
    void aTokenFileOthersCanReadIsRefusedNamingTheFileAndTheFix() throws Exception {
        Path token = tokenFile("rw-r--r--");

        RunningServe s = serve(Map.of(), "--bind", "0.0.0.0", "--token-file", token.toString());

        assertFalse(s.serving(), s.line());
        assertEquals(2, s.exitCode());
        assertTrue(s.err().contains(token.toString()) && s.err().contains("chmod 600"), s.err());
        assertFalse(s.err().contains(TOKEN));
    }

    @Test
    void aTokenFileThatIsASymlinkIsRefused() throws Exception {
        Path target = tokenFile("rw-------");
        Path link = Files.createSymbolicLink(work.resolve("token-link"), target);

        RunningServe s = serve(Map.of(), "--bind", "0.0.0.0", "--token-file", link.toString());

        assertFalse(s.serving(), s.line());
        assertEquals(2, s.exitCode());
        assertTrue(s.err().contains(link.toString()) && s.err().contains("symlink"), s.err());
    }

    @Test
    void aTokenFileOfAnotherUserIsRefused() throws Exception {
        Path token = tokenFile("rw-------");
        java.nio.file.attribute.UserPrincipal nobody;
        try {
            nobody = token.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setOwner(token, nobody);
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("cannot give a file to user nobody here (needs root): " + e);
            return;
        }

        RunningServe s = serve(Map.of(), "--bind", "0.0.0.0", "--token-file", token.toString());

        assertFalse(s.serving(), s.line());
        assertEquals(2, s.exitCode());
        assertTrue(s.err().contains(token.toString()) && s.err().contains("owned by nobody"), s.err());
    }

    @Test
    void aBadTokenFileIsRefusedOnLoopbackToo() throws Exception {
        Path big = work.resolve("big-token");
        Files.writeString(big, "x".repeat(5000));
        Files.setPosixFilePermissions(big, PosixFilePermissions.fromString("rw-------"));

        RunningServe s = serve(Map.of(), "--token-file", big.toString());

        assertEquals(2, s.exitCode());
        assertTrue(s.err().contains(big.toString()) && s.err().contains("4096"), s.err());
    }

    @Test
    void aBrokenManifestAtStartIsExit3BeforeListening() throws Exception {
        Files.writeString(manifest, "schema_version = 1\n[models.\"broken\n");

        RunningServe s = serve(Map.of());

        assertFalse(s.serving(), s.line());
        assertEquals(3, s.exitCode());
        assertTrue(s.err().contains("MANIFEST"), s.err());
    }

    @Test
    void aPortOutOfRangeIsAUsageError() throws Exception {
        RunningServe s = RunningServe.start(Map.of(), "serve", "--port", "70000", "--root", root.toString(),
                "--manifest", manifest.toString(), "--json");

        assertEquals(2, s.exitCode());
        JsonNode doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(s.out());
        assertEquals("USAGE", doc.get("error").get("code").asText());
    }

    @Test
    void aBusyPortIsAUsageErrorThatSaysWhatToDo() throws Exception {
        try (RunningServe first = serve(Map.of())) {
            RunningServe second = RunningServe.start(Map.of(), "serve", "--port", Integer.toString(first.port()),
                    "--root", root.toString(), "--manifest", manifest.toString());

            assertEquals(2, second.exitCode());
            assertTrue(second.err().contains("--port"), second.err());
        }
    }

    /** The real process: SIGTERM (what systemd and Kubernetes send) stops it through the shutdown hook. */
    @Test
    void sigtermStopsTheProcessCleanly() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), WanCli.class.getName(),
                "serve", "--port", "0", "--root", root.toString(), "--manifest", manifest.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(work.resolve("stderr.txt").toFile());
        pb.environment().clear();
        pb.environment().put("HOME", InProcessWan.ISOLATED.get("HOME"));
        Process p = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("wan: serving health on http://127.0.0.1:"),
                    line + " / " + Files.readString(work.resolve("stderr.txt")));
            String url = line.substring(line.indexOf("http://"));
            assertEquals(200, RunningServe.get(url + "/health").status());

            p.destroy(); // SIGTERM

            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "still running 30 s after SIGTERM");
            assertEquals(143, p.exitValue(), "the JVM's status for SIGTERM");
            assertTrue(Files.readString(work.resolve("stderr.txt")).contains("stopped serving " + url));
        } finally {
            p.destroyForcibly();
        }
    }

    private static void assertThrows(Class<? extends Throwable> type, org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(type, e);
    }
}
