package dev.wan.internal.http;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Response;

/**
 * A whole-content sha256 a plain HTTP server may state: {@code Repr-Digest: sha-256=:b64:} (RFC
 * 9530), {@code Digest: SHA-256=b64} (RFC 3230), or S3's {@code x-amz-checksum-sha256} when it is
 * a full-object checksum (a multipart object's composite checksum ends in {@code -N} and is not a
 * sha256 of the content). Anything else, ETags included, is not a sha256 and gives null.
 */
public final class Digests {
    private static final Pattern REPR = Pattern.compile("(?i)(?:^|,)\\s*sha-256\\s*=\\s*:([A-Za-z0-9+/=]+):");
    private static final Pattern LEGACY = Pattern.compile("(?i)(?:^|,)\\s*sha-256\\s*=\\s*([A-Za-z0-9+/=]+)");

    private Digests() {
    }

    public static String sha256(Response r) {
        String v = group(REPR, r.header("Repr-Digest"));
        if (v == null) {
            v = group(LEGACY, r.header("Digest"));
        }
        if (v == null) {
            String amz = r.header("x-amz-checksum-sha256");
            String type = r.header("x-amz-checksum-type");
            if (amz != null && !amz.contains("-") && (type == null || !type.toUpperCase(Locale.ROOT).equals("COMPOSITE"))) {
                v = amz.strip();
            }
        }
        return hex(v);
    }

    private static String group(Pattern p, String header) {
        if (header == null) {
            return null;
        }
        Matcher m = p.matcher(header);
        return m.find() ? m.group(1) : null;
    }

    private static String hex(String base64) {
        if (base64 == null) {
            return null;
        }
        try {
            byte[] raw = Base64.getDecoder().decode(base64);
            return raw.length == 32 ? HexFormat.of().formatHex(raw) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
