package dev.wan.source.s3;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;

/**
 * The body of one (ranged) GetObject. Closing it before its end aborts the request, which drops
 * the connection at once: the SDK's own {@code close()} would read the rest of the range to reuse
 * the connection, and block for as long as a stalled server stays silent. {@code close()} may be
 * called from another thread while a read is blocked (the stall watchdog does that); the read then
 * fails promptly. Read errors are mapped to wan's transient errors.
 */
final class ObjectStream extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(ObjectStream.class);

    private final ResponseInputStream<?> in;
    private final String what;
    private final S3Settings settings;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long left;
    private long at;

    ObjectStream(ResponseInputStream<?> in, long offset, long length, String what, S3Settings settings) {
        this.in = in;
        this.left = length;
        this.at = offset;
        this.what = what;
        this.settings = settings;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int n;
        try {
            n = in.read(b, off, (int) Math.min(len, left));
        } catch (IOException e) {
            throw closed.get() ? new IOException(what + ": transfer aborted at byte " + at) : S3Errors.mapRead(e, what, at, settings);
        } catch (RuntimeException e) {
            // Some HTTP clients report an aborted connection as an unchecked exception.
            throw new IOException(what + ": transfer " + (closed.get() ? "aborted" : "failed") + " at byte " + at);
        }
        if (n > 0) {
            left -= n;
            at += n;
        }
        return n;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (left > 0) {
            in.abort();
        }
        try {
            in.close();
        } catch (IOException | RuntimeException swallowed) {
            LOG.debug("closing an aborted S3 object stream failed; the connection is gone anyway", swallowed);
        }
    }
}
