package io.initsweep.dl4j;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * This machine's single-precision matrix product rate through the OpenBLAS that ND4J calls: the yardstick for the
 * rates the benchmark's cells reach. A cell cannot beat the products it is made of, so "GFLOP/s as a share of the
 * peak" says how much of the machine a training path uses, independently of how fast the PyTorch build next to it
 * is (Debian's is a slow generic build).
 *
 * <p>Rates are per CPU second of the measuring thread (the machine may be shared: wall time would also count the
 * time the thread waited for a core), at the native thread count ND4J runs with (one, in the benchmark).
 */
public final class SgemmPeak {
    private SgemmPeak() {
    }

    /** One product shape and its best rate. */
    public record Rate(int m, int n, int k, String kind, double gflopPerCpuSecond) {
        public String shape() {
            return m + "×" + k + " · " + k + "×" + n;
        }
    }

    /**
     * The products measured: square ones (where OpenBLAS reaches its peak) and minibatch-shaped ones (a minibatch
     * of 32 or 256 rows times a width × width layer, as the cells multiply).
     */
    static final int[][] SHAPES = {
            {256, 256, 256}, {512, 512, 512}, {1024, 1024, 1024}, {2048, 2048, 2048},
            {32, 128, 128}, {32, 512, 512}, {32, 1024, 1024}, {256, 128, 128}, {256, 512, 512}, {256, 1024, 1024}};

    /**
     * Measures every shape: each product repeated in runs of at least ~20 ms of CPU time, the best run of
     * {@code runs} taken (interference only ever slows a run down).
     */
    public static List<Rate> measure(int runs) {
        Nd4jRuntime.initialize(1);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Rate> rates = new ArrayList<>();
        for (int[] shape : SHAPES) {
            int m = shape[0];
            int n = shape[1];
            int k = shape[2];
            double flop = 2.0 * m * n * k;
            int calls = (int) Math.max(1, Math.min(10_000, 2e9 / flop)); // ~20 ms at 100 GFLOP/s
            try (FloatPointer a = filled((long) m * k, 1);
                 FloatPointer b = filled((long) k * n, 2);
                 FloatPointer c = new FloatPointer((long) m * n)) {
                product(m, n, k, a, b, c); // warm-up: OpenBLAS's buffers, the kernel's code
                double best = 0;
                for (int run = 0; run < runs; run++) {
                    long start = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < calls; i++) {
                        product(m, n, k, a, b, c);
                    }
                    long nanos = threads.getCurrentThreadCpuTime() - start;
                    best = Math.max(best, flop * calls / Math.max(1, nanos));
                }
                rates.add(new Rate(m, n, k, m == n && n == k ? "square" : "minibatch", best));
            }
        }
        return rates;
    }

    /** The best rate of all the shapes: the peak. */
    public static Rate peak(List<Rate> rates) {
        return rates.stream().max(java.util.Comparator.comparingDouble(Rate::gflopPerCpuSecond)).orElseThrow();
    }

    private static void product(int m, int n, int k, FloatPointer a, FloatPointer b, FloatPointer c) {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasColMajor, openblas_nolapack.CblasNoTrans,
                openblas_nolapack.CblasNoTrans, m, n, k, 1f, a, m, b, k, 0f, c, m);
    }

    private static FloatPointer filled(long length, int seed) {
        FloatPointer pointer = new FloatPointer(length);
        for (long i = 0; i < length; i++) {
            pointer.put(i, (float) Math.sin(seed * 0.37 + i * 0.011)); // finite, no denormals
        }
        return pointer;
    }
}
