package dev.wan.e2e.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.e2e.Cli;
import dev.wan.e2e.Fixtures;
import dev.wan.testkit.s3.FaultProxy;
import dev.wan.testkit.s3.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a {@code wan ensure} process in the middle of a 500 MB object from S3 (through a
 * proxy that caps each connection's rate, so the kill lands mid-way), then ensure again: the
 * second run asks the server only for the chunks the first did not finish.
 */
class S3CrashResumeTest {
    private static final long SIZE = 500L * 1000 * 1000;
    private static final int CHUNK = 16 << 20;
    private static final String ID = "big-s3@1.0.0";

    @TempDir
    static Path tmp;

    static S3ProxyServer server;
    static FaultProxy proxy;
    static String sha;

    @BeforeAll
    static void seed() throws IOException {
        server = S3ProxyServer.start(tmp);
        server.createBucket("team-models");
        Path file = tmp.resolve("weights.bin");
        sha = Fixtures.randomFile(file, SIZE, 500);
        server.put("team-models", "big/weights.bin", file);
        Files.delete(file);
        proxy = FaultProxy.start(server.endpoint());
    }

    @AfterAll
    static void stop() {
        proxy.close();
        server.close();
    }

    @Test
    void aKilledDownloadResumesRequestingOnlyTheMissingChunks() throws Exception {
        Path root = tmp.resolve("root");
        Path manifest = Fixtures.manifest(tmp, ID, "s3://team-models/big",
                Map.of("weights.bin", new String[] {Long.toString(SIZE), sha}));
        Map<String, String> env = new HashMap<>(server.env());
        env.put("AWS_ENDPOINT_URL", proxy.endpoint().toString());
        env.put("MODELS_ROOT", root.toString());
        env.put("WAN_MODELS_MANIFEST", manifest.toString());
        env.put("WAN_CONNECTIONS", "3");
        env.put("WAN_RETRY_BASE_MILLIS", "10");
        env.put("WAN_STALL_TIMEOUT_SECONDS", "5");
        proxy.rateLimit(25L << 20);

        Process first = Cli.java().env(env).start(tmp.resolve("out1"), tmp.resolve("err1"), "ensure", "--only", ID);
        BitSet done = waitForJournaledChunks(root, first, 4);
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        done = journaledChunks(root); // the last word of the killed run
        int firstRunRequests = proxy.log().size();
        proxy.rateLimit(0);
        Cli.Result second = Cli.java().env(env).run("ensure", "--only", ID, "--json");

        assertEquals(0, second.exitCode(), second.toString());
        Path finalFile = root.resolve("wan22").resolve(ID).resolve("weights.bin");
        assertEquals(SIZE, Files.size(finalFile));
        assertEquals(sha, Fixtures.sha256(finalFile));
        int chunks = (int) ((SIZE + CHUNK - 1) / CHUNK);
        assertTrue(done.cardinality() > 0 && done.cardinality() < chunks, "killed mid-way: " + done);
        List<long[]> secondRun = new ArrayList<>();
        for (FaultProxy.Request r : proxy.log().subList(firstRunRequests, proxy.log().size())) {
            if (r.method().equals("GET") && r.path().endsWith("/weights.bin")) {
                secondRun.add(r.byteRange());
            }
        }
        BitSet fetched = new BitSet();
        for (long[] range : secondRun) {
            int chunk = (int) (range[0] / CHUNK);
            assertEquals((long) chunk * CHUNK, range[0], "ranges start at chunk boundaries");
            assertTrue(!done.get(chunk), "chunk " + chunk + " was finished before the kill but fetched again");
            fetched.set(chunk);
        }
        BitSet missing = new BitSet();
        missing.set(0, chunks);
        missing.andNot(done);
        // A chunk retried after a slow or cut connection (a loaded CI machine) is one chunk, fetched twice.
        assertEquals(missing, fetched, "the second run fetched exactly the missing chunks");
        assertTrue(emptyTmp(root), "nothing left in .tmp");
        Cli.Result status = Cli.java().env(env).run("status", ID, "--json");
        assertTrue(status.stdout().contains("\"state\" : \"COMPLETE\""), status.toString());
    }

    private static BitSet waitForJournaledChunks(Path root, Process p, int atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                fail("the ensure finished (exit " + p.exitValue() + ") before it could be killed: "
                        + Files.readString(tmp.resolve("err1")));
            }
            BitSet done = journaledChunks(root);
            if (done.cardinality() >= atLeast) {
                return done;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no chunk was journaled in 60 s");
    }

    /** The chunks the download journal says are on disk. */
    private static BitSet journaledChunks(Path root) throws IOException {
        Path tmpDir = root.resolve(".tmp");
        if (!Files.isDirectory(tmpDir)) {
            return new BitSet();
        }
        try (Stream<Path> walk = Files.walk(tmpDir)) {
            for (Path j : walk.filter(f -> f.toString().endsWith("weights.bin.json")).toList()) {
                try {
                    JsonNode done = new ObjectMapper().readTree(Files.readAllBytes(j)).get("done");
                    long[] words = new long[done == null ? 0 : done.size()];
                    for (int i = 0; i < words.length; i++) {
                        words[i] = done.get(i).asLong();
                    }
                    return BitSet.valueOf(words);
                } catch (IOException partlyWritten) {
                    return new BitSet(); // written atomically, but be safe
                }
            }
        }
        return new BitSet();
    }

    private static boolean emptyTmp(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root.resolve(".tmp"))) {
            return walk.noneMatch(Files::isRegularFile);
        }
    }
}
