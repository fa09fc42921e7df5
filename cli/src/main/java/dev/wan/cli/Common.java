package dev.wan.cli;

import dev.wan.WanConfig;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.text.TerminalText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** Options every command takes (a picocli mixin), and the configuration they resolve to. */
final class Common {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    @Option(names = "--root", paramLabel = "DIR", description = "Models root.%nDefault: $MODELS_ROOT, else ~/.cache/wan/models.")
    Path root;

    @Option(names = "--manifest", paramLabel = "FILE",
            description = "Manifest.%nDefault: $WAN_MODELS_MANIFEST, else examples/demo/models.toml.")
    Path manifest;

    @Option(names = "--json", description = "Print one JSON document on stdout (schema in the README).")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "More detail: the roots and every setting in effect (stderr); stack traces for internal errors.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "No progress or decoration; ensure prints only model paths.")
    boolean quiet;

    @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "Log lines as text or json (on stderr, or appended to $WAN_LOG_FILE).%nDefault: $WAN_LOG_FORMAT, else text.")
    String logFormat;

    @Option(names = "--log-level", paramLabel = "LEVEL",
            description = "Least severe log level shown: error, warn, info, debug or trace.%nDefault: $WAN_LOG_LEVEL, else warn.")
    String logLevel;

    /** Resolved once per command: environment and flags, every WAN_* setting parsed (INVALID_CONFIG if bad). */
    private WanConfig resolved;

    WanConfig config(Duration lockTimeout) {
        return config(lockTimeout, Map.of());
    }

    /** {@code envOverrides}: flags that stand for environment settings (e.g. --connections → WAN_CONNECTIONS). */
    WanConfig config(Duration lockTimeout, Map<String, String> envOverrides) {
        if (resolved == null) {
            Map<String, String> env = new HashMap<>(mixee == null ? System.getenv() : WanCli.env(mixee));
            env.putAll(envOverrides);
            resolved = WanConfig.resolve(env, root, manifest);
            if (root != null && !root.isAbsolute() && !quiet && !json && mixee != null) {
                // Stated, never silent: the store this command uses depends on where it was started.
                PrintWriter err = mixee.commandLine().getErr();
                err.println(TerminalText.escape("wan: --root " + root + " is relative: using " + resolved.modelsRoot()));
                err.flush();
            }
            if (verbose && !json && mixee != null) {
                PrintWriter err = mixee.commandLine().getErr();
                err.println(TerminalText.escape("wan: models root " + resolved.modelsRoot() + ", manifest "
                        + resolved.manifest() + ", local:// root " + resolved.localRoot()));
                for (String setting : resolved.settings().describe()) {
                    err.println(TerminalText.escape("wan: " + setting));
                }
                err.flush();
            }
        }
        return lockTimeout == null ? resolved : resolved.withLockTimeout(lockTimeout);
    }

    ModelEnsurer ensurer(Duration lockTimeout) {
        return ensurer(lockTimeout, Map.of());
    }

    /**
     * The ensurer for this command. Unlike a script, the CLI cannot register a backend later: a
     * source scheme no backend handles is a manifest error at once, as {@code validate-manifest} says.
     */
    ModelEnsurer ensurer(Duration lockTimeout, Map<String, String> envOverrides) {
        ModelEnsurer ensurer = ModelEnsurer.create(config(lockTimeout, envOverrides), Clock.systemUTC(), List.of());
        ensurer.requireHandledSchemes();
        return ensurer;
    }

    Output output(PrintWriter out, PrintWriter err) {
        return new Output(out, err, json, verbose, quiet);
    }
}
