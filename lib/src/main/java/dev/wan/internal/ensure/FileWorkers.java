package dev.wan.internal.ensure;

import dev.wan.ErrorCode;
import dev.wan.WanException;
import dev.wan.internal.log.LogContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/** The file-level parallelism of one ensure job, and of a verify. */
public final class FileWorkers {
    private FileWorkers() {
    }

    /** Runs {@code work} for every item, {@code parallel} at a time, keeping the input order. */
    public static <T, R> List<R> map(List<T> todo, int parallel, Function<T, R> work) {
        if (parallel <= 1 || todo.size() <= 1) {
            return todo.stream().map(work).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(
                Math.min(parallel, todo.size()), r -> {
                    Thread t = new Thread(r, "wan-file");
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<Future<R>> futures = todo.stream()
                    .map(f -> pool.submit(LogContext.inherit(() -> work.apply(f)))).toList();
            List<R> outcomes = new ArrayList<>();
            for (Future<R> f : futures) {
                try {
                    outcomes.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    // cancelled (wan shell's Ctrl-C, an embedding application): INTERRUPTED, exit 130
                    throw new WanException(ErrorCode.INTERRUPTED, "interrupted while fetching files",
                            "run the same command again: it resumes");
                }
            }
            return outcomes;
        } finally {
            Pools.stopAndWait(pool); // before the job cleans staging and releases the lock
        }
    }
}
