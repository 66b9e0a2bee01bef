package io.initsweep.train;

import java.io.Serializable;

/**
 * Where and with what a cell was trained. Floating-point results differ across backends, BLAS builds and native
 * thread counts, so a result is only reproducible bit for bit together with these.
 *
 * @param backend       ND4J backend: cpu or cuda
 * @param blasVendor    the BLAS library ND4J uses (OPENBLAS, MKL, CUBLAS)
 * @param nativeThreads native (OpenMP/BLAS) threads the cell's operations could use
 * @param device        CPU model or GPU name
 * @param dl4jVersion   Deeplearning4j version
 * @param javaVersion   the JVM's version
 * @param os            operating system and architecture
 * @param host          host name
 * @param executorId    Spark executor id ("driver" in local mode), or null outside Spark
 * @param runId         the invocation that trained the cell, or null outside a sweep
 * @param batchCells    cells trained together as one batched computation, this one included; 1 for a cell trained
 *                      alone (the per-cell path). At one native thread a batched cell gets the per-cell path's bits,
 *                      so this says how the cell was computed, not what it computed
 */
public record Provenance(String backend, String blasVendor, int nativeThreads, String device, String dl4jVersion,
                         String javaVersion, String os, String host, String executorId, String runId,
                         int batchCells) implements Serializable {

    public Provenance {
        if (batchCells < 1) {
            throw new IllegalArgumentException("batchCells must be >= 1, got " + batchCells);
        }
    }

    /** Provenance of a cell trained alone. */
    public Provenance(String backend, String blasVendor, int nativeThreads, String device, String dl4jVersion,
                      String javaVersion, String os, String host, String executorId, String runId) {
        this(backend, blasVendor, nativeThreads, device, dl4jVersion, javaVersion, os, host, executorId, runId, 1);
    }

    /** The same facts, stamped with the Spark executor and the sweep invocation that ran the cell. */
    public Provenance withTask(String executor, String run) {
        return new Provenance(backend, blasVendor, nativeThreads, device, dl4jVersion, javaVersion, os, host,
                executor, run, batchCells);
    }

    /** The same facts, for a cell trained in a batch of {@code cells} cells. */
    public Provenance withBatchCells(int cells) {
        return new Provenance(backend, blasVendor, nativeThreads, device, dl4jVersion, javaVersion, os, host,
                executorId, runId, cells);
    }
}
