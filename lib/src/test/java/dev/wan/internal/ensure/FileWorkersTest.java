package dev.wan.internal.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Files in parallel (ensure, verify): bounded, in input order, failures passed on. */
class FileWorkersTest {
    @Test
    void runsAtMostParallelAtOnceAndKeepsTheInputOrder() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CyclicBarrier pair = new CyclicBarrier(2); // two must meet: the work really runs side by side
        List<Integer> in = IntStream.range(0, 12).boxed().toList();

        List<Integer> out = FileWorkers.map(in, 2, i -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                pair.await(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the other worker never came", e);
            } finally {
                running.decrementAndGet();
            }
            return i * 10;
        });

        assertEquals(in.stream().map(i -> i * 10).toList(), out);
        assertEquals(2, most.get());
    }

    @Test
    void oneAtATimeRunsOnTheCallersThread() {
        Thread caller = Thread.currentThread();
        List<Boolean> same = FileWorkers.map(List.of(1, 2, 3), 1, i -> Thread.currentThread() == caller);
        assertTrue(same.stream().allMatch(b -> b));
    }

    @Test
    void aFailurePassesOnUnchanged() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FileWorkers.map(List.of(1, 2, 3), 2, i -> {
                    if (i == 2) {
                        throw new IllegalArgumentException("bad " + i);
                    }
                    return i;
                }));
        assertEquals("bad 2", e.getMessage());
    }
}
