package io.initsweep.data;

/** Builds the dataset a spec names, for one data seed. */
public final class Datasets {
    private Datasets() {
    }

    /**
     * Generates a built-in dataset.
     *
     * @throws DataException if it cannot be split as the spec asks
     */
    public static Dataset synthetic(DatasetSpec spec, long dataSeed) {
        if (!spec.kind().synthetic()) {
            throw new IllegalArgumentException(spec.kind() + " is read from files, not generated");
        }
        return Preprocessing.prepare(spec, dataSeed, Synthetic.generate(spec, dataSeed), null,
                "dataset " + spec.kind());
    }
}
