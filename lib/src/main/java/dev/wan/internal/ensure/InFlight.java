package dev.wan.internal.ensure;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Content being fetched right now by some ensure of this JVM, by sha256. When two models that
 * share a file are ensured at once (ensureBatch, {@code ensure --all}), the second waits for the
 * first's copy and links it instead of downloading the same bytes again. (Across processes the
 * index only knows committed models; two processes ensuring different models that share a file at
 * the same moment may both fetch it.)
 *
 * <p>Why a wait always ends: a job settles each of its claims while it works on its own files
 * (completed when the copy is staged, released as soon as its fetch fails or is skipped), and it
 * waits for other jobs' content only after that. So no job holds an unsettled claim while it waits,
 * and two jobs can never wait on each other.
 */
public final class InFlight {
    private static final ConcurrentHashMap<String, CompletableFuture<Copy>> FETCHING = new ConcurrentHashMap<>();

    /** A verified staged copy: the model that staged it, its path in that model, the staged file. */
    record Copy(String model, String path, Path file) {
    }

    private InFlight() {
    }

    /** Claims the content for {@code mine}; returns false when another job is already fetching it. */
    static boolean claim(String sha256, CompletableFuture<Copy> mine) {
        return FETCHING.putIfAbsent(sha256, mine) == null;
    }

    /**
     * Waits for whoever fetches this content; null when nobody does, when that fetch failed, or
     * when the waiting thread is interrupted (its job is being stopped).
     */
    static Copy await(String sha256) {
        CompletableFuture<Copy> f = FETCHING.get(sha256);
        if (f == null) {
            return null;
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    /**
     * Ends a claim: after the claimant's commit, or at once when its fetch failed. Waiters of a
     * failed fetch get null and fetch themselves; a completed claim keeps its copy.
     */
    static void release(String sha256, CompletableFuture<Copy> mine) {
        mine.complete(null);
        FETCHING.remove(sha256, mine);
    }
}
