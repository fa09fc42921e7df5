package dev.wan.tui;

import dev.wan.ensure.FileState;
import dev.wan.ensure.FileStatus;
import dev.wan.ensure.ModelState;
import dev.wan.ensure.ModelStatus;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Store snapshots for tests, without a store. */
final class Rows {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    private Rows() {
    }

    static StoreSnapshot.Row row(String id, ModelState state, long needed, String... variants) {
        return row(id, state, needed, false, null, variants);
    }

    static StoreSnapshot.Row row(String id, ModelState state, long needed, boolean pinned, String lockedBy,
                                 String... variants) {
        FileState fs = state == ModelState.COMPLETE ? FileState.OK : FileState.MISSING;
        List<FileStatus> files = List.of(
                new FileStatus("model_index.json", 89, fs, false, null, state == ModelState.COMPLETE
                        ? Instant.parse("2026-11-26T11:00:00Z") : null,
                        state == ModelState.COMPLETE ? "local://" + id : null, null),
                new FileStatus("vae/diffusion_pytorch_model.safetensors", 786_432, fs, false, "vae", null,
                        state == ModelState.COMPLETE ? "local://" + id : null, null));
        ModelStatus status = new ModelStatus(id, variants.length == 0 ? null : variants[0], state, 786_521, needed,
                Path.of("/store/wan22/" + id), pinned,
                state == ModelState.COMPLETE ? Instant.parse("2026-11-26T11:55:00Z") : null, lockedBy, files);
        return new StoreSnapshot.Row(id, "demo " + id, List.of(variants), variants.length == 0 ? null : variants[0],
                List.of("local://" + id, "hf://org/" + id.substring(0, id.indexOf('@'))), status,
                state == ModelState.COMPLETE ? 786_521 : 0, 0);
    }

    static StoreSnapshot snapshot(StoreSnapshot.Row... rows) {
        return new StoreSnapshot(NOW, List.of(rows), new StoreSnapshot.Disk(786_521, 50L << 30, -1), null);
    }
}
