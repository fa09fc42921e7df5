package dev.wan;

import dev.wan.source.RetryPolicy;
import dev.wan.source.SourceContext;
import dev.wan.store.ByteSize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Every WAN_* tuning setting, parsed once from the environment (README "Configuration"). A bad
 * value is {@link ErrorCode#INVALID_CONFIG} naming the variable and the value, whichever command
 * runs: nothing downstream parses these variables again. {@code env} is kept for what backends
 * read themselves (HF_TOKEN, HF_ENDPOINT, AWS_*, WAN_S3_ENDPOINT_*).
 *
 * @param retry         WAN_RETRIES (default 6, ≥ 0), WAN_RETRY_BASE_MILLIS (default 250, ≥ 0)
 * @param connections   WAN_CONNECTIONS (default {@code auto}: chosen per file from the measured rate, 1 to 16;
 *                      a number ≥ 1 fixes it); {@link SourceContext#AUTO_CONNECTIONS} for auto
 * @param stallTimeout  WAN_STALL_TIMEOUT_SECONDS (default 30, ≥ 1)
 * @param parallelFiles WAN_PARALLEL_FILES (default 4, ≥ 1)
 * @param preflight     WAN_PREFLIGHT (default on; 0/false/no/off turn the free-space check off)
 * @param maxTotalSize  WAN_MAX_TOTAL_SIZE (a size such as 500GB; empty when unset)
 * @param gcAfterEnsure WAN_GC_AFTER_ENSURE (default off; 1/true/yes/on)
 */
public record WanSettings(Map<String, String> env, RetryPolicy retry, int connections, Duration stallTimeout,
                          int parallelFiles, boolean preflight, OptionalLong maxTotalSize, boolean gcAfterEnsure) {
    /** The defaults, over an empty environment. */
    public static final WanSettings DEFAULTS = from(Map.of());

    private static final List<String> TRUE = List.of("1", "true", "yes", "on");
    private static final List<String> FALSE = List.of("0", "false", "no", "off");

    public WanSettings {
        env = Map.copyOf(env);
    }

    /** Parses every setting; INVALID_CONFIG on the first bad one. */
    public static WanSettings from(Map<String, String> env) {
        RetryPolicy d = RetryPolicy.DEFAULT;
        RetryPolicy retry = new RetryPolicy(wholeNumber(env, "WAN_RETRIES", d.attempts(), 0),
                Duration.ofMillis(wholeNumber(env, "WAN_RETRY_BASE_MILLIS", (int) d.base().toMillis(), 0)), d.cap());
        return new WanSettings(env, retry,
                "auto".equalsIgnoreCase(value(env, "WAN_CONNECTIONS")) ? SourceContext.AUTO_CONNECTIONS
                        : wholeNumber(env, "WAN_CONNECTIONS", SourceContext.DEFAULT_CONNECTIONS, 1),
                Duration.ofSeconds(wholeNumber(env, "WAN_STALL_TIMEOUT_SECONDS",
                        (int) SourceContext.DEFAULT_STALL_TIMEOUT.toSeconds(), 1)),
                wholeNumber(env, "WAN_PARALLEL_FILES", SourceContext.DEFAULT_PARALLEL_FILES, 1),
                flag(env, "WAN_PREFLIGHT", true),
                size(env, "WAN_MAX_TOTAL_SIZE"),
                flag(env, "WAN_GC_AFTER_ENSURE", false));
    }

    /**
     * Every setting with the value in effect, in README order, each marked {@code (default)} unless
     * the environment set it: what {@code --verbose} shows, so an operator sees what a run used.
     */
    public List<String> describe() {
        java.util.LinkedHashMap<String, String> shown = new java.util.LinkedHashMap<>();
        shown.put("WAN_CONNECTIONS", connections == SourceContext.AUTO_CONNECTIONS ? "auto" : String.valueOf(connections));
        shown.put("WAN_STALL_TIMEOUT_SECONDS", String.valueOf(stallTimeout.toSeconds()));
        shown.put("WAN_RETRIES", String.valueOf(retry.attempts()));
        shown.put("WAN_RETRY_BASE_MILLIS", String.valueOf(retry.base().toMillis()));
        shown.put("WAN_PARALLEL_FILES", String.valueOf(parallelFiles));
        shown.put("WAN_PREFLIGHT", preflight ? "on" : "off");
        shown.put("WAN_MAX_TOTAL_SIZE", maxTotalSize.isPresent() ? ByteSize.format(maxTotalSize.getAsLong()) : "unset");
        shown.put("WAN_GC_AFTER_ENSURE", gcAfterEnsure ? "on" : "off");
        return shown.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue() + (value(env, e.getKey()) == null ? " (default)" : ""))
                .toList();
    }

    /** The same settings with another connection count (ensure --connections). */
    public WanSettings withConnections(int n) {
        return new WanSettings(env, retry, n, stallTimeout, parallelFiles, preflight, maxTotalSize, gcAfterEnsure);
    }

    /** What backends and the downloader get. */
    public SourceContext sourceContext(Path localRoot) {
        return new SourceContext(env, localRoot, connections, SourceContext.DEFAULT_CONNECT_TIMEOUT, stallTimeout,
                retry, parallelFiles, preflight);
    }

    /**
     * The log settings of a command: a flag ({@code --log-format}, {@code --log-level}; null when not
     * given) wins over its variable (WAN_LOG_FORMAT, WAN_LOG_LEVEL); WAN_LOG_FILE names the file to
     * append to. INVALID_CONFIG naming the flag or variable for a bad value.
     */
    public static LogSettings logSettings(Map<String, String> env, String formatFlag, String levelFlag) {
        LogSettings d = LogSettings.DEFAULTS;
        LogSettings.Format format = choice(LogSettings.Format.values(), "--log-format", formatFlag,
                env, "WAN_LOG_FORMAT", d.format());
        LogSettings.Level level = choice(LogSettings.Level.values(), "--log-level", levelFlag,
                env, "WAN_LOG_LEVEL", d.level());
        String file = value(env, "WAN_LOG_FILE");
        if (file == null) {
            return new LogSettings(format, level, java.util.Optional.empty());
        }
        try {
            return new LogSettings(format, level, java.util.Optional.of(Path.of(file)));
        } catch (java.nio.file.InvalidPathException e) {
            throw invalid("WAN_LOG_FILE", file, "is not a file path", "WAN_LOG_FILE=/var/log/wan.log");
        }
    }

    private static <E extends Enum<E>> E choice(E[] values, String flag, String flagValue, Map<String, String> env,
                                                String name, E fallback) {
        boolean fromFlag = flagValue != null;
        String v = fromFlag ? flagValue.strip() : value(env, name);
        if (v == null) {
            return fallback;
        }
        for (E e : values) {
            if (e.name().equalsIgnoreCase(v)) {
                return e;
            }
        }
        String allowed = String.join(", ", java.util.Arrays.stream(values)
                .map(e -> e.name().toLowerCase(Locale.ROOT)).toList());
        String example = values[values.length > 3 ? 3 : values.length - 1].name().toLowerCase(Locale.ROOT);
        if (fromFlag) {
            return failFlag(flag, v, allowed, example);
        }
        throw invalid(name, v, "is not one of " + allowed, name + "=" + example);
    }

    private static <E> E failFlag(String flag, String v, String allowed, String example) {
        throw new WanException(ErrorCode.INVALID_CONFIG, flag + " '" + v + "' is not one of " + allowed,
                "e.g. " + flag + " " + example);
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    private static int wholeNumber(Map<String, String> env, String name, int fallback, int min) {
        String v = value(env, name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw invalid(name, v, "is not a whole number ≥ " + min, name + "=" + fallback);
    }

    private static boolean flag(Map<String, String> env, String name, boolean fallback) {
        String v = value(env, name);
        if (v == null) {
            return fallback;
        }
        String lower = v.toLowerCase(Locale.ROOT);
        if (TRUE.contains(lower) || FALSE.contains(lower)) {
            return TRUE.contains(lower);
        }
        throw invalid(name, v, "is not on or off (1/true/yes/on, 0/false/no/off)", name + "=" + (fallback ? 1 : 0));
    }

    private static OptionalLong size(Map<String, String> env, String name) {
        String v = value(env, name);
        if (v == null) {
            return OptionalLong.empty();
        }
        try {
            long n = ByteSize.parse(v);
            if (n >= 0) {
                return OptionalLong.of(n);
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw invalid(name, v, "is not a size (e.g. 500MB, 100GB, 1.5TB in powers of 1000, 100GiB in powers of 1024)",
                name + "=500GB");
    }

    private static WanException invalid(String name, String value, String why, String example) {
        return new WanException(ErrorCode.INVALID_CONFIG, name + "='" + value + "' " + why,
                "unset " + name + " or set e.g. " + example);
    }
}
