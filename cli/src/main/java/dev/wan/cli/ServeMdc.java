package dev.wan.cli;

import dev.wan.internal.log.LogContext;

/** The MDC key of one HTTP request to {@code wan serve}: its lines (and its jobs') carry it. */
final class ServeMdc {
    static final String REQUEST = "request";

    private ServeMdc() {
    }

    /** Sets a fresh request id for the handler's block. */
    static LogContext.Scope request() {
        return LogContext.put(REQUEST, LogContext.newId());
    }
}
