package io.initsweep.report;

import io.initsweep.schema.Table;
import io.initsweep.schema.Tables;
import io.initsweep.spark.Warehouse;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Registers a warehouse's tables and the analysis views in the session's persistent catalog, database
 * {@code initsweep}. Idempotent: a table already registered at the same location with the same schema version is
 * only refreshed; otherwise it is dropped (the tables are external: dropping never touches the Parquet files) and
 * created again. Views are replaced from the SQL files under {@code /sql/} on the classpath.
 */
public final class Catalog {
    public static final String DATABASE = "initsweep";
    /** Views in dependency order, each defined once in {@code src/main/resources/sql/<name>.sql}. */
    public static final List<String> VIEWS = List.of("cell_stats", "curves", "propagation", "theory_layers");

    private Catalog() {
    }

    public static void register(SparkSession spark, Warehouse warehouse) throws IOException {
        spark.sql("CREATE DATABASE IF NOT EXISTS " + DATABASE
                + " COMMENT 'initsweep results: runs, epochs, layers, scheme_comparison and their views'");
        for (Table<?> table : Tables.catalog()) {
            register(spark, warehouse, table);
        }
        for (String view : VIEWS) {
            spark.sql(viewSql(view));
        }
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

    static String literal(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
