package dev.wan.source;

import java.io.IOException;

/**
 * The source answered a ranged read with the whole file (HTTP 200 to a {@code Range} request)
 * from an offset too far in to skip to. Nothing is wrong with the bytes: the reader should fall
 * back to one plain read from the start ({@code read(path, 0, -1)}) for this source.
 */
public final class RangeNotSupportedException extends IOException {
    private static final long serialVersionUID = 1L;

    public RangeNotSupportedException(String message) {
        super(message);
    }
}
