package dev.wan.ensure;

import dev.wan.manifest.SourceRef;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceRegistry;
import dev.wan.source.SourceSession;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The open sources of one ensure: each is opened once (revision resolved once) on first use and
 * closed at the end. A source that failed to open fails every file it is asked for, at once.
 *
 * <p>Opening is a network call (with retries): it runs outside any lock, so a worker that wants
 * another source is never held up by a slow one; workers that want the same source wait for the
 * one opening it.
 */
final class Sessions implements AutoCloseable {
    private final SourceRegistry registry;
    private final SourceContext context;
    private final ConcurrentHashMap<SourceRef, CompletableFuture<SourceSession>> open = new ConcurrentHashMap<>();

    Sessions(SourceRegistry registry, SourceContext context) {
        this.registry = registry;
        this.context = context;
    }

    SourceSession open(SourceRef source) throws IOException {
        CompletableFuture<SourceSession> mine = new CompletableFuture<>();
        CompletableFuture<SourceSession> known = open.putIfAbsent(source, mine);
        if (known == null) {
            try {
                SourceSession s = registry.backendFor(source).open(source, context);
                mine.complete(s);
                return s;
            } catch (IOException | RuntimeException | Error e) {
                mine.completeExceptionally(e); // remembered: the next file fails at once too
                throw e;
            }
        }
        try {
            return known.get();
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
    public void close() {
        // a session still being opened (only if a worker outlived its job) is closed when it arrives
        open.values().forEach(f -> f.thenAccept(Sessions::closeQuietly));
        open.clear();
    }

    private static void closeQuietly(SourceSession s) {
        try {
            s.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing to release that matters after the ensure
        }
    }
}
