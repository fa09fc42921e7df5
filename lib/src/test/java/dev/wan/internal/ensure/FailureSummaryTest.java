package dev.wan.internal.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One cause, one line: a source that fails every file is reported once, with the count. */
class FailureSummaryTest {
    @TempDir
    Path root;

    @TempDir
    Path local;

    @Test
    void aSourceFailingEveryFileIsOneLineWithTheCountAndAFewExamplesAndPointsToTestSources() throws Exception {
        Fixtures.TestModel m = new Fixtures.TestModel("down@1.0.0").sources("local://empty");
        for (int i = 1; i <= 12; i++) {
            m.file("part-" + i + ".bin", Fixtures.bytes(100, i));
        }
        Files.createDirectories(local.resolve("empty"));
        Fixtures.writeManifest(local.resolve("models.toml"), m);
        ModelEnsurer ensurer = Fixtures.ensurer(root, local.resolve("models.toml"), local);

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure("down@1.0.0"));

        assertEquals(ErrorCode.SOURCE_UNAVAILABLE, e.code());
        assertEquals(1, e.details().size(), e.details().toString());
        String line = e.details().get(0);
        assertTrue(line.startsWith("12 files: local://empty: SOURCE_UNAVAILABLE "), line);
        assertTrue(line.endsWith("(e.g. part-1.bin, part-2.bin, part-3.bin, …)"), line);
        assertFalse(e.getMessage().contains("part-1.bin"), "no file is named as if it were the cause: " + e.getMessage());
        assertTrue(e.getMessage().contains("12 files"), e.getMessage());
        assertTrue(e.hint().contains("wan test-sources down@1.0.0"), e.hint());
    }

    @Test
    void differentCausesAreOneLineEach() throws Exception {
        Fixtures.TestModel m = new Fixtures.TestModel("mixed@1.0.0").sources("local://half");
        for (int i = 1; i <= 4; i++) {
            m.file("part-" + i + ".bin", Fixtures.bytes(100, i));
        }
        m.writeTo(local.resolve("half"));
        Files.delete(local.resolve("half/part-1.bin"));
        Files.delete(local.resolve("half/part-2.bin"));
        Files.write(local.resolve("half/part-3.bin"), Fixtures.bytes(99, 3)); // wrong size
        Fixtures.writeManifest(local.resolve("models.toml"), m);
        ModelEnsurer ensurer = Fixtures.ensurer(root, local.resolve("models.toml"), local);

        WanException e = assertThrows(WanException.class, () -> ensurer.ensure("mixed@1.0.0"));

        assertEquals(2, e.details().size(), e.details().toString());
        assertTrue(e.details().get(0).startsWith("2 files: "), e.details().toString());
        assertTrue(e.details().get(0).endsWith("(e.g. part-1.bin, part-2.bin)"), e.details().toString());
        assertTrue(e.details().get(1).startsWith("1 file: "), e.details().toString());
        assertTrue(e.details().get(1).endsWith("(part-3.bin)"), e.details().toString());
    }
}
