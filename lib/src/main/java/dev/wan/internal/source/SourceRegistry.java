package dev.wan.internal.source;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.manifest.SourceRef;
import dev.wan.source.StorageBackend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The backends wan can use: every one found through {@link ServiceLoader} (the built-ins register
 * themselves in wan's own {@code META-INF/services/dev.wan.source.StorageBackend}, exactly as a backend
 * jar on the class path does), then any added in code. A backend added later wins over an earlier
 * one for the same scheme; built-ins come first, so a plugin jar can replace one.
 */
public final class SourceRegistry {
    private static final String BUILT_IN_PACKAGE = "dev.wan.source.";

    /** Added in code, after the discovered ones. */
    private final List<StorageBackend> added = new CopyOnWriteArrayList<>();
    /** The context loader of the thread that made this registry: where a script's jars are. */
    private final ClassLoader contextLoader;
    private volatile List<StorageBackend> discovered;

    /**
     * The discovered backends, then {@code added} (in that order). Discovery waits for the first
     * question about a backend: it reads every jar on the class path for a service file, which
     * a command that never touches a source (status, list, gc) need not pay for.
     */
    public SourceRegistry(List<StorageBackend> added) {
        this.added.addAll(added);
        this.contextLoader = Thread.currentThread().getContextClassLoader();
    }

    /**
     * Backends on the class path: looked up through wan's own class loader (the built-ins, and jars
     * beside wan's) and the thread's context loader (JShell and JBang put a script's jars there),
     * one instance per class, wan's own first.
     */
    static List<StorageBackend> discovered(ClassLoader contextLoader) {
        Map<Class<?>, StorageBackend> found = new LinkedHashMap<>();
        for (ClassLoader loader : new ClassLoader[] {StorageBackend.class.getClassLoader(), contextLoader}) {
            if (loader != null) {
                ServiceLoader.load(StorageBackend.class, loader).forEach(b -> found.putIfAbsent(b.getClass(), b));
            }
        }
        List<StorageBackend> ordered = new ArrayList<>(found.values());
        ordered.sort(Comparator.comparing(b -> !b.getClass().getName().startsWith(BUILT_IN_PACKAGE)));
        return ordered;
    }

    private List<StorageBackend> backends() {
        List<StorageBackend> d = discovered;
        if (d == null) {
            synchronized (this) {
                d = discovered;
                if (d == null) {
                    d = List.copyOf(discovered(contextLoader));
                    discovered = d;
                }
            }
        }
        List<StorageBackend> all = new ArrayList<>(d);
        all.addAll(added);
        return all;
    }

    public void add(StorageBackend backend) {
        added.add(backend);
    }

    public StorageBackend backendFor(SourceRef source) {
        List<StorageBackend> reversed = backends();
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
        backends().forEach(b -> all.addAll(b.schemes()));
        return all;
    }
}
