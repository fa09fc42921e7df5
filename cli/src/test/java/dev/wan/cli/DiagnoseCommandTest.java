package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.testkit.hub.HubServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wan diagnose}: each check's pass, warn and fail on a store and manifest built for it. */
class DiagnoseCommandTest {
    private static final String EMPTY_MANIFEST = "schema_version = 1\n";

    @TempDir
    Path tmp;

    private Path root() throws Exception {
        Path root = tmp.resolve("root");
        for (String d : List.of(".tmp", ".locks", ".state", "wan22")) {
            Files.createDirectories(root.resolve(d));
        }
        return root;
    }

    private Path manifest(String text) throws Exception {
        Path m = tmp.resolve("models.toml");
        Files.writeString(m, text);
        return m;
    }

    private static JsonNode check(JsonNode doc, String name) {
        for (JsonNode c : doc.get("checks")) {
            if (c.get("check").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + doc.toPrettyString());
    }

    private static Run diagnose(Map<String, String> env, Path root, Path manifest, String... more) {
        List<String> args = new ArrayList<>(List.of("diagnose", "--json"));
        args.addAll(List.of(more));
        return InProcessWan.run(env, root, manifest, args.toArray(String[]::new));
    }

    @Test
    void aHealthyStoreExitsZeroWithEveryCheckInTheJsonDocument() throws Exception {
        Path root = root();

        Run run = diagnose(Map.of(), root, manifest(EMPTY_MANIFEST));

        JsonNode doc = run.json();
        assertEquals(0, run.code(), run.toString());
        assertEquals(1, doc.get("wanJsonVersion").asInt());
        assertEquals("diagnose", doc.get("command").asText());
        assertTrue(doc.get("ok").asBoolean());
        assertEquals(0, doc.get("exitCode").asInt());
        List<String> names = new ArrayList<>();
        doc.get("checks").forEach(c -> names.add(c.get("check").asText()));
        assertEquals(List.of("wan", "java", "jbang", "configuration", "filesystem", "permissions", "hardlinks", "locks",
                ".tmp", ".quarantine", ".trash", "manifest", "sources", "clock"), names);
        for (JsonNode c : doc.get("checks")) {
            assertTrue(Set.of("pass", "warn", "fail").contains(c.get("status").asText()), c.toString());
            assertTrue(c.has("message") && c.has("fix") && c.get("details").isArray() && c.has("code"), c.toString());
        }
        assertEquals(doc.get("summary").get("fail").asInt(), 0);
        assertTrue(doc.get("sources").isArray());
        assertTrue(doc.get("bundle").isNull());
    }

    @Test
    void theHardlinkProbeWorksAndLeavesTmpAsItWas() throws Exception {
        Path root = root();
        Files.writeString(root.resolve(".tmp/keep"), "x");
        List<String> before = list(root.resolve(".tmp"));

        Run run = diagnose(Map.of(), root, manifest(EMPTY_MANIFEST));

        assertEquals("pass", check(run.json(), "hardlinks").get("status").asText(), run.out());
        assertEquals(before, list(root.resolve(".tmp")));
    }

    @Test
    void theConfigurationShowsWhereEachSettingComesFromWithSecretsMasked() throws Exception {
        Path root = root();

        Run run = diagnose(Map.of("WAN_RETRIES", "2", "HF_TOKEN", "hf_diagnoseCanary0123456789"), root,
                manifest(EMPTY_MANIFEST));

        JsonNode c = check(run.json(), "configuration");
        assertEquals("pass", c.get("status").asText());
        String details = c.get("details").toString();
        assertTrue(details.contains("MODELS_ROOT=" + root + " (flag --root)"), details);
        assertTrue(details.contains("WAN_RETRIES=2 (env)"), details);
        assertTrue(details.contains("WAN_PARALLEL_FILES=4 (default)"), details);
        assertTrue(details.contains("HF_TOKEN set (27 characters, masked) (env)"), details);
        assertFalse(run.out().contains("hf_diagnoseCanary0123456789"), run.out());
    }

    @Test
    void aBadSettingFailsTheConfigurationCheckWithExit3AndTheReportStillPrints() throws Exception {
        Run run = InProcessWan.bare(Map.of("WAN_RETRIES", "lots"), "diagnose");

        assertEquals(3, run.code(), run.toString());
        assertTrue(run.out().contains("FAIL configuration"), run.out());
        assertTrue(run.out().contains("PASS java"), run.out());
    }

    @Test
    void jbangNotFoundIsAWarningNotAFailure() throws Exception {
        Run run = diagnose(Map.of("PATH", tmp.toString()), root(), manifest(EMPTY_MANIFEST));

        JsonNode c = check(run.json(), "jbang");
        assertEquals("warn", c.get("status").asText());
        assertTrue(c.get("message").asText().contains("not found"), c.toString());
        assertEquals(0, run.code());
    }

    @Test
    void jbangOnPathIsAskedForItsVersion() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path jbang = bin.resolve("jbang");
        Files.writeString(jbang, "#!/bin/sh\necho 0.999.1\n");
        Files.setPosixFilePermissions(jbang, PosixFilePermissions.fromString("rwxr-xr-x"));

        Run run = diagnose(Map.of("PATH", bin + ":/usr/bin:/bin"), root(), manifest(EMPTY_MANIFEST));

        JsonNode c = check(run.json(), "jbang");
        assertEquals("pass", c.get("status").asText(), c.toString());
        assertTrue(c.get("message").asText().contains("0.999.1"), c.toString());
    }

