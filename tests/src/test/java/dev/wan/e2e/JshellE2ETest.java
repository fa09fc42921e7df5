package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wan jshell} as a real process, with a script on stdin and typed at its prompt in tmux: the
 * public API is imported, the helpers work at the prompt, and the store and manifest are the ones the
 * command resolved.
 */
class JshellE2ETest {
    private static final Path DEMO = Cli.REPO.resolve("examples/demo/models.toml");

    @TempDir
    Path tmp;

    @Test
    void ensureAtThePromptPlacesTheModelInTheStoreGivenWithRoot() throws Exception {
        Path root = tmp.resolve("store with \"quotes\"");
        String script = """
                var p = ensure("demo-tokenizer@1.0.0");
                System.out.println("PATH=" + p);
                System.out.println("STATE=" + status("demo-tokenizer@1.0.0").state());
                System.out.println("MODELS=" + status().size());
                System.out.println("PINNED=" + pin("demo-tokenizer@1.0.0"));
                /exit
                """;

        Cli.Result r = Cli.java().env("WAN_MODELS_MANIFEST", DEMO.toString())
                .runWithInput(script, "jshell", "--root", root.toString());

        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("PATH=" + root.resolve("wan22/demo-tokenizer@1.0.0")), r.toString());
        assertTrue(r.stdout().contains("STATE=COMPLETE"), r.toString());
        assertTrue(r.stdout().contains("MODELS=3"), r.toString());
        assertTrue(r.stdout().contains("PINNED=true"), r.toString());
        assertTrue(Files.isRegularFile(root.resolve("wan22/demo-tokenizer@1.0.0/spiece.model")));
        assertFalse(r.stdout().contains("Error:"), r.toString());
    }

    @Test
    void inA80x24TerminalEnsureAtThePromptWorksAsTyped() throws Exception {
        Path root = tmp.resolve("root");
        Cli wan = Cli.java().env("HOME", tmp.resolve("home").toString()).env("TERM", "xterm-256color")
                .env("LANG", "C.UTF-8").env("WAN_MODELS_MANIFEST", DEMO.toString());
        try (Tmux t = Tmux.start(Tmux.commandLine(tmp, wan, "jshell", "--root", root.toString()), 80, 24)) {
            t.waitFor("JShell's prompt", Duration.ofSeconds(60), s -> Tmux.lastLine(s).equals("jshell>"));
            t.type("ensure(\"demo-t2v@1.0.0\")");
            t.keys("Enter");
            Path model = root.resolve("wan22/demo-t2v@1.0.0");
            List<String> screen = t.waitFor("the model's path", Duration.ofSeconds(60),
                    s -> String.join("", s).contains(model.toString()) && Tmux.lastLine(s).equals("jshell>"));
            Tmux.save(screen, Path.of("target", "shell-screens", "jshell-ensure.txt"));
            assertFalse(String.join("\n", screen).contains("Error"), String.join("\n", screen));
            assertTrue(Files.isRegularFile(model.resolve("model_index.json")));
            t.type("/exit");
            t.keys("Enter");
            t.waitFor("EXIT=0");
            assertFalse(String.join("\n", t.history()).contains("INFO:"), "no JDK logger lines on the terminal");
        }
        // JShell's history is kept with wan's other caches, owner-only, not in ~/.java
        Path settings = tmp.resolve("home/.cache/wan/jshell.properties");
        assertTrue(Files.readString(settings).contains("ensure("), Files.readString(settings));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(settings)));
        assertFalse(Files.exists(tmp.resolve("home/.java")), "nothing in ~/.java");
    }

    @Test
    void aScriptEndsWithTheExitCodeItAsksFor() throws Exception {
        Cli.Result r = Cli.java().env("MODELS_ROOT", tmp.resolve("store").toString())
                .env("WAN_MODELS_MANIFEST", DEMO.toString())
                .runWithInput("if (status(\"demo-t2v@1.0.0\").state() != ModelState.COMPLETE) System.out.println(\"ABSENT\");\n/exit 4\n",
                        "jshell");

        assertEquals(4, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("ABSENT"), r.toString());
    }

    @Test
    void aBadSettingIsReportedBeforeJshellStarts() throws Exception {
        Cli.Result r = Cli.java().env("MODELS_ROOT", "relative/store").env("WAN_MODELS_MANIFEST", DEMO.toString())
                .runWithInput("System.out.println(\"NEVER\");\n/exit\n", "jshell");

        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("MODELS_ROOT"), r.toString());
        assertFalse(r.stdout().contains("NEVER"), r.toString());
    }
}
