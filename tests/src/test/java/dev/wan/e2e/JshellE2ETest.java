package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code wan jshell} as a real process with a script on stdin: the public API is imported, the
 * helpers work at the prompt, and the store and manifest are the ones the command resolved.
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
