package dev.wan.source.s3;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.manifest.SourceRef;

/**
 * Where an {@code s3://bucket/prefix} source lives: a model file {@code path} is the object
 * {@code prefix/path}. The prefix has no leading or trailing slash and may be empty.
 */
record S3Location(String bucket, String prefix) {
    static S3Location parse(SourceRef source) {
        String uri = source.uri();
        String body = uri.substring(uri.indexOf("://") + 3);
        if (body.contains("?") || body.contains("#")) {
            throw new WanException(ErrorCode.INVALID_CONFIG, "source " + source.redacted()
                    + " has a query or fragment; s3:// sources are s3://bucket/prefix",
                    "set the endpoint with AWS_ENDPOINT_URL or WAN_S3_ENDPOINT_<BUCKET>, not in the URI");
        }
        int slash = body.indexOf('/');
        String bucket = slash < 0 ? body : body.substring(0, slash);
        String prefix = slash < 0 ? "" : trimSlashes(body.substring(slash + 1));
        if (bucket.isEmpty()) {
            throw new WanException(ErrorCode.INVALID_CONFIG, "source " + uri + " names no bucket",
                    "write s3://bucket/prefix");
        }
        return new S3Location(bucket, prefix);
    }

    /** The object key of a model-relative path; rejects paths that would leave the prefix. */
    String key(String path) {
        if (path.isEmpty() || path.startsWith("/") || java.util.Arrays.stream(path.split("/"))
                .anyMatch(s -> s.equals("..") || s.equals("."))) {
            throw new WanException(ErrorCode.PATH_TRAVERSAL_DETECTED, "path '" + path + "' would leave " + this,
                    "fix the manifest or source listing");
        }
        return prefix.isEmpty() ? path : prefix + "/" + path;
    }

    /** The listing prefix: every key below the source. */
    String listPrefix() {
        return prefix.isEmpty() ? "" : prefix + "/";
    }

    /** {@code s3://bucket/key} of a path, for messages. */
    String display(String path) {
        return "s3://" + bucket + "/" + key(path);
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    private static String trimSlashes(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == '/') {
            from++;
        }
        while (to > from && s.charAt(to - 1) == '/') {
            to--;
        }
        return s.substring(from, to);
    }
}
