package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.ensure.Fixtures;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.gc.GarbageCollector;
import dev.wan.gc.GcPolicy;
import dev.wan.gc.GcResult;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics after a scripted sequence through the public API (two ensures, one of them
 * deduplicating a file, one failing ensure, one gc), checked to the exact counter values in the
 * text the client library writes; then that text through {@code promtool check metrics}.
 */
class ServeMetricsTest {
    private static final String T2V = "t2v-A14B@2.2.0";
    private static final String I2V = "i2v-A14B@2.2.0";
    private static final String TI2V = "ti2v-5B@2.2.0";

    @TempDir
    Path root;

    @TempDir
    Path work;

    /** What a scrape wrote after the sequence, and what gc said it reclaimed. */
    private record Scraped(String text, long gcReclaimed) {
    }

    /** Runs the sequence with a fresh registry listening; returns what a scrape then writes. */
    private Scraped scriptedSequence() throws Exception {
        byte[] encoder = Fixtures.bytes(1000, 1);
        Path srcA = work.resolve("a");
        Path srcB = work.resolve("b");
        Path srcC = work.resolve("c");
        var a = new Fixtures.TestModel(T2V).file("umt5.pth", encoder).file("a.bin", Fixtures.bytes(500, 2))
                .sources(srcA.toUri().toString());
        var b = new Fixtures.TestModel(I2V).file("umt5.pth", encoder).file("b.bin", Fixtures.bytes(300, 3))
                .sources(srcB.toUri().toString());
        var c = new Fixtures.TestModel(TI2V).file("c.bin", Fixtures.bytes(200, 4))
                .sources(srcC.toUri().toString());
        a.writeTo(srcA);
        b.writeTo(srcB);
        Fixtures.write(srcC.resolve("c.bin"), Fixtures.bytes(200, 99)); // right size, wrong bytes
        Path manifest = work.resolve("models.toml");
        Fixtures.writeManifest(manifest, a, b, c);

        ModelEnsurer ensurer = Fixtures.ensurer(root, manifest, work);
        ServeMetrics metrics = new ServeMetrics(() -> ensurer);
        ensurer.addListener(metrics.listener());
        ensurer.ensure(T2V);
        ensurer.ensure(I2V); // its umt5.pth is linked to t2v's copy: no fetch
        WanException failed = assertThrows(WanException.class, () -> ensurer.ensure(TI2V));
        assertEquals(ErrorCode.CHECKSUM_FAIL, failed.code(), failed.getMessage());
        GarbageCollector gc = GarbageCollector.create(ensurer.config(), Clock.systemUTC(),
                GcPolicy.of(null, Duration.ZERO, null)).addListener(metrics.listener());
        assertTrue(gc.pinModel(I2V));
        GcResult r = gc.collect(false);
        assertEquals(List.of(T2V), r.deleted().stream().map(d -> d.model()).toList());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String type = metrics.scrape(null, out);
        assertEquals("text/plain; version=0.0.4; charset=utf-8", type);
        return new Scraped(out.toString(StandardCharsets.UTF_8), r.bytesReclaimed());
    }

    @Test
    void countsTheScriptedSequenceExactly() throws Exception {
        Scraped s = scriptedSequence();
        String text = s.text();
        // t2v's a.bin and its directory's own bytes; its umt5.pth is still linked from i2v: frees nothing
        assertTrue(s.gcReclaimed() >= 500 && s.gcReclaimed() < 1500, "gc reclaimed " + s.gcReclaimed());
        List<String> lines = Arrays.asList(text.split("\n"));
        String[] expected = {
            "model_downloads_total{model=\"i2v-A14B@2.2.0\",status=\"success\"} 1.0",
            "model_downloads_total{model=\"t2v-A14B@2.2.0\",status=\"success\"} 1.0",
            "model_downloads_total{model=\"ti2v-5B@2.2.0\",status=\"failure\"} 1.0",
            "model_download_duration_seconds_count 2",
            // t2v: 1000 + 500 copied; i2v: only b.bin (300), umt5.pth was linked
            "model_download_bytes_total{model=\"i2v-A14B@2.2.0\",source=\"file\"} 300.0",
            "model_download_bytes_total{model=\"t2v-A14B@2.2.0\",source=\"file\"} 1500.0",
            "model_errors_total{model=\"ti2v-5B@2.2.0\",type=\"CHECKSUM_FAIL\"} 1.0",
            "model_integrity_failures_total{model=\"ti2v-5B@2.2.0\"} 1.0",
            "model_dedup_saved_bytes_total 1000.0",
            "model_gc_runs_total 1.0",
            "model_gc_removed_models_total 1.0",
            "model_gc_reclaimed_bytes_total " + s.gcReclaimed() + ".0",
            // a file per source tried: 2 + 1 (the linked one asks no source) + 1
            "model_source_requests_total{source=\"file\"} 4.0",
            "model_source_failovers_total{source=\"file\"} 1.0",
            "models_by_state{state=\"COMPLETE\"} 1.0",
            "models_by_state{state=\"NOT_PRESENT\"} 2.0",
            "models_by_state{state=\"CORRUPT\"} 0.0",
            "model_storage_bytes_used{family=\"i2v\"} 1300.0",
            "model_storage_bytes_used{family=\"t2v\"} 0.0",
            "model_storage_bytes_used{family=\"ti2v\"} 0.0",
        };
        List<String> missing = new ArrayList<>();
        for (String e : expected) {
            if (!lines.contains(e)) {
                missing.add(e);
            }
        }
        assertEquals(List.of(), missing, "exposition:\n" + text);
        assertFalse(text.contains("model_source_retries_total{"), "no retries happened:\n" + text);
        assertFalse(text.contains(work.toString()), "a source path leaked into a label:\n" + text);
    }

    /** The real output passes Prometheus' own linter ({@code promtool} from the Debian package prometheus). */
    @Test
    void promtoolAcceptsTheOutput() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        Assumptions.assumeTrue(promtool.toFile().canExecute(),
                "SKIPPED: promtool is not installed (Debian package prometheus; .ci/run installs it)");
        String text = scriptedSequence().text();
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish in 60 s");
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + said + "\non:\n" + text);
        assertEquals("", said.strip(), "promtool's lint findings on:\n" + text);
    }
}
