package io.initsweep.model;

import java.util.Locale;

/**
 * The place of a dense layer in its network; initializations made for residual networks draw by it (Fixup zeroes
 * the last layer of each branch and the output layer, and scales the other branch layers).
 */
public enum LayerRole {
    /** A hidden layer of an MLP. */
    HIDDEN,
    /** The first layer of a residual network: features to width; its output starts the residual stream. */
    STEM,
    /** A layer of a residual branch other than its last. */
    BRANCH,
    /** The last layer of a residual branch: its output is added to the stream. */
    BRANCH_LAST,
    /** The output layer. */
    OUTPUT;

    public String canonicalName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
