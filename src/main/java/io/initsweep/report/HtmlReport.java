package io.initsweep.report;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.spec.Setting;
import io.initsweep.spec.Settings;
import io.initsweep.stats.SchemeComparison;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A self-contained HTML report of one sweep, built from the catalog's views: it inlines its data and the ECharts
 * library, so it opens from disk with no network.
 */
public final class HtmlReport {
    private static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    /**
     * Columns of cell_stats that are grid coordinates (every setting that may be an axis, from the settings
     * registry); those with more than one value in a sweep become table columns.
     */
    private static final List<String> COORDINATES = Settings.axes().stream().map(Setting::column).toList();

    private HtmlReport() {
    }

    /** The report's HTML. @throws InitsweepException of kind NOT_FOUND if the sweep has no rows */
    public static String render(CatalogQuery catalog, String sweep) throws IOException {
        List<Map<String, Object>> cellStats = catalog.rows("SELECT * FROM initsweep.cell_stats WHERE sweep = "
                + literal(sweep) + " ORDER BY scheme, depth, activation, grid_point");
        if (cellStats.isEmpty()) {
            throw new InitsweepException(FailureKind.NOT_FOUND, "sweep '" + sweep
                    + "' has no results in this warehouse");
        }
        List<String> axes = new ArrayList<>();
        for (String column : COORDINATES) {
            long distinct = cellStats.stream().map(r -> String.valueOf(r.get(column))).distinct().count();
            if (distinct > 1 || List.of("scheme", "depth", "activation").contains(column)) {
                axes.add(column);
            }
        }
        cellStats.forEach(r -> r.put("context", SchemeComparison.contextLabel((String) r.get("grid_point"))));
        List<Map<String, Object>> curves = catalog.rows("SELECT grid_point, scheme, epoch, n_seeds, test_loss_mean, "
                + "test_loss_std, test_loss_q25, test_loss_median, test_loss_q75 FROM initsweep.curves WHERE sweep = " + literal(sweep));
        curves.forEach(r -> r.put("context", SchemeComparison.contextLabel((String) r.remove("grid_point"))));
        List<Map<String, Object>> propagation = catalog.rows("SELECT scheme, layer_init, bias_init, bias_std, "
                + "activation, depth, width, architecture, normalization, layer, is_output, kind, block, "
                + "activation_var_mean, stream_var_mean FROM initsweep.propagation WHERE sweep = " + literal(sweep));
        List<Map<String, Object>> comparison = catalog.rows("SELECT * FROM initsweep.scheme_comparison WHERE sweep = "
                + literal(sweep) + " ORDER BY context, scheme_a, scheme_b");
        // Mean-field theory: phase diagrams where the sweep spans both variances, and measured against predicted.
        List<Map<String, Object>> phasePoints = catalog.rows("SELECT grid_point, activation, depth, sigma_w2, sigma_b2, "
                + "count(*) AS n_seeds, count_if(status = 'ok') AS n_ok, avg(final_test_loss) AS final_test_loss_mean, "
                + "first(theory_phase) AS theory_phase, first(trainable_depth) AS trainable_depth FROM initsweep.unique_runs "
                + "WHERE sweep = " + literal(sweep) + " AND sigma_w2 IS NOT NULL AND sigma_b2 IS NOT NULL "
                + "GROUP BY grid_point, activation, depth, sigma_w2, sigma_b2 ORDER BY grid_point");
        List<Map<String, Object>> theoryVariance = catalog.rows("SELECT activation, grid_point, layer, "
                + "avg(preactivation_var) AS measured, avg(predicted_q) AS predicted, first(theory_phase) AS phase "
                + "FROM initsweep.theory_layers WHERE sweep = " + literal(sweep) + " AND NOT is_output "
                + "AND predicted_q IS NOT NULL GROUP BY activation, grid_point, layer ORDER BY grid_point, layer");
        // hidden-to-hidden layers (1 .. depth-1), whose factor tends to chi1 once q_l reaches q*
        List<Map<String, Object>> theoryGradient = catalog.rows("SELECT activation, grid_point, first(chi1) AS chi1, "
                + "exp(avg(ln(grad_factor))) AS measured, count(*) AS n, first(theory_phase) AS phase "
                + "FROM initsweep.theory_layers WHERE sweep = " + literal(sweep) + " AND NOT is_output "
                + "AND layer >= 1 AND chi1 IS NOT NULL AND grad_factor > 0 GROUP BY activation, grid_point "
                + "ORDER BY grid_point");

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("sweep", sweep);
        data.put("axes", axes);
        data.put("schemes", new ArrayList<>(new TreeSet<>(cellStats.stream().map(r -> (String) r.get("scheme"))
                .toList())));
        data.put("contexts", new ArrayList<>(new TreeSet<>(cellStats.stream().map(r -> (String) r.get("context"))
                .toList())));
        data.put("cellStats", cellStats);
        data.put("curves", curves);
        data.put("propagation", propagation);
        data.put("comparison", comparison);
        data.put("phaseDiagrams", PhaseDiagrams.build(phasePoints));
        data.put("theoryVariance", theoryVariance);
        data.put("theoryGradient", theoryGradient);

        long seeds = cellStats.stream().mapToLong(r -> ((Number) r.get("n_seeds")).longValue()).sum();
        String meta = cellStats.size() + " grid points, " + seeds + " runs. Generated " + Instant.now()
                + " from the catalog views cell_stats, curves, propagation, theory_layers and the tables runs and "
                + "scheme_comparison.";
        String json = new ObjectMapper().writeValueAsString(data).replace("</", "<\\/");
        return resource("/report/template.html")
                .replace("{{SWEEP}}", escape(sweep))
                .replace("{{META}}", escape(meta))
                .replace("{{ECHARTS}}", resource(ECHARTS))
                .replace("{{DATA}}", json)
                .replace("{{APP}}", resource("/report/report.js"));
    }

    /** An SQL string literal. */
    private static String literal(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static String resource(String name) {
        try (InputStream in = HtmlReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
