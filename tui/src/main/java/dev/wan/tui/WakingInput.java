package dev.wan.tui;

import java.io.IOException;
import java.io.InputStream;

/**
 * The keyboard, read by a thread that blocks in {@code read()} and rings a bell when bytes come.
 * lanterna can only poll its input, so without this the GUI thread would have to wake up many
 * times a second to look for keys; with it, an idle dashboard sleeps until a key (or work) arrives.
 * lanterna reads from this stream as usual: {@code available()} tells it what has come in.
 */
final class WakingInput extends InputStream {
    private final byte[] buffer = new byte[1 << 14];
    private int start;
    private int size;
    private boolean eof;
    private IOException failure;

    /** Starts the reader thread (a daemon: a read blocked at exit holds nothing up). */
    WakingInput(InputStream source, Runnable bell) {
        Thread reader = new Thread(() -> pump(source, bell), "wan-tui-keyboard");
        reader.setDaemon(true);
        reader.start();
    }

    private void pump(InputStream source, Runnable bell) {
        byte[] chunk = new byte[1024];
        while (true) {
            int n;
            try {
                n = source.read(chunk);
            } catch (IOException e) {
                synchronized (this) {
                    failure = e;
                    eof = true;
                    notifyAll();
                }
                bell.run();
                return;
            }
            synchronized (this) {
                if (n < 0) {
                    eof = true;
                } else {
                    append(chunk, n);
                }
                notifyAll();
            }
            bell.run();
            if (n < 0) {
                return;
            }
        }
    }

    private void append(byte[] chunk, int n) {
        for (int i = 0; i < n; i++) {
            while (size == buffer.length) { // a full buffer: wait for lanterna to read (never while typing)
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            buffer[(start + size) % buffer.length] = chunk[i];
            size++;
        }
    }

    @Override
    public synchronized int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (size == 0 && !eof) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("keyboard read interrupted");
            }
        }
        if (size == 0) {
            if (failure != null) {
                throw failure;
            }
            return -1;
        }
        int n = Math.min(len, size);
        for (int i = 0; i < n; i++) {
            b[off + i] = buffer[(start + i) % buffer.length];
        }
        start = (start + n) % buffer.length;
        size -= n;
        notifyAll();
        return n;
    }

    @Override
    public synchronized int available() {
        return size;
    }
}
