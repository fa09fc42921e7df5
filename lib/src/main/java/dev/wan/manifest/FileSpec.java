package dev.wan.manifest;

/**
 * One file of a model as the manifest declares it. {@code sha256} is lower-case hex or null when
 * no public digest exists (then the upstream digest or the size alone is checked). A null
 * {@code variant} means the file belongs to every variant.
 */
public record FileSpec(String path, long size, String sha256, boolean optional, String component, String variant) {

    public boolean hasSha256() {
        return sha256 != null;
    }

    public boolean belongsTo(String selectedVariant) {
        return variant == null || variant.equals(selectedVariant);
    }
}
