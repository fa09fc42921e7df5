package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mistakes users make: each gets one clear line, a documented exit code and no stack trace. */
class BadInputTest {
    @TempDir
    Path tmp;

    private Cli demo() {
        return Cli.java().env("MODELS_ROOT", tmp.resolve("root").toString()).env("WAN_HOME", Cli.REPO.toString());
    }

    @Test
    void missingManifestNamesThePathAndExits3() throws Exception {
        Path missing = tmp.resolve("nope/models.toml");

        Cli.Result r = demo().env("WAN_MODELS_MANIFEST", missing.toString()).run("models", "status");

        assertEquals(3, r.exitCode(), r.toString());
        assertEquals(1, r.stderr().strip().lines().count(), r.toString());
        assertTrue(r.stderr().contains("MISSING_MANIFEST") && r.stderr().contains(missing.toString()), r.toString());
        assertNoStackTrace(r);
    }

    @Test
    void unknownModelListsTheAvailableIdsAndExits4() throws Exception {
        Cli.Result r = demo().run("ensure", "--only", "nope@1.0.0");

        assertEquals(4, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("MODEL_NOT_FOUND"), r.toString());
        assertTrue(r.stderr().contains("demo-t2v@1.0.0, demo-i2v@1.0.0, demo-tokenizer@1.0.0"), r.toString());
        assertNoStackTrace(r);
    }

    @Test
    void unknownVariantListsTheVariantsAndExits4() throws Exception {
        Cli.Result r = demo().run("ensure", "--only", "demo-t2v@1.0.0", "--variant", "int4");

        assertEquals(4, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("VARIANT_NOT_FOUND") && r.stderr().contains("fp16, bf16"), r.toString());
        assertFalse(Files.exists(tmp.resolve("root/wan22")), "nothing may be created for a rejected request");
        assertNoStackTrace(r);
    }

    @Test
    void unusableModelsRootExits5WithAHint() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "not a directory");

        Cli.Result r = Cli.java().env("MODELS_ROOT", file.resolve("root").toString())
                .env("WAN_HOME", Cli.REPO.toString()).run("ensure", "--all");

        assertEquals(5, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains(file.toString()), r.toString());
        assertNoStackTrace(r);
    }

    @Test
    void unknownOptionIsAUsageErrorExit2() throws Exception {
        Cli.Result r = demo().run("ensure", "--frobnicate");

        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("--frobnicate"), r.toString());
    }

    @Test
    void verboseShowsTheCauseOnlyWhenAsked() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(root.resolve(".tmp"), "a file where wan needs its staging directory");
        Cli cli = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_HOME", Cli.REPO.toString());

        Cli.Result plain = cli.run("ensure", "--all");
        Cli.Result verbose = cli.run("ensure", "--all", "--verbose");

        assertEquals(5, plain.exitCode(), plain.toString());
        assertTrue(plain.stderr().contains("FILESYSTEM_ERROR") && plain.stderr().contains(".tmp"), plain.toString());
        assertNoStackTrace(plain);
        assertEquals(5, verbose.exitCode(), verbose.toString());
        assertTrue(verbose.stderr().contains("\tat "), "--verbose prints the cause's stack trace: " + verbose);
    }

    private static void assertNoStackTrace(Cli.Result r) {
        assertFalse(r.stderr().contains("\tat ") || r.stderr().contains("Exception"), r.toString());
    }
}
