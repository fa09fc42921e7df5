package dev.wan.internal.ensure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.HexFormat;

/**
 * The sha256 of a part file that workers write in chunks, in any order, computed on one thread
 * in file order. Bytes that arrive in order (the common case: one connection, or the chunk at the
 * front) are hashed from the writer's buffer, which is handed over instead of copied; bytes that
 * arrive ahead of the front (other connections' chunks, or chunks resumed from an earlier run)
 * are read back from the part file once the front reaches them. So every byte of the final file
 * is hashed exactly once, and a file fetched in order is never read back.
 *
 * <p>Buffers: a writer takes one from {@link #buffer()}, fills it, writes it to the file, then
 * calls {@link #wrote}; when that returns true the buffer now belongs to the hasher and the writer
 * takes another. At most {@code maxBuffers} exist per file, so a hasher slower than the network
 * slows the writers instead of growing the heap.
 */
final class ChunkHasher {
    private final long size;
    private final int chunkSize;
    private final int bufferSize;
    private final int maxBuffers;
    /** Per chunk: the end of the bytes on disk counted from the chunk's start (chunks are written front to back). */
    private final long[] written;
    private final MessageDigest sha = Transfer.sha256();
    /** Buffers queued for the hasher, in file order, each with its length. */
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private final ArrayDeque<Integer> lengths = new ArrayDeque<>();
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private int buffers;
    /** End of the bytes hashed or queued to be: the next byte the front needs. */
    private long front;
    private long fromMemory;
    private long fromDisk;
    private boolean failed;

    ChunkHasher(long size, int chunkSize, BitSet done, int bufferSize, int maxBuffers) {
        this.size = size;
        this.chunkSize = chunkSize;
        this.bufferSize = bufferSize;
        this.maxBuffers = Math.max(2, maxBuffers);
        int chunks = (int) ((size + chunkSize - 1) / chunkSize);
        this.written = new long[chunks];
        for (int i = 0; i < chunks; i++) {
            long start = (long) i * chunkSize;
            written[i] = done.get(i) ? Math.min(size, start + chunkSize) : start;
        }
    }

    /** A buffer to fill; waits while all buffers are queued (never once the download failed). */
    synchronized byte[] buffer() throws InterruptedException {
        while (free.isEmpty() && buffers >= maxBuffers && !failed) {
            wait();
        }
        if (!free.isEmpty()) {
            return free.pop();
        }
        buffers++;
        return new byte[bufferSize];
    }

    /** A writer's buffer it no longer needs. */
    synchronized void release(byte[] buf) {
        if (buf != null && buf.length == bufferSize) {
            free.push(buf);
            notifyAll();
        }
    }

    /**
     * Bytes {@code [pos, pos + n)} of {@code buf} are now in the part file. Returns true when the
     * hasher took the buffer (they were the next bytes to hash): the caller must not touch it again.
     */
    synchronized boolean wrote(long pos, byte[] buf, int n) {
        int c = (int) (pos / chunkSize);
        boolean next = pos == front && written[c] == pos && !failed;
        written[c] = Math.max(written[c], pos + n);
        if (next) {
            queue.add(buf);
            lengths.add(n);
            front += n;
        }
        notifyAll(); // the hasher: a buffer to hash, or bytes on disk to catch up with
        return next;
    }

    /** Wakes every waiter: the download stopped; {@link #digest} returns null. */
    synchronized void fail() {
        failed = true;
        notifyAll();
    }

    /**
     * Hashes until the whole file is (blocking; the hash thread's job). Returns the hex digest,
     * or null when the download failed first.
     */
    String digest(FileChannel ch) throws IOException, InterruptedException {
        ByteBuffer disk = ByteBuffer.allocate(Transfer.BUFFER);
        while (true) {
            byte[] buf = null;
            int n = 0;
            long from = 0;
            synchronized (this) {
                while (!failed && queue.isEmpty() && front < size && written[chunkOf(front)] <= front) {
                    wait();
                }
                if (failed) {
                    return null;
                }
                if (!queue.isEmpty()) {
                    buf = queue.poll();
                    n = lengths.poll();
                } else if (front >= size) {
                    return HexFormat.of().formatHex(sha.digest());
                } else {
                    // Ahead of the front and already on disk: claim it, so writers queue only what follows.
                    from = front;
                    n = (int) Math.min(disk.capacity(), written[chunkOf(front)] - front);
                    front += n;
                }
            }
            if (buf != null) {
                sha.update(buf, 0, n);
                synchronized (this) {
                    fromMemory += n;
                    free.push(buf);
                    notifyAll();
                }
            } else {
                readBack(ch, disk, from, n);
                synchronized (this) {
                    fromDisk += n;
                }
            }
        }
    }

    private void readBack(FileChannel ch, ByteBuffer disk, long from, int n) throws IOException {
        disk.clear().limit(n);
        long pos = from;
        while (disk.hasRemaining()) {
            int r = ch.read(disk, pos);
            if (r < 0) {
                throw new IOException("part file shorter than expected at " + pos);
            }
            pos += r;
        }
        sha.update(disk.array(), 0, n);
    }

    private int chunkOf(long pos) {
        return (int) (pos / chunkSize);
    }

    /** The end of chunk {@code index}'s bytes on disk (its start when none). */
    synchronized long writtenEnd(int index) {
        return written[index];
    }

    /** Bytes hashed from writers' buffers (never read back). */
    synchronized long hashedFromMemory() {
        return fromMemory;
    }

    /** Bytes read back from the part file to hash (resumed chunks, chunks that arrived ahead). */
    synchronized long hashedFromDisk() {
        return fromDisk;
    }
}
