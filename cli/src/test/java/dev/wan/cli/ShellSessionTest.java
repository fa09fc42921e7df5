package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.cli.InProcessWan.Run;
import dev.wan.ensure.Fixtures;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wan shell} fed by a pipe, in this JVM: each line is {@code wan LINE}, and nothing else is printed. */
class ShellSessionTest {
    private static final Path DEMO = Fixtures.repoRoot().resolve("examples/demo/models.toml");

    @TempDir
    Path root;

    @TempDir
    Path cache;

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>(InProcessWan.ISOLATED);
        env.put("MODELS_ROOT", root.toString());
        env.put("WAN_MODELS_MANIFEST", DEMO.toString());
        env.put("XDG_CACHE_HOME", cache.toString());
        return env;
    }

    private Run shell(String input) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ShellSession session = new ShellSession(env(), new PrintWriter(out), new PrintWriter(err),
                ShellHistory.file(env()));

        int code = session.piped(new BufferedReader(new StringReader(input)));

        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void eachLinePrintsWhatTheSameCommandPrintsAndNothingElse() throws Exception {
        Run shell = shell("status\nlist\nverify nope\n");

        Run status = InProcessWan.bare(env(), "status");
        Run list = InProcessWan.bare(env(), "list");
        Run verify = InProcessWan.bare(env(), "verify", "nope");
        assertEquals(status.out() + list.out() + verify.out(), shell.out());
        assertEquals(status.err() + list.err() + verify.err(), shell.err());
    }

    @Test
    void aLeadingWanTypedOutOfHabitIsDropped() throws Exception {
        Run shell = shell("wan verify nope\nwan\n");

        Run cli = InProcessWan.bare(env(), "verify", "nope");
        assertEquals(cli, shell);
    }

    @Test
    void theExitCodeIsTheLastCommands() throws Exception {
        assertEquals(4, shell("status\nverify nope\n").code()); // MODEL_NOT_FOUND
        assertEquals(0, shell("verify nope\nstatus\n").code());
        assertEquals(2, shell("status --frobnicate\n").code());
    }

    @Test
    void exitLeavesWithTheLastCodeOrTheOneGivenAndRunsNothingAfter() throws Exception {
        Run plain = shell("verify nope\nexit\nstatus\n");
        Run given = shell("quit 5\nstatus\n");

        assertEquals(4, plain.code());
        assertEquals("", plain.out());
        assertEquals(5, given.code());
        assertEquals("", given.out());
    }

    @Test
    void quotesGroupWordsAsInAShell() throws Exception {
        Run r = shell("verify 'no such model' --variant \"b f\"\n");

        Run cli = InProcessWan.bare(env(), "verify", "no such model", "--variant", "b f");
        assertEquals(cli, r);
        assertTrue(r.err().contains("no such model"), r.err());
    }

    @Test
    void anUnclosedQuoteIsAUsageErrorAndTheLineIsNotRun() throws Exception {
        Run r = shell("ensure --all 'demo\n");

        assertEquals(2, r.code());
        assertTrue(r.err().contains("unclosed ' (quote) at column 14; the line was not run"), r.err());
        assertFalse(Files.exists(root.resolve("wan22")), "nothing was ensured");
    }

    @Test
    void theShellInsideTheShellAndTheDashboardAreRefused() throws Exception {
        Run shell = shell("shell\n");
        Run models = shell("models shell\n");
        Run tui = shell("tui\n");

        assertEquals(2, shell.code());
        assertTrue(shell.err().contains("already in wan shell"), shell.err());
        assertEquals(2, models.code());
        assertEquals(2, tui.code());
        assertTrue(tui.err().contains("'jbang wan-tui@org'"), tui.err());
    }

    @Test
    void helpListsTheVerbsAndHowToLeave() throws Exception {
        Run r = shell("help\n");

        assertEquals(0, r.code());
        assertTrue(r.out().contains("ensure") && r.out().contains("verify"), r.out());
        assertTrue(r.out().contains("exit, quit or Ctrl-D leave the shell"), r.out());
    }

    @Test
    void historyIsKeptInTheCacheDirectoryReadableByItsOwnerOnly() throws Exception {
        shell("status\n\n   \nlist\n");

        Path history = cache.resolve("wan/shell_history");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history)));
        List<String> lines = Files.readAllLines(history);
        assertEquals(2, lines.size(), lines.toString()); // blank lines are not history
        assertTrue(lines.get(0).endsWith(":status") && lines.get(1).endsWith(":list"), lines.toString());
    }

    @Test
    void historyIsTrimmedToTheLastThousandLinesOnceItPassesAQuarterMoreAndStaysOwnerOnly() throws Exception {
        StringBuilder input = new StringBuilder();
        int typed = ShellHistory.SIZE + ShellHistory.SIZE / 4 + 1;
        for (int i = 0; i < typed; i++) {
            input.append("# line ").append(i).append('\n');
        }

        shell(input.toString());

        Path history = cache.resolve("wan/shell_history");
        List<String> lines = Files.readAllLines(history);
        assertEquals(ShellHistory.SIZE, lines.size());
        assertTrue(lines.get(0).endsWith(":# line " + (typed - ShellHistory.SIZE)), lines.get(0));
        assertTrue(lines.get(lines.size() - 1).endsWith(":# line " + (typed - 1)), lines.get(lines.size() - 1));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history)));
    }

    @Test
    void aHistoryFileOpenToOthersIsMadeOwnerOnly() throws Exception {
        Path history = cache.resolve("wan/shell_history");
        Files.createDirectories(history.getParent());
        Files.writeString(history, "1:status\n");
        Files.setPosixFilePermissions(history, PosixFilePermissions.fromString("rw-rw-rw-"));

        shell("list\n");

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history)));
        assertEquals(List.of("1:status"), Files.readAllLines(history).subList(0, 1));
    }
}
