package dev.wan.testkit.hub;

import dev.wan.testkit.InFlightGauge;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A loopback Hugging Face Hub that speaks the download protocol as the real Hub does
 * (shared/HF_PROTOCOL.md §10), on a real TCP socket, with switchable faults and a request log.
 *
 * <ul>
 *   <li>{@code GET /api/models/{repo}/revision/{rev}} → {@code {"id","sha","siblings"}}.</li>
 *   <li>{@code GET /api/models/{repo}/tree/{rev}[/{path}]?recursive=true&expand=false} → entries,
 *       paginated ({@link #treePageSize}) with {@code Link: <…>; rel="next"}.</li>
 *   <li>{@code HEAD|GET /{repo}/resolve/{rev}/{path}}: an LFS file → 302 to
 *       {@code http://localhost:PORT/cdn/<sha256>?X-Amz-Signature=…} (another host name: the
 *       client must not send its token there) with {@code X-Linked-Etag}, {@code X-Linked-Size},
 *       {@code X-Repo-Commit}; a regular file of a public repo → relative 307 to
 *       {@code /api/resolve-cache/models/…} which answers 200 with {@code ETag} = git blob sha1;
 *       gated and private repos serve regular files directly.</li>
 *   <li>Ranges: {@code 206} + {@code Content-Range}; keep-alive HTTP/1.1.</li>
 *   <li>Errors as the Hub sends them: {@code X-Error-Code} (RepoNotFound, GatedRepo,
 *       RevisionNotFound, EntryNotFound) and {@code X-Error-Message}; a Bearer token the Hub does
 *       not know ({@link #validTokens}) → 401 "Invalid credentials in Authorization header".</li>
 *   <li>{@code /static/{path}}: plain files for the http(s) backend, optionally presigned
 *       ({@link #presignedStaticFile}: the query must carry the signature; HEAD is refused with 403
 *       as S3 does for a URL signed for GET).</li>
 * </ul>
 * Hub routes answer only on host {@code 127.0.0.1}, the CDN only on {@code localhost}.
 */
public final class HubServer implements AutoCloseable {
    public static final String HUB_HOST = "127.0.0.1";
    public static final String CDN_HOST = "localhost";
    private static final int BUFFER = 256 * 1024;

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hub-server");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Map<String, HubRepo> repos = new ConcurrentHashMap<>();
    private final Map<String, CdnObject> cdn = new ConcurrentHashMap<>();
    private final Map<String, StaticFile> statics = new ConcurrentHashMap<>();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final List<LoggedRequest> log = new CopyOnWriteArrayList<>();
    private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    private final AtomicLong connections = new AtomicLong();
    private final Map<String, InFlightGauge> bodies = new ConcurrentHashMap<>();
    private final AtomicLong bytesServed = new AtomicLong();
    private volatile int treePageSize = 1000;
    private volatile String cdnBase;
    private volatile boolean closed;

    private record StaticFile(Content content, String signature) {
    }

    private record CdnObject(String repo, HubRepo.Entry entry) {
    }

    private HubServer() throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(HUB_HOST), 0), 128);
        pool.execute(this::acceptLoop);
    }

    public static HubServer start() throws IOException {
        return new HubServer();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** What HF_ENDPOINT should be. */
    public String endpoint() {
        return "http://" + HUB_HOST + ":" + port();
    }

    /** The repository with this id ({@code org/name}), created empty and public on first use. */
    public HubRepo repo(String id) {
        return repos.computeIfAbsent(id, HubRepo::new);
    }

    /**
     * The repository {@code oldId} was renamed to {@code newId}: every API and resolve request
     * naming the old id gets a relative 307 to the same path under the new id, as the Hub answers.
     */
    public HubServer rename(String oldId, String newId) {
        renamed.put(oldId, newId);
        return this;
    }

    /** Tokens the Hub knows; once any is set, another Bearer token gets 401 "Invalid credentials". */
    public HubServer validTokens(String... tokens) {
        validTokens.addAll(List.of(tokens));
        return this;
    }

    /**
     * LFS downloads redirect to {@code <base>/<sha256>?X-Amz-Signature=…} (e.g. an nginx serving
     * files named by their sha256) instead of this server's own {@code /cdn/} route.
     */
    public HubServer cdnBase(String base) {
        this.cdnBase = base;
        return this;
    }

    public HubServer treePageSize(int entries) {
        this.treePageSize = entries;
        return this;
    }

    /** A plain file at {@code /static/<path>}. */
    public HubServer staticFile(String path, Content content) {
        statics.put(path, new StaticFile(content, null));
        return this;
    }

    /** A file at {@code /static/<path>} served only with {@code ?X-Amz-Signature=<signature>}; HEAD → 403. */
    public HubServer presignedStaticFile(String path, Content content, String signature) {
        statics.put(path, new StaticFile(content, signature));
        return this;
    }

    /** The URL of a static path (a file or a directory prefix). */
    public String staticUrl(String path) {
        return "http://" + HUB_HOST + ":" + port() + "/static/" + path;
    }

    public Fault fault(Fault fault) {
        faults.add(fault);
        return fault;
    }

    public void clearFaults() {
        faults.clear();
    }

    /** The most downloads of {@code file} (a path in its repository) this server was sending at the same time. */
    public int mostDownloadsAtOnce(String file) {
        InFlightGauge gauge = bodies.get(file);
        return gauge == null ? 0 : gauge.most();
    }

    public List<LoggedRequest> log() {
        return List.copyOf(log);
    }

    public List<LoggedRequest> log(Predicate<LoggedRequest> filter) {
        return log.stream().filter(filter).toList();
    }

    /** File bytes sent in bodies so far (every file, every answer, cut answers counted as far as sent). */
    public long bytesServed() {
        return bytesServed.get();
    }

    public void clearLog() {
        log.clear();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(HubServer::closeQuietly);
        pool.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                long id = connections.incrementAndGet();
                pool.execute(() -> serve(s, id));
            } catch (IOException e) {
                if (!closed) {
                    sleepQuietly(10);
                }
            }
        }
    }

    private void serve(Socket s, long connection) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
            OutputStream out = s.getOutputStream();
            while (!closed) {
                Request req = Request.read(in, connection);
                if (req == null) {
                    return;
                }
                boolean keep = handle(req, out);
                out.flush();
                if (!keep || "close".equalsIgnoreCase(req.header("connection"))) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away, or a fault closed the connection
        } finally {
            sockets.remove(s);
        }
    }

    // ------------------------------------------------------------------ requests and replies

    /** A parsed request line and headers (no request bodies: the Hub protocol sends none). */
    record Request(long connection, String method, String rawPath, String query, Map<String, String> headers) {
        static Request read(InputStream in, long connection) throws IOException {
            String line = line(in);
            while (line != null && line.isEmpty()) {
                line = line(in);
            }
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ");
            if (parts.length < 2) {
                throw new IOException("bad request line");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
                }
            }
            long bodyLength = Long.parseLong(headers.getOrDefault("content-length", "0"));
            in.skipNBytes(bodyLength);
            String target = parts[1];
            int q = target.indexOf('?');
            return new Request(connection, parts[0], q < 0 ? target : target.substring(0, q),
                    q < 0 ? null : target.substring(q + 1), headers);
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    String s = b.toString(StandardCharsets.ISO_8859_1);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                b.write(c);
            }
            return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
        }

        String header(String name) {
            return headers.get(name);
        }

        String host() {
            String h = headers.getOrDefault("host", "");
            int colon = h.lastIndexOf(':');
            return colon < 0 ? h : h.substring(0, colon);
        }

        String bearer() {
            String a = headers.get("authorization");
            return a != null && a.regionMatches(true, 0, "Bearer ", 0, 7) ? a.substring(7).strip() : null;
        }

        boolean head() {
            return method.equals("HEAD");
        }
    }

    /** An answer: status, headers, and a body from bytes or from a file's content. */
    private static final class Reply {
        int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        byte[] body = new byte[0];
        Content content;
        long from;
        long to;

        Reply(int status) {
            this.status = status;
        }

        Reply header(String name, Object value) {
            headers.put(name, String.valueOf(value));
            return this;
        }

        Reply text(String contentType, String text) {
            body = text.getBytes(StandardCharsets.UTF_8);
            return header("Content-Type", contentType);
        }

        long length() {
            return content != null ? to - from : body.length;
        }
    }

    /** What a request is about, for fault matching. */
    private record Target(Fault.Phase phase, String repo, String file) {
    }

    private boolean handle(Request req, OutputStream out) throws IOException {
        Target target = classify(req);
        Reply reply = null;
        for (Fault f : faults) {
            if ((f.kind == Fault.Kind.STATUS || f.kind == Fault.Kind.TOO_MANY) && f.take(target.phase(), target.repo(), target.file())) {
                reply = f.kind == Fault.Kind.STATUS ? error(f.status, null, "injected fault: HTTP " + f.status)
                        : error(429, null, "rate limited (injected)")
                                .header("RateLimit", "\"resolvers\";r=0;t=" + f.duration.toSeconds())
                                .header("RateLimit-Policy", "\"fixed window\";\"resolvers\";q=3000;w=300")
                                .header("Retry-After", f.duration.toSeconds());
                break;
            }
        }
        if (reply == null) {
            reply = route(req, target);
        }
        log.add(new LoggedRequest(req.connection(), req.method(), req.host(), req.rawPath(), req.query(),
                req.header("range"), req.bearer(), req.headers().containsKey("authorization"), reply.status));
        if (reply.content == null || req.head()) {
            return write(req, reply, target, out);
        }
        InFlightGauge gauge = bodies.computeIfAbsent(String.valueOf(target.file()), f -> new InFlightGauge());
        gauge.enter();
        try {
            return write(req, reply, target, out);
        } finally {
            gauge.exit();
        }
    }

    private Target classify(Request req) {
        String p = req.rawPath();
        if (p.startsWith("/api/resolve-cache/")) {
            String[] seg = p.split("/", 8); // "", api, resolve-cache, models, org, name, commit, path
            return new Target(req.head() ? Fault.Phase.HEAD : Fault.Phase.DOWNLOAD, seg.length > 5 ? seg[4] + "/" + seg[5] : null,
                    seg.length > 7 ? decode(seg[7]) : null);
        }
        if (p.startsWith("/api/")) {
            String[] seg = p.split("/", 6); // "", api, models, org, name, rest
            return new Target(req.head() ? Fault.Phase.HEAD : Fault.Phase.API, seg.length > 4 ? seg[3] + "/" + seg[4] : null, null);
        }
        if (p.startsWith("/cdn/")) {
            CdnObject o = cdn.get(p.substring(5));
            return new Target(req.head() ? Fault.Phase.HEAD : Fault.Phase.DOWNLOAD, o == null ? null : o.repo(),
                    o == null ? null : o.entry().path());
        }
        if (p.startsWith("/static/")) {
            return new Target(req.head() ? Fault.Phase.HEAD : Fault.Phase.DOWNLOAD, null, decode(p.substring(8)));
        }
        String[] seg = p.split("/", 6); // "", org, name, resolve, rev, path
        String file = seg.length > 5 && seg[3].equals("resolve") ? decode(seg[5]) : null;
        // a GET of /resolve/ answers with a redirect, except for gated/private repos' regular files
        return new Target(req.head() ? Fault.Phase.HEAD : Fault.Phase.DOWNLOAD, seg.length > 2 ? seg[1] + "/" + seg[2] : null,
                file);
    }

    private Reply route(Request req, Target target) {
        if (!req.method().equals("GET") && !req.head()) {
            return error(405, null, "method not allowed");
        }
        String p = req.rawPath();
        boolean cdnHost = CDN_HOST.equalsIgnoreCase(req.host());
        if (p.startsWith("/cdn/")) {
            return cdnHost ? cdnObject(req, p.substring(5)) : error(404, null, "no CDN on this host name");
        }
        if (p.startsWith("/static/")) {
            return staticFile(req, decode(p.substring(8)));
        }
        if (cdnHost) {
            return error(404, null, "the Hub is not on this host name");
        }
        String bearer = req.bearer();
        if (bearer != null && !validTokens.isEmpty() && !validTokens.contains(bearer)) {
            return error(401, null, "Invalid credentials in Authorization header");
        }
        String moved = movedTo(p, req.query());
        if (moved != null) {
            return new Reply(307).header("Location", moved).text("text/plain; charset=utf-8", "Temporary Redirect. Redirecting to " + moved);
        }
        if (p.startsWith("/api/resolve-cache/models/")) {
            String[] seg = p.split("/", 8);
            return seg.length < 8 ? error(404, null, "not found") : resolveCache(req, seg[4] + "/" + seg[5], seg[6], decode(seg[7]));
        }
        if (p.startsWith("/api/models/")) {
            String[] seg = p.split("/", 7); // "", api, models, org, name, revision|tree, rest
            if (seg.length < 7) {
                return error(404, null, "not found");
            }
            String repoId = seg[3] + "/" + seg[4];
            return switch (seg[5]) {
                case "revision" -> revisionInfo(req, repoId, decode(seg[6]));
                case "tree" -> tree(req, repoId, seg[6]);
                default -> error(404, null, "not found");
            };
        }
        String[] seg = p.split("/", 6);
        if (seg.length == 6 && seg[3].equals("resolve")) {
            return resolve(req, seg[1] + "/" + seg[2], decode(seg[4]), decode(seg[5]));
        }
        return error(404, null, "not found");
    }

    /** The path of a renamed repository's request under its new name, or null. */
    private String movedTo(String path, String query) {
        for (Map.Entry<String, String> r : renamed.entrySet()) {
            for (String prefix : new String[] {"/api/models/", "/"}) {
                String old = prefix + r.getKey() + "/";
                if (path.startsWith(old) && (prefix.equals("/api/models/") || path.startsWith(old + "resolve/"))) {
                    return prefix + r.getValue() + "/" + path.substring(old.length()) + (query == null ? "" : "?" + query);
                }
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ Hub routes

    /** The repository if the request may see it; else the error reply in {@code denied[0]}. */
    private HubRepo visible(Request req, String repoId, Reply[] denied) {
        HubRepo repo = repos.get(repoId);
        String token = req.bearer();
        if (repo == null || repo.access == HubRepo.Access.PRIVATE && (token == null || !repo.grantedTokens.contains(token))) {
            denied[0] = error(token == null ? 401 : 404, "RepoNotFound", "Repository Not Found for url: " + req.rawPath()
                    + ". Please make sure you specified the correct `repo_id` and `repo_type`. If you are trying to"
                    + " access a private or gated repo, make sure you are authenticated.");
            return null;
        }
        return repo;
    }

    private String commitOf(HubRepo repo, String rev, Reply[] denied) {
        String commit = rev.equals(repo.commit) ? repo.commit : repo.refs.get(rev);
        if (commit == null) {
            denied[0] = error(404, "RevisionNotFound", "Invalid rev id: " + rev);
        }
        return commit;
    }

    private Reply revisionInfo(Request req, String repoId, String rev) {
        Reply[] denied = new Reply[1];
        HubRepo repo = visible(req, repoId, denied);
        String commit = repo == null ? null : commitOf(repo, rev, denied);
        if (commit == null) {
            return denied[0];
        }
        StringBuilder json = new StringBuilder("{\"_id\":\"").append(commit, 0, 24).append("\",\"id\":\"").append(json(repoId))
                .append("\",\"sha\":\"").append(commit).append("\",\"gated\":")
                .append(repo.access == HubRepo.Access.GATED ? "\"manual\"" : "false").append(",\"siblings\":[");
        List<String> sib = repo.snapshot().keySet().stream().map(k -> "{\"rfilename\":\"" + json(k) + "\"}").toList();
        json.append(String.join(",", sib)).append("]}");
        return new Reply(200).text("application/json; charset=utf-8", json.toString());
    }

    private Reply tree(Request req, String repoId, String rest) {
        int slash = rest.indexOf('/');
        String rev = decode(slash < 0 ? rest : rest.substring(0, slash));
        String under = slash < 0 ? "" : decode(rest.substring(slash + 1));
        Reply[] denied = new Reply[1];
        HubRepo repo = visible(req, repoId, denied);
        String commit = repo == null ? null : commitOf(repo, rev, denied);
        if (commit == null) {
            return denied[0];
        }
        List<String> entries = new ArrayList<>();
        Set<String> dirs = new TreeSet<>();
        Map<String, HubRepo.Entry> files = repo.snapshot();
        for (String path : files.keySet()) {
            for (int i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
                dirs.add(path.substring(0, i));
            }
        }
        TreeSet<String> all = new TreeSet<>(files.keySet());
        all.addAll(dirs);
        for (String path : all) {
            if (!under.isEmpty() && !path.startsWith(under + "/")) {
                continue;
            }
            HubRepo.Entry e = files.get(path);
            if (e == null) {
                entries.add("{\"type\":\"directory\",\"oid\":\"" + HubRepo.sha1Hex("tree " + path) + "\",\"size\":0,\"path\":\""
                        + json(path) + "\"}");
            } else {
                String lfs = e.lfs() ? ",\"lfs\":{\"oid\":\"" + e.content().sha256() + "\",\"size\":" + e.content().size()
                        + ",\"pointerSize\":" + e.pointer().length() + "}" : "";
                entries.add("{\"type\":\"file\",\"oid\":\"" + e.oid() + "\",\"size\":" + e.content().size() + ",\"path\":\""
                        + json(path) + "\"" + lfs + "}");
            }
        }
        int cursor = 0;
        if (req.query() != null) {
            for (String kv : req.query().split("&")) {
                if (kv.startsWith("cursor=")) {
                    cursor = Integer.parseInt(kv.substring(7));
                }
            }
        }
        int end = Math.min(entries.size(), cursor + treePageSize);
        Reply reply = new Reply(200).text("application/json; charset=utf-8",
                "[" + String.join(",", entries.subList(Math.min(cursor, end), end)) + "]");
        if (end < entries.size()) {
            reply.header("Link", "<" + endpoint() + req.rawPath() + "?recursive=true&expand=false&cursor=" + end
                    + ">; rel=\"next\"");
        }
        return reply;
    }

    private Reply resolve(Request req, String repoId, String rev, String path) {
        Reply[] denied = new Reply[1];
        HubRepo repo = visible(req, repoId, denied);
        String commit = repo == null ? null : commitOf(repo, rev, denied);
        if (commit == null) {
            return denied[0];
        }
        HubRepo.Entry e = repo.entry(path);
        if (e == null) {
            return error(404, "EntryNotFound", "Entry not found").header("X-Repo-Commit", commit);
        }
        String token = req.bearer();
        if (repo.access == HubRepo.Access.GATED && (token == null || !repo.grantedTokens.contains(token))) {
            return error(token == null ? 401 : 403, "GatedRepo", "Access to model " + repoId + " is restricted. You must have"
                    + " access to it and be authenticated to access it. Please log in.");
        }
        if (e.lfs()) {
            String sha = e.content().sha256();
            cdn.put(sha, new CdnObject(repoId, e));
            String base = cdnBase != null ? cdnBase : "http://" + CDN_HOST + ":" + port() + "/cdn";
            String location = base + "/" + sha + "?X-Amz-Signature=" + signature(sha)
                    + "&Expires=4102444800";
            return new Reply(302).text("text/plain; charset=utf-8", "Found. Redirecting to " + location)
                    .header("Location", location).header("X-Repo-Commit", commit).header("ETag", "\"" + e.oid() + "\"")
                    .header("X-Linked-Etag", "\"" + sha + "\"").header("X-Linked-Size", e.content().size());
        }
        if (repo.access == HubRepo.Access.PUBLIC) {
            String location = "/api/resolve-cache/models/" + repoId + "/" + commit + "/" + encodePath(path)
                    + "?%2F" + repoId.replace("/", "%2F") + "%2Fresolve%2F" + commit + "=&etag=%22" + e.oid() + "%22";
            return new Reply(307).text("text/plain; charset=utf-8", "Temporary Redirect. Redirecting to " + location)
                    .header("Location", location).header("X-Repo-Commit", commit).header("ETag", "\"" + e.oid() + "\"");
        }
        return bytes(req, e.content()).header("X-Repo-Commit", commit).header("ETag", "\"" + e.oid() + "\"");
    }

    private Reply resolveCache(Request req, String repoId, String commit, String path) {
        Reply[] denied = new Reply[1];
        HubRepo repo = visible(req, repoId, denied);
        if (repo == null) {
            return denied[0];
        }
        HubRepo.Entry e = commit.equals(repo.commit) ? repo.entry(path) : null;
        if (e == null) {
            return error(404, "EntryNotFound", "Entry not found").header("X-Repo-Commit", repo.commit);
        }
        return bytes(req, e.content()).header("X-Repo-Commit", commit).header("ETag", "\"" + e.oid() + "\"");
    }

    private Reply cdnObject(Request req, String sha) {
        CdnObject o = cdn.get(sha);
        if (o == null) {
            return error(404, null, "NoSuchKey");
        }
        HubRepo.Entry e = o.entry();
        if (req.query() == null || !req.query().contains("X-Amz-Signature=" + signature(sha))) {
            return error(403, null, "AccessDenied: bad or missing signature");
        }
        return bytes(req, e.content()).header("ETag", "\"cdn-" + sha.substring(0, 16) + "\"");
    }

    private Reply staticFile(Request req, String path) {
        StaticFile f = statics.get(path);
        if (f == null) {
            return error(404, null, "no such file");
        }
        if (f.signature() != null) {
            if (req.head()) {
                return error(403, null, "SignatureDoesNotMatch (signed for GET)");
            }
            if (req.query() == null || !req.query().contains("X-Amz-Signature=" + f.signature())) {
                return error(403, null, "AccessDenied");
            }
        }
        return bytes(req, f.content());
    }

    private static String signature(String sha) {
        return "sig" + sha.substring(0, 12);
    }

    /** 200 with the whole content, or 206 with the requested range. */
    private Reply bytes(Request req, Content content) {
        long size = content.size();
        Reply r = new Reply(200).header("Content-Type", "application/octet-stream").header("Accept-Ranges", "bytes");
        r.content = content;
        r.from = 0;
        r.to = size;
        String range = req.header("range");
        if (range == null || !range.startsWith("bytes=") || range.contains(",")) {
            return r;
        }
        String spec = range.substring(6).strip();
        int dash = spec.indexOf('-');
        long a;
        long b;
        try {
            if (dash == 0) {
                a = Math.max(0, size - Long.parseLong(spec.substring(1)));
                b = size - 1;
            } else {
                a = Long.parseLong(spec.substring(0, dash));
                b = dash == spec.length() - 1 ? size - 1 : Math.min(size - 1, Long.parseLong(spec.substring(dash + 1)));
            }
        } catch (RuntimeException e) {
            return r;
        }
        if (a >= size || a > b) {
            Reply bad = error(416, null, "range not satisfiable");
            return bad.header("Content-Range", "bytes */" + size);
        }
        r.status = 206;
        r.from = a;
        r.to = b + 1;
        return r.header("Content-Range", "bytes " + a + "-" + b + "/" + size);
    }

    private static Reply error(int status, String code, String message) {
        Reply r = new Reply(status).text("application/json; charset=utf-8", "{\"error\":\"" + json(message) + "\"}");
        if (code != null) {
            r.header("X-Error-Code", code);
        }
        return r.header("X-Error-Message", message);
    }

    // ------------------------------------------------------------------ writing, with faults

    /** Writes the reply; false when the connection must close (or was closed by a fault). */
    private boolean write(Request req, Reply reply, Target target, OutputStream out) throws IOException {
        Fault cut = null;
        Fault stall = null;
        Fault wrong = null;
        Fault cap = null;
        if (reply.content != null && !req.head()) {
            if (req.header("range") != null && reply.status == 206) {
                for (Fault f : faults) {
                    if (f.kind == Fault.Kind.IGNORE_RANGE && f.take(target.phase(), target.repo(), target.file())) {
                        reply.status = 200;
                        reply.from = 0;
                        reply.to = reply.content.size();
                        reply.headers.remove("Content-Range");
                        break;
                    }
                }
            }
            for (Fault f : faults) {
                switch (f.kind) {
                    case CUT -> cut = cut == null && f.take(target.phase(), target.repo(), target.file()) ? f : cut;
                    case STALL -> stall = stall == null && f.take(target.phase(), target.repo(), target.file()) ? f : stall;
                    case WRONG_BYTES -> wrong = wrong == null && f.take(target.phase(), target.repo(), target.file()) ? f : wrong;
                    case RATE_CAP -> cap = cap == null && f.take(target.phase(), target.repo(), target.file()) ? f : cap;
                    default -> { }
                }
            }
        }
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(reply.status).append(' ').append(reason(reply.status))
                .append("\r\n");
        reply.headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Length: ").append(reply.length()).append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (req.head()) {
            return true;
        }
        if (reply.content == null) {
            out.write(reply.body);
            return true;
        }
        long stopAt = reply.to;
        if (cut != null) {
            stopAt = Math.min(stopAt, reply.from + cut.bytes);
        }
        if (stall != null) {
            stopAt = Math.min(stopAt, reply.from + stall.bytes);
        }
        long rate = cap == null ? 0 : cap.bytes;
        int bufSize = rate > 0 ? (int) Math.max(4096, Math.min(BUFFER, rate / 20)) : BUFFER;
        byte[] buf = new byte[bufSize];
        long started = System.nanoTime();
        long sent = 0;
        for (long pos = reply.from; pos < stopAt; ) {
            int n = (int) Math.min(buf.length, stopAt - pos);
            reply.content.read(pos, buf, 0, n);
            if (wrong != null && pos == reply.from) {
                buf[0] ^= 0x01;
            }
            out.write(buf, 0, n);
            bytesServed.addAndGet(n);
            pos += n;
            sent += n;
            if (rate > 0) {
                long due = started + sent * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    out.flush();
                    sleepQuietly(TimeUnit.NANOSECONDS.toMillis(wait));
                }
            }
            if (closed) {
                return false;
            }
        }
        if (stopAt < reply.to) {
            out.flush();
            if (stall != null && (cut == null || stall.bytes <= cut.bytes)) {
                long until = System.nanoTime() + stall.duration.toNanos();
                while (!closed && System.nanoTime() < until) {
                    sleepQuietly(20);
                }
            }
            return false; // the body was cut short: the connection must end
        }
        return true;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 206 -> "Partial Content";
            case 302 -> "Found";
            case 307 -> "Temporary Redirect";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 416 -> "Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    // ------------------------------------------------------------------ helpers

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String encodePath(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            parts.add(URLEncoder.encode(p, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", parts);
    }

    private static String json(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
