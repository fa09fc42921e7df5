package dev.wan.source.hf;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.manifest.SourceRef;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.StorageBackend;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * {@code hf://org/repo[@revision]}: a model repository on the Hugging Face Hub (or a mirror at
 * {@code HF_ENDPOINT}), spoken to as the Hub's own client does (see shared/HF_PROTOCOL.md).
 *
 * <ul>
 *   <li>{@link #open} resolves the revision (default {@code main}) to its commit once, with
 *       {@code GET /api/models/{repo}/revision/{rev}}; a 40-hex revision needs no request. Every
 *       file is then read at that commit, and the state records {@code hf://org/repo@<commit>}.</li>
 *   <li>{@code stat} is a {@code HEAD /{repo}/resolve/{commit}/{path}} with redirects handled by
 *       hand: a relative one is repeated on the Hub; an absolute one to another host (LFS files →
 *       CDN) is where the bytes are fetched, without the token. {@code X-Linked-Etag} (sha256 of
 *       an LFS file) and {@code X-Linked-Size} describe the file; a regular file's ETag is a git
 *       sha1 and is not used.</li>
 *   <li>{@code read} is a ranged GET at the resolved download URL (parallel ranges come from the
 *       downloader: {@code WAN_CONNECTIONS}, default auto, up to 16 — already what
 *       {@code HF_HUB_ENABLE_HF_TRANSFER=1} asks of the Python client, so that variable needs no
 *       handling here).</li>
 *   <li>Token: {@code HF_TOKEN}, {@code HUGGING_FACE_HUB_TOKEN}, the token file ({@link HfToken});
 *       sent only to the Hub's own host. {@code HF_HUB_OFFLINE=1} (or ON/YES/TRUE): no request at
 *       all, the source fails at once with SOURCE_UNAVAILABLE.</li>
 * </ul>
 */
public final class HfBackend implements StorageBackend {
    static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    @Override
    public Set<String> schemes() {
        return Set.of("hf");
    }

    @Override
    public SourceSession open(SourceRef source, SourceContext context) throws IOException {
        HfRepo repo = HfRepo.parse(source);
        if (offline(context)) {
            throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, source.redacted()
                    + ": HF_HUB_OFFLINE is set, so wan sends no request to the Hub",
                    "unset HF_HUB_OFFLINE, or put a local:// or s3:// source before this one");
        }
        return HfSession.open(source, repo, endpoint(context), HfToken.find(context), context);
    }

    @Override
    public String credentials(SourceRef source, SourceContext context) {
        HfToken token = HfToken.find(context);
        return token == null ? "anonymous" : token.masked();
    }

    /** {@code HF_HUB_OFFLINE} as the Hub's client reads it: 1, ON, YES or TRUE in any case. */
    static boolean offline(SourceContext context) {
        String v = context.env("HF_HUB_OFFLINE");
        return v != null && Set.of("1", "ON", "YES", "TRUE").contains(v.strip().toUpperCase(Locale.ROOT));
    }

    static HttpUrl endpoint(SourceContext context) {
        String e = context.env("HF_ENDPOINT");
        String text = e == null ? DEFAULT_ENDPOINT : e.strip().replaceAll("/+$", "");
        HttpUrl url = HttpUrl.parse(text);
        if (url == null) {
            throw new WanException(ErrorCode.INVALID_CONFIG, "HF_ENDPOINT is not an http(s) URL",
                    "unset it (default " + DEFAULT_ENDPOINT + ") or set e.g. HF_ENDPOINT=https://hf-mirror.example");
        }
        return url;
    }
}
