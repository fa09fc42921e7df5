package dev.wan.cli;

import ch.qos.logback.classic.util.LogbackMDCAdapter;
import dev.wan.LogSettings;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J binding of the CLI (chosen with the {@code slf4j.provider} property by {@link WanCli}):
 * logback, started only when a line is to be written. Starting logback costs more than the rest
 * of {@code wan status}; a run that logs nothing (the default: warnings only, and there are none)
 * never pays it. A logger answers "enabled?" from the run's settings (wan's loggers the level asked
 * for, others {@link Logging#othersLevel}) until logback runs, then asks logback; its lines are
 * logback's, configured by {@link Logging} (no configuration file is ever read).
 */
public final class LogProvider implements SLF4JServiceProvider {
    /** Shared with the logback context once it starts, so MDC entries set before then still count. */
    static final LogbackMDCAdapter MDC = new LogbackMDCAdapter();

    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final ILoggerFactory loggers = new Factory();

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return MDC;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    @Override
    public void initialize() {
        // nothing until a line is written
    }

    private static final class Factory implements ILoggerFactory {
        private final Map<String, Logger> byName = new ConcurrentHashMap<>();

        @Override
        public Logger getLogger(String name) {
            return byName.computeIfAbsent(name, Lazy::new);
        }
    }

    /** A logger that is logback's once logback runs, and a level check until then. */
    private static final class Lazy extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        private final boolean wan;

        Lazy(String name) {
            this.name = name;
            this.wan = name.equals("dev.wan") || name.startsWith("dev.wan.");
        }

        private boolean enabled(Level level) {
            ch.qos.logback.classic.LoggerContext running = Logging.running();
            if (running != null) {
                return running.getLogger(name).isEnabledFor(ch.qos.logback.classic.Level.convertAnSLF4JLevel(level));
            }
            LogSettings.Level least = wan ? Logging.settings().level() : Logging.othersLevel(Logging.settings());
            return level.toInt() >= switch (least) {
                case ERROR -> Level.ERROR.toInt();
                case WARN -> Level.WARN.toInt();
                case INFO -> Level.INFO.toInt();
                case DEBUG -> Level.DEBUG.toInt();
                case TRACE -> Level.TRACE.toInt();
            };
        }

        @Override
        public boolean isTraceEnabled() {
            return enabled(Level.TRACE);
        }

        @Override
        public boolean isDebugEnabled() {
            return enabled(Level.DEBUG);
        }

        @Override
        public boolean isInfoEnabled() {
            return enabled(Level.INFO);
        }

        @Override
        public boolean isWarnEnabled() {
            return enabled(Level.WARN);
        }

        @Override
        public boolean isErrorEnabled() {
            return enabled(Level.ERROR);
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String message, Object[] args,
                                                   Throwable thrown) {
            Logging.logback().getLogger(name).log(marker, Lazy.class.getName(), level.toInt(), message, args, thrown);
        }
    }
}
