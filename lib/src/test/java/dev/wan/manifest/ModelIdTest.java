package dev.wan.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelIdTest {
    @ParameterizedTest
    @ValueSource(strings = {"t2v-A14B@2.2.0", "ti2v-5b@2.2.0", "a@0.0.0", "x_y@10.20.30", "9lives@1.0.0"})
    void wellFormedIdParsesAndPrintsBackUnchanged(String text) {
        ModelId id = ModelId.parse(text);

        assertTrue(ModelId.isValid(text));
        assertEquals(text, id.toString());
    }

    @Test
    void parseSplitsNameAndVersion() {
        ModelId id = ModelId.parse("t2v-A14B@2.2.0");

        assertEquals("t2v-A14B", id.name());
        assertEquals("2.2.0", id.version());
    }

    @ParameterizedTest
    @ValueSource(strings = {"t2v", "t2v@2.2", "-x@1.0.0", "_x@1.0.0", "t2v@2.2.0.1", "t2v@2.2.x", "t2v@@2.2.0",
            "t2v/a@1.0.0", "t2v@1.0.0\n", "../t2v@1.0.0", "t.v@1.0.0", "t2v@ 1.0.0", ""})
    void malformedIdIsRejectedWithTheExpectedFormat(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelId.parse(text));

        assertFalse(ModelId.isValid(text));
        assertTrue(e.getMessage().contains("name@x.y.z"), e.getMessage());
    }

    @Test
    void nullIsNotAValidId() {
        assertFalse(ModelId.isValid(null));
        assertThrows(IllegalArgumentException.class, () -> ModelId.parse(null));
    }

    @Test
    void constructorRejectsPartsThatDoNotFormAnId() {
        assertThrows(IllegalArgumentException.class, () -> new ModelId("t2v", "2.2"));
        assertThrows(IllegalArgumentException.class, () -> new ModelId("a@b", "1.0.0"));
    }

    @Test
    void idsCompareByTheirText() {
        assertTrue(ModelId.parse("a@1.0.0").compareTo(ModelId.parse("b@1.0.0")) < 0);
        assertEquals(0, ModelId.parse("a@1.0.0").compareTo(new ModelId("a", "1.0.0")));
        assertEquals(ModelId.parse("a@1.0.0"), new ModelId("a", "1.0.0"));
    }
}
