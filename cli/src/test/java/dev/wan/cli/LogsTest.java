package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.cli.InProcessWan.Run;
import dev.wan.ensure.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, "Logs": --log-format, --log-level, WAN_LOG_FORMAT, WAN_LOG_LEVEL and WAN_LOG_FILE; every
 * line with the run's id, an ensure's lines with its job and model (on its worker threads too), a
 * file's with the file and source; swallowed exceptions at debug; stdout untouched.
 */
class LogsTest {
    private static final String MODEL = "m@1.0.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("[0-9a-f]{8}");

    @TempDir
    Path root;

    @TempDir
    Path work;

    private Path manifest;

    /** Two files, two sources: the first a directory that does not exist, so every file fails over. */
    @BeforeEach
    void oneModelWhoseFirstSourceIsGone() {
        Fixtures.TestModel m = new Fixtures.TestModel(MODEL).file("a.bin", Fixtures.bytes(5000, 1))
                .file("b.bin", Fixtures.bytes(7000, 2))
                .sources(work.resolve("gone").toUri().toString(), work.resolve("src").toUri().toString());
        m.writeTo(work.resolve("src"));
        manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, m);
    }

    private Run wan(Map<String, String> env, String... args) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("WAN_PARALLEL_FILES", "2"); // worker threads, which must carry the job's MDC
        return InProcessWan.run(all, root, manifest, args);
    }

    private static List<JsonNode> jsonLines(Path file) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(line); // every line is one JSON object
            assertTrue(n.isObject(), line);
            lines.add(n);
        }
        return lines;
    }

    @Test
    void jsonLinesCarryTheRunJobModelFileAndSourceAndStdoutStaysOneDocument() throws Exception {
        Path log = work.resolve("wan.log");

        Run r = wan(Map.of("WAN_LOG_FILE", log.toString()), "ensure", MODEL, "--json", "--log-format", "json",
                "--log-level", "debug");

        assertEquals(0, r.code(), r.err());
        assertTrue(r.json().get("ok").asBoolean(), r.out()); // stdout: the one result document, nothing else
        assertFalse(r.err().contains("\"level\""), "the lines go to the file, not stderr: " + r.err());
        List<JsonNode> lines = jsonLines(log);
        assertFalse(lines.isEmpty());
        Set<String> runs = new HashSet<>();
        Set<String> jobs = new HashSet<>();
        boolean failover = false;
        boolean onWorker = false;
        for (JsonNode n : lines) {
            String run = n.path("context").path("properties").path(Logging.INVOCATION).asText();
            assertTrue(ID.matcher(run).matches(), n.toString());
            runs.add(run);
            for (String field : List.of("level", "loggerName", "message", "formattedMessage", "threadName")) {
                assertTrue(n.hasNonNull(field), field + " in " + n);
            }
            JsonNode mdc = n.path("mdc");
            if (n.path("loggerName").asText().startsWith("dev.wan.internal.ensure")) {
                assertEquals(MODEL, mdc.path("model").asText(), n.toString());
                jobs.add(mdc.path("job").asText());
            }
            if (n.path("formattedMessage").asText().contains("failing over")) {
                failover = true;
                assertTrue(List.of("a.bin", "b.bin").contains(mdc.path("file").asText()), n.toString());
                assertTrue(mdc.path("source").asText().endsWith("/src"), n.toString());
            }
            onWorker |= n.path("threadName").asText().equals("wan-file") && mdc.has("job");
        }
        assertEquals(1, runs.size(), "one id per run: " + runs);
        assertEquals(1, jobs.size(), "one job: " + jobs);
        assertTrue(ID.matcher(jobs.iterator().next()).matches(), jobs.toString());
        assertTrue(failover, "the failover to the second source is logged: " + lines);
        assertTrue(onWorker, "the file workers' lines carry the job: " + lines);
    }

    @Test
    void debugExplainsASwallowedExceptionWithItsReason() throws Exception {
        Path log = work.resolve("wan.log");
        assertEquals(0, wan(Map.of(), "ensure", MODEL, "--quiet").code());

        Run r = wan(Map.of("WAN_LOG_FILE", log.toString(), "WAN_LOG_FORMAT", "json", "WAN_LOG_LEVEL", "debug"),
                "unpin", MODEL); // not pinned: the marker's absence is caught and ignored

        assertEquals(0, r.code(), r.err());
        JsonNode swallowed = jsonLines(log).stream()
                .filter(n -> n.path("formattedMessage").asText().equals("no pin marker to remove for " + MODEL
                        + ": not pinned by marker"))
                .findFirst().orElseThrow(() -> new AssertionError("no debug line for the missing pin marker"));
        assertEquals("DEBUG", swallowed.get("level").asText());
        assertEquals("java.nio.file.NoSuchFileException", swallowed.path("throwable").path("className").asText(),
                swallowed.toString());
    }

    @Test
    void textLinesGoToStderrWithTheIdsAndInfoHidesDebug() {
        Run r = wan(Map.of(), "ensure", MODEL, "--quiet", "--log-level", "info");

        assertEquals(0, r.code(), r.err());
        Pattern line = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z (INFO|WARN|ERROR) \\S+ "
                + "\\[invocation=[0-9a-f]{8}( \\S+=\\S+)*\\] .+$");
        assertFalse(r.errLines().isEmpty(), r.err());
        for (String l : r.errLines()) {
            assertTrue(line.matcher(l).matches(), l);
        }
        assertTrue(r.errLines().stream().anyMatch(l -> l.contains(" job=") && l.contains(" model=" + MODEL)
                && l.contains(" file=") && l.contains("failing over")), r.err());
        assertEquals(root.resolve("wan22").resolve(MODEL) + "\n", r.out(), "stdout: the path, as without logs");
    }

    @Test
    void withoutLogSettingsNothingIsLoggedAndStdoutIsTheSameWithLogsOn() throws Exception {
        Run quiet = wan(Map.of(), "ensure", MODEL);
        Run status = wan(Map.of(), "status", "--json");
        Run traced = wan(Map.of("WAN_LOG_LEVEL", "trace", "WAN_LOG_FORMAT", "json"), "status", "--json");

        assertEquals(0, quiet.code(), quiet.err());
        assertFalse(quiet.err().contains("failing over") || quiet.err().contains("invocation="), quiet.err());
        assertEquals(status.json(), traced.json(), "logging never reaches stdout");
    }

    @Test
    void theLogFileIsCreated0600AndAppendedTo() throws Exception {
        Path log = work.resolve("wan.log");
        Map<String, String> env = Map.of("WAN_LOG_FILE", log.toString(), "WAN_LOG_FORMAT", "json",
                "WAN_LOG_LEVEL", "info");

        assertEquals(0, wan(env, "ensure", MODEL, "--quiet").code());
        Files.writeString(root.resolve("wan22").resolve(MODEL).resolve("a.bin"), "damaged"); // a second run has work
        assertEquals(0, wan(env, "ensure", MODEL, "--quiet").code());

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
        Set<String> runs = new HashSet<>();
        jsonLines(log).forEach(n -> runs.add(n.path("context").path("properties").path(Logging.INVOCATION).asText()));
        assertEquals(2, runs.size(), "both runs' lines, each with its own id: " + runs);
    }

    @Test
    void aLogFileThatIsASymbolicLinkIsRefusedAndItsTargetUntouched() throws Exception {
        Path target = Files.writeString(work.resolve("precious.txt"), "keep\n");
        Path link = Files.createSymbolicLink(work.resolve("wan.log"), target);

        Run r = wan(Map.of("WAN_LOG_FILE", link.toString(), "WAN_LOG_LEVEL", "debug"), "ensure", MODEL);

        assertEquals(3, r.code(), r.err());
        assertTrue(r.err().startsWith("wan: INVALID_CONFIG: WAN_LOG_FILE=" + link + " is a symbolic link"), r.err());
        assertEquals("keep\n", Files.readString(target));
        assertFalse(Files.exists(root.resolve("wan22").resolve(MODEL)), "nothing ran");
    }

    @Test
    void aLogFileWithAnotherHardLinkOrThatIsNoFileIsRefused() throws Exception {
        Path original = Files.writeString(work.resolve("elsewhere.txt"), "keep\n");
        Path linked = Files.createLink(work.resolve("wan.log"), original);

        Run hardLink = wan(Map.of("WAN_LOG_FILE", linked.toString(), "WAN_LOG_LEVEL", "debug"), "status");
        Run directory = wan(Map.of("WAN_LOG_FILE", work.toString(), "WAN_LOG_LEVEL", "debug"), "status");

        assertEquals(3, hardLink.code(), hardLink.err());
        assertTrue(hardLink.err().startsWith("wan: INVALID_CONFIG: WAN_LOG_FILE=" + linked + " has other hard links"),
                hardLink.err());
        assertEquals("keep\n", Files.readString(original));
        assertEquals(3, directory.code(), directory.err());
        assertTrue(directory.err().startsWith("wan: INVALID_CONFIG: WAN_LOG_FILE=" + work + " is not a regular file"),
                directory.err());
    }

    @Test
    void badLogSettingsAreInvalidConfigNamingTheOptionOrVariable() throws Exception {
        Run level = wan(Map.of(), "status", "--log-level", "loud");
        Run format = wan(Map.of("WAN_LOG_FORMAT", "xml"), "status");
        Run envLevel = wan(Map.of("WAN_LOG_LEVEL", "verbose"), "list");
        Run json = wan(Map.of(), "status", "--json", "--log-format", "yaml");

        assertEquals(3, level.code(), level.err());
        assertTrue(level.err().startsWith("wan: INVALID_CONFIG: --log-level 'loud' is not one of error, warn, info,"
                + " debug, trace"), level.err());
        assertEquals(3, format.code(), format.err());
        assertTrue(format.err().startsWith("wan: INVALID_CONFIG: WAN_LOG_FORMAT='xml' is not one of text, json"),
                format.err());
        assertEquals(3, envLevel.code(), envLevel.err());
        assertTrue(envLevel.err().contains("WAN_LOG_LEVEL='verbose'"), envLevel.err());
        assertEquals(3, json.code(), json.err());
        assertEquals("INVALID_CONFIG", json.json().get("error").get("code").asText(), json.out());
        assertTrue(json.json().get("error").get("message").asText().contains("--log-format 'yaml'"), json.out());
    }

    /** The test class path has a logback.xml and a logback-test.xml logging everything to stdout as HIJACKED. */
    @Test
    void aLogbackConfigurationOnTheClassPathIsNeverRead() throws Exception {
        java.io.PrintStream out = System.out;
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream capture = new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8);
        Run quiet;
        Run debug;
        try {
            System.setOut(capture);
            System.setErr(capture);
            org.slf4j.LoggerFactory.getLogger("dev.wan.test").warn("a line before any run");
            quiet = wan(Map.of(), "ensure", MODEL, "--quiet");
            debug = wan(Map.of(), "unpin", MODEL, "--log-level", "trace");
        } finally {
            System.setOut(out);
            System.setErr(err);
        }

        assertEquals(0, quiet.code(), quiet.err());
        assertEquals(0, debug.code(), debug.err());
        String all = captured + quiet.out() + quiet.err() + debug.out() + debug.err();
        assertFalse(all.contains("HIJACKED"), all);
        assertTrue(debug.err().contains("DEBUG dev.wan.internal.store.Pins"), "wan's own configuration: " + debug.err());
    }

    /** 'wan shell --log-level info' runs each line as a command with its own settings, then the shell's again. */
    @SuppressWarnings("try") // the runs are held for their blocks
    @Test
    void aRunInsideAnotherGivesItsSettingsBackWhenItEnds() {
        java.io.StringWriter shellErr = new java.io.StringWriter();
        java.io.StringWriter lineErr = new java.io.StringWriter();
        dev.wan.LogSettings info = new dev.wan.LogSettings(dev.wan.LogSettings.Format.TEXT, dev.wan.LogSettings.Level.INFO,
                java.util.Optional.empty());
        try (Logging.Run shell = Logging.start(info, Map.of(), new java.io.PrintWriter(shellErr, true))) {
            try (Logging.Run line = Logging.start(dev.wan.LogSettings.DEFAULTS, Map.of(),
                    new java.io.PrintWriter(lineErr, true))) {
                org.slf4j.LoggerFactory.getLogger("dev.wan.test").info("during the line");
            }
            org.slf4j.LoggerFactory.getLogger("dev.wan.test").info("after the line");
        }

        assertEquals("", lineErr.toString(), "the line's own settings: warnings only");
        assertTrue(shellErr.toString().contains("INFO dev.wan.test") && shellErr.toString().contains("after the line"),
                shellErr.toString());
    }

    @Test
    void secretsAreMaskedInWhateverALineQuotes() {
        SecretMask secrets = SecretMask.of(Map.of("HF_TOKEN", "hf_canary0123456789", "AWS_SECRET_ACCESS_KEY",
                "awsCanarySecret/0123+x", "WAN_SERVE_TOKEN", "serveCanary0123456", "PATH", "/usr/bin"));

        String masked = secrets.apply("token hf_canary0123456789, key awsCanarySecret/0123+x, bearer serveCanary0123456,"
                + " url https://b.example/k?X-Amz-Credential=AKIA/x&X-Amz-Signature=0123abcd&x=1 in /usr/bin");

        for (String secret : List.of("hf_canary0123456789", "awsCanarySecret", "serveCanary0123456", "AKIA/x",
                "0123abcd")) {
            assertFalse(masked.contains(secret), masked);
        }
        assertTrue(masked.contains("X-Amz-Signature=<redacted>&x=1") && masked.contains("in /usr/bin"), masked);
    }
}
