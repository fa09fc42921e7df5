package dev.wan.internal.log;

import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.MDC;

/**
 * The MDC keys wan tags its log lines with (README "Logs"), and the hand-over of the MDC to the
 * worker threads of a job: an MDC is per thread, so a task submitted to a pool carries its
 * submitter's (the job, model, HTTP request it works for) with it. Without an SLF4J binding every
 * call here is a no-op.
 */
public final class LogContext {
    /** One ensure job (one model variant made complete). */
    public static final String JOB = "job";
    public static final String MODEL = "model";
    /** A source as the manifest names it, credentials and query strings removed. */
    public static final String SOURCE = "source";
    /** A file's path in its model. */
    public static final String FILE = "file";

    private LogContext() {
    }

    /** A short random id (8 hex digits): unique enough to tell the jobs of one log apart. */
    public static String newId() {
        String hex = Integer.toHexString(ThreadLocalRandom.current().nextInt());
        return "0".repeat(8 - hex.length()) + hex; // not String.format: its first call costs milliseconds
    }

    /** Sets {@code key} until the scope is closed, then restores what it was (nested scopes nest). */
    public static Scope put(String key, String value) {
        String before = MDC.get(key);
        MDC.put(key, value);
        return () -> {
            if (before == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, before);
            }
        };
    }

    /** {@code task}, run with the MDC of the thread calling this (the submitter), restored after. */
    public static <T> Callable<T> inherit(Callable<T> task) {
        Map<String, String> submitter = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> own = MDC.getCopyOfContextMap();
            set(submitter);
            try {
                return task.call();
            } finally {
                set(own);
            }
        };
    }

    /** As {@link #inherit(Callable)} for a {@link Runnable}. */
    public static Runnable inherit(Runnable task) {
        Map<String, String> submitter = MDC.getCopyOfContextMap();
        return () -> {
            Map<String, String> own = MDC.getCopyOfContextMap();
            set(submitter);
            try {
                task.run();
            } finally {
                set(own);
            }
        };
    }

    private static void set(Map<String, String> context) {
        if (context == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(context);
        }
    }

    /** An MDC entry's lifetime; closing never throws. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
