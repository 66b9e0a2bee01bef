package io.initsweep.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The shape of a cell's network.
 *
 * <p>{@link #MLP}: {@code depth} dense layers of {@code width} units, each followed by the nonlinearity, then the
 * output layer. {@link #RESIDUAL}: a pre-activation residual network (He et al. 2016, "Identity Mappings in Deep
 * Residual Networks") on dense layers — a stem dense layer from the features to {@code width} (no nonlinearity: its
 * output is the residual stream), then {@code depth} blocks {@code x ← x + s·F(x)}, each branch F being
 * {@code block-depth} units of {@code [normalization →] nonlinearity → dense}, then the head
 * {@code [normalization →] nonlinearity → output layer}. {@link #CNN}: a plain ("vanilla") convolutional network as
 * Xiao et al. 2018 study it — {@code depth} convolution layers of {@code channels} output channels (or per-layer
 * {@code widths}), {@code kernel × kernel} kernels, same (zero) padding, each followed by the nonlinearity, stride 2
 * every {@code downsample-every} layers, then global average pooling over the positions and the dense output layer.
 */
public enum Architecture {
    MLP("mlp"),
    RESIDUAL("residual"),
    CNN("cnn");

    private final String canonicalName;

    Architecture(String canonicalName) {
        this.canonicalName = canonicalName;
    }

    public String canonicalName() {
        return canonicalName;
    }

    public static Optional<Architecture> byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(a -> a.canonicalName.equals(wanted)).findFirst();
    }

    @Override
    public String toString() {
        return canonicalName;
    }
}
