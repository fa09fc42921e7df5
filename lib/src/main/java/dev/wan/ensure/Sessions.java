package dev.wan.ensure;

import dev.wan.WanException;
import dev.wan.manifest.SourceRef;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceRegistry;
import dev.wan.source.SourceSession;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The open sources of one ensure: each is opened once (revision resolved once) on first use and
 * closed at the end. A source that failed to open fails every file it is asked for, at once.
 */
final class Sessions implements AutoCloseable {
    private final SourceRegistry registry;
    private final SourceContext context;
    private final Map<SourceRef, Object> open = new LinkedHashMap<>();

    Sessions(SourceRegistry registry, SourceContext context) {
        this.registry = registry;
        this.context = context;
    }

    synchronized SourceSession open(SourceRef source) throws IOException {
        Object known = open.get(source);
        if (known instanceof SourceSession s) {
            return s;
        }
        if (known instanceof WanException e) {
            throw e;
        }
        if (known instanceof IOException e) {
            throw e;
        }
        try {
            SourceSession s = registry.backendFor(source).open(source, context);
            open.put(source, s);
            return s;
        } catch (WanException | IOException e) {
            open.put(source, e);
            throw e;
        }
    }

    /** How a file's origin is recorded: the source without secrets, with its resolved revision. */
    static String describe(SourceSession session) {
        String base = session.source().redacted();
        String revision = session.revision();
        if (revision == null) {
            return base;
        }
        int at = base.lastIndexOf('@');
        boolean hasRevision = at > base.indexOf("://") + 3 && base.indexOf('/', at) < 0;
        return (hasRevision ? base.substring(0, at) : base) + "@" + revision;
    }

    @Override
    public synchronized void close() {
        for (Object o : open.values()) {
            if (o instanceof SourceSession s) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to release that matters after the ensure
                }
            }
        }
        open.clear();
    }
}
