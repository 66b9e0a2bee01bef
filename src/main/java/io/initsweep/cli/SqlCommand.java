package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.report.TextTable;

import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code initsweep sql [QUERY]}: Spark SQL against the warehouse's catalog. */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Run Spark SQL against the catalog (database initsweep: runs, epochs, layers, "
                + "scheme_comparison and the views cell_stats, curves, propagation).",
                "Without a query, reads statements from the terminal (end each with ';', quit with 'exit')."})
final class SqlCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Parameters(index = "0", arity = "0..1", paramLabel = "QUERY", description = "statements separated by ';'")
    String query;

    @CommandLine.Mixin
    WarehouseOptions location;

    @Option(names = "--format", defaultValue = "table", description = "table, csv or json (one object per line)")
    String format;

    @Option(names = "--max-rows", defaultValue = "1000", description = "rows printed at most (default: ${DEFAULT-VALUE})")
    int maxRows;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        String mode = format.toLowerCase(Locale.ROOT);
        if (!List.of("table", "csv", "json").contains(mode)) {
            err.println("error: --format must be table, csv or json, got '" + format + "'");
            return ExitCode.USAGE;
        }
        SparkSession spark = Warehouses.withCatalog(location.out, location.master, command.commandLine().getErr());
        if (query != null) {
            for (String statement : statements(query)) {
                Integer failed = execute(spark, statement, mode, out, err);
                if (failed != null) {
                    return failed;
                }
            }
            return ExitCode.OK;
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder pending = new StringBuilder();
        out.print("initsweep> ");
        out.flush();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String trimmed = line.trim();
            if (pending.length() == 0 && (trimmed.equalsIgnoreCase("exit") || trimmed.equalsIgnoreCase("quit")
                    || trimmed.equalsIgnoreCase("exit;") || trimmed.equalsIgnoreCase("quit;"))) {
                break;
            }
            pending.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                for (String statement : statements(pending.toString())) {
                    execute(spark, statement, mode, out, err);
                }
                pending.setLength(0);
            }
            out.print(pending.length() == 0 ? "initsweep> " : "        -> ");
            out.flush();
        }
        out.println();
        return ExitCode.OK;
    }

    /** @return null on success, else the exit code */
    private Integer execute(SparkSession spark, String statement, String mode, PrintWriter out, PrintWriter err) {
        try {
            Dataset<Row> result = spark.sql(statement);
            String[] columns = result.columns();
            if (columns.length == 0) {
                return null;
            }
            switch (mode) {
                case "json" -> result.limit(maxRows).toJSON().collectAsList().forEach(out::println);
                case "csv" -> {
                    out.println(String.join(",", java.util.Arrays.stream(columns).map(SqlCommand::csv).toList()));
                    for (Row row : result.limit(maxRows).collectAsList()) {
                        List<String> values = new ArrayList<>();
                        for (int i = 0; i < columns.length; i++) {
                            values.add(row.isNullAt(i) ? "" : csv(String.valueOf(row.get(i))));
                        }
                        out.println(String.join(",", values));
                    }
                }
                default -> {
                    List<Row> rows = result.limit(maxRows + 1).collectAsList();
                    List<List<String>> cells = new ArrayList<>();
                    for (Row row : rows.subList(0, Math.min(rows.size(), maxRows))) {
                        List<String> values = new ArrayList<>();
                        for (int i = 0; i < columns.length; i++) {
                            values.add(display(row.get(i)));
                        }
                        cells.add(values);
                    }
                    out.print(TextTable.render(List.of(columns), cells));
                    out.println("(" + cells.size() + (rows.size() > maxRows ? "+" : "") + " rows)");
                }
            }
            out.flush();
            return null;
        } catch (Exception e) {
            // Scala declares no checked exceptions: AnalysisException (parse errors included) arrives unchecked.
            if (!(e instanceof AnalysisException)) {
                throw e;
            }
            err.println("error: " + e.getMessage().lines().findFirst().orElse(e.toString()));
            return ExitCode.USAGE;
        }
    }

    static List<String> statements(String text) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : text.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                if (!current.toString().isBlank()) {
                    statements.add(current.toString().trim());
                }
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().trim());
        }
        return statements;
    }

    private static String display(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Double d) {
            return Double.isFinite(d) && d != 0 && (Math.abs(d) < 1e-4 || Math.abs(d) >= 1e6)
                    ? String.format(Locale.ROOT, "%.4e", d) : Double.isFinite(d)
                    ? new java.math.BigDecimal(d).round(new java.math.MathContext(6)).stripTrailingZeros()
                    .toPlainString() : d.toString();
        }
        return String.valueOf(value);
    }

    private static String csv(String value) {
        return value.contains(",") || value.contains("\"") || value.contains("\n")
                ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }
}
