package io.initsweep.train;

import io.initsweep.model.Activation;

/**
 * The statistics of the {@code layers} table, on plain arrays. Kept free of any tensor library so each definition
 * can be read, and tested, in one place.
 */
public final class Diagnostics {
    private Diagnostics() {
    }

    public static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** Population variance (divide by n), two-pass for accuracy. */
    public static double variance(double[] values) {
        double mean = mean(values);
        double sum = 0;
        double correction = 0;
        for (double v : values) {
            double d = v - mean;
            sum += d * d;
            correction += d;
        }
        return (sum - correction * correction / values.length) / values.length;
    }

    /**
     * Mean pairwise cosine similarity between the columns of a row-major {@code rows × units} matrix: for a weight
     * matrix, between the units' incoming weight vectors. Identical columns (zero columns included) count as
     * similarity 1, a zero column against a non-zero one as 0: zero init is the extreme case of clones.
     *
     * @return in [-1, 1]; null for a single unit
     */
    public static Double symmetry(double[] matrix, int rows, int units) {
        if (units < 2) {
            return null;
        }
        double[] norms = new double[units];
        for (int r = 0; r < rows; r++) {
            for (int u = 0; u < units; u++) {
                double v = matrix[r * units + u];
                norms[u] += v * v;
            }
        }
        int zero = 0;
        for (int u = 0; u < units; u++) {
            norms[u] = Math.sqrt(norms[u]);
            if (norms[u] == 0) {
                zero++;
            }
        }
        // Sum of cosines over ordered pairs of non-zero columns = |Σ_u n_u|² - (number of non-zero columns),
        // where n_u are the unit-normalized columns; this avoids the O(units²·rows) pairwise loop.
        double[] summed = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int u = 0; u < units; u++) {
                if (norms[u] > 0) {
                    s += matrix[r * units + u] / norms[u];
                }
            }
            summed[r] = s;
        }
        double squared = 0;
        for (double s : summed) {
            squared += s * s;
        }
        int nonZero = units - zero;
        double pairs = (double) units * (units - 1);
        double cosineSum = squared - nonZero + (double) zero * (zero - 1);
        return cosineSum / pairs;
    }

    /**
     * Share of units whose pre-activation is never positive on any probe example: a rectifier unit born dead gets
     * no gradient through its zero side.
     *
     * @param preactivation row-major {@code examples × units}
     */
    public static double deadFraction(double[] preactivation, int examples, int units) {
        int dead = 0;
        for (int u = 0; u < units; u++) {
            boolean active = false;
            for (int e = 0; e < examples && !active; e++) {
                active = preactivation[e * units + u] > 0;
            }
            if (!active) {
                dead++;
            }
        }
        return (double) dead / units;
    }

    /** Pairs of probe inputs whose correlation the {@code layers} table follows through depth. */
    public static final int CORRELATION_PAIRS = 16;

    /**
     * The correlation c_l of mean-field theory between two inputs at one layer, measured: for each fixed pair of
     * probe rows (2k, 2k+1), k &lt; {@code pairs} (as many as the batch has), the cosine between the two rows'
     * vectors, {@code Σ_u z_a,u·z_b,u / √(Σ_u z_a,u² · Σ_u z_b,u²)}, averaged over the pairs. Uncentered, as in
     * the theory, where {@code c_l = q_ab/√(q_aa·q_bb)} with {@code q_ab} the mean over units of {@code z_a·z_b}
     * (Poole et al. 2016, Sec. 2): it goes to 1 with depth in the ordered phase, where every input ends up at the
     * same point, and to c* &lt; 1 in the chaotic phase. Rows are fixed pairs of the probe batch, the same for every
     * cell of a dataset, so cells are compared on the same inputs.
     *
     * @param values row-major {@code examples × units}, e.g. a layer's pre-activations
     * @return the mean cosine; null when no pair has two non-zero finite rows (zero weights and biases, or overflow)
     */
    public static Double pairCorrelation(double[] values, int examples, int units, int pairs) {
        double sum = 0;
        int counted = 0;
        for (int k = 0; k < pairs && 2 * k + 1 < examples; k++) {
            int a = 2 * k * units;
            int b = a + units;
            double scale = 0; // divide by the largest entry first: an exploding layer's squares overflow
            for (int u = 0; u < units; u++) {
                scale = Math.max(scale, Math.max(Math.abs(values[a + u]), Math.abs(values[b + u])));
            }
            if (!(scale > 0) || !Double.isFinite(scale)) {
                continue;
            }
            double ab = 0;
            double aa = 0;
            double bb = 0;
            for (int u = 0; u < units; u++) {
                double x = values[a + u] / scale;
                double y = values[b + u] / scale;
                ab += x * y;
                aa += x * x;
                bb += y * y;
            }
            if (aa > 0 && bb > 0) {
                sum += ab / Math.sqrt(aa * bb);
                counted++;
            }
        }
        return counted == 0 ? null : sum / counted;
    }

    /** Share of outputs within 3% of the output range from an asymptote ({@link Activation#isSaturated}). */
    public static double saturatedFraction(double[] outputs, Activation activation) {
        int saturated = 0;
        for (double v : outputs) {
            if (activation.isSaturated(v)) {
                saturated++;
            }
        }
        return (double) saturated / outputs.length;
    }
}
