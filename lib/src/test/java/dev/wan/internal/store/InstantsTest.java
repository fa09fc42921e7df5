package dev.wan.internal.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast reader agrees with Instant.parse on what wan writes, and declines everything else. */
class InstantsTest {
    @ParameterizedTest
    @ValueSource(strings = {"2026-12-02T06:23:08.743201321Z", "2026-12-02T06:23:08Z", "2026-12-02T06:23:08.7Z",
            "2026-12-02T06:23:08.740Z", "1970-01-01T00:00:00Z", "2024-02-29T23:59:59.999999999Z",
            "0001-01-01T00:00:00.000000001Z"})
    void readsWhatInstantToStringWrites(String text) {
        assertEquals(Instant.parse(text), Instants.parseUtc(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yesterday", "2026-12-02T06:23:08", "2026-12-02T06:23:08.Z", "2026-13-02T06:23:08Z",
            "2023-02-29T00:00:00Z", "2026-12-02T24:00:00Z", "2026-12-02T23:59:60Z", "2026-12-02 06:23:08Z",
            "2026-12-02T06:23:08+01:00", "2026-12-02T06:23:08.1234567890Z", "+2026-12-02T06:23:08Z",
            "2026-12-02T06:23:0xZ", "2026-1a-02T06:23:08Z"})
    void declinesTheRest(String text) {
        assertNull(Instants.parseUtc(text), text);
    }
}
