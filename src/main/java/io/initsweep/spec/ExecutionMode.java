package io.initsweep.spec;

/** How a cell is trained on the cluster. */
public enum ExecutionMode {
    /** One cell is one Spark task: many small networks at once. */
    GRID("grid"),
    /** One cell is trained across the cluster with parameter averaging (Deeplearning4j Spark); cells in turn. */
    DATA_PARALLEL("data-parallel");

    private final String canonicalName;

    ExecutionMode(String canonicalName) {
        this.canonicalName = canonicalName;
    }

    public String canonicalName() {
        return canonicalName;
    }

    @Override
    public String toString() {
        return canonicalName;
    }
}
