package io.initsweep.model;

import java.util.Locale;

/** What a row of the {@code layers} table measures. */
public enum LayerKind {
    /** A dense (fully connected) layer, the output layer included: the layers schemes initialize. */
    DENSE,
    /** A convolution layer of a cnn, also initialized by the schemes (as a kernel). */
    CONVOLUTION,
    /** A batch or layer normalization layer. */
    NORMALIZATION,
    /** The addition that ends a residual block: the residual stream after the block. */
    RESIDUAL_ADD;

    public String canonicalName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
