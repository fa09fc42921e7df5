package dev.wan.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.source.SourceContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Transfer settings from the environment: WAN_CONNECTIONS, WAN_STALL_TIMEOUT_SECONDS, WAN_PARALLEL_FILES. */
final class SourceContexts {
    private SourceContexts() {
    }

    static SourceContext from(Map<String, String> env, Path localRoot) {
        int connections = positive(env, "WAN_CONNECTIONS", SourceContext.DEFAULT_CONNECTIONS);
        Duration stall = Duration.ofSeconds(positive(env, "WAN_STALL_TIMEOUT_SECONDS",
                (int) SourceContext.DEFAULT_STALL_TIMEOUT.toSeconds()));
        return new SourceContext(env, localRoot, connections, SourceContext.DEFAULT_CONNECT_TIMEOUT, stall);
    }

    /** Files of one model fetched at once: WAN_PARALLEL_FILES, default 4. */
    static int parallelFiles(Map<String, String> env) {
        return positive(env, "WAN_PARALLEL_FILES", 4);
    }

    private static int positive(Map<String, String> env, String name, int fallback) {
        return wholeNumber(env, name, fallback, 1);
    }

    /** An integer setting ≥ {@code min} from the environment; INVALID_CONFIG naming it when malformed. */
    static int wholeNumber(Map<String, String> env, String name, int fallback, int min) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new WanException(ErrorCode.INVALID_CONFIG, name + "=" + v + " is not a whole number ≥ " + min,
                "unset it or set e.g. " + name + "=" + fallback);
    }
}
