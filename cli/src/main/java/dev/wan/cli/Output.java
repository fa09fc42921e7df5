package dev.wan.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wan.internal.io.JsonTree;
import dev.wan.text.TerminalText;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Where commands print: human text or one JSON document on stdout, diagnostics on stderr. */
final class Output {
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

    static ObjectNode object() {
        return JsonTree.object();
    }

    ObjectNode document(String command, boolean ok) {
        ObjectNode doc = object();
        doc.put("wanJsonVersion", 1);
        doc.put("command", command);
        doc.put("ok", ok);
        return doc;
    }

    void print(ObjectNode doc) {
        write(doc, true);
    }

    /**
     * The document on one line: for a command that keeps running after it ({@code serve}), so a
     * supervisor can read one line instead of parsing until the document ends.
     */
    void printLine(ObjectNode doc) {
        write(doc, false);
    }

    private void write(ObjectNode doc, boolean pretty) {
        try {
            // jackson-core's generator, not an ObjectMapper: see JsonTree
            JsonTree.writeText(doc, TerminalText.JSON_ESCAPES, out, pretty);
            out.println();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
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
