package dev.wan.ensure;

import dev.wan.WanException;
import dev.wan.manifest.SourceRef;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceRegistry;
import dev.wan.source.SourceSession;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The open sources of one ensure: each is opened once (revision resolved once) on first use and
 * closed at the end. A source that failed to open fails every file it is asked for, at once.
 */
final class Sessions implements AutoCloseable {
    private final SourceRegistry registry;
    private final SourceContext context;
    private final Map<SourceRef, Object> open = new LinkedHashMap<>();
    private final Consumer<String> notices;
    private final Set<SourceSession> noticed = new HashSet<>();

    /** {@code notices} hears each session's {@link SourceSession#notice()} once (e.g. a renamed repository). */
    Sessions(SourceRegistry registry, SourceContext context, Consumer<String> notices) {
        this.registry = registry;
        this.context = context;
        this.notices = notices;
    }

    synchronized SourceSession open(SourceRef source) throws IOException {
        Object known = open.get(source);
        if (known instanceof SourceSession s) {
            tell(s);
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
            tell(s);
            return s;
        } catch (WanException | IOException e) {
            open.put(source, e);
            throw e;
        }
    }

    /** How a file's origin is recorded: the source without secrets, with its resolved revision. */
    static String describe(SourceSession session) {
        return session.origin();
    }

    /** A notice can appear after open (a redirect seen on a later request): asked on every use and at close. */
    private void tell(SourceSession s) {
        String notice = s.notice();
        if (notice != null && noticed.add(s)) {
            notices.accept(notice);
        }
    }

    @Override
    public synchronized void close() {
        for (Object o : open.values()) {
            if (o instanceof SourceSession s) {
                tell(s);
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
