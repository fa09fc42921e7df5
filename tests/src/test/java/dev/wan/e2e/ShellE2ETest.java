package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.internal.TestHooks;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wan shell} as its own process, as a user runs it: fed by a real pipe (what it prints must
 * be what the same commands print as {@code wan ARGS}), and typed into in a real terminal (tmux):
 * Tab shows the model ids, Ctrl-C cancels a running ensure and the shell lives on.
 */
class ShellE2ETest {
    private static final Path DEMO = Cli.REPO.resolve("examples/demo/models.toml");

    @TempDir
    Path tmp;

    @Test
    void pipedLinesPrintExactlyWhatTheCliPrintsAndTheHistoryIsOwnerOnly() throws Exception {
        Path shellRoot = tmp.resolve("shell-root");
        Path cliRoot = tmp.resolve("cli-root");
        Path home = tmp.resolve("home");
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = Cli.java().env("HOME", home.toString())
                .builder("shell", "--root", shellRoot.toString(), "--manifest", DEMO.toString())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (OutputStream stdin = p.getOutputStream()) { // a pipe, as with printf … | wan shell
            stdin.write("status\nensure demo-tokenizer@1.0.0 -q\nexit\n".getBytes(StandardCharsets.UTF_8));
        }
        Cli.Result shell = Cli.await(p, out, err, "shell");

        Cli.Result status = Cli.java().run("status", "--root", cliRoot.toString(), "--manifest", DEMO.toString());
        Cli.Result ensure = Cli.java().run("ensure", "demo-tokenizer@1.0.0", "-q", "--root", cliRoot.toString(),
                "--manifest", DEMO.toString());
        assertEquals(0, shell.exitCode(), shell.toString());
        assertEquals((status.stdout() + ensure.stdout()).replace(cliRoot.toString(), shellRoot.toString()),
                shell.stdout());
        assertEquals((status.stderr() + ensure.stderr()).replace(cliRoot.toString(), shellRoot.toString()),
                shell.stderr());
        assertTrue(shell.stdout().endsWith(shellRoot.resolve("wan22/demo-tokenizer@1.0.0") + "\n"), shell.stdout());
        Path history = home.resolve(".cache/wan/shell_history");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history)));
        List<String> lines = Files.readAllLines(history);
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(1).endsWith(":ensure demo-tokenizer@1.0.0 -q"), lines.toString());
    }

    @Test
    void pipedShellEndsWithTheLastCommandsExitCode() throws Exception {
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = Cli.java().env("WAN_MODELS_MANIFEST", DEMO.toString())
                .env("MODELS_ROOT", tmp.resolve("root").toString()).builder("shell")
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write("list\nverify no-such-model\n".getBytes(StandardCharsets.UTF_8));
        }
        Cli.Result shell = Cli.await(p, out, err, "shell");

        assertEquals(4, shell.exitCode(), shell.toString()); // MODEL_NOT_FOUND, and end of input leaves
        assertTrue(shell.stderr().contains("MODEL_NOT_FOUND"), shell.stderr());
        assertTrue(!shell.stdout().contains("wan>"), "no prompt on a pipe: " + shell.stdout());
    }

    @Test
    void inATerminalTabShowsModelIdsAndCtrlCCancelsTheRunningEnsureButNotTheShell() throws Exception {
        Path root = tmp.resolve("root");
        Path home = tmp.resolve("home");
        Path paused = tmp.resolve("paused");
        // the 3rd 64 KiB written by a local copy waits there until its thread is interrupted (Ctrl-C)
        Cli wan = Cli.java().env("HOME", home.toString()).env("TERM", "xterm-256color").env("LANG", "C.UTF-8")
                .pauseAt(TestHooks.Point.STAGED_WRITE, 3, paused).property("wan.test.pauseUntil", "interrupt");
        try (Tmux t = Tmux.start(Tmux.commandLine(tmp, wan, "shell", "--root", root.toString(), "--manifest", DEMO.toString()),
                100, 30)) {
            t.waitFor("the prompt", Duration.ofSeconds(30), s -> Tmux.lastLine(s).equals("wan>"));

            t.type("ensure demo-");
            t.keys("Tab");
            List<String> offered = t.waitFor("the demo ids", Duration.ofSeconds(15), s -> String.join("\n", s)
                    .matches("(?s).*demo-i2v@1\\.0\\.0.*demo-t2v@1\\.0\\.0.*demo-tokenizer@1\\.0\\.0.*"));
            Tmux.save(offered, Path.of("target", "shell-screens", "01-tab-ids.txt"));
            t.keys("C-c"); // at the prompt: drops the line
            t.waitFor("an empty prompt", Duration.ofSeconds(10), s -> Tmux.lastLine(s).equals("wan>"));

            t.type("ensure demo-t2v@1.0.0");
            t.keys("Enter");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(paused)) {
                assertTrue(System.nanoTime() < deadline, "the ensure never reached its pause:\n"
                        + String.join("\n", t.screen()));
                Thread.sleep(50);
            }
            t.keys("C-c");
            List<String> cancelled = t.waitFor("the prompt after the cancel", Duration.ofSeconds(30),
                    s -> Tmux.lastLine(s).equals("wan [130]>"));
            Tmux.save(cancelled, Path.of("target", "shell-screens", "02-cancelled.txt"));
            String screen = String.join("\n", cancelled);
            assertTrue(screen.contains("wan: cancelled (exit 130)"), screen);
            assertTrue(screen.contains("wan: INTERRUPTED: "), "the command itself says it was interrupted:\n" + screen);
            assertTrue(!screen.contains("failed (SOURCE_UNAVAILABLE)"), "a cancel is no source failure:\n" + screen);
            assertTrue(!screen.contains("demo-t2v@1.0.0 ready"), screen);
            assertTrue(!Files.exists(root.resolve("wan22/demo-t2v@1.0.0")), "nothing partial is published");

            // the same shell goes on: the model's lock was released, the ensure resumes and finishes
            t.type("ensure demo-t2v@1.0.0");
            t.keys("Enter");
            t.waitFor("the second ensure", Duration.ofSeconds(60), s -> String.join("\n", s)
                    .contains("demo-t2v@1.0.0 ready: " + root.resolve("wan22/demo-t2v@1.0.0")) && Tmux.lastLine(s).equals("wan>"));
            t.type("exit");
            t.keys("Enter");
            t.waitFor("EXIT=0");
        }
        List<String> history = Files.readAllLines(home.resolve(".cache/wan/shell_history"));
        // a line dropped with Ctrl-C is not history; the same line twice in a row is kept once (as bash's ignoredups)
        assertEquals(List.of("ensure demo-t2v@1.0.0", "exit"),
                history.stream().map(l -> l.substring(l.indexOf(':') + 1)).toList());
    }
}
