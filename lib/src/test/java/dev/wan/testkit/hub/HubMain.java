package dev.wan.testkit.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The loopback Hub as a process, for the benchmarks (bench/run): serves one public repository whose
 * files are on disk; LFS downloads redirect to {@code --cdn BASE} (a web server that has every file
 * under {@code BASE/<sha256>}). Prints {@code HF_ENDPOINT=http://127.0.0.1:PORT} once listening,
 * then runs until killed.
 *
 * <pre>java -cp wan-lib-tests.jar:… dev.wan.testkit.hub.HubMain --cdn http://localhost:8080/cdn org/repo path=FILE:SHA256 …</pre>
 */
public final class HubMain {
    private HubMain() {
    }

    public static void main(String[] args) throws Exception {
        String cdn = null;
        String repoId = null;
        HubServer hub = HubServer.start();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--cdn")) {
                cdn = args[++i];
            } else if (repoId == null) {
                repoId = a;
            } else {
                int eq = a.indexOf('=');
                int colon = a.lastIndexOf(':');
                if (eq < 1 || colon < eq) {
                    throw new IllegalArgumentException("expected path=FILE:SHA256, got " + a);
                }
                hub.repo(repoId).file(a.substring(0, eq), new FileContent(Path.of(a.substring(eq + 1, colon)),
                        a.substring(colon + 1)), true);
            }
        }
        if (cdn != null) {
            hub.cdnBase(cdn);
        }
        System.out.println("HF_ENDPOINT=" + hub.endpoint());
        System.out.flush();
        Thread.currentThread().join();
    }

    /** A file on disk with its sha256 given (not hashed again at start). */
    private static final class FileContent extends Content {
        private final FileChannel channel;
        private final long size;
        private final String sha256;

        FileContent(Path file, String sha256) throws IOException {
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
            this.size = channel.size();
            this.sha256 = sha256;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public String sha256() {
            return sha256;
        }

        @Override
        public void read(long pos, byte[] buf, int off, int len) {
            ByteBuffer b = ByteBuffer.wrap(buf, off, len);
            try {
                while (b.hasRemaining()) {
                    if (channel.read(b, pos + b.position() - off) < 0) {
                        throw new IOException("short file");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
