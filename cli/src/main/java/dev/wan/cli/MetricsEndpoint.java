package dev.wan.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /metrics} of {@code wan serve}: {@link ServeMetrics} in the Prometheus text format
 * (or OpenMetrics when the scraper's Accept header asks for it). No token: like {@code /health*}
 * it reveals states and counts, never a secret, and scrapers are configured without one. GET and
 * HEAD only (405 otherwise), as the health endpoints.
 */
final class MetricsEndpoint implements HttpHandler {
    static final String PATH = "/metrics";
    private final ServeMetrics metrics;

    MetricsEndpoint(ServeMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            var headers = exchange.getResponseHeaders();
            headers.set("Cache-Control", "no-store");
            headers.set("X-Content-Type-Options", "nosniff");
            if (!exchange.getRequestURI().getRawPath().equals(PATH)) {
                plain(exchange, 404, "no endpoint here: try /metrics\n");
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                headers.set("Allow", "GET, HEAD");
                plain(exchange, 405, "method not allowed: /metrics answers GET and HEAD\n");
                return;
            }
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
            String type;
            try {
                type = metrics.scrape(accept, body);
            } catch (RuntimeException e) {
                plain(exchange, 500, "internal error (" + e.getClass().getSimpleName()
                        + "): rerun 'wan serve --verbose' and report it\n");
                return;
            }
            headers.set("Content-Type", type);
            boolean head = method.equals("HEAD");
            exchange.sendResponseHeaders(200, head ? -1 : body.size());
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    body.writeTo(out);
                }
            }
        } finally {
            exchange.close();
        }
    }

    private static void plain(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
