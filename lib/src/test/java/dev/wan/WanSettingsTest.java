package dev.wan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.source.RetryPolicy;
import dev.wan.source.SourceContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Issue 10, finding 6: the one place WAN_* settings are parsed, and what the sources get from it. */
class WanSettingsTest {
    @Test
    void nothingSetGivesTheDocumentedDefaults() {
        WanSettings s = WanSettings.from(Map.of());

        assertEquals(RetryPolicy.DEFAULT, s.retry());
        assertEquals(SourceContext.AUTO_CONNECTIONS, s.connections());
        assertEquals(Duration.ofSeconds(30), s.stallTimeout());
        assertEquals(4, s.parallelFiles());
        assertTrue(s.preflight());
        assertEquals(OptionalLong.empty(), s.maxTotalSize());
        assertFalse(s.gcAfterEnsure());
    }

    @Test
    void everySettingReachesTheSourceContextEveryBackendUses() {
        WanSettings s = WanSettings.from(Map.of("WAN_RETRIES", "2", "WAN_RETRY_BASE_MILLIS", "10", "WAN_CONNECTIONS", "3",
                "WAN_STALL_TIMEOUT_SECONDS", "7", "WAN_PARALLEL_FILES", "5", "WAN_PREFLIGHT", "off",
                "WAN_MAX_TOTAL_SIZE", "1.5GB", "WAN_GC_AFTER_ENSURE", "yes", "HF_TOKEN", "hf_x"));

        SourceContext c = s.sourceContext(Path.of("/l"));

        assertEquals(new RetryPolicy(2, Duration.ofMillis(10), RetryPolicy.DEFAULT.cap()), c.retry());
        assertEquals(3, c.connectionsPerFile());
        assertEquals(Duration.ofSeconds(7), c.stallTimeout());
        assertEquals(5, c.parallelFiles());
        assertFalse(c.preflight());
        assertEquals("hf_x", c.env("HF_TOKEN"));
        assertEquals(OptionalLong.of(1_500_000_000L), s.maxTotalSize());
        assertTrue(s.gcAfterEnsure());
    }

    @Test
    void aBadValueNamesTheVariableAndTheValue() {
        WanException e = assertThrows(WanException.class, () -> WanSettings.from(Map.of("WAN_STALL_TIMEOUT_SECONDS", "30s")));

        assertEquals(ErrorCode.INVALID_CONFIG, e.code());
        assertEquals("WAN_STALL_TIMEOUT_SECONDS='30s' is not a whole number ≥ 1", e.getMessage());
        assertEquals("unset WAN_STALL_TIMEOUT_SECONDS or set e.g. WAN_STALL_TIMEOUT_SECONDS=30", e.hint());
    }

    @Test
    void aConfigBuiltInCodeReadsNoEnvironment() {
        WanConfig c = new WanConfig(Path.of("/r"), Path.of("/m.toml"), Path.of("/l"), Duration.ofSeconds(1));

        assertEquals(WanSettings.DEFAULTS, c.settings());
        assertTrue(c.settings().env().isEmpty());
    }
}
