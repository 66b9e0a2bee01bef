package io.initsweep.dl4j;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * One matrix product {@code C[m×n] = A[m×k] · B[k×n]} issued to OpenBLAS exactly as libnd4j issues it when DL4J
 * multiplies arrays of the same shapes and strides: a port of the BLAS branch of {@code MmulHelper::mmulMxM}
 * (libnd4j 1.0.0-M2.1), which every ND4J product of two matrices reaches ({@code INDArray.mmul/mmuli},
 * {@code Nd4j.gemm}, the gemv fallback of {@code mmuli} all execute the {@code matmul} op).
 *
 * <p>mmulMxM derives the call from the operands' strides: it is column-major when C's rows are contiguous, and it
 * transposes A (or B) when A's rows (B's inner dimension) are contiguous in the other sense than C's. The same
 * matrices multiplied with other flags, or as the transposed product {@code Cᵀ = Bᵀ·Aᵀ}, give other bits (measured:
 * the row-major call of DL4J's forward product differs in 2-30% of the values, float and double), because OpenBLAS
 * then packs other operands into its kernel's A and B panels. With the same order, flags, dimensions and roles, the
 * bits do not depend on the leading dimensions or where the matrices lie in memory (measured on the shapes DL4J
 * multiplies, float and double): what lets a batch put each cell's matrices in one array of all cells and still get
 * the bits DL4J gets for that cell alone.
 *
 * <p>Strides are given as ND4J's shape information holds them: {@code rowStride} between consecutive rows,
 * {@code columnStride} between consecutive columns, in elements.
 */
final class HostBlas {
    private HostBlas() {
    }

    /**
     * {@code C = A · B} with alpha 1 and beta 0, as mmulMxM computes it. Operands whose rows and columns are both
     * strided would make libnd4j copy them first; no caller has such operands, so they are refused.
     *
     * @param single float (true) or double; the pointers must be of that type
     */
    static void mmul(boolean single, int m, int n, int k,
                     Pointer a, long aOffset, long aRowStride, long aColumnStride,
                     Pointer b, long bOffset, long bRowStride, long bColumnStride,
                     Pointer c, long cOffset, long cRowStride, long cColumnStride) {
        boolean aMcont = m == 1 || aRowStride == 1;
        boolean aKcont = k == 1 || aColumnStride == 1;
        boolean bKcont = k == 1 || bRowStride == 1;
        boolean bNcont = n == 1 || bColumnStride == 1;
        boolean cMcont = m == 1 || cRowStride == 1;
        boolean cNcont = n == 1 || cColumnStride == 1;
        if ((!aMcont && !aKcont) || (!bKcont && !bNcont) || (!cMcont && !cNcont)) {
            throw new IllegalArgumentException("an operand strided in both dimensions: libnd4j would copy it first");
        }
        int order = cMcont ? openblas_nolapack.CblasColMajor : openblas_nolapack.CblasRowMajor;
        int transA = aMcont != cMcont ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int transB = bKcont != cMcont ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int lda = (int) (aMcont && aKcont ? m : !aMcont ? aRowStride : aColumnStride);
        int ldb = (int) (bKcont && bNcont ? k : !bKcont ? bRowStride : bColumnStride);
        int ldc = (int) (cMcont && cNcont ? m : !cMcont ? cRowStride : cColumnStride);
        if (single) {
            openblas_nolapack.cblas_sgemm(order, transA, transB, m, n, k, 1f,
                    new FloatPointer(a).position(a.position() + aOffset), lda,
                    new FloatPointer(b).position(b.position() + bOffset), ldb, 0f,
                    new FloatPointer(c).position(c.position() + cOffset), ldc);
        } else {
            openblas_nolapack.cblas_dgemm(order, transA, transB, m, n, k, 1.0,
                    new DoublePointer(a).position(a.position() + aOffset), lda,
                    new DoublePointer(b).position(b.position() + bOffset), ldb, 0.0,
                    new DoublePointer(c).position(c.position() + cOffset), ldc);
        }
    }
}
