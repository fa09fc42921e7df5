package dev.wan.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eight processes ensure the same model at the same moment. */
class ConcurrentEnsureTest {
    private static final int PROCESSES = 8;
    private static final long SIZE = 64L << 20;
    private static final String ID = "shared@1.0.0";

    @TempDir
    Path tmp;

    @Test
    void eightProcessesGetTheSamePathAndTheSourceIsReadOnce() throws Exception {
        Path source = tmp.resolve("source");
        String sha = Fixtures.randomFile(source.resolve("model.safetensors"), SIZE, 7);
        Path manifest = Fixtures.oneFileManifest(tmp, ID, "model.safetensors", SIZE, sha, source);
        Path root = tmp.resolve("root");
        Cli cli = Cli.java().env("MODELS_ROOT", root.toString()).env("WAN_MODELS_MANIFEST", manifest.toString());
        OpenCounter opens = OpenCounter.start(source);

        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < PROCESSES; i++) {
            processes.add(cli.start(tmp.resolve("out" + i), tmp.resolve("err" + i), "ensure", ID, "--json"));
        }
        Set<String> paths = new HashSet<>();
        long fetched = 0;
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < PROCESSES; i++) {
            assertTrue(processes.get(i).waitFor(3, TimeUnit.MINUTES));
            String out = Files.readString(tmp.resolve("out" + i));
            assertEquals(0, processes.get(i).exitValue(), out + Files.readString(tmp.resolve("err" + i)));
            JsonNode model = json.readTree(out).get("models").get(0);
            paths.add(model.get("path").asText());
            fetched += model.get("bytesFetched").asLong();
        }
        int sourceOpens = opens.stop();

        assertEquals(Set.of(root.resolve("wan22").resolve(ID).toString()), paths);
        assertEquals(SIZE, fetched, "all processes together fetched the model exactly once");
        if (sourceOpens >= 0) {
            assertEquals(1, sourceOpens, "inotify saw the source file opened this many times");
        }
        assertEquals(sha, Fixtures.sha256(root.resolve("wan22").resolve(ID).resolve("model.safetensors")));
        try (Stream<Path> left = Files.list(root.resolve(".tmp"))) {
            assertEquals(List.of(), left.toList(), "nothing may be left in .tmp");
        }
    }

    /**
     * An independent witness of how often the source file is opened: inotifywait (Debian package
     * inotify-tools, installed by .ci/run). Returns -1 from {@link #stop()} when it is not installed.
     */
    static final class OpenCounter {
        private final Process process;
        private final AtomicInteger opens = new AtomicInteger();
        private final Thread reader;

        private OpenCounter(Process process) throws java.io.IOException {
            this.process = process;
            if (process == null) {
                reader = null;
                return;
            }
            BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = err.readLine()) != null && !line.contains("Watches established")) {
                // wait until the watch is active
            }
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            reader = new Thread(() -> out.lines().filter(l -> l.contains("OPEN")).forEach(l -> opens.incrementAndGet()));
            reader.start();
        }

        static OpenCounter start(Path dir) throws java.io.IOException {
            boolean present = Stream.of(System.getenv("PATH").split(":"))
                    .anyMatch(p -> Files.isExecutable(Path.of(p, "inotifywait")));
            if (!present) {
                System.out.println("inotifywait not installed: counting source reads from wan's own report only");
                return new OpenCounter(null);
            }
            return new OpenCounter(new ProcessBuilder("inotifywait", "-m", "-r", "-e", "open", dir.toString()).start());
        }

        int stop() throws InterruptedException {
            if (process == null) {
                return -1;
            }
            Thread.sleep(200); // let the last events arrive
            process.destroy();
            reader.join(5000);
            return opens.get();
        }
    }
}
