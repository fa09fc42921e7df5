package dev.wan.cli;

import java.util.function.Supplier;

/**
 * One read at a time, shared by every request that waits for it: the answer of {@code GET
 * /health/models} reads the whole store (a stat per file of every model), and fifty clients asking
 * at once need not read it fifty times. Still never stale: a caller gets a read that <em>started
 * after it arrived</em> (the one in progress when it came may already have missed a change), so
 * while one read runs, everyone who arrives waits for the next and shares it.
 */
final class SharedRead<T> {
    private final Supplier<T> read;
    /** Guarded by this: reads started and finished so far; a read is running while they differ. */
    private long started;
    private long finished;
    private T last;
    private RuntimeException failed;
    private int waiting;

    SharedRead(Supplier<T> read) {
        this.read = read;
    }

    /** The result of a read that started after this call did (run by this thread or shared with others). */
    T get() throws InterruptedException {
        long mine;
        synchronized (this) {
            long target = started + 1; // the next read to start: the one running now (if any) started before us
            waiting++;
            try {
                while (finished < target && started != finished) {
                    wait();
                }
            } finally {
                waiting--;
            }
            if (finished >= target) {
                return result();
            }
            mine = ++started;
        }
        T value = null;
        RuntimeException error = null;
        try {
            value = read.get();
        } catch (RuntimeException e) {
            error = e;
        }
        synchronized (this) {
            last = value;
            failed = error;
            finished = mine;
            notifyAll();
            return result();
        }
    }

    private T result() {
        if (failed != null) {
            throw failed;
        }
        return last;
    }

    /** Callers waiting for a read (for tests: proves they arrived while one ran). */
    synchronized int waiting() {
        return waiting;
    }
}
