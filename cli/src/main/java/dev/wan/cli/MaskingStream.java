package dev.wan.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The log sink's last step: masks secrets ({@link SecretMask}, the same mask as diagnose's report and bundle) in each event's bytes (logback writes an encoded
 * event in one call, so a secret is never split across two).
 */
final class MaskingStream extends FilterOutputStream {
    private final SecretMask secrets;

    MaskingStream(OutputStream out, SecretMask secrets) {
        super(out);
        this.secrets = secrets;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        String text = new String(b, off, len, StandardCharsets.UTF_8);
        String masked = secrets.apply(text);
        if (masked.equals(text)) {
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
