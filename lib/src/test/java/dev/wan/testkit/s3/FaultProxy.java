package dev.wan.testkit.s3;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;

/**
 * A loopback HTTP/1.1 proxy between a client and an S3 server that misbehaves on request: it cuts
 * object bodies, stalls, corrupts bytes, answers 503/SlowDown/429 without forwarding, ignores Range,
 * caps each connection's rate, and logs every request (method, target, Range header, status).
 *
 * <p>Requests are forwarded byte for byte, Host header included, so SigV4 signatures stay valid.
 * Because SigV4 signs the Range header, "ignore Range" cannot strip it: the proxy answers 200 with
 * the whole object, fetched through {@link #wholeObject} (e.g. the S3Proxy admin client).
 *
 * <p>A fault applies to the next {@code times} requests it matches (object GETs unless said
 * otherwise), then the proxy forwards faithfully again.
 */
public final class FaultProxy implements Closeable {
    /** What goes wrong. */
    public enum Mode {
        /** Send the headers and {@code atByte} bytes of the body, then close the connection. */
        CUT_BODY,
        /** Send {@code atByte} bytes, then send nothing for {@code stallMillis} (the rest follows, if the client waited). */
        STALL,
        /** Flip one bit of the body byte at {@code atByte}; length and headers unchanged. */
        WRONG_BYTES,
        /** 503 Service Unavailable (InternalError), not forwarded. */
        SERVER_ERROR,
        /** 503 SlowDown with Retry-After: 0, not forwarded. */
        SLOW_DOWN,
        /** 429 Too Many Requests with Retry-After: 0, not forwarded. */
        TOO_MANY_REQUESTS,
        /** 403 AccessDenied, not forwarded. */
        ACCESS_DENIED,
        /** 404 NoSuchKey, not forwarded. */
        NOT_FOUND,
        /** A ranged GET is answered 200 with the whole object. */
        IGNORE_RANGE
    }

    /**
     * One planned misbehaviour. {@code atByte} counts from the start of each response body.
     * {@code method}: "GET", "HEAD" or "*"; {@code pathSuffix}: only
     * object paths ending so ("" for all). Listings are never faulted.
     */
    public record Fault(Mode mode, int times, long atByte, long stallMillis, String method, String pathSuffix) {
        public static Fault of(Mode mode, int times) {
            return new Fault(mode, times, 0, 0, "GET", "");
        }

        public Fault at(long byteOffset) {
            return new Fault(mode, times, byteOffset, stallMillis, method, pathSuffix);
        }

        public Fault stallFor(long millis) {
            return new Fault(mode, times, atByte, millis, method, pathSuffix);
        }

        public Fault on(String httpMethod) {
            return new Fault(mode, times, atByte, stallMillis, httpMethod, pathSuffix);
        }

        public Fault onPathEndingWith(String suffix) {
            return new Fault(mode, times, atByte, stallMillis, method, suffix);
        }

        Fault once() {
            return new Fault(mode, times - 1, atByte, stallMillis, method, pathSuffix);
        }

        boolean matches(String httpMethod, String path) {
            return (method.equals("*") || method.equals(httpMethod)) && path.endsWith(pathSuffix);
        }
    }

    /** One request as the proxy saw it, and the status it answered. */
    public record Request(String method, String target, String range, int status, Mode fault) {
        /** The path without the query. */
        public String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        /** {@code [first, last]} of a "bytes=first-last" Range, or null. */
        public long[] byteRange() {
            if (range == null || !range.startsWith("bytes=")) {
                return null;
            }
            String[] parts = range.substring(6).split("-", -1);
            long first = Long.parseLong(parts[0]);
            return new long[] {first, parts[1].isEmpty() ? Long.MAX_VALUE : Long.parseLong(parts[1])};
        }
    }

