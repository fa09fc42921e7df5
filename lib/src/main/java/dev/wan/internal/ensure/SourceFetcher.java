package dev.wan.internal.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.event.EventListener;
import dev.wan.event.WanEvent;
import dev.wan.internal.io.Fs;
import dev.wan.internal.log.LogContext;
import dev.wan.internal.store.FileRecord;
import dev.wan.internal.store.StoreLayout;
import dev.wan.manifest.FileSpec;
import dev.wan.manifest.ModelId;
import dev.wan.manifest.ModelSpec;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceSession;
import dev.wan.store.Check;
import dev.wan.store.Placement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches one file into staging from the model's sources in priority order, failing over on a
 * source's error: a local file is linked (when immutable) or copied, anything else downloaded with
 * resume; the bytes are checked against the manifest.
 */
final class SourceFetcher {
    private static final Logger LOG = LoggerFactory.getLogger(SourceFetcher.class);

    private final StoreLayout layout;
    private final Downloader downloader;
    private final EventListener events;
    private final Clock clock;
    /** Bytes this run received from sources (resumed chunks and links to other copies not counted). */
    private final LongAdder transferred = new LongAdder();

    SourceFetcher(StoreLayout layout, Downloader downloader, EventListener events, Clock clock) {
        this.layout = layout;
        this.downloader = downloader;
        this.events = events;
        this.clock = clock;
    }

    long bytesReceived() {
        return transferred.sum();
    }

    @SuppressWarnings("try") // the scope is held for the block, never referenced
    FileRecord fetch(Sessions sessions, ModelSpec spec, FileSpec file, Path stagedFile, Path target) {
        List<String> failures = new ArrayList<>();
        List<ErrorCode> codes = new ArrayList<>();
        for (SourceRef source : spec.sources()) {
            try (LogContext.Scope from = LogContext.put(LogContext.SOURCE, source.redacted())) {
                if (!failures.isEmpty()) {
                    LOG.info("{}: failing over to source {} ({} failed before)", file.path(), source.redacted(),
                            failures.size());
                }
                return fetchFrom(sessions, spec.id(), source, file, stagedFile, target);
            } catch (WanException e) {
                if (e.code() == ErrorCode.INTERRUPTED) {
                    throw e;
                }
                if (e.code() == ErrorCode.NO_SPACE || Fs.isNoSpace(e)) {
                    // The local disk is full: another source would fill it just the same.
                    throw e.code() == ErrorCode.NO_SPACE ? e : noSpaceError(spec.id(), file, e);
                }
                LOG.info("{}: source {} failed: {} {}", file.path(), source.redacted(), e.code(), e.getMessage());
                failures.add(source.redacted() + ": " + e.code() + " " + e.getMessage());
                codes.add(e.code());
                events.on(new WanEvent.SourceFailed(clock.instant(), spec.id(), file.path(), source.redacted(),
                        e.code(), e.getMessage()));
            } catch (IOException e) {
                if (Fs.isNoSpace(e)) {
                    StagingArea.deleteQuietly(stagedFile);
                    throw noSpaceError(spec.id(), file, e);
                }
                if (Thread.currentThread().isInterrupted()) {
                    // Cancelled (a ClosedByInterruptException sets the flag): not this source's fault, no failover.
                    throw new WanException(ErrorCode.INTERRUPTED, "model " + spec.id() + ": " + file.path()
                            + ": interrupted", "run the same command again: it resumes", List.of(), e);
                }
                LOG.info("{}: source {} failed: SOURCE_UNAVAILABLE {}", file.path(), source.redacted(), e.toString());
                failures.add(source.redacted() + ": SOURCE_UNAVAILABLE " + e);
                codes.add(ErrorCode.SOURCE_UNAVAILABLE);
                events.on(new WanEvent.SourceFailed(clock.instant(), spec.id(), file.path(), source.redacted(),
                        ErrorCode.SOURCE_UNAVAILABLE, e.toString()));
            }
            // A partial download stays with its journal: the next source, or the next run, resumes it.
        }
        ErrorCode code = codes.size() == 1 ? codes.get(0) : ErrorCode.ALL_SOURCES_FAILED;
        throw new WanException(code, "model " + spec.id() + ": no source could provide " + file.path()
                + " (" + failures.size() + " tried)",
                "check the sources with 'wan test-sources " + spec.id() + "' and the manifest's sources.priority",
                failures, null);
    }

    private WanException noSpaceError(ModelId id, FileSpec file, Exception e) {
        return new WanException(ErrorCode.NO_SPACE, "model " + id + ": no space left on device while writing "
                + file.path() + " under " + layout.tmpDir(),
                "free disk space: see what 'wan models gc --dry-run' would reclaim, or set MODELS_ROOT to a bigger disk",
                List.of(), e);
    }

