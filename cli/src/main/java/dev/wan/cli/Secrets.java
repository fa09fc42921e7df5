package dev.wan.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a log line must never show, masked as {@code ***} on the way out: the values of the
 * environment's credentials (HF_TOKEN, AWS keys, WAN_SERVE_TOKEN, any *_TOKEN, *_SECRET*,
 * *_PASSWORD, *_KEY), and the signature and credential parameters of presigned URLs. The code
 * never logs them in the first place; this is the second line, for a message that quotes a
 * server's answer or an exception that quotes a URL.
 */
final class Secrets {
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(HF_TOKEN|HUGGING_FACE_HUB_TOKEN|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|WAN_SERVE_TOKEN"
                    + "|.*_TOKEN|.*SECRET.*|.*PASSWORD.*|.*_KEY)");
    /** Presigned S3 (SigV4/V2) and similar query parameters, up to the next separator. */
    private static final Pattern SIGNED_QUERY = Pattern.compile(
            "(?i)((?:X-Amz-(?:Signature|Credential|Security-Token)|Signature|AWSAccessKeyId|token|sig)=)[^&\\s\"'<>]+");
    /** A secret shorter than this is not masked: "1" in a line would mask every digit. */
    private static final int SHORTEST = 6;

    private final List<String> values;

    private Secrets(List<String> values) {
        this.values = values;
    }

    static Secrets of(Map<String, String> env) {
        List<String> values = new ArrayList<>();
        env.forEach((name, value) -> {
            if (value != null && value.strip().length() >= SHORTEST && SECRET_NAME.matcher(name).matches()) {
                values.add(value.strip());
            }
        });
        values.sort(Comparator.comparingInt(String::length).reversed()); // a secret inside another: the longer first
        return new Secrets(List.copyOf(values));
    }

    /** {@code line} with every secret replaced by {@code ***}. */
    String mask(String line) {
        String out = line;
        for (String v : values) {
            if (out.contains(v)) {
                out = out.replace(v, "***");
            }
        }
        Matcher m = SIGNED_QUERY.matcher(out);
        return m.find() ? m.replaceAll(r -> Matcher.quoteReplacement(r.group(1)) + "***") : out;
    }
}
