package dev.wan.manifest;

import static org.junit.jupiter.api.Assertions.fail;

import dev.wan.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Shared helpers for the manifest tests: writing inline fixtures and summarising reports. */
final class ManifestFixtures {
    private ManifestFixtures() {
    }

    /** One finding reduced to what the tests pin down: its code and its 1-based line. */
    record At(ErrorCode code, int line) {
    }

    static Path write(Path dir, String toml) {
        Path file = dir.resolve("models.toml");
        try {
            Files.writeString(file, toml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static Manifests.Report validate(Path dir, String toml) {
        return Manifests.validate(write(dir, toml));
    }

    static Manifest load(Path dir, String toml) {
        return Manifests.load(write(dir, toml), SourceRef.BUILT_IN_SCHEMES);
    }

    static Set<At> errorsAt(Manifests.Report report) {
        return report.errors().stream().map(p -> new At(p.code(), p.line())).collect(Collectors.toSet());
    }

    static List<ManifestProblem> warnings(Manifests.Report report) {
        return report.warnings();
    }

    /** The single error of a report; fails with every problem listed when there is not exactly one. */
    static ManifestProblem onlyError(Manifests.Report report) {
        List<ManifestProblem> errors = report.errors();
        if (errors.size() != 1) {
            fail("expected exactly one error but got " + errors.size() + ":\n"
                    + report.problems().stream().map(ManifestProblem::toString).collect(Collectors.joining("\n")));
        }
        return errors.get(0);
    }

    /** The repository root: the nearest ancestor of the working directory holding the demo manifest. */
    static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("examples/demo/models.toml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no examples/demo/models.toml above " + Path.of("").toAbsolutePath());
    }
}
