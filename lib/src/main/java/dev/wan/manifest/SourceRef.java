package dev.wan.manifest;

import java.util.Locale;
import java.util.Set;

/** One entry of a model's {@code sources.priority}: a URI such as {@code local://wan22/x@1.0.0}. */
public record SourceRef(String uri) {
    /** Schemes wan ships backends for; third-party backends may add more. */
    public static final Set<String> BUILT_IN_SCHEMES = Set.of("local", "file", "s3", "hf", "http", "https");

    public String scheme() {
        int colon = uri.indexOf(':');
        return colon <= 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    /**
     * The URI without its query string (presigned URLs carry credentials there) and without the
     * password of any user info ({@code https://user:secret@host/…}).
     */
    public String redacted() {
        int q = uri.indexOf('?');
        String base = q < 0 ? uri : uri.substring(0, q) + "?<redacted>";
        return base.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://[^/@?#:]*):[^/@?#]*@", "$1:<redacted>@");
    }

    /**
     * The absolute directory a {@code file:///abs/dir} source names (spaces may be written as is).
     * The validator and the local backend both call this, so a URI the validator accepts resolves.
     *
     * @throws IllegalArgumentException saying what is wrong (not a file URI, a host, a query,
     *     a relative or unrepresentable path)
     */
    public java.nio.file.Path fileDirectory() {
        java.net.URI u;
        try {
            u = new java.net.URI(uri.replace(" ", "%20"));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("is not a valid URI (" + e.getReason() + "): write file:///absolute/path");
        }
        if (!"file".equalsIgnoreCase(u.getScheme())) {
            throw new IllegalArgumentException("is not a file:// URI");
        }
        if (u.getRawAuthority() != null && !u.getRawAuthority().isEmpty()) {
            throw new IllegalArgumentException("must be absolute: file:///absolute/path"); // file://host/x
        }
        if (u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("has a query or fragment: write '?' and '#' in names as %3F and %23");
        }
        String path = u.getPath();
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("must be absolute: file:///absolute/path");
        }
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("contains a NUL character (%00)");
        }
        try {
            return java.nio.file.Path.of(path).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException("is not a usable path: " + e.getReason());
        }
    }

    @Override
    public String toString() {
        return redacted();
    }
}
