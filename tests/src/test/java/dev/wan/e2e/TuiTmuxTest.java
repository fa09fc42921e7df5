package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.testkit.hub.Content;
import dev.wan.testkit.hub.Fault;
import dev.wan.testkit.hub.HubServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dashboard in a real terminal: tmux on a private socket runs {@code wan tui} (the same main
 * class {@code ./wan tui} and {@code jbang wan-tui@org} start) as its own JVM; the test types keys
 * and reads the screen, then checks the store on disk says what the screen said.
 */
class TuiTmuxTest {
    private static final Path DEMO = Cli.REPO.resolve("examples/demo/models.toml");
    /** Screenshots of the main states, for the README (docs/tui/ holds a copy of a run's). */
    private static final Path SCREENS = Path.of("target", "tui-screens");
    private static final Pattern ROW = Pattern.compile("^[> ] (\\S+@\\S+)\\s+\\S+\\s+([A-Z_]+)");

    @TempDir
    Path tmp;

    /**
     * The shell command that starts the dashboard with exactly the runner's environment ({@link Cli}),
     * this TERM, and a UTF-8 locale of the test's (the screen is read back as UTF-8; a developer's
     * LC_* must not change it).
     */
    private String dashboard(String term, Map<String, String> env, String... args) throws Exception {
        Cli tui = Cli.dashboard().env(env).env("TERM", term).env("LANG", "C.UTF-8")
                .env("HOME", tmp.resolve("home").toString());
        return Tmux.commandLine(tmp, tui, args);
    }

