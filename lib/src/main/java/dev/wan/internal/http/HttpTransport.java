package dev.wan.internal.http;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.source.RetryPolicy;
import dev.wan.source.SourceContext;
import dev.wan.source.TransientSourceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The OkHttp plumbing the {@code hf://} and {@code http(s)://} backends share.
 *
 * <ul>
 *   <li>One process-wide connection pool (sized for several files × parallel ranges); each
 *       session derives a client from it with the context's timeouts (read timeout = stall
 *       timeout, so a silent connection fails on its own too).</li>
 *   <li>HTTP/1.1 only: over HTTP/2 all ranges of a file would share one TCP connection, and CDNs
 *       cap bandwidth per connection, so parallel ranges would gain nothing.</li>
 *   <li>Redirects are followed by hand: credentials ({@link Auth}) go only to the scheme, host and
 *       port they were given for, never to a CDN host a redirect points at.</li>
 *   <li>{@code Accept-Encoding: identity} on every request: sizes and ranges are of the real bytes.</li>
 *   <li>Failures become {@link TransientSourceException} (retry: 408, 429, 5xx, resets, timeouts)
 *       or {@link WanException} (this source cannot serve: 401/403 AUTH_FAIL, 404 and other 4xx
 *       SOURCE_UNAVAILABLE). Messages name URLs without their query string.</li>
 * </ul>
 */
public final class HttpTransport {
    static final String USER_AGENT = "wan/0.1 (okhttp)";
    private static final int MAX_REDIRECTS = 10;
    private static final OkHttpClient BASE = new OkHttpClient.Builder()
            .connectionPool(new ConnectionPool(64, 2, TimeUnit.MINUTES))
            .protocols(List.of(Protocol.HTTP_1_1))
            .followRedirects(false)
            .followSslRedirects(false)
            .build();

    private final OkHttpClient client;
    private final RetryPolicy retry;
    private final String[] secrets;

    /**
     * @param secrets strings that must never appear in a message (tokens), masked if a server
     *                echoes them
     */
    public HttpTransport(SourceContext context, String... secrets) {
        Duration read = context.stallTimeout().plusSeconds(1);
        this.client = BASE.newBuilder()
                .connectTimeout(context.connectTimeout())
                .readTimeout(read)
                .writeTimeout(read)
                .build();
        this.retry = context.retry();
        this.secrets = secrets.clone();
    }

    /** Credentials for one origin (scheme, host, port): a header sent there and nowhere else. */
    public record Auth(HttpUrl origin, String header, String value) {
        public static final Auth NONE = new Auth(null, null, null);

        public boolean appliesTo(HttpUrl url) {
            return origin != null && value != null && origin.scheme().equals(url.scheme())
                    && origin.host().equalsIgnoreCase(url.host()) && origin.port() == url.port();
        }

        @Override
        public String toString() {
            return origin == null ? "Auth[none]" : "Auth[" + header + " for " + origin.host() + "]";
        }
    }

    /**
     * Turns an error response into its exception (backends add their own codes): returns the
     * {@link TransientSourceException} to throw, or throws the permanent {@link WanException}.
     */
    @FunctionalInterface
    public interface ErrorMapper {
        IOException map(Response response, String what);
    }

    /** An answered request: the response (caller closes it) and the call (to cancel it from elsewhere). */
    public record Exchange(Call call, Response response) {
    }

    /** A request that may be repeated. */
    @FunctionalInterface
    public interface IoCall<T> {
        T call() throws IOException;
    }

