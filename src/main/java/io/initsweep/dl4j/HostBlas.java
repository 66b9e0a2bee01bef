package io.initsweep.dl4j;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Row-major {@code C = op(A) · op(B)} on host arrays, one matrix at a time, through the OpenBLAS that ND4J's CPU
 * backend itself calls (nd4j-native's {@code CpuLevel3} binds the same {@code openblas_nolapack} entry points).
 *
 * <p>Why not ND4J's batched products: in 1.0.0-M2.1 on CPU, {@code Nd4j.matmul} of rank-3 arrays costs 186 µs for
 * 16 products of 32×32 matrices and reaches 5.6 GFLOP/s, {@code Nd4j.gemm} on each slice 580 µs (36 µs of
 * bookkeeping per call), and the {@code batched_gemm} op falls back to a scalar loop when BLAS has no batched GEMM
 * (OpenBLAS 0.3.19 has none; its Java wrapper {@code BatchMmul} also passes the wrong number of inputs). The same
 * 16 products as direct calls take 28 µs (37 GFLOP/s). Measured on the development machine, one thread.
 *
 * <p>Each product's bits depend only on its dimensions and transpositions, not on its leading dimensions or
 * where in memory its matrices start (checked for float and double, 1 and 2 threads): what lets a cell computed
 * among K others give the bits it gives alone.
 */
final class HostBlas {
    private HostBlas() {
    }

    /**
     * {@code C[m×n] = op(A)[m×k] · op(B)[k×n]}, all row-major; {@code lda}, {@code ldb}, {@code ldc} are the row
     * strides of A, B and C as stored.
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     HostArray a, long aOffset, int lda, HostArray b, long bOffset, int ldb,
                     HostArray c, long cOffset, int ldc) {
        int ta = transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int tb = transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        if (c.single()) {
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, ta, tb, m, n, k, 1f,
                    (FloatPointer) a.at(aOffset), lda, (FloatPointer) b.at(bOffset), ldb, 0f,
                    (FloatPointer) c.at(cOffset), ldc);
        } else {
            openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, ta, tb, m, n, k, 1.0,
                    (DoublePointer) a.at(aOffset), lda, (DoublePointer) b.at(bOffset), ldb, 0.0,
                    (DoublePointer) c.at(cOffset), ldc);
        }
    }
}
