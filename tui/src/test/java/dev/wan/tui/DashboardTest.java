package dev.wan.tui;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.wan.ensure.Fixtures.TestModel;
import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.internal.lock.ModelLock;
import dev.wan.internal.store.StoreLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole dashboard (GUI thread, workers, store reader, event stream) on lanterna's virtual
 * terminal over a real store: keys in, screen text out.
 */
class DashboardTest {
    private static final TestModel ALPHA = new TestModel("alpha@1.0.0").sources("local://alpha@1.0.0")
            .file("config.json", Fixtures.bytes(300, 1)).file("weights/model.safetensors", Fixtures.bytes(300_000, 2));
    private static final TestModel BETA = new TestModel("beta@1.0.0").sources("local://beta@1.0.0")
            .variants("fp16", "bf16").file("config.json", Fixtures.bytes(200, 3))
            .variantFile("fp16", "weights.fp16.safetensors", Fixtures.bytes(400_000, 4))
            .variantFile("bf16", "weights.bf16.safetensors", Fixtures.bytes(400_000, 5));

    @TempDir
    Path tmp;

    private DefaultVirtualTerminal terminal;
    private Dashboard dashboard;
    private Path root;

    @BeforeEach
    void start() throws Exception {
        root = tmp.resolve("root");
        Path local = tmp.resolve("local");
        ALPHA.writeTo(local.resolve(ALPHA.id()));
        BETA.writeTo(local.resolve(BETA.id()));
        Path manifest = tmp.resolve("models.toml");
        Fixtures.writeManifest(manifest, ALPHA, BETA);
        ModelEnsurer ensurer = Fixtures.ensurer(root, manifest, local);
        terminal = new DefaultVirtualTerminal(new TerminalSize(80, 24));
        TerminalScreen screen = new TerminalScreen(terminal);
        screen.startScreen();
        dashboard = new Dashboard(screen, ensurer, Clock.systemUTC(), Duration.ofMillis(100), -1, new FrameStats(),
                false, Cut.ASCII);
        dashboard.start();
    }

    @AfterEach
    void stop() {
        dashboard.close();
    }

