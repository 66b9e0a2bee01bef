package io.initsweep.dl4j;

import io.initsweep.Fixtures;
import io.initsweep.data.Dataset;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.train.CellResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Seeds per second of the batched trainer against {@link Dl4jCellTrainer} one cell after another, in one JVM: the
 * user's workload of issue 18 (seeds of a 10-hidden-layer ReLU MLP, spirals of 1,000 samples, 10 epochs,
 * minibatches of 32, SGD, layer statistics on). A first measurement for development, not the benchmark; run with
 * {@code OMP_NUM_THREADS=1}:
 * <pre>
 * java -cp target/classes:target/test-classes:$(cat cp.txt) io.initsweep.dl4j.BatchedThroughput [width:K,K,... ...]
 * </pre>
 */
public final class BatchedThroughput {
    private BatchedThroughput() {
    }

    public static void main(String[] args) {
        List<String> plan = args.length > 0 ? List.of(args) : List.of("32:1,8,32,64", "128:1,8,32", "512:1,8");
        System.out.printf(Locale.ROOT, "native threads %d, single-thread SGEMM peak %.1f GFLOP per CPU-s%n",
                Nd4jRuntime.initialize(1).nativeThreads(),
                SgemmPeak.peak(SgemmPeak.measure(3)).gflopPerCpuSecond());
        System.out.println("| width | K | batched s | batched seeds/s | per-cell s/seed | per-cell seeds/s | ratio "
                + "| batched GFLOP/s | per-cell GFLOP/s | ratio by thread CPU | batched GFLOP/CPU-s "
                + "| per-cell GFLOP/CPU-s | max |Δ final test loss| |");
        for (String item : plan) {
            int width = Integer.parseInt(item.substring(0, item.indexOf(':')));
            int[] ks = Arrays.stream(item.substring(item.indexOf(':') + 1).split(",")).mapToInt(Integer::parseInt)
                    .toArray();
            run(width, ks);
        }
        System.exit(0);
    }

    private static void run(int width, int[] ks) {
        int maxK = Arrays.stream(ks).max().orElseThrow();
        Fixtures.Sweep sweep = Fixtures.sweep("""
                name: throughput
                seeds: %d
                grid: {scheme: [he_normal]}
                model: {depth: 10, width: %d, activation: relu}
                training: {epochs: 10, batch-size: 32, optimizer: sgd, learning-rate: 0.05}
                data: {dataset: spirals, samples: 1000}
                """.formatted(maxK, width));
        List<Cell> cells = sweep.cells();
        Dataset data = sweep.dataset(cells.get(0));
        double flops = flops(cells.get(0), data);

        Dl4jCellTrainer perCell = new Dl4jCellTrainer(1, true);
        BatchedCellTrainer batched = new BatchedCellTrainer(1, true);
        // warm-up: JIT, ND4J's first ops, this dataset's arrays
        perCell.train(cells.get(0), data);
        batched.train(cells.subList(0, Math.min(4, cells.size())), data);

        // the per-cell path on as many cells as fit in ~20 s (at least 2); -Dthroughput.perCell=false skips it
        List<CellResult> reference = new ArrayList<>();
        long start = System.nanoTime();
        long cpu = cpu();
        boolean compare = Boolean.parseBoolean(System.getProperty("throughput.perCell", "true"));
        for (int i = 0; compare && i < cells.size() && (i < 2 || (System.nanoTime() - start) < 20e9); i++) {
            reference.add(perCell.train(cells.get(i), data));
        }
        double perCellSeconds = compare ? (System.nanoTime() - start) / 1e9 / reference.size() : Double.NaN;
        double perCellCpu = compare ? (cpu() - cpu) / 1e9 / reference.size() : Double.NaN;

        for (int k : ks) {
            List<Cell> batch = cells.subList(0, k);
            start = System.nanoTime();
            cpu = cpu();
            List<CellResult> results = batched.train(batch, data);
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpuSeconds = (cpu() - cpu) / 1e9;
            double worst = 0;
            for (int i = 0; i < Math.min(k, reference.size()); i++) {
                worst = Math.max(worst, Math.abs(results.get(i).finalTestLoss() - reference.get(i).finalTestLoss()));
            }
            System.out.printf(Locale.ROOT,
                    "| %d | %d | %.2f | %.2f | %.3f | %.2f | %.1f× | %.1f | %.1f | %.1f× | %.1f | %.1f | %.1e |%n",
                    width, k, seconds, k / seconds, perCellSeconds, 1 / perCellSeconds,
                    (k / seconds) * perCellSeconds, flops * k / seconds / 1e9, flops / perCellSeconds / 1e9,
                    (k / cpuSeconds) * perCellCpu, flops * k / cpuSeconds / 1e9, flops / perCellCpu / 1e9, worst);
        }
    }

    /**
     * Multiply-adds ×2 of one cell, as the benchmark counts them: forward 2·in·out per example and layer, training
     * three times that (forward, input gradient, weight gradient) per training row and epoch; evaluation: the
     * training split forward at epoch 0, and every epoch the test split forward and the probe batch forward and
     * backward.
     */
    static double flops(Cell cell, Dataset data) {
        double forward = 0;
        for (int[] shape : Grid.layout(cell.settings(), data.identity()).shapes()) {
            forward += 2.0 * shape[0] * shape[1];
        }
        int epochs = cell.settings().epochs();
        return 3 * forward * data.trainRows() * epochs + forward * data.trainRows()
                + (epochs + 1) * (forward * data.testRows() + 3 * forward * data.probeRows());
    }

    /**
     * CPU nanoseconds of this thread, which trains: on a shared machine, wall time also counts the time the thread
     * waited for a core.
     */
    private static long cpu() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }
}
