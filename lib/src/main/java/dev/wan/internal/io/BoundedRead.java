package dev.wan.internal.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads a small file someone else may control (a state file, the dedup index) without following a
 * link, without reading a directory or device, and without reading more than a cap. The outcome
 * says what was there: nothing, the bytes, or why they were refused.
 */
public final class BoundedRead {
    /** What a read found: {@code bytes} null and {@code refused} null means there was no file. */
    public record Result(byte[] bytes, String refused) {
        public boolean absent() {
            return bytes == null && refused == null;
        }
    }

    private BoundedRead() {
    }

    public static Result read(Path file, long maxBytes) {
        BasicFileAttributes before;
        try {
            before = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return new Result(null, null);
        } catch (IOException e) {
            return new Result(null, "cannot be inspected (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        String odd = notARegularFile(before);
        if (odd != null) {
            return new Result(null, odd);
        }
        if (before.size() > maxBytes) {
            return new Result(null, "is larger than " + mib(maxBytes) + " (" + before.size() + " bytes)");
        }
        // lstat, then open without following: a link swapped in meanwhile makes the open fail (ELOOP).
        try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(maxBytes + 1, Math.max(before.size() + 1, 4096)));
            while (true) {
                if (!buf.hasRemaining()) {
                    if (buf.capacity() > maxBytes) {
                        return new Result(null, "is larger than " + mib(maxBytes));
                    }
                    ByteBuffer bigger = ByteBuffer.allocate((int) Math.min(maxBytes + 1, (long) buf.capacity() * 2));
                    buf.flip();
                    bigger.put(buf);
                    buf = bigger;
                }
                if (ch.read(buf) < 0) {
                    break;
                }
            }
            if (buf.position() > maxBytes) {
                return new Result(null, "is larger than " + mib(maxBytes));
            }
            BasicFileAttributes after = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!Objects.equals(before.fileKey(), after.fileKey())) {
                return new Result(null, "was replaced while it was read");
            }
            return new Result(Arrays.copyOf(buf.array(), buf.position()), null);
        } catch (NoSuchFileException e) {
            return new Result(null, null);
        } catch (IOException e) {
            return new Result(null, "cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    /** Why an lstat result is not a regular file, or null when it is one. */
    public static String notARegularFile(BasicFileAttributes a) {
        if (a.isSymbolicLink()) {
            return "is a symlink";
        }
        if (a.isDirectory()) {
            return "is a directory";
        }
        if (!a.isRegularFile()) {
            return "is not a regular file";
        }
        return null;
    }

    static String mib(long bytes) {
        return (bytes / (1024 * 1024)) + " MiB";
    }
}
