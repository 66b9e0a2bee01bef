package io.initsweep.schema;

import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

import java.io.Serializable;
import java.util.function.Function;

/**
 * One column of a table: its name, Spark type, whether it may be null, what it means, and how its value is read
 * from a row source. Declaring all four together keeps the schema, the row mapping and the documentation from
 * drifting apart.
 *
 * @param <T> the record a row is made from
 */
public record Column<T>(String name, DataType type, boolean nullable, String doc, Getter<T> getter)
        implements Serializable {

    /** A serializable accessor (tables are mapped on executors too). */
    @FunctionalInterface
    public interface Getter<T> extends Function<T, Object>, Serializable {
    }

    public StructField field() {
        Metadata metadata = new MetadataBuilder().putString("comment", doc).build();
        return new StructField(name, type, nullable, metadata);
    }

    Object valueOf(T source) {
        Object value = getter.apply(source);
        if (value == null && !nullable) {
            throw new IllegalStateException("column " + name + " must not be null");
        }
        return value;
    }
}
