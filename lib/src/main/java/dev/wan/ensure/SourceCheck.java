package dev.wan.ensure;

import dev.wan.ErrorCode;

/**
 * What {@code test-sources} / {@code test-auth} found for one source of one model: whether it
 * answers, what credentials were used (masked), how many files it lists, and how long a listing,
 * a stat and a small ranged read took. {@code code} and {@code message} say why it failed.
 */
public record SourceCheck(String model, String source, boolean ok, ErrorCode code, String message, String credentials,
                          String revision, int filesListed, int manifestFilesFound, long openMillis, long listMillis,
                          long statMillis, long readBytes, long readMillis) {

    /** Bytes per second of the ranged read, or 0 when nothing was read. */
    public double readRate() {
        return readMillis <= 0 ? 0 : readBytes * 1000.0 / readMillis;
    }
}
