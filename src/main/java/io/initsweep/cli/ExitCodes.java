package io.initsweep.cli;

/** Process exit codes, stable for schedulers and scripts. */
public final class ExitCodes {
    /** Every cell of the sweep has a result row (ok or diverged). */
    public static final int OK = 0;
    /** Something broke at run time (I/O, Spark, a lost cluster); rerunning resumes. */
    public static final int RUNTIME_FAILURE = 1;
    /** Bad spec, data or command line; nothing was trained or written. */
    public static final int USAGE = 2;
    /** Every cell has a row, but some cells failed (their error is in runs.error). */
    public static final int FAILED_CELLS = 3;
    /** {@code replay}: the retrained cell's numbers differ from the stored ones. */
    public static final int REPLAY_MISMATCH = 4;

    private ExitCodes() {
    }
}
