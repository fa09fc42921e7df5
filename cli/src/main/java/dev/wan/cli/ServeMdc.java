package dev.wan.cli;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import dev.wan.internal.log.LogContext;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request to {@code wan serve}, whatever endpoint answers it, gets a request id (MDC key
 * {@value #REQUEST}) for its lines and its jobs' lines, and one debug line with its status. A filter
 * on each context rather than a line in each handler, so no endpoint can be added without it.
 */
final class ServeMdc extends Filter {
    static final String REQUEST = "request";
    private static final Logger LOG = LoggerFactory.getLogger(ServeMdc.class);

    @Override
    @SuppressWarnings("try") // the request id is held for the block, never referenced
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        try (LogContext.Scope request = LogContext.put(REQUEST, LogContext.newId())) {
            try {
                chain.doFilter(exchange);
            } finally {
                LOG.debug("{} {} -> {}", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                        exchange.getResponseCode());
            }
        }
    }

    @Override
    public String description() {
        return "a request id for the log lines of each request";
    }
}
