package io.initsweep.common;

import java.math.BigDecimal;

/**
 * Canonical text for values that end up in labels and hashes. Two spellings of the same setting ({@code 0.10},
 * {@code 1e-1}) must produce the same text, so a cell keeps its id however its spec was written.
 */
public final class Canonical {
    private Canonical() {
    }

    /** The shortest decimal that round-trips the double, without exponent for everyday magnitudes. */
    public static String number(double value) {
        if (value == 0) {
            return "0"; // folds -0.0 into 0
        }
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        BigDecimal decimal = BigDecimal.valueOf(value).stripTrailingZeros();
        double magnitude = Math.abs(value);
        return magnitude >= 1e-6 && magnitude < 1e15 ? decimal.toPlainString() : decimal.toString();
    }
}
