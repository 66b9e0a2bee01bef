package io.initsweep.spark;

import io.initsweep.data.DataException;
import io.initsweep.data.DatasetKind;
import io.initsweep.data.DatasetSpec;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code keep-classes} on a table that stays distributed: the same classes, checks, messages and re-indexing as the
 * in-memory filter of the data package (rows of the listed classes only, re-indexed 0..K'-1 in the order of their
 * original class indices), with the label statistics computed by Spark. The listed classes are checked against
 * the whole data (training and test tables, before the subsample), as the in-memory reader resolves labels.
 */
final class ClassSubset {
    private final Column kept;
    private final int classes;
    private final Map<String, Integer> textIndex;
    private final int[] numericIndex;

    private ClassSubset(Column kept, int classes, Map<String, Integer> textIndex, int[] numericIndex) {
        this.kept = kept;
        this.classes = classes;
        this.textIndex = textIndex;
        this.numericIndex = numericIndex;
    }

    /**
     * The subset a spec asks for, or null when it lists no {@code keep-classes}.
     *
     * @param test the separate test table, or null
     * @throws DataException naming the table when a listed class is not one of its classes or has no row
     */
    static ClassSubset of(DatasetSpec spec, ParquetTable table, ParquetTable test, String path) {
        List<String> keep = spec.texts(DatasetKind.KEEP_CLASSES.name());
        if (keep == null) {
            return null;
        }
        if (spec.text("task").equals("regression")) {
            throw new DataException(path, "spec", DatasetKind.KEEP_CLASSES.name(),
                    "keep-classes filters the classes of a classification; this dataset is a regression");
        }
        Dataset<Row> labels = table.rows().select("y");
        if (test != null) {
            labels = labels.union(test.rows().select("y"));
        }
        ClassSubset subset = table.textLabels() ? text(keep, labels, path) : numeric(spec, keep, labels, path);

        Set<Object> present = new HashSet<>();
        table.rows().where(subset.kept).select("y").distinct().collectAsList().forEach(r -> present.add(r.get(0)));
        for (String label : keep) {
            Object value = table.textLabels() ? label : (Object) Double.valueOf(label);
            if (!present.contains(value)) {
                throw new DataException(path, "rows", null, "keep-classes lists "
                        + (table.textLabels() ? "'" + label + "'" : label) + " but no row of the data has that class");
            }
        }
        return subset;
    }

    private static ClassSubset text(List<String> keep, Dataset<Row> labels, String path) {
        TreeSet<String> distinct = new TreeSet<>();
        labels.distinct().collectAsList().forEach(r -> distinct.add(r.getString(0)));
        for (String label : keep) {
            if (!distinct.contains(label)) {
                throw new DataException(path, "labels", null, "keep-classes lists '" + label
                        + "', which is not one of its labels " + distinct);
            }
        }
        // Category labels are indexed in sorted text order; the kept ones keep that order.
        Map<String, Integer> index = new TreeMap<>();
        keep.forEach(label -> index.put(label, 0));
        int next = 0;
        for (Map.Entry<String, Integer> e : index.entrySet()) {
            e.setValue(next++);
        }
        Column kept = functions.col("y").isin(keep.toArray());
        return new ClassSubset(kept, keep.size(), index, null);
    }

    /**
     * The classes of numeric labels (a column {@code y}): every label must be a class index 0, 1, 2, ... below the
     * declared {@code classes}, whose count it is if given, else the largest label + 1.
     *
     * @throws DataException naming the table, the label column and the offending rows or label
     */
    static int numericClassCount(DatasetSpec spec, Dataset<Row> labels, String path) {
        long bad = labels.where(functions.col("y").lt(0).or(functions.col("y")
                .notEqual(functions.floor(functions.col("y"))))).count();
        if (bad > 0) {
            throw new DataException(path, bad + " rows", spec.text("label"), "have labels that are not class "
                    + "indices 0, 1, 2, ...");
        }
        int max = (int) labels.agg(functions.max("y")).first().getDouble(0);
        Integer declared = spec.optionalCount("classes");
        if (declared != null && max >= declared) {
            throw new DataException(path, "labels", spec.text("label"), "label " + max
                    + " is out of range for classes " + declared + " (0.." + (declared - 1) + ")");
        }
        return declared != null ? declared : max + 1;
    }

    private static ClassSubset numeric(DatasetSpec spec, List<String> keep, Dataset<Row> labels, String path) {
        int count = numericClassCount(spec, labels, path);
        int[] originals = new int[keep.size()];
        for (int k = 0; k < originals.length; k++) {
            String label = keep.get(k);
            if (!label.matches("\\d{1,9}")) {
                throw new DataException(path, "labels", null, "keep-classes lists '" + label
                        + "', but the labels are class indices 0.." + (count - 1));
            }
            originals[k] = Integer.parseInt(label);
            if (originals[k] >= count) {
                throw new DataException(path, "labels", null, "keep-classes lists " + label
                        + ", which is not one of its classes 0.." + (count - 1));
            }
        }
        Arrays.sort(originals);
        int[] index = new int[count];
        Arrays.fill(index, -1);
        for (int k = 0; k < originals.length; k++) {
            if (index[originals[k]] >= 0) {
                throw new DataException(path, "labels", null, "keep-classes lists class " + originals[k] + " twice");
            }
            index[originals[k]] = k;
        }
        Column kept = functions.col("y").isin(Arrays.stream(originals).mapToObj(o -> (double) o).toArray());
        return new ClassSubset(kept, keep.size(), Map.of(), index);
    }

    /** The rows of the kept classes. */
    Dataset<Row> filter(Dataset<Row> rows) {
        return rows.where(kept);
    }

    /** Classes after filtering: the network's outputs. */
    int classes() {
        return classes;
    }

    /** Text label → new class index (empty for numeric labels). */
    Map<String, Integer> textIndex() {
        return textIndex;
    }

    /** Numeric class label → new class index, −1 where not kept; null for text labels. */
    int[] numericIndex() {
        return numericIndex;
    }
}
