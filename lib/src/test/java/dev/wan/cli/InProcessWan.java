package dev.wan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CLI run in this JVM as a user types it, over one store and manifest: the tests' {@code wan}. */
public final class InProcessWan {
    private static final ObjectMapper JSON = new ObjectMapper();

    private InProcessWan() {
    }

    /** What one command answered. */
    public record Run(int code, String out, String err) {
        public JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    /** {@code wan ARGS --root ROOT --manifest MANIFEST}. */
    public static Run run(Path root, Path manifest, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--root", root.toString(), "--manifest", manifest.toString()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = WanCli.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }
}
