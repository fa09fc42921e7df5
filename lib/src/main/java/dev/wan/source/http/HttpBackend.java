package dev.wan.source.http;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.http.ContentRange;
import dev.wan.internal.http.Digests;
import dev.wan.internal.http.HttpTransport;
import dev.wan.internal.http.Redact;
import dev.wan.manifest.SourceRef;
import dev.wan.source.RemoteFile;
import dev.wan.source.SourceContext;
import dev.wan.source.SourceSession;
import dev.wan.source.StorageBackend;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.Response;

/**
 * {@code http://} and {@code https://} sources: a base URL under which the model's files lie.
 *
 * <p>The URL of a file is the base URL with the file's path appended, segment by segment
 * (percent-encoded), keeping the base URL's query string — so a base URL signed for a prefix works.
 * When the base URL's path already ends with the file's path (a presigned URL for one object),
 * it is used as it is. The query string and any user info are secrets: never printed. User info
 * ({@code https://user:pass@host/…}) becomes Basic authentication, sent to that host only.
 *
 * <p>Size comes from {@code HEAD} (Content-Length); a server that refuses HEAD (a presigned S3 URL
 * is signed for GET only: 403; or 405/501) is asked for {@code bytes=0-0} instead and the size read
 * from Content-Range. Plain HTTP has no listing: {@link SourceSession#list()} returns nothing, so
 * the manifest must name the files.
 */
public final class HttpBackend implements StorageBackend {
    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    @Override
    public SourceSession open(SourceRef source, SourceContext context) {
        HttpUrl parsed = HttpUrl.parse(source.uri());
        if (parsed == null) {
            throw new WanException(ErrorCode.INVALID_CONFIG, "source " + source.redacted() + " is not a valid URL",
                    "use http(s)://host/base/path");
        }
        String user = parsed.username();
        String pass = parsed.password();
        HttpUrl base = parsed.newBuilder().username("").password("").build();
        HttpTransport.Auth auth = user.isEmpty() ? HttpTransport.Auth.NONE
                : new HttpTransport.Auth(base, "Authorization", Credentials.basic(user, pass));
        String query = base.encodedQuery();
        return new Session(source, base, auth, user, new HttpTransport(context, nonEmpty(pass, query,
                auth.value(), base.query())));
    }

    private static String[] nonEmpty(String... s) {
        return Arrays.stream(s).filter(v -> v != null && !v.isEmpty()).toArray(String[]::new);
    }

    private record Session(SourceRef source, HttpUrl base, HttpTransport.Auth auth, String user,
                           HttpTransport http) implements SourceSession {
        @Override
        public RemoteFile stat(String path) throws IOException {
            HttpUrl url = fileUrl(path);
            return http.retrying(() -> {
                try (Response head = http.follow("HEAD", url, auth, List.of()).response()) {
                    if (head.isSuccessful()) {
                        long size = contentLength(head);
                        if (size >= 0) {
                            return new RemoteFile(path, size, Digests.sha256(head));
                        }
                    } else if (head.code() != 403 && head.code() != 405 && head.code() != 501) {
                        throw http.statusFailure(head, "HEAD " + Redact.url(url));
                    }
                }
                return statByFirstByte(path, url);
            });
        }

        /** For servers that will not answer HEAD: {@code GET bytes=0-0}, size from Content-Range. */
        private RemoteFile statByFirstByte(String path, HttpUrl url) throws IOException {
            String what = "GET " + Redact.url(url) + " bytes=0-0";
            HttpTransport.Exchange ex = http.follow("GET", url, auth, List.<String[]>of(new String[] {"Range", "bytes=0-0"}));
            try (Response r = ex.response()) {
                long size = r.code() == 206 ? ContentRange.total(r.header("Content-Range"))
                        : r.code() == 200 ? contentLength(r) : -2;
                if (size == -2) {
                    throw http.statusFailure(r, what);
                }
                if (size < 0) {
                    throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": the server states no size", "");
                }
                if (r.code() == 200) {
                    ex.call().cancel(); // the whole file is coming: not now
                }
                return new RemoteFile(path, size, Digests.sha256(r));
            }
        }

        private static long contentLength(Response r) {
            String v = r.header("Content-Length");
            try {
                return v == null ? -1 : Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        @Override
        public InputStream read(String path, long offset, long length) throws IOException {
            return http.range(fileUrl(path), auth, offset, length, http::statusFailure);
        }

        /** The base URL plus the file's path, or the base URL itself when it already names the file. */
        HttpUrl fileUrl(String path) {
            List<String> segments = List.of(path.split("/"));
            List<String> have = base.pathSegments();
            if (have.size() >= segments.size() && have.subList(have.size() - segments.size(), have.size()).equals(segments)) {
                return base;
            }
            HttpUrl.Builder b = base.newBuilder();
            segments.forEach(b::addPathSegment);
            return b.build();
        }

        @Override
        public List<RemoteFile> list() {
            return List.of(); // plain HTTP cannot list a directory
        }

        @Override
        public String credentials() {
            if (!user.isEmpty()) {
                return "basic auth (user " + user + ", password ****)";
            }
            return base.encodedQuery() != null ? "presigned URL (query string redacted)" : "none";
        }

        @Override
        public String toString() {
            return "http source " + source.redacted();
        }
    }
}
