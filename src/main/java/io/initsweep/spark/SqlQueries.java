package io.initsweep.spark;

import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;

import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.parser.ParseException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Runs the user's SQL statements against the catalog, read-only unless asked: the session's {@link ReadOnlyGuard}
 * refuses statements that would change initsweep's tables.
 */
public final class SqlQueries {
    private final SparkSession session;

    /**
     * @param spark       a session built with {@link ReadOnlyExtensions} ({@link SparkSessions#createWithCatalog})
     * @param allowWrites run statements that change the tables too ({@code sql --allow-writes})
     */
    public SqlQueries(SparkSession spark, boolean allowWrites) {
        if (!ReadOnlyGuard.guarded(spark)) {
            throw new IllegalStateException("the SQL session has no read-only guard: build it with "
                    + "SparkSessions.createWithCatalog");
        }
        this.session = allowWrites ? ReadOnlyGuard.writable(spark) : spark;
    }

    /**
     * A statement's result.
     *
     * @param columns   its columns; empty for a statement that returns nothing
     * @param rows      at most the rows asked for, each value as Spark returns it
     * @param json      the same rows as Spark's JSON lines, when asked for
     * @param truncated whether there were more rows
     */
    public record Result(List<String> columns, List<List<Object>> rows, List<String> json, boolean truncated) {
        public Result {
            columns = List.copyOf(columns);
            rows = List.copyOf(rows);
            json = List.copyOf(json);
        }
    }

    /**
     * Runs one statement.
     *
     * @param maxRows rows returned at most
     * @param json    whether to return the rows as JSON lines rather than values
     * @throws InitsweepException {@link FailureKind#READ_ONLY} for a statement that would write the results,
     *                            {@link FailureKind#BAD_USAGE} for one Spark cannot parse or analyze (with Spark's
     *                            message: the line, the position)
     */
    public Result execute(String statement, int maxRows, boolean json) {
        Dataset<Row> result;
        try {
            result = session.sql(statement);
        } catch (Exception e) {
            // Scala declares no checked exceptions: AnalysisException (a checked one) arrives undeclared.
            throw refused(e);
        }
        List<String> columns = Arrays.asList(result.columns());
        if (columns.isEmpty()) {
            return new Result(List.of(), List.of(), List.of(), false);
        }
        if (json) {
            List<String> lines = result.limit(maxRows + 1).toJSON().collectAsList();
            return new Result(columns, List.of(), lines.subList(0, Math.min(lines.size(), maxRows)),
                    lines.size() > maxRows);
        }
        List<Row> collected = result.limit(maxRows + 1).collectAsList();
        List<List<Object>> rows = new ArrayList<>();
        for (Row row : collected.subList(0, Math.min(collected.size(), maxRows))) {
            List<Object> values = new ArrayList<>(columns.size());
            for (int i = 0; i < columns.size(); i++) {
                values.add(row.get(i));
            }
            rows.add(values);
        }
        return new Result(columns, rows, List.of(), collected.size() > maxRows);
    }

    private static RuntimeException refused(Exception e) {
        Objects.requireNonNull(e, "e is null");
        Throwable failure = e;
        if (!(failure instanceof AnalysisException) && failure.getCause() instanceof AnalysisException cause) {
            failure = cause;
        }
        if (failure instanceof ParseException parse) {
            // Spark's message: what is wrong with its line and position, then the statement with a caret under it.
            String message = String.join("\n", parse.getMessage().lines().filter(l -> !l.isBlank()).toList());
            return new InitsweepException(FailureKind.BAD_USAGE, message, e);
        }
        if (failure instanceof AnalysisException analysis) {
            // The first line names the problem and its position; the rest is Spark's plan.
            String message = analysis.getMessage().lines().filter(l -> !l.isBlank()).findFirst()
                    .orElse(analysis.toString());
            return new InitsweepException(FailureKind.BAD_USAGE, message, e);
        }
        return e instanceof RuntimeException runtime ? runtime
                : new IllegalStateException("the query failed: " + e.getMessage(), e);
    }
}
