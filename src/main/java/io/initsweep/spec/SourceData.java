package io.initsweep.spec;

/** Which task a transfer cell's source network was trained on. */
public enum SourceData {
    /** The spec's {@code source} section: its own dataset (or the user's {@code from-model} network). */
    SOURCE("source"),
    /**
     * The cell's own dataset, with the {@code source} section's model and training: self-transfer, the control that
     * separates what transfer does from what copying trained layers at all does (Yosinski et al. 2014's BnB).
     */
    TARGET("target");

    private final String canonicalName;

    SourceData(String canonicalName) {
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
