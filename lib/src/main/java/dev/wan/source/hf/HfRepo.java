package dev.wan.source.hf;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.manifest.SourceUris;
import dev.wan.manifest.SourceRef;

/** {@code hf://org/repo[@revision]}: a model repository and the revision asked for (default main). */
record HfRepo(String id, String revision) {
    static final String DEFAULT_REVISION = "main";

    static HfRepo parse(SourceRef source) {
        String body = source.uri().substring("hf://".length());
        int at = body.indexOf('@');
        String id = at < 0 ? body : body.substring(0, at);
        String revision = at < 0 ? DEFAULT_REVISION : body.substring(at + 1);
        String problem = SourceUris.hfRepoProblem(body);
        if (problem != null) {
            // the validator applies the same rule, so this is reached only by a SourceRef made in code
            throw new WanException(ErrorCode.INVALID_CONFIG, "source " + source.redacted() + " " + problem,
                    "write hf://org/repo or hf://org/repo@revision");
        }
        return new HfRepo(id, revision);
    }

    /** A 40-hex commit needs no lookup. */
    boolean pinned() {
        return isCommit(revision);
    }

    static boolean isCommit(String s) {
        return s != null && s.matches("[0-9a-f]{40}");
    }
}
