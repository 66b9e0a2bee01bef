package io.initsweep.common;

import java.util.Locale;

/**
 * Every way a command can fail, named once, with the process exit code it maps to and whose doing it is. The
 * names are stable: scripts and schedulers may read them from the message prefix as well as from the exit code.
 *
 * <p>Exit codes: {@code 2} the user's input was refused before anything was trained or written; {@code 1} a
 * run-time failure (rerunning the same command resumes) or a bug in initsweep; {@code 130} interrupted. The results
 * that are not failures ({@code 3}: some cells failed, {@code 4}: replay differs) are in {@link ExitCode}.
 */
public enum FailureKind {
    /** The sweep spec cannot run: unknown key, bad value, a grid too large, a layer override past the depth. */
    BAD_SPEC(ExitCode.USAGE, Fault.USER),
    /** The data cannot be used: a missing file, a malformed row, an out-of-range label. */
    BAD_DATA(ExitCode.USAGE, Fault.USER),
    /** The command line is wrong: unknown option, contradicting options, an output path that is a directory. */
    BAD_USAGE(ExitCode.USAGE, Fault.USER),
    /**
     * What the command was pointed at cannot be used as given: a warehouse that is read-only or a file, an unknown
     * host, a Spark master that is malformed or does not answer, inconsistent executor resources.
     */
    BAD_ENVIRONMENT(ExitCode.USAGE, Fault.USER),
    /** The named thing does not exist: an unknown sweep or cell. */
    NOT_FOUND(ExitCode.USAGE, Fault.USER),
    /** Another live process holds the sweep. */
    SWEEP_BUSY(ExitCode.USAGE, Fault.USER),
    /** A result table was about to be changed by a query that was not allowed to. */
    READ_ONLY(ExitCode.USAGE, Fault.USER),
    /** The user stopped the command (Ctrl-C); what was committed stays, rerunning resumes. */
    INTERRUPTED(ExitCode.INTERRUPTED, Fault.USER),
    /** Storage or the cluster failed while running (I/O, a lost executor); rerunning resumes. */
    RUNTIME(ExitCode.RUNTIME_FAILURE, Fault.ENVIRONMENT),
    /** A bug in initsweep: an exception nobody classified. The stack trace is printed. */
    INTERNAL(ExitCode.RUNTIME_FAILURE, Fault.INITSWEEP);

    /** Whose doing a failure is, which decides what the user is shown. */
    public enum Fault {
        /** The user's input or action: a message that names the value is enough. */
        USER,
        /** The machines or storage: a message with its cause; the stack trace only with --verbose. */
        ENVIRONMENT,
        /** A bug: the stack trace is printed, for the report. */
        INITSWEEP
    }

    private final int exitCode;
    private final Fault fault;

    FailureKind(int exitCode, Fault fault) {
        this.exitCode = exitCode;
        this.fault = fault;
    }

    public int exitCode() {
        return exitCode;
    }

    public Fault fault() {
        return fault;
    }

    /** The stable name, e.g. {@code bad-spec}. */
    public String canonicalName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
