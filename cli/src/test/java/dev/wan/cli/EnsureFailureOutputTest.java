package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A source down for every file of a model: one line for the cause, not one per file. */
class EnsureFailureOutputTest {
    @TempDir
    Path tmp;

    @Test
    void aSourceFailingTwelveFilesIsSaidOnceAndTheSummaryCountsThemAndPointsToTestSources() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Fixtures.TestModel m = new Fixtures.TestModel("down@1.0.0").sources(empty.toUri().toString());
        for (int i = 1; i <= 12; i++) {
            m.file("part-" + i + ".bin", Fixtures.bytes(100, i));
        }
        Path manifest = tmp.resolve("models.toml");
        Fixtures.writeManifest(manifest, m);

        InProcessWan.Run r = InProcessWan.run(tmp.resolve("root"), manifest, "ensure", "down@1.0.0");

        assertEquals(6, r.code(), r.err());
        long perFile = r.err().lines().filter(l -> l.contains(" failed (")).count();
        assertEquals(1, perFile, r.err());
        assertTrue(r.err().contains("  12 files: file:"), r.err());
        assertTrue(r.err().contains("wan test-sources down@1.0.0"), r.err());
        assertFalse(r.err().contains("wan models status"), r.err());
    }
}
