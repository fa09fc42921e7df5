package dev.wan.internal.store;

import dev.wan.store.Check;
import dev.wan.store.Placement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The state file of one model, {@code .state/<id>.json}. Example:
 *
 * <pre>
 * {"schema":1,"model":"demo-a@1.0.0","variants":["fp16"],
 *  "files":{"config.json":{"size":120,"sha256":"…","check":"sha256","mtimeMillis":1764180000000,
 *           "verifiedAt":"2026-11-26T19:40:00Z","source":"local://demo-a@1.0.0","how":"copied"}},
 *  "completedAt":"2026-11-26T19:40:00Z","lastUsed":"2026-11-26T19:40:00Z","pinned":false}
 * </pre>
 *
 * The codec ({@code StateCodec}) spells {@link Check} and {@link Placement} by their {@code wire()}
 * names and times as ISO-8601 ({@link Instant#toString}).
 *
 * <p>It is a cache of verification results, never the truth about bytes: {@code status} trusts a file
 * only while its size and mtime still match what was recorded here.
 */
public record ModelRecord(int schema, String model, List<String> variants, Map<String, FileRecord> files,
                          Instant completedAt, Instant lastUsed, boolean pinned) {
    public static final int SCHEMA = 1;

    public ModelRecord {
        variants = variants == null ? List.of() : List.copyOf(variants);
        files = files == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(files));
    }

    public static ModelRecord empty(String model) {
        return new ModelRecord(SCHEMA, model, List.of(), Map.of(), null, null, false);
    }

    public ModelRecord withFiles(Map<String, FileRecord> newFiles) {
        return new ModelRecord(schema, model, variants, newFiles, completedAt, lastUsed, pinned);
    }

    public ModelRecord withPinned(boolean pin) {
        return new ModelRecord(schema, model, variants, files, completedAt, lastUsed, pin);
    }

    public ModelRecord completed(String variant, Instant at) {
        var vs = new java.util.ArrayList<>(variants);
        if (variant != null && !vs.contains(variant)) {
            vs.add(variant);
        }
        return new ModelRecord(schema, model, vs, files, at, at, pinned);
    }
}
