package dev.wan.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Hides secrets in text wan did not write itself (a log file, a report line quoting a server):
 * the value of every secret-looking environment variable wherever it appears, and the
 * credentials of presigned URLs, bearer headers, Hub tokens and AWS access key ids by their shape.
 * The report, the support bundle and every log line (MaskingStream) go through this one mask.
 */
final class SecretMask {
    /** Variables whose value is secret whatever its shape; any name with TOKEN, SECRET, PASSWORD or KEY too. */
    static final List<String> KNOWN = List.of("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "WAN_SERVE_TOKEN");
    private static final Pattern SECRET_NAME = Pattern.compile(".*(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|_KEY|KEY_ID).*");
    /** Shorter values are not masked by value: replacing "1" everywhere would hide the report, not a secret. */
    private static final int MIN_VALUE = 6;
    private static final Pattern SIGNED_QUERY = Pattern.compile(
            "(?i)((?:X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|sig|token|access_token)=)[^&\\s\"'<>]+");
    private static final Pattern BEARER = Pattern.compile("(?i)(Bearer\\s+)[A-Za-z0-9._~+/=-]+");
    private static final Pattern HF = Pattern.compile("hf_[A-Za-z0-9]{8,}");
    private static final Pattern AWS_KEY_ID = Pattern.compile("\\b(?:AKIA|ASIA)[A-Z0-9]{8,}\\b");

    private final List<String> values;

    private SecretMask(List<String> values) {
        this.values = values;
    }

    static SecretMask of(Map<String, String> env) {
        List<String> values = new ArrayList<>();
        env.forEach((name, value) -> {
            if (value != null && value.strip().length() >= MIN_VALUE && isSecret(name)) {
                values.add(value.strip());
            }
        });
        values.sort(Comparator.comparingInt(String::length).reversed()); // a value inside another goes after it
        return new SecretMask(List.copyOf(values));
    }

    static boolean isSecret(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        return KNOWN.contains(n) || SECRET_NAME.matcher(n).matches();
    }

    String apply(String text) {
        if (text == null) {
            return null;
        }
        String s = text;
        for (String v : values) {
            s = s.replace(v, "****");
        }
        s = SIGNED_QUERY.matcher(s).replaceAll("$1<redacted>");
        s = BEARER.matcher(s).replaceAll("$1****");
        s = HF.matcher(s).replaceAll("hf_****");
        return AWS_KEY_ID.matcher(s).replaceAll("AKIA****");
    }

    /** How a configured secret is shown: set, its length, never a character of it. */
    static String describe(String value) {
        return value == null ? "unset" : "set (" + value.strip().length() + " characters, masked)";
    }
}
