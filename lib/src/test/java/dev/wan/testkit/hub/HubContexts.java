package dev.wan.testkit.hub;

import dev.wan.WanSettings;
import dev.wan.source.SourceContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Source contexts for tests against a {@link HubServer}: isolated env, fast retries, short stall timeout. */
public final class HubContexts {
    private HubContexts() {
    }

    /** HF_ENDPOINT at the server, retries after ~10 ms, nothing else from the real environment. */
    public static Map<String, String> env(HubServer hub, String... keyValues) {
        Map<String, String> env = new HashMap<>();
        env.put("HF_ENDPOINT", hub.endpoint());
        env.put("WAN_RETRY_BASE_MILLIS", "10");
        env.put("WAN_RETRIES", "4");
        env.put("WAN_STALL_TIMEOUT_SECONDS", "1");
        env.put("HOME", "/nonexistent-home-for-tests");
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    public static SourceContext context(Map<String, String> env) {
        return new SourceContext(env, Path.of("/nonexistent-local-root"), 4, Duration.ofSeconds(5), Duration.ofSeconds(1),
                WanSettings.from(env).retry(), SourceContext.DEFAULT_PARALLEL_FILES, true);
    }
}
