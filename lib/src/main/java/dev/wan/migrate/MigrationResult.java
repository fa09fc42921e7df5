package dev.wan.migrate;

import dev.wan.WanException;
import dev.wan.ensure.ModelState;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code execute} did.
 *
 * @param resumed     an interrupted run's journal was found and continued
 * @param bytesCopied bytes written into the store (0 when everything was hardlinked)
 * @param bytesLinked bytes placed by hardlinks (legacy files, or copies already in the store)
 */
public record MigrationResult(MigrationPlan plan, List<ModelResult> models, boolean resumed, long bytesCopied,
                              long bytesLinked) {
    public MigrationResult {
        models = List.copyOf(models);
    }

    public boolean ok() {
        return models.stream().allMatch(ModelResult::ok);
    }

    /** One model variant: its state afterwards, or the error that stopped it (nothing of it was published). */
    public record ModelResult(String model, String variant, ModelState state, Path directory, int filesLinked,
                              int filesCopied, long bytesCopied, WanException error) {
        public boolean ok() {
            return error == null;
        }
    }
}
