package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Concurrent callers share one read, and never one that started before they arrived. */
class SharedReadTest {
    @Test
    void callersArrivingDuringAReadShareTheNextOneNotTheRunningOne() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch firstMayEnd = new CountDownLatch(1);
        CountDownLatch firstStarted = new CountDownLatch(1);
        SharedRead<Integer> shared = new SharedRead<>(() -> {
            int n = reads.incrementAndGet();
            if (n == 1) {
                firstStarted.countDown();
                try {
                    firstMayEnd.await(60, TimeUnit.SECONDS); // the store changes while this read runs
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return n;
        });
        ExecutorService callers = Executors.newFixedThreadPool(9);
        try {
            Future<Integer> first = callers.submit(shared::get);
            firstStarted.await(60, TimeUnit.SECONDS);
            List<Future<Integer>> later = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                later.add(callers.submit(shared::get));
            }
            for (int i = 0; i < 1200 && shared.waiting() < 8; i++) {
                Thread.sleep(10); // until all eight wait (a guard against a hang, not a measurement)
            }
            assertEquals(8, shared.waiting(), "the eight callers wait while the first read runs");

            firstMayEnd.countDown();
            List<Integer> got = new ArrayList<>();
            for (Future<Integer> f : later) {
                got.add(f.get(60, TimeUnit.SECONDS));
            }

            assertEquals(1, first.get(60, TimeUnit.SECONDS));
            assertEquals(List.of(2, 2, 2, 2, 2, 2, 2, 2), got, "all share read 2, which started after they came");
            assertEquals(2, reads.get(), "nine callers, two reads");
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aFailedReadFailsEveryoneWhoSharedItAndTheNextCallReadsAgain() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        SharedRead<Integer> shared = new SharedRead<>(() -> {
            if (reads.incrementAndGet() == 1) {
                throw new IllegalStateException("store unreadable");
            }
            return reads.get();
        });

        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, shared::get);
        int again = shared.get();

        assertEquals("store unreadable", e.getMessage());
        assertEquals(2, again);
    }
}
