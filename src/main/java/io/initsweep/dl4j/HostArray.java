package io.initsweep.dl4j;

import io.initsweep.model.Precision;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * One contiguous, zero-filled array in host memory, seen three ways: as an ND4J array (for elementwise operations
 * over all cells at once), as a BLAS pointer (for the per-cell matrix products) and as a Java buffer (for the
 * few small steps done in Java: minibatch gathering, the output layer, statistics).
 *
 * <p>Only the CPU backend keeps arrays in host memory; {@link BatchedCellTrainer#supported()} says whether this
 * JVM's backend does.
 */
final class HostArray implements AutoCloseable {
    private final INDArray array;
    private final boolean single;
    private final long length;
    private final Pointer base;
    private final FloatBuffer floats;
    private final DoubleBuffer doubles;

    HostArray(Precision precision, long length) {
        if (length < 1 || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a batched buffer holds 1 to " + Integer.MAX_VALUE
                    + " values, this one would need " + length + "; train fewer cells per batch");
        }
        this.single = precision == Precision.FLOAT32;
        this.length = length;
        // Detached from any workspace: these buffers live as long as the batch, across every step.
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            this.array = Nd4j.zeros(Networks.dataType(precision), length);
        }
        if (single) {
            FloatPointer pointer = new FloatPointer(array.data().addressPointer());
            this.base = pointer;
            this.floats = new FloatPointer(pointer).position(0).limit(length).asByteBuffer()
                    .order(ByteOrder.nativeOrder()).asFloatBuffer();
            this.doubles = null;
        } else {
            DoublePointer pointer = new DoublePointer(array.data().addressPointer());
            this.base = pointer;
            this.doubles = new DoublePointer(pointer).position(0).limit(length).asByteBuffer()
                    .order(ByteOrder.nativeOrder()).asDoubleBuffer();
            this.floats = null;
        }
    }

    long length() {
        return length;
    }

    boolean single() {
        return single;
    }

    /** The whole array, rank 1. */
    INDArray array() {
        return array;
    }

    /** Values {@code [from, from + count)} as a rank-1 view. */
    INDArray view(long from, long count) {
        return array.get(NDArrayIndex.interval(from, from + count));
    }

    /** The array as a row-major {@code rows × columns} matrix (a view). */
    INDArray matrix(long rows, long columns) {
        return array.reshape('c', rows, columns);
    }

    /** A pointer to value 0, for BLAS. */
    Pointer pointer() {
        return base;
    }

    /** A pointer to the first value of a dense host array of ND4J's CPU backend (a view's offset included). */
    static Pointer pointer(INDArray array) {
        return array.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT
                ? new FloatPointer(array.data().addressPointer())
                : new DoublePointer(array.data().addressPointer());
    }

    double get(long index) {
        return single ? floats.get((int) index) : doubles.get((int) index);
    }

    void set(long index, double value) {
        if (single) {
            floats.put((int) index, (float) value);
        } else {
            doubles.put((int) index, value);
        }
    }

    /** Copies values {@code [from, from + count)} into {@code into} (a float array: this array must be float). */
    void get(long from, float[] into, int count) {
        floats.get((int) from, into, 0, count);
    }

    /** Copies values {@code [from, from + count)} into {@code into} (a double array: this array must be double). */
    void get(long from, double[] into, int count) {
        doubles.get((int) from, into, 0, count);
    }

    void put(long at, float[] values, int count) {
        floats.put((int) at, values, 0, count);
    }

    void put(long at, double[] values, int count) {
        doubles.put((int) at, values, 0, count);
    }

    /** Values {@code [from, from + count)} as doubles. */
    double[] read(long from, int count) {
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            values[i] = get(from + i);
        }
        return values;
    }

    void fill(long from, long count, double value) {
        for (long i = from; i < from + count; i++) {
            set(i, value);
        }
    }

    /** Frees the native memory now rather than at some later garbage collection. */
    @Override
    public void close() {
        if (array.closeable()) {
            array.close();
        }
    }
}
