package dev.wan.ensure;

import java.util.List;

/** The outcome of re-hashing a model's files. */
public record VerificationResult(String model, String variant, boolean verified, List<FileCheck> files) {
    public VerificationResult {
        files = List.copyOf(files);
    }

    /** One file: {@code state} OK, MISSING, SIZE_MISMATCH or CORRUPT; digests in hex (null if unknown). */
    public record FileCheck(String path, FileState state, String expectedSha256, String actualSha256, boolean optional) {
    }

    public List<FileCheck> failures() {
        return files.stream().filter(f -> !f.optional() && f.state() != FileState.OK).toList();
    }
}
