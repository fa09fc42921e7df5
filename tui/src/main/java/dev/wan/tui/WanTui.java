package dev.wan.tui;

import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.DefaultTerminalFactory;
import com.googlecode.lanterna.terminal.Terminal;
import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal;
import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.ModelEnsurer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wan tui}: the operator's dashboard. Checks that there is a terminal and that the
 * configuration loads before taking over the screen, so every failure is a one-line message and
 * an exit code (README "Exit codes"), never a stack trace in a half-drawn screen.
 */
@Command(name = "wan tui", mixinStandardHelpOptions = true, versionProvider = WanTui.Version.class,
        description = {"The terminal dashboard: every model with its state, files and sources, live",
                "progress, an event log and a disk gauge; actions on single keys (ensure, verify,",
                "pin, test sources, gc; '?' lists them). Works over SSH in 80x24 and larger;",
                "another operator's 'wan ensure' shows up within seconds.",
                "Needs an interactive terminal; for scripts use 'wan models status --json'."},
        footer = {"", "Environment: MODELS_ROOT, WAN_MODELS_MANIFEST, WAN_MAX_TOTAL_SIZE (the quota on",
                "the disk gauge and the default gc limit), and all that 'wan ensure' reads.",
                "Exit codes: 0 quit, 2 no terminal or bad option, 3-8 as for 'wan' (README)."})
public final class WanTui implements Callable<Integer> {
    /** No terminal to draw on: a usage error, as for any command given what it cannot use. */
    static final int EXIT_NO_TERMINAL = 2;

    @Option(names = "--root", paramLabel = "DIR", description = "MODELS_ROOT (default: $MODELS_ROOT or ~/.cache/wan/models).")
    Path root;

    @Option(names = "--manifest", paramLabel = "FILE", description = "The manifest (default: $WAN_MODELS_MANIFEST or the bundled demo).")
    Path manifest;

    @Option(names = "--refresh", paramLabel = "SECONDS", defaultValue = "2",
            description = "Re-read the store at most every SECONDS (default: ${DEFAULT-VALUE}); slower when reading it is slow.")
    double refreshSeconds;

    @Option(names = "--stats", paramLabel = "FILE",
            description = "On exit, write frame timings (first frame, interval) as JSON to FILE (for bench/tui.sh).")
    Path stats;

    private final Map<String, String> env;
    private final PrintWriter err;

    /** {@code env}: what the dashboard reads instead of the process environment (tests pass their own). */
    WanTui(Map<String, String> env, PrintWriter err) {
        this.env = Map.copyOf(env);
        this.err = err;
    }

    public static void main(String[] args) {
        // The dashboard owns the terminal: the core's logs (SLF4J) would tear the screen. SLF4J's own
        // no-op binding, named so that no class path scan happens and no "no provider" note is printed.
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
        }
        PrintWriter err = new PrintWriter(System.err, true);
        int code = new CommandLine(new WanTui(System.getenv(), err)).setErr(err).execute(args);
        System.exit(code);
    }

    @Override
    public Integer call() {
        // The configuration first, through the same seam as 'wan' (a bad WAN_* value is exit 3 with
        // or without a terminal), then the terminal, all before taking over the screen.
        ModelEnsurer ensurer;
        try {
            ensurer = ModelEnsurer.create(WanConfig.resolve(env, root, manifest));
            ensurer.requireHandledSchemes(); // as 'wan' does: the dashboard cannot add a backend
        } catch (WanException e) {
            err.println("wan tui: " + e.code() + ": " + e.getMessage() + (e.hint().isEmpty() ? "" : "; " + e.hint()));
            e.details().forEach(d -> err.println("  " + d));
            err.flush();
            return e.code().exitCode();
        }
        long quota = ensurer.config().settings().maxTotalSize().orElse(-1);
        String noTerminal = whyNoTerminal();
        if (noTerminal != null) {
            err.println("wan tui: " + noTerminal + ". The dashboard needs an interactive terminal: run it in one"
                    + " (over SSH: ssh -t host wan tui). For scripts use 'wan models status --json'.");
            return EXIT_NO_TERMINAL;
        }
        FrameStats frames = new FrameStats();
        try {
            run(ensurer, quota, frames);
        } catch (IOException | UncheckedIOException e) {
            err.println("wan tui: the terminal failed: " + e.getMessage());
            return ErrorCode.Category.FILESYSTEM.exitCode();
        } finally {
            writeStats(frames);
        }
        return 0;
    }

    private void run(ModelEnsurer ensurer, long quota, FrameStats frames) throws IOException {
        Thread gui = Thread.currentThread(); // this thread runs the dashboard: a key wakes it
        WakingInput keyboard = new WakingInput(System.in, () -> java.util.concurrent.locks.LockSupport.unpark(gui));
        Terminal terminal = new DefaultTerminalFactory(System.out, keyboard, StandardCharsets.UTF_8)
                .setForceTextTerminal(true)
                .setUnixTerminalCtrlCBehaviour(UnixLikeTerminal.CtrlCBehaviour.TRAP) // Ctrl-C asks, like q
                .createTerminal();
        TerminalScreen screen = new TerminalScreen(terminal);
        screen.startScreen();
        screen.setCursorPosition(null);
        Duration refresh = Duration.ofMillis((long) (Math.max(0.2, refreshSeconds) * 1000));
        try (Dashboard dashboard = new Dashboard(screen, ensurer, Clock.systemDefaultZone(), refresh, quota, frames,
                true, Cut.forLocale(System.getenv()))) {
            dashboard.run();
        }
    }

    /** Null when stdin and stdout are a terminal we can drive, else why not. */
    @SuppressWarnings("try") // the resource is held for the block (a lock, a terminal): never referenced
    static String whyNoTerminal() {
        java.io.Console console = System.console();
        if (console == null || !isTerminal(console)) {
            return "standard input or output is not a terminal";
        }
        try (FileInputStream tty = new FileInputStream("/dev/tty")) {
            return null;
        } catch (IOException e) {
            return "there is no controlling terminal (/dev/tty: " + e.getMessage() + ")";
        }
    }

    /** Java 22+ has a Console even when redirected and says so with isTerminal(); 17 returns null. */
    private static boolean isTerminal(java.io.Console console) {
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    private void writeStats(FrameStats frames) {
        if (stats == null) {
            return;
        }
        try {
            Files.writeString(stats, frames.json() + "\n");
        } catch (IOException e) {
            err.println("wan tui: cannot write " + stats + ": " + e.getMessage());
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = WanTui.class.getPackage().getImplementationVersion();
            return new String[] {"wan tui " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
