package dev.wan.migrate;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What a legacy directory holds, matched against the manifest. Made without writing anything.
 *
 * @param legacyRoot    the directory as given
 * @param resolvedRoot  its real path (a symlinked root is followed once, on purpose: it is the
 *                      operator's argument; links inside it are followed only to targets below this)
 * @param layouts       the layouts recognised
 * @param files         every regular file found
 * @param matches       manifest files the tree has, and how each was recognised
 * @param mismatches    files that look like a manifest file (size, path) whose bytes differ: never used
 * @param unmatched     files no manifest file matches
 * @param skipped       what was not read, and why (links leaving the tree, FIFOs, limits)
 * @param filesHashed   files hashed by this analysis
 * @param bytesHashed   bytes hashed by this analysis
 * @param hashesReused  hashes taken from an interrupted run's journal (file unchanged since)
 */
public record Analysis(Path legacyRoot, Path resolvedRoot, Set<LegacyLayout> layouts, List<LegacyFile> files,
                       List<Match> matches, List<Mismatch> mismatches, List<LegacyFile> unmatched,
                       List<Skipped> skipped, int filesHashed, long bytesHashed, int hashesReused) {
    public Analysis {
        layouts = Set.copyOf(layouts);
        files = List.copyOf(files);
        matches = List.copyOf(matches);
        mismatches = List.copyOf(mismatches);
        unmatched = List.copyOf(unmatched);
        skipped = List.copyOf(skipped);
    }

    /** How a legacy file was recognised as a manifest file. */
    public enum MatchedBy {
        /** Its sha256 is the manifest's. */
        SHA256("sha256"),
        /** The manifest has no sha256 for it: its path ends with the manifest path and the size is the same. */
        PATH_AND_SIZE("path+size");

        private final String label;

        MatchedBy(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A manifest file ({@code model}, {@code path}) the legacy tree has. */
    public record Match(String model, String path, long size, MatchedBy matchedBy, LegacyFile legacy) {
    }

    /**
     * A legacy file that looks like a manifest file but is not it: same size and path, other bytes
     * ({@code actualSha256} differs), or several candidates with nothing to choose between them.
     */
    public record Mismatch(String model, String path, LegacyFile legacy, String expectedSha256, String actualSha256,
                           String reason) {
    }

    /** Something in the legacy tree that was not read. */
    public record Skipped(String path, String reason) {
    }
}
