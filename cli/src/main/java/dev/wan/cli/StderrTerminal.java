package dev.wan.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jline.nativ.JLineNativeLoader;
import org.jline.terminal.spi.SystemStream;
import org.jline.terminal.spi.TerminalProvider;
import org.jline.utils.Signals;

/**
 * The terminal stderr is attached to, through jline: whether there is one, how wide it is, and when
 * it is resized. Asked of stderr itself (file descriptor 2), never of stdin or stdout: {@code wan ensure
 * < list > paths} still draws its bar, {@code wan ensure 2> log} does not.
 *
 * <p>Not a jline {@code Terminal}: jline's system terminal only exists when stdin is a terminal too and
 * reads the size of stdin's, which is the very mistake this class is here to avoid. The provider (JNI,
 * else {@code test -t 2} and {@code stty}) answers for stderr directly. The width is read before each
 * redraw with JNI (an ioctl), else once and again after each SIGWINCH (a process each time).
 */
final class StderrTerminal implements Progress.Screen {
    private static final int FALLBACK_COLUMNS = 80;
    /**
     * jline logs through java.util.logging, whose default handler prints WARNING on stderr: a machine whose
     * temporary directory is mounted noexec would see "Unable to load JLine's native library" on every run,
     * for a fallback that works. Held here (a logger only keeps its level while referenced).
     */
    private static final Logger JLINE_LOG = Logger.getLogger("org.jline");

    static {
        JLINE_LOG.setLevel(Level.SEVERE);
    }

    private final TerminalProvider provider;
    /** The native provider's answer is an ioctl, cheap enough to ask before every redraw. */
    private final boolean cheap;
    private final Object previousWinch;
    private volatile int columns;
    /** Between a SIGWINCH and the new width being known: a row drawn now would be drawn for the old width. */
    private volatile boolean resizing;

    private StderrTerminal(TerminalProvider provider, IntConsumer onResize) {
        this.provider = provider;
        this.cheap = "jni".equals(provider.name());
        this.columns = measure();
        this.previousWinch = Signals.register("WINCH", () -> {
            resizing = true;
            columns = measure();
            resizing = false;
            onResize.accept(columns);
        });
    }

    /** stderr's terminal, or null when stderr is a file, a pipe or nothing ({@code onResize} gets the new width). */
    static StderrTerminal open(IntConsumer onResize) {
        TerminalProvider p = provider();
        return p != null && p.isSystemStream(SystemStream.Error) ? new StderrTerminal(p, onResize) : null;
    }

    /**
     * False when stderr is certainly not a terminal (Linux names what fd 2 is: a file, a pipe, /dev/null),
     * so plain runs (CI, logs) never load jline; true otherwise, and then {@link #open} asks jline.
     */
    static boolean mayBeTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return true; // no /proc (macOS, the BSDs): jline knows
        }
    }

    /**
     * jline's native provider (isatty and an ioctl on fd 2) when its library loads, else the exec provider
     * ({@code test -t 2}, {@code stty}: a process per question, asked once per run and once per resize).
     */
    private static TerminalProvider provider() {
        try {
            return TerminalProvider.load(nativeLibraryLoads() ? "jni" : "exec");
        } catch (IOException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    private static boolean nativeLibraryLoads() {
        try {
            return JLineNativeLoader.initialize();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** Columns of the terminal now (80 if it will not say). */
    @Override
    public int columns() {
        if (cheap) {
            columns = measure();
        }
        return columns;
    }

    /** True while a resize is being measured: draw nothing until {@code onResize} says the new width. */
    @Override
    public boolean resizing() {
        return resizing;
    }

    private int measure() {
        try {
            int w = provider.systemStreamWidth(SystemStream.Error);
            return w > 0 ? w : FALLBACK_COLUMNS;
        } catch (RuntimeException e) {
            return FALLBACK_COLUMNS;
        }
    }

    @Override
    public void close() {
        Signals.unregister("WINCH", previousWinch);
    }
}
