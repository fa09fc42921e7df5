package dev.wan.internal.ensure;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.internal.io.Fs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Objects;

/**
 * Which chunks of a partly downloaded file are on disk, {@code .tmp/<id>.journal/<path>.json}:
 *
 * <pre>
 * {"source":"hf://org/repo@3f2a…","size":1073741824,"sha256":"…","chunkSize":16777216,"done":[-1,255]}
 * </pre>
 *
 * {@code done} is a bit set (as longs) of finished chunks. It is written only after the data it
 * marks was forced to disk, so a crash can lose progress but never claim bytes that are not
 * there. A journal for another size, digest or chunk size is ignored: the download starts over
 * rather than mixing bytes of two different files. Chunks from another source are resumed only
 * when the sha256 is known (the same digest is the same content, and the whole file is checked
 * against it at the end); without one, only chunks from the very same source count.
 */
record PartJournal(String source, long size, String sha256, int chunkSize, long[] done) {
    private static final int MAX_BYTES = 1 << 20;
    /** Built on first use, not when the class loads: an ensure that finds its model complete never needs one. */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper()
                .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    }

    BitSet doneChunks() {
        return BitSet.valueOf(done == null ? new long[0] : done);
    }

    boolean matches(String otherSource, long otherSize, String otherSha256, int otherChunkSize) {
        boolean sameContent = sha256 != null ? sha256.equals(otherSha256)
                : otherSha256 == null && Objects.equals(source, otherSource);
        return sameContent && size == otherSize && chunkSize == otherChunkSize;
    }

    static PartJournal readOrNull(Path file) {
        try {
            // small by construction; anything bigger (or a link, or a FIFO) is not a journal of ours
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_BYTES) {
                return null;
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                return Mapper.JSON.readValue(in.readNBytes(MAX_BYTES), PartJournal.class);
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Its parent is created by the ensure (which refuses links on the way), never here. */
    void write(Path file) throws IOException {
        write(file.getParent(), file);
    }

    /** Written below {@code base} without following a link at any level (see Fs.writeAtomically). */
    void write(Path base, Path file) throws IOException {
        Fs.writeAtomically(base, file, Mapper.JSON.writeValueAsBytes(this));
    }
}
