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
 *   <li>{@code settings}: every WAN_* tuning setting, parsed once ({@link WanSettings}), and the
 *       environment backends read their own variables from.</li>
 * </ul>
 *
 * <p>The models root is never empty and never silently relative: an empty {@code --root} or
 * MODELS_ROOT is refused (an unset variable in a script, {@code MODELS_ROOT=$TYPO}, must not turn
 * the current directory into a store), and so is a relative MODELS_ROOT (a variable outlives the
 * directory it was set in: a job started elsewhere would silently fill a second store). A relative
 * {@code --root} is typed for this one command and resolved against the current directory, as any
 * path argument is (the CLI says so on stderr).
 */
public record WanConfig(Path modelsRoot, Path manifest, Path localRoot, Duration lockTimeout, WanSettings settings) {
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMinutes(30);
    static final String DEMO_MANIFEST = "examples/demo/models.toml";

    /** Default settings over an empty environment: for tests and embedding applications that set nothing. */
    public WanConfig(Path modelsRoot, Path manifest, Path localRoot, Duration lockTimeout) {
        this(modelsRoot, manifest, localRoot, lockTimeout, WanSettings.DEFAULTS);
    }

    public static WanConfig fromEnvironment() {
        return resolve(System.getenv(), null, null);
    }

    /**
     * Environment first, then the given overrides (null: not given). INVALID_CONFIG for an empty
     * root or manifest, a relative MODELS_ROOT, or a bad WAN_* value.
     */
    public static WanConfig resolve(Map<String, String> env, Path rootOverride, Path manifestOverride) {
        WanSettings settings = WanSettings.from(env);
        if (rootOverride != null && rootOverride.toString().isBlank()) {
            throw new WanException(ErrorCode.INVALID_CONFIG, "the models root given (--root) is empty",
                    "give a directory, e.g. --root /data/models, or leave --root out for the default"
                            + " ($MODELS_ROOT, else ~/.cache/wan/models)");
        }
        if (manifestOverride != null && manifestOverride.toString().isBlank()) {
            throw new WanException(ErrorCode.INVALID_CONFIG, "the manifest given (--manifest) is empty",
                    "give a file, e.g. --manifest examples/wan22.toml, or leave --manifest out for the default");
        }
        Path root = rootOverride != null ? rootOverride : modelsRootVariable(env);
        if (root == null) {
            root = cacheDirectory(env).resolve("models");
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
        return new WanConfig(abs(root), abs(manifest), abs(local), DEFAULT_LOCK_TIMEOUT, settings);
    }

    /**
     * wan's per-user cache directory: {@code $XDG_CACHE_HOME/wan}, else {@code $HOME/.cache/wan}
     * (a relative XDG_CACHE_HOME is ignored, as the XDG base directory spec says). The default
     * models root is its {@code models/}; {@code wan shell} keeps its history there.
     */
    public static Path cacheDirectory(Map<String, String> env) {
        Path cache = pathOrNull(env.get("XDG_CACHE_HOME"));
        if (cache != null && !cache.isAbsolute()) {
            cache = null; // the XDG base directory spec: relative paths are invalid and ignored
        }
        if (cache == null) {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            cache = Path.of(home, ".cache");
        }
        return cache.resolve("wan");
    }

    public WanConfig withLockTimeout(Duration timeout) {
        return new WanConfig(modelsRoot, manifest, localRoot, timeout, settings);
    }

    public WanConfig withSettings(WanSettings s) {
        return new WanConfig(modelsRoot, manifest, localRoot, lockTimeout, s);
    }

    /** MODELS_ROOT: null when unset; refused when set but empty, or relative. */
    private static Path modelsRootVariable(Map<String, String> env) {
        String v = env.get("MODELS_ROOT");
        if (v == null) {
            return null;
        }
        if (v.isBlank()) {
            throw new WanException(ErrorCode.INVALID_CONFIG, "MODELS_ROOT is set but empty",
                    "unset it for the default (~/.cache/wan/models) or set a directory, e.g. MODELS_ROOT=/data/models");
        }
        Path p;
        try {
            p = Path.of(v);
        } catch (java.nio.file.InvalidPathException e) {
            throw new WanException(ErrorCode.INVALID_CONFIG, "MODELS_ROOT='" + v + "' is not a path: " + e.getReason(),
                    "set a directory, e.g. MODELS_ROOT=/data/models");
        }
        if (!p.isAbsolute()) {
            throw new WanException(ErrorCode.INVALID_CONFIG, "MODELS_ROOT='" + v + "' is relative; it would name"
                    + " another store in every directory wan is started from",
                    "set an absolute path, e.g. MODELS_ROOT=" + abs(p) + " (or pass --root " + v + " for this one command)");
        }
        return p;
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
