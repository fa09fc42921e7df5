package dev.wan.source.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.http.HttpTransport;
import dev.wan.internal.http.Redact;
import dev.wan.internal.manifest.ModelPaths;
import dev.wan.internal.manifest.SourceUris;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.TransientSourceException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.Response;

/** One repository at one commit, for one ensure. Thread-safe. See {@link HfBackend}. */
final class HfSession implements SourceSession {
    private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;[^,]*rel\\s*=\\s*\"?next\"?");
    private static final int MAX_HOPS = 10;
    private static final int MAX_PAGES = 100_000;

    private final SourceRef source;
    private final HfRepo repo;
    private final HttpUrl endpoint;
    private final HfToken token;
    private final HttpTransport http;
    private final HttpTransport.Auth auth;
    private final Map<String, Resolved> resolved = new ConcurrentHashMap<>();
    private String commit; // set once in open(), before the session is shared
    /** The repository's name as the Hub now answers to it: differs from {@link #repo} after a rename. */
    private volatile String current;
    private volatile String renamedNotice;

    /** Where a file's bytes are and what they are. */
    private record Resolved(RemoteFile file, HttpUrl download) {
    }

    private HfSession(SourceRef source, HfRepo repo, HttpUrl endpoint, HfToken token, SourceContext context) {
        this.source = source;
        this.repo = repo;
        this.endpoint = endpoint;
        this.token = token;
        this.current = repo.id();
        this.http = token == null ? new HttpTransport(context) : new HttpTransport(context, token.value());
        this.auth = token == null ? HttpTransport.Auth.NONE
                : new HttpTransport.Auth(endpoint, "Authorization", "Bearer " + token.value());
    }

    static HfSession open(SourceRef source, HfRepo repo, HttpUrl endpoint, HfToken token, SourceContext context)
            throws IOException {
        HfSession s = new HfSession(source, repo, endpoint, token, context);
        s.commit = repo.pinned() ? repo.revision() : s.http.retrying(s::resolveRevision);
        return s;
    }

    @Override
    public SourceRef source() {
        return source;
    }

    @Override
    public String revision() {
        return commit;
    }

    /** {@code GET /api/models/{repo}/revision/{rev}} → the commit sha. */
    private String resolveRevision() throws IOException {
        HttpUrl url = api().addPathSegment("revision").addPathSegment(repo.revision()).build();
        String what = "GET " + Redact.url(url);
        try (Response r = http.follow("GET", url, auth, List.of()).response()) {
            if (!r.isSuccessful()) {
                throw failure(r, what, null);
            }
            JsonNode info = json(r, what);
            renamedTo(info.path("id").asText(null));
            String sha = info.path("sha").asText(null);
            if (!HfRepo.isCommit(sha)) {
                throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": the answer names no commit",
                        "is HF_ENDPOINT a Hugging Face Hub?");
            }
            return sha;
        }
    }

    @Override
    public RemoteFile stat(String path) throws IOException {
        return resolve(path).file();
    }

    private Resolved resolve(String path) throws IOException {
        Resolved known = resolved.get(path);
        if (known != null) {
            return known;
        }
        Resolved r = http.retrying(() -> head(path));
        resolved.put(path, r);
        return r;
    }

    /**
     * {@code HEAD /{repo}/resolve/{commit}/{path}}: a redirect within the Hub (relative, or to the
     * Hub's own origin) is repeated there; a redirect to another origin (the CDN) is not followed:
     * its Location is the download URL, and this response's X-Linked-* headers describe the file.
     */
    private Resolved head(String path) throws IOException {
        HttpUrl at = fileUrl(path);
        for (int hop = 0; hop <= MAX_HOPS; hop++) {
            String what = "HEAD " + Redact.url(at);
            try (Response r = http.once("HEAD", at, auth, List.of()).response()) {
                String location = r.header("Location");
                if (r.isRedirect() && location != null) {
                    HttpUrl next = at.resolve(location);
                    if (next == null) {
                        throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": unusable redirect", "");
                    }
                    if (sameOrigin(next, at)) {
                        renamedTo(resolvedRepo(next));
                        at = next;
                        continue;
                    }
                    long size = number(r.header("X-Linked-Size"));
                    if (size < 0) {
                        size = sizeAt(next);
                    }
                    return new Resolved(new RemoteFile(path, size, sha256(r.header("X-Linked-Etag"))), next);
                }
                if (!r.isSuccessful()) {
                    throw failure(r, what, path);
                }
                long size = number(r.header("X-Linked-Size"));
                if (size < 0) {
                    size = number(r.header("Content-Length"));
                }
                if (size < 0) {
                    throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": the Hub stated no size", "");
                }
                return new Resolved(new RemoteFile(path, size, sha256(r.header("X-Linked-Etag"))), at);
            }
        }
        throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, "HEAD " + Redact.url(fileUrl(path))
                + ": more than " + MAX_HOPS + " redirects", "");
    }

    /** Size of a CDN object whose redirect did not carry X-Linked-Size (no token goes there). */
    private long sizeAt(HttpUrl url) throws IOException {
        try (Response r = http.follow("HEAD", url, auth, List.of()).response()) {
            long size = r.isSuccessful() ? number(r.header("Content-Length")) : -1;
            if (size < 0) {
                throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, "HEAD " + Redact.url(url)
                        + ": no size stated (HTTP " + r.code() + ")", "");
            }
            return size;
        }
    }

    @Override
    public InputStream read(String path, long offset, long length) throws IOException {
        Resolved r = resolve(path);
        try {
            return http.range(r.download(), auth, offset, length, (resp, what) -> failure(resp, what, path));
        } catch (WanException e) {
            if (e.code() == ErrorCode.AUTH_FAIL && !sameOrigin(r.download(), endpoint)) {
                // A CDN link is signed for a limited time: resolve it again and retry.
                resolved.remove(path, r);
                throw new TransientSourceException(ErrorCode.AUTH_FAIL, e.getMessage()
                        + " (the CDN link may have expired; resolving it again)", null);
            }
            throw e;
        }
    }

    /** Every file of the repository at the commit: the tree API, page by page ({@code Link: <…>; rel="next"}). */
    @Override
    public List<RemoteFile> list() throws IOException {
        List<RemoteFile> files = new ArrayList<>();
        HttpUrl page = api().addPathSegment("tree").addPathSegment(commit)
                .addQueryParameter("recursive", "true").addQueryParameter("expand", "false").build();
        for (int n = 0; page != null && n < MAX_PAGES; n++) {
            HttpUrl url = page;
            page = http.retrying(() -> listPage(url, files));
        }
        return files;
    }

    private HttpUrl listPage(HttpUrl url, List<RemoteFile> into) throws IOException {
        String what = "GET " + Redact.url(url);
        try (Response r = http.follow("GET", url, auth, List.of()).response()) {
            if (!r.isSuccessful()) {
                throw failure(r, what, null);
            }
            JsonNode entries = json(r, what);
            if (!entries.isArray()) {
                throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": expected a JSON array", "");
            }
            List<RemoteFile> page = new ArrayList<>();
            for (JsonNode e : entries) {
                if (!"file".equals(e.path("type").asText())) {
                    continue;
                }
                String p = e.path("path").asText("");
                if (!usable(p)) {
                    continue;
                }
                JsonNode lfs = e.path("lfs");
                page.add(new RemoteFile(p, e.path("size").asLong(-1), lfs.isObject() ? sha256(lfs.path("oid").asText(null)) : null));
            }
            into.addAll(page);
            Matcher m = NEXT.matcher(String.join(",", r.headers("Link")));
            return m.find() ? url.resolve(m.group(1)) : null;
        }
    }

    /** Paths from a remote listing are untrusted. */
    /**
     * The manifest's path rules ({@link ModelPaths}). A path that could leave the model directory
     * fails the listing; one wan could not store anyway (a control character, too long) is left out.
     */
    private boolean usable(String p) {
        ModelPaths.Problem problem = ModelPaths.problem(p);
        if (problem != null && problem.code() == ErrorCode.PATH_TRAVERSAL_DETECTED) {
            throw new WanException(ErrorCode.PATH_TRAVERSAL_DETECTED, source.redacted() + " lists an unsafe path '"
                    + Redact.text(p) + "'", "the repository listing is not trusted; name files in the manifest");
        }
        return problem == null;
    }

    private JsonNode json(Response r, String what) throws IOException {
        try {
            return dev.wan.internal.io.JsonTree.read(r.body().byteStream());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": the answer is not JSON",
                    "is HF_ENDPOINT a Hugging Face Hub?");
        }
    }

    /**
     * The Hub's errors: {@code X-Error-Code} decides before the status does (HF_PROTOCOL.md §7).
     * Returns the transient failure to throw, throws the permanent one.
     */
    private IOException failure(Response r, String what, String path) {
        String code = r.header("X-Error-Code");
        String said = http.serverText(r);
        String repoUrl = Redact.url(endpoint.newBuilder().addPathSegments(repo.id()).build());
        String name = "hf://" + repo.id();
        if ("GatedRepo".equals(code)) {
            // the guidance is in the message too: failover summaries keep messages, not hints
            throw new WanException(ErrorCode.AUTH_FAIL, name + " is a gated repository and "
                    + (token == null ? "no Hub token is set" : "the token in use (" + token.masked() + ") has no access to it")
                    + ": accept the license at " + repoUrl + " and set HF_TOKEN",
                    "accept the license at " + repoUrl + " while logged in, then set HF_TOKEN to a token of that account"
                            + " (or HUGGING_FACE_HUB_TOKEN, or huggingface-cli login)");
        }
        if ("RepoNotFound".equals(code)) {
            // The Hub gives a private repository the same answer as a missing one (401 without a
            // token, 404 with one): without a token, a missing token is the likelier cause.
            if (token == null) {
                throw new WanException(ErrorCode.AUTH_FAIL, name + ": no such repository at " + Redact.url(endpoint)
                        + ", or it is private or gated and no Hub token is set: set HF_TOKEN",
                        "set HF_TOKEN to a token with access to " + repoUrl
                                + " (or HUGGING_FACE_HUB_TOKEN, or huggingface-cli login); if the repository is public, check its name");
            }
            throw new WanException(ErrorCode.AUTH_FAIL, name + ": no such repository at " + Redact.url(endpoint)
                    + ", or the token in use (" + token.masked() + ") has no access to it",
                    "check the name, and that the token's account can see " + repoUrl + " (huggingface.co/settings/tokens)");
        }
        if ("RevisionNotFound".equals(code)) {
            throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, name + " has no revision '" + Redact.text(repo.revision()) + "'",
                    "check the @revision of the source (a branch, tag or 40-hex commit)");
        }
        if ("EntryNotFound".equals(code)) {
            throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, name + "@" + commit + " has no file " + path,
                    "check the file's path in the manifest against the repository");
        }
        if (r.code() == 401 || r.code() == 403) {
            throw new WanException(ErrorCode.AUTH_FAIL, what + ": HTTP " + r.code() + said
                    + (token == null ? " (no Hub token is set: set HF_TOKEN)"
                            : " (the token in use, " + token.masked() + ", was refused or has no access)"),
                    token == null ? "set HF_TOKEN (the repository may be private or gated: accept its license at " + repoUrl + ")"
                            : "check the token (huggingface.co/settings/tokens) and its access to " + repoUrl);
        }
        return http.statusFailure(r, what);
    }

    private HttpUrl.Builder api() {
        return endpoint.newBuilder().addPathSegment("api").addPathSegment("models").addPathSegments(current);
    }

    private HttpUrl fileUrl(String path) {
        HttpUrl.Builder b = endpoint.newBuilder().addPathSegments(current).addPathSegment("resolve").addPathSegment(commit);
        for (String segment : path.split("/")) {
            b.addPathSegment(segment);
        }
        return b.build();
    }

    private static boolean sameOrigin(HttpUrl a, HttpUrl b) {
        return a.scheme().equals(b.scheme()) && a.host().equalsIgnoreCase(b.host()) && a.port() == b.port();
    }

    /** An ETag made plain ({@code W/"…"} → …) when it is a sha256, else null (a git sha1 is not a content digest). */
    static String sha256(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        e = e.replace("\"", "").toLowerCase(java.util.Locale.ROOT);
        return e.matches("[0-9a-f]{64}") ? e : null;
    }

    private static long number(String v) {
        try {
            return v == null ? -1 : Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The Hub follows a renamed repository's old name with a redirect: wan follows it too, but says
     * so once and records (and asks for) the new name, so the manifest can be updated.
     */
    private void renamedTo(String id) {
        if (id == null || id.equalsIgnoreCase(current) || SourceUris.hfRepoProblem(id) != null) {
            return; // the Hub's own spelling of the same name is no rename
        }
        synchronized (this) {
            if (renamedNotice == null) {
                renamedNotice = "hf://" + repo.id() + " was renamed on the Hub to hf://" + id
                        + "; wan follows the new name: update the manifest's source to hf://" + id;
            }
            current = id;
        }
    }

    /** {@code org/name} of a {@code /{org}/{name}/resolve/…} URL on the Hub, else null. */
    private String resolvedRepo(HttpUrl url) {
        List<String> seg = url.pathSegments();
        int base = endpoint.pathSegments().size() - (endpoint.encodedPath().endsWith("/") ? 1 : 0);
        return seg.size() > base + 3 && seg.get(base + 2).equals("resolve") ? seg.get(base) + "/" + seg.get(base + 1) : null;
    }

    @Override
    public String origin() {
        return "hf://" + current + "@" + commit;
    }

    @Override
    public String notice() {
        return renamedNotice;
    }

    @Override
    public String credentials() {
        return token == null ? "anonymous" : token.masked();
    }

    @Override
    public String toString() {
        return "hf source " + source.redacted() + (commit == null ? "" : " at " + commit);
    }
}
