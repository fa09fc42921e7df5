package dev.wan.store;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.wan.manifest.ModelId;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;

/**
 * Reads and writes {@code .state/<id>.json}. Writes are atomic (temp file, fsync, rename), so a
 * reader sees the previous or the next state, never half of one. A state file that cannot be
 * parsed is treated as absent: every file is then re-verified, which is slow but never wrong.
 */
public final class StateStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private final StoreLayout layout;

    public StateStore(StoreLayout layout) {
        this.layout = layout;
    }

    public Optional<ModelRecord> read(ModelId id) {
        try {
            byte[] bytes = Files.readAllBytes(layout.stateFile(id));
            ModelRecord record = JSON.readValue(bytes, ModelRecord.class);
            return Optional.ofNullable(record); // a file holding just "null" is garbage too
        } catch (IOException e) {
            return Optional.empty(); // absent or unparseable: re-verifying is slow but never wrong
        }
    }

    public ModelRecord readOrEmpty(ModelId id) {
        return read(id).orElseGet(() -> ModelRecord.empty(id.toString()));
    }

    public void write(ModelRecord record) {
        ModelId id = ModelId.parse(record.model());
        try {
            StoreLayout.createDirectories(layout.stateDir());
            Fs.writeAtomically(layout.stateFile(id), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
        } catch (IOException e) {
            throw Fs.map(e, "cannot write state of " + id);
        }
    }

    /**
     * Records a use of the model (ensure, get_wan_paths) by touching {@code .state/<id>.used}: one
     * utimes call, no JSON rewrite and no fsync, so even the already-complete fast path can afford
     * it. Best effort: a read-only store simply keeps its older last-use time.
     */
    public void markUsed(ModelId id, java.time.Instant at) {
        java.nio.file.Path marker = layout.usedMarker(id);
        try {
            try {
                Files.setLastModifiedTime(marker, java.nio.file.attribute.FileTime.from(at));
            } catch (java.nio.file.NoSuchFileException e) {
                Files.createDirectories(marker.getParent());
                Files.write(marker, new byte[0]);
                Files.setLastModifiedTime(marker, java.nio.file.attribute.FileTime.from(at));
            }
        } catch (IOException ignored) {
            // not being able to note a use must never fail the use
        }
    }

    /** The last use of a model: the later of the state's lastUsed and the marker's mtime; null if neither. */
    public java.time.Instant lastUsed(ModelId id, ModelRecord record) {
        java.time.Instant fromRecord = null;
        if (record != null && record.lastUsed() != null) {
            try {
                fromRecord = java.time.Instant.parse(record.lastUsed());
            } catch (java.time.format.DateTimeParseException ignored) {
                // a hand-edited state: the marker may still tell
            }
        }
        java.time.Instant fromMarker = null;
        try {
            fromMarker = Files.getLastModifiedTime(layout.usedMarker(id)).toInstant();
        } catch (IOException ignored) {
            // never used since the marker was introduced
        }
        if (fromRecord == null) {
            return fromMarker;
        }
        return fromMarker != null && fromMarker.isAfter(fromRecord) ? fromMarker : fromRecord;
    }
}
