package io.initsweep.train;

import java.util.Locale;

/** How a cell ended. The names are stable: they are stored in the tables and queried. */
public enum RunStatus {
    /** Trained every epoch with finite losses. */
    OK,
    /** The loss became NaN or infinite: a result about the initialization, recorded, never retried. */
    DIVERGED,
    /** Training threw; the error is recorded and the sweep goes on. */
    FAILED;

    public String canonicalName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RunStatus byName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
