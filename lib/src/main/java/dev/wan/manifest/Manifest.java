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

    /** Looks a model up by id text ({@link #canonicalId}); MODEL_NOT_FOUND lists the available ids. */
    public ModelSpec model(String id) {
        return models.get(canonicalId(id));
    }

    /**
     * The model an id names: {@code name@x.y.z}, or a bare {@code name} when the manifest has
     * exactly one version of it (with several, INVALID_MODEL_ID names them). The CLI says which id
     * a bare name stood for.
     */
    public ModelId canonicalId(String id) {
        if (!ModelId.isValid(id)) {
            List<ModelId> versions = id == null ? List.of()
                    : models.keySet().stream().filter(m -> m.name().equals(id)).toList();
            if (versions.size() == 1) {
                return versions.get(0);
            }
            if (versions.size() > 1) {
                throw new WanException(ErrorCode.INVALID_MODEL_ID, "'" + id + "' names " + versions.size()
                        + " versions in manifest " + file + ": " + join(versions),
                        "name one of them as name@x.y.z");
            }
            if (id != null && ModelId.isValid(id + "@0.0.0")) {
                // a well-formed bare name that no model has: unknown, like an unknown name@x.y.z
                throw new WanException(ErrorCode.MODEL_NOT_FOUND, "no model named '" + id + "' in manifest " + file,
                        "available models: " + idList());
            }
            throw new WanException(ErrorCode.INVALID_MODEL_ID,
                    "'" + id + "' is not a model id (expected name@x.y.z)",
                    "available models: " + idList());
        }
        ModelId parsed = ModelId.parse(id);
        if (!models.containsKey(parsed)) {
            throw new WanException(ErrorCode.MODEL_NOT_FOUND,
                    "model " + id + " is not in manifest " + file,
                    "available models: " + idList());
        }
        return parsed;
    }

    private static String join(List<ModelId> ids) {
        return String.join(", ", ids.stream().map(ModelId::toString).toList());
    }

    private String idList() {
        return models.isEmpty() ? "(none)" : join(List.copyOf(models.keySet()));
    }
}
