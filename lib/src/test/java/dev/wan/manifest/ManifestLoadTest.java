package dev.wan.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests.load: the manifest, or one WanException listing every error as file:line:column. */
class ManifestLoadTest {
    private static final String FIVE_ERRORS = """
            schema_version = 1

            [models."t2v@1.0.0"]
            variants = ["fp16"]
            default_variant = "bf16"

            [[models."t2v@1.0.0".files]]
            path = "/etc/passwd"
            size = 1

            [[models."t2v@1.0.0".files]]
            path = "a.bin"
            size = -1
            sha256 = "xyz"

            [models."t2v@1.0.0".sources]
            priority = []
            """;

    @TempDir
    Path dir;

    @Test
    void validManifestLoadsWithItsModelsFilesAndSources() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                description = "tiny"
                version = "1.0.0"
                resolution_caps = ["480p", "720p"]
                lora_required = true
                allow_patterns = ["*.bin"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 3
                sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
                component = "dit"
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0", "hf://org/repo"]
                allow_patterns = ["*.json"]
                """;

        Manifest manifest = ManifestFixtures.load(dir, toml);

        ModelSpec spec = manifest.model("t2v@1.0.0");
        assertEquals(new ModelId("t2v", "1.0.0"), spec.id());
        assertEquals("tiny", spec.description());
        assertEquals("1.0.0", spec.version());
        assertEquals(List.of("480p", "720p"), spec.resolutionCaps());
        assertTrue(spec.loraRequired());
        assertEquals(List.of("*.bin", "*.json"), spec.allowPatterns());
        assertEquals(List.of(new FileSpec("a.bin", 3,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", false, "dit", null)), spec.files());
        assertEquals(List.of(new SourceRef("local://t2v@1.0.0"), new SourceRef("hf://org/repo")), spec.sources());
        assertTrue(manifest.warnings().isEmpty());
    }

    @Test
    void loadThrowsOneExceptionWhoseDetailsListEveryErrorWithFileLineAndColumn() {
        Path file = ManifestFixtures.write(dir, FIVE_ERRORS);

        WanException e = assertThrows(WanException.class, () -> Manifests.load(file, SourceRef.BUILT_IN_SCHEMES));

        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, e.code());
        assertTrue(e.getMessage().contains("has 5 error(s)"), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.hint().contains("validate-manifest"), e.hint());
        Pattern detail = Pattern.compile("^" + Pattern.quote(file.toString()) + ":(\\d+):(\\d+): error: ([A-Z_]+): (.+)$");
        Set<String> codeAtLine = new java.util.HashSet<>();
        for (String d : e.details()) {
            Matcher m = detail.matcher(d);
            assertTrue(m.matches(), "detail not file:line:column: error: CODE: message -> " + d);
            codeAtLine.add(m.group(3) + "@" + m.group(1));
        }
        assertEquals(Set.of("MANIFEST_VALIDATION_ERROR@5", "PATH_TRAVERSAL_DETECTED@8",
                "MANIFEST_VALIDATION_ERROR@13", "MANIFEST_VALIDATION_ERROR@14", "MANIFEST_VALIDATION_ERROR@17"), codeAtLine);
        assertEquals(5, e.details().size());
    }

    @Test
    void loadDetailsMatchTheValidatorsProblemsExactly() {
        Path file = ManifestFixtures.write(dir, FIVE_ERRORS);
        List<String> expected = Manifests.validate(file).errors().stream().map(ManifestProblem::toString).toList();

        WanException e = assertThrows(WanException.class, () -> Manifests.load(file, SourceRef.BUILT_IN_SCHEMES));

        assertEquals(expected, e.details());
    }

    @Test
    void loadUsesTheErrorsCodeWhenEveryErrorHasTheSameCode() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "../a.bin"
                size = 1
                [[models."t2v@1.0.0".files]]
                path = "b/../../b.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;
        Path file = ManifestFixtures.write(dir, toml);

        WanException e = assertThrows(WanException.class, () -> Manifests.load(file, SourceRef.BUILT_IN_SCHEMES));

        assertEquals(ErrorCode.PATH_TRAVERSAL_DETECTED, e.code());
        assertEquals(2, e.details().size());
        assertTrue(e.details().get(0).startsWith(file + ":4:"), e.details().get(0));
        assertTrue(e.details().get(1).startsWith(file + ":7:"), e.details().get(1));
    }

    @Test
    void loadOfASchemaMismatchThrowsSchemaVersionMismatch() {
        Path file = ManifestFixtures.write(dir, "schema_version = 2\n");

        WanException e = assertThrows(WanException.class, () -> Manifests.load(file, SourceRef.BUILT_IN_SCHEMES));

        assertEquals(ErrorCode.SCHEMA_VERSION_MISMATCH, e.code());
        assertEquals(1, e.details().size());
        assertTrue(e.details().get(0).startsWith(file + ":1:1: error: SCHEMA_VERSION_MISMATCH: "), e.details().get(0));
    }

    @Test
    void loadDetailsLeaveWarningsOut() {
        String toml = """
                schema_version = 1
                unknown = 1
                [models."t2v"]
                """;
        Path file = ManifestFixtures.write(dir, toml);

        WanException e = assertThrows(WanException.class, () -> Manifests.load(file, SourceRef.BUILT_IN_SCHEMES));

        assertEquals(ErrorCode.INVALID_MODEL_ID, e.code());
        assertEquals(1, e.details().size());
        assertFalse(e.details().get(0).contains("warning"), e.details().get(0));
    }

    @Test
    void missingManifestFileIsMissingManifestNamingThePath() {
        Path file = dir.resolve("nowhere/models.toml");

        WanException e = assertThrows(WanException.class, () -> Manifests.load(file, SourceRef.BUILT_IN_SCHEMES));

        assertEquals(ErrorCode.MISSING_MANIFEST, e.code());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.hint().contains("--manifest"), e.hint());
    }

    @Test
    void validatingAMissingFileAlsoThrowsMissingManifest() {
        Path file = dir.resolve("models.toml");

        WanException e = assertThrows(WanException.class, () -> Manifests.validate(file));

        assertEquals(ErrorCode.MISSING_MANIFEST, e.code());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void directoryGivenAsTheManifestIsMissingManifestNamingThePath() {
        WanException e = assertThrows(WanException.class, () -> Manifests.load(dir, SourceRef.BUILT_IN_SCHEMES));

        assertEquals(ErrorCode.MISSING_MANIFEST, e.code());
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void emptyFileIsASchemaVersionMismatch() throws IOException {
        Path file = dir.resolve("models.toml");
        Files.createFile(file);

        WanException e = assertThrows(WanException.class, () -> Manifests.load(file, SourceRef.BUILT_IN_SCHEMES));

        assertEquals(ErrorCode.SCHEMA_VERSION_MISMATCH, e.code());
    }

    @Test
    void manifestStartingWithAByteOrderMarkLoads() {
        String toml = """
                \uFEFFschema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        Manifest manifest = ManifestFixtures.load(dir, toml);

        assertEquals(1, manifest.models().size());
    }

