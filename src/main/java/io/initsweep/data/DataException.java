package io.initsweep.data;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;

/**
 * A dataset that cannot be used: missing file, malformed row, out-of-range label. The message names the source,
 * the row or line and the column, so the user can find the problem; the sweep refuses to start (exit code 2).
 */
public final class DataException extends InitsweepException {
    private final String source;

    /**
     * @param source   the file or dataset, e.g. {@code /data/train.csv}
     * @param location where in it: {@code line 17}, {@code row 3}, {@code header}
     * @param column   the column, or null when the problem is not in one column
     * @param problem  what is wrong, quoting the offending value
     */
    public DataException(String source, String location, String column, String problem) {
        super(FailureKind.BAD_DATA, source + ": " + location + (column == null ? "" : ", column " + column) + ": " + problem);
        this.source = source;
    }

    public DataException(String source, String problem, Throwable cause) {
        super(FailureKind.BAD_DATA, source + ": " + problem, cause);
        this.source = source;
    }

    public String source() {
        return source;
    }
}
