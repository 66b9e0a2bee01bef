package io.initsweep.schema;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.List;

/**
 * A table's name, version and columns, and the mapping of its row source to Spark rows.
 *
 * @param <T> the record a row is made from
 */
public final class Table<T> implements Serializable {
    private final String name;
    private final int version;
    private final String doc;
    private final List<Column<T>> columns;
    private final StructType schema;

    public Table(String name, int version, String doc, List<Column<T>> columns) {
        this.name = name;
        this.version = version;
        this.doc = doc;
        this.columns = List.copyOf(columns);
        this.schema = new StructType(columns.stream().map(Column::field).toArray(StructField[]::new));
    }

    public String name() {
        return name;
    }

    /** Bumped whenever a column is added, removed or changes meaning. */
    public int version() {
        return version;
    }

    public String doc() {
        return doc;
    }

    public List<Column<T>> columns() {
        return columns;
    }

    public StructType schema() {
        return schema;
    }

    public Row toRow(T source) {
        Object[] values = new Object[columns.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = columns.get(i).valueOf(source);
        }
        return RowFactory.create(values);
    }

    /** A markdown table of the columns, for the README. */
    public String markdown() {
        StringBuilder out = new StringBuilder("| column | type | meaning |\n|---|---|---|\n");
        for (Column<T> c : columns) {
            out.append("| `").append(c.name()).append("` | ").append(c.type().simpleString())
                    .append(c.nullable() ? ", nullable" : "").append(" | ").append(c.doc()).append(" |\n");
        }
        return out.toString();
    }
}
