package dev.wan;

import java.util.List;

/**
 * The one exception type the core throws for expected failures. The message names the model,
 * file or source involved; {@link #hint()} says what to do next; {@link #details()} carries one
 * line per sub-problem (each manifest problem, each source tried).
 */
public final class WanException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String hint;
    private final List<String> details;

    public WanException(ErrorCode code, String message, String hint) {
        this(code, message, hint, List.of(), null);
    }

    public WanException(ErrorCode code, String message, String hint, List<String> details, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.hint = hint == null ? "" : hint;
        this.details = List.copyOf(details);
    }

    /** An unexpected exception (a bug) as an {@link ErrorCode#INTERNAL} error about {@code subject}. */
    public static WanException internal(String subject, Throwable bug) {
        return new WanException(ErrorCode.INTERNAL, subject + ": internal error: " + bug,
                "this is a bug in wan: rerun with --verbose and report the stack trace", List.of(), bug);
    }

    public ErrorCode code() {
        return code;
    }

    public String hint() {
        return hint;
    }

    public List<String> details() {
        return details;
    }
}