    private FileRecord fetchFrom(Sessions sessions, ModelId id, SourceRef source, FileSpec file, Path stagedFile, Path target)
            throws IOException {
        events.on(new WanEvent.SourceRequested(clock.instant(), id, file.path(), source.redacted()));
        SourceSession session = sessions.open(source);
        Optional<Path> local = session.localPath(file.path());
        if (local.isPresent() && local.get().equals(target)) {
            throw new WanException(ErrorCode.SOURCE_UNAVAILABLE,
                    "is this model's own directory, and the file there is missing or failed verification", "");
        }
        RemoteFile remote = session.stat(file.path());
        if (remote.size() != file.size()) {
            throw new WanException(ErrorCode.SIZE_MISMATCH, file.path() + " is " + remote.size()
                    + " bytes at the source, the manifest says " + file.size(), "");
        }
        String expected = file.hasSha256() ? file.sha256() : remote.sha256();
        String served = session.origin(file.path());
        events.on(new WanEvent.FileStarted(clock.instant(), id, file.path(), file.size(), served));
        Placement how = Placement.COPIED;
        Transfer.Digest digest;
        if (local.isPresent()) {
            // a local copy starts over (and the bytes staged are no longer what a journal describes)
            Files.deleteIfExists(stagedFile);
            Files.deleteIfExists(layout.journalFile(id, file.path()));
        }
        if (local.isPresent() && mayLink(session, local.get()) && Fs.tryLink(local.get(), stagedFile)) {
            how = Placement.LINKED; // nothing transferred
            digest = Transfer.hash(stagedFile, ProgressThrottle.of(events, clock, id, file.path()));
        } else if (local.isPresent()) {
            LongConsumer progress = ProgressThrottle.of(events, clock, id, file.path());
            try (InputStream in = session.read(file.path(), 0, -1)) {
                digest = Transfer.copy(in, layout.root(), stagedFile, file.size(), n -> {
                    transferred.add(n);
                    progress.accept(n);
                });
            }
        } else {
            how = Placement.DOWNLOADED;
            layout.mkdirs(layout.journalFile(id, file.path()).getParent());
            digest = downloader.download(session, file.path(), file.size(), expected, stagedFile,
                    layout.journalFile(id, file.path()), ProgressThrottle.of(events, clock, id, file.path()), transferred::add,
                    why -> events.on(new WanEvent.Retried(clock.instant(), id, file.path(), served,
                            dev.wan.internal.http.Redact.text(String.valueOf(why.getMessage())))));
        }
        if (digest.size() > file.size()) {
            events.on(new WanEvent.IntegrityFailed(clock.instant(), id, file.path(), served, ErrorCode.SIZE_MISMATCH));
        }
        if (digest.size() != file.size()) {
            throw new WanException(digest.size() < file.size() ? ErrorCode.INCOMPLETE_DOWNLOAD : ErrorCode.SIZE_MISMATCH,
                    file.path() + ": got " + digest.size() + " bytes, expected " + file.size(), "");
        }
        if (expected != null && !expected.equals(digest.sha256())) {
            Files.deleteIfExists(stagedFile);
            Files.deleteIfExists(layout.journalFile(id, file.path()));
            events.on(new WanEvent.IntegrityFailed(clock.instant(), id, file.path(), served, ErrorCode.CHECKSUM_FAIL));
            throw new WanException(ErrorCode.CHECKSUM_FAIL, file.path() + ": sha256 " + digest.sha256()
                    + " does not match the " + (file.hasSha256() ? "manifest's " : "source's stated ") + expected, "");
        }
        Check check = file.hasSha256() ? Check.SHA256 : expected != null ? Check.UPSTREAM_SHA256 : Check.SIZE_ONLY;
        FileRecord r = new FileRecord(digest.size(), digest.sha256(), check,
                Files.getLastModifiedTime(stagedFile).toMillis(), clock.instant(), served, how);
        events.on(new WanEvent.FileCompleted(clock.instant(), id, file.path(), file.size(), served, how));
        return r;
    }

    private static boolean mayLink(SourceSession session, Path file) {
        return switch (session.linkPolicy()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case IF_READ_ONLY -> immutable(file);
        };
    }

    /**
     * Hardlink policy: only a source file nobody may write to (no w bit in its mode) is linked; the
     * operator marks a store immutable with {@code chmod -R a-w}. Anything else is copied, so a
     * later write to the source can never change a verified model behind wan's back.
     */
    private static boolean immutable(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            return !perms.contains(PosixFilePermission.OWNER_WRITE) && !perms.contains(PosixFilePermission.GROUP_WRITE)
                    && !perms.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
