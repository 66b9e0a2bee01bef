package io.initsweep.common;

import java.util.Objects;

/**
 * The one exception type a command fails with on purpose: it carries its {@link FailureKind}, which alone decides
 * the exit code and whether a stack trace is shown (the command line maps it in one place). The message is what the
 * user reads after {@code error: }; it names the file, key, value or location concerned.
 */
public class InitsweepException extends RuntimeException {
    private final FailureKind kind;

    public InitsweepException(FailureKind kind, String message) {
        this(kind, message, null);
    }

    public InitsweepException(FailureKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind is null");
    }

    public FailureKind kind() {
        return kind;
    }

    /** Formats the message with {@link String#format}, so call sites read like Iceberg's Preconditions. */
    public static InitsweepException of(FailureKind kind, String format, Object... arguments) {
        return new InitsweepException(kind, String.format(java.util.Locale.ROOT, format, arguments));
    }
}