    @Test
    void windowsLineEndingsKeepLineNumbersRight() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = -1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """.replace("\n", "\r\n");

        Manifests.Report report = Manifests.validate(ManifestFixtures.write(dir, toml));

        assertEquals(1, report.errors().size());
        assertEquals(5, report.errors().get(0).line());
    }

    @Test
    void nonUtf8ManifestIsAValidationErrorAtTheLineOfTheBadByte() throws IOException {
        Path file = dir.resolve("models.toml");
        byte[] head = "schema_version = 1\n# caf".getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = java.util.Arrays.copyOf(head, head.length + 2);
        bytes[head.length] = (byte) 0xE9; // 'é' in Latin-1
        bytes[head.length + 1] = '\n';
        Files.write(file, bytes);

        Manifests.Report report = Manifests.validate(file);

        assertFalse(report.valid());
        assertEquals(1, report.errors().size());
        ManifestProblem p = report.errors().get(0);
        assertEquals(ErrorCode.MANIFEST_VALIDATION_ERROR, p.code());
        assertEquals(2, p.line());
        assertEquals(6, p.column());
        assertTrue(p.message().contains("UTF-8"), p.message());
    }

    @Test
    void utf8TextOutsideAsciiIsAccepted() {
        String toml = """
                schema_version = 1
                [models."t2v@1.0.0"]
                description = "vidéo — 视频"
                [[models."t2v@1.0.0".files]]
                path = "a.bin"
                size = 1
                [models."t2v@1.0.0".sources]
                priority = ["local://t2v@1.0.0"]
                """;

        Manifest manifest = ManifestFixtures.load(dir, toml);

        assertEquals("vidéo — 视频", manifest.model("t2v@1.0.0").description());
    }
}
