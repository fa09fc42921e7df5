package dev.wan;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How the wan command line logs (README "Logs"), from {@code --log-format}/{@code --log-level} or
 * WAN_LOG_FORMAT, WAN_LOG_LEVEL and WAN_LOG_FILE; parsed by {@link WanSettings#logSettings}. The
 * core only logs through SLF4J: an application embedding it configures its own backend instead.
 *
 * @param format how each line is written (default text)
 * @param level  the least severe level of wan's own loggers that is written (default warn)
 * @param file   where lines are appended instead of stderr (WAN_LOG_FILE; empty: stderr)
 */
public record LogSettings(Format format, Level level, Optional<Path> file) {
    /** Warnings and errors as text on stderr: what a command prints when no log setting is given. */
    public static final LogSettings DEFAULTS = new LogSettings(Format.TEXT, Level.WARN, Optional.empty());

    public enum Format { TEXT, JSON }

    /** From least to most verbose. */
    public enum Level { ERROR, WARN, INFO, DEBUG, TRACE }

    public LogSettings {
        java.util.Objects.requireNonNull(format);
        java.util.Objects.requireNonNull(level);
        java.util.Objects.requireNonNull(file);
    }
}