    /** model id → the STATE column's text, from the models table on screen. */
    private static Map<String, String> states(List<String> screen) {
        Map<String, String> states = new TreeMap<>();
        for (String line : screen) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                states.put(m.group(1), m.group(2));
            }
        }
        return states;
    }

    private static boolean row(List<String> screen, String model, String text) {
        return screen.stream().anyMatch(l -> l.length() > 2 && l.substring(2).startsWith(model + " ") && l.contains(text));
    }

    @Test
    void anOperatorEnsuresPinsAndCollectsFromTheKeyboardAndTheDiskAgreesWithTheScreen() throws Exception {
        Path root = tmp.resolve("root");
        Map<String, String> env = Map.of("MODELS_ROOT", root.toString(), "WAN_MODELS_MANIFEST", DEMO.toString());
        try (Tmux t = Tmux.start(dashboard("tmux-256color", env), 80, 24)) {
            List<String> start = t.waitFor("the three demo models", Duration.ofSeconds(30),
                    s -> states(s).size() == 3 && states(s).values().stream().allMatch("NOT_PRESENT"::equals));
            Tmux.save(start, SCREENS.resolve("01-start.txt"));

            t.keys("e"); // the first row, demo-i2v
            t.waitFor("demo-i2v COMPLETE", Duration.ofSeconds(30), s -> row(s, "demo-i2v@1.0.0", "COMPLETE"));
            t.keys("j", "e");
            Tmux.save(t.waitFor("> fp16  (default)"), SCREENS.resolve("02-variant.txt"));
            t.keys("Enter");
            t.waitFor("demo-t2v COMPLETE", Duration.ofSeconds(30), s -> row(s, "demo-t2v@1.0.0", "COMPLETE"));
            t.keys("p");
            List<String> pinned = t.waitFor("the pin", Duration.ofSeconds(15), s -> row(s, "demo-t2v@1.0.0", " pin ")
                    && String.join("\n", s).contains("demo-t2v@1.0.0: pinned"));
            Tmux.save(pinned, SCREENS.resolve("03-ensured-and-pinned.txt"));
            assertTrue(pinned.get(0).startsWith(" wan  \u2026"), "a UTF-8 locale cuts with an ellipsis: " + pinned.get(0));

            // the event before "pinned" says where the model is: cut at 80 columns, whole in the reader
            String dir = root.resolve("wan22/demo-t2v@1.0.0").toString();
            t.keys("Tab", "Up");
            List<String> selected = t.waitFor("the 'ready at' event selected", Duration.ofSeconds(10),
                    s -> s.stream().anyMatch(l -> l.startsWith(">") && l.contains("demo-t2v@1.0.0: ready at")));
            assertFalse(String.join("\n", selected).contains(dir), "the log line is cut: " + String.join("\n", selected));
            t.keys("Enter");
            List<String> whole = t.waitFor("Esc closes");
            Tmux.save(whole, SCREENS.resolve("07-event-whole.txt"));
            assertTrue(boxText(whole).contains(("demo-t2v@1.0.0: ready at " + dir).replaceAll("\\s+", "")),
                    String.join("\n", whole));
            t.keys("Escape");
            t.waitFor("the reader closed", Duration.ofSeconds(10), s -> !String.join("\n", s).contains("Esc closes"));
            t.keys("Tab");

            t.keys("g");
            t.waitFor("gc, keep models within:");
            t.type("1MB");
            t.keys("Enter");
            List<String> plan = t.waitFor("Delete 1 model(s)");
            Tmux.save(plan, SCREENS.resolve("04-gc-plan.txt"));
            String screen = String.join("\n", plan);
            assertTrue(screen.contains("delete demo-i2v@1.0.0") && screen.contains("OVER_SIZE"), screen);
            assertTrue(screen.matches("(?s).*keep +demo-t2v@1.0.0 +PINNED.*"), screen);
            assertTrue(Files.isDirectory(root.resolve("wan22/demo-i2v@1.0.0")), "a dry run deletes nothing");
            t.keys("y");
            List<String> after = t.waitFor("gc done", Duration.ofSeconds(30),
                    s -> String.join("\n", s).contains("gc: deleted 1 model(s)") && row(s, "demo-i2v@1.0.0", "NOT_PRESENT"));

            t.keys("g"); // the prompt opens empty again, not with the 1MB typed before
            List<String> again = t.waitFor("gc, keep models within:");
            String prompt = again.stream().filter(l -> l.contains("gc, keep models within:")).findFirst().orElseThrow();
            assertTrue(prompt.contains("within: _ "), prompt);
            t.keys("Escape");
            t.waitFor("the prompt closed", Duration.ofSeconds(10),
                    s -> !String.join("\n", s).contains("gc, keep models within:"));

            t.keys("?");
            Tmux.save(t.waitFor("any key closes"), SCREENS.resolve("05-help.txt"));
            t.keys("x");
            t.waitFor("help closed", Duration.ofSeconds(10), s -> !String.join("\n", s).contains("any key closes"));
            t.keys("q");
            List<String> exit = t.waitFor("EXIT=0");

            Map<String, String> shown = states(after);
            assertEquals(Map.of("demo-i2v@1.0.0", "NOT_PRESENT", "demo-t2v@1.0.0", "COMPLETE",
                    "demo-tokenizer@1.0.0", "NOT_PRESENT"), shown);
            Map<String, String> onDisk = new TreeMap<>();
            JsonNode status = new ObjectMapper().readTree(Cli.java().env("MODELS_ROOT", root.toString())
                    .env("WAN_MODELS_MANIFEST", DEMO.toString()).run("status", "--json").stdout());
            for (JsonNode m : status.path("models")) {
                onDisk.put(m.path("model").asText(), m.path("state").asText());
            }
            assertEquals(shown, onDisk, "wan status (another process) agrees with the dashboard");
            assertFalse(Files.exists(root.resolve("wan22/demo-i2v@1.0.0")), "gc deleted what the plan said");
            assertTrue(Files.isRegularFile(root.resolve("wan22/demo-t2v@1.0.0/transformer/diffusion_pytorch_model"
                    + ".fp16.safetensors")));
            assertTrue(Files.readString(root.resolve(".state/demo-t2v@1.0.0.json")).matches("(?s).*\"pinned\"\\s*:\\s*true.*"));
            assertFalse(String.join("\n", exit).contains("MODEL"), "the terminal is restored: the dashboard is gone");
        }
    }

    @Test
    void anotherOperatorsEnsureInAnotherShellShowsUpWhileItRuns() throws Exception {
        long size = 40L << 20;
        Content content = Content.generated(size, 7);
        try (HubServer hub = HubServer.start()) {
            hub.repo("org/slow").file("model.safetensors", content);
            // 4 MiB/s on one connection: ~10 s, several store reads even when a read is slow enough to
            // stretch the dashboard's re-read interval (it spends at most 5 % of the time reading)
            hub.fault(Fault.rateCap(4L << 20));
            Path manifest = Fixtures.oneFileManifest(tmp, "slow@1.0.0", "model.safetensors", size, content.sha256(),
                    "hf://org/slow");
            Map<String, String> env = new HashMap<>(Map.of("MODELS_ROOT", tmp.resolve("root").toString(),
                    "WAN_MODELS_MANIFEST", manifest.toString(), "HF_ENDPOINT", hub.endpoint(),
                    "HF_HOME", tmp.resolve("hf").toString(), "WAN_CONNECTIONS", "1"));
            try (Tmux t = Tmux.start(dashboard("screen", env), 100, 30)) {
                t.waitFor("the model", Duration.ofSeconds(30), s -> row(s, "slow@1.0.0", "NOT_PRESENT"));

                Process ensure = Cli.java().env(env).start(tmp.resolve("out"), tmp.resolve("err"), "ensure", "--only", "slow@1.0.0");
                List<String> locked = t.waitFor("the other process's lock", Duration.ofSeconds(30),
                        s -> row(s, "slow@1.0.0", "LOCKED") && String.join("\n", s).contains("LOCKED by pid=" + ensure.pid()));
                List<String> progressing = t.waitFor("its progress", Duration.ofSeconds(30),
                        s -> s.stream().anyMatch(l -> l.matches(".*LOCKED [1-9][0-9]?%.*")));
                Tmux.save(progressing, SCREENS.resolve("06-another-operator.txt"));
                assertEquals(0, ensure.waitFor(), "the other operator's ensure");
                t.waitFor("COMPLETE after the other process", Duration.ofSeconds(15), s -> row(s, "slow@1.0.0", "COMPLETE"));
                t.keys("q");
                t.waitFor("EXIT=0");

                assertTrue(String.join("\n", locked).contains("purpose=ensure"), String.join("\n", locked));
            }
        }
    }

    /** The text inside the box drawn on {@code screen} (between its '+--+' borders), all whitespace removed. */
    private static String boxText(List<String> screen) {
        StringBuilder sb = new StringBuilder();
        int left = -1;
        int right = -1;
        for (String l : screen) {
            if (left < 0 && l.contains("+-") && l.contains("-+")) {
                left = l.indexOf("+-");
                right = l.lastIndexOf("-+") + 1;
            } else if (left >= 0 && l.length() > right && l.charAt(left) == '|' && l.charAt(right) == '|') {
                sb.append(l, left + 1, right);
            } else if (left >= 0) {
                break;
            }
        }
        return sb.toString().replaceAll("\\s+", "");
    }

    @Test
    void underACLocaleTheScreenIsAsciiAndCutsAreMarkedWithoutATilde() throws Exception {
        Map<String, String> env = Map.of("MODELS_ROOT", tmp.resolve("root").toString(), "WAN_MODELS_MANIFEST",
                DEMO.toString(), "LC_ALL", "C");
        try (Tmux t = Tmux.start(dashboard("xterm", env), 80, 24)) {
            List<String> screen = t.waitFor("the table", Duration.ofSeconds(30), s -> states(s).size() == 3);
            t.keys("q");
            t.waitFor("EXIT=0");

            String all = String.join("\n", screen);
            assertTrue(screen.get(0).startsWith(" wan  <") && screen.get(0).contains("/root  (models.toml)"), screen.get(0));
            assertTrue(all.chars().allMatch(c -> c < 128), all);
            assertFalse(all.contains("~"), all);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"xterm", "screen", "tmux-256color"})
    void drawsResizesAndQuitsCleanlyUnderCommonTerms(String term) throws Exception {
        Map<String, String> env = Map.of("MODELS_ROOT", tmp.resolve("root").toString(), "WAN_MODELS_MANIFEST",
                DEMO.toString());
        try (Tmux t = Tmux.start(dashboard(term, env), 80, 24)) {
            t.waitFor("the table", Duration.ofSeconds(30), s -> states(s).size() == 3);

            t.resize(120, 40);
            List<String> wide = t.waitFor("the wider layout", Duration.ofSeconds(10),
                    s -> s.size() >= 40 && s.get(39).contains("Tab log"));
            t.keys("q");
            List<String> exit = t.waitFor("EXIT=0");

            assertTrue(wide.get(0).length() > 100, wide.get(0));
            assertFalse(String.join("\n", exit).contains("Exception"), String.join("\n", exit));
        }
    }

    @Test
    void withoutATerminalItSaysSoAndExitsTwo() throws Exception {
        Cli.Result r = Cli.dashboard().run(); // stdin from /dev/null, stdout and stderr to files

        assertEquals(2, r.exitCode(), r.toString());
        assertTrue((r.stdout() + r.stderr()).contains("needs an interactive terminal")
                && !(r.stdout() + r.stderr()).contains("Exception"), r.toString());
    }
}
