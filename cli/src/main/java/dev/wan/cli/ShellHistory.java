package dev.wan.cli;

import dev.wan.WanConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;

/**
 * Where {@code wan shell} keeps the lines typed into it: {@code <cache>/wan/shell_history} (jline's
 * format), readable by its owner only (mode 0600: a line may name a private bucket or path). The
 * shell remembers the last {@link #SIZE} lines; jline appends each line to the file and trims it back
 * to {@link #SIZE} once it holds a quarter more (through a temporary file, created 0600). The mode is
 * set again after every write, never left to the umask or to a file found open to others.
 */
final class ShellHistory {
    static final int SIZE = 1000;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private ShellHistory() {
    }

    /** The history file for this environment (XDG_CACHE_HOME, else HOME/.cache). */
    static Path file(Map<String, String> env) {
        return WanConfig.cacheDirectory(env).resolve("shell_history");
    }

    /** Sets the history up on {@code builder}: the file (created 0600 if it is missing), its cap. */
    static LineReaderBuilder configure(LineReaderBuilder builder, Path file) {
        return builder.variable(LineReader.HISTORY_FILE, file)
                .variable(LineReader.HISTORY_SIZE, SIZE)
                .variable(LineReader.HISTORY_FILE_SIZE, SIZE);
    }

    /** Creates the file's directory and makes the file (once it exists) readable by its owner only. */
    static void secure(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        }
        if (!Files.isSymbolicLink(file)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
    }
}
