package dev.wan.tui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WakingInputTest {
    @Test
    void bytesThatArriveRingTheBellAndAreThereToReadUntilEndOfInput() throws Exception {
        PipedOutputStream keyboard = new PipedOutputStream();
        Semaphore bell = new Semaphore(0);
        WakingInput in = new WakingInput(new PipedInputStream(keyboard), bell::release);

        keyboard.write(new byte[] {0x1b, '[', 'A'}); // arrow up: one escape sequence
        keyboard.flush();
        assertTrue(bell.tryAcquire(5, TimeUnit.SECONDS), "the bell rang");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (in.available() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        byte[] got = new byte[3];
        int n = in.read(got, 0, 3);
        keyboard.close();

        assertEquals(3, n);
        assertArrayEquals(new byte[] {0x1b, '[', 'A'}, got);
        assertEquals(-1, in.read(), "end of input after the keyboard closed");
        assertEquals(0, in.available());
    }
}
