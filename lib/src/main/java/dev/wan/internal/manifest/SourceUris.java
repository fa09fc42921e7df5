package dev.wan.internal.manifest;

import dev.wan.manifest.SourceRef;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * Syntax checks for source URIs, shared by the validator and the backends: each scheme is checked
 * with the parser its backend uses later ({@link SourceRef#fileDirectory()} for {@code file://},
 * OkHttp's {@link HttpUrl} for {@code http(s)://}, {@link #hfRepoProblem} for {@code hf://}), so a
 * URI that passes validation cannot fail to parse once a download starts.
 */
public final class SourceUris {
    /** The Hub's rule for each half of {@code org/name} (huggingface_hub {@code validate_repo_id}). */
    private static final Pattern HF_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?");
    /** The Hub limits a repository id to 96 characters. */
    static final int HF_MAX_REPO_ID = 96;
    /** A branch, tag ({@code v1.0}, {@code refs/pr/1}) or commit: git ref-name rules, ASCII only. */
    private static final Pattern HF_REVISION = Pattern.compile("[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)*");
    /** S3 bucket naming rules: 3 to 63 lower-case letters, digits, dots and hyphens. */
    private static final Pattern S3_BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private SourceUris() {
    }

    /**
     * Null when the URI is well-formed, else what is wrong with it (without the query string).
     * {@code knownSchemes} null: any scheme is accepted (a backend for it may be registered later).
     */
    public static String problem(SourceRef ref, Set<String> knownSchemes) {
        String scheme = ref.scheme();
        if (scheme.isEmpty()) {
            return "has no scheme: use local://, file:///, s3://, hf:// or https://";
        }
        if (knownSchemes != null && !knownSchemes.contains(scheme)) {
            return "has unknown scheme '" + scheme + "': known are " + String.join(", ", knownSchemes.stream().sorted().toList());
        }
        int bad = ModelPaths.firstForbidden(ref.uri());
        if (bad >= 0) {
            return String.format("contains the control or invisible character U+%04X", (int) ref.uri().charAt(bad));
        }
        String rest = ref.uri().substring(scheme.length() + 1);
        if (!rest.startsWith("//")) {
            return "must start with " + scheme + "://";
        }
        String body = rest.substring(2);
        return switch (scheme) {
            case "local" -> body.isEmpty() ? "names no directory"
                    : body.startsWith("/") || List.of(body.split("/")).contains("..")
                    ? "must stay inside WAN_LOCAL_ROOT (no leading '/', no '..'); use file:///abs/dir for other places" : null;
            case "file" -> fileProblem(ref);
            case "s3" -> s3Problem(body);
            case "hf" -> hfRepoProblem(body);
            case "http", "https" -> httpProblem(ref.uri());
            default -> null;
        };
    }

    private static String fileProblem(SourceRef ref) {
        try {
            ref.fileDirectory();
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static String s3Problem(String body) {
        if (body.contains("?") || body.contains("#")) {
            return "has a query or fragment: s3://bucket/prefix (set endpoints with AWS_ENDPOINT_URL or WAN_S3_ENDPOINT_<BUCKET>)";
        }
        String bucket = body.contains("/") ? body.substring(0, body.indexOf('/')) : body;
        if (bucket.isEmpty()) {
            return "names no bucket: s3://bucket/prefix";
        }
        return S3_BUCKET.matcher(bucket).matches() && !bucket.contains("..") ? null
                : "names an invalid bucket: 3 to 63 lower-case letters, digits, '.' and '-', starting and ending"
                        + " with a letter or digit";
    }

    /** {@code http(s)://host[:port]/…} as OkHttp parses it: a host, a port in 1..65535. */
    private static String httpProblem(String uri) {
        if (uri.indexOf("://") + 3 == uri.length()) {
            return "names no host";
        }
        HttpUrl url = HttpUrl.parse(uri);
        if (url == null || url.host().isEmpty()) {
            return "is not a valid URL: http(s)://host[:port]/base with a host and a port in 1..65535";
        }
        return null;
    }

    /**
     * Null when {@code body} ({@code org/repo[@revision]}, after {@code hf://}) names a Hub
     * repository as the Hub allows it, else what is wrong. Also used by the hf backend.
     */
    public static String hfRepoProblem(String body) {
        int at = body.indexOf('@');
        String id = at < 0 ? body : body.substring(0, at);
        String revision = at < 0 ? null : body.substring(at + 1);
        String[] parts = id.split("/", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return "must name a repository: hf://org/repo[@revision]";
        }
        for (String part : parts) {
            if (!HF_NAME.matcher(part).matches() || part.contains("--") || part.contains("..")) {
                return "must name a repository as the Hub allows (org and name of letters, digits, '_', '-', '.',"
                        + " starting and ending with a letter, digit or '_', no '--' or '..'): hf://org/repo[@revision]";
            }
        }
        if (id.length() > HF_MAX_REPO_ID || id.endsWith(".git")) {
            return "must name a repository of at most " + HF_MAX_REPO_ID
                    + " characters, not ending in .git: hf://org/repo[@revision]";
        }
        if (revision != null && !validRevision(revision)) {
            return "has an invalid revision (a branch, tag or commit: letters, digits, '_', '.', '+', '-', and '/'"
                    + " between parts; no '..', no part starting with '.', not ending in .lock; at most 255 characters):"
                    + " hf://org/repo[@revision]";
        }
        return null;
    }

    private static boolean validRevision(String r) {
        if (r.isEmpty() || r.length() > 255 || !HF_REVISION.matcher(r).matches() || r.contains("..")
                || r.endsWith(".lock")) {
            return false;
        }
        for (String part : r.split("/")) {
            if (part.startsWith(".")) {
                return false;
            }
        }
        return true;
    }
}
