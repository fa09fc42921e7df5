package dev.wan.e2e.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.e2e.Cli;
import dev.wan.e2e.Secrets;
import dev.wan.testkit.hub.Content;
import dev.wan.testkit.hub.Fault;
import dev.wan.testkit.hub.HubServer;
import dev.wan.testkit.hub.LoggedRequest;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a {@code wan ensure} in the middle of a 500 MB download from the loopback Hub, then
 * ensure again: the second run asks the Hub's CDN for exactly the chunks the first run had not
 * finished (the Range headers in the server's log say so), and the file ends byte-correct.
 */
class HfCrashResumeTest {
    private static final String ID = "hfbig@1.0.0";
    private static final String FILE = "weights/model.safetensors";
    private static final long SIZE = 500L * 1000 * 1000;
    private static final long CHUNK = 16L << 20;
    private static final Content CONTENT = Content.generated(SIZE, 2026);

    private HubServer hub;

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        hub = HubServer.start();
        hub.repo("org/big").gated(Secrets.HF_TOKEN).file(FILE, CONTENT);
    }

    @AfterEach
    void stop() {
        hub.close();
    }

    @Test
    void aKilledDownloadResumesWithExactlyTheMissingRanges() throws Exception {
        Path root = tmp.resolve("root");
        Path manifest = manifest();
        Map<String, String> env = Map.of("MODELS_ROOT", root.toString(), "WAN_MODELS_MANIFEST", manifest.toString(),
                "HF_ENDPOINT", hub.endpoint(), "HF_TOKEN", Secrets.HF_TOKEN, "HF_HOME", tmp.resolve("hf").toString(),
                "WAN_CONNECTIONS", "2", "WAN_RETRY_BASE_MILLIS", "10", "WAN_STALL_TIMEOUT_SECONDS", "5");
        Path journal = root.resolve(".tmp").resolve(ID + ".journal").resolve(FILE + ".json");
        hub.fault(Fault.rateCap(25L << 20)); // 2 connections × 25 MiB/s: ~10 s for the whole file

        Process first = Cli.java().env(env).start(tmp.resolve("out1"), tmp.resolve("err1"), "ensure", "--only", ID);
        BitSet doneAtKill = waitForFinishedChunks(journal, first, 3);
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        String firstOutput = Files.readString(tmp.resolve("out1")) + Files.readString(tmp.resolve("err1"));
        BitSet journaled = doneChunks(journal);
        int firstRunRequests = hub.log().size();
        hub.clearFaults();
        Cli.Result second = Cli.java().env(env).run("ensure", "--only", ID, "--json");

        int chunks = (int) ((SIZE + CHUNK - 1) / CHUNK);
        assertTrue(doneAtKill.cardinality() >= 3 && doneAtKill.cardinality() < chunks, "killed mid-way: " + doneAtKill);
        assertEquals(doneAtKill, journaled, "nothing moved after the kill");
        assertEquals(0, second.exitCode(), second.toString());
        assertFalse(firstOutput.contains(Secrets.HF_TOKEN), "the killed run printed the token:\n" + firstOutput);
        List<String> expected = new ArrayList<>();
        for (int i = journaled.nextClearBit(0); i < chunks; i = journaled.nextClearBit(i + 1)) {
            expected.add("bytes=" + i * CHUNK + "-" + (Math.min(SIZE, (i + 1) * CHUNK) - 1));
        }
        List<LoggedRequest> secondRun = hub.log().subList(firstRunRequests, hub.log().size());
        List<LoggedRequest> gets = secondRun.stream().filter(LoggedRequest::isDownload).toList();
        assertEquals(expected, gets.stream().map(LoggedRequest::range).sorted(HfCrashResumeTest::byStart).toList(),
                "the second run fetched exactly the chunks the journal did not have");
        assertTrue(gets.stream().allMatch(r -> r.host().equals(HubServer.CDN_HOST) && !r.authorization()),
                "LFS bytes come from the CDN host, without the token: " + gets);
        Path finalFile = root.resolve("wan22").resolve(ID).resolve(FILE);
        assertEquals(SIZE, Files.size(finalFile));
        assertEquals(CONTENT.sha256(), sha256(finalFile));
        assertFalse(Files.exists(journal), "the journal is gone once the file is committed");
    }

    private Path manifest() throws Exception {
        String toml = """
                schema_version = 1

                [models."%s"]
                description = "500 MB from the loopback Hub"
                version = "1.0.0"

                [[models."%s".files]]
                path = "%s"
                size = %d
                sha256 = "%s"

                [models."%s".sources]
                priority = ["hf://org/big"]
                """.formatted(ID, ID, FILE, SIZE, CONTENT.sha256(), ID);
        Path manifest = tmp.resolve("models.toml");
        Files.writeString(manifest, toml);
        return manifest;
    }

    private static BitSet waitForFinishedChunks(Path journal, Process p, int atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("the ensure ended (exit " + p.exitValue() + ") before it could be killed");
            }
            BitSet done = doneChunks(journal);
            if (done.cardinality() >= atLeast) {
                return done;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no journal with " + atLeast + " finished chunks in 60 s");
    }

    private static BitSet doneChunks(Path journal) {
        try {
            JsonNode j = new ObjectMapper().readTree(Files.readAllBytes(journal));
            List<Long> words = new ArrayList<>();
            j.path("done").forEach(n -> words.add(n.asLong()));
            return BitSet.valueOf(words.stream().mapToLong(Long::longValue).toArray());
        } catch (Exception e) {
            return new BitSet();
        }
    }

    private static int byStart(String a, String b) {
        return Long.compare(start(a), start(b));
    }

    private static long start(String range) {
        return Long.parseLong(range.substring("bytes=".length(), range.indexOf('-')));
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
