package dev.wan.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Variant resolution and the required/optional split, on models parsed from real TOML. */
class ModelSpecTest {
    private static final String MODELS = """
            schema_version = 1

            [models."t2v@1.0.0"]
            variants = ["fp16", "bf16"]
            default_variant = "bf16"
            optional_components = ["image_encoder", "refiner", "vae"]
            required_components = ["vae"]

            [[models."t2v@1.0.0".files]]
            path = "model_index.json"
            size = 10

            [[models."t2v@1.0.0".files]]
            path = "dit.fp16.safetensors"
            size = 100
            component = "dit"
            variant = "fp16"

            [[models."t2v@1.0.0".files]]
            path = "dit.bf16.safetensors"
            size = 200
            component = "dit"
            variant = "bf16"

            [[models."t2v@1.0.0".files]]
            path = "image_encoder/model.safetensors"
            size = 1000
            component = "image_encoder"

            [[models."t2v@1.0.0".files]]
            path = "vae/model.safetensors"
            size = 5000
            component = "vae"

            [[models."t2v@1.0.0".files]]
            path = "README.md"
            size = 1
            optional = true

            [[models."t2v@1.0.0".files]]
            path = "refiner/bf16.safetensors"
            size = 20000
            component = "refiner"
            variant = "bf16"

            [models."t2v@1.0.0".sources]
            priority = ["local://t2v@1.0.0"]

            [models."tokenizer@1.0.0"]

            [[models."tokenizer@1.0.0".files]]
            path = "tokenizer.json"
            size = 7

            [models."tokenizer@1.0.0".sources]
            priority = ["local://tokenizer@1.0.0"]
            """;

    @TempDir
    Path dir;

    private ModelSpec model(String id) {
        return ManifestFixtures.load(dir, MODELS).model(id);
    }

    private static List<String> paths(List<FileSpec> files) {
        return files.stream().map(FileSpec::path).toList();
    }

    @Test
    void nullVariantResolvesToTheDefault() {
        ModelSpec spec = model("t2v@1.0.0");

        String variant = spec.resolveVariant(null);

        assertEquals("bf16", variant);
    }

    @Test
    void emptyVariantResolvesToTheDefault() {
        ModelSpec spec = model("t2v@1.0.0");

        String variant = spec.resolveVariant("");

        assertEquals("bf16", variant);
    }

    @Test
    void knownVariantResolvesToItself() {
        ModelSpec spec = model("t2v@1.0.0");

        String variant = spec.resolveVariant("fp16");

        assertEquals("fp16", variant);
    }

    @Test
    void unknownVariantIsVariantNotFoundListingTheVariants() {
        ModelSpec spec = model("t2v@1.0.0");

        WanException e = assertThrows(WanException.class, () -> spec.resolveVariant("fp8"));

        assertEquals(ErrorCode.VARIANT_NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("t2v@1.0.0"), e.getMessage());
        assertTrue(e.getMessage().contains("'fp8'"), e.getMessage());
        assertEquals("available variants: fp16, bf16", e.hint());
    }

    @Test
    void variantNamesAreCaseSensitive() {
        ModelSpec spec = model("t2v@1.0.0");

        WanException e = assertThrows(WanException.class, () -> spec.resolveVariant("FP16"));

        assertEquals(ErrorCode.VARIANT_NOT_FOUND, e.code());
    }

    @Test
    void anyVariantOfAModelWithoutVariantsIsNotFoundAndSaysToOmitIt() {
        ModelSpec spec = model("tokenizer@1.0.0");

        WanException e = assertThrows(WanException.class, () -> spec.resolveVariant("fp16"));

        assertEquals(ErrorCode.VARIANT_NOT_FOUND, e.code());
        assertTrue(e.hint().contains("omit --variant"), e.hint());
    }

    @Test
    void modelWithoutVariantsResolvesNullToNoVariantAndKeepsEveryFile() {
        ModelSpec spec = model("tokenizer@1.0.0");

        String variant = spec.resolveVariant(null);

        assertNull(variant);
        assertEquals(List.of("tokenizer.json"), paths(spec.filesFor(variant)));
        assertEquals(7, spec.totalBytes(variant));
    }

    @Test
    void filesForAVariantAreTheSharedFilesPlusThatVariantsOwnInManifestOrder() {
        ModelSpec spec = model("t2v@1.0.0");

        List<FileSpec> fp16 = spec.filesFor("fp16");

        assertEquals(List.of("model_index.json", "dit.fp16.safetensors", "image_encoder/model.safetensors",
                "vae/model.safetensors", "README.md"), paths(fp16));
    }

    @Test
    void optionalFilesAndOptionalComponentsAreLeftOutOfTheRequiredFiles() {
        ModelSpec spec = model("t2v@1.0.0");

        List<FileSpec> required = spec.requiredFilesFor("bf16");

        assertEquals(List.of("model_index.json", "dit.bf16.safetensors", "vae/model.safetensors"), paths(required));
    }

    @Test
    void componentBothOptionalAndRequiredIsRequired() {
        ModelSpec spec = model("t2v@1.0.0");
        FileSpec vae = spec.files().stream().filter(f -> "vae".equals(f.component())).findFirst().orElseThrow();

        boolean optional = spec.isOptional(vae);

        assertFalse(optional);
    }

    @Test
    void fileMarkedOptionalIsOptionalWithoutAComponent() {
        ModelSpec spec = model("t2v@1.0.0");
        FileSpec readme = spec.files().stream().filter(f -> f.path().equals("README.md")).findFirst().orElseThrow();

        boolean optional = spec.isOptional(readme);

        assertTrue(readme.optional());
        assertNull(readme.component());
        assertTrue(optional);
    }

    @Test
    void fileOfAnOptionalComponentIsOptional() {
        ModelSpec spec = model("t2v@1.0.0");
        FileSpec encoder = spec.files().stream().filter(f -> "image_encoder".equals(f.component())).findFirst()
                .orElseThrow();

        boolean optional = spec.isOptional(encoder);

        assertFalse(encoder.optional());
        assertTrue(optional);
    }

    @Test
    void totalBytesCountsEveryFileOfTheVariantOptionalOnesIncluded() {
        ModelSpec spec = model("t2v@1.0.0");

        long fp16 = spec.totalBytes("fp16");
        long bf16 = spec.totalBytes("bf16");

        assertEquals(10 + 100 + 1000 + 5000 + 1, fp16);
        assertEquals(10 + 200 + 1000 + 5000 + 1 + 20000, bf16);
    }

    @Test
    void fileWithoutVariantBelongsToEveryVariantAndOneWithAVariantOnlyToIt() {
        FileSpec shared = new FileSpec("a", 1, null, false, null, null);
        FileSpec bf16 = new FileSpec("b", 1, null, false, null, "bf16");

        assertTrue(shared.belongsTo("fp16"));
        assertTrue(shared.belongsTo(null));
        assertTrue(bf16.belongsTo("bf16"));
        assertFalse(bf16.belongsTo("fp16"));
        assertFalse(bf16.belongsTo(null));
    }

    @Test
    void specListsAreImmutable() {
        ModelSpec spec = model("t2v@1.0.0");

        assertThrows(UnsupportedOperationException.class, () -> spec.files().clear());
        assertThrows(UnsupportedOperationException.class, () -> spec.variants().add("fp8"));
    }
}