    /**
     * {@code method} {@code url}, following up to 10 redirects; returns the first response that is
     * not a redirect, whatever its status.
     */
    public Exchange follow(String method, HttpUrl url, Auth auth, List<String[]> headers) throws IOException {
        HttpUrl at = url;
        for (int hop = 0; ; hop++) {
            Exchange ex = once(method, at, auth, headers);
            Response r = ex.response();
            String location = r.header("Location");
            if (!r.isRedirect() || location == null) {
                return ex;
            }
            r.close();
            HttpUrl next = at.resolve(location);
            if (next == null || hop >= MAX_REDIRECTS) {
                throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, Redact.url(url) + ": "
                        + (next == null ? "unusable redirect" : "more than " + MAX_REDIRECTS + " redirects"), "");
            }
            at = next;
        }
    }

    /** One request, no redirect followed. */
    public Exchange once(String method, HttpUrl url, Auth auth, List<String[]> headers) throws IOException {
        Request.Builder b = new Request.Builder().url(url).method(method, null)
                .header("User-Agent", USER_AGENT)
                .header("Accept-Encoding", "identity");
        for (String[] h : headers) {
            b.header(h[0], h[1]);
        }
        if (auth.appliesTo(url)) {
            b.header(auth.header(), auth.value());
        }
        Call call = client.newCall(b.build());
        try {
            return new Exchange(call, call.execute());
        } catch (IOException e) {
            throw network(e, method + " " + Redact.url(url));
        }
    }

    /**
     * Bytes {@code [offset, offset+length)} of {@code url} (length &lt; 0: to the end) as a
     * stream that a close from another thread aborts at once.
     *
     * <p>A server that answers {@code 200} (the whole file) instead of {@code 206}: from offset 0
     * the body is exactly what was asked for, so it is used (bounded); from a small offset
     * (≤ {@value RangeStream#SKIP_LIMIT} bytes) the head is read and discarded; from further in,
     * the answer is dropped unread and a {@link dev.wan.source.RangeNotSupportedException} tells the
     * downloader to read this source as one plain stream instead — reading and discarding
     * gigabytes per chunk would be quadratic.
     */
    public InputStream range(HttpUrl url, Auth auth, long offset, long length, ErrorMapper errors) throws IOException {
        String spec = "bytes=" + offset + "-" + (length < 0 ? "" : Long.toString(offset + length - 1));
        Exchange ex = follow("GET", url, auth, List.<String[]>of(new String[] {"Range", spec}));
        Response r = ex.response();
        String what = "GET " + Redact.url(url) + " " + spec;
        try {
            if (r.code() == 206) {
                long start = ContentRange.start(r.header("Content-Range"));
                if (start != offset) {
                    throw new TransientSourceException(ErrorCode.SOURCE_UNAVAILABLE, what + ": the server sent "
                            + (start < 0 ? "no usable Content-Range" : "bytes from " + start) + " instead", null);
                }
                return new RangeStream(ex, length, 0, what, secrets);
            }
            if (r.code() == 200) {
                if (offset <= RangeStream.SKIP_LIMIT) {
                    return new RangeStream(ex, length, offset, what, secrets);
                }
                throw new dev.wan.source.RangeNotSupportedException(what
                        + ": the server ignored the Range header and answered 200 with the whole file");
            }
            if (r.code() == 416) {
                throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, what
                        + ": range not satisfiable (the file there is shorter than expected)", "");
            }
            throw errors.map(r, what);
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /**
     * Runs a metadata request (API call, HEAD) with retries: transient failures are retried with
     * the context's {@link RetryPolicy} (WAN_RETRIES, WAN_RETRY_BASE_MILLIS), or after the wait
     * the server asked for; when the budget runs out they become a {@link WanException} with their code.
     */
    public <T> T retrying(IoCall<T> call) throws IOException {
        for (int failures = 1; ; failures++) {
            try {
                return call.call();
            } catch (TransientSourceException e) {
                if (failures > retry.attempts()) {
                    throw new WanException(e.code(), e.getMessage() + " (gave up after " + failures + " tries)",
                            e.code() == ErrorCode.RATE_LIMIT ? "the server limits requests: retry later"
                                    : "retry later", List.of(), e);
                }
                sleep(retry.delay(failures, e.retryAfter()));
            }
        }
    }

    private static void sleep(Duration d) throws InterruptedIOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to retry");
        }
    }

    /** The status mapping every HTTP source shares (see {@link ErrorMapper}). */
    public IOException statusFailure(Response r, String what) {
        int code = r.code();
        String detail = what + ": HTTP " + code + serverText(r);
        if (code == 429) {
            return new TransientSourceException(ErrorCode.RATE_LIMIT, detail, retryAfter(r));
        }
        if (code == 408) {
            return new TransientSourceException(ErrorCode.NETWORK_TIMEOUT, detail, retryAfter(r));
        }
        if (code >= 500) {
            return new TransientSourceException(ErrorCode.SOURCE_UNAVAILABLE, detail, retryAfter(r));
        }
        if (code == 401 || code == 403) {
            throw new WanException(ErrorCode.AUTH_FAIL, detail,
                    "the server refused access: check the credentials, or whether a presigned URL has expired");
        }
        throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, detail, code == 404 ? "no such file at this source" : "");
    }

    private static Duration retryAfter(Response r) {
        return RetryAfter.parse(r.header("RateLimit"), r.header("Retry-After"));
    }

    /** A short, secret-free quote of what the server said ({@code X-Error-Message}), or "". */
    public String serverText(Response r) {
        String m = r.header("X-Error-Message");
        return m == null ? "" : " (" + Redact.text(m, secrets) + ")";
    }

    /** A network-level failure of one request, classified: returns the transient one, throws the permanent one. */
    IOException network(IOException e, String what) {
        String why = Redact.text(e.getMessage(), secrets);
        String text = what + ": " + e.getClass().getSimpleName() + (why.isEmpty() ? "" : " " + why);
        if (e instanceof TransientSourceException) {
            return e;
        }
        if (e instanceof UnknownHostException) {
            throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, what + ": unknown host", "check the URL (and HF_ENDPOINT)",
                    List.of(), null);
        }
        if (e instanceof SSLHandshakeException) {
            throw new WanException(ErrorCode.SOURCE_UNAVAILABLE, text, "check the server's TLS certificate",
                    List.of(), null);
        }
        if (e instanceof SocketTimeoutException || "timeout".equals(e.getMessage())) {
            return new TransientSourceException(ErrorCode.NETWORK_TIMEOUT, text, null);
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return new TransientSourceException(ErrorCode.SOURCE_UNAVAILABLE, text, null);
        }
        return new TransientSourceException(ErrorCode.SOURCE_UNAVAILABLE, text, null);
    }
}
