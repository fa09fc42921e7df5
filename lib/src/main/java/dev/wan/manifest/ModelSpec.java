package dev.wan.manifest;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.manifest.Glob;
import java.util.List;

/** A model as declared in the manifest: its files, variants and sources in priority order. */
public record ModelSpec(
        ModelId id,
        String description,
        String version,
        List<String> variants,
        String defaultVariant,
        List<String> resolutionCaps,
        List<String> optionalComponents,
        List<String> requiredComponents,
        boolean loraRequired,
        List<String> allowPatterns,
        List<FileSpec> files,
        List<SourceRef> sources) {

    public ModelSpec {
        variants = List.copyOf(variants);
        resolutionCaps = List.copyOf(resolutionCaps);
        optionalComponents = List.copyOf(optionalComponents);
        requiredComponents = List.copyOf(requiredComponents);
        allowPatterns = List.copyOf(allowPatterns);
        files = List.copyOf(files);
        sources = List.copyOf(sources);
    }

    /**
     * The variant to use for a request: the requested one if the model has it, the default when
     * none is requested. Throws VARIANT_NOT_FOUND listing the variants otherwise.
     */
    public String resolveVariant(String requested) {
        if (requested == null || requested.isEmpty()) {
            return defaultVariant;
        }
        if (!variants.contains(requested)) {
            String known = variants.isEmpty() ? "none (omit --variant)" : String.join(", ", variants);
            throw new WanException(ErrorCode.VARIANT_NOT_FOUND,
                    "model " + id + " has no variant '" + requested + "'",
                    "available variants: " + known);
        }
        return requested;
    }

    /** Every file of the variant that allow_patterns admits, optional ones included. */
    public List<FileSpec> filesFor(String variant) {
        return files.stream().filter(f -> f.belongsTo(variant) && allowed(f.path())).toList();
    }

    /** With allow_patterns set, only matching files are part of the model (as on the Hub). */
    public boolean allowed(String path) {
        return allowPatterns.isEmpty() || allowPatterns.stream().anyMatch(p -> Glob.matches(p, path));
    }

    /** A file is optional when marked so, or when its component is optional and not required. */
    public boolean isOptional(FileSpec file) {
        if (file.optional()) {
            return true;
        }
        String c = file.component();
        return c != null && optionalComponents.contains(c) && !requiredComponents.contains(c);
    }

    public List<FileSpec> requiredFilesFor(String variant) {
        return filesFor(variant).stream().filter(f -> !isOptional(f)).toList();
    }

    public long totalBytes(String variant) {
        return filesFor(variant).stream().mapToLong(FileSpec::size).sum();
    }
}
