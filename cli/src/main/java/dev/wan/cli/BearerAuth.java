package dev.wan.cli;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Set;

/**
 * The token check of {@code wan serve --allow-ensure}: a request must say
 * {@code Authorization: Bearer TOKEN}, or it gets 401 with {@code WWW-Authenticate: Bearer} (RFC
 * 6750), before its handler sees it. {@code open} names the exact paths that need no token (the
 * health endpoints under this context, {@code /metrics}): probes and scrapers call them without
 * one. The comparison takes the same time whatever matches ({@link ServeToken#matches}); neither
 * the token nor what a client sent is ever logged or sent back.
 */
final class BearerAuth extends Filter {
    private static final String SCHEME = "Bearer ";

    private final ServeToken token;
    private final boolean healthOpen;

    /** {@code healthOpen}: {@code /health}, {@code /health/...} and {@code /metrics} pass without a token. */
    BearerAuth(ServeToken token, boolean healthOpen) {
        this.token = token;
        this.healthOpen = healthOpen;
    }

    /** The paths probes and scrapers call without a token. */
    static boolean open(String rawPath) {
        return rawPath.equals("/health") || rawPath.startsWith("/health/") || OPEN.contains(rawPath);
    }

    private static final Set<String> OPEN = Set.of("/metrics");

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (healthOpen && path != null && open(path)) {
            chain.doFilter(exchange);
            return;
        }
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        boolean sent = header != null && header.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
        if (sent && token.matches(header.substring(SCHEME.length()).strip())) {
            chain.doFilter(exchange);
            return;
        }
        try {
            exchange.getResponseHeaders().set("WWW-Authenticate", sent
                    ? "Bearer realm=\"wan serve\", error=\"invalid_token\"" : "Bearer realm=\"wan serve\"");
            HealthEndpoints.send(exchange, HealthEndpoints.Answer.error(401, (sent ? "the bearer token is not this"
                    + " server's" : "this endpoint needs the server's token") + ": send 'Authorization: Bearer TOKEN'"
                    + " with the token of WAN_SERVE_TOKEN or --token-file the server was started with"));
        } finally {
            exchange.close();
        }
    }

    @Override
    public String description() {
        return "bearer token";
    }
}
