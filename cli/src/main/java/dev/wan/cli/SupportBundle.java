package dev.wan.cli;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code wan diagnose --bundle FILE}: a zip for a bug report. Entries:
 *
 * <pre>
 * report.txt     the report, every detail, 80 columns
 * report.json    the --json document
 * system.txt     OS, kernel, CPUs, memory, the Java properties that matter (not the environment)
 * manifest.toml  the manifest in use (presigned query strings masked), when it can be read
 * wan.log        the last {@link #LOG_TAIL} bytes of $WAN_LOG_FILE, when it names a regular file
 * </pre>
 *
 * Everything goes through the report's {@link SecretMask}. Written to a temp file beside FILE
 * (created exclusively, 0600), then renamed into place: FILE is never opened, so a symlink planted
 * there is replaced (with --force) or refused, never followed; without --force an existing FILE
 * is refused, and the final step cannot replace one that appeared meanwhile (a hardlink, not a rename).
 */
final class SupportBundle {
    static final int LOG_TAIL = 256 << 10;
    static final int MAX_MANIFEST = 1 << 20;

    private SupportBundle() {
    }

    static void write(Path file, boolean force, Map<String, String> entries) {
        Path target = file.toAbsolutePath().normalize();
        if (!force && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw exists(target);
        }
        Path dir = target.getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            try (SeekableByteChannel ch = Files.newByteChannel(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                 OutputStream raw = Channels.newOutputStream(ch);
                 ZipOutputStream zip = new ZipOutputStream(raw, StandardCharsets.UTF_8)) {
                for (Map.Entry<String, String> e : entries.entrySet()) {
                    zip.putNextEntry(new ZipEntry(e.getKey()));
                    zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                    zip.closeEntry();
                }
                zip.finish();
                raw.flush();
                ((FileChannel) ch).force(true);
            }
            if (force) {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.createLink(target, tmp); // fails if FILE appeared since the check: never replaced
                Files.delete(tmp);
            }
        } catch (FileAlreadyExistsException e) {
            throw exists(target);
        } catch (IOException e) {
            throw dev.wan.internal.io.Fs.map(e, "cannot write the bundle " + target);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a temp file beside the bundle; named after it, so it is found
            }
        }
    }

    private static WanException exists(Path target) {
        return new WanException(ErrorCode.FILESYSTEM_ERROR, target + " exists; the bundle was not written",
                "name another file, or add --force to replace it");
    }

    /** The entries: masked, bounded. */
    static Map<String, String> entries(String text, String json, Path manifest, Map<String, String> env, SecretMask mask) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("report.txt", text);
        out.put("report.json", json);
        out.put("system.txt", mask.apply(system()));
        String m = readHead(manifest, MAX_MANIFEST);
        if (m != null) {
            out.put("manifest.toml", mask.apply(m));
        }
        String log = env.get("WAN_LOG_FILE");
        if (log != null && !log.isBlank()) {
            String tail = readTail(Path.of(log.strip()), LOG_TAIL);
            out.put("wan.log", tail == null ? "(WAN_LOG_FILE does not name a readable regular file)\n" : mask.apply(tail));
        }
        return out;
    }

    static String system() {
        StringBuilder s = new StringBuilder();
        Runtime rt = Runtime.getRuntime();
        line(s, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        String kernel = readHead(Path.of("/proc/version"), 1024);
        if (kernel != null) {
            line(s, "kernel", kernel.strip());
        }
        line(s, "cpus", String.valueOf(rt.availableProcessors()));
        String meminfo = readHead(Path.of("/proc/meminfo"), 8192);
        if (meminfo != null) {
            meminfo.lines().filter(l -> l.startsWith("MemTotal") || l.startsWith("MemAvailable")
                    || l.startsWith("SwapTotal")).forEach(l -> line(s, "memory", l.replaceAll("\\s+", " ")));
        }
        line(s, "jvm heap", "max " + dev.wan.store.ByteSize.format(rt.maxMemory()));
        for (String p : List.of("java.version", "java.vendor", "java.vm.name", "java.vm.version", "java.home",
                "java.class.path", "file.encoding", "sun.jnu.encoding", "native.encoding", "stdout.encoding",
                "user.language", "user.country", "user.timezone", "user.name", "user.dir", "wan.home")) {
            if (System.getProperty(p) != null) {
                line(s, p, System.getProperty(p));
            }
        }
        return s.toString();
    }

    private static void line(StringBuilder s, String k, String v) {
        s.append(k).append(": ").append(v).append('\n');
    }

    /** The first {@code max} bytes of a regular file (not through a link), or null. */
    static String readHead(Path p, int max) {
        if (p == null || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            return new String(in.readNBytes(max), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The last {@code max} bytes of a regular file (not through a link) from a line start, or null. */
    static String readTail(Path p, int max) {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            long from = Math.max(0, size - max);
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(max, size));
            while (buf.hasRemaining() && ch.read(buf, from + buf.position()) > 0) {
                // a log that shrinks meanwhile ends the read early
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            return from > 0 && nl >= 0 ? text.substring(nl + 1) : text; // a cut first line could hide half a secret
        } catch (IOException e) {
            return null;
        }
    }
}
