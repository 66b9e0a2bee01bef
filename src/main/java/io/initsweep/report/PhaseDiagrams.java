package io.initsweep.report;

import io.initsweep.model.Activation;
import io.initsweep.theory.Nonlinearity;
import io.initsweep.theory.PhaseBoundary;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The phase diagrams of a sweep's report: for each activation, depth and combination of the other grid coordinates
 * whose cells span more than one σ_w² and more than one σ_b² (a sweep over {@code variance_scaling} gains and
 * {@code bias-std}, say), the measured final test loss over the (σ_w², σ_b²) plane, with the theory's order-to-chaos
 * line (χ1 = 1) and the two lines where 6ξ_c equals the depth drawn over it (Schoenholz et al. 2017, Fig. 5).
 */
final class PhaseDiagrams {
    /** σ_b² values at which the theory's lines are placed across a diagram. */
    static final int LINE_ROWS = 13;

    private PhaseDiagrams() {
    }

    /**
     * @param points one row per grid point: grid_point, activation, depth, sigma_w2, sigma_b2, n_seeds, n_ok,
     *               final_test_loss_mean, theory_phase, trainable_depth (null where infinite)
     * @return one map per diagram, in title order; empty when no panel spans both variances
     */
    static List<Map<String, Object>> build(List<Map<String, Object>> points) {
        Map<String, List<Map<String, Object>>> panels = new TreeMap<>();
        for (Map<String, Object> point : points) {
            String context = otherCoordinates((String) point.get("grid_point"));
            String title = point.get("activation") + ", depth " + point.get("depth")
                    + (context.isEmpty() ? "" : ", " + context);
            panels.computeIfAbsent(title, t -> new ArrayList<>()).add(point);
        }
        List<Map<String, Object>> diagrams = new ArrayList<>();
        panels.forEach((title, inPanel) -> {
            Map<String, Map<String, Object>> cells = mergeEqualVariances(inPanel);
            TreeSet<Double> xs = new TreeSet<>();
            TreeSet<Double> ys = new TreeSet<>();
            cells.values().forEach(c -> {
                xs.add((Double) c.get("sigma_w2"));
                ys.add((Double) c.get("sigma_b2"));
            });
            if (xs.size() < 2 || ys.size() < 2) {
                return;
            }
            double[] xRange = range(xs, 1e-3 * xs.first());
            double[] yRange = range(ys, 0.0);
            List<Map<String, Object>> rectangles = new ArrayList<>();
            for (Map<String, Object> c : cells.values()) {
                Map<String, Object> r = new LinkedHashMap<>(c);
                double[] x = edges(xs, (Double) c.get("sigma_w2"), xRange);
                double[] y = edges(ys, (Double) c.get("sigma_b2"), yRange);
                r.put("x0", x[0]);
                r.put("x1", x[1]);
                r.put("y0", y[0]);
                r.put("y1", y[1]);
                rectangles.add(r);
            }
            Map<String, Object> first = inPanel.get(0);
            String activation = (String) first.get("activation");
            int depth = ((Number) first.get("depth")).intValue();
            PhaseBoundary.Lines lines = PhaseBoundary.lines(Nonlinearity.of(Activation.byName(activation)
                    .orElseThrow()), depth, xRange[0], xRange[1], yRange[0], yRange[1], LINE_ROWS);
            Map<String, Object> diagram = new LinkedHashMap<>();
            diagram.put("title", title);
            diagram.put("activation", activation);
            diagram.put("depth", depth);
            diagram.put("xRange", xRange);
            diagram.put("yRange", yRange);
            diagram.put("cells", rectangles);
            diagram.put("critical", coordinates(lines.critical()));
            diagram.put("orderedDepth", coordinates(lines.orderedDepth()));
            diagram.put("chaoticDepth", coordinates(lines.chaoticDepth()));
            diagrams.add(diagram);
        });
        return diagrams;
    }

    /** Grid points of one panel with the same (σ_w², σ_b²), e.g. he_normal and variance_scaling(gain=√2). */
    private static Map<String, Map<String, Object>> mergeEqualVariances(List<Map<String, Object>> points) {
        Map<String, Map<String, Object>> cells = new LinkedHashMap<>();
        for (Map<String, Object> p : points) {
            double w = ((Number) p.get("sigma_w2")).doubleValue();
            double b = ((Number) p.get("sigma_b2")).doubleValue();
            String key = String.format(java.util.Locale.ROOT, "%.9g|%.9g", w, b);
            Map<String, Object> cell = cells.computeIfAbsent(key, k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("sigma_w2", w);
                m.put("sigma_b2", b);
                m.put("n_seeds", 0L);
                m.put("n_ok", 0L);
                m.put("loss_sum", 0.0);
                m.put("points", new ArrayList<String>());
                m.put("theory_phase", p.get("theory_phase"));
                m.put("trainable_depth", p.get("trainable_depth"));
                return m;
            });
            long ok = ((Number) p.get("n_ok")).longValue();
            cell.put("n_seeds", (Long) cell.get("n_seeds") + ((Number) p.get("n_seeds")).longValue());
            cell.put("n_ok", (Long) cell.get("n_ok") + ok);
            if (p.get("final_test_loss_mean") != null) {
                cell.put("loss_sum", (Double) cell.get("loss_sum")
                        + ok * ((Number) p.get("final_test_loss_mean")).doubleValue());
            }
            @SuppressWarnings("unchecked")
            List<String> labels = (List<String>) cell.get("points");
            labels.add((String) p.get("grid_point"));
        }
        for (Map<String, Object> cell : cells.values()) {
            long ok = (Long) cell.get("n_ok");
            double sum = (Double) cell.remove("loss_sum");
            cell.put("final_test_loss_mean", ok == 0 ? null : sum / ok);
        }
        return cells;
    }

    /** The axis range: half a step beyond the outer values, not below {@code floor}. */
    private static double[] range(TreeSet<Double> values, double floor) {
        double low = values.first() - (values.higher(values.first()) - values.first()) / 2;
        double high = values.last() + (values.last() - values.lower(values.last())) / 2;
        return new double[] {Math.max(floor, low), high};
    }

    /** A cell's extent along one axis: halfway to its neighbours, the range's ends at the outside. */
    private static double[] edges(TreeSet<Double> values, double value, double[] range) {
        Double below = values.lower(value);
        Double above = values.higher(value);
        return new double[] {below == null ? range[0] : (below + value) / 2,
                above == null ? range[1] : (value + above) / 2};
    }

    private static List<double[]> coordinates(List<PhaseBoundary.Point> points) {
        return points.stream().map(p -> new double[] {p.sigmaW2(), p.sigmaB2()}).toList();
    }

    /** The grid point's coordinates other than those the diagram's axes and title show. */
    static String otherCoordinates(String gridPoint) {
        List<String> parts = new ArrayList<>();
        for (String part : gridPoint.split(" ")) {
            if (!part.isEmpty() && !part.startsWith("scheme=") && !part.startsWith("bias-std=")
                    && !part.startsWith("activation=") && !part.startsWith("depth=")) {
                parts.add(part);
            }
        }
        return String.join(" ", parts);
    }
}
