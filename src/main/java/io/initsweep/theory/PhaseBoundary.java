package io.initsweep.theory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoublePredicate;
import java.util.stream.IntStream;

/**
 * The lines of a phase diagram in the (σ_w², σ_b²) plane for one nonlinearity (Poole et al. 2016, Fig. 2;
 * Schoenholz et al. 2017, Fig. 1 and 5): the order-to-chaos line χ1 = 1, and for a network of depth L the two
 * lines where {@code 6ξ_c = L}, inside which (around the critical line) Schoenholz et al. found depth L trainable
 * and outside which not.
 *
 * <p>Along σ_w² at fixed σ_b², χ1 rises through 1 at the critical line (a larger weight variance stretches
 * distances more), ξ_c rises to +∞ there and falls again on the chaotic side; each line is found per σ_b² by
 * bisection on σ_w²: the critical line and the ordered side's line need χ1 only (one-dimensional integrals,
 * {@link MeanField#chi1}); the chaotic side needs χ_c at c* (two-dimensional ones). Where the variance has no finite
 * fixed point (ReLU-like φ beyond σ_w²·E[φ(z)²] = 1 with biases), χ1 does not exist: that side counts as chaotic
 * for the critical line and has no 6ξ_c line.
 */
public final class PhaseBoundary {
    /**
     * Relative width of σ_w² to which each line is placed: 1e-3, about what a 500-pixel chart resolves, in 10 to 12
     * bisections per row; each bisection on the chaotic side costs a c* (tens of milliseconds).
     */
    static final double TOLERANCE = 1e-3;

    /**
     * The chaotic side's χ_c at c* with 5 Gauss-Legendre points per panel: relative error below 1e-5 (4 points:
     * 1.4e-5, 6 points: 2.1e-8; see {@link GaussianQuadrature}), far inside {@link #TOLERANCE}, at a quarter of the
     * default rule's cost per two-dimensional integral.
     */
    private static final GaussianQuadrature LINE_QUADRATURE = GaussianQuadrature.withPoints(5);

    private PhaseBoundary() {
    }

    /** A point of the (σ_w², σ_b²) plane. */
    public record Point(double sigmaW2, double sigmaB2) implements Serializable {
    }

    /**
     * The lines within a rectangle of the plane, each as points from the lowest σ_b² up (rows without a crossing
     * inside the rectangle left out).
     *
     * @param critical     χ1 = 1
     * @param orderedDepth 6ξ_c = depth on the ordered side (smaller σ_w²)
     * @param chaoticDepth 6ξ_c = depth on the chaotic side (larger σ_w²)
     */
    public record Lines(List<Point> critical, List<Point> orderedDepth, List<Point> chaoticDepth)
            implements Serializable {
        public Lines {
            critical = List.copyOf(critical);
            orderedDepth = List.copyOf(orderedDepth);
            chaoticDepth = List.copyOf(chaoticDepth);
        }
    }

