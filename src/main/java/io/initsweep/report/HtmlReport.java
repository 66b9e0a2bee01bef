package io.initsweep.report;

import io.initsweep.spec.Setting;
import io.initsweep.spec.Settings;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

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

    /** The report's HTML. @throws IllegalArgumentException if the sweep has no rows */
    public static String render(SparkSession spark, String sweep) throws IOException {
        List<Map<String, Object>> cellStats = rows(spark, "SELECT * FROM initsweep.cell_stats WHERE sweep = "
                + Catalog.literal(sweep) + " ORDER BY scheme, depth, activation, grid_point");
        if (cellStats.isEmpty()) {
            throw new IllegalArgumentException("sweep '" + sweep + "' has no results in this warehouse");
        }
        List<String> axes = new ArrayList<>();
        for (String column : COORDINATES) {
            long distinct = cellStats.stream().map(r -> String.valueOf(r.get(column))).distinct().count();
            if (distinct > 1 || List.of("scheme", "depth", "activation").contains(column)) {
                axes.add(column);
            }
        }
        cellStats.forEach(r -> r.put("context", Comparisons.withoutScheme((String) r.get("grid_point"))));
        List<Map<String, Object>> curves = rows(spark, "SELECT grid_point, scheme, epoch, n_seeds, test_loss_mean, "
                + "test_loss_std, test_loss_q25, test_loss_median, test_loss_q75 FROM initsweep.curves WHERE sweep = " + Catalog.literal(sweep));
        curves.forEach(r -> r.put("context", Comparisons.withoutScheme((String) r.remove("grid_point"))));
        List<Map<String, Object>> propagation = rows(spark, "SELECT scheme, activation, depth, width, architecture, "
                + "normalization, layer, is_output, kind, block, activation_var_mean, stream_var_mean "
                + "FROM initsweep.propagation WHERE sweep = " + Catalog.literal(sweep));
        List<Map<String, Object>> comparison = rows(spark, "SELECT * FROM initsweep.scheme_comparison WHERE sweep = "
                + Catalog.literal(sweep) + " ORDER BY context, scheme_a, scheme_b");

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

        long seeds = cellStats.stream().mapToLong(r -> ((Number) r.get("n_seeds")).longValue()).sum();
        String meta = cellStats.size() + " grid points, " + seeds + " runs. Generated " + Instant.now()
                + " from the catalog views cell_stats, curves, propagation and the table scheme_comparison.";
        String json = new ObjectMapper().writeValueAsString(data).replace("</", "<\\/");
        return resource("/report/template.html")
                .replace("{{SWEEP}}", escape(sweep))
                .replace("{{META}}", escape(meta))
                .replace("{{ECHARTS}}", resource(ECHARTS))
                .replace("{{DATA}}", json)
                .replace("{{APP}}", resource("/report/report.js"));
    }

    /** Rows as maps, non-finite doubles as null (JSON has no NaN). */
    private static List<Map<String, Object>> rows(SparkSession spark, String sql) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Row row : spark.sql(sql).collectAsList()) {
            Map<String, Object> map = new LinkedHashMap<>();
            String[] names = row.schema().fieldNames();
            for (int i = 0; i < names.length; i++) {
                Object value = row.get(i);
                if (value instanceof Double d && !Double.isFinite(d)) {
                    value = null;
                }
                if (value instanceof java.sql.Timestamp t) {
                    value = t.toInstant().toString();
                }
                map.put(names[i], value);
            }
            out.add(map);
        }
        return out;
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
