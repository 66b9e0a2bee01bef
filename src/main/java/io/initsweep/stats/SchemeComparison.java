package io.initsweep.stats;

import io.initsweep.common.Hashing;

import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.statistics.inference.MannWhitneyUTest;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pairwise comparison of schemes on the final test loss across seeds, within each context (a sweep and every
 * other setting held equal). For each pair: a two-sided Mann-Whitney U test (exact p-value for small samples
 * without ties, else the normal approximation with tie and continuity correction, as R's wilcox.test), Holm's
 * adjustment over the pairs of the context, the rank-biserial correlation, and a percentile bootstrap 95%
 * confidence interval of the difference of means.
 *
 * <p>Only seeds that finished ok enter the statistics; diverged seeds are counted beside them.
 */
public final class SchemeComparison {
    /** Bootstrap resamples per pair. */
    public static final int BOOTSTRAP = 4000;
    public static final double ALPHA = 0.05;

    private SchemeComparison() {
    }

    /**
     * One run as the comparison sees it.
     *
     * @param sweep    the sweep
     * @param context  every setting but the scheme and the seed (equal values compare)
     * @param label    the context for people, e.g. {@code depth=8 activation=relu}
     * @param scheme   the scheme label
     * @param status   ok, diverged or failed
     * @param loss     final test loss (ok runs)
     */
    public record Sample(String sweep, String context, String label, String scheme, String status, Double loss) {
    }

    /**
     * One pair of schemes in one context.
     *
     * @param meanDiff     mean(a) − mean(b) of the final test loss
     * @param rankBiserial P(a &lt; b) − P(a &gt; b) over all pairs of seeds: +1 means every seed of a ended with a
     *                     lower loss than every seed of b
     * @param significant  Holm-adjusted p below {@link #ALPHA}
     */
    public record Row(String sweep, String context, String label, String schemeA, String schemeB, int nA, int nB,
                      int divergedA, int divergedB, Double meanA, Double meanB, Double meanDiff, Double ciLow,
                      Double ciHigh, Double uStatistic, Double pValue, Double pValueHolm, Double rankBiserial,
                      boolean significant) implements Serializable {
    }

    /**
     * A context for people: a grid point's coordinates without the scheme, e.g. {@code scheme=he_normal depth=8
     * activation=relu} → {@code depth=8 activation=relu}.
     */
    public static String contextLabel(String gridPoint) {
        List<String> parts = new ArrayList<>();
        for (String part : gridPoint.split(" ")) {
            if (!part.startsWith("scheme=") && !part.isEmpty()) {
                parts.add(part);
            }
        }
        return parts.isEmpty() ? "(all cells)" : String.join(" ", parts);
    }

    public static List<Row> compare(List<Sample> samples) {
        Map<String, Map<String, List<Sample>>> byContext = new TreeMap<>();
        for (Sample s : samples) {
            byContext.computeIfAbsent(s.sweep() + "\u0000" + s.context(), k -> new TreeMap<>())
                    .computeIfAbsent(s.scheme(), k -> new ArrayList<>()).add(s);
        }
        List<Row> rows = new ArrayList<>();
        for (Map<String, List<Sample>> schemes : byContext.values()) {
            List<String> names = new ArrayList<>(schemes.keySet());
            List<Row> context = new ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                for (int j = i + 1; j < names.size(); j++) {
                    context.add(pair(schemes.get(names.get(i)), schemes.get(names.get(j))));
                }
            }
            rows.addAll(holm(context));
        }
        return rows;
    }

    private static Row pair(List<Sample> a, List<Sample> b) {
        Sample first = a.get(0);
        double[] x = losses(a);
        double[] y = losses(b);
        int divergedA = (int) a.stream().filter(s -> s.status().equals("diverged")).count();
        int divergedB = (int) b.stream().filter(s -> s.status().equals("diverged")).count();
        if (x.length == 0 || y.length == 0) {
            return new Row(first.sweep(), first.context(), first.label(), first.scheme(), b.get(0).scheme(),
                    x.length, y.length, divergedA, divergedB, mean(x), mean(y), null, null, null, null, null, null,
                    null, false);
        }
        MannWhitneyUTest.Result test = MannWhitneyUTest.withDefaults().test(x, y);
        double[] ci = bootstrap(x, y, Hashing.seed("bootstrap|" + first.sweep() + "|" + first.context() + "|"
                + first.scheme() + "|" + b.get(0).scheme()));
        return new Row(first.sweep(), first.context(), first.label(), first.scheme(), b.get(0).scheme(), x.length,
                y.length, divergedA, divergedB, mean(x), mean(y), mean(x) - mean(y), ci[0], ci[1],
                test.getStatistic(), test.getPValue(), null, rankBiserial(x, y), false);
    }

    /** P(x &lt; y) − P(x &gt; y) over all pairs; ties count half to each side, i.e. nothing. */
    static double rankBiserial(double[] x, double[] y) {
        long less = 0;
        long greater = 0;
        for (double xi : x) {
            for (double yj : y) {
                if (xi < yj) {
                    less++;
                } else if (xi > yj) {
                    greater++;
                }
            }
        }
        return (double) (less - greater) / ((long) x.length * y.length);
    }

    /** Percentile bootstrap 95% interval of mean(x) − mean(y), resampling each sample independently. */
    static double[] bootstrap(double[] x, double[] y, long seed) {
        RandomGenerator random = new Well19937c(seed);
        double[] differences = new double[BOOTSTRAP];
        for (int b = 0; b < BOOTSTRAP; b++) {
            differences[b] = resampledMean(x, random) - resampledMean(y, random);
        }
        java.util.Arrays.sort(differences);
        return new double[] {quantile(differences, 0.025), quantile(differences, 0.975)};
    }

    private static double resampledMean(double[] values, RandomGenerator random) {
        double sum = 0;
        for (int i = 0; i < values.length; i++) {
            sum += values[random.nextInt(values.length)];
        }
        return sum / values.length;
    }

    /** Linear interpolation between order statistics (R's type 7). */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** Holm's step-down adjustment over the tested pairs of one context. */
    static List<Row> holm(List<Row> rows) {
        List<Row> tested = new ArrayList<>(rows.stream().filter(r -> r.pValue() != null).toList());
        tested.sort(Comparator.comparingDouble(Row::pValue));
        Map<Row, Double> adjusted = new LinkedHashMap<>();
        double running = 0;
        int m = tested.size();
        for (int i = 0; i < m; i++) {
            running = Math.max(running, Math.min(1.0, (m - i) * tested.get(i).pValue()));
            adjusted.put(tested.get(i), running);
        }
        List<Row> out = new ArrayList<>();
        for (Row r : rows) {
            Double holm = adjusted.get(r);
            out.add(new Row(r.sweep(), r.context(), r.label(), r.schemeA(), r.schemeB(), r.nA(), r.nB(),
                    r.divergedA(), r.divergedB(), r.meanA(), r.meanB(), r.meanDiff(), r.ciLow(), r.ciHigh(),
                    r.uStatistic(), r.pValue(), holm, r.rankBiserial(), holm != null && holm < ALPHA));
        }
        return out;
    }

    private static double[] losses(List<Sample> samples) {
        return samples.stream().filter(s -> s.status().equals("ok") && s.loss() != null
                && Double.isFinite(s.loss())).mapToDouble(Sample::loss).toArray();
    }

    private static Double mean(double[] values) {
        if (values.length == 0) {
            return null;
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
