package dev.wan.cli;

import dev.wan.WanException;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelState;
import dev.wan.ensure.ModelStatus;
import dev.wan.event.EventListener;
import dev.wan.event.WanEvent;
import dev.wan.manifest.ModelId;
import dev.wan.store.DiskUsage;
import dev.wan.store.Placement;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The Prometheus metrics of {@code wan serve}, kept by the Prometheus Java client library.
 *
 * <p>Two kinds. Counters and the histogram hear the event stream ({@link #listener()}): they count
 * what this process did (ensures, gc runs, ... it ran or was handed the events of), never what
 * another {@code wan} process did to the same store. Gauges are read from the store at scrape
 * time, as {@code wan status} and {@code wan disk-usage} read it (stats only, no lock), so they are true
 * whoever changed the store.
 *
 * <p>Labels are bounded: {@code model} is a manifest id (events carry the manifest's ids),
 * {@code family} a family of the manifest's models (anything else on disk is {@code (other)}),
 * {@code source} a scheme and host ({@link SourceLabel}), {@code type} and {@code state} enum names.
 */
final class ServeMetrics {
    /** Seconds: an ensure takes from a second (a few small files) to hours (tens of GB). */
    static final double[] DURATION_BUCKETS = {1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400};
    /** The family label of bytes in model directories the manifest does not declare. */
    static final String OTHER_FAMILY = "(other)";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final Supplier<ModelEnsurer> store;
    private final Counter downloads;
    private final Histogram duration;
    private final Counter downloadBytes;
    private final Counter errors;
    private final Counter lockWaits;
    private final Counter lockTimeouts;
    private final Counter integrity;
    private final Counter gcRuns;
    private final Counter gcBytes;
    private final Counter gcModels;
    private final Counter dedupBytes;
    private final Counter requests;
    private final Counter retries;
    private final Counter failovers;
    /** What the last scrape read from the store; the gauges' callbacks report it. */
    private volatile StoreReading reading = StoreReading.NONE;

    /** The store gauges of one scrape: models per state, bytes per family; empty when the store cannot be read. */
    private record StoreReading(Map<ModelState, Integer> byState, Map<String, Long> bytesByFamily) {
        static final StoreReading NONE = new StoreReading(Map.of(), Map.of());
    }

    /**
     * @param store       the ensurer whose store and manifest the gauges read (serve: the manifest watch's current one)
     */
    ServeMetrics(Supplier<ModelEnsurer> store) {
        this.store = store;
        downloads = counter("model_downloads", "Ensures that had work to do, by outcome (success, failure).",
                "model", "status");
        duration = Histogram.builder().name("model_download_duration_seconds")
                .help("Wall time of successful ensures that had work to do.")
                .classicOnly().classicUpperBounds(DURATION_BUCKETS).withoutExemplars().register(registry);
        downloadBytes = counter("model_download_bytes", "Bytes of files fetched or copied from a source"
                + " (a resumed file counts whole; links and dedup count nothing).", "model", "source");
        errors = counter("model_errors", "Failed ensures, by error code.", "type", "model");
        lockWaits = counter("model_lock_waits", "Times an ensure found the model locked and waited.", "model");
        lockTimeouts = counter("model_lock_timeouts", "Times an operation gave up on a model another holder kept"
                + " locked.", "model");
        integrity = counter("model_integrity_failures", "Files whose bytes did not match the expected sha256 or"
                + " size (fetched, or re-hashed by a verify).", "model");
        gcRuns = counter("model_gc_runs", "Garbage collections run (dry runs not counted).");
        gcBytes = counter("model_gc_reclaimed_bytes", "Bytes garbage collection freed.");
        gcModels = counter("model_gc_removed_models", "Model directories garbage collection removed.");
        dedupBytes = counter("model_dedup_saved_bytes", "Bytes an ensure hardlinked from a copy already in the"
                + " store instead of fetching and storing them again.");
        requests = counter("model_source_requests", "Files asked of a source (once per file and source tried).",
                "source");
        retries = counter("model_source_retries", "Failed reads from a source that were tried again.", "source");
        failovers = counter("model_source_failovers", "Files a source could not serve, so the next one was tried"
                + " (or the file failed).", "source");
        GaugeWithCallback.builder().name("models_by_state")
                .help("Models of the manifest (default variant) per state, read from the store at scrape time.")
                .labelNames("state")
                .callback(cb -> reading.byState().forEach((s, n) -> cb.call(n, s.name())))
                .register(registry);
        GaugeWithCallback.builder().name("model_storage_bytes_used")
                .help("Bytes the model directories take on disk per family (each inode once), read at scrape time.")
                .labelNames("family")
                .callback(cb -> reading.bytesByFamily().forEach((f, b) -> cb.call(b, f)))
                .register(registry);
    }

    private Counter counter(String name, String help, String... labels) {
        return Counter.builder().name(name).help(help).labelNames(labels).withoutExemplars().register(registry);
    }

    /** What to add to every ensurer, collector or pin set whose work these metrics count. */
    EventListener listener() {
        return this::on;
    }

    private void on(WanEvent event) {
        if (event instanceof WanEvent.EnsureFinished e) {
            downloads.labelValues(id(e.model()), "success").inc();
            duration.observe(e.millis() / 1000.0);
        } else if (event instanceof WanEvent.EnsureFailed e) {
            downloads.labelValues(id(e.model()), "failure").inc();
            errors.labelValues(e.code().name(), id(e.model())).inc();
        } else if (event instanceof WanEvent.FileCompleted e
                && (e.how() == Placement.DOWNLOADED || e.how() == Placement.COPIED)) {
            downloadBytes.labelValues(id(e.model()), SourceLabel.of(e.source())).inc(e.size());
        } else if (event instanceof WanEvent.LockWaiting e) {
            lockWaits.labelValues(id(e.model())).inc();
        } else if (event instanceof WanEvent.LockTimedOut e) {
            lockTimeouts.labelValues(id(e.model())).inc();
        } else if (event instanceof WanEvent.IntegrityFailed e) {
            integrity.labelValues(id(e.model())).inc();
        } else if (event instanceof WanEvent.GcFinished e) {
            gcRuns.inc();
            gcBytes.inc(e.bytesReclaimed());
            gcModels.inc(e.modelsRemoved());
        } else if (event instanceof WanEvent.Deduplicated e) {
            dedupBytes.inc(e.bytes());
        } else if (event instanceof WanEvent.SourceRequested e) {
            requests.labelValues(SourceLabel.of(e.source())).inc();
        } else if (event instanceof WanEvent.Retried e) {
            retries.labelValues(SourceLabel.of(e.source())).inc();
        } else if (event instanceof WanEvent.SourceFailed e && !e.source().startsWith("(")) {
            failovers.labelValues(SourceLabel.of(e.source())).inc(); // "(all)", "(in place)": no source to fail over from
        }
    }

    private static String id(ModelId model) {
        return model == null ? "" : model.toString();
    }

    /**
     * Reads the store, then writes every metric in the format {@code accept} asks for (the library's
     * negotiation: OpenMetrics when asked, else the text format 0.0.4). Returns the content type.
     */
    synchronized String scrape(String accept, OutputStream out) throws IOException {
        reading = readStore();
        ExpositionFormatWriter writer = formats.findWriter(accept);
        if (!writer.isAvailable()) { // protobuf asked for: its writer is not on the class path
            writer = formats.getPrometheusTextFormatWriter();
        }
        writer.write(out, registry.scrape());
        return writer.getContentType();
    }

    private StoreReading readStore() {
        ModelEnsurer ensurer;
        try {
            ensurer = store.get();
        } catch (WanException e) {
            return StoreReading.NONE;
        }
        Map<ModelState, Integer> byState = new EnumMap<>(ModelState.class);
        for (ModelState s : ModelState.values()) {
            byState.put(s, 0); // every state present: an alert on COMPLETE < 3 needs a 0, not a gap
        }
        try {
            List<ModelStatus> statuses = ensurer.statusAll();
            statuses.forEach(s -> byState.merge(s.state(), 1, Integer::sum));
        } catch (WanException e) {
            return StoreReading.NONE; // the store cannot be read: no gauges rather than wrong ones
        }
        Set<String> families = ensurer.manifest().models().keySet().stream()
                .map(id -> DiskUsage.family(id.toString())).collect(Collectors.toSet());
        Map<String, Long> bytes = new TreeMap<>();
        families.forEach(f -> bytes.put(f, 0L));
        try {
            for (DiskUsage.Family f : DiskUsage.measure(ensurer.config().modelsRoot(), -1).families()) {
                bytes.merge(families.contains(f.family()) ? f.family() : OTHER_FAMILY, f.bytes(), Long::sum);
            }
        } catch (IOException | WanException e) {
            return new StoreReading(byState, Map.of());
        }
        return new StoreReading(byState, bytes);
    }
}
