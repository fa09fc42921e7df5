package dev.wan.internal.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.manifest.SourceRef;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.StorageBackend;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The built-in backends are found the way a plugin jar's are: through ServiceLoader. */
class SourceRegistryTest {
    @Test
    void everyBuiltInSchemeIsServedByABackendFoundThroughServiceLoader() {
        SourceRegistry registry = new SourceRegistry(List.of());

        for (String scheme : SourceRef.BUILT_IN_SCHEMES) {
            StorageBackend b = registry.backendFor(new SourceRef(scheme + "://x/y"));
            assertTrue(b.getClass().getName().startsWith("dev.wan.source."), scheme + " -> " + b);
        }
        assertEquals(4, SourceRegistry.discovered().size(), SourceRegistry.discovered().toString());
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
}
