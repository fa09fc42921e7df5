package dev.wan.source;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What every backend may need: the environment (tokens, endpoints, HF_HUB_OFFLINE …; read it from
 * here, never from System.getenv, so tests can isolate it), the base of local:// sources, and
 * transfer settings.
 *
 * @param connectionsPerFile parallel ranged connections for one big file
 * @param connectTimeout     TCP/TLS connect timeout
 * @param stallTimeout       no byte for this long on an open transfer → retry from the current offset
 */
public record SourceContext(Map<String, String> env, Path localRoot, int connectionsPerFile, Duration connectTimeout,
                            Duration stallTimeout) {
    public static final int DEFAULT_CONNECTIONS = 8;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);

    public SourceContext {
        env = Map.copyOf(env);
    }

    /** An environment variable, or null when unset or blank. */
    public String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
