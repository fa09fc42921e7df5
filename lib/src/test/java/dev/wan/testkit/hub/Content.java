package dev.wan.testkit.hub;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A file's bytes as the test server serves them: held in memory, or generated from a seed so
 * that any range can be produced without holding the file (a 500 MB file costs nothing until read).
 * Digests are computed once, by streaming.
 */
public abstract class Content {
    private volatile String sha256;
    private volatile String gitSha1;

    public abstract long size();

    /** Fills {@code buf[off, off+len)} with the bytes at {@code [pos, pos+len)}. */
    public abstract void read(long pos, byte[] buf, int off, int len);

    public static Content of(byte[] bytes) {
        byte[] copy = bytes.clone();
        return new Content() {
            @Override
            public long size() {
                return copy.length;
            }

            @Override
            public void read(long pos, byte[] buf, int off, int len) {
                System.arraycopy(copy, (int) pos, buf, off, len);
            }
        };
    }

    public static Content of(String text) {
        return of(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Pseudo-random bytes; byte {@code i} depends only on the seed and {@code i}. */
    public static Content generated(long size, long seed) {
        return new Content() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public void read(long pos, byte[] buf, int off, int len) {
                int i = 0;
                while (i < len) {
                    long p = pos + i;
                    long word = mix(seed, p >>> 3);
                    int shift = (int) (p & 7);
                    int take = Math.min(8 - shift, len - i);
                    for (int k = 0; k < take; k++) {
                        buf[off + i + k] = (byte) (word >>> (8 * (shift + k)));
                    }
                    i += take;
                }
            }
        };
    }

    private static long mix(long seed, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** All bytes (for small files in tests). */
    public byte[] bytes() {
        byte[] b = new byte[Math.toIntExact(size())];
        read(0, b, 0, b.length);
        return b;
    }

    public String sha256() {
        if (sha256 == null) {
            sha256 = digest("SHA-256", null);
        }
        return sha256;
    }

    /** The git blob id: {@code sha1("blob <len>\0" + bytes)}. */
    public String gitSha1() {
        if (gitSha1 == null) {
            gitSha1 = digest("SHA-1", ("blob " + size() + "\0").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        return gitSha1;
    }

    private String digest(String algorithm, byte[] prefix) {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            if (prefix != null) {
                md.update(prefix);
            }
            byte[] buf = new byte[1 << 16];
            for (long pos = 0; pos < size(); ) {
                int n = (int) Math.min(buf.length, size() - pos);
                read(pos, buf, 0, n);
                md.update(buf, 0, n);
                pos += n;
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
