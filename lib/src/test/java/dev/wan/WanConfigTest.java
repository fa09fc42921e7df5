package dev.wan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WanConfigTest {
    @Test
    void nothingSetUsesTheCacheDirectoryAndTheBundledDemoWithItsStore() {
        WanConfig c = WanConfig.resolve(Map.of("HOME", "/home/op", "WAN_HOME", "/opt/wan"), null, null);

        assertEquals(Path.of("/home/op/.cache/wan/models"), c.modelsRoot());
        assertEquals(Path.of("/opt/wan/examples/demo/models.toml"), c.manifest());
        assertEquals(Path.of("/opt/wan/examples/demo/store"), c.localRoot());
    }

    @Test
    void theDemoManifestNamedExplicitlyStillServesFromItsStore() {
        WanConfig c = WanConfig.resolve(Map.of("MODELS_ROOT", "/m"), null, Path.of("/opt/wan/examples/demo/models.toml"));

        assertEquals(Path.of("/opt/wan/examples/demo/store"), c.localRoot());
    }

    @Test
    void anyOtherManifestResolvesLocalSourcesAgainstModelsRootUnlessWanLocalRootIsSet() {
        WanConfig plain = WanConfig.resolve(Map.of("MODELS_ROOT", "/m", "WAN_MODELS_MANIFEST", "/etc/wan/models.toml"),
                null, null);
        WanConfig set = WanConfig.resolve(Map.of("MODELS_ROOT", "/m", "WAN_LOCAL_ROOT", "/mnt/share"),
                Path.of("/r"), Path.of("/etc/wan/models.toml"));

        assertEquals(Path.of("/m"), plain.localRoot());
        assertEquals(Path.of("/r"), set.modelsRoot());
        assertEquals(Path.of("/mnt/share"), set.localRoot());
    }

    @Test
    void xdgCacheHomeWinsOverHome() {
        WanConfig c = WanConfig.resolve(Map.of("HOME", "/home/op", "XDG_CACHE_HOME", "/fast/cache", "WAN_HOME", "/w"),
                null, null);

        assertEquals(Path.of("/fast/cache/wan/models"), c.modelsRoot());
    }
}
