package dev.wan.internal.migrate;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.io.BoundedInputStream;
import dev.wan.manifest.SourceRef;
import dev.wan.migrate.LegacyFile;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.StorageBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The legacy tree as a source of the ensure machinery ({@code wan-migrate://<n>}, never in a
 * manifest): each model file is served from the legacy file it was matched to, so locking, staging,
 * hashing every byte, dedup, commit and state are ensure's own. Before a file is linked or read it
 * must still be a regular file whose real path lies inside the legacy tree; it is opened without
 * following a link. Nothing is ever written through this source.
 */
public final class LegacyBackend implements StorageBackend {
    public static final String SCHEME = "wan-migrate";
    private final Map<String, Mapping> mappings = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();

    /** Model paths → legacy files of one model, below {@code root} (a real path). */
    public record Mapping(Path root, String shownRoot, Map<String, LegacyFile> files, boolean copy) {
    }

    /** Registers a mapping; the returned source serves it. */
    public SourceRef add(Mapping m) {
        SourceRef ref = new SourceRef(SCHEME + "://" + next.incrementAndGet());
        mappings.put(ref.uri(), m);
        return ref;
    }

    public void remove(SourceRef ref) {
        mappings.remove(ref.uri());
    }

    @Override
    public Set<String> schemes() {
        return Set.of(SCHEME);
    }

    @Override
    public SourceSession open(SourceRef source, SourceContext context) {
        Mapping m = mappings.get(source.uri());
        if (m == null) {
            throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, "no migration is running for " + source, "");
        }
        return new Session(source, m);
    }

    private record Session(SourceRef source, Mapping m) implements SourceSession {
        @Override
        public String origin() {
            return "migrate:" + m.shownRoot();
        }

        @Override
        public String origin(String path) {
            LegacyFile f = m.files().get(path);
            return f == null ? origin() : "migrate:" + m.shownRoot() + "/" + f.path();
        }

        @Override
        public LinkPolicy linkPolicy() {
            return m.copy() ? LinkPolicy.NEVER : LinkPolicy.ALWAYS;
        }

        /** The legacy file for a model path, checked again now: regular, inside the tree. */
        private Path checked(String path) throws IOException {
            LegacyFile f = m.files().get(path);
            if (f == null) {
                throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, path + " is not in the legacy tree", "");
            }
            Path file = f.file();
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile() || !file.toRealPath().startsWith(m.root())) {
                throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, "legacy file " + f.path()
                        + " is no longer a regular file inside " + m.shownRoot() + ": not read", "");
            }
            return file;
        }

        @Override
        public RemoteFile stat(String path) throws IOException {
            Path file = checked(path);
            return new RemoteFile(path, Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).size(), null);
        }

        @Override
        public InputStream read(String path, long offset, long length) throws IOException {
            FileChannel ch = FileChannel.open(checked(path), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            ch.position(offset);
            InputStream in = Channels.newInputStream(ch);
            return length < 0 ? in : new BoundedInputStream(in, length);
        }

        @Override
        public Optional<Path> localPath(String path) {
            try {
                return Optional.of(checked(path));
            } catch (IOException | WanException e) {
                return Optional.empty(); // stat says why
            }
        }

        @Override
        public List<RemoteFile> list() {
            return m.files().entrySet().stream().map(e -> new RemoteFile(e.getKey(), e.getValue().size(), null)).toList();
        }
    }
}
