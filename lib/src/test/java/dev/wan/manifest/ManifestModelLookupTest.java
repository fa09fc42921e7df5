package dev.wan.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Manifest.model: the lookup behind every `wan ensure ID`. */
class ManifestModelLookupTest {
    private static final String TWO_MODELS = """
            schema_version = 1
            [models."t2v@2.2.0"]
            [[models."t2v@2.2.0".files]]
            path = "a.bin"
            size = 1
            [models."t2v@2.2.0".sources]
            priority = ["local://t2v@2.2.0"]
            [models."i2v@2.2.0"]
            [[models."i2v@2.2.0".files]]
            path = "b.bin"
            size = 2
            [models."i2v@2.2.0".sources]
            priority = ["local://i2v@2.2.0"]
            """;

    @TempDir
    Path dir;

    @Test
    void knownIdReturnsItsModel() {
        Manifest manifest = ManifestFixtures.load(dir, TWO_MODELS);

        ModelSpec spec = manifest.model("i2v@2.2.0");

        assertEquals(new ModelId("i2v", "2.2.0"), spec.id());
        assertEquals("b.bin", spec.files().get(0).path());
    }

    @Test
    void unknownIdIsModelNotFoundWhoseHintListsTheAvailableIds() {
        Manifest manifest = ManifestFixtures.load(dir, TWO_MODELS);

        WanException e = assertThrows(WanException.class, () -> manifest.model("ti2v@2.2.0"));

        assertEquals(ErrorCode.MODEL_NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("ti2v@2.2.0"), e.getMessage());
        assertTrue(e.getMessage().contains(manifest.file().toString()), e.getMessage());
        assertEquals("available models: t2v@2.2.0, i2v@2.2.0", e.hint());
    }

    @Test
    void otherVersionOfAKnownModelIsModelNotFound() {
        Manifest manifest = ManifestFixtures.load(dir, TWO_MODELS);

        WanException e = assertThrows(WanException.class, () -> manifest.model("t2v@2.2.1"));

        assertEquals(ErrorCode.MODEL_NOT_FOUND, e.code());
    }

    @ParameterizedTest
    @ValueSource(strings = {"t2v@2.2", "-x@1.0.0", "t2v@latest", "", " t2v@2.2.0", "x/2v", "../t2v"})
    void malformedIdIsInvalidModelIdWithTheAvailableIds(String id) {
        Manifest manifest = ManifestFixtures.load(dir, TWO_MODELS);

        WanException e = assertThrows(WanException.class, () -> manifest.model(id));

        assertEquals(ErrorCode.INVALID_MODEL_ID, e.code());
        assertTrue(e.getMessage().contains("name@x.y.z"), e.getMessage());
        assertEquals("available models: t2v@2.2.0, i2v@2.2.0", e.hint());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x2v", "T2V"})
    void aWellFormedBareNameNoModelHasIsModelNotFoundWithTheAvailableIds(String name) {
        Manifest manifest = ManifestFixtures.load(dir, TWO_MODELS);

        WanException e = assertThrows(WanException.class, () -> manifest.model(name));

        assertEquals(ErrorCode.MODEL_NOT_FOUND, e.code());
        assertTrue(e.getMessage().contains("no model named '" + name + "'"), e.getMessage());
        assertEquals("available models: t2v@2.2.0, i2v@2.2.0", e.hint());
    }

    @Test
    void aBareNameIsItsOnlyVersion() {
        Manifest manifest = ManifestFixtures.load(dir, TWO_MODELS);

        assertEquals("t2v@2.2.0", manifest.canonicalId("t2v").toString());
        assertEquals("t2v@2.2.0", manifest.model("t2v").id().toString());
    }

    @Test
    void aBareNameOfSeveralVersionsIsInvalidModelIdNamingThem() {
        Manifest manifest = ManifestFixtures.load(dir, TWO_MODELS.replace("i2v@2.2.0", "t2v@2.3.0"));

        WanException e = assertThrows(WanException.class, () -> manifest.model("t2v"));

        assertEquals(ErrorCode.INVALID_MODEL_ID, e.code());
        assertTrue(e.getMessage().contains("'t2v' names 2 versions"), e.getMessage());
        assertTrue(e.getMessage().contains("t2v@2.2.0, t2v@2.3.0"), e.getMessage());
    }

    @Test
    void nullIdIsInvalidModelId() {
        Manifest manifest = ManifestFixtures.load(dir, TWO_MODELS);

        WanException e = assertThrows(WanException.class, () -> manifest.model(null));

        assertEquals(ErrorCode.INVALID_MODEL_ID, e.code());
    }

    @Test
    void lookupInAManifestWithoutModelsSaysThereAreNone() {
        Manifest manifest = ManifestFixtures.load(dir, "schema_version = 1\n");

        WanException e = assertThrows(WanException.class, () -> manifest.model("t2v@2.2.0"));

        assertEquals(ErrorCode.MODEL_NOT_FOUND, e.code());
        assertEquals("available models: (none)", e.hint());
    }

    @Test
    void modelsMapIsImmutable() {
        Manifest manifest = ManifestFixtures.load(dir, TWO_MODELS);

        assertThrows(UnsupportedOperationException.class, () -> manifest.models().clear());
    }
}
