package dev.wan;

import java.util.List;

/**
 * The one exception type the core throws for expected failures. The message names the model,
 * file or source involved; {@link #hint()} says what to do next; {@link #details()} carries one
 * line per sub-problem (each manifest problem, each source tried).
 */
public final class WanException extends RuntimeException {
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
