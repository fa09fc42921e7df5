package dev.wan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The CLI run in this JVM as a user types it: the tests' one {@code wan}. Each run gets an explicit
 * environment, never the developer's: {@link #ISOLATED} (no HF_TOKEN, AWS_*, WAN_*, MODELS_ROOT;
 * HOME pointing nowhere, so no token or profile file is found either) plus what the test adds.
 */
public final class InProcessWan {
    /** The whole environment of a run unless a test adds to it. */
    public static final Map<String, String> ISOLATED = Map.of("HOME", "/nonexistent-home-for-wan-tests");
    private static final ObjectMapper JSON = new ObjectMapper();

    private InProcessWan() {
    }

    /** What one command answered. */
    public record Run(int code, String out, String err) {
        public JsonNode json() throws Exception {
            return JSON.readTree(out);
        }

        /** stderr's non-blank lines. */
        public List<String> errLines() {
            return Arrays.stream(err.split("\n")).filter(l -> !l.isBlank()).toList();
        }
    }

    /** {@code wan ARGS --root ROOT --manifest MANIFEST}. */
    public static Run run(Path root, Path manifest, String... args) {
        return run(Map.of(), root, manifest, args);
    }

    /** {@code VAR=… wan ARGS --root ROOT --manifest MANIFEST}: {@code env} on top of {@link #ISOLATED}. */
    public static Run run(Map<String, String> env, Path root, Path manifest, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--root", root.toString(), "--manifest", manifest.toString()));
        return bare(env, all.toArray(String[]::new));
    }

    /** {@code wan ARGS} exactly as given (no --root or --manifest added). */
    public static Run bare(String... args) {
        return bare(Map.of(), args);
    }

    /** {@code VAR=… wan ARGS} exactly as given: {@code env} on top of {@link #ISOLATED}. */
    public static Run bare(Map<String, String> env, String... args) {
        Map<String, String> all = new HashMap<>(ISOLATED);
        all.putAll(env);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = WanCli.run(all, new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}
