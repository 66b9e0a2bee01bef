package io.initsweep.data;

/** What the network's output predicts, which fixes its output layer and loss. */
public enum Task {
    /** Softmax output, cross-entropy loss, accuracy recorded. */
    CLASSIFICATION,
    /** Identity output, mean squared error, no accuracy. */
    REGRESSION;

    public String canonicalName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
