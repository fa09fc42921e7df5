package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.internal.TestHooks;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wan ensure}'s progress bar in a real terminal (tmux on a private socket), through a local
 * ensure of a 1 GiB file. The bar used to be sized for no terminal: it wrapped and scrolled an
 * 80-column session, ignored resizes, asked stdin/stdout whether there was a terminal while it drew
 * on stderr, and under a non-UTF-8 locale printed "?" for its blocks.
 *
 * <p>Screens are read with {@code capture-pane -J}, which joins a wrapped row with its continuation:
 * a bar that wrapped shows up as one line wider than the window.
 */
class ProgressTmuxTest {
    private static final long GIB = 1L << 30;
    /** sha256 of 1 GiB of zero bytes (the sparse source file), so the test does not spend seconds hashing it. */
    private static final String ZEROS_SHA256 = "49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14";
    private static final String MODEL = "big@1.0.0";
    private static final String FILE = "weights/model-00001-of-00001.safetensors";
    /** A bar row: optional blocks, then "37% 379 MiB/1.0 GiB" (the figures every width keeps). */
    private static final Pattern BAR = Pattern.compile("^\\S*\\s*\\d{1,3}% [\\d.]+ \\S+/[\\d.]+ \\S+");
    private static final Pattern FIGURES = Pattern.compile("\\d{1,3}% [\\d.]+ \\S+/[\\d.]+ \\S+");
    private static final String STARTED = "wan: " + MODEL + ": 1 file(s), 1.0 GiB to fetch or verify";
    /** Staged writes are 64 KiB: the 4096th is a quarter of the file. */
    private static final long QUARTER = GIB / 4 / (64 * 1024);

    @TempDir
    Path tmp;

