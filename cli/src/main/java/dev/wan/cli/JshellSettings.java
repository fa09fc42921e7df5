package dev.wan.cli;

import dev.wan.WanConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where {@code wan jshell} keeps JShell's own settings and history: {@code <cache>/wan/jshell.properties}
 * (mode 0600, like the shell's history), instead of the JDK's user preferences under {@code ~/.java},
 * whose first use prints a logger line into the operator's terminal. A file that is a link, is not a
 * regular file or is over {@link #MAX_BYTES} is ignored (JShell starts with no history) and left alone.
 */
final class JshellSettings {
    static final long MAX_BYTES = 4L << 20;

    private JshellSettings() {
    }

    static Path file(Map<String, String> env) {
        return WanConfig.cacheDirectory(env).resolve("jshell.properties");
    }

    /** What was saved last time; empty when there is nothing usable. */
    static Map<String, String> load(Path file) {
        Map<String, String> settings = new HashMap<>();
        try {
            if (!usable(file)) {
                return settings;
            }
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                p.load(in);
            }
            p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k)));
        } catch (IOException | IllegalArgumentException e) {
            settings.clear(); // unreadable or malformed: start without history rather than fail the prompt
        }
        return settings;
    }

    /** Writes {@code settings} through a temporary file (0600) and one rename; keeps a file that is not ours. */
    static void save(Map<String, String> settings, Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !usable(file)) {
            return;
        }
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "jshell.properties.", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Properties p = new Properties();
            p.putAll(settings);
            try (OutputStream out = Files.newOutputStream(tmp)) {
                p.store(out, "wan jshell: JShell's settings and history");
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean usable(Path file) throws IOException {
        return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) <= MAX_BYTES;
    }
}
