package dev.wan.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.testkit.ScaleManifests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 50,000-file manifest loads (tomlj alone needed over 3 GB for it) and its problems keep their
 * line numbers. No timing here: bench/ and the generator's {@code measure} mode time it.
 */
class ManifestScaleTest {
    @Test
    void fiftyThousandFilesLoad(@TempDir Path dir) throws IOException {
        Path file = ScaleManifests.write(dir, 50_000, 100, false);
        Manifests.Report report = Manifests.validate(file);
        assertTrue(report.valid(), () -> report.problems().toString());
        assertEquals(100, report.manifest().models().size());
        assertEquals(50_000, report.manifest().models().values().stream().mapToInt(m -> m.files().size()).sum());
    }

    @Test
    void anErrorAtTheEndOfALargeManifestNamesItsLine(@TempDir Path dir) throws IOException {
        Path file = ScaleManifests.write(dir, 20_000, 10, false);
        long lines = Files.readAllLines(file).size();
        Files.writeString(file, """
                [[models."gen-009@1.0.9".files]]
                path = "extra.json"
                size = 1
                sha256 = "not-hex"
                """, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Manifests.Report report = Manifests.validate(file);
        assertFalse(report.valid());
        List<ManifestProblem> errors = report.errors();
        assertEquals(1, errors.size(), errors::toString);
        assertEquals(lines + 4, errors.get(0).line(), errors::toString);
        assertEquals(1, errors.get(0).column(), errors::toString);
        assertTrue(errors.get(0).message().contains("malformed sha256"), errors::toString);
    }
}
