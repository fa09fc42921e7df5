package dev.wan.cli;

import dev.wan.WanConfig;
import dev.wan.ensure.ModelEnsurer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options every command takes (a picocli mixin). */
final class Common {
    @Option(names = "--root", paramLabel = "DIR", description = "Models root.%nDefault: $MODELS_ROOT, else ~/.cache/wan/models.")
    Path root;

    @Option(names = "--manifest", paramLabel = "FILE",
            description = "Manifest.%nDefault: $WAN_MODELS_MANIFEST, else examples/demo/models.toml.")
    Path manifest;

    @Option(names = "--json", description = "Print one JSON document on stdout (schema in the README).")
    boolean json;

    @Option(names = {"-v", "--verbose"}, description = "More detail; stack traces for internal errors.")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "No progress or decoration; ensure prints only model paths.")
    boolean quiet;

    WanConfig config(Duration lockTimeout) {
        WanConfig c = WanConfig.resolve(System.getenv(), root, manifest);
        return lockTimeout == null ? c : c.withLockTimeout(lockTimeout);
    }

    ModelEnsurer ensurer(Duration lockTimeout) {
        return ensurer(lockTimeout, java.util.Map.of());
    }

    /** {@code envOverrides}: flags that stand for environment settings (e.g. --connections → WAN_CONNECTIONS). */
    ModelEnsurer ensurer(Duration lockTimeout, java.util.Map<String, String> envOverrides) {
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.putAll(envOverrides);
        return ModelEnsurer.create(config(lockTimeout), java.time.Clock.systemUTC(), java.util.List.of(), env);
    }

    Output output(PrintWriter out, PrintWriter err) {
        return new Output(out, err, json, verbose, quiet);
    }
}
