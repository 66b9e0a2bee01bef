package io.initsweep.report;

import io.initsweep.grid.Cell;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The end-of-sweep console summary: one line per grid point (all seeds together) with how many seeds ran, how
 * many diverged or failed, the mean ± sample standard deviation of the final test loss over the ok seeds, and, with
 * a target loss, how many seeds reached it and in how many epochs on average (what a transfer study compares).
 */
public final class Summary {
    private Summary() {
    }

    /** One grid point's aggregate. */
    public record Line(Map<String, String> coordinates, int seeds, int ok, int diverged, int failed, int missing,
                       double lossMean, double lossStd, double accuracyMean, int reached,
                       double epochsToTargetMean) {
    }

    public static List<Line> lines(List<CellOutcome> outcomes) {
        Map<String, List<CellOutcome>> byPoint = new LinkedHashMap<>();
        for (CellOutcome outcome : outcomes) {
            byPoint.computeIfAbsent(outcome.cell().pointId(), k -> new ArrayList<>()).add(outcome);
        }
        List<Line> lines = new ArrayList<>();
        for (List<CellOutcome> point : byPoint.values()) {
            SummaryStatistics loss = new SummaryStatistics();
            SummaryStatistics accuracy = new SummaryStatistics();
            int ok = 0;
            int diverged = 0;
            int failed = 0;
            int missing = 0;
            int reached = 0;
            SummaryStatistics epochs = new SummaryStatistics();
            for (CellOutcome o : point) {
                if (o.status() == null) {
                    missing++;
                    continue;
                }
                switch (o.status()) {
                    case "ok" -> {
                        ok++;
                        if (o.finalTestLoss() != null) {
                            loss.addValue(o.finalTestLoss());
                        }
                        if (o.finalTestAccuracy() != null) {
                            accuracy.addValue(o.finalTestAccuracy());
                        }
                    }
                    case "diverged" -> diverged++;
                    default -> failed++;
                }
                if (o.epochsToTarget() != null) {
                    reached++;
                    epochs.addValue(o.epochsToTarget());
                }
            }
            Cell first = point.get(0).cell();
            lines.add(new Line(first.coordinates(), point.size(), ok, diverged, failed, missing,
                    loss.getN() > 0 ? loss.getMean() : Double.NaN,
                    loss.getN() > 1 ? loss.getStandardDeviation() : Double.NaN,
                    accuracy.getN() > 0 ? accuracy.getMean() : Double.NaN, reached,
                    epochs.getN() > 0 ? epochs.getMean() : Double.NaN));
        }
        return lines;
    }

    /** An aligned text table; the grid axes are the first columns. */
    public static String render(List<Line> lines, boolean targetSet) {
        if (lines.isEmpty()) {
            return "(no cells)\n";
        }
        // every line's axes: a from-scratch cell has no strategy or freeze, the transfer cells beside it do
        java.util.LinkedHashSet<String> allAxes = new java.util.LinkedHashSet<>();
        lines.forEach(l -> allAxes.addAll(l.coordinates().keySet()));
        List<String> axes = new ArrayList<>(allAxes);
        List<String> header = new ArrayList<>(axes);
        header.addAll(List.of("seeds", "ok", "diverged", "failed", "final test loss", "accuracy"));
        if (targetSet) {
            header.add("reached target");
            header.add("epochs to target");
        }
        List<List<String>> rows = new ArrayList<>();
        for (Line line : lines) {
            List<String> row = new ArrayList<>();
            axes.forEach(a -> row.add(line.coordinates().getOrDefault(a, "-")));
            row.add(Integer.toString(line.seeds()));
            row.add(Integer.toString(line.ok()));
            row.add(Integer.toString(line.diverged()));
            row.add(line.failed() + (line.missing() > 0 ? " (+" + line.missing() + " missing)" : ""));
            row.add(Double.isNaN(line.lossMean()) ? "-" : Double.isNaN(line.lossStd())
                    ? String.format("%.4f", line.lossMean())
                    : String.format("%.4f ± %.4f", line.lossMean(), line.lossStd()));
            row.add(Double.isNaN(line.accuracyMean()) ? "-" : String.format("%.3f", line.accuracyMean()));
            if (targetSet) {
                row.add(line.reached() + "/" + line.seeds());
                row.add(Double.isNaN(line.epochsToTargetMean()) ? "-"
                        : String.format("%.1f", line.epochsToTargetMean()));
            }
            rows.add(row);
        }
        return TextTable.render(header, rows);
    }
}
