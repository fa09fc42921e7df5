package dev.wan.internal.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ensure.Fixtures;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-order hash of a part file written in chunks: every byte hashed once, from memory when it
 * arrives in order, read back when it arrives ahead or was resumed.
 */
class ChunkHasherTest {
    private static final int CHUNK = 1000;
    private static final int BUF = 128;
    private static final int SIZE = CHUNK * 7 + 333;
    private static final byte[] CONTENT = Fixtures.bytes(SIZE, 7);

    @TempDir
    Path tmp;

    /** Writes chunk {@code index} front to back, handing buffers over as the downloader does. */
    private static void writeChunk(ChunkHasher h, FileChannel ch, int index) throws Exception {
        byte[] buf = h.buffer();
        long end = Math.min(SIZE, (long) index * CHUNK + CHUNK);
        for (long pos = (long) index * CHUNK; pos < end; ) {
            int n = (int) Math.min(buf.length, end - pos);
            System.arraycopy(CONTENT, (int) pos, buf, 0, n);
            ByteBuffer w = ByteBuffer.wrap(buf, 0, n);
            for (long p = pos; w.hasRemaining(); ) {
                p += ch.write(w, p);
            }
            if (h.wrote(pos, buf, n)) {
                buf = h.buffer(); // possibly the same array, once the hasher is done with it
            }
            pos += n;
        }
        h.release(buf);
    }

    private FileChannel part() throws Exception {
        return FileChannel.open(tmp.resolve("part"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    @Test
    void inOrderBytesAreHashedFromMemoryAndNeverReadBack() throws Exception {
        ExecutorService hashThread = Executors.newSingleThreadExecutor();
        try (FileChannel ch = part()) {
            ChunkHasher h = new ChunkHasher(SIZE, CHUNK, new BitSet(), BUF, 4);
            Future<String> digest = hashThread.submit(() -> h.digest(ch));
            for (int i = 0; i < 8; i++) {
                writeChunk(h, ch, i);
            }
            assertEquals(Fixtures.sha256(CONTENT), digest.get());
            assertEquals(SIZE, h.hashedFromMemory());
            assertEquals(0, h.hashedFromDisk());
        } finally {
            hashThread.shutdownNow();
        }
    }

    @Test
    void chunksInAnyOrderFromSeveralWritersHashEveryByteOnceInFileOrder() throws Exception {
        for (int round = 0; round < 20; round++) {
            ExecutorService pool = Executors.newFixedThreadPool(5);
            try (FileChannel ch = part()) {
                ch.truncate(0);
                ChunkHasher h = new ChunkHasher(SIZE, CHUNK, new BitSet(), BUF, 3);
                Future<String> digest = pool.submit(() -> h.digest(ch));
                List<Integer> order = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7));
                Collections.shuffle(order, new Random(round));
                List<Future<?>> writers = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    List<Integer> mine = order.subList(w * 2, w * 2 + 2);
                    writers.add(pool.submit(() -> {
                        for (int i : mine) {
                            writeChunk(h, ch, i);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : writers) {
                    f.get();
                }
                assertEquals(Fixtures.sha256(CONTENT), digest.get(), "round " + round);
                assertEquals(SIZE, h.hashedFromMemory() + h.hashedFromDisk(), "every byte exactly once");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void resumedChunksAreReadBackSoTheDigestCoversTheWholeFile() throws Exception {
        ExecutorService hashThread = Executors.newSingleThreadExecutor();
        try (FileChannel ch = part()) {
            ch.write(ByteBuffer.wrap(CONTENT)); // what an earlier run left, chunks 0, 1 and 5 journaled
            BitSet done = new BitSet();
            done.set(0, 2);
            done.set(5);
            ChunkHasher h = new ChunkHasher(SIZE, CHUNK, done, BUF, 4);
            Future<String> digest = hashThread.submit(() -> h.digest(ch));
            for (int i : new int[] {2, 3, 4, 6, 7}) {
                writeChunk(h, ch, i);
            }
            assertEquals(Fixtures.sha256(CONTENT), digest.get());
            assertEquals(SIZE, h.hashedFromMemory() + h.hashedFromDisk());
            assertTrue(h.hashedFromDisk() >= 3L * CHUNK, "resumed chunks are read back, not trusted");
        } finally {
            hashThread.shutdownNow();
        }
    }

    @Test
    void aFailureEndsTheHashAndNeverBlocksAWriter() throws Exception {
        ExecutorService hashThread = Executors.newSingleThreadExecutor();
        try (FileChannel ch = part()) {
            ChunkHasher h = new ChunkHasher(SIZE, CHUNK, new BitSet(), BUF, 2);
            Future<String> digest = hashThread.submit(() -> h.digest(ch));
            h.fail();
            assertNull(digest.get());
            for (int i = 0; i < 5; i++) {
                h.buffer(); // more than maxBuffers: a failed download must not wait for the hasher
            }
            assertFalse(h.wrote(0, new byte[BUF], BUF), "nothing is queued once failed");
        } finally {
            hashThread.shutdownNow();
        }
    }
}
