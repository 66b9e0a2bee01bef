package io.initsweep.spec;

/**
 * One problem in a spec, located: {@code depth must be >= 1, got 0 (conf/sweeps/x.yaml: grid.depth[1], line 7)}.
 *
 * @param file    the spec file as the user named it
 * @param path    the key path, e.g. {@code grid.depth[1]}; empty for the document itself
 * @param line    1-based line, or 0 when unknown
 * @param message what is wrong, quoting the value
 */
public record SpecError(String file, String path, int line, String message) {

    @Override
    public String toString() {
        StringBuilder where = new StringBuilder(file);
        if (!path.isEmpty()) {
            where.append(": ").append(path);
        }
        if (line > 0) {
            where.append(path.isEmpty() ? ": " : ", ").append("line ").append(line);
        }
        return message + " (" + where + ")";
    }
}
