package dev.wan.internal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wan.manifest.SourceRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The URI syntax check shared by the validator and the source backends. */
class SourceUrisTest {
    private static String problem(String uri) {
        return SourceUris.problem(new SourceRef(uri), SourceRef.BUILT_IN_SCHEMES);
    }

    @ParameterizedTest
    @ValueSource(strings = {"local://wan22/t2v-A14B@2.2.0", "file:///srv/models", "s3://bucket", "s3://bucket/prefix/x",
            "hf://Wan-AI/Wan2.2-T2V-A14B", "hf://Wan-AI/Wan2.2-T2V-A14B@main",
            "hf://org/repo@206a9ee1b7bfaaf8f7e4d81335650533490646a3", "http://127.0.0.1:8080/m", "https://host/m",
            "S3://bucket/prefix"})
    void wellFormedUriHasNoProblem(String uri) {
        assertNull(problem(uri));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf://onlyorg", "hf:///repo", "hf://org/", "hf://org/repo/", "hf://org/repo/extra",
            "hf://org//repo", "hf://@rev", "hf://org/repo@", "hf://org/repo@a@b", "hf://"})
    void hfUriMustNameExactlyOneNonEmptyOrgAndRepo(String uri) {
        String problem = problem(uri);

        assertNotNull(problem, uri);
        assertTrue(problem.contains("hf://org/repo[@revision]"), problem);
    }

    @Test
    void fileUriMustBeAbsolute() {
        assertEquals("must be absolute: file:///absolute/path", problem("file://relative"));
        assertEquals("must be absolute: file:///absolute/path", problem("file://localhost/abs"));
    }

    @Test
    void s3UriMustNameABucket() {
        assertEquals("names no bucket: s3://bucket/prefix", problem("s3:///nobucket"));
        assertEquals("names no bucket: s3://bucket/prefix", problem("s3://"));
    }

    @Test
    void emptyLocalAndHttpUrisAreRejected() {
        assertEquals("names no directory", problem("local://"));
        assertEquals("names no host", problem("https://"));
    }

    @Test
    void localSourcesThatLeaveTheLocalRootAreRejected() {
        assertTrue(problem("local://../../etc").startsWith("must stay inside WAN_LOCAL_ROOT"));
        assertTrue(problem("local://models/../../x").startsWith("must stay inside WAN_LOCAL_ROOT"));
        assertTrue(problem("local:///abs").startsWith("must stay inside WAN_LOCAL_ROOT"));
    }

    @Test
    void uriWithoutDoubleSlashIsRejected() {
        assertEquals("must start with local://", problem("local:t2v"));
    }

    @Test
    void uriWithoutSchemeIsRejected() {
        assertTrue(problem("wan22/t2v").startsWith("has no scheme"), problem("wan22/t2v"));
    }

    @Test
    void unknownSchemeListsTheKnownOnesSorted() {
        assertEquals("has unknown scheme 'ftp': known are file, hf, http, https, local, s3", problem("ftp://host/x"));
    }

    @Test
    void redactedUriHidesTheQueryString() {
        SourceRef ref = new SourceRef("https://bucket.s3.example/x?X-Amz-Signature=abc");

        assertEquals("https://bucket.s3.example/x?<redacted>", ref.redacted());
        assertEquals(ref.redacted(), ref.toString());
        assertEquals("https", ref.scheme());
    }
}
