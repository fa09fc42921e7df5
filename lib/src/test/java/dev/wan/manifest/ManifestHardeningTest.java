package dev.wan.manifest;

import static dev.wan.manifest.ManifestFixtures.onlyError;
import static dev.wan.manifest.ManifestFixtures.validate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.internal.manifest.Glob;
import dev.wan.internal.manifest.ModelPaths;
import dev.wan.internal.manifest.SourceUris;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 9, findings 6 and 7: hostile manifests end in validation errors, never in crashes or bad files. */
class ManifestHardeningTest {
    @TempDir
    Path dir;

    /** A one-model manifest whose single file has {@code tomlPath} (TOML-escaped) and whose source is {@code uri}. */
    private static String manifest(String id, String tomlPath, String uri, String extraModelKeys) {
        return """
                schema_version = 1
                [models."%1$s"]
                %4$s
                [[models."%1$s".files]]
                path = "%2$s"
                size = 1
                [models."%1$s".sources]
                priority = ["%3$s"]
                """.formatted(id, tomlPath, uri, extraModelKeys);
    }

    private static String withPath(String tomlPath) {
        return manifest("m@1.0.0", tomlPath, "local://m", "");
    }

    private static String withSource(String uri) {
        return manifest("m@1.0.0", "a.bin", uri, "");
    }

    // ---- finding 6: crashes ----

    @Test
    void arraysNestedAThousandDeepAreAValidationErrorNotAStackOverflow() {
        String toml = "schema_version = 1\nx = " + "[".repeat(1000) + "]".repeat(1000) + "\n";

        Manifests.Report report = validate(dir, toml);

        ManifestProblem p = onlyError(report);
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertTrue(p.message().contains("nested more than " + Manifests.MAX_NESTING), p.message());
        assertEquals(2, p.line());
    }

