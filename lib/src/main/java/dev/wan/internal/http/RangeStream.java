package dev.wan.internal.http;

import dev.wan.ErrorCode;
import dev.wan.source.TransientSourceException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of a ranged GET. {@link #close()} may come from another thread (the downloader's stall
 * watchdog) while a read is blocked: it cancels the call, which closes the socket, so the read
 * fails at once; the body itself is released under the read lock, never under a running read.
 * Read failures surface as {@link TransientSourceException} with a secret-free message.
 */
final class RangeStream extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(RangeStream.class);

    /** Up to this many leading bytes of a 200 answer are read and dropped to reach an offset. */
    static final long SKIP_LIMIT = 4L << 20;

    private final HttpTransport.Exchange exchange;
    private final InputStream body;
    private final String what;
    private final String[] secrets;
    private final boolean exact;
    private final ReentrantLock reading = new ReentrantLock();
    private long left;
    private long skip;
    private volatile boolean closed;
    private volatile boolean finished;

    RangeStream(HttpTransport.Exchange exchange, long length, long skip, String what, String[] secrets) {
        this.exchange = exchange;
        // OkHttp sets the socket's SO_TIMEOUT to the read timeout, which still bounds every read;
        // okio's own timer on top costs a lock and a watchdog wake-up per 8 KiB read (measured:
        // ~7 % of a core for the "Okio Watchdog" thread at ~1 GB/s, plus the futex calls).
        // OkHttp arms the timer again for the connection's next exchange.
        exchange.response().body().source().timeout().clearTimeout();
        this.body = exchange.response().body().byteStream();
        this.left = length < 0 ? Long.MAX_VALUE : length;
        this.skip = skip;
        this.what = what;
        this.secrets = secrets;
        this.exact = exchange.response().code() == 206;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0; // okio would block to fill its buffer even for zero bytes
        }
        reading.lock();
        try {
            if (closed) {
                throw new IOException(what + ": stream closed");
            }
            if (left <= 0) {
                return -1;
            }
            skipHead();
            int n = body.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            if (n < 0 || left <= 0 && exact) {
                finished = true;
            }
            return n;
        } catch (TransientSourceException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        } finally {
            reading.unlock();
        }
    }

    private void skipHead() throws IOException {
        byte[] buf = skip > 0 ? new byte[64 * 1024] : null;
        while (skip > 0) {
            int n = body.read(buf, 0, (int) Math.min(buf.length, skip));
            if (n < 0) {
                throw new TransientSourceException(ErrorCode.INCOMPLETE_DOWNLOAD, what + ": ended before the offset", null);
            }
            skip -= n;
        }
    }

    private IOException failure(Exception e) {
        if (closed) {
            return new IOException(what + ": aborted");
        }
        String why = Redact.text(e.getMessage(), secrets);
        String text = what + ": " + e.getClass().getSimpleName() + (why.isEmpty() ? "" : " " + why);
        return new TransientSourceException(e instanceof SocketTimeoutException ? ErrorCode.NETWORK_TIMEOUT
                : ErrorCode.INCOMPLETE_DOWNLOAD, text, null);
    }

    @Override
    public void close() {
        closed = true;
        if (!finished) {
            // the rest of the body is not wanted: drop the connection, and unblock a stuck read
            exchange.call().cancel();
        }
        reading.lock();
        try {
            exchange.response().close();
        } catch (RuntimeException swallowed) {
            LOG.debug("closing a cancelled response body failed; the connection is discarded anyway", swallowed);
        } finally {
            reading.unlock();
        }
    }
}
