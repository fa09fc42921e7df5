package dev.wan.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A source as a metrics label: scheme and host only ({@code https://hub.example}, {@code s3://bucket},
 * {@code file}). Never a path, a user, a query or a token, so the label set stays as small as the
 * manifest's list of hosts and a label can never leak a presigned URL's signature.
 */
final class SourceLabel {
    /** What the event stream uses for bytes that came from no source. */
    private static final Set<String> SPECIAL = Set.of("(in place)", "(all)", "verify");
    static final String OTHER = "other";
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]{0,15}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,253}");

    private SourceLabel() {
    }

    static String of(String source) {
        if (source == null || source.isBlank()) {
            return OTHER;
        }
        String s = source.strip();
        if (SPECIAL.contains(s)) {
            return s;
        }
        if (s.startsWith("/")) {
            return "file"; // a local directory source
        }
        try {
            URI uri = new URI(s.replace("<redacted>", "x"));
            String scheme = uri.getScheme();
            if (scheme == null || !SCHEME.matcher(scheme).matches()) {
                return OTHER;
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            String host = uri.getHost();
            if (host == null || !HOST.matcher(host).matches()) {
                return scheme; // file:, a host the URI grammar does not accept (an s3 bucket with '_'): the scheme only
            }
            return scheme + "://" + host.toLowerCase(Locale.ROOT) + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        } catch (URISyntaxException e) {
            return OTHER;
        }
    }
}