    private final ServerSocket server;
    private final URI upstream;
    private final Map<String, dev.wan.testkit.InFlightGauge> bodies = new ConcurrentHashMap<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final List<Request> log = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private volatile long bytesPerSecond;
    private volatile BiFunction<String, String, byte[]> wholeObject;
    private volatile boolean closed;

    private FaultProxy(ServerSocket server, URI upstream) {
        this.server = server;
        this.upstream = upstream;
        pool.submit(this::acceptLoop);
    }

    /** A proxy on a free loopback port in front of {@code upstream} (http://host:port). */
    public static FaultProxy start(URI upstream) throws IOException {
        return new FaultProxy(new ServerSocket(0, 100, InetAddress.getLoopbackAddress()), upstream);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Queues a fault; faults apply in the order added, each for its {@code times} matching requests. */
    public synchronized FaultProxy add(Fault fault) {
        faults.add(fault);
        return this;
    }

    /** Forwards faithfully from now on (the rate cap stays). */
    public synchronized FaultProxy clearFaults() {
        faults.clear();
        return this;
    }

    /** Caps every connection at this many body bytes per second; 0 lifts the cap. */
    public FaultProxy rateLimit(long bytesPerSecondPerConnection) {
        this.bytesPerSecond = bytesPerSecondPerConnection;
        return this;
    }

    /** How {@link Mode#IGNORE_RANGE} gets a whole object: (bucket, key) → bytes. */
    public FaultProxy wholeObject(BiFunction<String, String, byte[]> fetch) {
        this.wholeObject = fetch;
        return this;
    }

    public List<Request> log() {
        return List.copyOf(log);
    }

    public void clearLog() {
        log.clear();
        bodies.clear();
    }

    /** The most response bodies for paths ending with {@code suffix} relayed at the same time (since {@link #clearLog}). */
    public int mostBodiesAtOnce(String suffix) {
        return bodies.entrySet().stream().filter(e -> e.getKey().endsWith(suffix))
                .mapToInt(e -> e.getValue().most()).max().orElse(0);
    }

    /** The logged requests for one object key (path-style: /bucket/key). */
    public List<Request> requestsFor(String bucket, String key) {
        String path = "/" + bucket + "/" + key;
        return log().stream().filter(r -> r.path().equals(path)).toList();
    }

    private synchronized Fault take(String method, String target) {
        if (!isObjectRequest(target)) {
            return null;
        }
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        for (int i = 0; i < faults.size(); i++) {
            Fault f = faults.get(i);
            if (f.matches(method, path)) {
                if (f.times() <= 1) {
                    faults.remove(i);
                } else {
                    faults.set(i, f.once());
                }
                return f;
            }
        }
        return null;
    }

    /** /bucket/key (not /bucket?list-type=2, not /healthz). */
    private static boolean isObjectRequest(String target) {
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        int second = path.indexOf('/', 1);
        return second > 0 && second < path.length() - 1;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                pool.submit(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    e.printStackTrace();
                }
                return;
            }
        }
    }

    private void serve(Socket client) {
        Socket up = null;
        InputStream upIn = null;
        try (client) {
            client.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(client.getInputStream(), 64 * 1024);
            OutputStream out = client.getOutputStream();
            while (!closed) {
                Head req = Head.read(in);
                if (req == null) {
                    return;
                }
                byte[] body = in.readNBytes((int) req.contentLength());
                Fault fault = take(req.method(), req.target());
                Mode mode = fault == null ? null : fault.mode();
                if (mode != null && canned(mode)) {
                    int status = answerCanned(out, req, mode);
                    log.add(new Request(req.method(), req.target(), req.header("range"), status, mode));
                    continue;
                }
                if (mode == Mode.IGNORE_RANGE && req.header("range") != null && wholeObject != null) {
                    answerWhole(out, req);
                    log.add(new Request(req.method(), req.target(), req.header("range"), 200, mode));
                    continue;
                }
                if (up == null || up.isClosed()) {
                    up = new Socket(upstream.getHost(), upstream.getPort());
                    up.setTcpNoDelay(true);
                    sockets.add(up);
                    upIn = new BufferedInputStream(up.getInputStream(), 64 * 1024);
                }
                OutputStream upOut = up.getOutputStream();
                upOut.write(req.raw());
                upOut.write(body);
                upOut.flush();
                Head resp = Head.read(upIn);
                if (resp == null) {
                    return;
                }
                log.add(new Request(req.method(), req.target(), req.header("range"), resp.status(), mode));
                out.write(resp.raw());
                boolean keep;
                dev.wan.testkit.InFlightGauge gauge = bodies.computeIfAbsent(req.target().split("\\?", 2)[0],
                        p -> new dev.wan.testkit.InFlightGauge());
                gauge.enter();
                try {
                    keep = relayBody(upIn, out, req, resp, fault);
                } finally {
                    gauge.exit();
                }
                out.flush();
                if (!keep) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client or the server went away: that ends this connection
        } finally {
            if (up != null) {
                try {
                    up.close();
                } catch (IOException ignored) {
                    // closing
                }
                sockets.remove(up);
            }
            sockets.remove(client);
        }
    }

    private static boolean canned(Mode m) {
        return m == Mode.SERVER_ERROR || m == Mode.SLOW_DOWN || m == Mode.TOO_MANY_REQUESTS
                || m == Mode.ACCESS_DENIED || m == Mode.NOT_FOUND;
    }

    private static int answerCanned(OutputStream out, Head req, Mode mode) throws IOException {
        int status;
        String code;
        String reason;
        String extra = "";
        switch (mode) {
            case SLOW_DOWN -> {
                status = 503;
                code = "SlowDown";
                reason = "Slow Down";
                extra = "Retry-After: 0\r\n";
            }
            case TOO_MANY_REQUESTS -> {
                status = 429;
                code = "TooManyRequests";
                reason = "Too Many Requests";
                extra = "Retry-After: 0\r\n";
            }
            case ACCESS_DENIED -> {
                status = 403;
                code = "AccessDenied";
                reason = "Forbidden";
            }
            case NOT_FOUND -> {
                status = 404;
                code = "NoSuchKey";
                reason = "Not Found";
            }
            default -> {
                status = 503;
                code = "ServiceUnavailable";
                reason = "Service Unavailable";
            }
        }
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + reason + " (fault injected)</Message><RequestId>fault</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/xml\r\n" + extra
                + "Content-Length: " + xml.length + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        if (!req.method().equals("HEAD")) {
            out.write(xml);
        }
        out.flush();
        return status;
    }

    private void answerWhole(OutputStream out, Head req) throws IOException {
        String path = req.target().contains("?") ? req.target().substring(0, req.target().indexOf('?')) : req.target();
        int second = path.indexOf('/', 1);
        String bucket = path.substring(1, second);
        String key = java.net.URLDecoder.decode(path.substring(second + 1), StandardCharsets.UTF_8);
        byte[] all = wholeObject.apply(bucket, key);
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + all.length
                + "\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        writeThrottled(out, all, 0, all.length);
        out.flush();
    }

    /** Copies one response body; false when the connection must end (cut, unknown length). */
    private boolean relayBody(InputStream upIn, OutputStream out, Head req, Head resp, Fault fault) throws IOException {
        if (req.method().equals("HEAD") || resp.status() == 204 || resp.status() == 304 || resp.status() / 100 == 1) {
            return true;
        }
        if ("chunked".equalsIgnoreCase(resp.header("transfer-encoding"))) {
            relayChunked(upIn, out);
            return true;
        }
        long length = resp.contentLength();
        if (length < 0 || resp.header("content-length") == null) {
            upIn.transferTo(out);
            return false;
        }
        Mode mode = fault == null ? null : fault.mode();
        byte[] buf = new byte[16 * 1024];
        long sent = 0;
        while (sent < length) {
            int want = (int) Math.min(buf.length, length - sent);
            if (mode != null && fault.atByte() > sent && fault.atByte() < sent + want
                    && (mode == Mode.CUT_BODY || mode == Mode.STALL)) {
                want = (int) (fault.atByte() - sent); // stop exactly at the fault
            }
            if (mode == Mode.CUT_BODY && sent == fault.atByte()) {
                out.flush();
                return false;
            }
            if (mode == Mode.STALL && sent == fault.atByte()) {
                out.flush();
                stall(fault.stallMillis());
                mode = null;
                continue;
            }
            int n = upIn.read(buf, 0, want);
            if (n < 0) {
                return false;
            }
            if (mode == Mode.WRONG_BYTES && fault.atByte() >= sent && fault.atByte() < sent + n) {
                buf[(int) (fault.atByte() - sent)] ^= 0x01;
            }
            writeThrottled(out, buf, 0, n);
            sent += n;
        }
        return true; // a fault point at or beyond the end never happened
    }

    private void stall(long millis) throws IOException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < until) {
            if (closed) {
                throw new IOException("proxy closed");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            }
        }
    }

    private void writeThrottled(OutputStream out, byte[] b, int off, int len) throws IOException {
        long rate = bytesPerSecond;
        if (rate <= 0) {
            out.write(b, off, len);
            return;
        }
        int piece = (int) Math.max(1024, Math.min(16 * 1024, rate / 50));
        for (int done = 0; done < len; ) {
            int n = Math.min(piece, len - done);
            long start = System.nanoTime();
            out.write(b, off + done, n);
            done += n;
            long due = (long) (n * 1e9 / rate) - (System.nanoTime() - start);
            if (due > 0) {
                try {
                    Thread.sleep(due / 1_000_000, (int) (due % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
        }
    }

    private static void relayChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = Head.line(in);
            if (sizeLine == null) {
                throw new IOException("chunked body ended early");
            }
            out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
            if (size == 0) {
                String trailer;
                while ((trailer = Head.line(in)) != null && !trailer.isEmpty()) {
                    out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            byte[] data = in.readNBytes((int) size);
            out.write(data);
            Head.line(in); // CRLF after the chunk
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        pool.shutdownNow();
    }

    /** A request or response head: first line, headers, and the raw bytes to forward unchanged. */
    private record Head(String first, List<String[]> headers, byte[] raw) {
        static Head read(InputStream in) throws IOException {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            String first = line(in, raw);
            if (first == null) {
                return null;
            }
            List<String[]> headers = new ArrayList<>();
            String l;
            while ((l = line(in, raw)) != null && !l.isEmpty()) {
                int colon = l.indexOf(':');
                if (colon > 0) {
                    headers.add(new String[] {l.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                            l.substring(colon + 1).strip()});
                }
            }
            if (l == null) {
                return null;
            }
            return new Head(first, headers, raw.toByteArray());
        }

        static String line(InputStream in) throws IOException {
            return line(in, null);
        }

        private static String line(InputStream in, ByteArrayOutputStream raw) throws IOException {
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0) {
                if (raw != null) {
                    raw.write(c);
                }
                if (c == '\n') {
                    int len = sb.length();
                    return len > 0 && sb.charAt(len - 1) == '\r' ? sb.substring(0, len - 1) : sb.toString();
                }
                sb.append((char) c);
            }
            return sb.length() == 0 ? null : sb.toString();
        }

        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equals(name)) {
                    return h[1];
                }
            }
            return null;
        }

        String method() {
            return first.substring(0, first.indexOf(' '));
        }

        String target() {
            String[] parts = first.split(" ");
            return parts.length > 1 ? parts[1] : "";
        }

        int status() {
            String[] parts = first.split(" ");
            return parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        }

        long contentLength() {
            String v = header("content-length");
            return v == null ? 0 : Long.parseLong(v);
        }
    }
}
