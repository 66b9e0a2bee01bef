package io.initsweep.data;

/**
 * Rows of one file before labels are resolved: features as numbers, labels as text, and where each row was.
 *
 * @param source        the file
 * @param rows          rows read
 * @param features      feature columns
 * @param featureNames  their names, for messages
 * @param x             rows × features
 * @param labels        the label text of each row
 * @param locations     where each row is, e.g. {@code line 7} or {@code row 12}
 * @param labelColumn   the label column's name, for messages
 * @param sha256        SHA-256 of the file's bytes as read
 */
record Columns(String source, int rows, int features, String[] featureNames, float[] x, String[] labels,
               String[] locations, String labelColumn, String sha256) {
}
