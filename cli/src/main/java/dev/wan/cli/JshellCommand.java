package dev.wan.cli;

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.text.TerminalText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import jdk.jshell.tool.JavaShellToolBuilder;
import picocli.CommandLine.Command;

/**
 * {@code wan jshell}: the JDK's JShell with wan's jars on the class path, the public API imported
 * and a few helpers defined ({@link #STARTUP}), over the store and manifest this command resolved
 * (so {@code --root}/{@code --manifest} and the environment apply as for any verb). The snippets run
 * in JShell's own JVM, which inherits this process's environment.
 */
@Command(name = "jshell", mixinStandardHelpOptions = true, description = {
        "Java at a prompt: JShell with wan's public API imported, over this store and manifest.",
        "Defined: ensure(\"demo-t2v@1.0.0\"), ensure(id, variant), status(id), status(), verify(id), pin(id),"
                + " unpin(id), help(), and 'wan', the ModelEnsurer (wan.statusAll(), wan.ensureBatch(ids, 4),"
                + " wan.addListener(...)).",
        "Reads snippets from stdin when it is not a terminal (a script: wan jshell < script.jsh); '/exit [CODE]'"
                + " leaves with that exit code.",
        "JShell's settings and history: $XDG_CACHE_HOME/wan/jshell.properties, else ~/.cache/wan/jshell.properties (mode 0600).",
        "Needs a JDK (JShell is not in a JRE)."})
final class JshellCommand extends Verb {
    /** What every session starts with, after JShell's default imports (java.util.*, java.nio.file.* …). */
    static final String STARTUP = """
            import dev.wan.*;
            import dev.wan.ensure.*;
            import dev.wan.gc.*;
            import dev.wan.manifest.*;
            import dev.wan.migrate.*;
            import dev.wan.store.*;
            import dev.wan.event.WanEvent;
            import java.time.*;
            ModelEnsurer wan = ModelEnsurer.create(WanConfig.resolve(System.getenv(), Path.of(%s), Path.of(%s)));
            Path ensure(String id) { return wan.ensure(id); }
            Path ensure(String id, String variant) { return wan.ensure(id, variant); }
            ModelStatus status(String id) { return wan.status(id); }
            List<ModelStatus> status() { return wan.statusAll(); }
            VerificationResult verify(String id) { return wan.verifyIntegrity(id); }
            boolean pin(String id) { return ModelPins.of(wan.config()).pin(ModelId.parse(id), wan.config().lockTimeout()); }
            boolean unpin(String id) { return ModelPins.of(wan.config()).unpin(ModelId.parse(id), wan.config().lockTimeout()); }
            void help() { System.out.println("ensure(id[, variant]) -> Path, status(id), status(), verify(id), pin(id), unpin(id); wan is the ModelEnsurer"); }
            """;

    @Override
    public Integer call() throws IOException {
        // Config and manifest problems are reported as for any verb, before JShell starts.
        ModelEnsurer ensurer = common.ensurer(null);
        WanConfig config = ensurer.config();
        Path startup = Files.createTempFile("wan-jshell-", ".jsh");
        try {
            Files.writeString(startup, STARTUP.formatted(literal(config.modelsRoot().toString()),
                    literal(config.manifest().toString())), StandardCharsets.UTF_8);
            output().out.flush();
            Path settingsFile = JshellSettings.file(WanCli.env(spec));
            Map<String, String> settings = JshellSettings.load(settingsFile);
            int code = JavaShellToolBuilder.builder().persistence(settings).start("--class-path",
                    System.getProperty("java.class.path"), "--startup", "DEFAULT", "--startup", startup.toString());
            try {
                JshellSettings.save(settings, settingsFile);
            } catch (IOException e) { // the session itself went fine: say it, keep its exit code
                output().err.println("wan: warning: could not save JShell's history to "
                        + TerminalText.escape(settingsFile.toString()) + ": " + TerminalText.escape(String.valueOf(e)));
            }
            return code;
        } catch (Exception e) {
            throw new WanException(ErrorCode.INTERNAL, "cannot start JShell: " + e, "run wan with a JDK, not a JRE");
        } finally {
            Files.deleteIfExists(startup);
        }
    }

    /** A Java string literal for {@code s}: paths may hold quotes, backslashes or control characters. */
    static String literal(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7E) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
