package dev.wan.internal.migrate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** sha256 of a legacy file: opened without following a link, at most the size it was stat'ed at read. */
public final class Hashing {
    private Hashing() {
    }

    /** Throws when the file is not exactly {@code size} bytes (it changed since the scan). */
    public static String sha256(Path file, long size) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        long total = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (total <= size) {
                buf.clear();
                if (size + 1 - total < buf.capacity()) {
                    buf.limit((int) (size + 1 - total)); // never read more than one byte past the size
                }
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                md.update(buf);
                total += n;
            }
        }
        if (total != size) {
            throw new IOException(file + " changed while it was read (" + total + " bytes, " + size + " expected)");
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
