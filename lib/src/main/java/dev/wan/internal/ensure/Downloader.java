package dev.wan.internal.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.io.Fs;
import dev.wan.internal.log.LogContext;
import dev.wan.source.RangeNotSupportedException;
import dev.wan.source.RetryPolicy;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.TransientSourceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one file from a remote source into a preallocated part file: in chunks, several at
 * once over parallel ranged reads (CDNs cap each connection; {@code connectionsPerFile} of them
 * add up), each chunk retried from the byte where it stopped, with a stall watchdog, and resumable
 * across crashes through a {@link PartJournal}. A {@link ChunkHasher} thread hashes the file in
 * order as the bytes land: from the workers' buffers when they arrive in order, read back from
 * the part file only for what arrived ahead (or was resumed), so the digest is ready when the
 * last byte lands. Unless WAN_CONNECTIONS fixes the count, a {@link ConnectionRamp} chooses how
 * many connections a file gets from the rate it measures.
 */
public final class Downloader {
    private static final Logger LOG = LoggerFactory.getLogger(Downloader.class);

    public static final int CHUNK = 16 << 20;
    private static final long JOURNAL_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Bytes a retried transfer must move before its failure count starts again from zero. */
    private static final long PROGRESS_THAT_COUNTS = 1 << 20;
    private static final int MAX_TRIES_PER_CHUNK_FACTOR = 8;
    /**
     * A network buffer: filled completely before one positional write and one hand-over to the
     * hasher (8 KiB socket reads would cost a write and a hand-over each).
     */
    static final int NET_BUFFER = 128 << 10;
    /** Network buffers per file: what the hasher may lag behind the writers (4 MiB). */
    private static final int MAX_BUFFERS = 32;
    /** How often the ramp measures the aggregate rate of one file. */
    private static final long RAMP_WINDOW_MILLIS = 200;

    private final SourceContext context;
    private final RetryPolicy retry;

    /** Where part files are opened from without following links (MODELS_ROOT); null: their own directory. */
    private final Path confinedTo;

    Downloader(SourceContext context, RetryPolicy retry) {
        this(context, retry, null);
    }

    Downloader(SourceContext context, RetryPolicy retry, Path confinedTo) {
        this.context = context;
        this.retry = retry;
        this.confinedTo = confinedTo;
    }

    Transfer.Digest download(SourceSession session, String path, long size, String expectedSha256, Path part,
                             Path journalFile, LongConsumer progress) throws IOException {
        return download(session, path, size, expectedSha256, part, journalFile, progress, n -> { });
    }

    /**
     * As above; {@code transferred} hears of every byte received from the source in this run
     * ({@code progress} also counts the chunks resumed from disk, at the start).
     */
    Transfer.Digest download(SourceSession session, String path, long size, String expectedSha256, Path part,
                             Path journalFile, LongConsumer progress, LongConsumer transferred) throws IOException {
        return download(session, path, size, expectedSha256, part, journalFile, progress, transferred, why -> { });
    }

