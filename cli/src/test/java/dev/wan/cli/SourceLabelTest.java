package dev.wan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A source as a label: scheme and host only, never a path, user, password, query or token. */
class SourceLabelTest {
    @Test
    void keepsSchemeAndHostOnly() {
        assertEquals("https://hub.example", SourceLabel.of("https://hub.example/org/repo/resolve/main"));
        assertEquals("https://cdn.example:8443",
                SourceLabel.of("https://alice:s3cret@CDN.example:8443/b/w.bin?X-Amz-Signature=abc&token=t"));
        assertEquals("http://127.0.0.1:8080", SourceLabel.of("http://127.0.0.1:8080/static/prefix?<redacted>"));
        assertEquals("s3://bucket", SourceLabel.of("s3://bucket/models/t2v"));
        assertEquals("file", SourceLabel.of("file:///srv/models/t2v"));
        assertEquals("file", SourceLabel.of("/srv/models/t2v"));
        assertEquals("(in place)", SourceLabel.of("(in place)"));
        assertEquals("other", SourceLabel.of("not a uri with spaces"));
        assertEquals("other", SourceLabel.of("(made up by a manifest)"));
        assertEquals("other", SourceLabel.of(""));
    }
}