    /** A manifest whose one 1 GiB file (sparse zeros) is served from a {@code file://} directory. */
    private Path manifest() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("source/weights"));
        try (RandomAccessFile f = new RandomAccessFile(source.resolve("model-00001-of-00001.safetensors").toFile(), "rw")) {
            f.setLength(GIB);
        }
        return Fixtures.oneFileManifest(tmp, MODEL, FILE, GIB, ZEROS_SHA256, tmp.resolve("source"));
    }

    /** The shell command for tmux: {@code wan ensure} with exactly the runner's environment plus {@code env}. */
    private String ensure(Cli cli, Map<String, String> env, String redirections) throws Exception {
        Path manifest = manifest();
        cli.env(env).env("TERM", "tmux-256color").env("HOME", Files.createDirectories(tmp.resolve("home")).toString());
        return Tmux.commandLine(tmp, cli, "ensure", MODEL, "--root", tmp.resolve("root").toString(), "--manifest",
                manifest.toString()) + redirections;
    }

    private static List<String> bars(List<String> screen) {
        return screen.stream().filter(l -> BAR.matcher(l).find()).toList();
    }

    private static String figures(String bar) {
        java.util.regex.Matcher m = FIGURES.matcher(bar);
        return m.find() ? m.group() : "(no figures in: " + bar + ")";
    }

    /** Columns a line takes (all our characters, blocks included, are one column wide). */
    private static int width(String line) {
        return line.codePointCount(0, line.length());
    }

    @Test
    void at80ColumnsTheBarRedrawsInPlaceOnOneRowThroughA1GiBEnsure() throws Exception {
        String cmd = ensure(Cli.java(), Map.of("LANG", "C.UTF-8"), "");

        Set<String> seen = new LinkedHashSet<>();
        List<String> above = null;
        List<String> screen;
        try (Tmux t = Tmux.start(cmd, 80, 24)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            do {
                screen = t.screen();
                List<String> bars = bars(screen);
                if (!bars.isEmpty()) {
                    assertEquals(1, bars.size(), "one bar row:\n" + String.join("\n", screen));
                    String bar = bars.get(0);
                    assertTrue(width(bar) <= 79, "the bar fits 79 of 80 columns, no wrapped continuation: " + bar);
                    List<String> rows = screen.subList(0, screen.indexOf(bar));
                    if (above == null) {
                        above = rows;
                    }
                    assertEquals(above, rows, "the rows above the bar stay");
                    seen.add(bar);
                }
                assertTrue(System.nanoTime() < deadline, "no EXIT in 90 s:\n" + String.join("\n", screen));
                Thread.sleep(50);
            } while (!String.join("\n", screen).contains("EXIT="));
        }

        assertTrue(String.join("\n", screen).contains("EXIT=0"), String.join("\n", screen));
        assertEquals(List.of(STARTED), above);
        assertTrue(seen.size() >= 3, "the bar changed over time: " + seen);
        List<String> all = new ArrayList<>(seen);
        String last = all.get(all.size() - 1);
        assertTrue(last.contains("100% 1.0 GiB/1.0 GiB") && last.startsWith("█".repeat(16)), last);
        assertTrue(all.stream().anyMatch(b -> b.contains("/s ETA ")), "a rate and an ETA once bytes moved: " + all);
        assertTrue(all.stream().filter(b -> !b.contains(" 0 B/")).allMatch(b -> b.endsWith("00001.safetensors")),
                "once bytes move, the moving file is named: " + all);
    }

    @Test
    void resizedTo60ColumnsMidRunTheBarRefitsWithoutLeavingFragments() throws Exception {
        Path paused = tmp.resolve("paused");
        String cmd = ensure(Cli.java().pauseAt(TestHooks.Point.STAGED_WRITE, QUARTER, paused), Map.of("LANG", "C.UTF-8"),
                "");

        try (Tmux t = Tmux.start(cmd, 80, 24)) {
            List<String> wide = t.waitFor("the bar at 80 columns with a rate", Duration.ofSeconds(60),
                    s -> Files.exists(paused) && bars(s).stream().anyMatch(b -> b.contains("/s ")));
            String before = bars(wide).get(0);
            assertTrue(width(before) > 59 && width(before) <= 79, before);

            t.resize(60, 24);

            List<String> narrow = t.waitFor("the bar refitted to 60 columns", Duration.ofSeconds(10),
                    s -> bars(s).size() == 1 && width(bars(s).get(0)) <= 59);
            assertTrue(narrow.stream().allMatch(l -> width(l) <= 59), "nothing wider than 59:\n" + String.join("\n", narrow));
            assertEquals(1, narrow.stream().filter(l -> !l.isBlank()).count(),
                    "the bar alone, no fragment of the 80-column row:\n" + String.join("\n", narrow));
            String after = figures(bars(narrow).get(0));
            assertTrue(after.matches("2[0-9]% .*"), "the figures of the paused run (a quarter done), refitted: " + after);
            assertEquals(1, t.history().stream().filter(STARTED::equals).count(),
                    "the line above is kept (tmux reflowed it into the scrollback):\n" + String.join("\n", t.history()));
        }
    }

    @Test
    void underLcAllCTheBarIsAsciiAndItFollowsStderrNotStdinOrStdout() throws Exception {
        Path paused = tmp.resolve("paused");
        Path stdout = tmp.resolve("stdout.txt");
        String cmd = ensure(Cli.java().pauseAt(TestHooks.Point.STAGED_WRITE, QUARTER, paused),
                Map.of("LANG", "C.UTF-8", "LC_ALL", "C"), " </dev/null >" + Tmux.quote(stdout.toString()));

        try (Tmux t = Tmux.start(cmd, 80, 24)) {
            List<String> screen = t.waitFor("the bar with a rate", Duration.ofSeconds(60),
                    s -> Files.exists(paused) && bars(s).stream().anyMatch(b -> b.contains("/s ")));

            String bar = bars(screen).get(0);
            assertTrue(Pattern.compile("^#{2,5}-{11,14} +\\d+% ").matcher(bar).find(), bar);
            assertTrue(bar.contains(" ...") && bar.endsWith("safetensors"), bar);
            String all = String.join("\n", screen);
            assertTrue(all.chars().allMatch(c -> c < 0x80) && !all.contains("?"), "ASCII only, no '?':\n" + all);
            assertEquals("", Files.readString(stdout), "stdout is for results; the bar is on stderr");
        }
    }
}
