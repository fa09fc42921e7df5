package dev.wan.testkit.hub;

/**
 * One request as the test server saw it.
 *
 * @param connection  the TCP connection's number (1, 2, …), to tell parallel connections apart
 * @param host        the host name the client addressed (Host header, without the port)
 * @param path        the raw (still percent-encoded) path
 * @param query       the raw query string, or null
 * @param range       the Range header, or null
 * @param bearer      the token of an {@code Authorization: Bearer} header, or null when none was sent
 * @param authorization whether any Authorization header was sent
 * @param status      the status answered
 */
public record LoggedRequest(long connection, String method, String host, String path, String query, String range,
                            String bearer, boolean authorization, int status) {
    public boolean isDownload() {
        return method.equals("GET") && (path.startsWith("/cdn/") || path.contains("/resolve-cache/")
                || path.startsWith("/static/") || path.contains("/resolve/") && (status == 200 || status == 206));
    }

    @Override
    public String toString() {
        return "#" + connection + " " + method + " " + host + path + (query == null ? "" : "?…")
                + (range == null ? "" : " [" + range + "]") + (authorization ? " +auth" : "") + " → " + status;
    }
}
