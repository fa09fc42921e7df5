package dev.wan.internal.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.manifest.SourceRef;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.StorageBackend;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built-in backends are found the way a plugin jar's are: through ServiceLoader. */
class SourceRegistryTest {
    @Test
    void everyBuiltInSchemeIsServedByABackendFoundThroughServiceLoader() {
        SourceRegistry registry = new SourceRegistry(List.of());

        for (String scheme : SourceRef.BUILT_IN_SCHEMES) {
            StorageBackend b = registry.backendFor(new SourceRef(scheme + "://x/y"));
            assertTrue(b.getClass().getName().startsWith("dev.wan.source."), scheme + " -> " + b);
        }
        assertEquals(4, SourceRegistry.discovered(null).size(), SourceRegistry.discovered(null).toString());
    }

    @Test
    void aBackendAddedInCodeWinsOverTheBuiltInForItsScheme() {
        StorageBackend mine = new StorageBackend() {
            @Override
            public Set<String> schemes() {
                return Set.of("s3");
            }

            @Override
            public SourceSession open(SourceRef source, SourceContext context) {
                throw new UnsupportedOperationException();
            }
        };
        SourceRegistry registry = new SourceRegistry(List.of(mine));

        assertSame(mine, registry.backendFor(new SourceRef("s3://bucket/prefix")));
    }

    /** A plugin's backend: registered only by the service file the test writes. */
    public static final class PluginBackend implements StorageBackend {
        @Override
        public Set<String> schemes() {
            return Set.of("plug");
        }

        @Override
        public SourceSession open(SourceRef source, SourceContext context) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aPluginOnTheContextLoaderOfTheCreatingThreadIsFoundWhenFirstAskedFor(@TempDir Path dir) throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(StorageBackend.class.getName()), PluginBackend.class.getName() + "\n");
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        SourceRegistry registry;
        try (URLClassLoader plugin = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Thread.currentThread().setContextClassLoader(plugin);
            try {
                registry = new SourceRegistry(List.of());
            } finally {
                Thread.currentThread().setContextClassLoader(before);
            }
            // discovery happens now, on a thread whose context loader no longer knows the plugin
            assertEquals(PluginBackend.class, registry.backendFor(new SourceRef("plug://x/y")).getClass());
            assertTrue(registry.schemes().contains("plug"));
        }
        assertThrows(dev.wan.WanException.class,
                () -> new SourceRegistry(List.of()).backendFor(new SourceRef("plug://x/y")));
    }
}