    private List<String> until(String what, Predicate<List<String>> done) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<String> lines = Screens.lines(terminal);
        while (System.nanoTime() < deadline) {
            dashboard.step();
            lines = Screens.lines(terminal);
            if (done.test(lines)) {
                return lines;
            }
        }
        throw new AssertionError("timed out waiting for " + what + ":\n" + String.join("\n", lines));
    }

    private static boolean row(List<String> lines, String model, String text) {
        return lines.stream().anyMatch(l -> l.length() > 2 && l.substring(2).startsWith(model + " ") && l.contains(text));
    }

    private void press(char... keys) {
        for (char c : keys) {
            terminal.addInput(new KeyStroke(c, false, false));
        }
    }

    @Test
    void ensuringAModelFromTheKeyboardEndsCompleteOnScreenAndOnDisk() {
        until("the store", l -> row(l, "alpha@1.0.0", "NOT_PRESENT") && row(l, "beta@1.0.0", "NOT_PRESENT"));

        press('e');
        List<String> done = until("alpha COMPLETE", l -> row(l, "alpha@1.0.0", "COMPLETE")
                && String.join("\n", l).contains("alpha@1.0.0: ready at"));

        assertTrue(Files.isRegularFile(root.resolve("wan22/alpha@1.0.0/weights/model.safetensors")));
        assertTrue(String.join("\n", done).contains("alpha@1.0.0: COMPLETE, fetched 293 KiB"), String.join("\n", done));
    }

    @Test
    void theVariantChosenIsTheOneEnsured() throws Exception {
        until("the store", l -> row(l, "beta@1.0.0", "NOT_PRESENT"));

        press('j', 'e');
        until("the variant choice", l -> String.join("\n", l).contains("> fp16  (default)"));
        terminal.addInput(new KeyStroke(com.googlecode.lanterna.input.KeyType.ArrowDown));
        terminal.addInput(new KeyStroke(com.googlecode.lanterna.input.KeyType.Enter));
        until("bf16 ensured", l -> String.join("\n", l).contains("beta@1.0.0: ready at"));

        Path dir = root.resolve("wan22/beta@1.0.0");
        assertTrue(Files.isRegularFile(dir.resolve("weights.bf16.safetensors")));
        assertTrue(Files.notExists(dir.resolve("weights.fp16.safetensors")));
    }

    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    @Test
    void aModelSomeoneElseIsEnsuringShowsAsLockedWithTheirProgressAndThenFreesUp() throws Exception {
        until("the store", l -> row(l, "alpha@1.0.0", "NOT_PRESENT"));
        StoreLayout layout = new StoreLayout(root);
        dev.wan.manifest.ModelId id = dev.wan.manifest.ModelId.parse("alpha@1.0.0");
        Files.createDirectories(layout.locksDir());
        List<String> locked;
        try (ModelLock lock = ModelLock.acquire(layout.lockFile(id), "model alpha", "ensure", Duration.ofSeconds(5),
                Clock.systemUTC(), h -> { })) {
            Path staged = layout.stagingDir(id).resolve("weights/model.safetensors");
            Files.createDirectories(staged.getParent());
            Files.write(staged, new byte[150_150]); // half of what alpha needs (a local copy in progress)

            locked = until("the lock", l -> row(l, "alpha@1.0.0", "LOCKED 50%"));
        }
        Files.delete(layout.stagingDir(id).resolve("weights/model.safetensors"));
        List<String> free = until("the lock to go", l -> row(l, "alpha@1.0.0", "NOT_PRESENT"));

        assertTrue(String.join("\n", locked).contains("LOCKED by pid=" + ProcessHandle.current().pid()),
                String.join("\n", locked));
        assertTrue(String.join("\n", locked).contains("staged by that process"));
        assertTrue(row(free, "alpha@1.0.0", "NOT_PRESENT"));
    }

    @Test
    void pinShowsInTheTableAndQuitEndsTheLoop() throws Exception {
        until("the store", l -> row(l, "alpha@1.0.0", "NOT_PRESENT"));
        press('e');
        until("alpha COMPLETE", l -> row(l, "alpha@1.0.0", "COMPLETE"));

        press('p');
        // the pin's own outcome, not only the store showing it: until then the pin is work that runs
        until("the pin", l -> row(l, "alpha@1.0.0", " pin ") && String.join("\n", l).contains("alpha@1.0.0: pinned"));
        press('q');
        dashboard.step();

        assertTrue(dashboard.model().quitRequested());
        String state = Files.readString(root.resolve(".state/alpha@1.0.0.json"));
        assertTrue(state.matches("(?s).*\"pinned\"\\s*:\\s*true.*"), state);
    }

    @Test
    void verifyReHashesEveryPresentFileOfEveryVariant() throws Exception {
        ModelEnsurer other = Fixtures.ensurer(root, tmp.resolve("models.toml"), tmp.resolve("local"));
        other.ensure("beta@1.0.0", "fp16");
        other.ensure("beta@1.0.0", "bf16");
        Path bf16 = root.resolve("wan22/beta@1.0.0/weights.bf16.safetensors");
        Files.delete(bf16); // it may be a hard link to the source: replace it, never write through it
        Files.write(bf16, Fixtures.bytes(400_000, 99)); // same size, other bytes: only a re-hash finds it
        until("the store", l -> row(l, "beta@1.0.0", "COMPLETE"));

        press('j', 'v');
        List<String> done = until("the verify", l -> String.join("\n", l).contains("beta@1.0.0: NOT verified")
                || String.join("\n", l).contains("beta@1.0.0: verified"));

        String verdict = dashboard.model().log().window(1000, 0).stream().map(EventLog.Line::text)
                .filter(t -> t.contains("verified")).reduce((a, b) -> b).orElseThrow();
        assertTrue(verdict.startsWith("beta@1.0.0: NOT verified") && verdict.contains("weights.bf16.safetensors CORRUPT"),
                verdict + "\n" + String.join("\n", done));
    }
}
