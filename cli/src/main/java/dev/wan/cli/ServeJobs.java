package dev.wan.cli;

import dev.wan.ErrorCode;
import dev.wan.WanConfig;
import dev.wan.WanException;
import dev.wan.ensure.ModelEnsurer;
import dev.wan.event.EventListener;
import dev.wan.internal.log.LogContext;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ensures {@code wan serve --allow-ensure} runs for HTTP clients, bounded everywhere: at most
 * {@code running} at once, at most {@code queued} waiting (a full queue is refused, never grown),
 * the last {@code remembered} finished ones kept for {@code GET /jobs/ID} (the oldest forgotten
 * first). A request for a model and variant that already has a queued or running job joins it.
 *
 * <p>Each job gets its own {@link ModelEnsurer} over the server's configuration (the one
 * {@code wan ensure} would use: same MODELS_ROOT, manifest as it is on disk now, settings, lock
 * timeout), so its events are its own and its lock waits are the CLI's: another process ensuring
 * the model makes the job wait, then find the model complete. {@link #close} interrupts running
 * jobs and waits for them: an interrupted ensure publishes nothing and keeps its staging for the
 * next run, as {@code wan ensure} does on Ctrl-C.
 */
final class ServeJobs implements AutoCloseable {
    static final int RUNNING = 2;
    static final int QUEUED = 8;
    static final int REMEMBERED = 100;
    /** On close, how long running jobs get to notice the interrupt and clean up. */
    private static final long CLOSE_SECONDS = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new job could not be queued: the queue is full, or the server is stopping. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean stopping;

        Refused(String message, boolean stopping) {
            super(message);
            this.stopping = stopping;
        }

        boolean stopping() {
            return stopping;
        }
    }

    /** A job and whether this request joined it (rather than started it). */
    record Submitted(ServeJob job, boolean joined) {
    }

    private final WanConfig config;
    private final EventListener extra;
    private final Clock clock;
    private final int remembered;
    private final ThreadPoolExecutor pool;
    /** Guarded by this: every job a client may still ask for, by id. */
    private final Map<String, ServeJob> byId = new HashMap<>();
    /** Guarded by this: queued and running jobs, by what they ensure. */
    private final Map<ServeJob.Key, ServeJob> active = new HashMap<>();
    /** Guarded by this: finished jobs, oldest first. */
    private final ArrayDeque<ServeJob> finished = new ArrayDeque<>();
    private boolean closed;

    /**
     * {@code extra} hears every job's events too (e.g. metrics); like every listener it must be fast
     * and must not throw (a throw is logged once and ignored).
     */
    ServeJobs(WanConfig config, EventListener extra, int running, int queued, int remembered) {
        this.config = config;
        this.extra = extra;
        this.clock = Clock.systemUTC();
        this.remembered = remembered;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(running, running, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queued), r -> {
            Thread t = new Thread(r, "wan-serve-ensure-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    ServeJobs(WanConfig config, EventListener extra) {
        this(config, extra, RUNNING, QUEUED, REMEMBERED);
    }

    /** Queues an ensure of {@code model} (canonical id) and {@code variant} (resolved), or joins the one queued or running. */
    synchronized Submitted submit(String model, String variant) throws Refused {
        if (closed) {
            throw new Refused("the server is stopping: no new jobs", true);
        }
        ServeJob.Key key = new ServeJob.Key(model, variant);
        ServeJob running = active.get(key);
        if (running != null) {
            return new Submitted(running, true);
        }
        ServeJob job = new ServeJob(newId(), key, clock);
        try {
            pool.execute(new Task(job));
        } catch (RejectedExecutionException e) {
            throw new Refused(pool.getQueue().size() + " jobs are queued behind " + pool.getMaximumPoolSize()
                    + " running, the most this server keeps waiting", false);
        }
        active.put(key, job);
        byId.put(job.id(), job);
        return new Submitted(job, false);
    }

    synchronized Optional<ServeJob> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** A queued job: what {@link ThreadPoolExecutor#shutdownNow} hands back names the jobs that never ran. */
    private final class Task implements Runnable {
        final ServeJob job;
        /** The job with the submitting request's log context: its lines carry that request's id. */
        private final Runnable body;

        Task(ServeJob job) {
            this.job = job;
            this.body = LogContext.inherit(() -> ServeJobs.this.run(job));
        }

        @Override
        public void run() {
            body.run();
        }
    }

    @SuppressWarnings("try") // the job id is held for the block, never referenced
    private void run(ServeJob job) {
        // the job's log lines carry the id its client polls (EnsureJob keeps an id set by its caller)
        try (LogContext.Scope id = LogContext.put(LogContext.JOB, job.id())) {
            job.running();
            if (Thread.currentThread().isInterrupted()) {
                throw interrupted();
            }
            ModelEnsurer ensurer = ModelEnsurer.create(config, clock, List.of());
            ensurer.requireHandledSchemes(); // as the CLI's ensurer does (Common.ensurer)
            ensurer.addListener(job);
            if (extra != EventListener.NONE) {
                ensurer.addListener(extra);
            }
            Path dir = ensurer.ensure(job.key().model(), job.key().variant());
            job.succeeded(dir);
        } catch (WanException e) {
            // stopped while waiting for the lock reads as a lock timeout in the lib: say what happened
            job.failed(Thread.currentThread().isInterrupted() && e.code() != ErrorCode.INTERRUPTED ? interrupted() : e);
        } catch (RuntimeException e) {
            job.failed(WanException.internal("model " + job.key().model(), e));
        } finally {
            done(job);
        }
    }

    private synchronized void done(ServeJob job) {
        active.remove(job.key(), job);
        finished.addLast(job);
        while (finished.size() > remembered) {
            byId.remove(finished.removeFirst().id());
        }
    }

    /**
     * Stops taking jobs, fails the queued ones as INTERRUPTED, interrupts the running ones and waits
     * (bounded) until they have stopped.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (Runnable never : pool.shutdownNow()) {
                ServeJob job = ((Task) never).job;
                job.failed(interrupted());
                done(job);
            }
        }
        try {
            pool.awaitTermination(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static WanException interrupted() {
        return new WanException(ErrorCode.INTERRUPTED, "wan serve stopped before this job finished",
                "post the job again once the server is back; what was fetched is kept and resumed");
    }

    /** 128 random bits: a job id cannot be guessed from another one. */
    private static String newId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
