package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import dev.wan.internal.TestHooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of copying a large file, then ensure again. The copy is stopped at an exact
 * point ({@link TestHooks}): about 8 MiB of its 32 MiB staged.
 */
class CrashRecoveryTest {
    private static final long SIZE = 32L << 20;
    /** The 128th buffer written: about 8 MiB in. */
    private static final int KILLED_AT_WRITE = 128;
    private static final String ID = "big@1.0.0";

    @TempDir
    Path tmp;

    @Test
    void killDuringCopyNeverExposesAPartialFileAndTheNextEnsureCompletes() throws Exception {
        Path source = tmp.resolve("source");
        String sha = Fixtures.randomFile(source.resolve("weights.bin"), SIZE, 42);
        Path manifest = Fixtures.oneFileManifest(tmp, ID, "weights.bin", SIZE, sha, source);
        Path root = tmp.resolve("root");
        Path finalFile = root.resolve("wan22").resolve(ID).resolve("weights.bin");
        Cli cli = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", manifest.toString());
        AtomicReference<String> violation = new AtomicReference<>();
        Thread watcher = watchFinalPath(finalFile, violation);

        Path paused = tmp.resolve("copy.paused");
        Cli pausingCli = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", manifest.toString())
                .pauseAt(TestHooks.Point.STAGED_WRITE, KILLED_AT_WRITE, paused);
        Process first = pausingCli.start(tmp.resolve("out1"), tmp.resolve("err1"), "ensure", "--only", ID);
        Cli.awaitPause(first, paused);
        long staged = stagedFiles(root).mapToLong(f -> f.toFile().length()).sum();
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        boolean partialLeft = stagedFiles(root).findAny().isPresent();
        Cli.Result second = cli.run("ensure", "--only", ID, "--json");
        watcher.interrupt();
        watcher.join();

        assertTrue(staged > 0 && staged < SIZE, "killed mid-copy after " + staged + " bytes");
        assertTrue(partialLeft, "the killed run left its partial file in .tmp (where it belongs)");
        assertEquals(null, violation.get(), "a partial file was visible at the final path");
        assertEquals(0, second.exitCode(), second.toString());
        assertEquals(SIZE, Files.size(finalFile));
        assertEquals(sha, Fixtures.sha256(finalFile));
        assertEquals(List.of(), stagedFiles(root).toList(), ".tmp must be empty after a successful ensure");
        Cli.Result status = cli.run("status", ID, "--json");
        assertTrue(status.stdout().contains("\"state\" : \"COMPLETE\""), status.toString());
    }

    /** Polls the final path as fast as it can: any size other than the full one is a violation. */
    private static Thread watchFinalPath(Path finalFile, AtomicReference<String> violation) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    long size = Files.size(finalFile);
                    if (size != SIZE) {
                        violation.compareAndSet(null, "saw " + size + " bytes at " + finalFile);
                    }
                } catch (IOException absent) {
                    // not there yet: fine
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Stream<Path> stagedFiles(Path root) throws IOException {
        Path tmpDir = root.resolve(".tmp");
        if (!Files.isDirectory(tmpDir)) {
            return Stream.empty();
        }
        try (Stream<Path> walk = Files.walk(tmpDir)) {
            return walk.filter(Files::isRegularFile).toList().stream();
        }
    }
}
