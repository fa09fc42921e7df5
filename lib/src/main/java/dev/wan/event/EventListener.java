package dev.wan.event;

import org.slf4j.LoggerFactory;

/**
 * Receives {@link WanEvent}s. Listeners are called on worker threads, must be fast, must not
 * throw and must not take locks that workers might hold (as OkHttp asks of its EventListener).
 */
@FunctionalInterface
public interface EventListener {
    EventListener NONE = e -> { };

    void on(WanEvent event);

    /** Calls both; a failing listener is isolated so it cannot break a download. */
    default EventListener and(EventListener other) {
        return e -> {
            safely(this, e);
            safely(other, e);
        };
    }

    private static void safely(EventListener l, WanEvent e) {
        try {
            l.on(e);
        } catch (RuntimeException swallowed) {
            LoggerFactory.getLogger(EventListener.class).debug(
                    "listener {} threw on {}; ignored: a listener bug must never fail the work it observes",
                    l.getClass().getName(), e.getClass().getSimpleName(), swallowed);
        }
    }
}
