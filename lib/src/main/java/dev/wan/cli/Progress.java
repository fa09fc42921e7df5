package dev.wan.cli;

import dev.wan.event.EventListener;
import dev.wan.event.WanEvent;
import dev.wan.text.TerminalText;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Renders ensure and verify progress on stderr: a redrawn bar with bytes, rate and ETA when attached to a
 * terminal, a plain line every few seconds otherwise (logs, CI). The listener only bumps counters;
 * a timer thread draws, so downloads never wait on the terminal.
 */
final class Progress implements EventListener, AutoCloseable {
    private final PrintWriter err;
    private final boolean tty;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicReference<String> current = new AtomicReference<>("");
    /** Bytes seen per file, to settle batched progress exactly when a file completes. */
    private final java.util.concurrent.ConcurrentHashMap<String, Long> perFile = new java.util.concurrent.ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;
    private final long startNanos = System.nanoTime();
    private volatile boolean drewBar;
    private final java.util.Set<String> saidCauses = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Progress(PrintWriter err, boolean tty) {
        this.err = err;
        this.tty = tty;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wan-progress");
            t.setDaemon(true);
            return t;
        });
        long period = tty ? 200 : 3000;
        timer.scheduleAtFixedRate(this::draw, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void on(WanEvent event) {
        if (event instanceof WanEvent.EnsureStarted e) {
            total.addAndGet(e.bytesNeeded());
            say(e.model() + ": " + e.filesNeeded() + " file(s), " + Output.bytes(e.bytesNeeded()) + " to fetch or verify");
        } else if (event instanceof WanEvent.VerifyStarted e) {
            total.addAndGet(e.bytes());
            say(e.model() + ": " + e.files() + " file(s), " + Output.bytes(e.bytes()) + " to re-hash");
        } else if (event instanceof WanEvent.FileStarted e) {
            current.set(e.model() + " " + e.path());
        } else if (event instanceof WanEvent.BytesTransferred e) {
            done.addAndGet(e.delta());
            perFile.merge(key(e.model().toString(), e.path()), e.delta(), Long::sum);
        } else if (event instanceof WanEvent.FileCompleted e) {
            // progress events are batched; settle the file's share exactly when it is done
            Long seen = perFile.remove(key(e.model().toString(), e.path()));
            done.addAndGet(Math.max(0, e.size() - (seen == null ? 0 : seen)));
        } else if (event instanceof WanEvent.LockWaiting e) {
            say(e.model() + ": waiting for the lock held by " + e.holder().strip());
        } else if (event instanceof WanEvent.Warning e) {
            say(e.model() + ": warning: " + e.message());
        } else if (event instanceof WanEvent.SourceFailed e && saidCauses.add(e.model() + " " + e.cause())) {
            // one line per cause: the same outage failing every file is said once (the summary counts them)
            say(e.model() + ": " + e.path() + " from " + e.source() + " failed (" + e.code() + "): " + e.reason());
        }
    }

    private static String key(String model, String path) {
        return model + "\u0000" + path;
    }

    private synchronized void say(String line) {
        if (drewBar) {
            err.print("\r\033[K");
            drewBar = false;
        }
        err.println("wan: " + TerminalText.escape(line));
        err.flush();
    }

    private synchronized void draw() {
        long t = total.get();
        if (t == 0) {
            return;
        }
        long d = Math.min(done.get(), t);
        double secs = Math.max(0.001, (System.nanoTime() - startNanos) / 1e9);
        double rate = d / secs;
        String eta = rate > 0 ? duration((long) ((t - d) / rate)) : "?";
        int pct = (int) (100 * d / t);
        if (tty) {
            int width = 24;
            int filled = (int) ((long) width * d / t);
            String bar = "█".repeat(filled) + "░".repeat(width - filled);
            String name = current.get();
            if (name.length() > 40) {
                name = "…" + name.substring(name.length() - 39);
            }
            err.print(String.format(Locale.ROOT, "\r\033[K%s %3d%% %s/%s %s/s ETA %s %s", bar, pct, Output.bytes(d),
                    Output.bytes(t), Output.bytes((long) rate), eta, TerminalText.escape(name)));
            drewBar = true;
        } else {
            err.println(String.format(Locale.ROOT, "wan: progress %d%% %s/%s %s/s ETA %s", pct, Output.bytes(d),
                    Output.bytes(t), Output.bytes((long) rate), eta));
        }
        err.flush();
    }

    private static String duration(long s) {
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        synchronized (this) {
            if (drewBar) {
                draw();
                err.println();
                err.flush();
            }
        }
    }
}
