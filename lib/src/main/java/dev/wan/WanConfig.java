package dev.wan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where wan works and what it reads. Resolved from the environment, then overridden by flags.
 *
 * <ul>
 *   <li>{@code modelsRoot}: MODELS_ROOT, else {@code $XDG_CACHE_HOME/wan/models}, else
 *       {@code $HOME/.cache/wan/models} (the guide makes MODELS_ROOT required; we default it so the
 *       quick start works with nothing set).</li>
 *   <li>{@code manifest}: WAN_MODELS_MANIFEST, else the bundled demo {@code examples/demo/models.toml}
 *       of the wan checkout (found through WAN_HOME, which the {@code ./wan} launcher sets, or the
 *       current directory).</li>
 *   <li>{@code localRoot}: WAN_LOCAL_ROOT, the base of {@code local://} sources; else the demo's
 *       store when the demo manifest is in use, else MODELS_ROOT.</li>
 * </ul>
 */
public record WanConfig(Path modelsRoot, Path manifest, Path localRoot, Duration lockTimeout) {
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMinutes(30);
    static final String DEMO_MANIFEST = "examples/demo/models.toml";

    public static WanConfig fromEnvironment() {
        return resolve(System.getenv(), null, null);
    }

    /** Environment first, then the given overrides (null: not given). */
    public static WanConfig resolve(Map<String, String> env, Path rootOverride, Path manifestOverride) {
        Path root = rootOverride != null ? rootOverride : pathOrNull(env.get("MODELS_ROOT"));
        if (root == null) {
            Path cache = pathOrNull(env.get("XDG_CACHE_HOME"));
            if (cache == null) {
                String home = env.getOrDefault("HOME", System.getProperty("user.home"));
                cache = Path.of(home, ".cache");
            }
            root = cache.resolve("wan").resolve("models");
        }
        Path manifest = manifestOverride != null ? manifestOverride : pathOrNull(env.get("WAN_MODELS_MANIFEST"));
        if (manifest == null) {
            manifest = demoHome(env).resolve(DEMO_MANIFEST);
        }
        manifest = abs(manifest);
        Path local = pathOrNull(env.get("WAN_LOCAL_ROOT"));
        if (local == null) {
            // The demo manifest, however it was named, serves its models from the store beside it.
            local = manifest.endsWith(DEMO_MANIFEST) ? manifest.resolveSibling("store") : root;
        }
        return new WanConfig(abs(root), abs(manifest), abs(local), DEFAULT_LOCK_TIMEOUT);
    }

    public WanConfig withLockTimeout(Duration timeout) {
        return new WanConfig(modelsRoot, manifest, localRoot, timeout);
    }

    private static Path demoHome(Map<String, String> env) {
        Path home = pathOrNull(env.get("WAN_HOME"));
        if (home == null && System.getProperty("wan.home") != null) {
            home = Path.of(System.getProperty("wan.home"));
        }
        if (home == null) {
            home = Path.of("").toAbsolutePath();
            // From inside a checkout (e.g. examples/), walk up to the directory that has the demo.
            for (Path p = home; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve(DEMO_MANIFEST))) {
                    return p;
                }
            }
        }
        return home;
    }

    private static Path pathOrNull(String value) {
        return value == null || value.isBlank() ? null : Path.of(value);
    }

    private static Path abs(Path p) {
        return p.toAbsolutePath().normalize();
    }
}
