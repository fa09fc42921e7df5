package dev.wan.internal.lock;

/**
 * The in-process side of one lock file: one holder at a time, or any number of probes, never both.
 *
 * <p>Why both kinds must be kept apart: a probe opens and closes its own descriptor of the lock
 * file, and closing any descriptor of a file makes the kernel drop every lock this process has on
 * it (POSIX fcntl semantics), so a probe must never run while a thread of this JVM holds, or is
 * taking, the lock. Why probes may share: they only look, so one probe is no reason for another to
 * report a holder (a health server answers many status requests at once). A holder waits for the
 * probes running (each a stat and a try-lock long); while a holder waits, new probes step back and
 * report it, so a stream of probes cannot starve it.
 */
final class LocalGuard {
    private boolean held;
    private int probes;
    /** Holders waiting for the guard: while there are any, probes are refused. */
    private int waiting;

    /**
     * Takes the guard for a holder, waiting up to {@code millis} (0: not at all) while another
     * holder has it; running probes are always waited for. False when another holder kept it.
     */
    synchronized boolean hold(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        waiting++;
        try {
            while (held || probes > 0) {
                if (held) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) {
                        return false;
                    }
                    wait(left);
                } else {
                    wait(); // probes end soon and notify; new ones step back while we wait
                }
            }
            held = true;
            return true;
        } finally {
            waiting--;
        }
    }

    synchronized void release() {
        held = false;
        notifyAll();
    }

    /** Starts a probe; false when a thread of this JVM holds or is taking the lock (then it is the holder). */
    synchronized boolean tryProbe() {
        if (held || waiting > 0) {
            return false;
        }
        probes++;
        return true;
    }

    synchronized void endProbe() {
        if (--probes == 0) {
            notifyAll();
        }
    }
}
