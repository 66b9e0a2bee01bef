package io.initsweep.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.initsweep.dataparallel.DataParallelTrainer;
import io.initsweep.dl4j.Dl4jCellTrainer;
import io.initsweep.dl4j.Nd4jRuntime;
import io.initsweep.grid.Cell;
import io.initsweep.grid.Grid;
import io.initsweep.report.TextTable;
import io.initsweep.schema.Tables;
import io.initsweep.spark.SparkSessions;
import io.initsweep.spark.SweepDatasets;
import io.initsweep.spark.SweepRunner;
import io.initsweep.spark.TrainingData;
import io.initsweep.spark.Warehouse;
import io.initsweep.spec.SpecParser;
import io.initsweep.spec.SweepSpec;
import io.initsweep.train.CellResult;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The performance benchmark behind {@code initsweep bench}: time per reference cell against PyTorch (alternately,
 * one thread each), FLOPs and GFLOP/s, the fan-out overhead of a 48-cell sweep, throughput at local[1] and local[2],
 * native thread settings and first-cell warm-up (in fresh JVMs), and peak resident memory; and for batched training
 * (issue 18): the machine's single-thread SGEMM peak as the yardstick of every GFLOP/s ({@link Part#PEAK}), K seeds
 * trained as PyTorch's per-seed loop, as a PyTorch batched ensemble, by initsweep's per-cell path and by its batched
 * trainer ({@link Part#ENSEMBLE}), and a grid of widths × depths × K of the batched trainer against the per-cell path
 * ({@link Part#GRID}).
 *
 * <p>The sizes of the last two come from system properties (pass them in {@code INITSWEEP_JAVA_OPTS}):
 * {@code initsweep.bench.ensemble} ({@value #ENSEMBLE_PLAN}: width×depth:K,K;...),
 * {@code initsweep.bench.widths} ({@value #GRID_WIDTHS}), {@code initsweep.bench.depths} ({@value #GRID_DEPTHS}),
 * {@code initsweep.bench.ks} ({@value #GRID_KS}) and {@code initsweep.bench.maxGflop} ({@value #GRID_MAX_GFLOP}:
 * grid points whose batch would take more multiply-adds are skipped and listed as such).
 */
public final class Benchmark {
    static final int[] WIDTHS = {32, 128, 512};
    static final int[] DEPTHS = {2, 10, 30};
    /** Residual blocks of 2 dense layers: 11 and 31 dense layers, against the MLPs of depth 10 and 30. */
    static final int[] BLOCKS = {5, 15};
    static final String ENSEMBLE_PLAN = "32x10:8,64;128x10:8,32";
    static final String GRID_WIDTHS = "16,32,64,128,256,512";
    static final String GRID_DEPTHS = "2,10,30";
    static final String GRID_KS = "1,8,64";
    static final String GRID_MAX_GFLOP = "3000";

    private final PrintWriter out;
    private final Path work;
    private final int reps;
    private final List<String> sections = new ArrayList<>();
    private List<io.initsweep.dl4j.SgemmPeak.Rate> rates;

    public Benchmark(PrintWriter out, Path work, int reps) {
        this.out = out;
        this.work = work;
        this.reps = reps;
    }

    /** Convolution cells: depth × channels (3×3 kernels, stride 2 at layer 2, 16×16 bar images). */
    static final int[] CNN_DEPTHS = {2, 6};
    static final int[] CNN_CHANNELS = {8, 32};

    /**
     * The parts of the benchmark: MLP, residual and cnn cells (against PyTorch), the sweep, threads, the SGEMM
     * peak, seed ensembles, the batched grid.
     */
    public enum Part { CELLS, RESIDUAL, CNN, SWEEP, THREADS, PEAK, ENSEMBLE, GRID }

    /** Runs the given parts; returns the markdown of the results. */
    public String run(String python, Path torchScript, java.util.Set<Part> parts) throws Exception {
        Files.createDirectories(work);
        sections.add(machine(python));
        if (parts.contains(Part.PEAK) || parts.contains(Part.CELLS) || parts.contains(Part.ENSEMBLE)
                || parts.contains(Part.GRID)) {
            peakSection(); // the yardstick of the other parts' rates, measured first
        }
        if (parts.contains(Part.CELLS)) {
            List<ReferenceCell> mlps = new ArrayList<>();
            for (int depth : DEPTHS) {
                for (int width : WIDTHS) {
                    mlps.add(ReferenceCell.of(width, depth));
                }
            }
            cells(python, torchScript, mlps, "he_normal MLP", "### Time per cell: initsweep (DL4J) against PyTorch");
        }
        if (parts.contains(Part.RESIDUAL)) {
            List<ReferenceCell> residual = new ArrayList<>();
            for (int blocks : BLOCKS) {
                for (int width : WIDTHS) {
                    residual.add(ReferenceCell.residual(width, blocks));
                }
            }
            cells(python, torchScript, residual, "fixup residual network, blocks of 2 dense layers",
                    "### Time per residual cell: initsweep (DL4J ComputationGraph) against PyTorch");
        }
        if (parts.contains(Part.CNN)) {
            List<ReferenceCell> cnn = new ArrayList<>();
            for (int depth : CNN_DEPTHS) {
                for (int channels : CNN_CHANNELS) {
                    cnn.add(ReferenceCell.cnn(channels, depth));
                }
            }
            cells(python, torchScript, cnn, "he_normal cnn, 3×3 convolutions, global average pooling, 16×16 images",
                    "### Time per cnn cell: initsweep (DL4J convolutions) against PyTorch");
        }
        if (parts.contains(Part.ENSEMBLE)) {
            ensembles(python, torchScript);
        }
        if (parts.contains(Part.GRID)) {
            grid();
        }
        if (parts.contains(Part.SWEEP)) {
            sweeps();
        }
        if (parts.contains(Part.THREADS)) {
            threads();
        }
        return String.join("\n", sections);
    }

    // ---- reference cells against PyTorch

    private void cells(String python, Path torchScript, List<ReferenceCell> references, String what, String title)
            throws Exception {
        out.println("== time per reference cell (" + what + ", relu, SGD, batch 64, 5 epochs, 1024+256 rows), "
                + "one thread each, alternating, median of " + reps);
        Dl4jCellTrainer trainer = new Dl4jCellTrainer(1, false);
        List<List<String>> rows = new ArrayList<>();
        try (TorchWorker torch = new TorchWorker(python, torchScript)) {
            for (ReferenceCell reference : references) {
                Path file = work.resolve("cell-" + reference.name().replace(' ', '-').replace('×', 'x')
                        + ".bin");
                reference.export(file);
                double[] dl4j = new double[reps];
                double[] pytorch = new double[reps];
                CellResult last = null;
                TorchWorker.Result lastTorch = null;
                for (int rep = -1; rep < reps; rep++) { // rep -1 warms both up
                    long start = System.nanoTime();
                    last = trainer.train(reference.cell(), reference.dataset());
                    double seconds = (System.nanoTime() - start) / 1e9;
                    lastTorch = torch.train(file);
                    if (rep >= 0) {
                        dl4j[rep] = seconds;
                        pytorch[rep] = lastTorch.seconds();
                    }
                }
                double d = median(dl4j);
                double p = median(pytorch);
                double gflop = reference.flops() / 1e9;
                rows.add(List.of(reference.name(), fmt(d, 3), fmt(p, 3), fmt(d / p, 2), fmt(gflop, 2),
                        fmt(gflop / d, 2), fmt(gflop / p, 2), percentOfPeak(gflop / d), percentOfPeak(gflop / p),
                        fmt(Math.abs(last.finalTestLoss() - lastTorch.finalTestLoss()), 4)));
                out.printf("  %-12s initsweep %.3f s  PyTorch %.3f s  ratio %.2f%n", reference.name(), d, p, d / p);
                out.flush();
            }
        }
        List<String> header = List.of("cell", "initsweep s", "PyTorch s", "ratio", "GFLOP", "initsweep GFLOP/s",
                "PyTorch GFLOP/s", "initsweep % of peak", "PyTorch % of peak", "|Δ final test loss|");
        out.print(TextTable.render(header, rows));
        out.flush();
        sections.add(title + "\n\n"
                + "Identical network (" + what + "), data, initial weights, minibatch order and SGD; per-epoch "
                + "evaluation on both "
                + "sides (test loss and accuracy, probe-batch gradient norm); one thread each; run alternately; "
                + "median of " + reps + " after one warm-up. `% of peak`: GFLOP/s (wall) as a share of the "
                + "machine's single-thread SGEMM peak above. `|Δ final test loss|` compares the two trainings of "
                + "the same cell (float32 rounding differs).\n\n" + markdown(header, rows));
    }

    // ---- the SGEMM peak: the yardstick

    private void peakSection() {
        out.println("== single-thread SGEMM peak (OpenBLAS as ND4J calls it; GFLOP per CPU-second, best of 5 runs)");
        rates = io.initsweep.dl4j.SgemmPeak.measure(5);
        List<List<String>> rows = new ArrayList<>();
        for (io.initsweep.dl4j.SgemmPeak.Rate rate : rates) {
            rows.add(List.of(rate.shape(), rate.kind(), fmt(rate.gflopPerCpuSecond(), 1)));
        }
        List<String> header = List.of("product", "kind", "GFLOP per CPU-s");
        out.print(TextTable.render(header, rows));
        io.initsweep.dl4j.SgemmPeak.Rate best = io.initsweep.dl4j.SgemmPeak.peak(rates);
        out.printf("peak: %.1f GFLOP per CPU-second (%s)%n", best.gflopPerCpuSecond(), best.shape());
        sections.add(String.format(Locale.ROOT, "### Single-thread SGEMM peak%n%nThe yardstick of every rate below: "
                + "float32 products through the OpenBLAS ND4J calls, one thread, per CPU-second of the measuring "
                + "thread, best of 5 runs. Peak: **%.1f GFLOP/s** (%s). Cells multiply minibatch-shaped matrices, "
                + "whose best rate is lower.%n%n", best.gflopPerCpuSecond(), best.shape()) + markdown(header, rows));
    }

    /** The SGEMM peak in GFLOP per CPU-second (measured once). */
    private double peak() {
        if (rates == null) {
            rates = io.initsweep.dl4j.SgemmPeak.measure(5);
        }
        return io.initsweep.dl4j.SgemmPeak.peak(rates).gflopPerCpuSecond();
    }

    private String percentOfPeak(double gflopPerSecond) {
        return fmt(100 * gflopPerSecond / peak(), 1) + "%";
    }

    // ---- K seeds: PyTorch's loop and batched ensemble, initsweep's per-cell path and batched trainer

    private void ensembles(String python, Path torchScript) throws Exception {
        String plan = System.getProperty("initsweep.bench.ensemble", ENSEMBLE_PLAN);
        out.println("== K seeds of the reference cell: PyTorch loop and ensemble, initsweep per-cell and batched "
                + "(one thread each, wall seconds)");
        Dl4jCellTrainer perCell = new Dl4jCellTrainer(1, false);
        io.initsweep.dl4j.BatchedCellTrainer batched = new io.initsweep.dl4j.BatchedCellTrainer(1, false);
        List<List<String>> rows = new ArrayList<>();
        try (TorchWorker torch = new TorchWorker(python, torchScript)) {
            for (String item : plan.split(";")) {
                String[] shape = item.substring(0, item.indexOf(':')).split("x");
                int width = Integer.parseInt(shape[0].trim());
                int depth = Integer.parseInt(shape[1].trim());
                int[] ks = Arrays.stream(item.substring(item.indexOf(':') + 1).split(","))
                        .mapToInt(k -> Integer.parseInt(k.trim())).toArray();
                int maxK = Arrays.stream(ks).max().orElseThrow();
                List<ReferenceCell> seeds = ReferenceCell.seeds(width, depth, maxK);
                List<Path> files = new ArrayList<>();
                for (int i = 0; i < maxK; i++) {
                    Path file = work.resolve("seed-" + depth + "x" + width + "-" + i + ".bin");
                    seeds.get(i).export(file);
                    files.add(file);
                }
                List<Cell> cells = seeds.stream().map(ReferenceCell::cell).toList();
                io.initsweep.data.Dataset data = seeds.get(0).dataset();
                // warm-up of all four: the JIT, ND4J's first ops, this shape's buffers
                int warm = Math.min(2, maxK);
                torch.train(files.subList(0, warm), false);
                torch.train(files.subList(0, warm), true);
                perCell.train(cells.get(0), data);
                batched.train(cells.subList(0, warm), data);
                for (int k : ks) {
                    TorchWorker.GroupResult loop = torch.train(files.subList(0, k), false);
                    TorchWorker.GroupResult ensemble = torch.train(files.subList(0, k), true);
                    long start = System.nanoTime();
                    List<CellResult> alone = new ArrayList<>();
                    for (Cell cell : cells.subList(0, k)) {
                        alone.add(perCell.train(cell, data));
                    }
                    double perCellSeconds = (System.nanoTime() - start) / 1e9;
                    start = System.nanoTime();
                    List<CellResult> together = batched.train(cells.subList(0, k), data);
                    double batchedSeconds = (System.nanoTime() - start) / 1e9;
                    double gflop = k * seeds.get(0).flops() / 1e9;
                    double torchDrift = 0;
                    double initsweepDrift = 0;
                    for (int i = 0; i < k; i++) {
                        torchDrift = Math.max(torchDrift, Math.abs(loop.finalTestLosses()[i]
                                - ensemble.finalTestLosses()[i]));
                        initsweepDrift = Math.max(initsweepDrift, Math.abs(alone.get(i).finalTestLoss()
                                - together.get(i).finalTestLoss()));
                    }
                    rows.add(List.of(depth + "×" + width, Integer.toString(k), fmt(loop.seconds(), 2),
                            fmt(ensemble.seconds(), 2), fmt(loop.seconds() / ensemble.seconds(), 2) + "×",
                            fmt(perCellSeconds, 2), fmt(batchedSeconds, 2),
                            fmt(perCellSeconds / batchedSeconds, 2) + "×",
                            fmt(batchedSeconds / ensemble.seconds(), 2),
                            percentOfPeak(gflop / loop.seconds()), percentOfPeak(gflop / ensemble.seconds()),
                            percentOfPeak(gflop / perCellSeconds), percentOfPeak(gflop / batchedSeconds),
                            String.format(Locale.ROOT, "%.1e / %.1e", torchDrift, initsweepDrift)));
                    out.printf("  %d×%d K=%d: PyTorch loop %.2f s, ensemble %.2f s; initsweep per-cell %.2f s, "
                            + "batched %.2f s%n", depth, width, k, loop.seconds(), ensemble.seconds(), perCellSeconds,
                            batchedSeconds);
                    out.flush();
                }
            }
        }
        List<String> header = List.of("depth×width", "K", "PyTorch loop s", "PyTorch ensemble s", "ensemble gain",
                "initsweep per-cell s", "initsweep batched s", "batched gain", "batched / PyTorch ensemble",
                "PyTorch loop % of peak", "ensemble % of peak", "per-cell % of peak", "batched % of peak",
                "max |Δ final test loss| PyTorch / initsweep");
        out.print(TextTable.render(header, rows));
        sections.add("### K seeds at once: PyTorch's loop and ensemble, initsweep's per-cell path and batched "
                + "trainer\n\nThe same K seeds of the reference cell (their own initial weights and minibatch "
                + "orders, the same data; per-epoch evaluation on all sides, no layer statistics), trained four "
                + "ways, one thread each, wall seconds for all K: PyTorch one seed after another; PyTorch as a "
                + "batched ensemble (weights stacked into [K, in, out], every layer one `torch.baddbmm`, the K "
                + "losses summed into one backward pass); initsweep's per-cell path one cell after another; "
                + "initsweep's batched trainer. `% of peak`: GFLOP/s as a share of the SGEMM peak. The last column "
                + "checks that batching changes nothing: PyTorch's ensemble agrees with its loop to float "
                + "rounding; initsweep's batched trainer gives the per-cell path's bits (0).\n\n"
                + markdown(header, rows));
    }

    // ---- the batched trainer against the per-cell path, over widths, depths and K

    private void grid() {
        int[] widths = ints(System.getProperty("initsweep.bench.widths", GRID_WIDTHS));
        int[] depths = ints(System.getProperty("initsweep.bench.depths", GRID_DEPTHS));
        int[] ks = ints(System.getProperty("initsweep.bench.ks", GRID_KS));
        double maxGflop = Double.parseDouble(System.getProperty("initsweep.bench.maxGflop", GRID_MAX_GFLOP));
        out.println("== batched trainer against the per-cell path (reference cell, layer statistics on, one thread; "
                + "thread CPU seconds per cell)");
        Dl4jCellTrainer perCell = new Dl4jCellTrainer(1, true);
        io.initsweep.dl4j.BatchedCellTrainer batched = new io.initsweep.dl4j.BatchedCellTrainer(1, true);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        List<List<String>> rows = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int maxK = Arrays.stream(ks).max().orElseThrow();
        for (int depth : depths) {
            for (int width : widths) {
                List<ReferenceCell> seeds = ReferenceCell.seeds(width, depth, Math.max(maxK, 3));
                List<Cell> cells = seeds.stream().map(ReferenceCell::cell).toList();
                io.initsweep.data.Dataset data = seeds.get(0).dataset();
                double flops = seeds.get(0).flops();
                // the per-cell path: a warm-up cell, then two cells, the median (here: mean) of their CPU times
                perCell.train(cells.get(2), data);
                double[] perCellCpu = new double[2];
                double[] perCellWall = new double[2];
                CellResult reference = null;
                for (int i = 0; i < 2; i++) {
                    long cpu = threads.getCurrentThreadCpuTime();
                    long wall = System.nanoTime();
                    CellResult result = perCell.train(cells.get(i), data);
                    perCellCpu[i] = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
                    perCellWall[i] = (System.nanoTime() - wall) / 1e9;
                    if (i == 0) {
                        reference = result;
                    }
                }
                double cellCpu = median(perCellCpu);
                double cellWall = median(perCellWall);
                batched.train(cells.subList(0, Math.min(2, maxK)), data); // warm-up of this shape's batch
                for (int k : ks) {
                    String point = depth + "×" + width + " K=" + k;
                    if (k * flops / 1e9 > maxGflop) {
                        skipped.add(point);
                        continue;
                    }
                    long cpu = threads.getCurrentThreadCpuTime();
                    long wall = System.nanoTime();
                    List<CellResult> results = batched.train(cells.subList(0, k), data);
                    double batchCpu = (threads.getCurrentThreadCpuTime() - cpu) / 1e9 / k;
                    double batchWall = (System.nanoTime() - wall) / 1e9 / k;
                    boolean bitwise = results.get(0).epochs().equals(reference.epochs())
                            && results.get(0).layers().equals(reference.layers());
                    rows.add(List.of(depth + "×" + width, Integer.toString(k), fmt(cellCpu, 3), fmt(batchCpu, 3),
                            fmt(cellCpu / batchCpu, 1) + "×", fmt(cellWall / batchWall, 1) + "×",
                            fmt(flops / 1e9 / cellCpu, 1), fmt(flops / 1e9 / batchCpu, 1),
                            percentOfPeak(flops / 1e9 / cellCpu), percentOfPeak(flops / 1e9 / batchCpu),
                            bitwise ? "yes" : "NO"));
                    out.printf("  %s: per-cell %.3f s, batched %.3f s per cell (CPU), %.1f×, bitwise %s%n", point,
                            cellCpu, batchCpu, cellCpu / batchCpu, bitwise ? "yes" : "NO");
                    out.flush();
                }
            }
        }
        List<String> header = List.of("depth×width", "K", "per-cell CPU s/cell", "batched CPU s/cell",
                "gain (CPU)", "gain (wall)", "per-cell GFLOP/CPU-s", "batched GFLOP/CPU-s", "per-cell % of peak",
                "batched % of peak", "bitwise = per-cell");
        out.print(TextTable.render(header, rows));
        if (!skipped.isEmpty()) {
            out.println("skipped (more than " + maxGflop + " GFLOP per batch): " + String.join(", ", skipped));
        }
        sections.add("### The batched trainer against the per-cell path\n\nThe reference cell (blobs, 1024 + 256 "
                + "rows, batch 64, 5 epochs, SGD) at each width and depth, layer statistics on as sweeps record "
                + "them, one thread. Per cell: the CPU seconds of the training thread (the per-cell path: the median "
                + "of two cells after a warm-up; the batched trainer: a batch of K cells over K). `bitwise`: the "
                + "first cell's epochs and layer statistics are the per-cell path's bits.\n\n"
                + markdown(header, rows) + (skipped.isEmpty() ? "" : "\nSkipped (more than " + maxGflop
                + " GFLOP per batch): " + String.join(", ", skipped) + ".\n"));
    }

    private static int[] ints(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(t -> !t.isEmpty())
                .mapToInt(Integer::parseInt).toArray();
    }

    // ---- fan-out overhead and scaling

    private static final String SWEEP = """
            name: bench-sweep-%s
            seeds: 6
            grid:
              scheme: [he_normal, xavier_normal]
              depth: [2, 6]
              activation: [relu, tanh]
            model: {width: 64}
            training: {epochs: 5, batch-size: 64, learning-rate: 0.01}
            data: {dataset: blobs, samples: 1280, features: 32, classes: 10, test-fraction: 0.2}
            """;

    private void sweeps() throws Exception {
        out.println("== 48-cell sweep: fan-out overhead and scaling");
        warmUp();
        List<List<String>> rows = new ArrayList<>();
        double[] throughput = new double[3];
        long peak = 0;
        for (int cores : new int[] {1, 2}) {
            SparkSession previous = SparkSession.getDefaultSession().isDefined()
                    ? SparkSession.getDefaultSession().get() : null;
            if (previous != null) {
                previous.stop();
            }
            SparkSession spark = SparkSessions.create("local[" + cores + ",4]", 1, false);
            SweepSpec spec = SpecParser.parse(SWEEP.formatted(cores), "bench-sweep.yaml");
            Map<Long, TrainingData> datasets = Map.of(0L,
                    new TrainingData.InMemory(io.initsweep.data.Datasets.synthetic(spec.dataset(), 0)));
            List<Cell> cells = Grid.expand(spec, SweepDatasets.identities(datasets));
            Path warehouse = work.resolve("warehouse-" + cores);
            deleteRecursively(warehouse);
            long start = System.nanoTime();
            new SweepRunner(spark, new PrintWriter(java.io.OutputStream.nullOutputStream()), Dl4jCellTrainer.FACTORY,
                    dataParallel(spark)).run(spec, cells, datasets, SweepRunner.Options.of(warehouse.toString()));
            double wall = (System.nanoTime() - start) / 1e9;
            double sum = Warehouse.open(spark, warehouse.toString()).read(Tables.RUNS)
                    .agg(functions.sum("wall_seconds")).first().getDouble(0);
            double ideal = sum / cores;
            throughput[cores] = cells.size() / wall * 60;
            rows.add(List.of("local[" + cores + "]", Integer.toString(cells.size()), fmt(wall, 2), fmt(sum, 2),
                    fmt(ideal, 2), fmt(100 * (wall - ideal) / wall, 1) + "%", fmt(throughput[cores], 1)));
            peak = Math.max(peak, peakResidentBytes());
            spark.stop();
        }
        List<String> header = List.of("master", "cells", "wall s", "sum of cell s", "sum / cores", "fan-out overhead",
                "cells/min");
        out.print(TextTable.render(header, rows));
        out.flush();
        out.printf("local[2] / local[1] throughput: %.2f; peak resident memory of this JVM (driver and executor): "
                + "%d MiB%n", throughput[2] / throughput[1], peak >> 20);
        sections.add("### Fan-out: a 48-cell sweep\n\nThe whole `SweepRunner.run` (lock, resume check, Spark job, "
                + "commits) against the sum of the cells' own times divided by the cores, after a 4-cell warm-up "
                + "sweep in the same JVM. Overhead = (wall − sum/cores) / wall. The cells are 2 schemes × depth "
                + "2, 6 × relu, tanh × 6 seeds, width 64, on the reference data.\n\n" + markdown(header, rows)
                + String.format(Locale.ROOT, "%nThroughput local[2] / local[1]: **%.2f×**. Peak resident memory "
                + "of the JVM that ran both sweeps (driver and executor in one, local mode): **%d MiB**.%n",
                throughput[2] / throughput[1], peak >> 20));
    }

    /**
     * A 4-cell sweep first, so the measured sweeps do not pay this JVM's one-time costs (ND4J's native start-up,
     * Spark's first Parquet write and code generation); those are measured separately, as the first cell's time.
     */
    private void warmUp() throws Exception {
        SparkSession spark = SparkSessions.create("local[2,4]", 1, false);
        SweepSpec spec = SpecParser.parse(SWEEP.formatted("warm-up").replace("seeds: 6", "seeds: 1")
                .replace("depth: [2, 6]", "depth: [2]").replace("activation: [relu, tanh]", "activation: [relu]"),
                "warm-up.yaml");
        Map<Long, TrainingData> datasets = Map.of(0L,
                new TrainingData.InMemory(io.initsweep.data.Datasets.synthetic(spec.dataset(), 0)));
        Path warehouse = work.resolve("warehouse-warm-up");
        deleteRecursively(warehouse);
        new SweepRunner(spark, new PrintWriter(java.io.OutputStream.nullOutputStream()), Dl4jCellTrainer.FACTORY,
                dataParallel(spark)).run(spec, Grid.expand(spec, SweepDatasets.identities(datasets)), datasets,
                SweepRunner.Options.of(warehouse.toString()));
    }

    // ---- native threads and warm-up, in fresh JVMs

    private void threads() throws Exception {
        out.println("== native threads and first-cell warm-up (fresh JVMs, 2 cells at a time like local[2])");
        List<List<String>> rows = new ArrayList<>();
        for (int threads : new int[] {1, 2}) {
            JsonNode child = child(threads);
            rows.add(List.of(Integer.toString(threads), fmt(child.get("first").asDouble(), 2),
                    fmt(child.get("steady").asDouble(), 3), child.get("nd4jThreads").asText(),
                    Long.toString(child.get("peakBytes").asLong() >> 20)));
            out.printf("  OMP_NUM_THREADS=%d: first cell %.2f s, then %.3f s per 2 concurrent cells%n", threads,
                    child.get("first").asDouble(), child.get("steady").asDouble());
        }
        List<String> header = List.of("OMP_NUM_THREADS", "first cell s (cold JVM)", "steady s per 2 concurrent cells",
                "ND4J threads", "peak RSS MiB");
        out.print(TextTable.render(header, rows));
        out.flush();
        sections.add("### Native threads and warm-up\n\nA fresh JVM per row trains the 10×64 reference cell: once "
                + "alone (the first cell pays ND4J's start-up), then 8 times on 2 threads at once, as two local[2] "
                + "tasks would. ND4J reads OMP_NUM_THREADS once, at start-up.\n\n" + markdown(header, rows));
    }

    private JsonNode child(int threads) throws Exception {
        String javaBinary = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBinary));
        command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-XX:") || a.startsWith("-Dlogback")
                        || a.startsWith("-Djdk.reflect") || a.startsWith("-Dorg.bytedeco")).toList());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Benchmark.class.getName(), "--child"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        Process process = builder.start();
        String line = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.waitFor() != 0 || line.isEmpty()) {
            throw new IOException("the benchmark child JVM failed (exit " + process.exitValue() + ")");
        }
        return new ObjectMapper().readTree(line.lines().reduce((a, b) -> b).orElseThrow());
    }

    /** Child JVM: one cold cell, then 8 cells on 2 threads; prints one JSON line. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1 || !args[0].equals("--child")) {
            throw new IllegalArgumentException("usage: Benchmark --child");
        }
        Integer threads = Nd4jRuntime.environmentThreads();
        int wanted = threads == null ? 1 : threads;
        ReferenceCell reference = ReferenceCell.of(64, 10);
        Dl4jCellTrainer trainer = new Dl4jCellTrainer(wanted, false);
        long start = System.nanoTime();
        trainer.train(reference.cell(), reference.dataset());
        double first = (System.nanoTime() - start) / 1e9;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        start = System.nanoTime();
        List<Future<CellResult>> futures = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            futures.add(pool.submit(() -> trainer.train(reference.cell(), reference.dataset())));
        }
        for (Future<CellResult> f : futures) {
            f.get();
        }
        double steady = (System.nanoTime() - start) / 1e9 / 4; // 8 cells on 2 threads: wall per pair
        pool.shutdown();
        System.out.println(new ObjectMapper().writeValueAsString(Map.of("first", first, "steady", steady,
                "nd4jThreads", org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads(),
                "peakBytes", peakResidentBytes())));
        System.exit(0);
    }

    // ---- helpers

    private String machine(String python) throws Exception {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(System.getProperty("os.arch"));
        long memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                .findFirst().map(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024).orElse(0L);
        Process version = new ProcessBuilder(python, "-c", "import torch; print(torch.__version__)")
                .redirectErrorStream(true).start();
        String torch = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        version.waitFor();
        String text = String.format(Locale.ROOT, "Measured %s on %s, %d cores, %d GiB; Java %s; Deeplearning4j %s "
                        + "(ND4J CPU, %s); Spark %s; PyTorch %s (%s).%n", LocalDate.now(), cpu,
                Runtime.getRuntime().availableProcessors(), memory >> 30, Runtime.version(),
                io.initsweep.dl4j.Nd4jRuntime.initialize(1).dl4jVersion(),
                io.initsweep.dl4j.Nd4jRuntime.initialize(1).blasVendor(), org.apache.spark.package$.MODULE$
                        .SPARK_VERSION(), torch, python);
        out.print(text);
        return text;
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (Files.exists(root)) {
            try (var paths = Files.walk(root)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    static long peakResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return -1;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String fmt(double value, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", value);
    }

    private static String markdown(List<String> header, List<List<String>> rows) {
        StringBuilder md = new StringBuilder("| " + String.join(" | ", header) + " |\n|");
        header.forEach(h -> md.append("---|"));
        md.append('\n');
        rows.forEach(r -> md.append("| ").append(String.join(" | ", r)).append(" |\n"));
        return md.toString();
    }

    private static DataParallelTrainer dataParallel(SparkSession spark) {
        return new DataParallelTrainer(JavaSparkContext.fromSparkContext(spark.sparkContext()));
    }
}
