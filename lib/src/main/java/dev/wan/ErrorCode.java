package dev.wan;

/**
 * Stable error codes. They appear in {@code --json} output and logs; the CLI maps each to an exit
 * code (see README "Exit codes"). Never rename one: scripts match on them.
 */
public enum ErrorCode {
    INVALID_CONFIG(Category.CONFIG),
    MISSING_MANIFEST(Category.CONFIG),
    SCHEMA_VERSION_MISMATCH(Category.CONFIG),
    MANIFEST_VALIDATION_ERROR(Category.CONFIG),
    INVALID_MODEL_ID(Category.CONFIG),
    PATH_TRAVERSAL_DETECTED(Category.CONFIG),
    CASE_COLLISION_DETECTED(Category.CONFIG),
    MODEL_NOT_FOUND(Category.NOT_FOUND),
    VARIANT_NOT_FOUND(Category.NOT_FOUND),
    NO_SPACE(Category.FILESYSTEM),
    PERMISSION_DENIED(Category.FILESYSTEM),
    PATH_TOO_LONG(Category.FILESYSTEM),
    FILESYSTEM_ERROR(Category.FILESYSTEM),
    AUTH_FAIL(Category.SOURCE),
    RATE_LIMIT(Category.SOURCE),
    NETWORK_TIMEOUT(Category.SOURCE),
    SOURCE_UNAVAILABLE(Category.SOURCE),
    ALL_SOURCES_FAILED(Category.SOURCE),
    CHECKSUM_FAIL(Category.INTEGRITY),
    SIZE_MISMATCH(Category.INTEGRITY),
    INCOMPLETE_DOWNLOAD(Category.INTEGRITY),
    LOCK_TIMEOUT(Category.LOCK),
    /** The work was interrupted (a thread interrupt in the API; the CLI's Ctrl-C exits 130 too). */
    INTERRUPTED(Category.INTERRUPTED),
    /** A bug: an unexpected exception, wrapped so it reports like any other error. */
    INTERNAL(Category.INTERNAL);

    /** Groups of codes that share one process exit code. */
    public enum Category {
        CONFIG(3), NOT_FOUND(4), FILESYSTEM(5), SOURCE(6), INTEGRITY(7), LOCK(8),
        /** 128 + SIGINT, what a shell reports for a command stopped with Ctrl-C. */
        INTERRUPTED(130),
        /** EX_SOFTWARE of sysexits.h. */
        INTERNAL(70);

        private final int exitCode;

        Category(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    private final Category category;

    ErrorCode(Category category) {
        this.category = category;
    }

    public Category category() {
        return category;
    }

    public int exitCode() {
        return category.exitCode();
    }
}
