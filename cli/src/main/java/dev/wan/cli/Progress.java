package dev.wan.cli;

import dev.wan.event.EventListener;
import dev.wan.event.WanEvent;
import dev.wan.text.TerminalText;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders ensure and verify progress on stderr. When stderr is a terminal ({@link StderrTerminal}): one
 * row ({@link StatusLine}) redrawn in place with {@code \r} and erase-to-end-of-line, never wider than
 * the terminal, refitted after a resize, cleared before any other line (a warning) is printed, and left
 * showing the final figures at the end. Otherwise (a file, a pipe, CI): a plain line every 3 s.
 * The listener only bumps counters; a timer thread draws, so downloads never wait on the terminal.
 */
final class Progress implements EventListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);

    private static final long TICK_MILLIS = 200;
    private static final long PLAIN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(3);
    private static final String ERASE_LINE = "\033[K";

    private final PrintWriter err;
    /** stderr's terminal, or null: plain lines. */
    private volatile Screen terminal;
    /** Finds the terminal on the first tick (null: nothing to find). */
    private volatile Supplier<Screen> opener;
    private final Charset charset;
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicReference<String> moving = new AtomicReference<>("");
    /** Bytes seen per file, to settle batched progress exactly when a file completes. */
    private final ConcurrentHashMap<String, Long> perFile = new ConcurrentHashMap<>();
    private final Set<String> saidCauses = ConcurrentHashMap.newKeySet();
    private final RateWindow rate = new RateWindow();
    private final ScheduledExecutorService timer;
    private long lastPlainNanos = System.nanoTime();
    /** Columns of the row on screen now (0: none), and the terminal width it was drawn for. */
    private int drawnColumns;
    private int drawnFor;

    /**
     * Progress on the process's stderr: a bar if {@code bar} (not --json, not -q) and stderr is a terminal,
     * plain lines otherwise. Finding the terminal loads jline's native library (100-200 ms on a small
     * machine): the first tick does it on the timer thread, so the command does not wait for it.
     */
    static Progress open(PrintWriter err, boolean bar) {
        Progress p = new Progress(err, null, ConsoleWriter.terminalCharset());
        if (bar && StderrTerminal.mayBeTerminal()) {
            p.opener = () -> StderrTerminal.open(columns -> p.redrawSoon());
        }
        return p;
    }

    /** What the bar needs to know of the terminal ({@link StderrTerminal}; a fixed width in tests). */
    interface Screen extends AutoCloseable {
        int columns();

        /** True between a resize and its new width being known: draw nothing meanwhile. */
        boolean resizing();

        @Override
        void close();
    }

    Progress(PrintWriter err, Screen terminal, Charset charset) {
        this(err, terminal, charset, true);
    }

    /** {@code ticking}: false for tests, which call {@link #tick} themselves. */
    Progress(PrintWriter err, Screen terminal, Charset charset, boolean ticking) {
        this.err = err;
        this.terminal = terminal;
        this.charset = charset;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wan-progress");
            t.setDaemon(true);
            return t;
        });
        if (ticking) {
            timer.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void on(WanEvent event) {
        if (event instanceof WanEvent.EnsureStarted e) {
            // said before the total grows: the bar's first row then comes below this line, never above it
            say(e.model() + ": " + e.filesNeeded() + " file(s), " + Output.bytes(e.bytesNeeded()) + " to fetch or verify");
            total.addAndGet(e.bytesNeeded());
        } else if (event instanceof WanEvent.VerifyStarted e) {
            say(e.model() + ": " + e.files() + " file(s), " + Output.bytes(e.bytes()) + " to re-hash");
            total.addAndGet(e.bytes());
        } else if (event instanceof WanEvent.FileStarted e) {
            moving.compareAndSet("", e.model() + " " + e.path());
        } else if (event instanceof WanEvent.BytesTransferred e) {
            done.addAndGet(e.delta());
            perFile.merge(key(e.model().toString(), e.path()), e.delta(), Long::sum);
            moving.set(e.model() + " " + e.path()); // the file whose bytes arrived last is the one moving
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
        clearRow();
        err.println("wan: " + TerminalText.escape(line));
        err.flush();
    }

    private void redrawSoon() {
        try {
            timer.execute(this::tick);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("progress redraw skipped: the bar is closing and close() draws the final row", e);
        }
    }

    /** A redraw now, as the timer does every 200 ms (tests). */
    void tick() {
        Supplier<Screen> find = opener;
        if (find != null) {
            opener = null;
            terminal = find.get();
        }
        rate.sample(System.nanoTime(), Math.min(done.get(), total.get()));
        draw();
    }

    private synchronized void draw() {
        long t = total.get();
        if (t == 0) {
            return;
        }
        // perFile holds the files with bytes counted and not yet completed: the named one and the others
        StatusLine.Snapshot s = new StatusLine.Snapshot(moving.get(), Math.max(0, perFile.size() - 1),
                Math.min(done.get(), t), t, rate.rate());
        if (terminal != null) {
            if (terminal.resizing()) {
                return; // redrawn as soon as the new width is known
            }
            int columns = terminal.columns();
            if (columns != drawnFor) {
                clearRow();
            }
            String row = StatusLine.render(s, columns, charset);
            err.print("\r" + row + ERASE_LINE);
            drawnColumns = Math.max(1, StatusLine.width(row));
            drawnFor = columns;
        } else {
            long now = System.nanoTime();
            if (now - lastPlainNanos < PLAIN_EVERY_NANOS) {
                return;
            }
            lastPlainNanos = now;
            err.println("wan: progress " + plain(s));
        }
        err.flush();
    }

    /** The plain line's figures: {@code 37% 379.0 MiB/1.0 GiB}, then rate and ETA once there is a rate. */
    static String plain(StatusLine.Snapshot s) {
        int pct = s.total() == 0 ? 0 : (int) (100 * s.done() / s.total());
        String line = String.format(Locale.ROOT, "%d%% %s/%s", pct, Output.bytes(s.done()), Output.bytes(s.total()));
        if (s.rate().isPresent()) {
            double r = s.rate().getAsDouble();
            line += " " + Output.bytes((long) r) + "/s";
            if (r > 0 && s.done() < s.total()) {
                line += " ETA " + StatusLine.duration((long) Math.ceil((s.total() - s.done()) / r));
            }
        }
        return line;
    }

    /**
     * Removes the row from the screen. After a resize to fewer columns a terminal that reflows (tmux, VTE,
     * iTerm) has wrapped the old row onto several: go up over them first, then erase to the end of the screen.
     */
    private void clearRow() {
        if (drawnColumns == 0) {
            return;
        }
        int columns = terminal.columns();
        int rows = (drawnColumns - 1) / Math.max(1, columns) + 1;
        err.print("\r" + (rows > 1 ? "\033[" + (rows - 1) + "A" : "") + "\033[J");
        err.flush();
        drawnColumns = 0;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (drawnColumns > 0) {
                rate.sample(System.nanoTime(), Math.min(done.get(), total.get()));
                draw();
                err.println();
                err.flush();
            }
        }
        if (terminal != null) {
            terminal.close();
        }
    }
}