    @Test
    void aWorldWritableStoreWarns() throws Exception {
        Path root = root();
        Files.setPosixFilePermissions(root.resolve(".tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));

        Run run = diagnose(Map.of(), root, manifest(EMPTY_MANIFEST));

        JsonNode c = check(run.json(), "permissions");
        assertEquals("warn", c.get("status").asText(), c.toString());
        assertTrue(c.get("message").asText().contains(".tmp"), c.toString());
    }

    @Test
    void aStoreDirectoryThatIsASymlinkFailsWithExit3() throws Exception {
        Path root = root();
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.delete(root.resolve(".tmp"));
        Files.createSymbolicLink(root.resolve(".tmp"), elsewhere);

        Run run = diagnose(Map.of(), root, manifest(EMPTY_MANIFEST));

        JsonNode c = check(run.json(), "permissions");
        assertEquals("fail", c.get("status").asText(), c.toString());
        assertEquals("PATH_TRAVERSAL_DETECTED", c.get("code").asText());
        assertEquals(3, run.code());
        assertEquals("warn", check(run.json(), "hardlinks").get("status").asText());
        assertEquals(List.of(), list(elsewhere), "nothing was made through the link");
    }

    @Test
    void staleTmpLeftoversWarnWithCountBytesAndAgeAndFreshOnesPass() throws Exception {
        Path root = root();
        Path staging = Files.createDirectories(root.resolve(".tmp/demo@1.0.0.staging"));
        Files.write(staging.resolve("weights.bin"), new byte[1000]);

        JsonNode fresh = check(diagnose(Map.of(), root, manifest(EMPTY_MANIFEST)).json(), ".tmp");
        FileTime old = FileTime.from(Instant.now().minus(Duration.ofDays(3)));
        Files.setLastModifiedTime(staging.resolve("weights.bin"), old);
        Files.setLastModifiedTime(staging, old);
        JsonNode stale = check(diagnose(Map.of(), root, manifest(EMPTY_MANIFEST)).json(), ".tmp");

        assertEquals("pass", fresh.get("status").asText(), fresh.toString());
        assertEquals("warn", stale.get("status").asText(), stale.toString());
        assertTrue(stale.get("message").asText().startsWith("1 entry, 1000 B, oldest 3d old"), stale.toString());
        assertTrue(stale.get("fix").asText().contains("wan models gc"), stale.toString());
    }

    @Test
    void quarantineAndTrashContentsWarn() throws Exception {
        Path root = root();
        Files.createDirectories(root.resolve(".quarantine/demo@1.0.0/20261201T000000Z"));
        Files.writeString(root.resolve(".quarantine/demo@1.0.0/20261201T000000Z/a.bin"), "bad");
        Files.createDirectories(root.resolve(".trash/demo@1.0.0.x1"));

        JsonNode doc = diagnose(Map.of(), root, manifest(EMPTY_MANIFEST)).json();

        assertEquals("warn", check(doc, ".quarantine").get("status").asText());
        assertTrue(check(doc, ".quarantine").get("message").asText().startsWith("1 entry, 3 B"));
        assertEquals("warn", check(doc, ".trash").get("status").asText());
    }

    @Test
    void aLockHeldByAnotherProcessThanTheRecordedDeadOneWarnsAndAFreeOneWithADeadHolderPasses() throws Exception {
        Path root = root();
        long dead = deadPid();
        Path held = root.resolve(".locks/held@1.0.0.lock");
        Path free = root.resolve(".locks/free@1.0.0.lock");
        String host = InetAddress.getLocalHost().getHostName();
        Files.writeString(held, "pid=" + dead + " host=" + host + " since=2026-12-01T00:00:00Z purpose=ensure\n");
        Files.writeString(free, "pid=" + dead + " host=" + host + " since=2026-12-01T00:00:00Z purpose=ensure\n");
        Process holder = holdLock(held);
        try {
            JsonNode c = check(diagnose(Map.of(), root, manifest(EMPTY_MANIFEST)).json(), "locks");

            assertEquals("warn", c.get("status").asText(), c.toString());
            assertTrue(c.get("message").asText().contains("2 lock file(s), 1 held"), c.toString());
            String details = c.get("details").toString();
            assertTrue(details.contains("held@1.0.0: held by pid " + holder.pid() + " (alive), but recorded: pid=" + dead),
                    details);
            assertTrue(details.contains("(pid " + dead + " is gone)"), details);
            assertTrue(details.contains("free@1.0.0: free; last recorded: pid=" + dead), details);
        } finally {
            holder.destroyForcibly().waitFor();
        }
        JsonNode after = check(diagnose(Map.of(), root, manifest(EMPTY_MANIFEST)).json(), "locks");
        assertEquals("pass", after.get("status").asText(), after.toString());
    }

    @Test
    void aLockHeldByTheProcessItNamesPasses() throws Exception {
        Path root = root();
        Path lock = root.resolve(".locks/busy@1.0.0.lock");
        Files.writeString(lock, "");
        Process holder = holdLock(lock, true);
        try {
            JsonNode c = check(diagnose(Map.of(), root, manifest(EMPTY_MANIFEST)).json(), "locks");

            assertEquals("pass", c.get("status").asText(), c.toString());
            assertTrue(c.get("details").toString().contains("busy@1.0.0: held by pid " + holder.pid() + " (alive), recorded: pid="
                    + holder.pid()), c.toString());
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    @Test
    void aLockHeldInThisJvmIsReportedFromMemoryAndStaysHeld() throws Exception {
        Path root = root();
        Path file = root.resolve(".locks/mine@1.0.0.lock");
        try (dev.wan.internal.lock.ModelLock lock = dev.wan.internal.lock.ModelLock.acquire(file, "mine@1.0.0", "ensure",
                Duration.ofSeconds(5), Clock.systemUTC(), h -> { })) {
            JsonNode c = check(diagnose(Map.of(), root, manifest(EMPTY_MANIFEST)).json(), "locks");

            assertEquals("pass", c.get("status").asText(), c.toString());
            long self = ProcessHandle.current().pid();
            assertTrue(c.get("details").get(0).asText().startsWith("mine@1.0.0: held by pid " + self + " (alive), recorded: pid="
                    + self), c.toString());
            // reading the lock file through a second descriptor would have made the kernel drop this lock
            Process other = new ProcessBuilder("python3", "-c", "import fcntl, sys\nf = open(sys.argv[1], 'r+')\n"
                    + "try:\n    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n    print('taken')\n"
                    + "except OSError:\n    print('busy')\n", lock.file().toString()).redirectErrorStream(true).start();
            String answer = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            other.waitFor();
            assertEquals("busy", answer, "the lock is still held");
        }
    }

    @Test
    void aBrokenManifestFailsWithExit3() throws Exception {
        Run run = diagnose(Map.of(), root(), manifest("schema_version = 1\n[models.\"bad id\"]\nfiles = 3\n"));

        JsonNode c = check(run.json(), "manifest");
        assertEquals(3, run.code(), run.toString());
        assertEquals("fail", c.get("status").asText());
        assertTrue(c.get("details").size() > 0, c.toString());
        assertEquals("warn", check(run.json(), "sources").get("status").asText());
        assertFalse(run.json().get("ok").asBoolean());
    }

    @Test
    void aMissingManifestFailsWithExit3AndTheReportStillPrints() throws Exception {
        Run run = InProcessWan.run(Map.of(), root(), tmp.resolve("nowhere.toml"), "diagnose");

        assertEquals(3, run.code(), run.toString());
        assertTrue(run.out().contains("FAIL manifest"), run.out());
        assertTrue(run.out().contains("PASS hardlinks"), run.out());
    }

    @Test
    void anUnreachableSourceFailsWithExit6AndAReachableOnePasses() throws Exception {
        String endpoint;
        try (HubServer closed = HubServer.start()) {
            endpoint = closed.endpoint();
        }
        try (HubServer hub = HubServer.start()) {
            hub.repo("org/up").file("a.bin", new byte[] {1, 2, 3});
            String manifest = """
                    schema_version = 1
                    [models."up@1.0.0"]
                    [[models."up@1.0.0".files]]
                    path = "a.bin"
                    size = 3
                    [models."up@1.0.0".sources]
                    priority = ["hf://org/up"]
                    """;
            Map<String, String> env = Map.of("HF_ENDPOINT", hub.endpoint(), "WAN_RETRIES", "0");

            Run up = diagnose(env, root(), manifest(manifest));
            Run down = diagnose(Map.of("HF_ENDPOINT", endpoint, "WAN_RETRIES", "0"), root(), manifest(manifest));

            assertEquals("pass", check(up.json(), "sources").get("status").asText(), up.out());
            assertEquals("up@1.0.0", up.json().get("sources").get(0).get("model").asText());
            assertEquals(0, up.code(), up.toString());
            JsonNode c = check(down.json(), "sources");
            assertEquals("fail", c.get("status").asText(), down.out());
            assertEquals(6, down.code(), down.toString());
            assertFalse(down.json().get("sources").get(0).get("ok").asBoolean());
        }
    }

    @Test
    void theClockIsComparedWithTheServersDateHeader() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.sendResponseHeaders(403, -1); // what S3 answers an unsigned request; the Date header comes with it
            ex.close();
        });
        server.start();
        try {
            URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");

            Finding same = SourceChecks.clockSkew(Set.of(endpoint), Clock.systemUTC());
            Finding sixMinutes = SourceChecks.clockSkew(Set.of(endpoint), Clock.offset(Clock.systemUTC(), Duration.ofMinutes(6)));
            Finding sixteen = SourceChecks.clockSkew(Set.of(endpoint), Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-16)));

            assertEquals(Finding.Status.PASS, same.status(), same.toString());
            assertEquals(Finding.Status.WARN, sixMinutes.status(), sixMinutes.toString());
            assertTrue(sixMinutes.details().get(0).contains("server clock behind"), sixMinutes.toString());
            assertEquals(Finding.Status.FAIL, sixteen.status(), sixteen.toString());
            assertEquals(6, sixteen.code().exitCode());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theTextReportFitsEightyColumns() throws Exception {
        Path root = root();
        Files.createDirectories(root.resolve(".tmp/" + "a-very-long-model-name-that-goes-on".repeat(3) + "@1.0.0.staging"));

        Run run = InProcessWan.run(Map.of("PATH", tmp.toString()), root, manifest(EMPTY_MANIFEST), "diagnose", "--verbose");

        for (String line : run.out().split("\n")) {
            assertTrue(line.length() <= 80, "longer than 80: " + line);
        }
        assertTrue(run.out().contains("WARN jbang"), run.out());
    }

    @Test
    void diagnoseChangesNothingInAStoreOfEnsuredModels() throws Exception {
        Path root = tmp.resolve("store");
        Path demo = Path.of("..", "examples", "demo").toAbsolutePath().normalize();
        Map<String, String> env = Map.of("WAN_LOCAL_ROOT", demo.resolve("store").toString());
        Run ensure = InProcessWan.run(env, root, demo.resolve("models.toml"), "ensure", "--all", "-q");
        assertEquals(0, ensure.code(), ensure.toString());
        List<String> before = snapshot(root);

        Run run = InProcessWan.run(env, root, demo.resolve("models.toml"), "diagnose", "--json");

        assertEquals(0, run.code(), run.out());
        assertEquals("pass", check(run.json(), "sources").get("status").asText(), run.out());
        assertEquals(before, snapshot(root));
    }

    /** Every path below {@code root} with its mode, size, modification time and inode (links not followed). */
    private static List<String> snapshot(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            List<String> out = new ArrayList<>();
            for (Path p : s.sorted().toList()) {
                var a = Files.readAttributes(p, "unix:mode,size,lastModifiedTime,ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                // .tmp's own mtime is the probe's one trace: an entry made and removed there
                boolean probeDir = root.relativize(p).toString().equals(".tmp");
                out.add(root.relativize(p) + " " + a.get("mode") + " " + a.get("size") + " "
                        + (probeDir ? "-" : a.get("lastModifiedTime")) + " " + a.get("ino"));
            }
            return out;
        }
    }

    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    private static Process holdLock(Path file) throws Exception {
        return holdLock(file, false);
    }

    /** A real process holding a POSIX lock on {@code file} (as ModelLock takes one); {@code record}: writes its holder line. */
    private static Process holdLock(Path file, boolean record) throws Exception {
        String script = "import fcntl, os, sys, time\n"
                + "f = open(sys.argv[1], 'r+')\n"
                + "fcntl.lockf(f, fcntl.LOCK_EX)\n"
                + (record ? "f.truncate(0); f.write('pid=%d host=h since=2026-12-01T00:00:00Z purpose=ensure\\n' % os.getpid()); f.flush()\n" : "")
                + "print('locked', flush=True)\n"
                + "time.sleep(120)\n";
        Process p = new ProcessBuilder("python3", "-c", script, file.toString()).redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine();
        if (!"locked".equals(line)) {
            p.destroyForcibly();
            throw new AssertionError("the lock holder said " + line);
        }
        return p;
    }
}
