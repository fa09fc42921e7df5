package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Under LANG=C the CLI printed '?' for its own arrow and for any non-ASCII name. */
class ConsoleWriterTest {
    private static String through(Charset charset, String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintWriter w = ConsoleWriter.of(bytes, charset);
        w.print(text);
        w.flush();
        return bytes.toString(charset);
    }

    @Test
    void underAnAsciiLocaleWansOwnMarksBecomeTheirAsciiSpelling() {
        assertEquals("wan: demo-t2v -> demo-t2v@1.0.0", through(StandardCharsets.US_ASCII, "wan: demo-t2v → demo-t2v@1.0.0"));
        assertEquals("[####----] a whole number >= 0 ...", through(StandardCharsets.US_ASCII, "[████░░░░] a whole number ≥ 0 …"));
    }

    @Test
    void anythingElseIsAVisibleEscapeThatKeepsJsonParseable() throws Exception {
        String doc = "{\"path\":\"caf\u00e9/\ud83d\ude00.bin\"}";
        String ascii = through(StandardCharsets.US_ASCII, doc);
        assertEquals("{\"path\":\"caf\\u00e9/\\ud83d\\ude00.bin\"}", ascii);
        assertEquals("caf\u00e9/\ud83d\ude00.bin", new ObjectMapper().readTree(ascii).get("path").asText());
    }

    @Test
    void aCharsetThatHasTheCharacterKeepsIt() {
        assertEquals("caf\u00e9 ...", through(StandardCharsets.ISO_8859_1, "caf\u00e9 …"));
        assertEquals("demo-t2v → x …", through(StandardCharsets.UTF_8, "demo-t2v → x …"));
    }
}
