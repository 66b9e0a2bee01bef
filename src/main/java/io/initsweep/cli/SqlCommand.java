package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.common.InitsweepException;
import io.initsweep.report.TextTable;
import io.initsweep.spark.SqlQueries;

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
                "Without a query, reads statements from the terminal (end each with ';', quit with 'exit').",
                "Statements that would change initsweep's tables (INSERT, DELETE, DROP, ALTER, ...) are refused "
                        + "(exit code 2) unless --allow-writes is given."})
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

    @Option(names = "--allow-writes", description = "let statements change the initsweep database and the "
            + "warehouse's files (results written this way bypass the commit log)")
    boolean allowWrites;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        String mode = format.toLowerCase(Locale.ROOT);
        if (!List.of("table", "csv", "json").contains(mode)) {
            err.println("error: --format must be table, csv or json, got '" + format + "'");
            return ExitCode.USAGE;
        }
        SparkSession spark = Warehouses.withCatalog(location.out, location.master, err);
        SqlQueries queries = new SqlQueries(spark, allowWrites);
        if (query != null) {
            for (String statement : statements(query)) {
                print(queries.execute(statement, maxRows, mode.equals("json")), mode, out);
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
                    try {
                        print(queries.execute(statement, maxRows, mode.equals("json")), mode, out);
                    } catch (InitsweepException e) {
                        // At the prompt a refused statement is reported and the session goes on.
                        Failures.report(e, err, false);
                    }
                }
                pending.setLength(0);
            }
            out.print(pending.length() == 0 ? "initsweep> " : "        -> ");
            out.flush();
        }
        out.println();
        return ExitCode.OK;
    }

    private static void print(SqlQueries.Result result, String mode, PrintWriter out) {
        List<String> columns = result.columns();
        if (columns.isEmpty()) {
            return;
        }
        switch (mode) {
            case "json" -> result.json().forEach(out::println);
            case "csv" -> {
                out.println(String.join(",", columns.stream().map(SqlCommand::csv).toList()));
                for (List<Object> row : result.rows()) {
                    out.println(String.join(",", row.stream()
                            .map(v -> v == null ? "" : csv(String.valueOf(v))).toList()));
                }
            }
            default -> {
                List<List<String>> cells = new ArrayList<>();
                for (List<Object> row : result.rows()) {
                    cells.add(row.stream().map(SqlCommand::display).toList());
                }
                out.print(TextTable.render(columns, cells));
                out.println("(" + cells.size() + (result.truncated() ? "+" : "") + " rows)");
            }
        }
        out.flush();
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
