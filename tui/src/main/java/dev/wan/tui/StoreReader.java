package dev.wan.tui;

import dev.wan.WanException;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.ensure.ModelStatus;
import dev.wan.manifest.ModelSpec;
import dev.wan.manifest.SourceRef;
import dev.wan.store.DiskUsage;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the store into a {@link StoreSnapshot}: status of every model (a stat per file, the state
 * files and a lock probe, no hashing) and inode-true disk usage. Runs on a worker thread; it sees
 * what other processes do (their locks, their staged bytes, the state they commit).
 */
final class StoreReader {
    private final ModelEnsurer ensurer;
    private final Clock clock;
    private final long quotaBytes;

    StoreReader(ModelEnsurer ensurer, Clock clock, long quotaBytes) {
        this.ensurer = ensurer;
        this.clock = clock;
        this.quotaBytes = quotaBytes;
    }

    StoreSnapshot read() {
        java.time.Instant started = clock.instant();
        List<StoreSnapshot.Row> rows = new ArrayList<>();
        StoreSnapshot.Disk disk = StoreSnapshot.Disk.UNKNOWN;
        try {
            Map<String, Long> diskBytes = new HashMap<>();
            try {
                DiskUsage.Report usage = DiskUsage.measure(ensurer.config().modelsRoot(), quotaBytes);
                usage.models().forEach(m -> diskBytes.put(m.model(), m.bytes()));
                disk = new StoreSnapshot.Disk(usage.bytes(), usage.freeBytes(), usage.quotaBytes());
            } catch (IOException e) {
                disk = new StoreSnapshot.Disk(0, -1, quotaBytes);
            }
            for (ModelSpec spec : ensurer.manifest().models().values()) {
                String id = spec.id().toString();
                ModelStatus status = ensurer.status(id);
                List<ModelStatus> variants = new ArrayList<>(List.of(status));
                for (String v : spec.variants()) {
                    if (!v.equals(status.variant())) {
                        variants.add(ensurer.status(id, v));
                    }
                }
                long staged = status.lockedBy() != null ? ensurer.bytesStaged(id) : 0;
                rows.add(new StoreSnapshot.Row(id, spec.description(), spec.variants(), spec.defaultVariant(),
                        spec.sources().stream().map(SourceRef::redacted).toList(), status,
                        diskBytes.getOrDefault(id, 0L), staged, variants));
            }
            return new StoreSnapshot(started, rows, disk, null);
        } catch (WanException e) {
            return new StoreSnapshot(started, List.of(), disk,
                    e.getMessage() + (e.hint() == null ? "" : " (" + e.hint() + ")"));
        }
    }
}