    /** As above; {@code retried} hears of every failed read that is tried again (for the event stream). */
    Transfer.Digest download(SourceSession session, String path, long size, String expectedSha256, Path part,
                             Path journalFile, LongConsumer progress, LongConsumer transferred,
                             java.util.function.Consumer<IOException> retried) throws IOException {
        String origin = Sessions.describe(session);
        int chunks = (int) ((size + CHUNK - 1) / CHUNK);
        BitSet done = resumable(journalFile, part, origin, size, expectedSha256);
        if (done.isEmpty()) {
            Files.deleteIfExists(part);
        }
        // Never through a link: staging lies in a MODELS_ROOT others may write (see Fs.openOwnFile).
        try (FileChannel ch = Fs.openOwnFile(confinedTo != null ? confinedTo : part.getParent(), part,
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE))) {
            if (chunks > 1) {
                setLength(ch, size);
            }
            long resumed = done.stream().mapToLong(i -> chunkEnd(i, size) - (long) i * CHUNK).sum();
            if (resumed > 0) {
                progress.accept(resumed);
            }
            Run run = new Run(session, path, size, chunks, done, ch, progress, transferred, retried,
                    new PartJournal(origin, size, expectedSha256, CHUNK, null), journalFile);
            String sha = run.execute();
            ch.force(true);
            return new Transfer.Digest(sha, size);
        }
    }

    /** As RandomAccessFile.setLength, on a channel: shrink by truncating, grow (sparsely) by the last byte. */
    private static void setLength(FileChannel ch, long size) throws IOException {
        if (ch.size() > size) {
            ch.truncate(size);
        } else if (ch.size() < size) {
            ch.write(java.nio.ByteBuffer.allocate(1), size - 1);
        }
    }

    /** The chunks a previous run finished, when its journal and part file are for this very file. */
    private static BitSet resumable(Path journalFile, Path part, String origin, long size, String sha256) {
        PartJournal j = PartJournal.readOrNull(journalFile);
        try {
            if (j != null && j.matches(origin, size, sha256, CHUNK) && Files.size(part) == size) {
                return j.doneChunks();
            }
        } catch (IOException e) {
            LOG.debug("{}: no part file to resume ({}): starting over", part, e.toString());
        }
        return new BitSet();
    }

    private static long chunkEnd(int index, long size) {
        return Math.min(size, (long) index * CHUNK + CHUNK);
    }

    /** One download: the chunk queue, the workers, the hasher and the journal. */
    private final class Run {
        private final SourceSession session;
        private final String path;
        private final long size;
        private final int chunks;
        private final BitSet done;
        private final BitSet taken;
        private final FileChannel ch;
        private final LongConsumer progress;
        private final LongConsumer transferred;
        private final java.util.function.Consumer<IOException> retried;
        private final PartJournal journal;
        private final Path journalFile;
        private long lastJournalNanos = System.nanoTime();
        private final ChunkHasher hasher;
        /** Bytes received in this run, for the ramp's rate. */
        private final java.util.concurrent.atomic.LongAdder received = new java.util.concurrent.atomic.LongAdder();
        /** The workers' transfers, watched for stalls. */
        private final List<Slot> slots = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final List<Future<Void>> running = new java.util.ArrayList<>();
        /** Workers running, and how many the ramp (or WAN_CONNECTIONS) wants; guarded by this. */
        private int active;
        private int wanted;
        private ExecutorService pool;
        private volatile Throwable failure;
        /** The source answered a ranged read with the whole file: the rest comes as one plain stream. */
        private volatile boolean rangesIgnored;

        Run(SourceSession session, String path, long size, int chunks, BitSet done, FileChannel ch,
            LongConsumer progress, LongConsumer transferred, java.util.function.Consumer<IOException> retried,
            PartJournal journal, Path journalFile) {
            this.session = session;
            this.path = path;
            this.size = size;
            this.chunks = chunks;
            this.done = done;
            this.taken = (BitSet) done.clone();
            this.ch = ch;
            this.progress = progress;
            this.transferred = transferred;
            this.retried = retried;
            this.journal = journal;
            this.journalFile = journalFile;
            this.hasher = new ChunkHasher(size, CHUNK, done, NET_BUFFER, MAX_BUFFERS);
        }

        String execute() throws IOException {
            // Describe the preallocated part file at once: without a journal, an observer (status of
            // another process, the dashboard's LOCKED n%) would take its full length for staged bytes.
            writeJournal();
            int left = chunks - done.cardinality();
            boolean auto = context.connectionsPerFile() == SourceContext.AUTO_CONNECTIONS;
            int most = Math.max(1, Math.min(auto ? SourceContext.MAX_AUTO_CONNECTIONS : context.connectionsPerFile(), left));
            pool = Executors.newFixedThreadPool(most + 1, r -> {
                Thread t = new Thread(r, "wan-download");
                t.setDaemon(true);
                return t;
            });
            ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "wan-stall-watchdog");
                t.setDaemon(true);
                return t;
            });
            long stallNanos = context.stallTimeout().toNanos();
            ScheduledFuture<?> watching = watchdog.scheduleAtFixedRate(() -> slots.forEach(s -> s.closeIfStalled(stallNanos)),
                    1, 1, TimeUnit.SECONDS);
            boolean finished = false;
            try {
                Future<String> hashing = pool.submit(LogContext.inherit(() -> hasher.digest(ch)));
                if (auto && most > 1) {
                    ConnectionRamp ramp = new ConnectionRamp(most);
                    long[] last = {System.nanoTime(), 0};
                    watchdog.scheduleAtFixedRate(() -> {
                        long now = System.nanoTime();
                        long bytes = received.sum();
                        int want = ramp.observe(bytes - last[1], now - last[0]);
                        last[0] = now;
                        last[1] = bytes;
                        setWorkers(want);
                    }, RAMP_WINDOW_MILLIS, RAMP_WINDOW_MILLIS, TimeUnit.MILLISECONDS);
                }
                setWorkers(auto ? 1 : most);
                for (int i = 0; ; i++) {
                    Future<Void> f;
                    synchronized (this) {
                        if (i >= running.size()) {
                            break;
                        }
                        f = running.get(i);
                    }
                    await(f);
                }
                if (rangesIgnored) {
                    Slot slot = new Slot();
                    slots.add(slot);
                    await(pool.submit(LogContext.inherit(() -> stream(slot))));
                }
                String sha = await(hashing);
                writeJournal();
                finished = true;
                return sha;
            } finally {
                if (!finished) {
                    fail(new InterruptedIOException("download of " + path + " stopped")); // workers take no new chunk
                }
                watching.cancel(true);
                watchdog.shutdownNow();
                Pools.awaitEnd(watchdog); // no ramp adds a worker from here on
                slots.forEach(Slot::abort);
                // Workers stop on the failure and the aborted streams, not by interrupts: an
                // interrupt during a channel operation would close the part file for everyone.
                pool.shutdown();
                // The part file is closed and the journal written only once no worker writes any more.
                boolean interrupted = Thread.interrupted(); // cleared: the journal is forced through the channel
                Pools.awaitEnd(pool);
                interrupted |= Thread.interrupted();
                if (!finished) {
                    saveProgress(); // chunks finished before the failure are kept for the next run
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private <T> T await(Future<T> f) throws IOException {
            try {
                return f.get();
            } catch (ExecutionException e) {
                Throwable cause = failure != null ? failure : e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                throw new IOException(cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("download of " + path + " interrupted");
            }
        }

        /** Starts workers up to {@code n} (never more than chunks are left); extra ones stop after their chunk. */
        private synchronized void setWorkers(int n) {
            wanted = n;
            try {
                while (active < wanted && failure == null && !rangesIgnored && taken.nextClearBit(0) < chunks) {
                    Slot slot = new Slot();
                    slots.add(slot);
                    running.add(pool.submit(LogContext.inherit(() -> work(slot))));
                    active++;
                }
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("no more workers started: the download is over", e);
            }
        }

        /** True (and the worker counted out) when more workers run than are wanted. */
        private synchronized boolean retire() {
            if (active > wanted) {
                active--;
                return true;
            }
            return false;
        }

        private Void work(Slot slot) throws IOException {
            int index;
            try {
                while (failure == null && (index = nextChunk()) >= 0) {
                    try {
                        if (fetch(index, slot)) {
                            complete(index);
                        }
                    } catch (IOException | RuntimeException e) {
                        fail(e);
                        throw e;
                    }
                    if (retire()) {
                        return null;
                    }
                }
                synchronized (this) {
                    active--;
                }
                return null;
            } finally {
                slots.remove(slot);
            }
        }

        private synchronized int nextChunk() {
            if (rangesIgnored) {
                return -1;
            }
            int i = taken.nextClearBit(0);
            if (i >= chunks) {
                return -1;
            }
            taken.set(i);
            return i;
        }

        /** Returns false (the chunk handed back) when the source turned out to ignore ranges. */
        private boolean fetch(int index, Slot slot) throws IOException {
            long pos = (long) index * CHUNK;
            long end = chunkEnd(index, size);
            byte[] buf = takeBuffer();
            int failures = 0;
            int tries = 0;
            long sinceFailure = 0;
            try {
            while (pos < end && failure == null) {
                try (InputStream in = session.read(path, pos, end - pos)) {
                    slot.begin(in);
                    while (pos < end) {
                        int n = fill(in, buf, (int) Math.min(buf.length, end - pos), slot);
                        if (n < 0) {
                            throw new TransientSourceException(ErrorCode.INCOMPLETE_DOWNLOAD,
                                    "the connection ended at byte " + pos + " of " + size, null);
                        }
                        buf = write(buf, n, pos);
                        pos += n;
                        slot.moved();
                        progress.accept(n);
                        transferred.accept(n);
                        received.add(n);
                        sinceFailure += n;
                        if (sinceFailure >= PROGRESS_THAT_COUNTS) {
                            failures = 0; // real progress: a long download over a flaky link keeps going
                        }
                    }
                } catch (WanException e) {
                    throw e;
                } catch (RangeNotSupportedException e) {
                    LOG.info("{}: the source ignores byte ranges: reading the whole file as one stream", path);
                    handBack(index);
                    return false;
                } catch (IOException e) {
                    IOException why = slot.stalled() ? new TransientSourceException(ErrorCode.NETWORK_TIMEOUT,
                            "no data for " + context.stallTimeout().toSeconds() + " s", null) : e;
                    failures++;
                    tries++;
                    sinceFailure = 0;
                    // a source that always cuts after a few bytes must not keep us busy forever
                    if (failures > retry.attempts() || tries > MAX_TRIES_PER_CHUNK_FACTOR * (retry.attempts() + 1)
                            || failure != null) {
                        throw giveUp(why, tries);
                    }
                    retried.accept(why);
                    java.time.Duration wait = retry.delay(failures,
                            why instanceof TransientSourceException t ? t.retryAfter() : null);
                    LOG.info("{}: chunk {} failed ({}), retry {} of {} in {} ms", path, index, why, failures,
                            retry.attempts(), wait.toMillis());
                    sleep(wait);
                } finally {
                    slot.end();
                }
            }
            } finally {
                hasher.release(buf);
            }
            return pos >= end;
        }

        private byte[] takeBuffer() throws InterruptedIOException {
            try {
                return hasher.buffer();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("download of " + path + " interrupted");
            }
        }

        /** Writes {@code n} bytes of {@code buf} at {@code at}; returns the buffer to fill next (the hasher may keep this one). */
        private byte[] write(byte[] buf, int n, long at) throws IOException {
            ByteBuffer wrap = ByteBuffer.wrap(buf, 0, n);
            for (long p = at; wrap.hasRemaining(); ) {
                p += ch.write(wrap, p);
            }
            return hasher.wrote(at, buf, n) ? takeBuffer() : buf;
        }

        private synchronized void handBack(int index) {
            rangesIgnored = true;
            taken.clear(index);
        }

        private synchronized boolean isDone(int index) {
            return done.get(index);
        }

        private synchronized boolean allDone() {
            return done.nextClearBit(0) >= chunks;
        }

        /**
         * For a source that ignores ranges: the whole file as one plain stream (as other download
         * clients do), resuming by skipping the chunks already on disk, in order. A broken stream
         * starts over from the beginning, skipping what has arrived since.
         */
        private Void stream(Slot slot) throws IOException {
            byte[] buf = takeBuffer();
            int failures = 0;
            int tries = 0;
            try {
            while (failure == null && !allDone()) {
                long pos = 0;
                long sinceFailure = 0;
                try (InputStream in = session.read(path, 0, -1)) {
                    slot.begin(in);
                    for (int i = 0; i < chunks && failure == null && !allDone(); i++) {
                        boolean have = isDone(i);
                        long end = chunkEnd(i, size);
                        // bytes a ranged read already wrote stay: the hasher may have read them back
                        long onDisk = have ? end : hasher.writtenEnd(i);
                        while (pos < end) {
                            long upTo = pos < onDisk ? onDisk : end;
                            int n = fill(in, buf, (int) Math.min(buf.length, upTo - pos), slot);
                            if (n < 0) {
                                throw new TransientSourceException(ErrorCode.INCOMPLETE_DOWNLOAD,
                                        "the connection ended at byte " + pos + " of " + size, null);
                            }
                            if (!have && pos >= onDisk) {
                                buf = write(buf, n, pos);
                                progress.accept(n); // skipped bytes were counted as resumed already
                            }
                            transferred.accept(n);
                            pos += n;
                            slot.moved();
                            sinceFailure += n;
                            if (sinceFailure >= PROGRESS_THAT_COUNTS) {
                                failures = 0;
                            }
                        }
                        if (!have) {
                            complete(i);
                        }
                    }
                } catch (WanException e) {
                    throw e;
                } catch (IOException e) {
                    IOException why = slot.stalled() ? new TransientSourceException(ErrorCode.NETWORK_TIMEOUT,
                            "no data for " + context.stallTimeout().toSeconds() + " s", null) : e;
                    failures++;
                    tries++;
                    if (failures > retry.attempts() || tries > MAX_TRIES_PER_CHUNK_FACTOR * (retry.attempts() + 1)
                            || failure != null) {
                        throw giveUp(why, tries);
                    }
                    retried.accept(why);
                    java.time.Duration wait = retry.delay(failures,
                            why instanceof TransientSourceException t ? t.retryAfter() : null);
                    LOG.info("{}: whole-file read failed ({}), retry {} of {} in {} ms", path, why, failures,
                            retry.attempts(), wait.toMillis());
                    sleep(wait);
                } finally {
                    slot.end();
                }
            }
            } finally {
                hasher.release(buf);
            }
            return null;
        }

        /**
         * Reads until {@code want} bytes are in {@code buf} or the stream ends (-1 if it ended at
         * once). Sources hand out small pieces (OkHttp: 8 KiB per read): a positional write per
         * piece is 131k pwrite calls per GiB; with full 64 KiB buffers it is 16k.
         */
        private static int fill(InputStream in, byte[] buf, int want, Slot slot) throws IOException {
            int n = 0;
            while (n < want) {
                int r;
                try {
                    r = in.read(buf, n, want - n);
                } catch (IOException e) {
                    if (n == 0) {
                        throw e;
                    }
                    return n; // keep what arrived; the broken stream fails again on the next read
                }
                if (r < 0) {
                    return n == 0 ? -1 : n;
                }
                n += r;
                slot.moved();
            }
            return n;
        }

        private WanException giveUp(IOException why, int tries) {
            ErrorCode code = why instanceof TransientSourceException t ? t.code()
                    : why instanceof SocketTimeoutException ? ErrorCode.NETWORK_TIMEOUT : ErrorCode.SOURCE_UNAVAILABLE;
            return new WanException(code, path + ": " + why.getMessage() + " (gave up after " + tries + " tries)",
                    "retry later; wan resumes from the bytes it already has", List.of(), why);
        }

        /** Waits before a retry; cut short when the download has failed meanwhile. */
        private synchronized void sleep(Duration d) throws InterruptedIOException {
            long until = System.nanoTime() + d.toNanos();
            try {
                for (long left; failure == null && (left = until - System.nanoTime()) > 0; ) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting to retry " + path);
            }
        }

        private synchronized void complete(int index) throws IOException {
            done.set(index);
            notifyAll();
            if (System.nanoTime() - lastJournalNanos > JOURNAL_EVERY_NANOS) {
                writeJournal();
            }
        }

        private synchronized void fail(Throwable e) {
            if (failure == null) {
                failure = e;
            }
            hasher.fail();
            notifyAll();
        }

        private void saveProgress() {
            try {
                if (!done.isEmpty()) {
                    writeJournal();
                }
            } catch (IOException | RuntimeException swallowed) {
                LOG.debug("could not save the resume journal (losing it only costs a re-download)", swallowed);
            }
        }

        /**
         * Forces the data first: the journal must never mark bytes that a crash could lose. A file of
         * one chunk has none: it is never resumed part-way, so journaling it would only cost two
         * atomic writes and three fsyncs per file (most of the time of a 4 KB file), and its part file
         * is not preallocated, so an observer sees the bytes staged so far.
         */
        private synchronized void writeJournal() throws IOException {
            if (chunks == 1) {
                return;
            }
            ch.force(false);
            new PartJournal(journal.source(), journal.size(), journal.sha256(), journal.chunkSize(),
                    ((BitSet) done.clone()).toLongArray()).write(confinedTo != null ? confinedTo : journalFile.getParent(), journalFile);
            lastJournalNanos = System.nanoTime();
        }
    }

    /** One worker's current transfer, watched for stalls. */
    private static final class Slot {
        private volatile InputStream current;
        private volatile long lastMove = System.nanoTime();
        private volatile boolean stalled;

        void begin(InputStream in) {
            stalled = false;
            lastMove = System.nanoTime();
            current = in;
        }

        void moved() {
            lastMove = System.nanoTime();
        }

        boolean stalled() {
            return stalled;
        }

        void end() {
            current = null;
        }

        void closeIfStalled(long limitNanos) {
            InputStream in = current;
            if (in != null && System.nanoTime() - lastMove > limitNanos) {
                stalled = true;
                abortQuietly(in);
            }
        }

        void abort() {
            InputStream in = current;
            if (in != null) {
                abortQuietly(in);
            }
        }

        private static void abortQuietly(InputStream in) {
            try {
                in.close();
            } catch (IOException | RuntimeException swallowed) {
                LOG.debug("closing a stuck read to interrupt it failed, as expected", swallowed);
            }
        }
    }
}
