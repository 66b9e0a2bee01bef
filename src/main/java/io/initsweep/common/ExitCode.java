package io.initsweep.common;

/**
 * Process exit codes, stable for schedulers and scripts. Failures map to theirs through {@link FailureKind}; the
 * codes here that no failure kind carries are outcomes a command reports on purpose.
 */
public final class ExitCode {
    /** Done: every cell of the sweep has a result row (ok or diverged); a replay matched bit for bit. */
    public static final int OK = 0;
    /** Something broke at run time (I/O, Spark, a lost cluster) or in initsweep itself; rerunning resumes. */
    public static final int RUNTIME_FAILURE = 1;
    /** Bad spec, data, command line or environment; nothing was trained or written. */
    public static final int USAGE = 2;
    /** Every cell has a row, but some cells failed (their error is in runs.error). */
    public static final int FAILED_CELLS = 3;
    /** {@code replay}: the retrained cell's numbers differ from the stored ones. */
    public static final int REPLAY_MISMATCH = 4;
    /**
     * {@code check}: the warehouse holds files no commit wrote, misses or has damaged files a commit wrote, or has
     * cells twice ({@code check --repair} fixes the first).
     */
    public static final int PROBLEMS_FOUND = 5;
    /** Stopped by Ctrl-C (128 + SIGINT, as shells report it). */
    public static final int INTERRUPTED = 130;

    private ExitCode() {
    }
}