    @Test
    void inlineTablesNestedDeeplyAreAValidationErrorToo() {
        String toml = "schema_version = 1\nx = " + "{a = ".repeat(3000) + "1" + "}".repeat(3000) + "\n";

        Manifests.Report report = validate(dir, toml);

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, onlyError(report).code());
    }

    @Test
    void bracketsInsideStringsAndCommentsDoNotCountAsNesting() {
        String brackets = "[".repeat(100);
        String toml = manifest("m@1.0.0", "a.bin", "local://m", "description = \"" + brackets + "\"\n# " + brackets
                + "\nresolution_caps = ['" + brackets + "', \"\"\"" + brackets + "\"\"\"]");

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid(), report.problems().toString());
    }

    @Test
    void surrogateEscapeInAQuotedKeyIsASyntaxErrorNotAnException() {
        String toml = "schema_version = 1\n[models.\"m\\uDFFFx@1.0.0\"]\n";

        Manifests.Report report = validate(dir, toml);

        ManifestProblem p = onlyError(report);
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertTrue(p.message().startsWith("TOML syntax: "), p.message());
    }

    @Test
    void deviceFileIsRefusedWithoutReadingIt() {
        Manifests.Report report = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> Manifests.validate(Path.of("/dev/zero")));

        ManifestProblem p = onlyError(report);
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertTrue(p.toString().startsWith("/dev/zero:1:1:"), p.toString());
        assertTrue(p.message().contains("not a regular file"), p.message());
    }

    @Test
    void manifestLargerThanTheLimitIsRefusedNamingFileAndLimit() throws IOException {
        Path big = dir.resolve("big.toml");
        try (Writer w = Files.newBufferedWriter(big)) {
            w.write("schema_version = 1\n");
            String line = "#" + "x".repeat(1 << 20) + "\n";
            for (long n = 0; n <= Manifests.MAX_BYTES; n += line.length()) {
                w.write(line);
            }
        }

        Manifests.Report report = Manifests.validate(big);

        ManifestProblem p = onlyError(report);
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertTrue(p.toString().startsWith(big + ":1:1:"), p.toString());
        assertTrue(p.message().contains("16 MiB limit"), p.message());
    }

    @Test
    void fiftyThousandFileManifestInTheStyleOfWan22FitsUnderTheLimit() {
        StringBuilder toml = new StringBuilder("schema_version = 1\n[models.\"big@1.0.0\"]\n");
        for (int i = 0; i < 50_000; i++) {
            toml.append("\n[[models.\"big@1.0.0\".files]]\npath = \"high_noise_model/diffusion_pytorch_model-")
                    .append(String.format("%05d", i)).append("-of-50000.safetensors\"\nsize = 9999999999\nsha256 = \"")
                    .append(String.format("%064x", i)).append("\"\ncomponent = \"transformer\"\n");
        }

        long bytes = toml.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;

        assertTrue(bytes < Manifests.MAX_BYTES, bytes + " bytes");
    }

    @Test
    void invertedRangeInAllowPatternsIsAValidationErrorNamingModelAndPattern() {
        Manifests.Report report = validate(dir, manifest("m@1.0.0", "a.bin", "local://m", "allow_patterns = [\"[z-a]\"]"));

        ManifestProblem p = onlyError(report);
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertTrue(p.message().contains("m@1.0.0") && p.message().contains("'[z-a]'"), p.message());
    }

    @Test
    void patternWithManyStarsMatchesALongPathQuickly() {
        String path = "a".repeat(1000);

        boolean matched = assertTimeoutPreemptively(Duration.ofSeconds(2),
                () -> Glob.matches("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", path));

        assertFalse(matched);
        assertTrue(Glob.matches("*a*a*b", "xaxxab"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///a%zz", "file:///a|b", "file:///a^b", "file:///a%00b", "file:///srv/x?y", "file:///srv#x"})
    void fileUriTheBackendCannotParseIsAValidationError(String uri) {
        Manifests.Report report = validate(dir, withSource(uri));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, onlyError(report).code());
    }

    // ---- finding 7: validator gaps ----

    @ParameterizedTest
    @ValueSource(strings = {"a\\u007Fb", "a\\u0085b", "a\\u009Bb", "a\\u2028b", "a\\u2029b", "a\\u202Eb", "a\\u202Ab",
            "a\\u2066b", "a\\u2069b", "a\\u200Eb", "a\\u200Fb", "a\\u200Bb", "a\\uFEFFb", "a\\u2060b", "a\\u001Bb"})
    void controlAndInvisibleCharactersInPathsAreRejected(String tomlPath) {
        Manifests.Report report = validate(dir, withPath(tomlPath));

        ManifestProblem p = onlyError(report);
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertTrue(p.message().contains("control or invisible character U+"), p.message());
    }

    @Test
    void composedAndDecomposedTwinsAreACollision() {
        assumeUtf8FileNames();
        String toml = """
                schema_version = 1
                [models."m@1.0.0"]
                [[models."m@1.0.0".files]]
                path = "caf\\u00e9.bin"
                size = 1
                [[models."m@1.0.0".files]]
                path = "cafe\\u0301.bin"
                size = 1
                [models."m@1.0.0".sources]
                priority = ["local://m"]
                """;

        Manifests.Report report = validate(dir, toml);

        ManifestProblem p = onlyError(report);
        assertEquals(ErrorCode.CASE_COLLISION_DETECTED, p.code());
        assertTrue(p.message().contains("Unicode normalization"), p.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a:b", "c:x", "dir/C:", "weights:v2/model.bin"})
    void colonInsideANameIsAllowed(String path) {
        Manifests.Report report = validate(dir, withPath(path));

        assertTrue(report.valid(), report.problems().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://?x=1", "https://:443/x", "http://host:99999/x", "https://host:0/x", "https://host:-1/x",
            "hf://../..", "hf://org/repo@../../../x", "hf://org/..", "hf://-org/repo", "hf://org/re--po", "hf://org/repo.git",
            "hf://org/repo@.hidden", "hf://org/repo@a/../b", "hf://org/repo@main.lock", "hf://org/repo@a b",
            "s3://UPPER/x", "s3://ab", "s3://bucket?x=1/y"})
    void malformedRemoteSourcesAreRejected(String uri) {
        Manifests.Report report = validate(dir, withSource(uri));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, onlyError(report).code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf://Wan-AI/Wan2.2-T2V-A14B@main", "hf://org/repo@refs/pr/1", "hf://org/repo@v1.0+build",
            "hf://a_b/c.d@206a9ee1b7bfaaf8f7e4d81335650533490646a3", "https://host:8443/x?sig=1", "s3://my.bucket-1/p"})
    void wellFormedRemoteSourcesStillPass(String uri) {
        assertNull(SourceUris.problem(new SourceRef(uri), SourceRef.BUILT_IN_SCHEMES));
    }

    @Test
    void modelIdLongerThanTheLimitIsRejectedAndTheLimitItselfPasses() {
        String atLimit = "m".repeat(ModelId.MAX_LENGTH - "@1.0.0".length()) + "@1.0.0";
        String over = "m" + atLimit;

        assertTrue(validate(dir, manifest(atLimit, "a.bin", "local://m", "")).valid());
        assertEquals(ErrorCode.INVALID_MODEL_ID, onlyError(validate(dir, manifest(over, "a.bin", "local://m", ""))).code());
    }

    @Test
    void pathSegmentsAndWholePathsAreBoundedInUtf8Bytes() {
        assumeUtf8FileNames();
        String segmentAtLimit = "é".repeat(ModelPaths.MAX_SEGMENT_BYTES / 2);
        String segmentOver = segmentAtLimit + "x";
        String longPath = ("d".repeat(100) + "/").repeat(11) + "f";

        assertTrue(validate(dir, withPath(segmentAtLimit)).valid());
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, onlyError(validate(dir, withPath(segmentOver))).code());
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, onlyError(validate(dir, withPath(longPath))).code());
    }

    /** Non-ASCII file names need a UTF-8 file-name encoding (under LANG=C wan refuses them, see ModelPaths). */
    private static void assumeUtf8FileNames() {
        org.junit.jupiter.api.Assumptions.assumeTrue("UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding")),
                "this JVM cannot name non-ASCII files (sun.jnu.encoding=" + System.getProperty("sun.jnu.encoding") + ")");
    }
}
