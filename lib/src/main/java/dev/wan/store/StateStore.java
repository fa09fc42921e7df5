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
}
