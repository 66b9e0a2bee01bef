package io.initsweep.stats;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The comparison statistics against values computed by hand (and by R's wilcox.test, which they follow). */
class TestSchemeComparison {

    private static List<SchemeComparison.Sample> samples(String scheme, double... losses) {
        List<SchemeComparison.Sample> out = new ArrayList<>();
        for (double loss : losses) {
            out.add(Double.isNaN(loss) ? new SchemeComparison.Sample("s", "ctx", "depth=2", scheme, "diverged", null)
                    : new SchemeComparison.Sample("s", "ctx", "depth=2", scheme, "ok", loss));
        }
        return out;
    }

    @Test
    void separatedSamplesGetTheExactPValue() {
        // All of a below all of b: U = 0; exact two-sided p = 2 / C(n_a + n_b, n_a).
        List<SchemeComparison.Sample> all = new ArrayList<>(samples("a", 0.10, 0.12, 0.15, 0.11, Double.NaN));
        all.addAll(samples("b", 0.30, 0.25, 0.40, 0.35, 0.28));
        SchemeComparison.Row row = SchemeComparison.compare(all).get(0);
        assertThat(row.nA()).isEqualTo(4);
        assertThat(row.divergedA()).isEqualTo(1);
        assertThat(row.uStatistic()).isEqualTo(0.0);
        assertThat(row.pValue()).isCloseTo(2.0 / 126, within(1e-12)); // C(9, 4) = 126
        assertThat(row.pValueHolm()).isCloseTo(2.0 / 126, within(1e-12));
        assertThat(row.rankBiserial()).isEqualTo(1.0);
        assertThat(row.significant()).isTrue();
        assertThat(row.meanDiff()).isCloseTo(0.12 - 0.316, within(1e-12));
        assertThat(row.ciLow()).isLessThan(row.meanDiff());
        assertThat(row.ciHigh()).isGreaterThan(row.meanDiff()).isLessThan(0.0);
    }

    @Test
    void threeSeedsCanNeverBeSignificant() {
        List<SchemeComparison.Sample> all = new ArrayList<>(samples("a", 1, 2, 3));
        all.addAll(samples("b", 4, 5, 6));
        SchemeComparison.Row row = SchemeComparison.compare(all).get(0);
        assertThat(row.pValue()).isCloseTo(0.1, within(1e-12)); // 2 / C(6, 3)
        assertThat(row.significant()).isFalse();
    }

    @Test
    void tiesUseTheNormalApproximationWithTieAndContinuityCorrection() {
        // x = {1,2,2,3}, y = {2,4,5,6}: ranks of x 1,3,3,5 -> U = 2; E[U] = 8;
        // Var[U] = 16/12 * (9 - (3^3 - 3)/(8*7)) = 11.428571; z = (2 - 8 + 0.5)/3.380617 = -1.626923;
        // p = 2 * Phi(z) = 0.1037537 (R: wilcox.test(x, y, exact = FALSE, correct = TRUE)).
        List<SchemeComparison.Sample> all = new ArrayList<>(samples("a", 1, 2, 2, 3));
        all.addAll(samples("b", 2, 4, 5, 6));
        SchemeComparison.Row row = SchemeComparison.compare(all).get(0);
        assertThat(row.uStatistic()).isEqualTo(2.0);
        assertThat(row.pValue()).isCloseTo(0.1037537, within(1e-6));
        // rank-biserial: pairs a<b: 1<all 4, 2<4,5,6 twice (6), 3<4,5,6 (3) = 13; a>b: 3>2 = 1; ties 2: 16 pairs
        assertThat(row.rankBiserial()).isCloseTo((13.0 - 1.0) / 16, within(1e-12));
    }

    @Test
    void holmAdjustsWithinAContext() {
        List<SchemeComparison.Row> rows = new ArrayList<>();
        for (double p : new double[] {0.01, 0.04, 0.03}) {
            rows.add(new SchemeComparison.Row("s", "c", "c", "a" + p, "b", 3, 3, 0, 0, 1.0, 1.0, 0.0, 0.0, 0.0,
                    0.0, p, null, 0.0, false));
        }
        List<SchemeComparison.Row> adjusted = SchemeComparison.holm(rows);
        // sorted 0.01, 0.03, 0.04 -> 3*0.01 = 0.03, max(0.03, 2*0.03) = 0.06, max(0.06, 1*0.04) = 0.06
        assertThat(adjusted).extracting(SchemeComparison.Row::pValueHolm).containsExactly(0.03, 0.06, 0.06);
        assertThat(adjusted).extracting(SchemeComparison.Row::significant).containsExactly(true, false, false);
    }

    @Test
    void quantilesFollowRType7AndBootstrapIsSeeded() {
        double[] sorted = {1, 2, 3, 4};
        assertThat(SchemeComparison.quantile(sorted, 0.5)).isEqualTo(2.5);
        assertThat(SchemeComparison.quantile(sorted, 0.025)).isCloseTo(1.075, within(1e-12));
        double[] x = {0.1, 0.2, 0.3};
        double[] y = {0.5, 0.6, 0.7};
        assertThat(SchemeComparison.bootstrap(x, y, 7)).containsExactly(SchemeComparison.bootstrap(x, y, 7));
        double[] ci = SchemeComparison.bootstrap(x, y, 7);
        assertThat(ci[0]).isGreaterThanOrEqualTo(-0.6 - 1e-12); // the most extreme resample: 0.1 - 0.7
        assertThat(ci[1]).isLessThanOrEqualTo(-0.2 + 1e-12).isGreaterThan(ci[0]);
    }

    @Test
    void pairsWithoutOkSeedsAreKeptButNotTested() {
        List<SchemeComparison.Sample> all = new ArrayList<>(samples("a", Double.NaN, Double.NaN));
        all.addAll(samples("b", 0.3, 0.4));
        SchemeComparison.Row row = SchemeComparison.compare(all).get(0);
        assertThat(row.divergedA()).isEqualTo(2);
        assertThat(row.pValue()).isNull();
        assertThat(row.significant()).isFalse();
    }
}
