package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code docs/get_wan_paths.py} run by the system's python3 against a running {@code wan serve}. */
class GetWanPathsHelperTest {
    private static final String ALPHA = "alpha@1.0.0";
    private static String python;

    @TempDir
    Path work;

    private Path root;
    private Path manifest;

    /** The interpreter python3 on PATH stands for (a pyenv shim needs the developer's HOME; this does not). */
    @BeforeAll
    static void findPython() throws Exception {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            Assumptions.assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty(),
                    "python3 on PATH does not run (" + out + "): the Python helper cannot be tested here");
            python = out;
        } catch (IOException e) {
            Assumptions.abort("no python3 on PATH: the Python helper (docs/get_wan_paths.py) cannot be tested here");
        }
    }

    @BeforeEach
    void oneModel() {
        Fixtures.TestModel alpha = new Fixtures.TestModel(ALPHA).file("a.bin", Fixtures.bytes(5000, 1))
                .sources(work.resolve("src").toUri().toString());
        alpha.writeTo(work.resolve("src"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, alpha);
        root = work.resolve("root");
    }

    /** {@code get_wan_paths(id, base)} in python3; WAN_CMD as given; returns exit code and output. */
    private InProcessWan.Run helper(String base, String wanCmd) throws Exception {
        Path script = Fixtures.repoRoot().resolve("docs/get_wan_paths.py");
        ProcessBuilder pb = new ProcessBuilder(python, "-c", "import sys; sys.path.insert(0, sys.argv[1]);"
                + " from get_wan_paths import get_wan_paths; print(get_wan_paths(sys.argv[2], sys.argv[3]))",
                script.getParent().toString(), ALPHA, base)
                .redirectError(work.resolve("py-stderr.txt").toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(InProcessWan.ISOLATED);
        env.put("PATH", "/usr/bin:/bin");
        env.put("MODELS_ROOT", root.toString());
        env.put("WAN_MODELS_MANIFEST", manifest.toString());
        env.put("WAN_CMD", wanCmd);
        env.put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the checkout
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python3 still running");
        return new InProcessWan.Run(p.exitValue(), out, Files.readString(work.resolve("py-stderr.txt")));
    }

    /** {@code java -cp … dev.wan.cli.WanCli}: the CLI as WAN_CMD, quoted for shlex. */
    private static String wanCommand() {
        List<String> words = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), WanCli.class.getName()));
        return String.join(" ", words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
    }

    private RunningServe serve() throws Exception {
        RunningServe s = RunningServe.start(Map.of(), "serve", "--port", "0", "--root", root.toString(),
                "--manifest", manifest.toString());
        assertTrue(s.serving(), s.err());
        return s;
    }

    @Test
    void aCompleteModelComesFromTheServiceWithoutRunningWan() throws Exception {
        assertEquals(0, InProcessWan.run(root, manifest, "ensure", ALPHA, "-q").code());
        try (RunningServe s = serve()) {
            // 'false' as wan: had the helper run it, it would have failed
            InProcessWan.Run r = helper(s.url(), "false");

            assertEquals(0, r.code(), r.err());
            assertEquals(root.resolve("wan22").resolve(ALPHA).toString(), r.out().strip());
        }
    }

    @Test
    void aModelNotYetCompleteIsEnsuredThroughWan() throws Exception {
        try (RunningServe s = serve()) {
            InProcessWan.Run r = helper(s.url(), wanCommand());

            assertEquals(0, r.code(), r.err());
            assertEquals(root.resolve("wan22").resolve(ALPHA).toString(), r.out().strip());
            assertEquals(200, RunningServe.get(s.url() + "/health/models/" + ALPHA).status(), "now COMPLETE");
        }
    }

    @Test
    void withoutAServiceTheHelperRunsWan() throws Exception {
        int closedPort;
        try (ServerSocket free = new ServerSocket(0)) {
            closedPort = free.getLocalPort();
        }

        InProcessWan.Run r = helper("http://127.0.0.1:" + closedPort, wanCommand());

        assertEquals(0, r.code(), r.err());
        assertEquals(root.resolve("wan22").resolve(ALPHA).toString(), r.out().strip());
    }

    @Test
    void aFailingEnsureRaises() throws Exception {
        InProcessWan.Run r = helper("http://127.0.0.1:1", "false");

        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("CalledProcessError"), r.err());
    }
}
