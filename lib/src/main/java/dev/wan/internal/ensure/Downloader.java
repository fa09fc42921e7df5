package dev.wan.internal.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.io.Fs;
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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Downloads one file from a remote source into a preallocated part file: in chunks, several at
 * once over parallel ranged reads (CDNs cap each connection; {@code connectionsPerFile} of them
 * add up), each chunk retried from the byte where it stopped, with a stall watchdog, and resumable
 * across crashes through a {@link PartJournal}. A follower thread hashes the file in order as the
 * chunks complete (from the page cache), so the digest is ready when the last byte lands.
 */
public final class Downloader {
    public static final int CHUNK = 16 << 20;
    private static final long JOURNAL_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Bytes a retried transfer must move before its failure count starts again from zero. */
    private static final long PROGRESS_THAT_COUNTS = 1 << 20;
    private static final int MAX_TRIES_PER_CHUNK_FACTOR = 8;

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
        String origin = Sessions.describe(session);
        int chunks = (int) ((size + CHUNK - 1) / CHUNK);
        BitSet done = resumable(journalFile, part, origin, size, expectedSha256);
        if (done.isEmpty()) {
            Files.deleteIfExists(part);
        }
        // Never through a link: staging lies in a MODELS_ROOT others may write (see Fs.openOwnFile).
        try (FileChannel ch = Fs.openOwnFile(confinedTo != null ? confinedTo : part.getParent(), part,
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE))) {
            setLength(ch, size);
            long resumed = done.stream().mapToLong(i -> chunkEnd(i, size) - (long) i * CHUNK).sum();
            if (resumed > 0) {
                progress.accept(resumed);
            }
            Run run = new Run(session, path, size, chunks, done, ch, progress, transferred,
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
            // no part file: start over
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
        private final PartJournal journal;
        private final Path journalFile;
        private long lastJournalNanos = System.nanoTime();
        private volatile Throwable failure;
        /** The source answered a ranged read with the whole file: the rest comes as one plain stream. */
        private volatile boolean rangesIgnored;

        Run(SourceSession session, String path, long size, int chunks, BitSet done, FileChannel ch,
            LongConsumer progress, LongConsumer transferred, PartJournal journal, Path journalFile) {
            this.session = session;
            this.path = path;
            this.size = size;
            this.chunks = chunks;
            this.done = done;
            this.taken = (BitSet) done.clone();
            this.ch = ch;
            this.progress = progress;
            this.transferred = transferred;
            this.journal = journal;
            this.journalFile = journalFile;
        }

        String execute() throws IOException {
            // Describe the preallocated part file at once: without a journal, an observer (status of
            // another process, the dashboard's LOCKED n%) would take its full length for staged bytes.
            writeJournal();
            int workers = Math.max(1, Math.min(context.connectionsPerFile(), chunks - done.cardinality()));
            ExecutorService pool = Executors.newFixedThreadPool(workers + 1, r -> {
                Thread t = new Thread(r, "wan-download");
                t.setDaemon(true);
                return t;
            });
            ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "wan-stall-watchdog");
                t.setDaemon(true);
                return t;
            });
            List<Slot> slots = java.util.stream.IntStream.range(0, workers).mapToObj(i -> new Slot()).toList();
            long stallNanos = context.stallTimeout().toNanos();
            ScheduledFuture<?> watching = watchdog.scheduleAtFixedRate(() -> slots.forEach(s -> s.closeIfStalled(stallNanos)),
                    1, 1, TimeUnit.SECONDS);
            boolean finished = false;
            try {
                Future<String> hasher = pool.submit(this::hashInOrder);
                List<Future<Void>> running = slots.stream().map(s -> pool.submit(() -> work(s))).toList();
                for (Future<Void> f : running) {
                    await(f);
                }
                if (rangesIgnored) {
                    await(pool.submit(() -> stream(slots.get(0))));
                }
                String sha = await(hasher);
                writeJournal();
                finished = true;
                return sha;
            } finally {
                if (!finished) {
                    fail(new InterruptedIOException("download of " + path + " stopped")); // workers take no new chunk
                }
                watching.cancel(true);
                watchdog.shutdownNow();
                slots.forEach(Slot::abort);
                // Workers stop on the failure and the aborted streams, not by interrupts: an
                // interrupt during a channel operation would close the part file for everyone.
                pool.shutdown();
                // The part file is closed and the journal written only once no worker writes any more.
                boolean interrupted = Thread.interrupted(); // cleared: the journal is forced through the channel
                Pools.awaitEnd(pool);
                Pools.awaitEnd(watchdog);
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

        private Void work(Slot slot) throws IOException {
            int index;
            while (failure == null && (index = nextChunk()) >= 0) {
                try {
                    if (fetch(index, slot)) {
                        complete(index);
                    }
                } catch (IOException | RuntimeException e) {
                    fail(e);
                    throw e;
                }
            }
            return null;
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
            byte[] buf = new byte[Transfer.BUFFER];
            ByteBuffer wrap = ByteBuffer.wrap(buf);
            int failures = 0;
            int tries = 0;
            long sinceFailure = 0;
            while (pos < end && failure == null) {
                try (InputStream in = session.read(path, pos, end - pos)) {
                    slot.begin(in);
                    while (pos < end) {
                        int n = fill(in, buf, (int) Math.min(buf.length, end - pos), slot);
                        if (n < 0) {
                            throw new TransientSourceException(ErrorCode.INCOMPLETE_DOWNLOAD,
                                    "the connection ended at byte " + pos + " of " + size, null);
                        }
                        wrap.clear().limit(n);
                        long at = pos;
                        while (wrap.hasRemaining()) {
                            at += ch.write(wrap, at);
                        }
                        pos += n;
                        slot.moved();
                        progress.accept(n);
                        transferred.accept(n);
                        sinceFailure += n;
                        if (sinceFailure >= PROGRESS_THAT_COUNTS) {
                            failures = 0; // real progress: a long download over a flaky link keeps going
                        }
                    }
                } catch (WanException e) {
                    throw e;
                } catch (RangeNotSupportedException e) {
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
                    sleep(retry.delay(failures, why instanceof TransientSourceException t ? t.retryAfter() : null));
                } finally {
                    slot.end();
                }
            }
            return pos >= end;
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
            byte[] buf = new byte[Transfer.BUFFER];
            ByteBuffer wrap = ByteBuffer.wrap(buf);
            int failures = 0;
            int tries = 0;
            while (failure == null && !allDone()) {
                long pos = 0;
                long sinceFailure = 0;
                try (InputStream in = session.read(path, 0, -1)) {
                    slot.begin(in);
                    for (int i = 0; i < chunks && failure == null && !allDone(); i++) {
                        boolean have = isDone(i);
                        for (long end = chunkEnd(i, size); pos < end; ) {
                            int n = fill(in, buf, (int) Math.min(buf.length, end - pos), slot);
                            if (n < 0) {
                                throw new TransientSourceException(ErrorCode.INCOMPLETE_DOWNLOAD,
                                        "the connection ended at byte " + pos + " of " + size, null);
                            }
                            if (!have) {
                                wrap.clear().limit(n);
                                long at = pos;
                                while (wrap.hasRemaining()) {
                                    at += ch.write(wrap, at);
                                }
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
                    sleep(retry.delay(failures, why instanceof TransientSourceException t ? t.retryAfter() : null));
                } finally {
                    slot.end();
                }
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
            notifyAll();
        }

        private void saveProgress() {
            try {
                if (!done.isEmpty()) {
                    writeJournal();
                }
            } catch (IOException | RuntimeException ignored) {
                // losing the journal only costs a re-download
            }
        }

        /** Forces the data first: the journal must never mark bytes that a crash could lose. */
        private synchronized void writeJournal() throws IOException {
            ch.force(false);
            new PartJournal(journal.source(), journal.size(), journal.sha256(), journal.chunkSize(),
                    ((BitSet) done.clone()).toLongArray()).write(confinedTo != null ? confinedTo : journalFile.getParent(), journalFile);
            lastJournalNanos = System.nanoTime();
        }

        private String hashInOrder() throws IOException, InterruptedException {
            MessageDigest sha = Transfer.sha256();
            ByteBuffer buf = ByteBuffer.allocate(Transfer.BUFFER);
            for (int i = 0; i < chunks; i++) {
                synchronized (this) {
                    while (!done.get(i) && failure == null) {
                        wait();
                    }
                    if (failure != null) {
                        return null;
                    }
                }
                for (long pos = (long) i * CHUNK, end = chunkEnd(i, size); pos < end; ) {
                    buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                    int n = ch.read(buf, pos);
                    if (n < 0) {
                        throw new IOException("part file shorter than expected at " + pos);
                    }
                    sha.update(buf.array(), 0, n);
                    pos += n;
                }
            }
            return HexFormat.of().formatHex(sha.digest());
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
            } catch (IOException | RuntimeException ignored) {
                // closing is how a stuck read is interrupted; its error is expected
            }
        }
    }
}
