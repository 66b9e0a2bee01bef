package io.initsweep.spark;

import io.initsweep.common.Hashing;
import io.initsweep.report.CatalogQuery;
import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;
import io.initsweep.spark.ReadOnlyGuard;
import io.initsweep.spark.Warehouse;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Registers a warehouse's tables and the analysis views in the session's persistent catalog, database
 * {@code initsweep}. Idempotent: a table already registered at the same location with the same schema version is
 * only refreshed; otherwise it is dropped (the tables are external: dropping never touches the Parquet files) and
 * created again. Views are made from the SQL files under {@code /sql/} on the classpath, and made again only when
 * their definitions changed (a fingerprint in the database's properties) or one is missing.
 *
 * <p>The statements run in a session that may write ({@link ReadOnlyGuard#writable}): the user's session is
 * read-only for the database.
 */
public final class Catalog {
    public static final String DATABASE = ReadOnlyGuard.DATABASE;
    /** Views in dependency order, each defined once in {@code src/main/resources/sql/<name>.sql}. */
    public static final List<String> VIEWS = List.of("unique_runs", "unique_epochs", "unique_layers",
            "cell_stats", "curves", "propagation", "theory_layers", "layer_channels");

    private Catalog() {
    }

    public static void register(SparkSession spark, Warehouse warehouse) throws IOException {
        SparkSession admin = ReadOnlyGuard.writable(spark);
        admin.sql("CREATE DATABASE IF NOT EXISTS " + DATABASE
                + " COMMENT 'initsweep results: runs, epochs, layers, scheme_comparison and their views'");
        StringBuilder definitions = new StringBuilder();
        for (Table<?> table : Tables.catalog()) {
            register(admin, warehouse, table);
            // The user's session caches what it has read of the table: show it the files as they are now.
            spark.catalog().refreshTable(DATABASE + "." + table.name());
            definitions.append(table.name()).append(' ').append(table.version()).append(' ')
                    .append(warehouse.tablePath(table)).append(' ').append(table.schema().toDDL()).append('\n');
        }
        // Replacing the views is most of what registering costs (about 1.3 s of 1.7 s warm, 2 s of 5.7 s in a new
        // JVM), and every sql, report and catalog command registers. The database records a fingerprint of what the
        // views were made from (their SQL, and the tables' schemas and locations they capture): the same
        // fingerprint and all views present means they are as this code would make them. The fingerprint is
        // written after the views, so a process that dies in between leaves it stale and the next one remakes them.
        List<String> views = VIEWS.stream().map(Catalog::viewSql).toList();
        views.forEach(sql -> definitions.append(sql).append('\n'));
        String fingerprint = Hashing.sha256Hex(definitions.toString());
        if (fingerprint.equals(viewsFingerprint(admin)) && viewsPresent(admin)) {
            return;
        }
        for (String sql : views) {
            admin.sql(sql);
        }
        admin.sql("ALTER DATABASE " + DATABASE + " SET DBPROPERTIES (" + literal(VIEWS_FINGERPRINT) + " = "
                + literal(fingerprint) + ")");
    }

    /** The database property holding the fingerprint of the views' definitions (see {@link #register}). */
    static final String VIEWS_FINGERPRINT = "initsweep.views_fingerprint";

    static String viewsFingerprint(SparkSession spark) {
        scala.Option<String> value = spark.sharedState().externalCatalog().getDatabase(DATABASE).properties()
                .get(VIEWS_FINGERPRINT);
        return value.isDefined() ? value.get() : null;
    }

    private static boolean viewsPresent(SparkSession spark) {
        Set<String> present = new HashSet<>();
        for (Row row : spark.sql("SHOW VIEWS IN " + DATABASE).collectAsList()) {
            if (!row.getBoolean(row.fieldIndex("isTemporary"))) { // a session's temporary view of the same name
                present.add(row.getString(row.fieldIndex("viewName")));
            }
        }
        return present.containsAll(VIEWS);
    }

    private static void register(SparkSession spark, Warehouse warehouse, Table<?> table) throws IOException {
        String name = DATABASE + "." + table.name();
        String location = warehouse.tablePath(table).toString();
        warehouse.fileSystem().mkdirs(warehouse.tablePath(table));
        if (spark.catalog().tableExists(DATABASE, table.name())) {
            Map<String, String> properties = new HashMap<>();
            for (Row row : spark.sql("SHOW TBLPROPERTIES " + name).collectAsList()) {
                properties.put(row.getString(0), row.getString(1));
            }
            if (location.equals(properties.get("initsweep.location"))
                    && Integer.toString(table.version()).equals(properties.get("initsweep.schema_version"))) {
                spark.sql("REFRESH TABLE " + name);
                return;
            }
            spark.sql("DROP TABLE " + name);
        }
        spark.sql("CREATE TABLE " + name + " (" + table.schema().asNullable().toDDL() + ") USING parquet"
                + " COMMENT " + literal(table.doc())
                + " LOCATION " + literal(location)
                + " TBLPROPERTIES ('initsweep.schema_version' = '" + table.version() + "', 'initsweep.location' = "
                + literal(location) + ")");
    }

    public static String viewSql(String view) {
        try (InputStream in = Catalog.class.getResourceAsStream("/sql/" + view + ".sql")) {
            if (in == null) {
                throw new IllegalStateException("missing resource /sql/" + view + ".sql");
            }
            // The grouping columns come from the settings registry, so a new setting splits grid points in the
            // views as it does in the tables.
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("{{runs_with_defaults}}", Tables.runsColumnsWithDefaults("kept"))
                    .replace("{{key:runs}}", String.join(", ", Tables.rowKey(Tables.RUNS)))
                    .replace("{{key:epochs}}", String.join(", ", Tables.rowKey(Tables.EPOCHS)))
                    .replace("{{key:layers}}", String.join(", ", Tables.rowKey(Tables.LAYERS)))
                    .replace("{{settings}}", String.join(", ", Tables.settingColumns()))
                    .replace("{{r.settings}}", prefixed("r.", Tables.settingColumns()))
                    .replace("{{r.init_settings}}", prefixed("r.", Tables.initSettingColumns()));
            StringBuilder sql = new StringBuilder();
            for (String line : text.split("\n")) {
                if (!line.stripLeading().startsWith("--")) {
                    sql.append(line).append('\n');
                }
            }
            return sql.toString().trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String prefixed(String prefix, List<String> columns) {
        return String.join(", ", columns.stream().map(c -> prefix + c).toList());
    }

    /** The report's view of the catalog: the session's SQL, rows as plain values. */
    public static CatalogQuery query(SparkSession spark) {
        return sql -> {
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
        };
    }

    /** The sweep whose cells finished last, if the warehouse has any. */
    public static Optional<String> latestSweep(SparkSession spark) {
        List<Row> latest = spark.sql("SELECT sweep FROM " + DATABASE + ".unique_runs GROUP BY sweep "
                + "ORDER BY max(finished_at) DESC LIMIT 1").collectAsList();
        return latest.isEmpty() ? Optional.empty() : Optional.of(latest.get(0).getString(0));
    }

    /** One registered table or view, as {@code catalog} lists it. */
    public record Entry(String name, boolean view, long rows) {
    }

    /** Every table and view of the database, with the tables' row counts. */
    public static List<Entry> listing(SparkSession spark) {
        List<Entry> entries = new ArrayList<>();
        for (Row row : spark.sql("SHOW TABLES IN " + DATABASE).collectAsList()) {
            String name = row.getString(1);
            boolean view = row.getBoolean(2) || VIEWS.contains(name);
            entries.add(new Entry(DATABASE + "." + name, view, view ? -1 : spark.table(DATABASE + "." + name).count()));
        }
        return entries;
    }

    /** The JDBC URL of the embedded metastore this session uses, if it uses one. */
    public static Optional<String> embeddedMetastore(SparkSession spark) {
        return Optional.ofNullable(spark.sparkContext().getConf().get("spark.hadoop.javax.jdo.option.ConnectionURL",
                null));
    }

    /**
     * Whether a failure to open the catalog is an embedded Derby metastore booted by another process (Derby's
     * XSDB6). Derby chains its reasons as SQLException.getNextException, which getCause does not follow: the whole
     * report is searched.
     */
    public static boolean heldByAnotherProcess(Throwable failure) {
        java.io.StringWriter text = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(text));
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql) {
                for (java.sql.SQLException next = sql; next != null; next = next.getNextException()) {
                    text.append(String.valueOf(next.getSQLState())).append(' ').append(next.getMessage());
                }
            }
        }
        String all = text.toString();
        return all.contains("XSDB6") || all.contains("Another instance of Derby may have already booted");
    }

    static String literal(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
