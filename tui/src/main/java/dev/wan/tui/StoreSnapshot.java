package dev.wan.tui;

import dev.wan.ensure.FileStatus;
import dev.wan.ensure.ModelState;
import dev.wan.ensure.ModelStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the store looked like at one instant: every model of the manifest with its status, and the
 * disk. Built off the GUI thread by {@link StoreReader}; immutable, so the GUI thread can keep it.
 *
 * @param at    when the read started: whatever changed after it may not be in this snapshot
 * @param error why the store could not be read (then {@code rows} is empty), or null
 */
record StoreSnapshot(Instant at, List<Row> rows, Disk disk, String error) {
    static final StoreSnapshot EMPTY = new StoreSnapshot(Instant.EPOCH, List.of(), Disk.UNKNOWN, null);

    StoreSnapshot {
        rows = List.copyOf(rows);
    }

    /**
     * One model. {@code status} is its default variant's; {@code variantStatus} has one status per
     * variant, the default first (just {@code status} for a model without variants).
     * {@code diskBytes} counts its directory's distinct inodes; {@code stagedBytes} what the
     * process holding its lock has fetched so far (0 when nobody is ensuring it).
     */
    record Row(String id, String description, List<String> variants, String defaultVariant, List<String> sources,
               ModelStatus status, long diskBytes, long stagedBytes, List<ModelStatus> variantStatus) {
        Row {
            variants = List.copyOf(variants);
            sources = List.copyOf(sources);
            variantStatus = List.copyOf(variantStatus);
        }

        /** A model whose default variant is all there is to show. */
        Row(String id, String description, List<String> variants, String defaultVariant, List<String> sources,
            ModelStatus status, long diskBytes, long stagedBytes) {
            this(id, description, variants, defaultVariant, sources, status, diskBytes, stagedBytes, List.of(status));
        }

        /** Every file of every variant, once: the default variant's first, then what the others add. */
        List<FileStatus> files() {
            Map<String, FileStatus> byPath = new LinkedHashMap<>();
            for (FileStatus f : status.files()) {
                byPath.putIfAbsent(f.path(), f);
            }
            for (ModelStatus v : variantStatus) {
                for (FileStatus f : v.files()) {
                    byPath.putIfAbsent(f.path(), f);
                }
            }
            return List.copyOf(byPath.values());
        }

        ModelState state() {
            return status.state();
        }

        boolean lockedBySomeone() {
            return status.lockedBy() != null;
        }

        /** The source that served most of the present bytes, as recorded in the state file. */
        String servedBy() {
            Map<String, Long> bytes = new TreeMap<>();
            for (FileStatus f : status.files()) {
                if (f.source() != null && f.state() != dev.wan.ensure.FileState.MISSING) {
                    bytes.merge(f.source(), f.size(), Long::sum);
                }
            }
            return bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        }

        /** The upstream revision (a Hub commit, after '@' in a recorded hf:// source), or null. */
        String revision() {
            String served = servedBy();
            if (served == null || !served.startsWith("hf://")) {
                return null;
            }
            int at = served.lastIndexOf('@');
            return at < 0 ? null : served.substring(at + 1);
        }
    }

    /**
     * @param storeBytes distinct bytes of all model directories
     * @param freeBytes  usable space on the filesystem of MODELS_ROOT, -1 unknown
     * @param quotaBytes WAN_MAX_TOTAL_SIZE, -1 when unset
     */
    record Disk(long storeBytes, long freeBytes, long quotaBytes) {
        static final Disk UNKNOWN = new Disk(0, -1, -1);
    }

    Row row(String id) {
        for (Row r : rows) {
            if (Objects.equals(r.id(), id)) {
                return r;
            }
        }
        return null;
    }
}
