package dev.wan.cli;

import dev.wan.ErrorCode;
import java.util.List;

/**
 * One check of {@code wan diagnose}: what was looked at, how it went, what was found, and what to
 * try. {@code code} says which exit code a failure maps to (README "Exit codes"); null unless failed.
 */
record Finding(String check, Status status, String message, String fix, List<String> details, ErrorCode code) {
    enum Status { PASS, WARN, FAIL }

    Finding {
        details = List.copyOf(details);
        fix = fix == null ? "" : fix;
    }

    static Finding pass(String check, String message, List<String> details) {
        return new Finding(check, Status.PASS, message, "", details, null);
    }

    static Finding warn(String check, String message, String fix, List<String> details) {
        return new Finding(check, Status.WARN, message, fix, details, null);
    }

    static Finding fail(String check, ErrorCode code, String message, String fix, List<String> details) {
        return new Finding(check, Status.FAIL, message, fix, details, code);
    }
}
