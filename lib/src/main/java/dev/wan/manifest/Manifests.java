package dev.wan.manifest;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.manifest.ManifestParser;
import dev.wan.internal.manifest.PlainToml;
import dev.wan.internal.manifest.TomlNesting;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;

/**
 * Loads and validates {@code models.toml} files. A manifest is untrusted input (wan runs as root on
 * shared machines), so what is read is bounded before the TOML parser sees it: a regular file of at
 * most {@link #MAX_BYTES}, nesting at most {@link #MAX_NESTING} deep.
 */
public final class Manifests {
    /**
     * 16 MiB. The 4-model WAN2.2 manifest is 25 KB; 50,000 files written in its style (path, size,
     * sha256, component) are 10-11 MB and still load. Such a manifest is read by {@link PlainToml} in
     * a few bytes of heap per byte; a manifest that needs tomlj (escapes, inline tables, an error)
     * costs a few hundred (measured: 11 MB parse in 3 GB), so this bound is what keeps a hostile or
     * mistaken manifest ({@code /dev/zero}, a 50 MB file) from taking the machine's memory.
     */
    public static final long MAX_BYTES = 16L << 20;
    /**
     * Arrays and inline tables nested deeper than this are refused before parsing: a manifest needs
     * 2 or 3 levels, and tomlj recurses per level (about 1,000 levels overflow a default stack).
     */
    public static final int MAX_NESTING = 32;

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
        byte[] bytes;
        try {
            bytes = read(file);
        } catch (Refused r) {
            return failed(file, 1, 1, r.getMessage());
        }
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
        TomlNesting.Deepest deep = TomlNesting.firstBeyond(text, MAX_NESTING);
        if (deep != null) {
            return failed(file, deep.line(), deep.column(), "arrays or inline tables nested more than " + MAX_NESTING
                    + " deep: a manifest needs 3 levels at most; flatten this value");
        }
        // The plain reader takes what manifests are made of; anything else, every error included, is tomlj's.
        TomlParseResult toml = PlainToml.parse(text);
        try {
            if (toml == null) {
                toml = Toml.parse(text);
            }
        } catch (TomlParseError e) {
            // tomlj throws some errors instead of collecting them (a surrogate escape in a quoted key)
            TomlPosition at = e.position();
            return failed(file, at == null ? 1 : at.line(), at == null ? 1 : at.column(), "TOML syntax: " + e.getMessage());
        } catch (RuntimeException e) {
            return failed(file, 1, 1, "the TOML parser failed on this manifest (" + e + "): check its syntax");
        } catch (StackOverflowError e) {
            // The scan above should make this unreachable; a parser change must not turn it into a crash.
            return failed(file, 1, 1, "nested too deeply for the TOML parser: flatten the manifest");
        } catch (OutOfMemoryError e) {
            // Everything the parse allocated is garbage once it is unwound, so carrying on is safe.
            return failed(file, 1, 1, "too large for the TOML parser in this JVM's heap (" + bytes.length
                    + " bytes): split the manifest, or give the JVM more memory (-Xmx)");
        }
        ManifestParser parser = new ManifestParser(file, knownSchemes);
        Manifest manifest = parser.parse(toml);
        return new Report(file, manifest, parser.problems());
    }

    private static Report failed(Path file, int line, int column, String message) {
        return new Report(file, null, List.of(new ManifestProblem(ManifestProblem.Severity.ERROR,
                ErrorCode.MANIFEST_VALIDATION_ERROR, file, line, column, message)));
    }

    /**
     * The manifest, or MANIFEST_VALIDATION_ERROR (or the code of the only error) listing every error.
     * {@code knownSchemes} null accepts any well-formed scheme: the API's, whose backends may be
     * added after loading ({@code ModelEnsurer.addStorageBackend}).
     */
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

    /** A file that exists but that wan will not read as a manifest; becomes a validation error. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * At most {@link #MAX_BYTES} of a regular file. Never {@code Files.readAllBytes}: a device or a
     * pipe reports size 0 and then streams without end ({@code /dev/zero}), and a file can grow
     * between the size check and the read, so the limit is enforced while reading too.
     */
    private static byte[] read(Path file) throws Refused {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            if (attrs.isDirectory()) {
                throw new WanException(ErrorCode.MISSING_MANIFEST, "manifest " + file + " is a directory",
                        "point WAN_MODELS_MANIFEST or --manifest at a models.toml file");
            }
            if (!attrs.isRegularFile()) {
                throw new Refused("not a regular file (a device, pipe or socket): point --manifest /"
                        + " WAN_MODELS_MANIFEST at a models.toml file");
            }
            if (attrs.size() > MAX_BYTES) {
                throw tooLarge(attrs.size());
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] bytes = in.readNBytes((int) MAX_BYTES + 1);
                if (bytes.length > MAX_BYTES) {
                    throw tooLarge(bytes.length);
                }
                return bytes;
            }
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

    private static Refused tooLarge(long size) {
        return new Refused("larger than the " + (MAX_BYTES >> 20) + " MiB limit for manifests (" + (size > MAX_BYTES
                ? "at least " + size : size) + " bytes): is this the right file? A 50,000-file manifest is about 11 MB");
    }
}
