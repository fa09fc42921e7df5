package dev.wan.internal.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JsonTree reads and writes exactly what ObjectMapper does: the mapper is the oracle here. */
class JsonTreeTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final List<String> DOCUMENTS = List.of(
            "{}", "[]", "\"text\"", "42", "-9007199254740993", "123456789012345678901234567890", "1.5e300",
            "0.1", "true", "null", "[1, 2.5, \"x\", null, false, {\"a\": []}]",
            "{\"schema\": 1, \"model\": \"t2v@1.0.0\", \"files\": {\"a/b.bin\": {\"size\": 4294967296,"
                    + " \"sha256\": \"ab\", \"verifiedAt\": \"2026-12-01T00:00:00Z\"}}, \"pinned\": false}",
            "{\"dup\": 1, \"dup\": {\"x\": 2}}",
            "{\"esc\": \"\\u001b[2J \\u202e \\n \\\" \\\\ é 😀\"}",
            "  {\"a\": [[[[[]]]]]}  ",
            "{\"a\": 1} trailing");

    @Test
    void readsWhatTheMapperReads() throws Exception {
        for (String doc : DOCUMENTS) {
            byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
            JsonNode expected = MAPPER.readTree(bytes);
            assertEquals(expected, JsonTree.read(bytes), doc);
            assertEquals(expected, JsonTree.read(new ByteArrayInputStream(bytes)), doc);
        }
    }

    @Test
    void writesWhatTheMapperWrites() throws Exception {
        for (String doc : DOCUMENTS) {
            JsonNode node = MAPPER.readTree(doc);
            assertArrayEquals(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node),
                    JsonTree.prettyBytes(node), doc);
            assertArrayEquals(MAPPER.writeValueAsBytes(node), JsonTree.compactBytes(node), doc);
            java.io.StringWriter text = new java.io.StringWriter();
            JsonTree.writeText(node, null, text, true);
            assertEquals(MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node), text.toString(), doc);
            java.io.StringWriter line = new java.io.StringWriter();
            JsonTree.writeText(node, null, line, false);
            assertEquals(MAPPER.writeValueAsString(node), line.toString(), doc);
        }
    }

    @Test
    void emptyInputIsAMissingNode() throws Exception {
        assertTrue(JsonTree.read(new byte[0]).isMissingNode());
        assertTrue(JsonTree.read(" \n ".getBytes(StandardCharsets.UTF_8)).isMissingNode());
    }

    @Test
    void brokenInputFailsAsTheMapperFails() {
        for (String doc : List.of("{", "{\"a\": ", "[1, 2", "{\"a\" 1}", "nul", "{\"a\": 1,}", "\"open")) {
            byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
            assertThrows(JsonProcessingException.class, () -> MAPPER.readTree(bytes), doc);
            assertThrows(JsonProcessingException.class, () -> JsonTree.read(bytes), doc);
        }
    }

    @Test
    void deepNestingMeetsTheParsersLimitNotTheStack() {
        byte[] deep = ("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8);
        assertThrows(JsonProcessingException.class, () -> JsonTree.read(deep));
    }
}
