package dev.wan.source;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What every backend may need: the environment (tokens, endpoints, HF_HUB_OFFLINE …; read it from
 * here, never from System.getenv, so tests can isolate it), the base of local:// sources, and
 * transfer settings. The WAN_* settings arrive parsed ({@link dev.wan.WanSettings}): a backend
 * never parses them again.
 *
 * @param connectionsPerFile parallel ranged connections for one big file; {@link #AUTO_CONNECTIONS}: chosen per
 *                           file from the measured rate (one, doubled while that pays, at most
 *                           {@link #MAX_AUTO_CONNECTIONS})
 * @param connectTimeout     TCP/TLS connect timeout
 * @param stallTimeout       no byte for this long on an open transfer → retry from the current offset
 * @param retry              how transfers and metadata requests retry (one policy for every source)
 * @param parallelFiles      files of one model fetched at once (connection pools are sized for it)
 * @param preflight          check the disk has room before fetching (read by the ensure job)
 */
public record SourceContext(Map<String, String> env, Path localRoot, int connectionsPerFile, Duration connectTimeout,
                            Duration stallTimeout, RetryPolicy retry, int parallelFiles, boolean preflight) {
    /** {@code connectionsPerFile}: let the downloader choose, from the rate it measures. */
    public static final int AUTO_CONNECTIONS = 0;
    /** The most connections per file the automatic choice goes to. */
    public static final int MAX_AUTO_CONNECTIONS = 16;
    public static final int DEFAULT_CONNECTIONS = AUTO_CONNECTIONS;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_PARALLEL_FILES = 4;

    public SourceContext {
        env = Map.copyOf(env);
    }

    /** With the default retry policy, parallel files and preflight. */
    public SourceContext(Map<String, String> env, Path localRoot, int connectionsPerFile, Duration connectTimeout,
                         Duration stallTimeout) {
        this(env, localRoot, connectionsPerFile, connectTimeout, stallTimeout, RetryPolicy.DEFAULT,
                DEFAULT_PARALLEL_FILES, true);
    }

    /** The most connections one file may use (pools are sized for it). */
    public int maxConnectionsPerFile() {
        return connectionsPerFile == AUTO_CONNECTIONS ? MAX_AUTO_CONNECTIONS : connectionsPerFile;
    }

    /** An environment variable, or null when unset or blank. */
    public String env(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
