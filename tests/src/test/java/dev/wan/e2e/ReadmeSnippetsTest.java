package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.WanConfig;
import dev.wan.ensure.FileStatus;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import dev.wan.ensure.ModelStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code java} and {@code jshell} block of the README runs as written: each is saved under the
 * name its {@code // Run:} line gives and run as that line says, through JBang (the checkout's
 * launcher called as {@code jbang}), from the checkout, against the bundled demo, with a fresh
 * MODELS_ROOT. A block that does not compile fails here (JBang exits 1), and so does one that does
 * not print what it is there to show, or leaves the store otherwise than it says.
 *
 * <p>A block's {@code // Run: [VAR=value …] jbang NAME.java|NAME.jsh [args…]} line is how both a
 * reader and this test know how to run it; a {@code java} or {@code jshell} block without one (or
 * with a {@code .jsh} in a java block, …) fails the build, and so does a block this test has no
 * expectations for ({@link #EXPECTED}): a snippet is only tested when something it prints is checked.
 */
class ReadmeSnippetsTest {
    private static final Path README = Cli.REPO.resolve("README.md");
    private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*([A-Za-z0-9_+-]*)\\s*$");
    private static final Pattern RUN = Pattern.compile("^\\s*//\\s*Run:\\s*(.*?)\\s*$");
    private static final Pattern ASSIGNMENT = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\\S*)");
    private static final Pattern JSHELL_ERROR = Pattern.compile("^[|\\s]*Error:");
    private static final Set<String> SNIPPET_LANGUAGES = Set.of("java", "jshell", "jsh");

    /** One runnable block: where it starts, its file name, the variables and arguments of its Run line. */
    record Snippet(int line, String language, String file, Map<String, String> env, List<String> args, String text) {
        @Override
        public String toString() {
            return "README.md:" + line + " (" + file + ")";
        }
    }

    /** What a snippet must have printed, and left in its store, beyond exit 0. */
    @FunctionalInterface
    interface Expectation {
        void check(Path root, Map<String, String> env, Cli.Result run) throws Exception;
    }

    private static final Map<String, Expectation> EXPECTED = Map.of(
            "EnsureDemo.java", ReadmeSnippetsTest::ensureDemo,
            "status.jsh", ReadmeSnippetsTest::statusJsh,
            "CustomBackend.java", ReadmeSnippetsTest::customBackend);

    @TempDir
    Path work;

    @TestFactory
    Stream<DynamicTest> everyJavaAndJshellBlockOfTheReadmeRunsThroughJBangAsWritten() throws IOException {
        List<Snippet> snippets = snippets(Files.readString(README, StandardCharsets.UTF_8));

        assertFalse(snippets.isEmpty(), "README.md has no java or jshell block: the test would prove nothing");
        Set<String> names = new TreeSet<>();
        for (Snippet s : snippets) {
            assertTrue(names.add(s.file()), s + ": two blocks are saved as " + s.file());
            assertTrue(EXPECTED.containsKey(s.file()), s + " has no expectations in ReadmeSnippetsTest.EXPECTED:"
                    + " add what it must print and leave in the store");
            assertFalse(s.text().contains("dev.wan.internal"), s + " uses dev.wan.internal: a README example shows"
                    + " the public API only");
        }
        assertEquals(new TreeSet<>(EXPECTED.keySet()), names, "expectations for blocks the README no longer has");
        return snippets.stream().map(s -> DynamicTest.dynamicTest(s.toString(), () -> run(s)));
    }

    private void run(Snippet s) throws Exception {
        Path dir = Files.createDirectories(work.resolve(s.file() + ".d"));
        Path script = Files.writeString(dir.resolve(s.file()), s.text(), StandardCharsets.UTF_8);
        Path root = dir.resolve("models");
        List<String> args = new ArrayList<>();
        args.add(script.toString());
        args.addAll(s.args());
        Cli jbang = Cli.jbang().env(s.env()).env("MODELS_ROOT", root.toString());
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");

        // From the checkout, as the README says to run them (a relative WAN_MODELS_MANIFEST is relative to it)
        Process p = jbang.builder(args.toArray(String[]::new)).directory(Cli.REPO.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Cli.Result r = Cli.await(p, out, err, "jbang " + s.file());

        assertEquals(0, r.exitCode(), s + " failed:\n" + r);
        // JShell reports a snippet that does not compile ("Error:") or throws ("Exception …") and goes on, exit 0
        assertTrue(r.stderr().lines().noneMatch(l -> JSHELL_ERROR.matcher(l).find()), s + " did not compile:\n" + r);
        assertFalse(r.stderr().contains("Exception"), s + " threw:\n" + r);
        EXPECTED.get(s.file()).check(root, s.env(), r);
    }

    // ---------------------------------------------------------------- what each block shows

    private static void ensureDemo(Path root, Map<String, String> env, Cli.Result r) {
        Path t2v = root.resolve("wan22/demo-t2v@1.0.0");
        assertLines(r, "Model path: " + t2v, "Model state: COMPLETE", "Missing bytes: 0", "Verification passed: true",
                "get_wan_paths: " + t2v, "Reclaimed 0 bytes", "would delete demo-i2v@1.0.0 (OVER_SIZE)",
                "would delete demo-tokenizer@1.0.0 (OVER_SIZE)", "would keep demo-t2v@1.0.0 (PINNED)");
        for (String id : List.of("demo-t2v@1.0.0", "demo-i2v@1.0.0", "demo-tokenizer@1.0.0")) {
            assertLines(r, id + ": " + root.resolve("wan22").resolve(id), id + " verified: true");
            assertTrue(r.stdout().contains("event: " + id + " ensured, "), "the listener heard " + id + ":\n" + r);
        }

        ModelEnsurer store = store(root, env);
        assertEquals(ModelState.COMPLETE, store.status("demo-t2v@1.0.0", "bf16").state(), "bf16, ensured first");
        for (String id : List.of("demo-t2v@1.0.0", "demo-i2v@1.0.0", "demo-tokenizer@1.0.0")) {
            ModelStatus s = store.status(id);
            assertEquals(ModelState.COMPLETE, s.state(), id);
            assertFalse(s.pinned(), id + " is unpinned again at the end");
        }
        assertTrue(Files.isRegularFile(t2v.resolve("transformer/diffusion_pytorch_model.bf16.safetensors")));
        assertTrue(Files.isRegularFile(t2v.resolve("transformer/diffusion_pytorch_model.fp16.safetensors")));
    }

    private static void statusJsh(Path root, Map<String, String> env, Cli.Result r) {
        assertLines(r, "demo-tokenizer is at " + root.resolve("wan22/demo-tokenizer@1.0.0"),
                "demo-tokenizer@1.0.0 COMPLETE, 0 bytes needed");
        assertTrue(r.stdout().contains("demo-t2v@1.0.0 NOT_PRESENT, "), r.toString());
        assertTrue(r.stdout().contains("demo-i2v@1.0.0 NOT_PRESENT, "), r.toString());

        assertEquals(ModelState.COMPLETE, store(root, env).status("demo-tokenizer@1.0.0").state());
        assertFalse(Files.exists(root.resolve("wan22/demo-t2v@1.0.0")), "only the tokenizer was ensured");
    }

    private static void customBackend(Path root, Map<String, String> env, Cli.Result r) throws IOException {
        Path dir = root.resolve("wan22/custom-tokenizer@1.0.0");
        assertLines(r, "No backend yet for: [custom]", "custom-tokenizer is at " + dir,
                "state: COMPLETE, no backend yet for: []");

        ModelStatus s = store(root, env).status("custom-tokenizer@1.0.0");
        assertEquals(ModelState.COMPLETE, s.state());
        assertEquals(3, s.files().size());
        Path served = Cli.REPO.resolve("examples/demo/store/demo-tokenizer@1.0.0");
        for (FileStatus f : s.files()) {
            assertEquals("custom://demo-tokenizer@1.0.0", f.source(), f.path() + " came through the custom backend");
            assertEquals(-1L, Files.mismatch(served.resolve(f.path()), dir.resolve(f.path())), f.path());
        }
    }

    /** Each line appears whole on stdout. */
    private static void assertLines(Cli.Result r, String... lines) {
        List<String> printed = r.stdout().lines().toList();
        for (String line : lines) {
            assertTrue(printed.contains(line), "expected the line '" + line + "':\n" + r);
        }
    }

    /** The store a snippet left, read in process through the public API with the manifest it used. */
    private static ModelEnsurer store(Path root, Map<String, String> env) {
        Path manifest = Cli.REPO.resolve(env.getOrDefault("WAN_MODELS_MANIFEST", "examples/demo/models.toml"));
        return ModelEnsurer.create(WanConfig.resolve(Map.of("MODELS_ROOT", root.toString()), root, manifest));
    }

    // ---------------------------------------------------------------- reading the README

    /** Every java/jshell block, with its Run line read; an AssertionError for one that has none. */
    static List<Snippet> snippets(String markdown) {
        List<Snippet> snippets = new ArrayList<>();
        List<String> lines = markdown.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            int start = i + 1;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.size() && !FENCE.matcher(lines.get(i)).matches(); i++) {
                text.append(lines.get(i)).append('\n');
            }
            String language = open.group(1).toLowerCase(Locale.ROOT);
            if (SNIPPET_LANGUAGES.contains(language)) {
                snippets.add(snippet(start, language, text.toString()));
            }
        }
        return snippets;
    }

    private static Snippet snippet(int line, String language, String text) {
        String where = "README.md:" + line + ": a ```" + language + " block";
        String run = text.lines().map(RUN::matcher).filter(Matcher::matches).map(m -> m.group(1)).findFirst()
                .orElseThrow(() -> new AssertionError(where + " has no '// Run: jbang NAME."
                        + (language.equals("java") ? "java" : "jsh") + "' line: say how to run it (this test runs it so)"));
        Map<String, String> env = new LinkedHashMap<>();
        List<String> words = List.of(run.split("\\s+"));
        int w = 0;
        for (Matcher m; w < words.size() && (m = ASSIGNMENT.matcher(words.get(w))).matches(); w++) {
            env.put(m.group(1), m.group(2));
        }
        if (w + 1 >= words.size() || !words.get(w).equals("jbang")) {
            throw new AssertionError(where + ": its Run line '" + run + "' is not '[VAR=value …] jbang NAME …'");
        }
        String file = words.get(w + 1);
        String extension = language.equals("java") ? ".java" : ".jsh";
        if (!file.endsWith(extension) || file.contains("/")) {
            throw new AssertionError(where + " runs '" + file + "': a " + language + " block is a file NAME" + extension);
        }
        return new Snippet(line, language, file, env, words.subList(w + 2, words.size()), text);
    }

    // ---------------------------------------------------------------- the reading itself

    @Test
    void aJavaBlockWithoutARunLineFailsInsteadOfBeingSkipped() {
        String md = "text\n```java\nvar x = 1;\n```\n";

        AssertionError e = assertThrows(AssertionError.class, () -> snippets(md));

        assertTrue(e.getMessage().contains("README.md:2: a ```java block has no '// Run: jbang NAME.java' line"),
                e.getMessage());
    }

    @Test
    void aJshellBlockThatNamesAJavaFileFails() {
        String md = "```jshell\n// Run: jbang x.java\n1 + 1\n```\n";

        AssertionError e = assertThrows(AssertionError.class, () -> snippets(md));

        assertTrue(e.getMessage().contains("a jshell block is a file NAME.jsh"), e.getMessage());
    }

    @Test
    void theRunLineGivesTheFileTheVariablesAndTheArguments() {
        String md = "```sh\n./wan ensure\n```\n\n```java\n// Run: A=1 B=x/y.toml jbang Demo.java --fast\nclass Demo {}\n```\n";

        List<Snippet> s = snippets(md);

        assertEquals(1, s.size(), "the sh block is not a snippet");
        assertEquals("Demo.java", s.get(0).file());
        assertEquals(Map.of("A", "1", "B", "x/y.toml"), s.get(0).env());
        assertEquals(List.of("--fast"), s.get(0).args());
        assertEquals(5, s.get(0).line(), "the line of the opening fence");
        assertTrue(s.get(0).text().startsWith("// Run:"), s.get(0).text());
    }
}
