package dev.wan.manifest;

import static dev.wan.manifest.ManifestFixtures.errorsAt;
import static dev.wan.manifest.ManifestFixtures.onlyError;
import static dev.wan.manifest.ManifestFixtures.validate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.manifest.ManifestFixtures.At;
import dev.wan.manifest.ManifestProblem.Severity;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a models.toml can be wrong, each pinned to its ErrorCode and line. */
class ManifestValidationTest {
    @TempDir
    Path dir;

    // ---- schema_version ----

    @Test
    void schemaVersionTwoIsAMismatchAtItsLineAskingToUpgradeWan() {
        String toml = """
                # written by a future wan
                schema_version = 2
                """;

        Manifests.Report report = validate(dir, toml);

        ManifestProblem p = onlyError(report);
        assertEquals(ErrorCode.SCHEMA_VERSION_MISMATCH, p.code());
        assertEquals(2, p.line());
        assertTrue(p.message().contains("unsupported schema_version 2"), p.message());
        assertTrue(p.message().contains("upgrade wan"), p.message());
        assertFalse(report.valid());
    }

    @Test
    void schemaVersionZeroIsAMismatchAtItsLineExplainingHowToConvert() {
        String toml = """

                schema_version = 0
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.SCHEMA_VERSION_MISMATCH, p.code());
        assertEquals(2, p.line());
        assertTrue(p.message().contains("unsupported schema_version 0"), p.message());
        assertTrue(p.message().contains("convert the manifest"), p.message());
        assertTrue(p.message().contains("set schema_version = 1"), p.message());
    }

    @Test
    void missingSchemaVersionIsAMismatchAtLineOneSayingWhatToAdd() {
        String toml = """
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.SCHEMA_VERSION_MISMATCH, p.code());
        assertEquals(1, p.line());
        assertTrue(p.message().contains("add 'schema_version = 1'"), p.message());
    }

    @Test
    void schemaVersionGivenAsAStringIsAMismatch() {
        String toml = """
                schema_version = "1"
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.SCHEMA_VERSION_MISMATCH, p.code());
        assertEquals(1, p.line());
        assertTrue(p.message().contains("schema_version = 1"), p.message());
    }

    @Test
    void schemaMismatchStopsValidationBeforeTheModelsAreRead() {
        String toml = """
                schema_version = 2
                [models."bad id"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertEquals(Set.of(new At(ErrorCode.SCHEMA_VERSION_MISMATCH, 1)), errorsAt(report));
    }

    // ---- model ids ----

    @ParameterizedTest
    @ValueSource(strings = {"t2v", "t2v@2.2", "-x@1.0.0", "t2v@v2.2.0", "t2v@2.2.0-rc1", "t 2v@1.0.0", "@1.0.0"})
    void malformedModelIdIsReportedAtItsTableHeader(String id) {
        String toml = """
                schema_version = 1

                [models."%s"]
                description = "x"
                """.formatted(id);

        Manifests.Report report = validate(dir, toml);

        ManifestProblem p = onlyError(report);
        assertEquals(ErrorCode.INVALID_MODEL_ID, p.code());
        assertEquals(3, p.line());
        assertTrue(p.message().contains("'" + id + "'"), p.message());
        assertTrue(p.message().contains("name@x.y.z"), p.message());
    }

    @Test
    void modelVersionDifferentFromTheIdsVersionIsReportedAtTheVersionLine() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                version = "1.0.1"
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(3, p.line());
    }

    // ---- variants ----

    @Test
    void unknownDefaultVariantIsReportedAtItsLine() {
        String toml = """
                schema_version = 1

                [models."t2v@1.0.0"]
                variants = ["fp16", "bf16"]
                default_variant = "fp8"

                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1

                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(5, p.line());
        assertTrue(p.message().contains("\"fp8\""), p.message());
        assertTrue(p.message().contains("[fp16, bf16]"), p.message());
    }

    @Test
    void fileVariantNotAmongTheVariantsIsReportedAtItsLine() {
        String toml = """
                schema_version = 1

                [models."t2v@1.0.0"]
                variants = ["fp16", "bf16"]
                default_variant = "fp16"

                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                variant = "fp32"

                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(10, p.line());
        assertTrue(p.message().contains("\"fp32\""), p.message());
    }

    @Test
    void fileVariantOnAModelWithoutVariantsIsReported() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                variant = "fp16"
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(6, p.line());
    }

    @Test
    void missingDefaultVariantFallsBackToTheFirstVariantWithAWarning() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                variants = ["bf16", "fp16"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid());
        assertEquals("bf16", report.manifest().model("t2v@1.0.0").defaultVariant());
        assertEquals(1, report.warnings().size());
        assertEquals(2, report.warnings().get(0).line());
        assertTrue(report.warnings().get(0).message().contains("no default_variant"));
    }

    // ---- duplicate and colliding paths ----

    @Test
    void duplicatePathWithoutVariantIsReportedAtTheSecondEntry() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "vae/model.safetensors"
                size = 1
                [[models."t2v@1.0.0".files]]
                path = "vae/model.safetensors"
                size = 2
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(7, p.line());
        assertTrue(p.message().contains("duplicate path 'vae/model.safetensors'"), p.message());
    }

    @Test
    void duplicatePathInTheSameVariantIsReportedAtTheSecondEntry() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                variants = ["fp16", "bf16"]
                default_variant = "fp16"
                [[models."t2v@1.0.0".files]]
                path = "dit.safetensors"
                size = 1
                variant = "bf16"
                [[models."t2v@1.0.0".files]]
                path = "dit.safetensors"
                size = 1
                variant = "bf16"
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(10, p.line());
        assertTrue(p.message().contains("in variant bf16"), p.message());
    }

    @Test
    void pathInOneVariantDuplicatedByAFileOfEveryVariantIsReported() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                variants = ["fp16", "bf16"]
                default_variant = "fp16"
                [[models."t2v@1.0.0".files]]
                path = "dit.safetensors"
                size = 1
                variant = "bf16"
                [[models."t2v@1.0.0".files]]
                path = "dit.safetensors"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(10, p.line());
    }

    @Test
    void eachExtraCopyOfAPathIsReportedOnceAtItsOwnLine() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertEquals(List.of(7, 10), report.errors().stream().map(ManifestProblem::line).toList());
    }

    @Test
    void eachCaseVariantOfAPathIsReportedOnceAtItsOwnLine() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "readme.md"
                size = 1
                [[models."t2v@1.0.0".files]]
                path = "README.md"
                size = 1
                [[models."t2v@1.0.0".files]]
                path = "ReadMe.md"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertEquals(Set.of(new At(ErrorCode.CASE_COLLISION_DETECTED, 7), new At(ErrorCode.CASE_COLLISION_DETECTED, 10)),
                errorsAt(report));
        assertEquals(2, report.errors().size(), report.errors().toString());
    }

    @Test
    void samePathInTwoDifferentVariantsIsValid() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                variants = ["fp16", "bf16"]
                default_variant = "fp16"
                [[models."t2v@1.0.0".files]]
                path = "dit.safetensors"
                size = 1
                variant = "fp16"
                [[models."t2v@1.0.0".files]]
                path = "dit.safetensors"
                size = 2
                variant = "bf16"
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid(), report.problems().toString());
        ModelSpec spec = report.manifest().model("t2v@1.0.0");
        assertEquals(1, spec.totalBytes("fp16"));
        assertEquals(2, spec.totalBytes("bf16"));
    }

    @Test
    void samePathInTwoDifferentModelsIsValid() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                [models."i2v@1.0.0"]
                [[models."i2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."i2v@1.0.0".sources]
                priority = ["local://i2v@1.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid(), report.problems().toString());
        assertEquals(2, report.manifest().models().size());
    }

    @Test
    void caseCollidingPathsAreReportedAtTheSecondPath() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "VAE/Model.safetensors"
                size = 1
                [[models."t2v@1.0.0".files]]
                path = "vae/model.safetensors"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.CASE_COLLISION_DETECTED, p.code());
        assertEquals(7, p.line());
        assertTrue(p.message().contains("'vae/model.safetensors'"), p.message());
        assertTrue(p.message().contains("'VAE/Model.safetensors'"), p.message());
    }

    @Test
    void caseCollidingPathsInDifferentVariantsAreValid() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                variants = ["fp16", "bf16"]
                default_variant = "fp16"
                [[models."t2v@1.0.0".files]]
                path = "DIT.bin"
                size = 1
                variant = "fp16"
                [[models."t2v@1.0.0".files]]
                path = "dit.bin"
                size = 1
                variant = "bf16"
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid(), report.problems().toString());
    }

    @Test
    void fileDeclaredWhereAnotherFileNeedsADirectoryIsReported() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "vae"
                size = 1
                [[models."t2v@1.0.0".files]]
                path = "vae/model.safetensors"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertTrue(p.message().contains("'vae' is declared as a file"), p.message());
    }

    // ---- unsafe paths ----

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/../../x", "a/..", "..", "/x", "/etc/passwd", "C:\\\\x", "C:/x", "C:", "c:/x", "a\\\\b",
            "\\\\\\\\server\\\\share\\\\x"})
    void unsafePathIsAPathTraversalAtItsLine(String tomlEscapedPath) {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                size = 1
                path = "%s"
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """.formatted(tomlEscapedPath);

        Manifests.Report report = validate(dir, toml);

        ManifestProblem p = onlyError(report);
        assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, p.code());
        assertEquals(5, p.line());
        assertFalse(report.valid());
    }

    @Test
    void windowsPathInATomlLiteralStringIsAPathTraversal() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = 'C:\\models\\x.bin'
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, p.code());
        assertEquals(4, p.line());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a//b", "a/./b", "./a", "a/", "a\\tb"})
    void emptyOrDotSegmentsAndControlCharactersAreValidationErrors(String tomlEscapedPath) {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "%s"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """.formatted(tomlEscapedPath);

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(4, p.line());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a..b/x", "x..", "..x/y", "dir.d/.hidden", "Wan2.1_VAE.pth"})
    void namesMerelyContainingDotsAreValid(String path) {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "%s"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """.formatted(path);

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid(), report.problems().toString());
        assertEquals(path, report.manifest().model("t2v@1.0.0").files().get(0).path());
    }

    @Test
    void fileEntryWithoutAPathIsReportedAtTheEntry() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(3, p.line());
    }

    // ---- sizes and digests ----

    @Test
    void negativeSizeIsReportedAtItsLine() {
        String toml = """
                schema_version = 1

                [models."t2v@1.0.0"]

                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = -1

                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(7, p.line());
        assertTrue(p.message().contains("negative size -1"), p.message());
    }

    @Test
    void zeroSizeIsValid() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "empty.txt"
                size = 0
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid(), report.problems().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"1\"", "1.5", "true"})
    void nonIntegerSizeIsReportedAtItsLine(String size) {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = %s
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """.formatted(size);

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(5, p.line());
    }

    @Test
    void missingSizeIsReportedAtTheEntry() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(3, p.line());
        assertTrue(p.message().contains("needs an integer 'size'"), p.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"abc123\"",
            "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\"",
            "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0\"",
            "\"g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"",
            "\" 123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"",
            "\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab\"",
            "\"\"",
            "42"})
    void malformedSha256IsReportedAtItsLine(String sha) {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                sha256 = %s
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """.formatted(sha);

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(6, p.line());
        assertTrue(p.message().contains("malformed sha256"), p.message());
    }

    @Test
    void upperCaseSha256IsAcceptedAndNormalisedToLowerCase() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                sha256 = "0123456789ABCDEF0123456789abcdef0123456789ABCDEF0123456789ABCDEF"
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid(), report.problems().toString());
        FileSpec file = report.manifest().model("t2v@1.0.0").files().get(0);
        assertEquals("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", file.sha256());
        assertTrue(file.hasSha256());
    }

    @Test
    void fileWithoutSha256HasNoDigest() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        FileSpec file = validate(dir, toml).manifest().model("t2v@1.0.0").files().get(0);

        assertNull(file.sha256());
        assertFalse(file.hasSha256());
    }

    @Test
    void nonBooleanOptionalIsReportedAtItsLine() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                optional = "yes"
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(6, p.line());
    }

    @Test
    void modelWithoutFilesIsReportedAtItsHeader() {
        String toml = """
                schema_version = 1

                [models."t2v@1.0.0"]
                description = "nothing to download"

                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(3, p.line());
    }

    // ---- sources ----

    @Test
    void unknownSourceSchemeIsReportedAtThePriorityLine() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                # mirrors in order
                priority = ["local://t2v@1.0.0", "ftp://mirror.example/t2v"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(8, p.line());
        assertTrue(p.message().contains("unknown scheme 'ftp'"), p.message());
        assertTrue(p.message().contains("file, hf, http, https, local, s3"), p.message());
    }

    @Test
    void schemeRegisteredByAThirdPartyBackendIsAccepted() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["ftp://mirror.example/t2v"]
                """;
        Path file = ManifestFixtures.write(dir, toml);

        Manifests.Report report = Manifests.validate(file, Set.of("local", "ftp"));

        assertTrue(report.valid(), report.problems().toString());
        assertEquals("ftp", report.manifest().model("t2v@1.0.0").sources().get(0).scheme());
    }

    @ParameterizedTest
    @ValueSource(strings = {"file://relative/dir", "file:relative", "hf://onlyorg", "hf://org/repo/extra", "hf://",
            "s3:///nobucket", "s3://", "local://", "https://", "http:host", "no-scheme/at/all", "://x"})
    void malformedSourceOfAKnownSchemeIsReportedAtThePriorityLine(String uri) {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["%s"]
                """.formatted(uri);

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(7, p.line());
        assertTrue(p.message().contains("source '" + uri + "'"), p.message());
    }

    @Test
    void everyWellFormedSourceKindIsAcceptedInPriorityOrder() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = [
                  "local://wan22/t2v@1.0.0",
                  "file:///srv/models/t2v",
                  "s3://bucket/prefix/t2v",
                  "hf://Wan-AI/Wan2.2-T2V-A14B@206a9ee1b7bfaaf8f7e4d81335650533490646a3",
                  "hf://Wan-AI/Wan2.2-T2V-A14B",
                  "https://mirror.example/t2v",
                  "HTTP://mirror.example/t2v",
                ]
                """;

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid(), report.problems().toString());
        List<String> schemes = report.manifest().model("t2v@1.0.0").sources().stream().map(SourceRef::scheme).toList();
        assertEquals(List.of("local", "file", "s3", "hf", "hf", "https", "http"), schemes);
    }

    @Test
    void badSourceMessageDoesNotLeakItsQueryString() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["ftp://h/x?X-Amz-Signature=s3cr3t"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertFalse(p.message().contains("s3cr3t"), p.message());
        assertTrue(p.message().contains("ftp://h/x?<redacted>"), p.message());
    }

    @Test
    void emptyPriorityIsReportedAtItsLine() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = []
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(7, p.line());
        assertTrue(p.message().contains("sources.priority is empty"), p.message());
    }

    @Test
    void sourcesTableWithoutPriorityIsReportedAtTheModelHeader() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                allow_patterns = ["*.bin"]
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(2, p.line());
    }

    @Test
    void missingSourcesTableIsReportedAtTheModelHeader() {
        String toml = """
                schema_version = 1

                [models."t2v@1.0.0"]
                description = "no sources"

                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(3, p.line());
        assertTrue(p.message().contains("sources] table"), p.message());
    }

    @Test
    void sourcesThatAreNotATableAreReportedAtTheirLine() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                sources = "local://t2v@1.0.0"
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                """;

        ManifestProblem p = onlyError(validate(dir, toml));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(3, p.line());
    }

    @Test
    void priorityThatIsNotAListOfStringsIsReportedAtItsLine() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = "local://t2v@1.0.0"
                """;

        Set<At> errors = errorsAt(validate(dir, toml));

        assertEquals(Set.of(new At(ErrorCode.MANIFEST_VALIDATION_ERROR, 7)), errors);
    }

    // ---- TOML syntax ----

    @Test
    void tomlSyntaxErrorIsReportedAtItsLine() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size =
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertFalse(report.valid());
        assertFalse(report.errors().isEmpty());
        ManifestProblem first = report.errors().get(0);
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, first.code());
        assertEquals(5, first.line());
        assertTrue(first.message().startsWith("TOML syntax: "), first.message());
    }

    @Test
    void unterminatedStringIsASyntaxErrorAtItsLine() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                description = "never closed
                """;

        Manifests.Report report = validate(dir, toml);

        assertFalse(report.valid());
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, report.errors().get(0).code());
        assertEquals(3, report.errors().get(0).line());
    }

    @Test
    void tableDefinedTwiceIsASyntaxErrorAtTheSecondDefinition() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                description = "a"
                [models."t2v@1.0.0"]
                description = "b"
                """;

        Manifests.Report report = validate(dir, toml);

        assertFalse(report.valid());
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, report.errors().get(0).code());
        assertEquals(4, report.errors().get(0).line());
    }

    // ---- unknown keys ----

    @Test
    void unknownKeysAtEveryLevelAreWarningsAtTheirLinesAndTheManifestStaysValid() {
        String toml = """
                schema_version = 1
                generator = "hand-written"

                [models."t2v@1.0.0"]
                licence = "apache-2.0"

                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                mtime = 1700000000

                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                retries = 3
                """;

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid(), report.problems().toString());
        assertTrue(report.errors().isEmpty());
        assertEquals(List.of(2, 5, 10, 14), report.warnings().stream().map(ManifestProblem::line).sorted().toList());
        assertTrue(report.warnings().stream().allMatch(w -> w.severity() == Severity.WARNING));
        assertEquals(report.warnings(), report.manifest().warnings());
        String all = report.warnings().toString();
        for (String key : List.of("'generator'", "'licence'", "'mtime'", "'retries'")) {
            assertTrue(all.contains(key), key + " missing from " + all);
        }
    }

    @Test
    void repeatedUnknownFileKeyGivesOneWarningPerKeyPerModel() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a-1.bin"
                size = 1
                shard_part = 1
                [[models."t2v@1.0.0".files]]
                path = "a-2.bin"
                size = 1
                shard_part = 2
                shard_index = "a.index.json"
                [[models."t2v@1.0.0".files]]
                path = "a-3.bin"
                size = 1
                shard_part = 3
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                [models."i2v@1.0.0"]
                [[models."i2v@1.0.0".files]]
                path = "b-1.bin"
                size = 1
                shard_part = 1
                [[models."i2v@1.0.0".files]]
                path = "b-2.bin"
                size = 1
                shard_part = 2
                [models."i2v@1.0.0".sources]
                priority = ["local://i2v@1.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid(), report.problems().toString());
        List<ManifestProblem> shardPart = report.warnings().stream()
                .filter(w -> w.message().contains("'shard_part'")).toList();
        assertEquals(2, shardPart.size(), shardPart.toString());
        assertEquals(6, shardPart.get(0).line());
        assertTrue(shardPart.get(0).message().contains("t2v@1.0.0"), shardPart.get(0).message());
        assertTrue(shardPart.get(0).message().contains("(in 3 entries)"), shardPart.get(0).message());
        assertEquals(22, shardPart.get(1).line());
        assertTrue(shardPart.get(1).message().contains("i2v@1.0.0"), shardPart.get(1).message());
        assertTrue(shardPart.get(1).message().contains("(in 2 entries)"), shardPart.get(1).message());
        List<ManifestProblem> shardIndex = report.warnings().stream()
                .filter(w -> w.message().contains("'shard_index'")).toList();
        assertEquals(1, shardIndex.size());
        assertEquals(11, shardIndex.get(0).line());
        assertFalse(shardIndex.get(0).message().contains("entries"), shardIndex.get(0).message());
        assertEquals(3, report.warnings().size(), report.warnings().toString());
    }

    @Test
    void unknownKeysDoNotHideErrors() {
        String toml = """
                schema_version = 1
                extra = true
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = -5
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertFalse(report.valid());
        assertEquals(Set.of(new At(ErrorCode.MANIFEST_VALIDATION_ERROR, 6)), errorsAt(report));
        assertEquals(1, report.warnings().size());
        assertEquals(2, report.warnings().get(0).line());
    }

    @Test
    void manifestWithoutModelsIsValidWithAWarning() {
        String toml = """
                schema_version = 1
                """;

        Manifests.Report report = validate(dir, toml);

        assertTrue(report.valid());
        assertTrue(report.manifest().models().isEmpty());
        assertEquals(1, report.warnings().size());
        assertTrue(report.warnings().get(0).message().contains("declares no models"));
    }

    // ---- all problems at once ----

    @Test
    void everyErrorIsReportedAtOnceWithItsCodeAndLine() {
        String toml = """
                schema_version = 1

                [models."t2v@1.0.0"]
                variants = ["fp16"]
                default_variant = "bf16"

                [[models."t2v@1.0.0".files]]
                path = "../escape.bin"
                size = 1

                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = -1

                [[models."t2v@1.0.0".files]]
                path = "Tokenizer.json"
                size = 1

                [[models."t2v@1.0.0".files]]
                path = "tokenizer.json"
                size = 1

                [models."t2v@1.0.0".sources]
                priority = ["ftp://mirror.example/t2v"]

                [models."t2v"]
                description = "missing its version"
                """;

        Manifests.Report report = validate(dir, toml);

        assertFalse(report.valid());
        assertNull(report.manifest());
        assertEquals(Set.of(
                new At(ErrorCode.MANIFEST_VALIDATION_ERROR, 5),
                new At(ErrorCode.PATH_TRAVERSAL_DETECTED, 8),
                new At(ErrorCode.MANIFEST_VALIDATION_ERROR, 13),
                new At(ErrorCode.CASE_COLLISION_DETECTED, 20),
                new At(ErrorCode.MANIFEST_VALIDATION_ERROR, 24),
                new At(ErrorCode.INVALID_MODEL_ID, 26)), errorsAt(report));
        assertEquals(6, report.errors().size(), report.errors().toString());
    }

    @Test
    void problemsCarryTheManifestFileAndAColumn() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                  size = -1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;
        Path file = ManifestFixtures.write(dir, toml);

        ManifestProblem p = onlyError(Manifests.validate(file));

        assertEquals(file, p.file());
        assertEquals(5, p.line());
        assertEquals(3, p.column());
        assertEquals(file + ":5:3: error: MANIFEST_VALIDATION_ERROR: " + p.message(), p.toString());
    }

    @Test
    void validReportHasAManifestWithTheModelsInFileOrder() {
        String toml = """
                schema_version = 1
                [models."zeta@1.0.0"]
                [[models."zeta@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."zeta@1.0.0".sources]
                priority = ["local://zeta@1.0.0"]
                [models."alpha@2.0.0"]
                [[models."alpha@2.0.0".files]]
                path = "a.bin"
                size = 1
                [models."alpha@2.0.0".sources]
                priority = ["local://alpha@2.0.0"]
                """;

        Manifests.Report report = validate(dir, toml);

        assertNotNull(report.manifest());
        assertEquals(Manifest.SCHEMA_VERSION, report.manifest().schemaVersion());
        assertEquals(List.of("zeta@1.0.0", "alpha@2.0.0"),
                report.manifest().models().keySet().stream().map(ModelId::toString).toList());
    }
}
