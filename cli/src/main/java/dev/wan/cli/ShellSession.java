package dev.wan.cli;

import dev.wan.WanConfig;
import dev.wan.manifest.Manifest;
import dev.wan.manifest.Manifests;
import dev.wan.text.TerminalText;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.History;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * One {@code wan shell}: reads lines, runs each as {@code wan ARGS} with the shell's environment and
 * writers, remembers the last exit code. {@link #piped} serves a pipe (no prompt, no echo: stdout
 * carries exactly what the commands print); {@link #interactive} a terminal, where a command runs on
 * a worker thread so that Ctrl-C can interrupt it (wan maps that to INTERRUPTED, exit 130) while the
 * shell lives on.
 */
final class ShellSession {
    /** The exit code of a command cancelled with Ctrl-C, as a POSIX shell reports a process ended by SIGINT. */
    static final int CANCELLED = dev.wan.ErrorCode.INTERRUPTED.exitCode();
    /** Ctrl-C presses after which a command that does not stop is left running in the background. */
    static final int ABANDON_AFTER = 3;
    static final String HELP = String.join("\n", "",
            "In the shell: any command above without 'wan' (e.g. 'ensure demo-t2v --variant bf16');"
                    + " Tab completes commands, options, model ids and variants;",
            "Ctrl-C cancels the running command; exit, quit or Ctrl-D leave the shell.");

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Path historyFile;
    private final Supplier<Manifest> manifests;
    private int lastCode = WanCli.EXIT_OK;
    /** The command running on its worker thread (interactive only), and the Ctrl-C presses it got. */
    private volatile Thread running;
    private final AtomicInteger cancels = new AtomicInteger();

    ShellSession(Map<String, String> env, PrintWriter out, PrintWriter err, Path historyFile) {
        this.env = Map.copyOf(env);
        this.out = out;
        this.err = err;
        this.historyFile = historyFile;
        this.manifests = new ManifestCache(this.env);
    }

    /** Lines from a pipe (or a file): each is run, nothing else is printed; returns the last command's code. */
    int piped(BufferedReader in) throws IOException {
        try (Terminal none = TerminalBuilder.builder().system(false).dumb(true)
                .streams(InputStream.nullInputStream(), OutputStream.nullOutputStream()).build()) {
            History history = reader(none, false).getHistory(); // no Tab in a pipe: no completer
            String line;
            while ((line = in.readLine()) != null) {
                remember(history, line);
                if (!handle(line, this::runHere)) {
                    break;
                }
            }
            save(history);
        }
        return lastCode;
    }

    /** The line editor on the terminal; returns the last command's code when the user leaves. */
    int interactive() throws IOException {
        try (Terminal terminal = TerminalBuilder.builder().system(true).name("wan").build()) {
            LineReader reader = reader(terminal, true);
            terminal.handle(Terminal.Signal.INT, signal -> cancel());
            while (true) {
                String line;
                try {
                    line = reader.readLine(prompt());
                } catch (UserInterruptException e) {
                    continue; // Ctrl-C at the prompt: the line is dropped, the shell stays
                } catch (EndOfFileException e) {
                    break; // Ctrl-D
                }
                save(reader.getHistory());
                if (!handle(line, this::runOnWorker)) {
                    break;
                }
            }
            save(reader.getHistory());
        }
        return lastCode;
    }

    /** Runs one line; false when it asks to leave the shell. */
    boolean handle(String line, Function<List<String>, Integer> runner) {
        List<String> args;
        try {
            args = ShellLine.split(line);
        } catch (IllegalArgumentException e) {
            return refuse(e.getMessage() + "; the line was not run");
        }
        if (!args.isEmpty() && args.get(0).equals("wan")) {
            args = args.subList(1, args.size()); // 'wan status' typed out of habit is 'status'
        }
        if (args.isEmpty()) {
            return true;
        }
        String verb = args.get(0);
        if (verb.equals("exit") || verb.equals("quit")) {
            if (args.size() > 1) {
                try {
                    lastCode = Integer.parseInt(args.get(1));
                } catch (NumberFormatException e) {
                    return refuse(verb + " takes an exit code (a number), got '" + args.get(1) + "'");
                }
            }
            return false;
        }
        if (verb.equals("shell") || (verb.equals("models") && args.size() > 1 && args.get(1).equals("shell"))) {
            return refuse("already in wan shell");
        }
        if (verb.equals("tui")) {
            return refuse("the dashboard does not run inside the shell: leave it (exit) and run 'jbang wan-tui@org' (or './wan tui')");
        }
        lastCode = runner.apply(args);
        if (args.equals(List.of("help"))) {
            out.println(HELP);
            out.flush();
        }
        return true;
    }

    int lastCode() {
        return lastCode;
    }

    Supplier<Manifest> manifests() {
        return manifests;
    }

    private boolean refuse(String message) {
        err.println(TerminalText.escape("wan: " + message));
        err.flush();
        lastCode = WanCli.EXIT_USAGE;
        return true;
    }

    private int runHere(List<String> args) {
        return WanCli.run(env, out, err, args.toArray(String[]::new));
    }

    /**
     * Runs the command on a worker thread and waits for it. Ctrl-C interrupts the worker; the code
     * is then {@link #CANCELLED}, whatever the command returned. A command that ignores
     * {@link #ABANDON_AFTER} presses is left to run in the background (a daemon thread).
     */
    private int runOnWorker(List<String> args) {
        int[] code = {WanCli.EXIT_INTERNAL};
        Thread worker = new Thread(() -> code[0] = runHere(args), "wan-shell-command");
        worker.setDaemon(true);
        cancels.set(0);
        running = worker;
        worker.start();
        boolean abandoned = false;
        while (worker.isAlive() && !abandoned) {
            try {
                worker.join(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            abandoned = cancels.get() >= ABANDON_AFTER;
        }
        running = null;
        out.flush();
        if (abandoned) {
            err.println("wan: the command did not stop; it goes on in the background (the shell's exit ends it)");
        }
        if (cancels.get() > 0) {
            err.println("wan: cancelled (exit " + CANCELLED + ")");
            err.flush();
            return CANCELLED;
        }
        return code[0];
    }

    /** Ctrl-C while a command runs (the signal's thread): interrupt the command. */
    void cancel() {
        Thread w = running;
        if (w != null) {
            int n = cancels.incrementAndGet();
            w.interrupt();
            if (n == 1) {
                err.println();
                err.println("wan: cancelling (Ctrl-C " + (ABANDON_AFTER - 1)
                        + " more times leaves the command running in the background)");
                err.flush();
            }
        }
    }

    private String prompt() {
        return lastCode == 0 ? "wan> " : "wan [" + lastCode + "]> ";
    }

    private LineReader reader(Terminal terminal, boolean completion) throws IOException {
        ShellHistory.secure(historyFile);
        LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("wan")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true);
        if (completion) {
            builder.completer(completerInBackground());
        }
        LineReader reader = ShellHistory.configure(builder, historyFile).build();
        reader.getHistory().attach(reader);
        return reader;
    }

    /**
     * Completion reads picocli's model of the whole command tree, about a third of a second of
     * reflection: it is built on a thread of its own from the start, so the first prompt does not
     * wait for it and the first Tab (seconds later) finds it ready.
     */
    private Completer completerInBackground() {
        FutureTask<ShellCompleter> tree = new FutureTask<>(
                () -> new ShellCompleter(WanCli.commandLine(env).getCommandSpec(), manifests));
        Thread builder = new Thread(tree, "wan-shell-completion");
        builder.setDaemon(true);
        builder.start();
        return (reader, line, candidates) -> {
            try {
                tree.get().complete(reader, line, candidates);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // Ctrl-C while waiting: no candidates this time
            } catch (ExecutionException e) {
                throw new IllegalStateException("wan shell: completion's command tree failed to build", e.getCause());
            }
        };
    }

    private static void remember(History history, String line) {
        if (!line.isBlank()) {
            history.add(line);
        }
    }

    private void save(History history) {
        try {
            history.save();
            ShellHistory.secure(historyFile);
        } catch (IOException e) {
            err.println(TerminalText.escape("wan: history not saved to " + historyFile + ": " + e.getMessage()));
            err.flush();
        }
    }

    /** The shell's manifest for completion, read again when its file changes; null while it cannot be read. */
    private static final class ManifestCache implements Supplier<Manifest> {
        private final Map<String, String> env;
        private FileTime seen;
        private Manifest cached;

        ManifestCache(Map<String, String> env) {
            this.env = env;
        }

        @Override
        public synchronized Manifest get() {
            try {
                Path file = WanConfig.resolve(env, null, null).manifest();
                FileTime modified = Files.getLastModifiedTime(file);
                if (!modified.equals(seen)) {
                    cached = Manifests.load(file, null);
                    seen = modified;
                }
                return cached;
            } catch (IOException | RuntimeException e) {
                return null; // completion offers no ids; running a command reports the problem
            }
        }
    }
}
