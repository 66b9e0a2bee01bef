package io.initsweep.cli;

import io.initsweep.common.ExitCode;
import io.initsweep.common.FailureKind;
import io.initsweep.common.InitsweepException;
import io.initsweep.dl4j.SourceNetwork;
import io.initsweep.grid.Grid;
import io.initsweep.spec.Settings;
import io.initsweep.spec.SourceSpec;
import io.initsweep.spec.SpecParser;
import io.initsweep.spec.SweepSpec;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code initsweep validate SPEC}: runs every check of a spec that needs neither Spark nor data (data files are
 * checked by {@code run} before any cell trains), and prints what it would run.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check a sweep spec (no Spark, no data) and print its size. Exit code 2 if it is invalid.")
final class ValidateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @Parameters(index = "0", paramLabel = "SPEC", description = "the sweep spec (YAML)")
    Path spec;

    @Option(names = "--print", paramLabel = "FIELD",
            description = "print only this value: cells, cores-per-cell or name (for scripts)")
    String print;

    @Option(names = "--max-cells", paramLabel = "N", defaultValue = "" + Grid.DEFAULT_MAX_CELLS,
            description = "refuse a grid of more cells than this, as run does (default: ${DEFAULT-VALUE})")
    long maxCells;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        if (print != null && !List.of("cells", "cores-per-cell", "name").contains(print)) {
            throw new InitsweepException(FailureKind.BAD_USAGE, "--print takes cells, cores-per-cell or name, got '"
                    + print + "'");
        }
        SweepSpec sweep = SpecParser.parse(spec);
        // every check that needs no data, so validate refuses what run would refuse before reading data
        Grid.check(sweep, maxCells);
        if (sweep.transfers() && sweep.sourceNetwork() instanceof SourceSpec.FromModel fromModel
                && java.net.URI.create(fromModel.path().replace(" ", "%20")).getScheme() == null) {
            // what needs no data: the file is there, is a model, and has the layers the grid keeps (shapes against
            // the data are run's, before anything trains); a Hadoop URI is read by run only
            int most = sweep.valuesOf(Settings.TRANSFER_LAYERS).stream().mapToInt(v -> (Integer) v).max().orElse(0);
            SourceNetwork.checkFromModel(Path.of(fromModel.path()), most);
        }
        if (print != null) {
            switch (print) {
                case "cells" -> out.println(Grid.cellCount(sweep));
                case "cores-per-cell" -> out.println(sweep.execution().coresPerCell());
                default -> out.println(sweep.name());
            }
            return ExitCode.OK;
        }
        StringBuilder axes = new StringBuilder();
        sweep.grid().forEach(a -> axes.append(axes.length() == 0 ? "" : " × ").append(a.setting().key()).append(" (")
                .append(a.values().size()).append(')'));
        long cells = Grid.cellCount(sweep);
        String transfer = cells == sweep.cellCount() ? "" : " (transfer cells × source seeds; points differing "
                + "only in settings that do not apply count once)";
        out.printf("%s: valid. %d cells = %s × %d seeds%s; dataset %s; %d core(s) per cell%n", spec, cells,
                axes.length() == 0 ? "1 grid point" : axes, sweep.seeds().size(), transfer, sweep.dataset().kind(),
                sweep.execution().coresPerCell());
        return ExitCode.OK;
    }
}
