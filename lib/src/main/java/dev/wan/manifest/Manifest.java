package dev.wan.manifest;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A parsed, validated {@code models.toml}. Models keep the manifest's order. */
public record Manifest(Path file, int schemaVersion, Map<ModelId, ModelSpec> models, List<ManifestProblem> warnings) {
    public static final int SCHEMA_VERSION = 1;

    public Manifest {
        models = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(models));
        warnings = List.copyOf(warnings);
    }

    /** Looks a model up by id text; MODEL_NOT_FOUND lists the available ids. */
    public ModelSpec model(String id) {
        if (!ModelId.isValid(id)) {
            throw new WanException(ErrorCode.INVALID_MODEL_ID,
                    "'" + id + "' is not a model id (expected name@x.y.z)",
                    "available models: " + idList());
        }
        ModelSpec spec = models.get(ModelId.parse(id));
        if (spec == null) {
            throw new WanException(ErrorCode.MODEL_NOT_FOUND,
                    "model " + id + " is not in manifest " + file,
                    "available models: " + idList());
        }
        return spec;
    }

    private String idList() {
        return models.isEmpty() ? "(none)" : String.join(", ", models.keySet().stream().map(ModelId::toString).toList());
    }
}
