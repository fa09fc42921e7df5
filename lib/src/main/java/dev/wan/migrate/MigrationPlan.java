package dev.wan.migrate;

import dev.wan.ensure.ModelState;
import java.util.List;

/**
 * What {@code execute} would do: per model variant, each file hardlinked or copied, bytes, and the
 * state the model ends in (COMPLETE, or PARTIAL when the legacy tree lacks files: a later
 * {@code wan ensure} downloads those).
 *
 * @param sameFilesystem the legacy tree and MODELS_ROOT are on one filesystem (hardlinks possible)
 * @param notes          things to know before executing (e.g. hardlinked legacy files become read-only)
 */
public record MigrationPlan(Analysis analysis, boolean copy, boolean sameFilesystem, List<ModelPlan> models,
                            List<String> notes) {
    public MigrationPlan {
        models = List.copyOf(models);
        notes = List.copyOf(notes);
    }

    public long bytesToCopy() {
        return models.stream().mapToLong(ModelPlan::bytesToCopy).sum();
    }

    public long bytesLinked() {
        return models.stream().mapToLong(ModelPlan::bytesLinked).sum();
    }

    /** What happens to one file. */
    public enum Action {
        /** Hardlinked into the store (zero bytes copied), then hashed. */
        LINK("hardlink"),
        /** Copied into the store, hashed on the way. */
        COPY("copy"),
        /** Already verified in the store: nothing to do. */
        PRESENT("present");

        private final String label;

        Action(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One manifest file of a model variant and where it comes from. */
    public record Step(String path, Action action, long size, Analysis.MatchedBy matchedBy, String legacyPath) {
    }

    /**
     * One model variant. {@code before}/{@code after}: its state now and after execute;
     * {@code missing}: required files the legacy tree does not have (they stay missing).
     */
    public record ModelPlan(String model, String variant, ModelState before, ModelState after, List<Step> steps,
                            List<String> missing, long bytesToCopy, long bytesLinked, long bytesMissing) {
        public ModelPlan {
            steps = List.copyOf(steps);
            missing = List.copyOf(missing);
        }
    }
}
