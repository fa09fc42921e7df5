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

    @Override
    public String toString() {
        return redacted();
    }
}
