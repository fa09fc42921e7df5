package dev.wan.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ByteSizeTest {
    @Test
    void decimalUnitsArePowersOfThousand() {
        assertEquals(100_000_000_000L, ByteSize.parse("100GB"));
        assertEquals(1_500_000_000_000L, ByteSize.parse("1.5 TB"));
        assertEquals(2_000L, ByteSize.parse("2kb"));
        assertEquals(5_000_000L, ByteSize.parse("5MB"));
    }

    @Test
    void binaryUnitsArePowersOf1024() {
        assertEquals(1024L, ByteSize.parse("1KiB"));
        assertEquals(3L << 20, ByteSize.parse("3MiB"));
        assertEquals(50L << 30, ByteSize.parse("50GiB"));
        assertEquals(1L << 40, ByteSize.parse("1TiB"));
    }

    @Test
    void plainNumbersAndBAreBytes() {
        assertEquals(0L, ByteSize.parse("0"));
        assertEquals(123L, ByteSize.parse("123B"));
    }

    @Test
    void unknownUnitsFractionsOfBytesAndJunkAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("12XB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("1.5"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("-1GB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("GB"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("99999999999TB"));
    }
}
