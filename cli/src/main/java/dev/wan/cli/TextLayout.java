package dev.wan.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.LayoutBase;
import dev.wan.internal.log.LogContext;
import dev.wan.text.TerminalText;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code --log-format text}: one line per event, terminal-safe ({@link TerminalText#escape}: a
 * message may quote a server or a file name):
 * <pre>
 * 2026-05-04T10:00:00.123Z INFO dev.wan.internal.ensure.SourceFetcher [invocation=1a2b3c4d job=… model=… file=…]
 *     message (IOException: why)     (one line)
 * </pre>
 * An exception is its chain of class names and messages on the same line, never a stack trace
 * (the JSON format carries those). Written by hand rather than as a logback pattern: the pattern
 * parser is the slowest part of logback's start.
 */
final class TextLayout extends LayoutBase<ILoggingEvent> {
    /** The MDC keys shown, in this order (others after them, as they come). */
    private static final List<String> KEYS = List.of(ServeMdc.REQUEST, LogContext.JOB, LogContext.MODEL,
            LogContext.SOURCE, LogContext.FILE);

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(160);
        line.append(Instant.ofEpochMilli(event.getTimeStamp())).append(' ')
                .append(event.getLevel()).append(' ')
                .append(event.getLoggerName()).append(" [")
                .append(Logging.INVOCATION).append('=')
                .append(event.getLoggerContextVO().getPropertyMap().get(Logging.INVOCATION));
        Map<String, String> mdc = event.getMDCPropertyMap();
        for (String key : KEYS) {
            String v = mdc.get(key);
            if (v != null) {
                line.append(' ').append(key).append('=').append(v);
            }
        }
        mdc.forEach((k, v) -> {
            if (!KEYS.contains(k)) {
                line.append(' ').append(k).append('=').append(v);
            }
        });
        line.append("] ").append(event.getFormattedMessage());
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            line.append(t == event.getThrowableProxy() ? " (" : "; caused by ")
                    .append(t.getClassName().substring(t.getClassName().lastIndexOf('.') + 1));
            if (t.getMessage() != null) {
                line.append(": ").append(t.getMessage());
            }
        }
        if (event.getThrowableProxy() != null) {
            line.append(')');
        }
        return TerminalText.escape(line.toString()) + System.lineSeparator();
    }
}
