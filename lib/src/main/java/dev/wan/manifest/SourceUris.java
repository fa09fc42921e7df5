package dev.wan.manifest;

import java.util.Set;

/** Syntax checks for source URIs, shared by the validator and the backends. */
final class SourceUris {
    private SourceUris() {
    }

    /** Null when the URI is well-formed, else what is wrong with it (without the query string). */
    static String problem(SourceRef ref, Set<String> knownSchemes) {
        String scheme = ref.scheme();
        if (scheme.isEmpty()) {
            return "has no scheme: use local://, file:///, s3://, hf:// or https://";
        }
        if (!knownSchemes.contains(scheme)) {
            return "has unknown scheme '" + scheme + "': known are " + String.join(", ", knownSchemes.stream().sorted().toList());
        }
        String rest = ref.uri().substring(scheme.length() + 1);
        if (!rest.startsWith("//")) {
            return "must start with " + scheme + "://";
        }
        String body = rest.substring(2);
        return switch (scheme) {
            case "local" -> body.isEmpty() ? "names no directory"
                    : body.startsWith("/") || java.util.List.of(body.split("/")).contains("..")
                    ? "must stay inside WAN_LOCAL_ROOT (no leading '/', no '..'); use file:///abs/dir for other places" : null;
            case "file" -> body.startsWith("/") ? null : "must be absolute: file:///absolute/path";
            case "s3" -> body.isEmpty() || body.startsWith("/") ? "names no bucket: s3://bucket/prefix" : null;
            case "hf" -> validHfBody(body) ? null : "must name a repository: hf://org/repo[@revision]";
            case "http", "https" -> body.isEmpty() ? "names no host" : null;
            default -> null;
        };
    }

    /** {@code org/repo} or {@code org/repo@revision}, with no part empty. */
    private static boolean validHfBody(String body) {
        String[] repoAndRevision = body.split("@", -1);
        String[] orgAndRepo = repoAndRevision[0].split("/", -1);
        return repoAndRevision.length <= 2 && orgAndRepo.length == 2 && !orgAndRepo[0].isEmpty()
                && !orgAndRepo[1].isEmpty() && (repoAndRevision.length == 1 || !repoAndRevision[1].isEmpty());
    }
}
