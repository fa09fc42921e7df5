package dev.wan.internal.ensure;

import dev.wan.internal.source.SourceRegistry;
import dev.wan.manifest.SourceRef;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open sources of one ensure: each is opened once (revision resolved once) on first use and
 * closed at the end. A source that failed to open fails every file it is asked for, at once.
 * Opening holds no lock across the network call: a worker that wants another source never waits
 * for a slow one (a revision resolution with retries).
 */
final class Sessions implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sessions.class);

    private final SourceRegistry registry;
    private final SourceContext context;
    private final ConcurrentHashMap<SourceRef, CompletableFuture<SourceSession>> open = new ConcurrentHashMap<>();
    private final Consumer<String> notices;
    private final Set<SourceSession> noticed = ConcurrentHashMap.newKeySet();

    /** {@code notices} hears each session's {@link SourceSession#notice()} once (e.g. a renamed repository). */
    Sessions(SourceRegistry registry, SourceContext context, Consumer<String> notices) {
        this.registry = registry;
        this.context = context;
        this.notices = notices;
    }

    SourceSession open(SourceRef source) throws IOException {
        CompletableFuture<SourceSession> mine = new CompletableFuture<>();
        CompletableFuture<SourceSession> known = open.putIfAbsent(source, mine);
        if (known == null) {
            try {
                SourceSession s = registry.backendFor(source).open(source, context);
                mine.complete(s);
                tell(s);
                return s;
            } catch (IOException | RuntimeException | Error e) {
                mine.completeExceptionally(e); // remembered: the next file fails at once too
                throw e;
            }
        }
        try {
            SourceSession s = known.get();
            tell(s);
            return s;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw (Error) cause;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + source.redacted() + " was being opened");
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
    public void close() {
        // a session still being opened (only if a worker outlived its job) is closed when it arrives
        open.values().forEach(f -> f.thenAccept(s -> {
            tell(s);
            closeQuietly(s);
        }));
        open.clear();
    }

    private static void closeQuietly(SourceSession s) {
        try {
            s.close();
        } catch (IOException | RuntimeException swallowed) {
            LOG.debug("closing a source session failed; nothing that matters is left after the ensure", swallowed);
        }
    }
}
