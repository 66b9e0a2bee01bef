package io.initsweep.init;

/**
 * The shape of a 2-D convolution kernel, and the memory layout of its weights: an array of
 * {@code outChannels × inChannels × height × width} values, row-major in that order, so that entry
 * {@code (o, i, y, x)} connects input channel {@code i} at kernel offset {@code (y, x)} to output channel
 * {@code o} and sits at {@link #index}{@code = ((o·C_in + i)·kH + y)·kW + x}.
 *
 * <p>This is the layout of Deeplearning4j's {@code ConvolutionLayer} parameter {@code "W"}: its
 * {@code ConvolutionParamInitializer} (1.0.0-M2.1) hands an {@code IWeightInit} the shape
 * {@code [nOut, nIn, kH, kW]} with order {@code 'c'}, so a kernel drawn here is assigned to the parameter as it
 * is. Read as a matrix, the same array is the row-major {@code C_out × (C_in·kH·kW)} matrix that maps an
 * unrolled input patch to the output channels: the "flattened kernel" of the orthogonal scheme.
 *
 * <p>Fans, for every scheme: {@code fan_in = C_in·kH·kW} (the inputs one output unit sees, He et al. 2015) and
 * {@code fan_out = C_out·kH·kW}, whatever the stride (as Keras and PyTorch count them; DL4J's own fan_out divides
 * by the stride's product, which initsweep does not use).
 *
 * @param outChannels {@code C_out}, the layer's output channels
 * @param inChannels  {@code C_in}, its input channels
 * @param height      {@code kH}, kernel rows
 * @param width       {@code kW}, kernel columns
 */
public record KernelShape(int outChannels, int inChannels, int height, int width) {

    public KernelShape {
        if (outChannels < 1 || inChannels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("a kernel needs positive channels and size, got C_out × C_in × kH × kW = "
                    + outChannels + "×" + inChannels + "×" + height + "×" + width);
        }
        Math.multiplyExact(Math.multiplyExact(outChannels, inChannels), Math.multiplyExact(height, width));
    }

    /** A square {@code k × k} kernel. */
    public static KernelShape square(int outChannels, int inChannels, int k) {
        return new KernelShape(outChannels, inChannels, k, k);
    }

    /** {@code C_in·kH·kW}: the inputs each output value is computed from. */
    public int fanIn() {
        return inChannels * height * width;
    }

    /** {@code C_out·kH·kW}: the outputs each input value reaches. */
    public int fanOut() {
        return outChannels * height * width;
    }

    /** Taps of the kernel: {@code kH·kW}. */
    public int taps() {
        return height * width;
    }

    /** Weights in all: {@code C_out·C_in·kH·kW}. */
    public int size() {
        return outChannels * inChannels * height * width;
    }

    /** Where entry {@code (o, i, y, x)} sits in the array. */
    public int index(int out, int in, int y, int x) {
        return ((out * inChannels + in) * height + y) * width + x;
    }

    /** Whether the kernel has a centre tap (both sizes odd): the one delta kernels put their weights on. */
    public boolean hasCentre() {
        return height % 2 == 1 && width % 2 == 1;
    }

    /** The centre tap's row, {@code (kH − 1)/2}. */
    public int centreRow() {
        return (height - 1) / 2;
    }

    /** The centre tap's column, {@code (kW − 1)/2}. */
    public int centreColumn() {
        return (width - 1) / 2;
    }

    @Override
    public String toString() {
        return outChannels + "×" + inChannels + "×" + height + "×" + width;
    }
}
