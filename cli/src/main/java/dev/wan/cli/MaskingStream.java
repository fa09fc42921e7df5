package dev.wan.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The log sink's last step: masks {@link Secrets} in each event's bytes (logback writes an encoded
 * event in one call, so a secret is never split across two).
 */
final class MaskingStream extends FilterOutputStream {
    private final Secrets secrets;

    MaskingStream(OutputStream out, Secrets secrets) {
        super(out);
        this.secrets = secrets;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        String text = new String(b, off, len, StandardCharsets.UTF_8);
        String masked = secrets.mask(text);
        if (masked == text) { // mask returns its argument itself when nothing was masked
            out.write(b, off, len);
        } else {
            out.write(masked.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }
}
