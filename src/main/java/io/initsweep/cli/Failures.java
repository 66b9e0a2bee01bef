package io.initsweep.cli;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one place where a command's failure becomes an exit code and a message: an {@link InitsweepException}
 * carries its kind; anything else is classified here. The user's errors print one line per problem; run-time
 * failures print their causes without a stack trace (unless {@code --verbose}); a bug prints its stack trace.
 */
final class Failures {
    /** Set once the user interrupts the process (Ctrl-C): what fails afterwards is a consequence, not a bug. */
    private static final AtomicBoolean INTERRUPTED = new AtomicBoolean();

    private Failures() {
    }

    static void interrupted() {
        INTERRUPTED.set(true);
    }

    static boolean wasInterrupted() {
        return INTERRUPTED.get();
    }

    /** The kind of a failure: its own, one found among its causes, or a classification of a foreign exception. */
    static FailureKind classify(Throwable failure) {
        if (INTERRUPTED.get()) {
            return FailureKind.INTERRUPTED;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InitsweepException e) {
                return e.kind();
            }
            if (t instanceof InterruptedException) {
                return FailureKind.INTERRUPTED;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // Storage failing in the middle of a run: rerunning resumes. (The runner classifies failed Spark jobs.)
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return FailureKind.RUNTIME;
            }
        }
        return FailureKind.INTERNAL;
    }

    /**
     * Prints what the user needs and returns the exit code.
     *
     * @param verbose print the stack trace whatever the kind
     */
    static int report(Throwable failure, PrintWriter err, boolean verbose) {
        FailureKind kind = classify(failure);
        InitsweepException own = own(failure);
        switch (kind.fault()) {
            case USER -> {
                if (kind == FailureKind.INTERRUPTED) {
                    err.println("interrupted: committed cells are kept; rerun the same command to resume");
                } else {
                    String message = own != null ? own.getMessage() : String.valueOf(failure.getMessage());
                    message.lines().forEach(line -> err.println("error: " + line));
                }
            }
            case ENVIRONMENT -> {
                err.println("error: " + (own != null ? own.getMessage() : firstLine(failure)));
                for (Throwable cause = (own != null ? own : failure).getCause(); cause != null;
                     cause = cause.getCause()) {
                    err.println("  caused by: " + firstLine(cause));
                }
                err.println("(results committed so far are kept: rerun the same command to resume"
                        + (verbose ? ")" : "; --verbose prints the stack trace)"));
            }
            case INITSWEEP -> {
                err.println("error: internal error, a bug in initsweep: " + failure);
                err.println("Please report it with the stack trace below and the command that was run.");
                failure.printStackTrace(err);
                verbose = false; // already printed
            }
        }
        if (verbose) {
            failure.printStackTrace(err);
        }
        err.flush();
        return kind.exitCode();
    }

    private static InitsweepException own(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InitsweepException e) {
                return e;
            }
        }
        return null;
    }

    private static String firstLine(Throwable t) {
        String message = t.getMessage();
        String text = message == null ? "" : message.lines().findFirst().orElse("");
        return t.getClass().getSimpleName() + (text.isEmpty() ? "" : ": " + text);
    }
}