    /**
     * The lines for depth {@code depth} in σ_w² ∈ [wLow, wHigh], at {@code rows} values of σ_b² over
     * [bLow, bHigh], spaced quadratically ({@code bLow + (bHigh − bLow)·t²}, t evenly spaced): denser near the
     * bottom, where the critical line of a φ with φ(0) = 0 rises like √σ_b² from its value at σ_b² = 0.
     */
    public static Lines lines(Nonlinearity phi, int depth, double wLow, double wHigh, double bLow, double bHigh,
                              int rows) {
        Objects.requireNonNull(phi, "phi is null");
        if (!(wLow > 0) || !(wHigh > wLow) || !(bLow >= 0) || !(bHigh >= bLow) || rows < 1 || depth < 1) {
            throw new IllegalArgumentException("need 0 < wLow < wHigh, 0 <= bLow <= bHigh, rows >= 1, depth >= 1; "
                    + "got sigma_w^2 in [" + wLow + ", " + wHigh + "], sigma_b^2 in [" + bLow + ", " + bHigh + "], "
                    + rows + " rows, depth " + depth);
        }
        Point[][] found = new Point[rows][];
        IntStream.range(0, rows).parallel().forEach(i -> {
            double t = rows == 1 ? 0 : (double) i / (rows - 1);
            double sigmaB2 = bLow + (bHigh - bLow) * t * t;
            Double critical = criticalSigmaW2(phi, sigmaB2, wLow, wHigh);
            Double ordered = orderedDepthSigmaW2(phi, sigmaB2, depth, wLow, critical == null ? wHigh : critical);
            Double chaotic = critical == null ? null : chaoticDepthSigmaW2(phi, sigmaB2, depth, critical, wHigh);
            found[i] = new Point[] {point(critical, sigmaB2), point(ordered, sigmaB2), point(chaotic, sigmaB2)};
        });
        List<List<Point>> lines = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (Point[] row : found) {
            for (int line = 0; line < 3; line++) {
                if (row[line] != null) {
                    lines.get(line).add(row[line]);
                }
            }
        }
        return new Lines(lines.get(0), lines.get(1), lines.get(2));
    }

    /**
     * The σ_w² in [low, high] where χ1 crosses 1 at σ_b², or null if the whole interval is on one side.
     */
    public static Double criticalSigmaW2(Nonlinearity phi, double sigmaB2, double low, double high) {
        return crossing(w -> {
            Double chi1 = MeanField.chi1(MeanFieldMap.of(phi, w, sigmaB2));
            return chi1 != null && chi1 < 1.0;
        }, low, high);
    }

    /**
     * The σ_w² in [low, high] on the ordered side where 6ξ_c = depth, i.e. χ1 = exp(−6/depth) (c* = 1 there), or
     * null if none.
     */
    public static Double orderedDepthSigmaW2(Nonlinearity phi, double sigmaB2, int depth, double low, double high) {
        double target = Math.exp(-MeanField.TRAINABLE_DEPTH_FACTOR / depth);
        return crossing(w -> {
            Double chi1 = MeanField.chi1(MeanFieldMap.of(phi, w, sigmaB2));
            return chi1 != null && chi1 < target;
        }, low, high);
    }

    /**
     * The σ_w² in [low, high] on the chaotic side (low at or above the critical line) where 6ξ_c = depth, i.e.
     * χ_c = exp(−6/depth) at c*, or null if none.
     */
    public static Double chaoticDepthSigmaW2(Nonlinearity phi, double sigmaB2, int depth, double low, double high) {
        double target = Math.exp(-MeanField.TRAINABLE_DEPTH_FACTOR / depth);
        java.util.function.DoubleFunction<Double> chiC =
                w -> MeanField.of(MeanFieldMap.of(phi, w, sigmaB2, LINE_QUADRATURE)).chiC();
        Double crossing = crossing(w -> {
            Double value = chiC.apply(w);
            return value != null && value >= target; // still within 6ξ_c of depth
        }, low, high);
        // where the variance has no fixed point beyond the critical line (ReLU with biases), the bisection stops at
        // that boundary, not at a depth scale: no line there
        return crossing == null || chiC.apply(crossing * (1 + TOLERANCE)) == null ? null : crossing;
    }

    /**
     * Where {@code below} turns from true (at low) to false (at high), by bisection to {@link #TOLERANCE} of
     * σ_w²; null if it does not turn within [low, high].
     */
    private static Double crossing(DoublePredicate below, double low, double high) {
        if (!below.test(low) || below.test(high)) {
            return null;
        }
        double a = low;
        double b = high;
        while (b - a > TOLERANCE * b) {
            double middle = (a + b) / 2;
            if (below.test(middle)) {
                a = middle;
            } else {
                b = middle;
            }
        }
        return (a + b) / 2;
    }

    private static Point point(Double sigmaW2, double sigmaB2) {
        return sigmaW2 == null ? null : new Point(sigmaW2, sigmaB2);
    }
}
