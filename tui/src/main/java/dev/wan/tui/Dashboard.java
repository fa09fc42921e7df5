package dev.wan.tui;

import com.googlecode.lanterna.gui2.BasicWindow;
import com.googlecode.lanterna.gui2.Interactable;
import com.googlecode.lanterna.gui2.MultiWindowTextGUI;
import com.googlecode.lanterna.gui2.SameTextGUIThread;
import com.googlecode.lanterna.gui2.TextGUIThread;
import com.googlecode.lanterna.gui2.Window;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.screen.Screen;
import com.googlecode.lanterna.screen.TerminalScreen;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.event.WanEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The running dashboard: one lanterna GUI on the thread that created it (the GUI thread), workers
 * for the operator's commands, a ticker that folds the event stream into the model four times a
 * second while something runs, and a store reader that sees other processes' work.
 *
 * <p>Threads: only the GUI thread touches the model and the screen. Workers and timers hand
 * changes over with {@code gui.getGUIThread().invokeLater(...)} (see {@link #post}) and wake the
 * GUI thread, which otherwise sleeps between polls of the keyboard: idle costs ~nothing.
 */
final class Dashboard implements AutoCloseable {
    /**
     * How long the GUI thread sleeps when nothing happened. When the keyboard rings a bell on
     * input ({@link WakingInput}) and resizes wake it too, it sleeps until something happens (the
     * long sleep is only a safety net). Otherwise (a virtual terminal) it must poll lanterna's
     * input: often while the operator types, less once the keyboard has been quiet for a second.
     */
    private static final long WOKEN_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long TYPING_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long QUIET_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Events are folded into the screen this often while work runs (the frame interval under load). */
    static final long TICK_MILLIS = 250;
    /** With nothing going on, the screen is still repainted this often ("used 5m" ages). */
    private static final long IDLE_REPAINT_MILLIS = 30_000;
    /** The store reader never spends more than 1/READ_BUDGET of its time reading. */
    private static final int READ_BUDGET = 20;

    private final Screen screen;
    private final MultiWindowTextGUI gui;
    private final TextGUIThread guiThread;
    private final Thread owner;
    private final DashboardModel model;
    private final DashboardView view;
    private final Operator operator;
    private final StoreReader reader;
    private final Duration minRead;
    private final ConcurrentLinkedQueue<WanEvent> events = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(daemon("wan-tui-tick"));
    private final ScheduledExecutorService storeTimer = Executors.newSingleThreadScheduledExecutor(daemon("wan-tui-store"));
    private final ExecutorService workers = Executors.newCachedThreadPool(daemon("wan-tui-work"));
    private final boolean keyboardWakes;
    private volatile boolean working;
    private volatile long lastRepaint = System.currentTimeMillis();
    private long lastKey = System.nanoTime() - QUIET_AFTER_NANOS;

    /**
     * Must be called on the thread that will run {@link #step}: it becomes the GUI thread.
     *
     * @param minRead       the store is re-read at most this often (more rarely when reading is slow)
     * @param keyboardWakes whether input unparks the GUI thread (see {@link WakingInput}); then it
     *                      never polls
     * @param cut           how text is cut to fit (by what the terminal's charset shows)
     */
    Dashboard(Screen screen, ModelEnsurer ensurer, Clock clock, Duration minRead, long quotaBytes, FrameStats frames,
              boolean keyboardWakes, Cut cut) {
        this.screen = screen;
        this.keyboardWakes = keyboardWakes;
        this.minRead = minRead;
        this.owner = Thread.currentThread();
        this.gui = new MultiWindowTextGUI(new SameTextGUIThread.Factory(), screen);
        this.guiThread = gui.getGUIThread();
        this.model = new DashboardModel(clock, ensurer.config().modelsRoot() + "  (" + ensurer.config().manifest()
                .getFileName() + ")", quotaBytes, cut);
        this.reader = new StoreReader(ensurer, clock, quotaBytes);
        this.operator = new Operator(ensurer, clock, workers, this::post, this::refreshNow);
        this.view = new DashboardView(model, this::onKey, frames);
        ensurer.addListener(events::add);
        BasicWindow window = new BasicWindow("wan");
        window.setHints(List.of(Window.Hint.FULL_SCREEN, Window.Hint.NO_DECORATIONS, Window.Hint.NO_POST_RENDERING));
        window.setComponent(view);
        gui.addWindow(window);
        window.setFocusedInteractable(view);
        if (screen instanceof TerminalScreen ts) {
            ts.getTerminal().addResizeListener((terminal, size) -> LockSupport.unpark(owner));
        }
    }

    /** Starts reading the store and the ticker. */
    void start() {
        storeTimer.execute(this::readAndReschedule);
        ticker.scheduleWithFixedDelay(() -> {
            if (working || !events.isEmpty() || System.currentTimeMillis() - lastRepaint > IDLE_REPAINT_MILLIS) {
                post(m -> { }, true); // rate, ETA and ages move on even without new events
            }
        }, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Runs until the operator quits. */
    void run() {
        start();
        while (!model.quitRequested()) {
            step();
        }
    }

    /** One turn of the GUI thread: keys, handed-over changes, a repaint if needed; sleeps when idle. */
    boolean step() {
        boolean changed;
        try {
            changed = guiThread.processEventsAndUpdate();
        } catch (IOException e) {
            throw new UncheckedIOException("the terminal went away", e);
        }
        if (!changed) {
            LockSupport.parkNanos(keyboardWakes ? WOKEN_NANOS
                    : System.nanoTime() - lastKey < QUIET_AFTER_NANOS ? TYPING_NANOS : QUIET_NANOS);
        }
        return changed;
    }

    DashboardModel model() {
        return model;
    }

    /** Hands a change of the model to the GUI thread (after the events that came before it). */
    void post(Consumer<DashboardModel> change) {
        post(change, false);
    }

    private void post(Consumer<DashboardModel> change, boolean repaint) {
        guiThread.invokeLater(() -> {
            for (WanEvent e; (e = events.poll()) != null; ) {
                model.on(e);
            }
            change.accept(model);
            working = model.working();
            if (model.takeDirty() || repaint) {
                view.invalidate();
                lastRepaint = System.currentTimeMillis();
            }
        });
        LockSupport.unpark(owner);
    }

    private Interactable.Result onKey(KeyStroke key) {
        lastKey = System.nanoTime();
        Command c = model.onKey(key);
        if (c != null && c.kind() != Command.Kind.QUIT) {
            operator.submit(c, model);
        }
        working = model.working();
        model.takeDirty();
        view.invalidate();
        return Interactable.Result.HANDLED;
    }

    private void refreshNow() {
        try {
            storeTimer.execute(this::readOnce);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: no more reads
        }
    }

    /**
     * When to read the store next: READ_BUDGET times the shorter of the last two reads, at least
     * {@code minNanos}. A single slow read (the first one in a cold JVM, a GC pause, a burst of disk
     * contention) does not stretch the interval, which hid another process's progress for 10 s;
     * reads that stay slow (a huge store) still keep reading under 1/READ_BUDGET of the time.
     */
    static long nextReadNanos(long minNanos, long tookNanos, long previousNanos) {
        return Math.max(minNanos, Math.min(tookNanos, previousNanos) * READ_BUDGET);
    }

    private long readOnce() {
        long t0 = System.nanoTime();
        StoreSnapshot s = reader.read();
        post(m -> m.setStore(s));
        return System.nanoTime() - t0;
    }

    /** The previous read's duration; 0 before the first, so one slow read alone never stretches the interval. */
    private long previousRead;

    /** Reads, then waits READ_BUDGET times as long as reads take (at least minRead). */
    private void readAndReschedule() {
        long took = readOnce();
        long next = nextReadNanos(minRead.toNanos(), took, previousRead);
        previousRead = took;
        try {
            storeTimer.schedule(this::readAndReschedule, next, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: no more reads
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        storeTimer.shutdownNow();
        workers.shutdownNow();
        try {
            screen.stopScreen();
        } catch (IOException ignored) {
            // the terminal is gone: nothing left to restore
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
