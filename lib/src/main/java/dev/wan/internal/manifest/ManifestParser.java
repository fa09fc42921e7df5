package dev.wan.internal.manifest;

import dev.wan.ErrorCode;
import dev.wan.manifest.FileSpec;
import dev.wan.manifest.Manifest;
import dev.wan.manifest.ManifestProblem.Severity;
import dev.wan.manifest.ManifestProblem;
import dev.wan.manifest.ModelId;
import dev.wan.manifest.ModelSpec;
import dev.wan.manifest.SourceRef;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Turns a parsed TOML document into a {@link Manifest}, collecting every problem (with its line)
 * instead of stopping at the first: a user fixing a manifest wants the whole list at once.
 */
public final class ManifestParser {
    private static final Pattern SHA256 = Pattern.compile("^[0-9a-fA-F]{64}$");
    private static final Set<String> TOP_KEYS = Set.of("schema_version", "models");
    private static final Set<String> MODEL_KEYS = Set.of("description", "version", "variants", "default_variant",
            "resolution_caps", "optional_components", "required_components", "lora_required", "allow_patterns",
            "files", "sources");
    private static final Set<String> FILE_KEYS = Set.of("path", "size", "sha256", "optional", "component", "variant");
    private static final Set<String> SOURCE_KEYS = Set.of("priority", "allow_patterns");

    private final Path file;
    private final Set<String> knownSchemes;
    private final List<ManifestProblem> problems = new ArrayList<>();
    /** Unknown keys in [[files]] entries of the model being parsed: one warning per key, not per entry. */
    private final Map<String, List<TomlPosition>> unknownFileKeys = new LinkedHashMap<>();
    private int errors;

    public ManifestParser(Path file, Set<String> knownSchemes) {
        this.file = file;
        this.knownSchemes = knownSchemes;
    }

    public List<ManifestProblem> problems() {
        return problems;
    }

