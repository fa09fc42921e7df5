package dev.wan.cli;

import java.io.IOException;
import java.util.function.IntConsumer;
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
 * else {@code test -t 2} and {@code stty}) answers for stderr directly; the width is read once and again
 * after each SIGWINCH, never per redraw.
 */
final class StderrTerminal implements AutoCloseable {
    /** jline's native provider first (an ioctl); the exec provider (a process per question) if it cannot load. */
    private static final String[] PROVIDERS = {"jni", "exec"};
    private static final int FALLBACK_COLUMNS = 80;

    private final TerminalProvider provider;
    private final Object previousWinch;
    private volatile int columns;

    private StderrTerminal(TerminalProvider provider, IntConsumer onResize) {
        this.provider = provider;
        this.columns = measure();
        this.previousWinch = Signals.register("WINCH", () -> {
            columns = measure();
            onResize.accept(columns);
        });
    }

    /** stderr's terminal, or null when stderr is a file, a pipe or nothing ({@code onResize} gets the new width). */
    static StderrTerminal open(IntConsumer onResize) {
        for (String name : PROVIDERS) {
            try {
                TerminalProvider p = TerminalProvider.load(name);
                return p.isSystemStream(SystemStream.Error) ? new StderrTerminal(p, onResize) : null;
            } catch (IOException | RuntimeException | LinkageError e) {
                // this provider cannot run here (no native library for this platform): ask the next
            }
        }
        return null;
    }

    /** Columns of the terminal now (80 if it will not say). */
    int columns() {
        return columns;
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
