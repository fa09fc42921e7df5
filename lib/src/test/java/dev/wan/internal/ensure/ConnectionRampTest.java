package dev.wan.internal.ensure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The automatic connection count: measured rates in, connection counts out (no clock, no network). */
class ConnectionRampTest {
    private static final long WINDOW = 250_000_000L;

    /** Bytes one window moves at {@code mbps} MB/s. */
    private static long at(double mbps) {
        return (long) (mbps * 1e6 * WINDOW / 1e9);
    }

    /** A window right after a change: ignored, whatever it measured. */
    private static void warmUp(ConnectionRamp r) {
        int before = r.connections();
        assertEquals(before, r.observe(0, WINDOW));
    }

    @Test
    void theWindowAfterEachChangeIsWarmUpNotEvidence() {
        ConnectionRamp r = new ConnectionRamp(16);
        assertEquals(1, r.observe(at(1), WINDOW)); // connecting: not judged
        assertEquals(2, r.observe(at(50), WINDOW));
        assertEquals(2, r.observe(at(10), WINDOW)); // the new connection is still connecting: not judged
        assertEquals(4, r.observe(at(100), WINDOW));
        assertFalse(r.settled());
    }

    @Test
    void startsWithOneConnection() {
        assertEquals(1, new ConnectionRamp(16).connections());
    }

    @Test
    void aPathOneConnectionSaturatesStaysAtOne() {
        ConnectionRamp r = new ConnectionRamp(16);
        warmUp(r);
        assertEquals(2, r.observe(at(800), WINDOW)); // nothing to compare with yet: try two
        warmUp(r);
        assertEquals(1, r.observe(at(850), WINDOW)); // +6 %: not worth a connection
        assertTrue(r.settled());
        warmUp(r);
        assertEquals(1, r.observe(at(100), WINDOW)); // settled: a later dip changes nothing
    }

    @Test
    void aPerConnectionCapDoublesUpToTheMaximum() {
        ConnectionRamp r = new ConnectionRamp(16);
        int n = 1;
        for (int i = 0; i < 4; i++) {
            warmUp(r);
            n = r.observe(at(50.0 * n), WINDOW); // 50 MB/s per connection, scaling perfectly
        }
        assertEquals(16, n);
        assertFalse(r.settled());
        warmUp(r);
        assertEquals(16, r.observe(at(800), WINDOW));
        assertTrue(r.settled());
    }

    @Test
    void stopsAtTheLastCountThatPaid() {
        ConnectionRamp r = new ConnectionRamp(16);
        warmUp(r);
        assertEquals(2, r.observe(at(50), WINDOW));
        warmUp(r);
        assertEquals(4, r.observe(at(100), WINDOW));
        warmUp(r);
        assertEquals(8, r.observe(at(200), WINDOW));
        warmUp(r);
        assertEquals(4, r.observe(at(210), WINDOW)); // 8 gave +5 % over 4: back to 4
        assertTrue(r.settled());
        assertEquals(4, r.connections());
    }

    @Test
    void neverAboveTheMaximumNorBelowOne() {
        ConnectionRamp three = new ConnectionRamp(3);
        warmUp(three);
        assertEquals(2, three.observe(at(10), WINDOW));
        warmUp(three);
        assertEquals(3, three.observe(at(20), WINDOW));
        warmUp(three);
        assertEquals(3, three.observe(at(30), WINDOW));
        ConnectionRamp one = new ConnectionRamp(1);
        assertTrue(one.settled());
        warmUp(one);
        assertEquals(1, one.observe(at(10), WINDOW));
        ConnectionRamp stalled = new ConnectionRamp(16);
        warmUp(stalled);
        assertEquals(2, stalled.observe(0, WINDOW));
        warmUp(stalled);
        assertEquals(1, stalled.observe(0, WINDOW)); // no bytes at all: more connections do not help
        assertThrows(IllegalArgumentException.class, () -> new ConnectionRamp(0));
    }

    @Test
    void anEmptyWindowIsIgnored() {
        ConnectionRamp r = new ConnectionRamp(16);
        warmUp(r);
        assertEquals(1, r.observe(123, 0));
        assertFalse(r.settled());
    }
}
