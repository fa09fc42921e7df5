package dev.wan.internal.source;

import dev.wan.source.local.LocalBackend;
import dev.wan.source.StorageBackend;
import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.manifest.SourceRef;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The backends wan can use: the built-ins, any found through {@link ServiceLoader} (a jar on the
 * class path with {@code META-INF/services/dev.wan.source.StorageBackend}), and any added in code.
 * A backend added later wins over an earlier one for the same scheme.
 */
public final class SourceRegistry {
    private final List<StorageBackend> backends = new CopyOnWriteArrayList<>();

    public SourceRegistry(List<StorageBackend> builtIns) {
        backends.addAll(builtIns);
        ServiceLoader.load(StorageBackend.class).forEach(backends::add);
    }

    /** The backends every wan has. */
    public static List<StorageBackend> builtIns() {
        return List.of(new LocalBackend(), new dev.wan.source.hf.HfBackend(), new dev.wan.source.http.HttpBackend(),
                new dev.wan.source.s3.S3Backend());
    }

    public void add(StorageBackend backend) {
        backends.add(backend);
    }

    public StorageBackend backendFor(SourceRef source) {
        List<StorageBackend> reversed = new ArrayList<>(backends);
        java.util.Collections.reverse(reversed);
        return reversed.stream().filter(b -> b.schemes().contains(source.scheme())).findFirst()
                .orElseThrow(() -> new WanException(ErrorCode.SOURCE_UNAVAILABLE,
                        "no backend for source " + source.redacted() + " in this version of wan",
                        "supported schemes: " + String.join(", ", schemes()) + " (a script registers another with"
                                + " ModelEnsurer.addStorageBackend before ensuring; a backend jar on the class path"
                                + " registers itself through ServiceLoader)"));
    }

    public Set<String> schemes() {
        Set<String> all = new TreeSet<>(SourceRef.BUILT_IN_SCHEMES);
        backends.forEach(b -> all.addAll(b.schemes()));
        return all;
    }
}
