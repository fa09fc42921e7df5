package dev.wan.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.text.TerminalText;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Where commands print: human text or one JSON document on stdout, diagnostics on stderr. */
final class Output {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static {
        JSON.getFactory().setCharacterEscapes(TerminalText.JSON_ESCAPES);
    }

    final PrintWriter out;
    final PrintWriter err;
    final boolean json;
    final boolean verbose;
    final boolean quiet;

    Output(PrintWriter out, PrintWriter err, boolean json, boolean verbose, boolean quiet) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.verbose = verbose;
        this.quiet = quiet;
    }

    ObjectNode document(String command, boolean ok) {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("wanJsonVersion", 1);
        doc.put("command", command);
        doc.put("ok", ok);
        return doc;
    }

    void print(ObjectNode doc) {
        try {
            out.println(JSON.writeValueAsString(doc));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    /** A human-readable result line; manifest text in it is escaped ({@link TerminalText}). */
    void line(String text) {
        out.println(TerminalText.escape(text));
        out.flush();
    }

    /** Said instead of an empty table: the manifest has no models, so there is nothing to show. */
    void noModels(Path manifest) {
        line("no models in " + manifest);
    }

    static String path(Path p) {
        return p == null ? null : p.toString();
    }

    /** A time for people: ISO-8601 to the second ({@code 2026-12-01T23:18:12Z}); JSON keeps full precision. */
    static String time(java.time.Instant t) {
        return t == null ? "-" : t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    /** 1536 → "1.5 KiB". */
    static String bytes(long n) {
        return dev.wan.store.ByteSize.format(n);
    }
}
