package io.initsweep.spark;

import io.initsweep.schema.Tables;
import io.initsweep.spark.Warehouse;
import io.initsweep.stats.SchemeComparison;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Computes a sweep's scheme_comparison rows from its runs and stores them in the warehouse. */
public final class Comparisons {
    /**
     * The columns that, with the sweep, make a context: every setting in the comparison context (all that identify
     * a cell but the scheme) and the dataset's fingerprint, from the settings registry.
     */
    static final List<String> CONTEXT = Tables.contextColumns();

    private Comparisons() {
    }

    /** Recomputes the sweep's comparisons; call with the sweep's lock held. @return the rows written */
    public static List<SchemeComparison.Row> refresh(Warehouse warehouse, String sweep, String commitId)
            throws IOException {
        List<String> columns = new ArrayList<>(List.of("grid_point", "scheme", "status", "final_test_loss"));
        columns.addAll(CONTEXT);
        List<SchemeComparison.Sample> samples = new ArrayList<>();
        for (Row row : warehouse.read(Tables.RUNS, sweep).where(functions.col("sweep").equalTo(sweep))
                .select(columns.stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new))
                .collectAsList()) {
            StringBuilder context = new StringBuilder();
            for (int i = 4; i < columns.size(); i++) {
                context.append(columns.get(i)).append('=').append(row.get(i)).append('|');
            }
            samples.add(new SchemeComparison.Sample(sweep, context.toString(),
                    SchemeComparison.contextLabel(row.getString(0)), row.getString(1), row.getString(2),
                    row.isNullAt(3) ? null : row.getDouble(3)));
        }
        List<SchemeComparison.Row> rows = SchemeComparison.compare(samples);
        warehouse.replace(sweep, commitId, Tables.SCHEME_COMPARISON, rows);
        return rows;
    }
}
