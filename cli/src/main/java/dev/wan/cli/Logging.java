package dev.wan.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import dev.wan.ErrorCode;
import dev.wan.LogSettings;
import dev.wan.WanException;
import dev.wan.internal.log.LogContext;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * The CLI's logging (README "Logs"): logback, configured here in code and never from a
 * {@code logback.xml}, so a configuration file on the class path cannot redirect or widen what wan
 * logs. Through {@link LogProvider} logback starts with a context of our own (no
 * {@code ContextInitializer}: no file is looked for); where SLF4J found logback by itself (an
 * embedding JVM that bound it first), {@link Configurator} configures it (first, and it ends the
 * search) and {@link #start} resets it for the run.
 *
 * <p>Every line carries the run's id (the context property {@value #INVOCATION}); wan's own
 * loggers ({@code dev.wan}) get the level asked for, other libraries' (the AWS SDK, HTTP clients)
 * stay at error, or warn from info on: their debug output carries request headers.
 */
final class Logging {
    static final String INVOCATION = "invocation";

    /** The run in progress (or the last one): what logback is configured with. */
    private static volatile Target current = new Target(LogSettings.DEFAULTS, LogContext.newId(),
            new PrintWriter(System.err, true), Map.of(), null);
    /** The logback context once it runs; null until a line is written or a run asks for logs. */
    private static volatile LoggerContext context;

    private Logging() {
    }

    /**
     * Sets logging up for one run (closed at its end). INVALID_CONFIG when WAN_LOG_FILE cannot be
     * opened: a symbolic link, not a plain file, not writable. With the default settings nothing
     * starts: logback does when (if) something logs a warning.
     */
    static Run start(LogSettings settings, Map<String, String> env, PrintWriter err) {
        FileChannel file = settings.file().isPresent() ? open(settings.file().get()) : null;
        Target outer = current; // a command of 'wan shell' runs inside the shell's own run
        current = new Target(settings, LogContext.newId(), err, env, file);
        if (context != null) {
            apply(context);
        } else if (!isDefault(settings)) {
            logback();
        }
        return () -> end(outer);
    }

    /** Field by field: a record's equals costs its method-handle bootstrap (milliseconds) at start-up. */
    private static boolean isDefault(LogSettings s) {
        LogSettings d = LogSettings.DEFAULTS;
        return s.format() == d.format() && s.level() == d.level() && s.file().isEmpty();
    }

    /** Back to the run this one ran in (the shell's), or to the start's defaults; the file closed. */
    private static void end(Target outer) {
        Target t = current;
        current = outer;
        if (context != null) {
            apply(context); // the run's appender stopped: flushed, its file closed
        }
        if (t.file() != null) {
            try {
                t.file().close();
            } catch (IOException e) {
                // every line was written when it was logged: a failed close loses nothing
            }
        }
    }

    static LogSettings settings() {
        return current.settings();
    }

    /** The least severe level of other libraries' loggers. */
    static LogSettings.Level othersLevel(LogSettings s) {
        return s.level().compareTo(LogSettings.Level.INFO) >= 0 ? LogSettings.Level.WARN : LogSettings.Level.ERROR;
    }

    /** The running logback context, or null. */
    static LoggerContext running() {
        return context;
    }

    /** The logback context, started (and configured for the run) on first use. */
    static LoggerContext logback() {
        LoggerContext c = context;
        if (c != null) {
            return c;
        }
        // outside our lock: binding SLF4J may run Configurator, which takes it
        ILoggerFactory bound = LoggerFactory.getILoggerFactory();
        synchronized (Logging.class) {
            if (context == null) {
                LoggerContext fresh = bound instanceof LoggerContext lc ? lc : new LoggerContext();
                if (fresh != bound) {
                    fresh.setMDCAdapter(LogProvider.MDC);
                    fresh.start();
                }
                apply(fresh);
                context = fresh;
            }
            return context;
        }
    }

    /** Configures {@code context} for {@link #current}: one appender, wan's level, the run's id. */
    static synchronized void apply(LoggerContext context) {
        Target t = current;
        context.reset();
        context.setName("wan");
        context.putProperty(INVOCATION, t.invocation());
        OutputStream target = t.file() != null ? Channels.newOutputStream(t.file()) : new WriterStream(t.err());
        OutputStream sink = new MaskingStream(target, SecretMask.of(t.env()));
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName(t.file() != null ? "file" : "stderr");
        appender.setEncoder(encoder(t.settings().format(), context));
        appender.setOutputStream(sink);
        appender.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(othersLevel(t.settings()).name()));
        root.addAppender(appender);
        context.getLogger("dev.wan").setLevel(Level.toLevel(t.settings().level().name()));
    }

    private static Encoder<ILoggingEvent> encoder(LogSettings.Format format, LoggerContext context) {
        if (format == LogSettings.Format.JSON) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            json.setWithFormattedMessage(true); // "message" is the template (one per kind of line), this the line
            json.setWithArguments(false); // the formatted message has them; raw objects could say more than it
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.start();
            return json;
        }
        LayoutWrappingEncoder<ILoggingEvent> text = new LayoutWrappingEncoder<>();
        text.setContext(context);
        TextLayout layout = new TextLayout();
        layout.setContext(context);
        layout.start();
        text.setLayout(layout);
        text.setCharset(java.nio.charset.StandardCharsets.UTF_8);
        text.start();
        return text;
    }

    /** WAN_LOG_FILE: appended to, created 0600, never through a symbolic link at its name. */
    static FileChannel open(Path path) {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(path)
                && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            throw bad(path, "is not a regular file"); // before opening: a FIFO would block the open
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException | UnsupportedOperationException e) {
            if (Files.isSymbolicLink(path)) { // O_NOFOLLOW's ELOOP
                throw bad(path, "is a symbolic link: wan does not follow it");
            }
            throw bad(path, "cannot be opened (" + (e instanceof FileSystemException f && f.getReason() != null
                    ? f.getReason() : e.getMessage()) + ")");
        }
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Object links = Files.getAttribute(path, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || links instanceof Integer n && n != 1) {
                throw bad(path, a.isRegularFile() ? "has other hard links" : "is not a regular file");
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof WanException we ? we : bad(path, "cannot be checked (" + e.getMessage() + ")");
        }
    }

    private static WanException bad(Path path, String why) {
        return new WanException(ErrorCode.INVALID_CONFIG, "WAN_LOG_FILE=" + path + " " + why,
                "name a plain file of your own (it is created 0600 if missing), or unset WAN_LOG_FILE to log on stderr");
    }

    /** One run's logging; closing it flushes and closes the file. */
    @FunctionalInterface
    interface Run extends AutoCloseable {
        @Override
        void close();
    }

    private record Target(LogSettings settings, String invocation, PrintWriter err, Map<String, String> env,
                          FileChannel file) {
    }

    /**
     * Found by logback's ServiceLoader (META-INF/services) when it starts: configures it from
     * {@link #current} and stops the search, so that no logback.xml, logback-test.xml or
     * {@code -Dlogback.configurationFile} is read.
     */
    @ch.qos.logback.classic.spi.ConfiguratorRank(ch.qos.logback.classic.spi.ConfiguratorRank.CUSTOM_TOP_PRIORITY)
    public static final class Configurator extends ch.qos.logback.core.spi.ContextAwareBase
            implements ch.qos.logback.classic.spi.Configurator {
        @Override
        public ExecutionStatus configure(LoggerContext context) {
            apply(context); // and Logging.logback() adopts it
            return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
        }
    }

    /** The bytes of each event as text on a writer (stderr, or a test's): logback writes one event per call. */
    private static final class WriterStream extends OutputStream {
        private final PrintWriter out;

        WriterStream(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            out.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.flush(); // stderr stays open: the run's results and errors still go there
        }
    }
}
