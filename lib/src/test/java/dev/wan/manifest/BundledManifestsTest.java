package dev.wan.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The manifests shipped in examples/ must always load: the demo and the real WAN2.2 production one. */
class BundledManifestsTest {
    private static final Path ROOT = ManifestFixtures.repoRoot();

    @Test
    void demoManifestValidatesWithoutErrorsOrWarnings() {
        Manifests.Report report = Manifests.validate(ROOT.resolve("examples/demo/models.toml"));

        assertTrue(report.valid(), report.problems().toString());
        assertEquals(List.of(), report.problems());
    }

    @Test
    void demoManifestHasItsThreeModelsWithDigestsForEveryFile() {
        Manifest manifest = Manifests.load(ROOT.resolve("examples/demo/models.toml"), SourceRef.BUILT_IN_SCHEMES);

        assertEquals(List.of("demo-t2v@1.0.0", "demo-i2v@1.0.0", "demo-tokenizer@1.0.0"),
                manifest.models().keySet().stream().map(ModelId::toString).toList());
        assertTrue(manifest.models().values().stream().flatMap(m -> m.files().stream()).allMatch(FileSpec::hasSha256));
        ModelSpec t2v = manifest.model("demo-t2v@1.0.0");
        assertEquals("fp16", t2v.resolveVariant(null));
        assertEquals(89 + 786432 + 1048576 + 1048576, t2v.totalBytes("fp16"));
        assertEquals(t2v.totalBytes("fp16"), t2v.totalBytes("bf16"));
        ModelSpec i2v = manifest.model("demo-i2v@1.0.0");
        assertEquals(5, i2v.filesFor(null).size());
        assertEquals(List.of("image_encoder/model.safetensors"), i2v.filesFor(null).stream()
                .filter(i2v::isOptional).map(FileSpec::path).toList());
    }

    @Test
    void productionManifestLoadsWithZeroErrors() {
        Manifests.Report report = Manifests.validate(ROOT.resolve("examples/wan22.toml"));

        assertTrue(report.valid(), report.errors().toString());
        assertEquals(List.of(), report.errors());
    }

    @Test
    void productionManifestWarnsOnlyOncePerUnknownFileKeyPerModel() {
        Manifests.Report report = Manifests.validate(ROOT.resolve("examples/wan22.toml"));

        Map<String, Long> perMessage = report.warnings().stream()
                .collect(Collectors.groupingBy(ManifestProblem::message, Collectors.counting()));
        assertTrue(perMessage.values().stream().allMatch(n -> n == 1), perMessage.toString());
        assertTrue(report.warnings().stream().allMatch(w -> w.message().contains("unknown file key")),
                report.warnings().toString());
        // shard_index and shard_part in four models, shard_part alone in t2v-A14B-diffusers
        assertEquals(9, report.warnings().size(), report.warnings().toString());
    }

    @Test
    void productionManifestHasTheFiveWan22ModelsWithTheirPublishedSizes() {
        Manifest manifest = Manifests.load(ROOT.resolve("examples/wan22.toml"), SourceRef.BUILT_IN_SCHEMES);

        assertEquals(List.of("t2v-A14B@2.2.0", "i2v-A14B@2.2.0", "ti2v-5b@2.2.0", "t2v-A14B-diffusers@2.2.0",
                "ti2v-5b-diffusers@2.2.0"), manifest.models().keySet().stream().map(ModelId::toString).toList());
        assertEquals(126_199_333_288L, defaultVariantBytes(manifest, "t2v-A14B@2.2.0"));
        assertEquals(126_202_610_088L, defaultVariantBytes(manifest, "i2v-A14B@2.2.0"));
        assertEquals(34_201_521_212L, defaultVariantBytes(manifest, "ti2v-5b@2.2.0"));
    }

    @Test
    void productionManifestsNativeModelsTotalTheReadmesSumBeforeDedup() {
        Manifest manifest = Manifests.load(ROOT.resolve("examples/wan22.toml"), SourceRef.BUILT_IN_SCHEMES);

        long total = defaultVariantBytes(manifest, "t2v-A14B@2.2.0") + defaultVariantBytes(manifest, "i2v-A14B@2.2.0")
                + defaultVariantBytes(manifest, "ti2v-5b@2.2.0");

        assertEquals(286_603_464_588L, total);
    }

    @Test
    void productionManifestDeclaresTheSharedTextEncoderWithTheSameDigestInEveryNativeModel() {
        Manifest manifest = Manifests.load(ROOT.resolve("examples/wan22.toml"), SourceRef.BUILT_IN_SCHEMES);

        List<FileSpec> encoders = List.of("t2v-A14B@2.2.0", "i2v-A14B@2.2.0", "ti2v-5b@2.2.0").stream()
                .flatMap(id -> manifest.model(id).files().stream())
                .filter(f -> f.path().equals("models_t5_umt5-xxl-enc-bf16.pth"))
                .toList();

        assertEquals(3, encoders.size());
        assertEquals(1, encoders.stream().map(FileSpec::sha256).distinct().count());
        assertEquals(11_361_920_418L, encoders.get(0).size());
    }

    @Test
    void productionManifestModelsAllHaveSourcesAndUseTheirDefaultVariant() {
        Manifest manifest = Manifests.load(ROOT.resolve("examples/wan22.toml"), SourceRef.BUILT_IN_SCHEMES);

        for (ModelSpec spec : manifest.models().values()) {
            assertTrue(!spec.sources().isEmpty(), spec.id() + " has no sources");
            assertEquals(spec.defaultVariant(), spec.resolveVariant(null));
            assertTrue(spec.files().size() >= 10, spec.id() + " has only " + spec.files().size() + " files");
        }
    }

    private static long defaultVariantBytes(Manifest manifest, String id) {
        ModelSpec spec = manifest.model(id);
        return spec.totalBytes(spec.resolveVariant(null));
    }
}
