package dev.wan.internal.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.ensure.SourceCheck;
import dev.wan.internal.source.SourceRegistry;
import dev.wan.manifest.FileSpec;
import dev.wan.manifest.ModelSpec;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one source of a model without writing anything: open (revision, credentials), list,
 * stat the largest required file, read its first MiB. Every step is timed; the first failure
 * ends the check and is reported, never thrown.
 */
public final class SourceProbe {
    private static final Logger LOG = LoggerFactory.getLogger(SourceProbe.class);

    static final int READ_BYTES = 1 << 20;

    private final SourceRegistry registry;
    private final SourceContext context;

    public SourceProbe(SourceRegistry registry, SourceContext context) {
        this.registry = registry;
        this.context = context;
    }

    public SourceCheck check(ModelSpec spec, String variant, SourceRef source, boolean readBytes) {
        String model = spec.id().toString();
        long t0 = System.nanoTime();
        String credentials = "none";
        String revision = null;
        int listed = -1;
        int found = -1;
        long openMs = 0;
        long listMs = 0;
        long statMs = 0;
        long read = 0;
        long readMs = 0;
        String configured = null;
        try {
            configured = registry.backendFor(source).credentials(source, context);
        } catch (RuntimeException e) {
            LOG.debug("{}: cannot tell its credentials; the open below reports what is wrong with the source", source, e);
        }
        if (configured != null) {
            // until the source answers, this is what is configured, not what it accepted
            credentials = configured + " (not checked)";
        }
        try (SourceSession s = registry.backendFor(source).open(source, context)) {
            credentials = s.credentials();
            revision = s.revision();
            openMs = millisSince(t0);
            long t1 = System.nanoTime();
            try {
                List<RemoteFile> files = s.list();
                listed = files.size();
                Set<String> paths = new HashSet<>();
                files.forEach(f -> paths.add(f.path()));
                found = (int) spec.filesFor(variant).stream().filter(f -> paths.contains(f.path())).count();
            } catch (UnsupportedOperationException e) {
                listed = -1; // this source cannot list; stat and read still tell whether it works
            }
            listMs = millisSince(t1);
            // the largest file: its read rate says something; a 90-byte config.json would not
            FileSpec first = spec.requiredFilesFor(variant).stream()
                    .max(java.util.Comparator.comparingLong(FileSpec::size)).orElse(null);
            if (first != null) {
                long t2 = System.nanoTime();
                RemoteFile rf = s.stat(first.path());
                statMs = millisSince(t2);
                if (rf.size() != first.size()) {
                    return new SourceCheck(model, source.redacted(), false, ErrorCode.SIZE_MISMATCH, first.path()
                            + " is " + rf.size() + " bytes there, the manifest says " + first.size(), credentials,
                            revision, listed, found, openMs, listMs, statMs, 0, 0);
                }
                if (readBytes && first.size() > 0) {
                    long t3 = System.nanoTime();
                    long want = Math.min(READ_BYTES, first.size());
                    try (InputStream in = s.read(first.path(), 0, want)) {
                        byte[] buf = new byte[64 * 1024];
                        int n;
                        while (read < want && (n = in.read(buf)) > 0) {
                            read += n;
                        }
                    }
                    readMs = Math.max(1, millisSince(t3));
                }
            }
            revision = s.revision();
            String notice = s.notice(); // e.g. a renamed repository: works, but the manifest should change
            return new SourceCheck(model, source.redacted(), true, null, notice == null ? "ok" : notice, credentials, revision, listed, found,
                    openMs, listMs, statMs, read, readMs);
        } catch (WanException e) {
            if (configured != null && e.code() == ErrorCode.AUTH_FAIL && credentials.equals(configured + " (not checked)")) {
                credentials = configured + " (refused)";
            }
            return new SourceCheck(model, source.redacted(), false, e.code(), e.getMessage(), credentials, revision,
                    listed, found, openMs, listMs, statMs, read, readMs);
        } catch (IOException | RuntimeException e) {
            ErrorCode code = e instanceof dev.wan.source.TransientSourceException t ? t.code() : ErrorCode.SOURCE_UNAVAILABLE;
            return new SourceCheck(model, source.redacted(), false, code, String.valueOf(e.getMessage()), credentials,
                    revision, listed, found, openMs, listMs, statMs, read, readMs);
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
