package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A release as an operator meets it: {@code dist/publish} writes the Maven repository, the scripts and
 * the catalog into a directory; nginx (the Debian package, with a config of this test's own on a free
 * loopback port) serves that directory and a model store; a fresh HOME with an empty {@code ~/.m2}
 * and no checkout on its PATH gets JBang from Maven Central (the launcher linked as {@code jbang}
 * only bootstraps JBang, it builds nothing), adds the catalog by URL, trusts it, and runs
 * {@code jbang wan@org ensure …}, {@code jbang inventory@org} and {@code jbang wan@org jshell} (the
 * downloaded jars on JShell's class path). nginx's access log is the proof that the core jar came from
 * the release.
 */
class DistributionE2ETest {
    private static final String VERSION = "0.1.0";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Process nginx;

    @AfterEach
    void stopNginx() throws InterruptedException {
        if (nginx != null) {
            nginx.destroy();
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly();
            }
        }
    }

    @Test
    void anOperatorRunsTheReleaseFromNginxWithNothingButAJdkAndJBang() throws Exception {
        Path work = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "dist");
        int port = freePort();
        String base = "http://127.0.0.1:" + port + "/wan";
        Path www = work.resolve("www");

        // 1. The one documented command.
        Cli.Result published = publish(www, base);
        assertEquals(0, published.exitCode(), published.toString());
        for (String artifact : List.of("wan-lib", "wan-cli", "wan-tui")) {
            Path dir = www.resolve("maven/dev/wan/" + artifact + "/" + VERSION);
            for (String suffix : List.of(".jar", ".jar.sha1", ".jar.md5", ".pom", ".pom.sha1")) {
                assertTrue(Files.isRegularFile(dir.resolve(artifact + "-" + VERSION + suffix)), dir + ": no " + suffix);
            }
            assertFalse(Files.readString(dir.resolve(artifact + "-" + VERSION + ".pom")).contains("${revision}"),
                    artifact + "'s published pom must name its version");
        }
        String libPom = Files.readString(www.resolve("maven/dev/wan/wan-lib/" + VERSION + "/wan-lib-" + VERSION + ".pom"));
        for (String terminalLibrary : List.of("picocli", "jline", "lanterna")) {
            assertFalse(libPom.contains("<artifactId>" + terminalLibrary), "the core jar must not depend on " + terminalLibrary);
        }
        String wanScript = Files.readString(www.resolve(VERSION + "/wan.java"));
        assertTrue(wanScript.contains("//REPOS central,wan=" + base + "/maven\n"), wanScript);
        assertTrue(wanScript.contains("//DEPS dev.wan:wan-cli:" + VERSION + "\n"), wanScript);
        assertFalse(wanScript.contains("SNAPSHOT"), wanScript);
        ProcessBuilder check = new ProcessBuilder("sha256sum", "--check", "--quiet", "SHA256SUMS")
                .directory(www.resolve(VERSION).toFile()).redirectErrorStream(true);
        Cli.Result sums = run(check, "sha256sum --check");
        assertEquals(0, sums.exitCode(), "SHA256SUMS of the release: " + sums);

        Cli.Result again = publish(www, base);
        assertEquals(1, again.exitCode(), again.toString());
        assertTrue(again.stderr().contains(VERSION + " is already published"), again.stderr());
        Cli.Result snapshot = publish(www, base, "0.2.0-SNAPSHOT");
        assertEquals(2, snapshot.exitCode(), snapshot.toString());

        // 2. nginx serves the release and, for the models, the demo's files.
        Path access = startNginx(work, port, www, Cli.REPO.resolve("examples/demo/store"));
        Path manifest = work.resolve("models.toml");
        Files.writeString(manifest, Files.readString(Cli.REPO.resolve("examples/demo/models.toml"))
                .replace("\"local://", "\"http://127.0.0.1:" + port + "/models/"));

        // 3. A fresh operator HOME: JBang from Maven Central, an empty local Maven repository.
        Path home = Files.createDirectories(work.resolve("home"));
        Path bin = Files.createDirectories(home.resolve(".local/bin"));
        Files.createSymbolicLink(bin.resolve("jbang"), Cli.REPO.resolve("wan"));
        Path m2 = home.resolve(".m2/repository");
        Cli.Result added = operator(home, m2).run("catalog", "add", "--global", "--name", "org",
                base + "/jbang-catalog.json");
        assertEquals(0, added.exitCode(), added.toString());
        Cli.Result trusted = operator(home, m2).run("trust", "add", base + "/");
        assertEquals(0, trusted.exitCode(), trusted.toString());

        Cli.Result version = operator(home, m2).run("wan@org", "--version");
        assertEquals(0, version.exitCode(), version.toString());
        assertEquals("wan " + VERSION, version.stdout().strip());

        Path models = work.resolve("models");
        Cli.Result ensured = operator(home, m2).env("MODELS_ROOT", models.toString())
                .env("WAN_MODELS_MANIFEST", manifest.toString()).run("wan@org", "ensure", "demo-t2v@1.0.0", "--json");
        assertEquals(0, ensured.exitCode(), ensured.toString());
        JsonNode doc = JSON.readTree(ensured.stdout());
        assertTrue(doc.at("/models/0/ok").asBoolean(), ensured.stdout());
        Path path = Path.of(doc.at("/models/0/path").asText());
        assertTrue(path.startsWith(models) && Files.isRegularFile(path.resolve("model_index.json")), ensured.stdout());

        Cli.Result inventory = operator(home, m2).env("MODELS_ROOT", models.toString())
                .env("WAN_MODELS_MANIFEST", manifest.toString()).run("inventory@org", "--json");
        assertEquals(0, inventory.exitCode(), inventory.toString());
        JsonNode rows = JSON.readTree(inventory.stdout());
        assertTrue(rows.toString().contains("\"model\":\"demo-t2v@1.0.0\"") && rows.toString().contains("\"COMPLETE\""),
                inventory.stdout());

        Cli.Result jshell = operator(home, m2).env("MODELS_ROOT", models.toString())
                .env("WAN_MODELS_MANIFEST", manifest.toString())
                .runWithInput("System.out.println(\"AT=\" + ensure(\"demo-tokenizer@1.0.0\"));\n/exit\n", "wan@org", "jshell");
        assertEquals(0, jshell.exitCode(), jshell.toString());
        assertTrue(jshell.stdout().contains("AT=" + models), jshell.toString());

        // 4. What came from where.
        String log = Files.readString(access, StandardCharsets.UTF_8);
        for (String jar : List.of("wan-lib", "wan-cli")) {
            String get = "\"GET /wan/maven/dev/wan/" + jar + "/" + VERSION + "/" + jar + "-" + VERSION + ".jar HTTP/1.1\" 200 ";
            assertTrue(log.contains(get), "nginx served no " + jar + " jar:\n" + log);
        }
        assertTrue(log.contains("\"GET /wan/" + VERSION + "/wan.java HTTP/1.1\" 200 "), log);
        assertTrue(log.contains("\"GET /models/demo-t2v@1.0.0/model_index.json HTTP/1.1\" 20"), log); // 200 or 206
        assertFalse(log.contains("/wan-tui/"), "the CLI and a script must not fetch the dashboard:\n" + log);
        assertFalse(Files.exists(m2.resolve("com/googlecode/lanterna")), "the CLI must not download lanterna");
        try (Stream<Path> wan = Files.list(m2.resolve("dev/wan"))) {
            for (Path artifact : wan.toList()) {
                try (Stream<Path> versions = Files.list(artifact)) {
                    assertEquals(List.of(VERSION), versions.filter(Files::isDirectory)
                            .map(p -> p.getFileName().toString()).toList(), artifact + ": only the release");
                }
            }
        }
        downloadedFor(home, m2, "wan@org");

        // 5. The dashboard is its own alias and jar; without a terminal it says so (exit 2).
        Cli.Result tui = operator(home, m2).run("wan-tui@org", "--version");
        assertEquals(0, tui.exitCode(), tui.toString());
        assertTrue(tui.stdout().contains(VERSION), tui.toString());
        assertTrue(Files.readString(access).contains("/wan-tui/" + VERSION + "/wan-tui-" + VERSION + ".jar HTTP/1.1\" 200 "));
        Cli.Result noTui = operator(home, m2).run("wan@org", "tui");
        assertEquals(2, noTui.exitCode(), noTui.toString());
        assertTrue(noTui.stderr().contains("jbang wan-tui@org"), noTui.stderr());
    }

    /**
     * {@code jbang …} in the operator's HOME (also the working directory: inside the checkout JBang
     * would take its jbang-catalog.json for the operator's), with that HOME's own, at first empty,
     * Maven repository.
     */
    private static Cli operator(Path home, Path m2) {
        return Cli.jbang(home).env("JBANG_REPO", m2.toString()).in(home);
    }

    private static Cli.Result publish(Path www, String base, String... version) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Cli.REPO.resolve("dist/publish").toString(),
                version.length > 0 ? version[0] : VERSION, www.toString(), base);
        String repo = System.getProperty("wan.maven.repo");
        if (repo != null) { // the build's local repository: where Maven already has every plugin
            String opts = System.getenv().getOrDefault("MAVEN_OPTS", "");
            pb.environment().put("MAVEN_OPTS", (opts + " -Dmaven.repo.local=" + repo).strip());
        }
        return run(pb, "dist/publish");
    }

    /** Prints (for the record) the jars and bytes JBang resolved for an alias: what a fresh machine downloads. */
    private static void downloadedFor(Path home, Path m2, String alias) throws Exception {
        Cli.Result cp = operator(home, m2).run("info", "classpath", alias);
        assertEquals(0, cp.exitCode(), cp.toString());
        long bytes = 0;
        int jars = 0;
        for (String entry : cp.stdout().strip().split(":")) {
            if (entry.startsWith(m2.toString())) {
                jars++;
                bytes += Files.size(Path.of(entry));
            }
        }
        System.out.printf("DistributionE2ETest: %s downloads %d jars, %.1f MB%n", alias, jars, bytes / 1e6);
        assertTrue(jars > 2, cp.stdout());
    }

    private Path startNginx(Path work, int port, Path www, Path store) throws Exception {
        Path nginxBinary = Stream.of("/usr/sbin/nginx", "/usr/bin/nginx").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElseThrow(() -> new AssertionError("nginx is not installed (apt-get install nginx)"));
        Path prefix = Files.createDirectories(work.resolve("nginx"));
        Path access = prefix.resolve("access.log");
        List<String> conf = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            conf.add("user root;"); // else the workers run as nobody, who cannot enter target/'s 0700 temp dirs
        }
        conf.addAll(List.of("worker_processes 1;", "daemon off;", "pid " + prefix.resolve("nginx.pid") + ";",
                "error_log " + prefix.resolve("error.log") + ";", "events { worker_connections 64; }", "http {",
                "  access_log " + access + ";", "  client_body_temp_path " + prefix.resolve("body") + ";",
                "  proxy_temp_path " + prefix.resolve("proxy") + ";", "  fastcgi_temp_path " + prefix.resolve("fcgi") + ";",
                "  uwsgi_temp_path " + prefix.resolve("uwsgi") + ";", "  scgi_temp_path " + prefix.resolve("scgi") + ";",
                "  server {", "    listen 127.0.0.1:" + port + ";", "    location /wan/ { alias " + www + "/; }",
                "    location /models/ { alias " + store + "/; }", "  }", "}"));
        Path config = prefix.resolve("nginx.conf");
        Files.write(config, conf);
        nginx = new ProcessBuilder(nginxBinary.toString(), "-p", prefix.toString(), "-e", prefix.resolve("error.log").toString(),
                "-c", config.toString()).redirectErrorStream(true).redirectOutput(prefix.resolve("stdout").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        URI catalog = URI.create("http://127.0.0.1:" + port + "/wan/jbang-catalog.json");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // a guard, not a measurement
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(catalog).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return access;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!nginx.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("nginx did not start: " + Files.readString(prefix.resolve("stdout"))
                        + readIfExists(prefix.resolve("error.log")));
            }
            Thread.sleep(100);
        }
    }

    private static String readIfExists(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Cli.Result run(ProcessBuilder pb, String what) throws Exception {
        Path out = Files.createTempFile("dist-out", ".txt");
        Path err = Files.createTempFile("dist-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(what + " did not finish in 10 minutes");
            }
            return new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
