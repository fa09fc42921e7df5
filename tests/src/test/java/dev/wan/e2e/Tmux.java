package dev.wan.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real terminal for end-to-end tests: a tmux server on a private socket running one command in
 * a window of a fixed size (recipe in DESIGN.md). Keys go in with {@code send-keys}, the screen
 * comes back with {@code capture-pane}; waits poll the screen, never sleep a fixed time.
 */
final class Tmux implements AutoCloseable {
    private final String socket;

    private Tmux(String socket) {
        this.socket = socket;
    }

    /** Starts {@code command} (a shell command line) in a {@code columns}x{@code rows} window. */
    static Tmux start(String command, int columns, int rows) throws IOException, InterruptedException {
        Process which = new ProcessBuilder("sh", "-c", "command -v tmux").start();
        if (!which.waitFor(10, TimeUnit.SECONDS) || which.exitValue() != 0) {
            throw new AssertionError("tmux is not installed: apt-get install tmux (.ci/run does)");
        }
        Tmux t = new Tmux("wan-e2e-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        t.tmux("-f", "/dev/null", "new-session", "-d", "-x", Integer.toString(columns), "-y", Integer.toString(rows),
                command + "; echo EXIT=$?; sleep 600");
        return t;
    }

    /**
     * The shell command line (for {@link #start}) that runs {@code args} with {@code runner} in
     * {@code dir}, with exactly the runner's environment ({@code env -i}): a parent's LC_* is left out,
     * a locale the test set with {@link Cli#env} is kept (screens are read back as UTF-8).
     */
    static String commandLine(Path dir, Cli runner, String... args) throws IOException {
        StringBuilder cmd = new StringBuilder("cd " + quote(dir.toString()) + " && env -i");
        runner.environment().forEach((k, v) -> {
            if (!k.startsWith("LC_") || runner.sets(k)) {
                cmd.append(' ').append(k).append('=').append(quote(v));
            }
        });
        for (String word : runner.command(args)) {
            cmd.append(' ').append(quote(word));
        }
        return cmd.toString();
    }

    /** {@code s} as one word of a POSIX shell. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The last row of {@code screen} that is not blank, stripped. */
    static String lastLine(List<String> screen) {
        for (int i = screen.size() - 1; i >= 0; i--) {
            if (!screen.get(i).isBlank()) {
                return screen.get(i).strip();
            }
        }
        return "";
    }

    /** The screen as text, one string per row (joined wrapped lines, trailing blanks cut). */
    List<String> screen() throws IOException, InterruptedException {
        return List.of(tmux("capture-pane", "-p", "-J").split("\n", -1));
    }

    /** The scrollback and the screen, oldest first (what scrolled or was reflowed off the top is kept there). */
    List<String> history() throws IOException, InterruptedException {
        return List.of(tmux("capture-pane", "-p", "-J", "-S", "-").split("\n", -1));
    }

    void keys(String... keys) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("send-keys"));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** Types text literally (no key names). */
    void type(String text) throws IOException, InterruptedException {
        tmux("send-keys", "-l", text);
    }

    void resize(int columns, int rows) throws IOException, InterruptedException {
        tmux("resize-window", "-x", Integer.toString(columns), "-y", Integer.toString(rows));
    }

    /** Polls the screen until {@code done} holds; fails with the last screen after {@code timeout}. */
    List<String> waitFor(String what, Duration timeout, Predicate<List<String>> done)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> last = screen();
        while (System.nanoTime() < deadline) {
            last = screen();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + ":\n"
                + String.join("\n", last));
    }

    List<String> waitFor(String text) throws IOException, InterruptedException {
        return waitFor("'" + text + "'", Duration.ofSeconds(30), s -> String.join("\n", s).contains(text));
    }

    /** Writes the screen to {@code file} (the README's screenshots come from these). */
    static void save(List<String> screen, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        List<String> lines = new ArrayList<>(screen);
        while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
            lines.remove(lines.size() - 1);
        }
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }

    private String tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("tmux " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the test is being stopped: leave the server to its socket's cleanup
        }
    }
}
