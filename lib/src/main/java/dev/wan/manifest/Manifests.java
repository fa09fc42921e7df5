package dev.wan.manifest;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.tomlj.Toml;

/** Loads and validates {@code models.toml} files. */
public final class Manifests {
    private Manifests() {
    }

    /** All problems of a manifest file, and the manifest itself when it has no errors. */
    public record Report(Path file, Manifest manifest, List<ManifestProblem> problems) {
        public Report {
            problems = List.copyOf(problems);
        }

        public boolean valid() {
            return manifest != null;
        }

        public List<ManifestProblem> errors() {
            return problems.stream().filter(ManifestProblem::isError).toList();
        }

        public List<ManifestProblem> warnings() {
            return problems.stream().filter(p -> !p.isError()).toList();
        }
    }

    public static Report validate(Path file) {
        return validate(file, SourceRef.BUILT_IN_SCHEMES);
    }

    /** Throws MISSING_MANIFEST when the file cannot be read; everything else is in the report. */
    public static Report validate(Path file, Set<String> knownSchemes) {
        byte[] bytes = read(file);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        if (StandardCharsets.UTF_8.newDecoder().decode(in, out, true).isError()) {
            int line = 1;
            int column = 1;
            for (int i = 0; i < in.position(); i++) {
                line += bytes[i] == '\n' ? 1 : 0;
                column = bytes[i] == '\n' ? 1 : column + 1;
            }
            return new Report(file, null, List.of(new ManifestProblem(ManifestProblem.Severity.ERROR,
                    ErrorCode.MANIFEST_VALIDATION_ERROR, file, line, column,
                    "not UTF-8 text (TOML files must be UTF-8): save the manifest as UTF-8")));
        }
        String text = out.flip().toString();
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte-order mark, as Windows editors write it
        }
        ManifestParser parser = new ManifestParser(file, knownSchemes);
        Manifest manifest = parser.parse(Toml.parse(text));
        return new Report(file, manifest, parser.problems());
    }

    /** The manifest, or MANIFEST_VALIDATION_ERROR (or the code of the only error) listing every error. */
    public static Manifest load(Path file, Set<String> knownSchemes) {
        Report report = validate(file, knownSchemes);
        if (report.valid()) {
            return report.manifest();
        }
        List<ManifestProblem> errors = report.errors();
        ErrorCode code = errors.stream().map(ManifestProblem::code).distinct().count() == 1
                ? errors.get(0).code() : ErrorCode.MANIFEST_VALIDATION_ERROR;
        throw new WanException(code, "manifest " + file + " has " + errors.size() + " error(s)",
                "fix them (wan models validate-manifest " + file + " lists them all)",
                errors.stream().map(ManifestProblem::toString).toList(), null);
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new WanException(ErrorCode.MISSING_MANIFEST, "manifest " + file + " does not exist",
                    "set WAN_MODELS_MANIFEST or pass --manifest FILE");
        } catch (AccessDeniedException e) {
            throw new WanException(ErrorCode.MISSING_MANIFEST, "manifest " + file + " is not readable (permission denied)",
                    "check its permissions, or point WAN_MODELS_MANIFEST / --manifest elsewhere");
        } catch (IOException e) {
            throw new WanException(ErrorCode.MISSING_MANIFEST, "manifest " + file + " cannot be read: " + e.getMessage(),
                    "check the path given by WAN_MODELS_MANIFEST or --manifest", List.of(), e);
        }
    }
}
