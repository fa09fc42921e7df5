package dev.wan.manifest;

import dev.wan.ErrorCode;
import java.nio.file.Path;

/** One finding of the manifest validator, located at file:line:column. */
public record ManifestProblem(Severity severity, ErrorCode code, Path file, int line, int column, String message) {
    public enum Severity { ERROR, WARNING }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + (isError() ? "error: " + code + ": " : "warning: ") + message;
    }
}
