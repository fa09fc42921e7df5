package dev.wan.internal.http;

import okhttp3.HttpUrl;

/**
 * How URLs and server text appear in messages: never with a query string (presigned URLs and CDN
 * links carry their signature there), never with user info, never with a token in them.
 */
public final class Redact {
    private static final int MAX_SERVER_TEXT = 200;

    private Redact() {
    }

    /** {@code scheme://host[:port]/path}, without user info and query. */
    public static String url(HttpUrl url) {
        StringBuilder sb = new StringBuilder(url.scheme()).append("://").append(url.host());
        if (url.port() != HttpUrl.defaultPort(url.scheme())) {
            sb.append(':').append(url.port());
        }
        sb.append(url.encodedPath());
        if (url.encodedQuery() != null) {
            sb.append("?<redacted>");
        }
        return sb.toString();
    }

    /**
     * Text that came from elsewhere (a server's error message, a library's exception message),
     * made safe to print: query strings cut, the given secrets masked, length bounded.
     */
    public static String text(String text, String... secrets) {
        if (text == null) {
            return "";
        }
        String s = text;
        for (String secret : secrets) {
            if (secret != null && !secret.isEmpty()) {
                s = s.replace(secret, "****");
            }
        }
        s = s.replaceAll("\\?[^\\s\"'<>]*", "?<redacted>").replaceAll("[\\r\\n]+", " ").strip();
        return s.length() > MAX_SERVER_TEXT ? s.substring(0, MAX_SERVER_TEXT) + "…" : s;
    }

    /** A secret shown by its last four characters at most: {@code hf_****abcd}, or {@code ****}. */
    public static String mask(String secret) {
        if (secret == null || secret.isEmpty()) {
            return "";
        }
        String prefix = secret.startsWith("hf_") ? "hf_" : "";
        // a short secret would be mostly revealed by its last four characters
        return secret.length() >= 12 ? prefix + "****" + secret.substring(secret.length() - 4) : prefix + "****";
    }
}