    /** Returns the manifest, or null when any ERROR was found (all of them are in {@link #problems()}). */
    public Manifest parse(TomlParseResult toml) {
        toml.errors().forEach(e -> error(ErrorCode.MANIFEST_VALIDATION_ERROR, e.position(),
                "TOML syntax: " + e.getMessage()));
        if (toml.hasErrors()) {
            return null;
        }
        for (String key : toml.keySet()) {
            if (!TOP_KEYS.contains(key)) {
                warn(toml.inputPositionOf(List.of(key)), "unknown top-level key '" + key + "' is ignored");
            }
        }
        if (!checkSchemaVersion(toml)) {
            return null;
        }
        Map<ModelId, ModelSpec> models = new LinkedHashMap<>();
        Object modelsValue = toml.get(List.of("models"));
        if (modelsValue == null) {
            warn(TomlPosition.positionAt(1, 1), "no [models.\"name@x.y.z\"] tables: the manifest declares no models");
        } else if (!(modelsValue instanceof TomlTable modelsTable)) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, toml.inputPositionOf(List.of("models")), "'models' must be a table");
        } else {
            for (String id : modelsTable.keySet()) {
                ModelSpec spec = parseModel(modelsTable, id);
                if (spec != null) {
                    models.put(spec.id(), spec);
                }
            }
        }
        if (errors > 0) {
            return null;
        }
        return new Manifest(file, Manifest.SCHEMA_VERSION, models,
                problems.stream().filter(p -> !p.isError()).toList());
    }

    private boolean checkSchemaVersion(TomlParseResult toml) {
        Object v = toml.get(List.of("schema_version"));
        if (v == null) {
            error(ErrorCode.SCHEMA_VERSION_MISMATCH, TomlPosition.positionAt(1, 1),
                    "missing schema_version: add 'schema_version = " + Manifest.SCHEMA_VERSION + "' as the first line");
            return false;
        }
        if (!(v instanceof Long n) || n != Manifest.SCHEMA_VERSION) {
            String guidance = v instanceof Long n && n > Manifest.SCHEMA_VERSION
                    ? "this manifest was written for a newer wan: upgrade wan, or ask its author for a schema_version 1 export"
                    : "this wan reads schema_version = 1 only: convert the manifest to the layout in the README"
                            + " (models.\"name@x.y.z\" tables with [[files]] and sources.priority) and set schema_version = 1";
            error(ErrorCode.SCHEMA_VERSION_MISMATCH, toml.inputPositionOf(List.of("schema_version")),
                    "unsupported schema_version " + v + ": " + guidance);
            return false;
        }
        return true;
    }

    private ModelSpec parseModel(TomlTable modelsTable, String idText) {
        TomlPosition at = modelsTable.inputPositionOf(List.of(idText));
        if (!ModelId.isValid(idText)) {
            error(ErrorCode.INVALID_MODEL_ID, at, "model id '" + idText
                    + "' must look like name@x.y.z (letters, digits, '-', '_' then @ and a semantic version), at most "
                    + ModelId.MAX_LENGTH + " characters");
            return null;
        }
        ModelId id = ModelId.parse(idText);
        if (!(modelsTable.get(List.of(idText)) instanceof TomlTable m)) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, at, "models.\"" + id + "\" must be a table");
            return null;
        }
        for (String key : m.keySet()) {
            if (!MODEL_KEYS.contains(key)) {
                warn(m.inputPositionOf(List.of(key)), "model " + id + ": unknown key '" + key + "' is ignored");
            }
        }
        String version = string(m, "version", id);
        if (version != null && !version.equals(id.version())) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, m.inputPositionOf(List.of("version")),
                    "model " + id + ": version \"" + version + "\" differs from the id's version " + id.version());
        }
        List<String> variants = strings(m, "variants", id);
        String defaultVariant = string(m, "default_variant", id);
        if (defaultVariant != null && !variants.contains(defaultVariant)) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, m.inputPositionOf(List.of("default_variant")),
                    "model " + id + ": default_variant \"" + defaultVariant + "\" is not one of variants "
                            + variants);
        } else if (defaultVariant == null && !variants.isEmpty()) {
            defaultVariant = variants.get(0);
            warn(at, "model " + id + ": no default_variant, using the first variant \"" + defaultVariant + "\"");
        }
        List<FileSpec> files = parseFiles(m, id, variants, at);
        TomlTable sourcesTable = m.get(List.of("sources")) instanceof TomlTable t ? t : null;
        List<SourceRef> sources = parseSources(m, sourcesTable, id, at);
        List<String> allow = new ArrayList<>(strings(m, "allow_patterns", id));
        if (sourcesTable != null) {
            allow.addAll(strings(sourcesTable, "allow_patterns", id));
        }
        for (String pattern : List.copyOf(allow)) {
            String problem = Glob.problem(pattern);
            if (problem != null) {
                error(ErrorCode.MANIFEST_VALIDATION_ERROR, positionOf(m, "allow_patterns", at), "model " + id
                        + ": allow_patterns entry '" + pattern + "' " + problem);
                allow.remove(pattern);
            }
        }
        Object lora = m.get(List.of("lora_required"));
        if (lora != null && !(lora instanceof Boolean)) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, m.inputPositionOf(List.of("lora_required")),
                    "model " + id + ": lora_required must be true or false");
        }
        if (!allow.isEmpty()) {
            List<java.util.function.Predicate<String>> matchers = allow.stream().map(Glob::matcher).toList();
            for (FileSpec f : files) {
                if (matchers.stream().noneMatch(glob -> glob.test(f.path()))) {
                    warn(at, "model " + id + ": file '" + f.path() + "' matches none of allow_patterns " + allow
                            + " and will not be fetched");
                }
            }
        }
        return new ModelSpec(id, orEmpty(string(m, "description", id)), id.version(), variants, defaultVariant,
                strings(m, "resolution_caps", id), strings(m, "optional_components", id),
                strings(m, "required_components", id), Boolean.TRUE.equals(lora), allow, files, sources);
    }

    private List<FileSpec> parseFiles(TomlTable m, ModelId id, List<String> variants, TomlPosition modelAt) {
        Object v = m.get(List.of("files"));
        if (v == null) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, modelAt,
                    "model " + id + " declares no [[models.\"" + id + "\".files]]");
            return List.of();
        }
        if (!(v instanceof TomlArray array)) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, m.inputPositionOf(List.of("files")),
                    "model " + id + ": files must be an array of tables");
            return List.of();
        }
        List<FileSpec> files = new ArrayList<>();
        Map<String, List<FileSpec>> byExactPath = new HashMap<>();
        Map<String, List<FileSpec>> byFoldedPath = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            if (!(array.get(i) instanceof TomlTable f)) {
                error(ErrorCode.MANIFEST_VALIDATION_ERROR, array.inputPositionOf(i),
                        "model " + id + ": files[" + i + "] must be a table");
                continue;
            }
            FileSpec spec = parseFile(f, id, variants, array.inputPositionOf(i));
            if (spec == null) {
                continue;
            }
            TomlPosition at = positionOf(f, "path", array.inputPositionOf(i));
            for (FileSpec other : byExactPath.getOrDefault(spec.path(), List.of())) {
                if (overlaps(other, spec)) {
                    error(ErrorCode.MANIFEST_VALIDATION_ERROR, at, "model " + id + ": duplicate path '"
                            + spec.path() + "'" + variantNote(spec));
                    break; // one error per repeated entry, however many copies came before it
                }
            }
            for (FileSpec other : byFoldedPath.getOrDefault(folded(spec.path()), List.of())) {
                if (!other.path().equals(spec.path()) && overlaps(other, spec)) {
                    boolean sameLetters = nfc(other.path()).equals(nfc(spec.path()));
                    error(ErrorCode.CASE_COLLISION_DETECTED, at, "model " + id + ": path '" + spec.path()
                            + "' differs from '" + other.path() + (sameLetters
                            ? "' only by Unicode normalization (composed vs decomposed accents): macOS filesystems"
                                    + " treat them as one name; keep one spelling (NFC)"
                            : "' only by letter case: they would overwrite each other on macOS/Windows filesystems"));
                    break;
                }
            }
            byExactPath.computeIfAbsent(spec.path(), k -> new ArrayList<>()).add(spec);
            byFoldedPath.computeIfAbsent(folded(spec.path()), k -> new ArrayList<>()).add(spec);
            files.add(spec);
        }
        checkFileUnderFile(files, id, m);
        unknownFileKeys.forEach((key, at) -> warn(at.get(0), "model " + id + ": unknown file key '" + key
                + "' is ignored" + (at.size() > 1 ? " (in " + at.size() + " entries)" : "")));
        unknownFileKeys.clear();
        return files;
    }

    /** 'a' and 'a/b' cannot both be files. */
    private void checkFileUnderFile(List<FileSpec> files, ModelId id, TomlTable m) {
        Set<String> paths = new java.util.HashSet<>();
        files.forEach(f -> paths.add(f.path()));
        for (FileSpec f : files) {
            int slash = f.path().lastIndexOf('/');
            while (slash > 0) {
                String dir = f.path().substring(0, slash);
                if (paths.contains(dir)) {
                    error(ErrorCode.MANIFEST_VALIDATION_ERROR, m.inputPositionOf(List.of("files")),
                            "model " + id + ": '" + dir + "' is declared as a file but '" + f.path()
                                    + "' needs it to be a directory");
                }
                slash = dir.lastIndexOf('/');
            }
        }
    }

    private FileSpec parseFile(TomlTable f, ModelId id, List<String> variants, TomlPosition entry) {
        for (String key : f.keySet()) {
            if (!FILE_KEYS.contains(key)) {
                unknownFileKeys.computeIfAbsent(key, k -> new ArrayList<>()).add(f.inputPositionOf(List.of(key)));
            }
        }
        int errorsBefore = errorCount();
        String path = f.get(List.of("path")) instanceof String s ? s : null;
        if (path == null) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, entry, "model " + id + ": file entry without a string 'path'");
        } else {
            checkPath(path, id, positionOf(f, "path", entry));
        }
        Object size = f.get(List.of("size"));
        if (!(size instanceof Long)) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, positionOf(f, "size", entry),
                    "model " + id + ": file '" + path + "' needs an integer 'size' in bytes");
        } else if ((Long) size < 0) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, positionOf(f, "size", entry),
                    "model " + id + ": file '" + path + "' has negative size " + size);
        }
        Object sha = f.get(List.of("sha256"));
        if (sha != null && !(sha instanceof String s && SHA256.matcher(s).matches())) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, positionOf(f, "sha256", entry), "model " + id + ": file '"
                    + path + "' has a malformed sha256 (expected 64 hex digits): " + sha);
        }
        Object optional = f.get(List.of("optional"));
        if (optional != null && !(optional instanceof Boolean)) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, positionOf(f, "optional", entry),
                    "model " + id + ": file '" + path + "': optional must be true or false");
        }
        String variant = stringOrNull(f, "variant", id, entry);
        if (variant != null && !variants.contains(variant)) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, positionOf(f, "variant", entry), "model " + id + ": file '"
                    + path + "' has variant \"" + variant + "\" which is not one of variants " + variants);
        }
        String component = stringOrNull(f, "component", id, entry);
        if (errorCount() > errorsBefore) {
            return null;
        }
        return new FileSpec(path, (Long) size, sha == null ? null : ((String) sha).toLowerCase(Locale.ROOT),
                Boolean.TRUE.equals(optional), component, variant);
    }

    private void checkPath(String path, ModelId id, TomlPosition at) {
        ModelPaths.Problem p = ModelPaths.problem(path);
        if (p != null) {
            error(p.code(), at, "model " + id + ": file path '" + path + "' " + p.why());
        }
    }

    private List<SourceRef> parseSources(TomlTable m, TomlTable sources, ModelId id, TomlPosition modelAt) {
        if (sources == null) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, m.get(List.of("sources")) == null ? modelAt
                    : m.inputPositionOf(List.of("sources")), "model " + id
                    + " needs a [models.\"" + id + "\".sources] table with a non-empty priority list");
            return List.of();
        }
        for (String key : sources.keySet()) {
            if (!SOURCE_KEYS.contains(key)) {
                warn(sources.inputPositionOf(List.of(key)), "model " + id + ": unknown sources key '" + key
                        + "' is ignored");
            }
        }
        TomlPosition at = positionOf(sources, "priority", modelAt);
        List<String> uris = strings(sources, "priority", id);
        if (uris.isEmpty()) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, at, "model " + id
                    + ": sources.priority is empty or missing: list at least one source, e.g. \"local://wan22/" + id + "\"");
        }
        List<SourceRef> refs = new ArrayList<>();
        for (String uri : uris) {
            SourceRef ref = new SourceRef(uri);
            String problem = SourceUris.problem(ref, knownSchemes);
            if (problem != null) {
                error(ErrorCode.MANIFEST_VALIDATION_ERROR, at, "model " + id + ": source '" + ref.redacted() + "' " + problem);
            } else {
                refs.add(ref);
            }
        }
        return refs;
    }

    /** Names that one filesystem or another treats as the same: case-insensitive, normalization-insensitive. */
    private static String folded(String path) {
        return nfc(path).toLowerCase(Locale.ROOT);
    }

    private static String nfc(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFC);
    }

    private static boolean overlaps(FileSpec a, FileSpec b) {
        return a.variant() == null || b.variant() == null || a.variant().equals(b.variant());
    }

    private static String variantNote(FileSpec f) {
        return f.variant() == null ? "" : " in variant " + f.variant();
    }

    private String string(TomlTable t, String key, ModelId id) {
        Object v = t.get(List.of(key));
        if (v != null && !(v instanceof String)) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, t.inputPositionOf(List.of(key)),
                    "model " + id + ": '" + key + "' must be a string");
            return null;
        }
        return (String) v;
    }

    private String stringOrNull(TomlTable t, String key, ModelId id, TomlPosition fallback) {
        Object v = t.get(List.of(key));
        if (v != null && !(v instanceof String)) {
            error(ErrorCode.MANIFEST_VALIDATION_ERROR, positionOf(t, key, fallback),
                    "model " + id + ": '" + key + "' must be a string");
            return null;
        }
        return (String) v;
    }

    private List<String> strings(TomlTable t, String key, ModelId id) {
        Object v = t.get(List.of(key));
        if (v == null) {
            return List.of();
        }
        if (v instanceof TomlArray a && a.toList().stream().allMatch(e -> e instanceof String)) {
            return a.toList().stream().map(String.class::cast).toList();
        }
        error(ErrorCode.MANIFEST_VALIDATION_ERROR, t.inputPositionOf(List.of(key)),
                "model " + id + ": '" + key + "' must be a list of strings");
        return List.of();
    }

    private static TomlPosition positionOf(TomlTable t, String key, TomlPosition fallback) {
        TomlPosition p = t.inputPositionOf(List.of(key));
        return p != null ? p : fallback;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Counted as added: recounting the list per file entry was quadratic in a manifest with many warnings. */
    private int errorCount() {
        return errors;
    }

    private void error(ErrorCode code, TomlPosition at, String message) {
        add(Severity.ERROR, code, at, message);
    }

    private void warn(TomlPosition at, String message) {
        add(Severity.WARNING, ErrorCode.MANIFEST_VALIDATION_ERROR, at, message);
    }

    private void add(Severity severity, ErrorCode code, TomlPosition at, String message) {
        int line = at == null ? 1 : at.line();
        int column = at == null ? 1 : at.column();
        problems.add(new ManifestProblem(severity, code, file, line, column, message));
        if (severity == Severity.ERROR) {
            errors++;
        }
    }
}
