package io.initsweep.data;

import java.util.Objects;

/**
 * Rows of one file before labels are resolved: features as numbers, labels as text, and where each row was. Every
 * format reads into it, so labels are turned into classes or targets in one place ({@link Labels}) for all of them,
 * jointly over the training and test files.
 *
 * @param source        the file
 * @param rows          rows read
 * @param features      feature columns
 * @param featureNames  their names, for messages
 * @param x             rows × features
 * @param labels        the label text of each row
 * @param locations     where each row is, e.g. {@code line 7} or {@code row 12}
 * @param labelColumn   the label column's name, for messages
 * @param labelType     {@code index} (class indices 0..K-1) or {@code category} (any text, indexed in sorted order)
 * @param sha256        SHA-256 of the file's bytes as read
 */
public record Columns(String source, int rows, int features, String[] featureNames, float[] x, String[] labels,
                      String[] locations, String labelColumn, String labelType, String sha256) {

    public Columns {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(labelColumn, "labelColumn is null");
        Objects.requireNonNull(sha256, "sha256 is null");
        if (!labelType.equals("index") && !labelType.equals("category")) {
            throw new IllegalArgumentException("labelType must be index or category, got '" + labelType + "'");
        }
        if (featureNames.length != features || x.length != (long) rows * features || labels.length != rows
                || locations.length != rows) {
            throw new IllegalArgumentException("columns of " + source + " do not hold " + rows + " rows of "
                    + features + " features");
        }
    }

    /** The same rows with the fingerprint of the file they were read from. */
    public Columns withSha256(String fileSha256) {
        return new Columns(source, rows, features, featureNames, x, labels, locations, labelColumn, labelType,
                fileSha256);
    }
}
